"""nnbook.hmm against brute-force enumeration, hmmlearn and textbook numbers."""
import warnings

import numpy as np
import pytest
from hmmlearn.hmm import CategoricalHMM as ReferenceHMM

from nnbook import hmm

pytestmark = pytest.mark.ch6


def random_model(rng, N, M, zeros=False):
    pi, A, B = rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), N), rng.dirichlet(np.ones(M), N)
    if zeros:  # some impossible transitions, still a valid model
        A[0, 1:] = 0.0
        A[0, 0] = 1.0
    return pi, A, B


def reference(pi, A, B, **kwargs):
    ref = ReferenceHMM(n_components=len(pi), n_features=B.shape[1], init_params="", **kwargs)
    ref.startprob_, ref.transmat_, ref.emissionprob_ = pi.copy(), A.copy(), B.copy()
    return ref


# ------------------------------------------------------------------- textbook numbers
def test_wikipedia_viterbi_example():
    # Healthy/Fever, observations normal, cold, dizzy (Wikipedia, "Viterbi algorithm")
    pi, A = np.array([0.6, 0.4]), np.array([[0.7, 0.3], [0.4, 0.6]])
    B = np.array([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
    path, log_prob = hmm.viterbi(pi, A, B, [0, 1, 2])
    np.testing.assert_array_equal(path, [0, 0, 1])
    np.testing.assert_allclose(np.exp(log_prob), 0.01512, rtol=1e-12)
    # P(O) by hand: the sum over the 8 paths
    np.testing.assert_allclose(np.exp(hmm.forward_log(pi, A, B, [0, 1, 2])[1]), 0.03628, rtol=1e-12)


# ------------------------------------------------------------------------ brute force
@pytest.mark.parametrize("seed", range(6))
def test_forward_and_viterbi_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    N, M, T = 2 + seed % 2, 3, 1 + seed
    pi, A, B = random_model(rng, N, M, zeros=seed % 3 == 0)
    obs = rng.integers(0, M, T)
    log_lik, best_path, best_log_prob = hmm.brute_force(pi, A, B, obs)
    log_alpha, ll = hmm.forward_log(pi, A, B, obs)
    np.testing.assert_allclose(ll, log_lik, rtol=1e-12)
    path, log_prob = hmm.viterbi(pi, A, B, obs)
    np.testing.assert_allclose(log_prob, best_log_prob, rtol=1e-12)
    np.testing.assert_allclose(hmm.path_log_prob(pi, A, B, obs, path), best_log_prob, rtol=1e-12)
    # backward gives the same likelihood: sum_i pi_i b_i(o_1) beta_1(i)
    log_beta = hmm.backward_log(A, B, obs)
    np.testing.assert_allclose(np.log(np.sum(pi * B[:, obs[0]] * np.exp(log_beta[0]))), ll, rtol=1e-12)
    # and so does alpha_t . beta_t at every t
    np.testing.assert_allclose(np.log(np.exp(log_alpha + log_beta).sum(1)), ll, rtol=1e-10)


def test_posterior_equals_enumerated_marginals():
    rng = np.random.default_rng(7)
    pi, A, B = random_model(rng, 3, 4)
    obs = rng.integers(0, 4, 6)
    paths = np.array(np.meshgrid(*[range(3)] * 6, indexing="ij")).reshape(6, -1).T
    joint = np.exp([hmm.path_log_prob(pi, A, B, obs, p) for p in paths])
    expected = np.stack([np.bincount(paths[:, t], weights=joint, minlength=3) for t in range(6)]) / joint.sum()
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), expected, rtol=1e-10)


def test_decoders_rank_as_they_should():
    rng = np.random.default_rng(3)
    for _ in range(20):
        pi, A, B = random_model(rng, 3, 3)
        obs = rng.integers(0, 3, 8)
        best = hmm.viterbi(pi, A, B, obs)[1]
        for path in (hmm.greedy_decode(pi, A, B, obs), hmm.posterior_decode(pi, A, B, obs)):
            assert hmm.path_log_prob(pi, A, B, obs, path) <= best + 1e-12


def test_viterbi_end_weights_restrict_the_last_state():
    pi, A = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.1, 0.9]])
    B = np.array([[0.9, 0.1], [0.1, 0.9]])
    assert hmm.viterbi(pi, A, B, [0, 0, 0])[0][-1] == 0
    assert hmm.viterbi(pi, A, B, [0, 0, 0], end=[0.0, 1.0])[0][-1] == 1
    with pytest.raises(ValueError, match="end must be 2 non-negative weights"):
        hmm.viterbi(pi, A, B, [0], end=[-1.0, 1.0])


