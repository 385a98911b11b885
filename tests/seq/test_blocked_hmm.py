"""nnbook.seq.blocked_hmm: the blocked-scan HMM algorithms equal hmmlearn and the plain loops of nnbook.seq.hmm."""
import warnings

import hmmlearn.hmm as hmmlearn_hmm
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.seq import blocked_hmm, chain, hmm

pytestmark = pytest.mark.ch6


def random_model(N, M, seed):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), size=N), rng.dirichlet(np.ones(M), size=N)


def reference(pi, A, B, **kwargs):
    model = hmmlearn_hmm.CategoricalHMM(n_components=len(pi), n_features=B.shape[1], implementation="log", **kwargs)
    model.startprob_, model.transmat_, model.emissionprob_ = pi, A, B
    return model


def path_score(pi, A, B, obs, path):
    with np.errstate(divide="ignore"):
        return np.log(pi[path[0]]) + np.log(A[path[:-1], path[1:]]).sum() + np.log(B[path, obs]).sum()


# (N, M, T, seed): lengths 1 and 2, a prime, exactly one default chunk, and longer sequences
CASES = [(3, 4, 1, 0), (3, 4, 2, 1), (4, 5, 17, 2), (5, 6, 400, 3), (10, 20, 3000, 9), (4, 9, 5003, 4)]
CHUNKS = [None, 1, 7]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"N{c[0]}-M{c[1]}-T{c[2]}")
def case(request):
    N, M, T, seed = request.param
    pi, A, B = random_model(N, M, seed)
    model = reference(pi, A, B)
    obs = model.sample(T, random_state=seed)[0][:, 0]
    return pi, A, B, obs, model


@pytest.mark.parametrize("chunk_size", CHUNKS)
def test_log_likelihood_equals_hmmlearn_score(case, chunk_size):
    pi, A, B, obs, model = case
    ours = blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size=chunk_size)
    np.testing.assert_allclose(ours, model.score(obs[:, None]), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("chunk_size", CHUNKS)
def test_posterior_equals_hmmlearn_predict_proba(case, chunk_size):
    pi, A, B, obs, model = case
    gamma = blocked_hmm.posterior(pi, A, B, obs, chunk_size=chunk_size)
    np.testing.assert_allclose(gamma, model.predict_proba(obs[:, None]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("chunk_size", CHUNKS)
def test_viterbi_equals_hmmlearn_decode(case, chunk_size):
    pi, A, B, obs, model = case
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs, chunk_size=chunk_size)
    ref_log_prob, ref_path = model.decode(obs[:, None])
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-11, atol=1e-11)
    # the returned path is a best path (there may be exact ties: see the next two tests)
    np.testing.assert_allclose(path_score(pi, A, B, obs, path), log_prob, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("chunk_size", CHUNKS)
@pytest.mark.parametrize("N, M, T, seed", [(4, 50, 3000, 1), (10, 20, 3000, 9), (8, 60, 5000, 3)])
def test_viterbi_path_equals_hmmlearn_when_the_best_path_is_unique(N, M, T, seed, chunk_size):
    pi, A, B = random_model(N, M, seed)
    model = reference(pi, A, B)
    obs = model.sample(T, random_state=seed)[0][:, 0]
    np.testing.assert_array_equal(blocked_hmm.viterbi(pi, A, B, obs, chunk_size)[0], model.decode(obs[:, None])[1])


def test_viterbi_ties_return_an_optimal_path():
    # With few symbols, two best paths often tie exactly (a-b-b and a-a-b emitting the same
    # symbol twice): any one is correct, and its score must be the optimum.
    pi, A, B = random_model(5, 7, 4)
    obs = reference(pi, A, B).sample(12345, random_state=4)[0][:, 0]
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs)
    ref_log_prob, ref_path = reference(pi, A, B).decode(obs[:, None])
    assert (path != ref_path).any(), "this case was chosen because it has ties"
    np.testing.assert_allclose(path_score(pi, A, B, obs, path), path_score(pi, A, B, obs, ref_path), rtol=1e-13)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-12)


