"""nnbook.exercises.ch6: the reference solution passes, typical mistakes get their hint."""
import itertools

import numpy as np
import pytest
from hmmlearn.hmm import CategoricalHMM
from hypothesis import given, settings, strategies as st
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp
from scipy.stats import binom

from nnbook.exercises import check
from nnbook.seq import chain, mixture


def viterbi_step_from_chain(log_delta, log_trans, log_emit_t):
    """The referee: nnbook's Viterbi over two steps (the first step's scores are log_delta)."""
    n = len(log_delta)
    emit = np.vstack([np.zeros(n), log_emit_t])
    best = [chain.viterbi(log_delta, log_trans, emit, log_end=np.where(np.arange(n) == j, 0.0, -np.inf))
            for j in range(n)]  # the best two-step path that ends in state j
    return np.array([score for _, score in best]), np.array([path[0] for path, _ in best])


def test_the_chain_engine_passes():
    assert check("ch6.viterbi_step", viterbi_step_from_chain)


def test_maximising_over_the_wrong_axis_is_named():
    def wrong(log_delta, log_trans, log_emit_t):
        s = log_delta[:, None] + log_trans
        return s.max(axis=1) + log_emit_t, s.argmax(axis=1)

    assert "wrong axis" in check("ch6.viterbi_step", wrong).message


def test_float_backpointers_are_refused():
    def floats(log_delta, log_trans, log_emit_t):
        s = log_delta[:, None] + log_trans
        return s.max(axis=0) + log_emit_t, s.argmax(axis=0).astype(float)

    assert "backpointer must be an int array" in check("ch6.viterbi_step", floats).message


def test_the_viterbi_stub_is_not_yet():
    def viterbi_step(log_delta, log_trans, log_emit_t):
        raise NotImplementedError("fill in the stub")

    verdict = check("ch6.viterbi_step", viterbi_step)
    assert not verdict and "not yet" in str(verdict) and "NotImplementedError" in verdict.message


# ------------------------------------------------------------------- ch6.coin_em_step
def coin_em_step_scipy(heads, n_tosses, theta):
    """The referee: responsibilities from scipy's binomial log-pmf; each new bias maximises the
    expected complete-data log-likelihood Q numerically (no closed form used)."""
    log_joint = binom.logpmf(heads[:, None], n_tosses, theta[None, :])
    resp = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    def minus_q(b, k):
        return -np.sum(resp[:, k] * (heads * np.log(b) + (n_tosses - heads) * np.log1p(-b)))

    new = [minimize_scalar(minus_q, bounds=(1e-9, 1 - 1e-9), args=(k,), method="bounded",
                           options={"xatol": 1e-13}).x for k in range(len(theta))]
    return resp, np.array(new)


def coin_probabilities(heads, n_tosses, theta):
    """A typical first attempt: the probabilities themselves (underflow for many tosses)."""
    like = theta[None, :] ** heads[:, None] * (1 - theta[None, :]) ** (n_tosses - heads[:, None])
    resp = like / like.sum(axis=1, keepdims=True)
    return resp, (resp * heads[:, None]).sum(0) / (n_tosses * resp.sum(0))


def coin_mistake(kind):
    def answer(heads, n_tosses, theta):
        resp, new = coin_em_step_scipy(heads, n_tosses, theta)
        if kind == "columns":
            like = np.exp(binom.logpmf(heads[:, None], n_tosses, theta[None, :]))
            resp = like / like.sum(axis=0, keepdims=True)
        elif kind == "swapped":
            resp = coin_em_step_scipy(heads, n_tosses, 1 - theta)[0]
        elif kind == "per toss":
            new = (resp * heads[:, None]).sum(0) / resp.sum(0)
        elif kind == "hard":
            hard = np.eye(len(theta))[resp.argmax(axis=1)]
            new = (hard * heads[:, None]).sum(0) / (n_tosses * hard.sum(0))
        elif kind == "transposed":
            resp = resp.T
        return resp, new
    return answer


def test_an_independent_coin_em_step_passes():
    assert check("ch6.coin_em_step", coin_em_step_scipy)


def test_the_package_coin_em_passes():
    def via_package(heads, n_tosses, theta):
        return coin_em_step_scipy(heads, n_tosses, theta)[0], mixture.coin_em(heads, n_tosses, theta, n_iter=1)[0][1]

    assert check("ch6.coin_em_step", via_package)


@pytest.mark.parametrize("kind, hint", [
    ("columns", "resp is normalised over the wrong axis"),
    ("swapped", "heads and tails swapped"),
    ("per toss", "n_tosses times too large"),
    ("hard", "hard assignments"),
    ("transposed", "resp has shape (3, 5), expected (5, 3) (transposed?)"),
])
def test_coin_em_mistakes_get_their_hint(kind, hint):
    verdict = check("ch6.coin_em_step", coin_mistake(kind))
    assert not verdict and hint in verdict.message