# ---------------------------------------------------------------------------- hmmlearn
@pytest.mark.parametrize("seed", range(4))
def test_score_decode_predict_proba_equal_hmmlearn(seed):
    rng = np.random.default_rng(100 + seed)
    N, M = 3 + seed % 2, 5
    pi, A, B = random_model(rng, N, M)
    lengths = [30, 1, 17]
    X = np.concatenate([hmm.sample(pi, A, B, n, random_state=seed + i)[0] for i, n in enumerate(lengths)])[:, None]
    ours, ref = hmm.CategoricalHMM(N, M), reference(pi, A, B)
    ours.startprob_, ours.transmat_, ours.emissionprob_ = pi, A, B
    np.testing.assert_allclose(ours.score(X, lengths), ref.score(X, lengths), rtol=1e-10)
    log_prob, states = ours.decode(X, lengths)
    ref_log_prob, ref_states = ref.decode(X, lengths)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-10)
    # the paths may differ only between exact ties (two paths of equal probability)
    splits = np.cumsum(lengths)[:-1]
    for o, ours_path, ref_path in zip(np.split(X[:, 0], splits), np.split(states, splits), np.split(ref_states, splits)):
        np.testing.assert_allclose(hmm.path_log_prob(pi, A, B, o, ours_path), hmm.path_log_prob(pi, A, B, o, ref_path), rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(X, lengths), states)
    np.testing.assert_allclose(ours.predict_proba(X, lengths), ref.predict_proba(X, lengths), atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_baum_welch_equals_hmmlearn_fit_after_ten_iterations(seed):
    rng = np.random.default_rng(200 + seed)
    N, M = 2 + seed, 4
    truth = random_model(rng, N, M)
    lengths = [60, 25, 40]
    seqs = [hmm.sample(*truth, n, random_state=seed * 10 + i)[0] for i, n in enumerate(lengths)]
    init = random_model(rng, N, M)
    pi, A, B, history = hmm.baum_welch(seqs, *init, n_iter=10)
    ref = reference(*init, n_iter=10, tol=-np.inf)  # tol=-inf: no early stop, exactly 10 updates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(np.concatenate(seqs)[:, None], lengths)
    for ours, theirs in ((pi, ref.startprob_), (A, ref.transmat_), (B, ref.emissionprob_)):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    np.testing.assert_allclose(history[:-1], ref.monitor_.history, rtol=1e-10)
    # the estimator gives the same result
    est = hmm.CategoricalHMM(N, M, n_iter=10, tol=-np.inf, init_params="")
    est.startprob_, est.transmat_, est.emissionprob_ = init
    assert est.fit(np.concatenate(seqs)[:, None], lengths) is est
    np.testing.assert_allclose(est.transmat_, ref.transmat_, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_baum_welch_log_likelihood_never_decreases(seed):
    rng = np.random.default_rng(300 + seed)
    truth = random_model(rng, 3, 4)
    seqs = [hmm.sample(*truth, 50, random_state=seed)[0]]
    history = hmm.baum_welch(seqs, *random_model(rng, 3, 4), n_iter=30)[3]
    assert len(history) == 31
    assert np.all(np.diff(history) >= -1e-9), np.diff(history).min()


def test_baum_welch_update_letters_freeze_parameters():
    rng = np.random.default_rng(4)
    init = random_model(rng, 2, 3)
    obs = rng.integers(0, 3, 40)
    pi, A, B, _ = hmm.baum_welch(obs, *init, n_iter=3, update="t")
    np.testing.assert_array_equal(pi, init[0])
    np.testing.assert_array_equal(B, init[2])
    assert not np.allclose(A, init[1])


# --------------------------------------------------------------------- long sequences
def test_hundred_thousand_steps_do_not_underflow():
    rng = np.random.default_rng(5)
    pi, A, B = random_model(rng, 3, 4)
    obs, states = hmm.sample(pi, A, B, 100_000, random_state=5)
    assert np.prod(B[states, obs]) == 0.0  # a product of 100,000 probabilities underflows
    log_alpha, ll = hmm.forward_log(pi, A, B, obs)
    assert np.isfinite(ll) and ll < -50_000
    np.testing.assert_allclose(ll, reference(pi, A, B).score(obs[:, None]), rtol=1e-10)
    path, log_prob = hmm.viterbi(pi, A, B, obs)
    assert np.isfinite(log_prob) and log_prob <= ll
    gamma = hmm.posterior(pi, A, B, obs)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, atol=1e-9)


# ---------------------------------------------------------------- supervised, sampling
def test_supervised_mle_counts_a_tiny_example():
    pi, A, B = hmm.supervised_mle([np.array([0, 1, 1])], [np.array([0, 0, 1])], n_states=2, n_symbols=2)
    np.testing.assert_allclose(pi, [1.0, 0.0])
    np.testing.assert_allclose(A, [[0.5, 0.5], [0.5, 0.5]])  # state 1 never leaves: uniform row
    np.testing.assert_allclose(B, [[0.5, 0.5], [0.0, 1.0]])
    pi, A, B = hmm.supervised_mle([np.array([0, 1, 1])], [np.array([0, 0, 1])], 2, 2, alpha=1.0)
    np.testing.assert_allclose(B, [[0.5, 0.5], [1 / 3, 2 / 3]])


def test_supervised_mle_recovers_the_model_from_many_samples():
    rng = np.random.default_rng(8)
    truth = random_model(rng, 3, 4)
    pairs = [hmm.sample(*truth, 200, random_state=i) for i in range(100)]
    pi, A, B = hmm.supervised_mle([o for o, _ in pairs], [s for _, s in pairs], 3, 4)
    np.testing.assert_allclose(A, truth[1], atol=0.03)
    np.testing.assert_allclose(B, truth[2], atol=0.03)


def test_sample_is_reproducible_and_in_range():
    rng = np.random.default_rng(9)
    pi, A, B = random_model(rng, 3, 4)
    o1, s1 = hmm.sample(pi, A, B, 500, random_state=1)
    o2, s2 = hmm.sample(pi, A, B, 500, random_state=1)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(s1, s2)
    assert o1.min() >= 0 and o1.max() < 4 and s1.max() < 3
    X, states = hmm.CategoricalHMM(3, 4, random_state=0).fit(o1[:, None]).sample(50)
    assert X.shape == (50, 1) and states.shape == (50,)


# ------------------------------------------------------------------------- validation
GOOD = (np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.5, 0.5], [0.1, 0.9]]))