def test_baum_welch_step_equals_one_hmmlearn_fit_iteration(case):
    pi, A, B, obs, _ = case
    if len(obs) < 2:
        pytest.skip("one observation gives no transition counts")
    model = reference(pi, A, B, n_iter=1, init_params="", params="ste", tol=-np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hmmlearn warns about the unused tol and short runs
        model.fit(obs[:, None])
    pi1, A1, B1, log_lik = blocked_hmm.baum_welch_step(pi, A, B, obs)
    np.testing.assert_allclose(pi1, model.startprob_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(A1, model.transmat_, rtol=0, atol=1e-10)
    # hmmlearn leaves a never-emitted symbol's probability at 0, as we do
    np.testing.assert_allclose(B1, model.emissionprob_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(log_lik, model.monitor_.history[0], rtol=1e-11)


def test_hundred_thousand_steps_do_not_underflow():
    pi, A, B = random_model(10, 20, 5)
    model = reference(pi, A, B)
    obs = np.random.default_rng(5).integers(0, 20, 100_000)
    ours = blocked_hmm.log_likelihood(pi, A, B, obs)
    assert np.isfinite(ours) and ours < -2e5  # the likelihood itself is below exp(-200,000)
    np.testing.assert_allclose(ours, model.score(obs[:, None]), rtol=1e-11)
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs)
    np.testing.assert_allclose(log_prob, model.decode(obs[:, None])[0], rtol=1e-11)
    counts = blocked_hmm.baum_welch_counts(pi, A, B, obs)
    np.testing.assert_allclose(counts.transitions.sum(), len(obs) - 1, rtol=1e-10)
    np.testing.assert_allclose(counts.emissions.sum(), len(obs), rtol=1e-10)


# ----------------------------------------------------------- the plain loops of nnbook.seq.hmm
@pytest.mark.parametrize("seed", [0, 1])
def test_equals_plain_loops(seed):
    pi, A, B = random_model(6, 8, seed)
    obs, _ = hmm.sample(pi, A, B, 1500, random_state=seed)
    log_alpha, log_lik = hmm.forward_log(pi, A, B, obs)
    np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B, obs), log_lik, rtol=1e-12)
    np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B, obs), hmm.posterior(pi, A, B, obs), rtol=0, atol=1e-11)
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs)
    ref_path, ref_log_prob = hmm.viterbi(pi, A, B, obs)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-12)
    np.testing.assert_allclose(path_score(pi, A, B, obs, path), ref_log_prob, rtol=1e-12)
    pi1, A1, B1, history = hmm.baum_welch([obs], pi, A, B, n_iter=1)
    ours = blocked_hmm.baum_welch_step(pi, A, B, obs)
    for name, a, b in zip(("pi", "A", "B"), ours[:3], (pi1, A1, B1)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-11, err_msg=name)
    np.testing.assert_allclose(ours[3], history[0], rtol=1e-12)


@pytest.mark.parametrize("tiny", [1e-150, 1e-30])
def test_structural_zeros_and_tiny_probabilities(tiny):
    # A left-to-right chain with zeros in A (and in B for the first model); symbol 4 is emitted
    # by every state with probability `tiny`, and we force it every 50 steps: the likelihood
    # drops by 1e-150 (or 1e-30) each time, and rescaling must keep every number exact.
    A = np.array([[0.7, 0.3, 0, 0], [0, 0.8, 0.2, 0], [0, 0, 0.9, 0.1], [0.25, 0, 0, 0.75]])
    if tiny < 1e-100:
        B = np.array([[0.5, 0.5, 0, 0, 0], [0, 0.2, 0.8, 0, 0], [0, 0, 0.3, 0.7, 0], [0.1, 0, 0, 0.9, 0]])
    else:
        B = np.array([[0.5, 0.3, 0.1, 0.1, 0], [0.1, 0.2, 0.6, 0.1, 0], [0.1, 0.1, 0.3, 0.5, 0], [0.1, 0.2, 0.3, 0.4, 0]])
    B[:, :4] *= 1 - tiny
    B[:, 4] = tiny
    pi = np.array([1.0, 0, 0, 0])
    obs, _ = hmm.sample(pi, A, B, 700, random_state=3)
    obs[::50] = 4
    _, log_lik = hmm.forward_log(pi, A, B, obs)
    assert np.isfinite(log_lik) and log_lik < 14 * np.log(tiny)
    for chunk_size in (None, 7, 50):
        np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size), log_lik, rtol=1e-12)
        np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B, obs, chunk_size), hmm.posterior(pi, A, B, obs),
                                   rtol=0, atol=1e-10)
        path, log_prob = blocked_hmm.viterbi(pi, A, B, obs, chunk_size)
        np.testing.assert_allclose(log_prob, hmm.viterbi(pi, A, B, obs)[1], rtol=1e-12)
        pi1, A1, B1, _ = hmm.baum_welch([obs], pi, A, B, n_iter=1)
        for name, ours, ref in zip(("pi", "A", "B"), blocked_hmm.baum_welch_step(pi, A, B, obs, chunk_size), (pi1, A1, B1)):
            np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("seed, stay, chunk_size", [(0, 0.98, 60), (1, 0.99, 40), (0, 1.0, None)])
