"""Bad input to the chain engine and its layers (nnbook.seq.chain, hmm, blocked_hmm, crf): every
public callable, one argument at a time replaced by a value from a family of bad values of its kind,
must raise ``ValueError``/``TypeError`` naming that argument -- never return a result. Good inputs
keep working (and the three HMM engines agree on them)."""
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from nnbook.seq import blocked_hmm, chain, crf, hmm

pytestmark = pytest.mark.ch6

PI, A, B = np.array([0.6, 0.4]), np.array([[0.7, 0.3], [0.4, 0.6]]), np.array([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
OBS = np.array([0, 1, 2, 2])
LOG_START, LOG_TRANS, LOG_EMIT = np.log(PI), np.log(A), np.log(B[:, OBS].T)
PACKING = chain.Packing([3, 1])
EMIT, TRANS = np.arange(8.0).reshape(4, 2) / 8, np.array([[0.1, -0.2], [0.3, 0.0]])
X = sparse.csr_matrix(np.eye(4, 3))
Y = np.array([0, 1, 1, 0])
THETA = np.zeros(3 * 2 + 4)

# ---------------------------------------------------------------- families of bad values
def text():
    return st.sampled_from(["abc", "1", ""])


def bad_array(ndim, shape):
    """Arrays of the wrong kind, dimension, size, or with NaN/inf; strings, None, complex, bools."""
    def filled(value):
        return np.full(shape, value)
    return st.one_of(
        text(), st.none(), st.just({"a": 1}),
        st.sampled_from([np.nan, np.inf, -np.inf]).map(filled),
        st.just(filled(0.5).astype(complex)), st.just(filled(True)), st.just(np.full(shape, "x")),
        st.just(np.zeros((0,) * ndim)), st.just(np.zeros(shape + (2,))),
        st.just(np.zeros(shape[:-1]) if ndim > 1 else np.zeros((1, 1, 1))),
    )


def bad_probabilities(ndim, shape):
    """Also: rows that do not sum to one, negative entries, the wrong number of states."""
    def scaled(f):
        return (np.full(shape, 1.0 / shape[-1]) * f)
    negative = np.full(shape, 1.0 / shape[-1])
    negative[..., 0] += 1.0
    negative[..., -1] -= 1.0
    return st.one_of(bad_array(ndim, shape), st.floats(0.0, 0.95).map(scaled), st.floats(1.05, 3.0).map(scaled),
                     st.just(negative), st.just(np.full(tuple(s + 1 for s in shape), 1.0 / (shape[-1] + 1))))


def bad_labels(n):
    """Labels out of range, floats (even integral ones), bools, 2-D, empty, strings."""
    return st.one_of(
        st.lists(st.integers(n, 10**6), min_size=1, max_size=4), st.lists(st.integers(-10**6, -1), min_size=1, max_size=4),
        st.just([0.0, 1.0]), st.just([0.7]), st.just([True, False]), st.just([[0, 1]]), st.just([]), text(), st.none(),
    )


def bad_log_array(shape):
    """NaN or +inf anywhere, the wrong shape, non-numbers, empty."""
    def with_value(value):
        a = np.zeros(shape)
        a.flat[-1] = value
        return a
    return st.one_of(st.sampled_from([np.nan, np.inf]).map(with_value), text(), st.none(),
                     st.just(np.zeros(shape, dtype=complex)), st.just(np.zeros(shape, dtype=bool)),
                     st.just(np.zeros(tuple(s + 1 for s in shape))), st.just(np.zeros((0,) * len(shape))),
                     st.just(np.zeros(shape + (1,))))


def bad_int(low=1):
    return st.one_of(st.integers(-10**6, low - 1), st.floats(0.5, 9.5).filter(lambda f: not f.is_integer()),
                     st.just(2.0), st.just(True), text(), st.just(np.nan), st.just(1 + 2j))


def bad_number(low=None):
    values = [st.just(np.nan), text(), st.just(True), st.just(1 + 2j), st.none()]
    if low is not None:
        values.append(st.floats(-1e6, low, exclude_max=True))
    return st.one_of(*values)


BAD = {
    "pi": bad_probabilities(1, (2,)), "A": bad_probabilities(2, (2, 2)), "B": bad_probabilities(2, (2, 3)),
    "obs": bad_labels(3), "states": bad_labels(2), "y": bad_labels(2),
    "end": st.one_of(bad_array(1, (2,)), st.just(np.array([-1.0, 1.0])), st.just(np.zeros(2)), st.just(np.ones(3))),
    "n_steps": bad_int(), "chunk_size": bad_int(), "max_paths": bad_int(), "n_iter": bad_int(0), "n_states": bad_int(),
    "n_symbols": bad_int(), "n_labels": bad_int(), "n_attributes": bad_int(), "block": bad_int(),
    "alpha": bad_number(0.0), "c2": bad_number(0.0), "tol": st.one_of(st.just(np.nan), text(), st.just(1j)),
    "random_state": st.one_of(st.integers(-10**6, -1), text(), st.just(2.5), st.just(True)),
    "update": st.one_of(st.sampled_from(["xyz", "q", "S"]), st.just(3), st.none()),
    "per_step": st.one_of(st.just(1), st.just("yes"), st.none()),
    "log_start": bad_log_array((2,)), "log_trans": bad_log_array((2, 2)), "log_emit": bad_log_array((4, 2)),
    "log_end": bad_log_array((2,)),
    "emit": bad_log_array((4, 2)), "trans": bad_log_array((2, 2)),
    "packing": st.one_of(st.just([3, 1]), st.none(), st.just(np.array([3, 1]))),
    "lengths": st.one_of(st.just([2.5]), st.just([True]), st.just([3, 0]), st.just([-1]), st.just([]), st.just([[1, 2]]),
                         text(), st.none()),
    "obs_seqs": st.one_of(st.just([]), st.just([[0, 5]]), st.just([[0.5, 1.0]]), st.just("abc"), st.none(), st.just([[]])),
    "state_seqs": st.one_of(st.just([]), st.just([[0, 7]]), st.just([[0.0, 1.0]]), st.just([[0], [1]]), st.none()),
    "theta": st.one_of(st.just(np.zeros(5)), st.just(np.full(10, np.nan)), text(), st.just(np.zeros((10, 1)))),
    "theta_state": st.one_of(st.just(np.zeros(5)), st.just(np.full(6, np.inf)), text()),
    "X": st.one_of(st.just(sparse.csr_matrix(np.full((4, 3), np.nan))), st.just(np.zeros((3, 3))), text(),
                   st.just(sparse.csr_matrix(np.zeros((5, 3))))),
    "empirical": st.one_of(st.just(np.zeros(3)), st.just(np.full(10, np.nan))),
    "state_pairs": st.one_of(st.just((np.array([0]), np.array([5]))), st.just((np.array([7]), np.array([0]))),
                             st.just((np.array([0, 1]), np.array([0]))), st.just("ab"), st.just((np.array([0.5]), np.array([0])))),
}

#: (callable, good keyword arguments): each argument named here is replaced in turn.
CALLS = {
    "chain.forward": (chain.forward, dict(log_start=LOG_START, log_trans=LOG_TRANS, log_emit=LOG_EMIT)),
    "chain.backward": (chain.backward, dict(log_trans=LOG_TRANS, log_emit=LOG_EMIT)),
    "chain.marginals": (chain.marginals, dict(log_start=LOG_START, log_trans=LOG_TRANS, log_emit=LOG_EMIT, per_step=False, block=10)),
    "chain.viterbi": (chain.viterbi, dict(log_start=LOG_START, log_trans=LOG_TRANS, log_emit=LOG_EMIT, log_end=np.zeros(2))),
    "chain.Packing": (chain.Packing, dict(lengths=[3, 1])),
    "chain.forward_backward_packed": (chain.forward_backward_packed, dict(log_start=LOG_START, log_trans=LOG_TRANS,
                                                                          log_emit=LOG_EMIT, packing=PACKING)),
    "chain.viterbi_packed": (chain.viterbi_packed, dict(log_start=LOG_START, log_trans=LOG_TRANS, log_emit=LOG_EMIT, packing=PACKING)),
    "hmm.check_params": (hmm.check_params, dict(pi=PI, A=A, B=B)),
    "hmm.log_potentials": (hmm.log_potentials, dict(pi=PI, A=A, B=B, obs=OBS)),
    "hmm.forward_log": (hmm.forward_log, dict(pi=PI, A=A, B=B, obs=OBS)),
    "hmm.backward_log": (hmm.backward_log, dict(A=A, B=B, obs=OBS)),
    "hmm.posterior": (hmm.posterior, dict(pi=PI, A=A, B=B, obs=OBS)),
    "hmm.viterbi": (hmm.viterbi, dict(pi=PI, A=A, B=B, obs=OBS, end=np.ones(2))),
    "hmm.greedy_decode": (hmm.greedy_decode, dict(pi=PI, A=A, B=B, obs=OBS)),
    "hmm.posterior_decode": (hmm.posterior_decode, dict(pi=PI, A=A, B=B, obs=OBS)),
    "hmm.path_log_prob": (hmm.path_log_prob, dict(pi=PI, A=A, B=B, obs=OBS, states=[0, 0, 1, 1])),
    "hmm.brute_force": (hmm.brute_force, dict(pi=PI, A=A, B=B, obs=OBS, max_paths=100)),
    "hmm.expected_counts": (hmm.expected_counts, dict(log_start=LOG_START, log_trans=LOG_TRANS, log_emit=LOG_EMIT)),
    "hmm.supervised_mle": (hmm.supervised_mle, dict(obs_seqs=[OBS], state_seqs=[[0, 0, 1, 1]], n_states=2, n_symbols=3, alpha=0.5)),
    "hmm.baum_welch": (hmm.baum_welch, dict(obs_seqs=[OBS], pi=PI, A=A, B=B, n_iter=1, tol=0.0, update="ste")),
    "hmm.sample": (hmm.sample, dict(pi=PI, A=A, B=B, n_steps=5, random_state=0)),
    **{f"blocked_hmm.{fn.__name__}": (fn, dict(pi=PI, A=A, B=B, obs=OBS, chunk_size=2))
       for fn in (blocked_hmm.log_likelihood, blocked_hmm.posterior, blocked_hmm.viterbi,
                  blocked_hmm.baum_welch_counts, blocked_hmm.baum_welch_step)},
    "crf.log_partition": (crf.log_partition, dict(emit=EMIT, trans=TRANS)),
    "crf.marginals": (crf.marginals, dict(emit=EMIT, trans=TRANS)),
    "crf.viterbi": (crf.viterbi, dict(emit=EMIT, trans=TRANS)),
    "crf.sequence_score": (crf.sequence_score, dict(emit=EMIT, trans=TRANS, y=Y)),
    "crf.brute_force": (crf.brute_force, dict(emit=EMIT, trans=TRANS, max_paths=100)),
    "crf.forward_backward_packed": (crf.forward_backward_packed, dict(emit=EMIT, trans=TRANS, packing=PACKING)),
    "crf.viterbi_packed": (crf.viterbi_packed, dict(emit=EMIT, trans=TRANS, packing=PACKING)),
    "crf.state_weights": (crf.state_weights, dict(theta_state=np.zeros(6), n_attributes=3, n_labels=2, state_pairs=None)),
    "crf.empirical_counts": (crf.empirical_counts, dict(X=X, y=Y, packing=PACKING, n_labels=2, state_pairs=None)),
    "crf.objective_and_gradient": (crf.objective_and_gradient, dict(theta=THETA, X=X, y=Y, packing=PACKING, n_labels=2,
                                                                    c2=0.1, empirical=None, state_pairs=None)),
}
CASES = [(name, arg) for name, (_, kwargs) in CALLS.items() for arg in kwargs if arg in BAD]
#: None is a valid value of these arguments (a default, or "no start score" in the packed engine)
NONE_ALLOWED = {(name, arg) for name, (fn, kwargs) in CALLS.items() for arg, p in
                inspect.signature(fn).parameters.items() if p.default is None}
NONE_ALLOWED |= {("chain.forward_backward_packed", "log_start"), ("chain.viterbi_packed", "log_start")}


@pytest.mark.parametrize("name", CALLS)
def test_good_arguments_work(name):
    fn, kwargs = CALLS[name]
    fn(**kwargs)


@pytest.mark.parametrize("name, arg", CASES, ids=[f"{n}-{a}" for n, a in CASES])
@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_a_bad_argument_is_refused_by_name(name, arg, data):
    fn, kwargs = CALLS[name]
    family = BAD[arg] if (name, arg) not in NONE_ALLOWED else BAD[arg].filter(lambda v: v is not None)
    bad = data.draw(family, label=arg)
    with pytest.raises((ValueError, TypeError), match=arg.replace("[", r"\[")):
        fn(**{**kwargs, arg: bad})


def test_every_argument_of_every_callable_is_covered():
    missing = [f"{name}({arg})" for name, (fn, kwargs) in CALLS.items()
               for arg in inspect.signature(fn).parameters if arg not in BAD]
    assert not missing, missing


# ---------------------------------------------------------------- named hard cases
def test_the_review_cases_raise():
    with pytest.raises(ValueError, match="emit must have one row per packed token"):
        crf.viterbi_packed(np.zeros((5, 2)), np.zeros((2, 2)), chain.Packing([2, 1]))  # was: uninitialised labels
    with pytest.raises(ValueError, match="y must have one label per row of emit"):
        crf.sequence_score(np.zeros((3, 2)), np.zeros((2, 2)), [0, 1])  # was: the score of a prefix
    with pytest.raises(TypeError, match="lengths must hold ints"):
        crf.Packing([2.5])  # was: a sequence of length 2
    with pytest.raises(ValueError, match=r"emit: enumerating 1,073,741,824 labelings.*exceeds the limit of 2,000,000"):
        crf.brute_force(np.zeros((30, 2)), np.zeros((2, 2)))  # was: unbounded
    with pytest.raises(ValueError, match="alpha must be a finite number, got nan"):
        hmm.supervised_mle([OBS], [[0, 0, 1, 1]], 2, 3, alpha=np.nan)  # was: all-zero tables
    with pytest.raises(ValueError, match="update must be a string of the letters"):
        hmm.baum_welch([OBS], PI, A, B, update="xyz")  # was: nothing updated
    with pytest.raises(ValueError, match=r"obs: enumerating 1,073,741,824 paths"):
        hmm.brute_force(PI, A, B, np.zeros(30, dtype=int))


@st.composite
def good_models(draw):
    N, M, T = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pi, A, B = rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), N), rng.dirichlet(np.ones(M), N)
    return pi, A, B, rng.integers(0, M, T)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(good_models())