def test_probabilities_that_underflow_are_named():
    verdict = check("ch6.coin_em_step", coin_probabilities)
    assert not verdict and "resp contains NaN for 3000 tosses per set" in verdict.message


def test_the_coin_stub_is_not_yet():
    def coin_em_step(heads, n_tosses, theta):
        raise NotImplementedError("fill in the stub")

    assert check("ch6.coin_em_step", coin_em_step).message == (
        "coin_em_step still raises NotImplementedError: fill in the stub")


# ----------------------------------------------------------- ch6.forward_log_likelihood
def hmmlearn_score(pi, A, B, obs):
    """The referee: hmmlearn's CategoricalHMM with the given parameters."""
    model = CategoricalHMM(n_components=len(pi), init_params="", params="")
    model.n_features = B.shape[1]
    model.startprob_, model.transmat_, model.emissionprob_ = pi, A, B
    return model.score(obs.reshape(-1, 1))


def forward_probabilities(pi, A, B, obs):
    """The textbook recursion in probabilities: right for short sequences, 0 for long ones."""
    alpha = pi * B[:, obs[0]]
    for o in obs[1:]:
        alpha = (alpha @ A) * B[:, o]
    return np.log(alpha.sum())


def forward_mistake(kind):
    def answer(pi, A, B, obs):
        log_A, log_b = np.log(A), np.log(B[:, obs].T)
        if kind == "transposed":
            log_A = log_A.T
        log_alpha = np.log(pi) + log_b[0]
        for t in range(1, len(obs)):
            scores = log_alpha[:, None] + log_A
            log_alpha = (scores.max(axis=0) if kind == "max" else logsumexp(scores, axis=0)) + log_b[t]
        if kind == "max":
            return log_alpha.max()
        return np.exp(logsumexp(log_alpha)) if kind == "probability" else logsumexp(log_alpha)
    return answer


def test_hmmlearn_passes():
    assert check("ch6.forward_log_likelihood", hmmlearn_score)


def test_hmmlearn_agrees_with_enumerating_every_path():
    rng = np.random.default_rng(1)
    pi, A, B = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), size=3), rng.dirichlet(np.ones(4), size=3)
    obs = rng.integers(0, 4, size=7)
    paths = np.array(list(itertools.product(range(3), repeat=7)))
    joint = pi[paths[:, 0]] * np.prod(A[paths[:, :-1], paths[:, 1:]], axis=1) * np.prod(B[paths, obs], axis=1)
    np.testing.assert_allclose(hmmlearn_score(pi, A, B, obs), np.log(joint.sum()), rtol=1e-12)


@pytest.mark.parametrize("kind, hint", [
    ("transposed", "A is used the wrong way round"),
    ("max", "log-probability of the best path"),
    ("probability", "not the probability P(O)"),
])
def test_forward_mistakes_get_their_hint(kind, hint):
    verdict = check("ch6.forward_log_likelihood", forward_mistake(kind))
    assert not verdict and hint in verdict.message


def test_an_underflowing_product_is_named():
    verdict = check("ch6.forward_log_likelihood", forward_probabilities)
    assert not verdict and "the product of probabilities underflowed" in verdict.message


def test_the_forward_stub_is_not_yet():
    def forward_log_likelihood(pi, A, B, obs):
        raise NotImplementedError("fill in the stub")

    assert check("ch6.forward_log_likelihood", forward_log_likelihood).message == (
        "forward_log_likelihood still raises NotImplementedError: fill in the stub")


# ------------------------------------------------------------- bad answers, any grader
bad_values = st.one_of(
    st.none(), st.text(max_size=5), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.builds(lambda shape, fill: np.full(shape, fill), st.tuples(st.integers(0, 4), st.integers(0, 4)),
              st.sampled_from([0.0, 0.5, np.nan, np.inf, -1.0])),
)
bad_answers = st.one_of(
    bad_values.map(lambda v: (lambda *args: v)),
    st.tuples(bad_values, bad_values).map(lambda v: (lambda *args: v)),
    st.sampled_from([ValueError, IndexError, ZeroDivisionError]).map(
        lambda e: (lambda *args: (_ for _ in ()).throw(e("boom")))),
)


@settings(max_examples=60, deadline=None)
@given(exercise=st.sampled_from(["ch6.viterbi_step", "ch6.coin_em_step", "ch6.forward_log_likelihood"]),
       answer=bad_answers)
def test_a_bad_answer_is_one_line_of_not_yet(exercise, answer):
    verdict = check(exercise, answer)
    assert not verdict and str(verdict).startswith(f"{exercise}: not yet: ") and "\n" not in str(verdict)