def test_viterbi_on_slowly_mixing_chains(seed, stay, chunk_size):
    # A sticky chain leaves a few chunks unconverged after the vectorised fix-up round, and a few
    # traced-back paths unmerged: both are then repaired one chunk at a time (these cases were
    # chosen because they do). A chain that never mixes (A = I) falls back to the plain loop.
    rng = np.random.default_rng(seed)
    pi, B = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(6), size=4)
    A = stay * np.eye(4) + (1 - stay) / 4
    obs, _ = hmm.sample(pi, A, B, 6000, random_state=1)
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs, chunk_size)
    ref_path, ref_log_prob = hmm.viterbi(pi, A, B, obs)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-12)
    np.testing.assert_array_equal(path, ref_path)


def test_impossible_sequence():
    pi, A, B = np.array([1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    obs = np.array([0, 0, 1, 0])
    assert blocked_hmm.log_likelihood(pi, A, B, obs) == -np.inf
    assert blocked_hmm.viterbi(pi, A, B, obs)[1] == -np.inf
    with pytest.raises(ValueError, match="probability zero"):
        blocked_hmm.posterior(pi, A, B, obs)


def test_baum_welch_never_decreases_the_likelihood():
    pi, A, B = random_model(3, 4, 11)
    obs, _ = hmm.sample(*random_model(3, 4, 12), 2000, random_state=0)
    history = []
    for _ in range(8):
        pi, A, B, log_lik = blocked_hmm.baum_welch_step(pi, A, B, obs)
        history.append(log_lik)
    assert np.all(np.diff(history) >= -1e-9), np.diff(history)


# --------------------------------------------------- the blocked scan equals the plain loops
def test_viterbi_fixup_does_not_mix_raw_and_normalised_equality():
    # The review's chain: the fix-up took two score vectors for parallel when one entry was
    # equal and the other differed by a constant, and kept a wrong chunk (score -2.7947).
    pi, A, B = np.array([1.0, 0.0]), np.array([[0.55, 0.45], [0.999, 0.001]]), np.array([[1.0], [1.0]])
    obs = np.zeros(7, dtype=int)
    best = hmm.viterbi(pi, A, B, obs)[1]
    np.testing.assert_allclose(best, reference(pi, A, B).decode(obs[:, None])[0], rtol=1e-12)
    np.testing.assert_allclose(best, -2.3985245896540652, rtol=1e-12)
    np.testing.assert_allclose(blocked_hmm.viterbi(pi, A, B, obs)[1], best, rtol=1e-12)
    wrong = []  # several hundred (T, chunk_size) pairs of this chain were wrong
    for T in range(1, 80):
        obs = np.zeros(T, dtype=int)
        best = hmm.viterbi(pi, A, B, obs)[1]
        for chunk_size in (None, *range(1, 14)):
            path, log_prob = blocked_hmm.viterbi(pi, A, B, obs, chunk_size)
            if not (np.isclose(log_prob, best, rtol=1e-12) and np.isclose(path_score(pi, A, B, obs, path), best, rtol=1e-12)):
                wrong.append((T, chunk_size))
    assert not wrong, wrong[:10]


def _row(rng, n, kind, eps):
    """A probability row: 0 random, 1 near-deterministic (1 - eps on one entry), 2 with zeros,
    3 entries spread over 300 orders of magnitude, 4 exactly one-hot."""
    if kind == 1:
        v = np.full(n, eps / max(n - 1, 1))
        v[rng.integers(n)] = 1.0 - eps if n > 1 else 1.0
        return v
    v = rng.dirichlet(np.ones(n))
    if kind == 2:
        v[rng.random(n) < 0.5] = 0.0
    elif kind == 3:
        v = v * 10.0 ** -rng.uniform(0, 300, n)
    elif kind == 4:
        v = np.eye(n)[rng.integers(n)]
    if v.sum() == 0:
        v[rng.integers(n)] = 1.0
    return v / v.sum()


@st.composite
def chains(draw):
    """Random and adversarial chains: near-deterministic rows, zeros, tiny probabilities, and
    observations either sampled (likely) or arbitrary (possibly impossible)."""
    N, M = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    T = draw(st.integers(1, 60))
    kinds = st.integers(0, 4)
    eps = draw(st.sampled_from([1e-3, 1e-12, 1e-200, 1e-300]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pi = _row(rng, N, draw(kinds), eps)
    A = np.stack([_row(rng, N, draw(kinds), eps) for _ in range(N)])
    B = np.stack([_row(rng, M, draw(kinds), eps) for _ in range(N)])
    if draw(st.booleans()):
        obs = hmm.sample(pi, A, B, T, random_state=rng)[0]
    else:
        obs = rng.integers(0, M, T)
    chunk_size = draw(st.one_of(st.none(), st.integers(1, T + 2)))
    return pi, A, B, obs, chunk_size


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(chains())
def test_blocked_scan_equals_the_plain_loops(chain):
    # log-likelihood, posteriors, expected counts and the Viterbi score of nnbook.seq.blocked_hmm equal
    # nnbook.seq.hmm's on any chain and chunk size (paths may differ only on exact ties: scores)
    pi, A, B, obs, chunk_size = chain
    log_lik = hmm.forward_log(pi, A, B, obs)[1]
    ours = blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size)
    if log_lik == -np.inf:
        assert ours == -np.inf
        with pytest.raises(ValueError, match="probability zero"):
            blocked_hmm.posterior(pi, A, B, obs, chunk_size)
    else:
        np.testing.assert_allclose(ours, log_lik, rtol=1e-11, atol=1e-11)
        np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B, obs, chunk_size), hmm.posterior(pi, A, B, obs),
                                   rtol=0, atol=1e-9)
        counts = blocked_hmm.baum_welch_counts(pi, A, B, obs, chunk_size)
        with np.errstate(divide="ignore"):
            _, xi, _ = hmm.expected_counts(np.log(pi), np.log(A), np.log(B[:, obs].T))
        np.testing.assert_allclose(counts.transitions, xi, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(counts.emissions.sum(), len(obs), rtol=1e-12)
    path, log_prob = blocked_hmm.viterbi(pi, A, B, obs, chunk_size)
    best = hmm.viterbi(pi, A, B, obs)[1]
    if best == -np.inf:
        assert log_prob == -np.inf
    else:
        np.testing.assert_allclose(log_prob, best, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(path_score(pi, A, B, obs, path), best, rtol=1e-12, atol=1e-12)


def test_a_state_far_behind_that_becomes_the_only_one_is_kept():
    # State 1 trails by 80 * 23 nats (more than the ~745 a float can hold) and is then the only
    # state that can emit symbol 1: the probability-space passes must not have dropped it.
    pi, A, B = np.array([0.5, 0.5]), np.eye(2), np.array([[1.0, 0.0], [1e-10, 1 - 1e-10]])
    exact = np.log(0.5) + 80 * np.log(1e-10) + np.log1p(-1e-10)  # -1842.76
    for tail in (1, 40):
        obs = np.r_[np.zeros(80, dtype=int), np.ones(tail, dtype=int)]
        expected = exact + (tail - 1) * np.log1p(-1e-10)
        np.testing.assert_allclose(reference(pi, A, B).score(obs[:, None]), expected, rtol=1e-12)
        for chunk_size in (None, 1, 7, 80, 200):
            np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size), expected, rtol=1e-12)
            gamma = blocked_hmm.posterior(pi, A, B, obs, chunk_size)
            np.testing.assert_allclose(gamma, np.tile([0.0, 1.0], (len(obs), 1)), atol=1e-12)
            counts = blocked_hmm.baum_welch_counts(pi, A, B, obs, chunk_size)
            np.testing.assert_allclose(counts.transitions, [[0, 0], [0, len(obs) - 1]], atol=1e-9)
    # the mirror image, for the backward pass: state 0 is the only start, then falls far behind
    B2 = np.array([[1e-10, 1 - 1e-10], [1.0, 0.0]])
    obs = np.r_[1, np.zeros(80, dtype=int)]
    for chunk_size in (None, 1, 9):
        np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B2, obs, chunk_size), exact, rtol=1e-12)
        np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B2, obs, chunk_size), np.tile([1.0, 0.0], (81, 1)), atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_extreme_probabilities_equal_hmmlearn(seed):
    # probabilities down to 1e-300 and exact zeros, on sequences too long for brute force
    rng = np.random.default_rng(seed)
    N, M = 3, 4
    pi = _row(rng, N, 3, 0.0)
    A = np.stack([_row(rng, N, k, 1e-300) for k in (1, 3, 2)])
    B = np.stack([_row(rng, M, k, 1e-300) for k in (3, 1, 3)])
    obs = hmm.sample(pi, A, B, 600, random_state=seed)[0]
    model = reference(pi, A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hmmlearn warns about log(0)
        ref_score, ref_gamma, ref_viterbi = model.score(obs[:, None]), model.predict_proba(obs[:, None]), model.decode(obs[:, None])[0]
    for chunk_size in (None, 5, 64):
        np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size), ref_score, rtol=1e-11)
        np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B, obs, chunk_size), ref_gamma, atol=1e-9)
        np.testing.assert_allclose(blocked_hmm.viterbi(pi, A, B, obs, chunk_size)[1], ref_viterbi, rtol=1e-11)