@pytest.mark.parametrize(
    "which, value, message",
    [
        (1, np.array([[0.9, 0.2], [0.2, 0.8]]), r"rows of A must sum to 1, got sums \[1\.1 +1\. *\]"),
        (2, np.array([[0.5, 0.4], [0.1, 0.9]]), r"rows of B must sum to 1, got sums \[0\.9 +1\. *\]"),
        (0, np.array([0.2, 0.2]), r"rows of pi must sum to 1"),
        (1, np.array([[1.1, -0.1], [0.2, 0.8]]), r"A has negative probabilities, e.g. A\[0, 1\] = -0.1"),
        (1, np.array([[0.9, np.nan], [0.2, 0.8]]), r"A contains NaN"),
        (1, np.array([[1.0]]), r"A must have shape \(N, N\) = \(2, 2\)"),
    ],
)
def test_bad_parameters_raise(which, value, message):
    params = list(GOOD)
    params[which] = value
    with pytest.raises(ValueError, match=message):
        hmm.forward_log(*params, [0, 1])


def test_bad_observations_raise():
    with pytest.raises(ValueError, match=r"obs has values outside the alphabet \[0, 2\): \[2 5\]"):
        hmm.viterbi(*GOOD, [0, 2, 5])
    with pytest.raises(ValueError, match="obs is empty"):
        hmm.forward_log(*GOOD, [])
    with pytest.raises(ValueError, match="obs is empty"):
        hmm.backward_log(GOOD[1], GOOD[2], np.array([], dtype=int))
    with pytest.raises(TypeError, match="obs must hold ints"):
        hmm.posterior(*GOOD, [0.0, 1.0])
    with pytest.raises(ValueError, match="obs must be 1-D"):
        hmm.forward_log(*GOOD, [[0, 1]])
    with pytest.raises(TypeError, match="pi must be a real numeric array"):
        hmm.forward_log(["a", "b"], *GOOD[1:], [0])


def test_estimator_input_checks():
    model = hmm.CategoricalHMM(2, 2)
    with pytest.raises(ValueError, match="not fitted"):
        model.score(np.zeros((3, 1), dtype=int))
    with pytest.raises(ValueError, match="lengths sum to 4 but X has 3 samples"):
        model.fit(np.zeros((3, 1), dtype=int), lengths=[2, 2])
    with pytest.raises(ValueError, match="got 1 observation sequences but 2 state sequences"):
        hmm.supervised_mle([np.array([0])], [np.array([0]), np.array([1])], 2, 2)


def test_baum_welch_rejects_an_impossible_sequence():
    pi, A, B = np.array([1.0, 0.0]), np.eye(2), np.eye(2)
    with pytest.raises(ValueError, match="probability 0 under the current model"):
        hmm.baum_welch([np.array([0, 1])], pi, A, B, n_iter=2)