def test_good_models_give_the_same_answer_everywhere(model):
    pi, A, B, obs = model
    log_lik = hmm.forward_log(pi, A, B, obs)[1]
    np.testing.assert_allclose(blocked_hmm.log_likelihood(pi, A, B, obs), log_lik, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hmm.baum_welch([obs], pi, A, B, n_iter=0)[3][0], log_lik, rtol=1e-12, atol=1e-12)
    if len(obs) <= 8:
        np.testing.assert_allclose(hmm.brute_force(pi, A, B, obs)[0], log_lik, rtol=1e-12, atol=1e-12)
    gamma = hmm.posterior(pi, A, B, obs)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(blocked_hmm.posterior(pi, A, B, obs), gamma, atol=1e-10)
    np.testing.assert_allclose(hmm.viterbi(pi, A, B, obs)[1], blocked_hmm.viterbi(pi, A, B, obs)[1], rtol=1e-12, atol=1e-12)


def test_inputs_that_used_to_return_a_silently_wrong_result_raise():
    # each of these returned a number (or NaNs) before the validation floor
    with pytest.raises(ValueError, match=r"emit must hold finite numbers or -inf, got emit\[0, 0\] = nan"):
        crf.log_partition(np.array([[np.nan, 0.0]]), np.zeros((2, 2)))  # was: log Z = 0
    with pytest.raises(TypeError, match="emit must hold real numbers, got dtype complex128"):
        crf.viterbi(np.zeros((2, 2)) + 1j, np.zeros((2, 2)))  # was: the imaginary part dropped
    with pytest.raises(ValueError, match="every labeling has score -inf"):
        crf.marginals(np.full((2, 2), -np.inf), np.zeros((2, 2)))  # was: NaN marginals
    with pytest.raises(ValueError, match="end must be 2 non-negative weights, not all 0"):
        hmm.viterbi(PI, A, B, [0, 1], end=[0.0, 0.0])  # was: a path of probability 0
    with pytest.raises(ValueError, match="tol must be a finite number, got nan"):
        hmm.baum_welch([OBS], PI, A, B, n_iter=2, tol=np.nan)  # was: tol ignored
    with pytest.raises(ValueError, match=r"c2 must be >= 0\.0, got -1\.0"):
        crf.objective_and_gradient(THETA, X, Y, PACKING, 2, -1.0)  # was: a non-convex objective
    with pytest.raises(ValueError, match=r"X must have one row per packed token \(4\), got shape \(5, 3\)"):
        crf.empirical_counts(sparse.csr_matrix(np.eye(5, 3)), np.array([0, 1, 1, 0, 1]), PACKING, 2)  # was: counts