def test_ordinary_chains_take_the_fast_path(monkeypatch):
    # the exact fallback is only for extreme chains: ordinary ones keep the blocked passes (and
    # so the results the book stores), including chains with structural zeros. (An absorbing
    # state is extreme in this sense: the others fall ever further behind it.)
    def fail(*args, **kwargs):
        raise AssertionError("the exact fallback ran on an ordinary chain")

    monkeypatch.setattr(blocked_hmm, "_exact_forward_backward", fail)
    monkeypatch.setattr(chain, "forward", fail)
    for seed in range(6):
        pi, A, B = random_model(3 + seed, 5 + seed, seed)
        if seed % 2:  # impossible transitions and emissions
            A[0, 1] = A[2, 0] = 0.0
            B[1, 0] = B[0, 2] = 0.0
            A /= A.sum(axis=1, keepdims=True)
            B /= B.sum(axis=1, keepdims=True)
        obs = hmm.sample(pi, A, B, 3000, random_state=seed)[0]
        for chunk_size in (None, 7):
            assert np.isfinite(blocked_hmm.log_likelihood(pi, A, B, obs, chunk_size))
            blocked_hmm.baum_welch_counts(pi, A, B, obs, chunk_size)


# ------------------------------------------------------------------------------ bad input
GOOD = random_model(3, 4, 0)


@pytest.mark.parametrize("fn", [blocked_hmm.log_likelihood, blocked_hmm.viterbi, blocked_hmm.posterior, blocked_hmm.baum_welch_step])
@pytest.mark.parametrize("args, error, message", [
    ((GOOD[0], GOOD[1] * 2, GOOD[2], [0, 1]), ValueError, "rows of A must sum to 1"),
    ((GOOD[0], GOOD[1], -GOOD[2], [0, 1]), ValueError, "B has negative"),
    ((np.full(3, np.nan), GOOD[1], GOOD[2], [0, 1]), ValueError, "pi must be finite"),
    ((GOOD[0], GOOD[1][:2], GOOD[2], [0, 1]), ValueError, "A must have shape"),
    ((GOOD[0], GOOD[1], GOOD[2], [0, 4]), ValueError, r"obs must hold labels in \[0, 4\), got \[4\]"),
    ((GOOD[0], GOOD[1], GOOD[2], []), ValueError, "obs is empty"),
    ((GOOD[0], GOOD[1], GOOD[2], np.array([], dtype=int)), ValueError, "obs is empty"),
    ((GOOD[0], GOOD[1], GOOD[2], [0.0, 1.0]), TypeError, "obs must hold ints"),
    ((GOOD[0], GOOD[1], GOOD[2], [[0, 1]]), ValueError, "obs must be 1-D"),
    ((["a", "b", "c"], GOOD[1], GOOD[2], [0, 1]), TypeError, "pi must hold real numbers"),
])
def test_bad_input_is_rejected_with_a_clear_message(fn, args, error, message):
    with pytest.raises(error, match=message):
        fn(*args)


@pytest.mark.parametrize("chunk_size, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                               (True, TypeError), ("4", TypeError)])
def test_bad_chunk_size(chunk_size, error):
    with pytest.raises(error, match="chunk_size"):
        blocked_hmm.viterbi(*GOOD, [0, 1, 2], chunk_size=chunk_size)
