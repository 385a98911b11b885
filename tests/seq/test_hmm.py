"""nnbook.seq.hmm against brute-force enumeration, hmmlearn and textbook numbers."""
import itertools
import warnings

import numpy as np
import pytest

from nnbook.seq import chain, hmm
from nnbook.seq.hmm_estimator import CategoricalHMM

from hmm_cases import random_model, reference, ten_iteration_case

pytestmark = pytest.mark.ch6


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


@pytest.mark.parametrize("seed", range(3))
def test_baum_welch_equals_hmmlearn_fit_after_ten_iterations(seed):
    seqs, lengths, init = ten_iteration_case(seed)
    N, M = init[2].shape
    pi, A, B, history = hmm.baum_welch(seqs, *init, n_iter=10)
    ref = reference(*init, n_iter=10, tol=-np.inf)  # tol=-inf: no early stop, exactly 10 updates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(np.concatenate(seqs)[:, None], lengths)
    for ours, theirs in ((pi, ref.startprob_), (A, ref.transmat_), (B, ref.emissionprob_)):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    np.testing.assert_allclose(history[:-1], ref.monitor_.history, rtol=1e-10)
    # the estimator gives the same result
    est = CategoricalHMM(N, M, n_iter=10, tol=None, init_params="")  # None: no early stop
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
    X, states = CategoricalHMM(3, 4, random_state=0).fit(o1[:, None]).sample(50)
    assert X.shape == (50, 1) and states.shape == (50,)


# ------------------------------------------------------------------------- validation
GOOD = (np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.5, 0.5], [0.1, 0.9]]))


@pytest.mark.parametrize(
    "which, value, message",
    [
        (1, np.array([[0.9, 0.2], [0.2, 0.8]]), r"rows of A must sum to 1, got sums \[1\.1 +1\. *\]"),
        (2, np.array([[0.5, 0.4], [0.1, 0.9]]), r"rows of B must sum to 1, got sums \[0\.9 +1\. *\]"),
        (0, np.array([0.2, 0.2]), r"pi must sum to 1, got sums \[0\.4\]"),
        (1, np.array([[1.1, -0.1], [0.2, 0.8]]), r"A has negative probabilities, e.g. A\[0, 1\] = -0.1"),
        (1, np.array([[0.9, np.nan], [0.2, 0.8]]), r"A must be finite, got A\[0, 1\] = nan"),
        (1, np.array([[1.0]]), r"A must have shape \(N, N\) = \(2, 2\)"),
    ],
)
def test_bad_parameters_raise(which, value, message):
    params = list(GOOD)
    params[which] = value
    with pytest.raises(ValueError, match=message):
        hmm.forward_log(*params, [0, 1])


def test_bad_observations_raise():
    with pytest.raises(ValueError, match=r"obs must hold labels in \[0, 2\), got \[2, 5\]"):
        hmm.viterbi(*GOOD, [0, 2, 5])
    with pytest.raises(ValueError, match="obs is empty"):
        hmm.forward_log(*GOOD, [])
    with pytest.raises(ValueError, match="obs is empty"):
        hmm.backward_log(GOOD[1], GOOD[2], np.array([], dtype=int))
    with pytest.raises(TypeError, match="obs must hold ints"):
        hmm.posterior(*GOOD, [0.0, 1.0])
    with pytest.raises(ValueError, match="obs must be 1-D"):
        hmm.forward_log(*GOOD, [[0, 1]])
    with pytest.raises(TypeError, match="pi must hold real numbers"):
        hmm.forward_log(["a", "b"], *GOOD[1:], [0])


def test_estimator_input_checks():
    model = CategoricalHMM(2, 2)
    with pytest.raises(ValueError, match="not fitted"):
        model.score(np.zeros((3, 1), dtype=int))
    with pytest.raises(ValueError, match="lengths sum to 4 but X has 3 samples"):
        model.fit(np.zeros((3, 1), dtype=int), lengths=[2, 2])
    with pytest.raises(ValueError, match="obs_seqs and state_seqs must have the same length, got 1 and 2"):
        hmm.supervised_mle([np.array([0])], [np.array([0]), np.array([1])], 2, 2)


def test_baum_welch_rejects_an_impossible_sequence():
    pi, A, B = np.array([1.0, 0.0]), np.eye(2), np.eye(2)
    with pytest.raises(ValueError, match="probability 0 under the current model"):
        hmm.baum_welch([np.array([0, 1])], pi, A, B, n_iter=2)


# ------------------------------------------------------------------ any dynamic range
def extreme_model(rng, N, M):
    """Rows with exact zeros and probabilities spread down to 1e-300."""
    def row(n):
        v = rng.dirichlet(np.ones(n)) * 10.0 ** -rng.uniform(0, 300, n)
        v[rng.random(n) < 0.3] = 0.0
        if v.sum() == 0:
            v[rng.integers(n)] = 1.0
        return v / v.sum()
    return row(N), np.stack([row(N) for _ in range(N)]), np.stack([row(M) for _ in range(N)])


def enumerated(pi, A, B, obs):
    """Brute-force log P(O), gamma (T, N) and sum_t xi_t (N, N) over all N**T paths."""
    T, N = len(obs), len(pi)
    paths = np.array(np.meshgrid(*[range(N)] * T, indexing="ij")).reshape(T, -1).T
    with np.errstate(divide="ignore"):
        scores = (np.log(pi)[paths[:, 0]] + np.log(A)[paths[:, :-1], paths[:, 1:]].sum(1)
                  + np.log(B)[paths, obs].sum(1))
    log_lik = hmm.brute_force(pi, A, B, obs)[0]
    if not np.isfinite(log_lik):
        return log_lik, None, None
    p = np.exp(scores - log_lik)
    gamma = np.stack([np.bincount(paths[:, t], weights=p, minlength=N) for t in range(T)])
    xi = np.zeros((N, N))
    for t in range(1, T):
        np.add.at(xi, (paths[:, t - 1], paths[:, t]), p)
    return log_lik, gamma, xi


def test_a_state_far_behind_that_becomes_the_only_one_is_kept():
    # State 1 trails by 80 * 23 = 1842 nats (a float holds ~745), then is the only state that
    # can emit symbol 1. The review found -inf here, and "probability 0" from posterior/baum_welch.
    pi, A, B = np.array([0.5, 0.5]), np.eye(2), np.array([[1.0, 0.0], [1e-10, 1 - 1e-10]])
    obs = np.r_[np.zeros(80, dtype=int), 1]
    exact = np.log(0.5) + 80 * np.log(1e-10) + np.log1p(-1e-10)  # -1842.76
    ref = reference(pi, A, B)
    np.testing.assert_allclose(ref.score(obs[:, None]), exact, rtol=1e-12)
    log_alpha, log_lik = hmm.forward_log(pi, A, B, obs)
    np.testing.assert_allclose(log_lik, exact, rtol=1e-12)
    np.testing.assert_allclose(log_alpha[-2, 1], np.log(0.5) + 80 * np.log(1e-10), rtol=1e-12)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), np.tile([0.0, 1.0], (81, 1)), atol=1e-12)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), ref.predict_proba(obs[:, None]), atol=1e-12)
    np.testing.assert_allclose(hmm.viterbi(pi, A, B, obs)[1], exact, rtol=1e-12)
    pi1, A1, B1, history = hmm.baum_welch([obs], pi, A, B, n_iter=1)
    np.testing.assert_allclose(history[0], exact, rtol=1e-12)
    np.testing.assert_allclose(pi1, [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(B1[1], [80 / 81, 1 / 81], rtol=1e-10)  # (exp of sums near -1842: ~1e-13 each)
    # the backward pass: the mirror image (state 0 is the only start, then falls far behind)
    B2 = np.array([[1e-10, 1 - 1e-10], [1.0, 0.0]])
    obs2 = np.r_[1, np.zeros(80, dtype=int)]
    np.testing.assert_allclose(hmm.backward_log(A, B2, obs2)[0], [80 * np.log(1e-10), 0.0], rtol=1e-12)
    np.testing.assert_allclose(hmm.forward_log(pi, A, B2, obs2)[1], exact, rtol=1e-12)
    np.testing.assert_allclose(hmm.posterior(pi, A, B2, obs2), np.tile([1.0, 0.0], (81, 1)), atol=1e-12)
    assert np.isfinite(hmm.baum_welch([obs2], pi, A, B2, n_iter=2)[3]).all()


def test_a_transition_far_below_the_largest_is_kept():
    # A[0, 1] = 5e-320 is ~735 nats below A[0, 0] = 1: exp(log A - max) is a subnormal with a
    # few bits, or 0. The only path that emits symbol 1 last takes it.
    pi, A, B = np.array([1.0, 0.0]), np.array([[1.0, 5e-320], [0.0, 1.0]]), np.eye(2)
    obs = np.array([0, 0, 0, 1, 1])
    exact = np.log(A[0, 1])
    np.testing.assert_allclose(hmm.brute_force(pi, A, B, obs)[0], exact, rtol=1e-14)
    np.testing.assert_allclose(reference(pi, A, B).score(obs[:, None]), exact, rtol=1e-14)
    np.testing.assert_allclose(hmm.forward_log(pi, A, B, obs)[1], exact, rtol=1e-14)
    np.testing.assert_allclose(hmm.backward_log(A, B, obs)[0, 0], exact, rtol=1e-14)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), B[obs], atol=1e-14)


@pytest.mark.parametrize("seed", range(8))
def test_extreme_probabilities_equal_brute_force(seed):
    # probabilities down to 1e-300 and zeros; both sampled (likely) and arbitrary observations
    rng = np.random.default_rng(400 + seed)
    N, M, T = 2 + seed % 2, 3, 4 + seed % 3
    while True:
        pi, A, B = extreme_model(rng, N, M)
        obs = hmm.sample(pi, A, B, T, random_state=seed)[0] if seed % 2 else rng.integers(0, M, T)
        if np.isfinite(hmm.brute_force(pi, A, B, obs)[0]):
            break
    log_lik, gamma, xi = enumerated(pi, A, B, obs)
    log_alpha, ll = hmm.forward_log(pi, A, B, obs)
    np.testing.assert_allclose(ll, log_lik, rtol=1e-12)
    log_beta = hmm.backward_log(A, B, obs)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(chain.logsumexp(np.log(pi) + np.log(B[:, obs[0]]) + log_beta[0], axis=0), ll, rtol=1e-12)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), gamma, atol=1e-12)
    np.testing.assert_allclose(hmm.viterbi(pi, A, B, obs)[1], hmm.brute_force(pi, A, B, obs)[2], rtol=1e-12)
    # one Baum-Welch update (the packed, scaled forward-backward) equals the enumerated counts
    pi1, A1, B1, history = hmm.baum_welch([obs], pi, A, B, n_iter=1)
    np.testing.assert_allclose(history[0], log_lik, rtol=1e-12)
    np.testing.assert_allclose(pi1, gamma[0], atol=1e-12)
    emit = np.stack([np.bincount(obs, weights=g, minlength=M) for g in gamma.T])
    expected_A = hmm._normalise(xi, A)
    np.testing.assert_allclose(A1, expected_A, atol=1e-10)
    np.testing.assert_allclose(B1, hmm._normalise(emit, B), atol=1e-10)


def adversarial_model(rng, N, M):
    """Rows that are random, near-deterministic (1 - 1e-300), one-hot, with zeros, or spread
    over 300 orders of magnitude: states fall thousands of nats behind and come back."""
    def row(n):
        kind = rng.integers(5)
        v = rng.dirichlet(np.ones(n))
        if kind == 1:
            v = np.full(n, 1e-300)
            v[rng.integers(n)] = 1.0
        elif kind == 2:
            v = np.eye(n)[rng.integers(n)]
        elif kind == 3:
            v[rng.random(n) < 0.5] = 0.0
        elif kind == 4:
            v = v * 10.0 ** -rng.uniform(0, 300, n)
        if v.sum() == 0:
            v[rng.integers(n)] = 1.0
        return v / v.sum()
    return row(N), np.stack([row(N) for _ in range(N)]), np.stack([row(M) for _ in range(N)])


def test_adversarial_chains_equal_brute_force():
    rng = np.random.default_rng(600)
    checked = 0
    for _ in range(400):
        N, M, T = int(rng.integers(2, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 8))
        pi, A, B = adversarial_model(rng, N, M)
        obs = rng.integers(0, M, T)
        log_lik, gamma, xi = enumerated(pi, A, B, obs)
        ll = hmm.forward_log(pi, A, B, obs)[1]
        assert ll == log_lik if not np.isfinite(log_lik) else np.isclose(ll, log_lik, rtol=1e-12, atol=1e-13), (pi, A, B, obs)
        if not np.isfinite(log_lik):
            continue
        checked += 1
        np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), gamma, atol=1e-12)
        with np.errstate(divide="ignore"):
            log_pi, log_A, log_b = np.log(pi), np.log(A), np.log(B[:, obs].T)
        np.testing.assert_allclose(hmm.expected_counts(log_pi, log_A, log_b)[1], xi, atol=1e-12)
        pi1, A1, B1, history = hmm.baum_welch([obs], pi, A, B, n_iter=1)  # the packed engine
        np.testing.assert_allclose(history[0], log_lik, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(pi1, gamma[0], atol=1e-12)
        np.testing.assert_allclose(A1, hmm._normalise(xi, A), atol=1e-10)
    assert checked > 150


def test_a_product_of_a_trailing_state_and_a_tiny_transition_is_kept():
    # state 2 trails by 1e-100 and reaches state 1 (the only one that emits symbol 1) by a
    # transition of 5e-320: the term 5e-420 underflows in probability space
    pi = np.array([1.0, 0.0, 1e-100])
    A = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 5e-320, 1.0]])
    B = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    obs = np.array([0, 1, 1])
    exact = np.log(1e-100) + np.log(A[2, 1])
    np.testing.assert_allclose(hmm.brute_force(pi, A, B, obs)[0], exact, rtol=1e-14)
    np.testing.assert_allclose(reference(pi, A, B).score(obs[:, None]), exact, rtol=1e-12)
    np.testing.assert_allclose(hmm.forward_log(pi, A, B, obs)[1], exact, rtol=1e-14)
    np.testing.assert_allclose(hmm.backward_log(A, B, obs)[0, 2], np.log(A[2, 1]), rtol=1e-14)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), [[0, 0, 1], [0, 1, 0], [0, 1, 0]], atol=1e-14)
    np.testing.assert_allclose(hmm.viterbi(pi, A, B, obs)[1], exact, rtol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_extreme_probabilities_equal_hmmlearn_on_long_sequences(seed):
    rng = np.random.default_rng(500 + seed)
    pi, A, B = extreme_model(rng, 3, 4)
    obs = hmm.sample(pi, A, B, 500, random_state=seed)[0]
    ref = reference(pi, A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hmmlearn warns about log(0)
        score, gamma, (viterbi, _) = ref.score(obs[:, None]), ref.predict_proba(obs[:, None]), ref.decode(obs[:, None])
    np.testing.assert_allclose(hmm.forward_log(pi, A, B, obs)[1], score, rtol=1e-11)
    np.testing.assert_allclose(hmm.posterior(pi, A, B, obs), gamma, atol=1e-10)
    np.testing.assert_allclose(hmm.viterbi(pi, A, B, obs)[1], viterbi, rtol=1e-11)
    np.testing.assert_allclose(hmm.baum_welch([obs], pi, A, B, n_iter=0)[3][0], score, rtol=1e-11)


def test_ordinary_inputs_take_only_the_fast_product(monkeypatch):
    # the log-sum-exp fallback is for entries that would underflow: on ordinary models the
    # engines give bit for bit the plain vector-matrix product (the book stores its results)
    def plain(log_pi, log_A, log_b):
        shift = log_A[np.isfinite(log_A)].max()
        A = np.exp(log_A - shift)
        log_alpha, log_beta = np.empty_like(log_b), np.zeros_like(log_b)
        log_alpha[0] = log_pi + log_b[0]
        for t in range(1, len(log_b)):
            m = log_alpha[t - 1].max()
            log_alpha[t] = np.log(np.exp(log_alpha[t - 1] - m) @ A) + (m + shift) + log_b[t]
        for t in range(len(log_b) - 2, -1, -1):
            v = log_b[t + 1] + log_beta[t + 1]
            log_beta[t] = np.log(A @ np.exp(v - v.max())) + (v.max() + shift)
        return log_alpha, log_beta

    rng = np.random.default_rng(11)
    pi, A, B = random_model(rng, 4, 5)
    seqs = [hmm.sample(pi, A, B, n, random_state=i)[0] for i, n in enumerate([300, 20, 1])]
    for o in seqs:
        log_pi, log_A, log_b = np.log(pi), np.log(A), np.log(B[:, o].T)
        log_alpha, log_beta = plain(log_pi, log_A, log_b)
        np.testing.assert_array_equal(chain.forward(log_pi, log_A, log_b)[0], log_alpha)
        np.testing.assert_array_equal(chain.backward(log_A, log_b), log_beta)

    def fail(*args, **kwargs):
        raise AssertionError("the exact fallback ran on ordinary input")

    monkeypatch.setattr(chain, "marginals", fail)  # nor does Baum-Welch's packed pass redo any
    hmm.baum_welch(seqs, *random_model(rng, 4, 5), n_iter=5)


# --------------------------------------------------------------- options and limits
def test_supervised_mle_rejects_a_bad_alpha():
    o, s = [np.array([0, 1, 1])], [np.array([0, 0, 1])]
    for bad, message in ((np.nan, "alpha must be a finite number, got nan"), (np.inf, "alpha must be a finite number, got inf"),
                         (-1.0, r"alpha must be >= 0\.0, got -1\.0")):
        with pytest.raises(ValueError, match=message):
            hmm.supervised_mle(o, s, 2, 2, alpha=bad)
    with pytest.raises(TypeError, match=r"alpha must be a real number, got str \('1'\)"):
        hmm.supervised_mle(o, s, 2, 2, alpha="1")
    with pytest.raises(ValueError, match="n_states must be an int >= 1, got 0"):
        hmm.supervised_mle(o, s, 0, 2)


def test_unknown_parameter_letters_are_rejected():
    init = GOOD
    message = r"update must be a string of the letters 's' \(start probabilities\), 't' \(transitions\), 'e' \(emissions\).*'xyz'"
    with pytest.raises(ValueError, match=message):
        hmm.baum_welch([np.array([0, 1])], *init, update="xyz")
    with pytest.raises(TypeError, match="update must be a string"):
        hmm.baum_welch([np.array([0, 1])], *init, update=None)
    pi, A, B, _ = hmm.baum_welch([np.array([0, 1])], *init, n_iter=2, update="")  # no letter: nothing updated
    for ours, old in zip((pi, A, B), init):
        np.testing.assert_array_equal(ours, old)


@pytest.mark.parametrize("tol, match", [(-0.5, r"tol must be >= 0.0, got -0.5"), (-np.inf, "tol must be a finite number"),
                                        (np.inf, "tol must be a finite number"), (np.nan, "tol must be a finite number")])
def test_baum_welch_refuses_a_negative_or_infinite_tol(tol, match):
    # a negative tol used to mean "never stop early"; that is tol=None now, as in CategoricalHMM
    pi, A, B = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.7, 0.3], [0.1, 0.9]])
    with pytest.raises(ValueError, match=match):
        hmm.baum_welch([np.array([0, 1, 0])], pi, A, B, n_iter=2, tol=tol)


@pytest.mark.parametrize("seed", range(3))
def test_viterbi_lattice_is_the_max_over_prefixes_and_traces_to_viterbi(seed):
    rng = np.random.default_rng(700 + seed)
    pi, A, B = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), 3), rng.dirichlet(np.ones(4), 3)
    obs = rng.integers(0, 4, 6)
    delta, back = hmm.viterbi_lattice(pi, A, B, obs)
    for t in range(6):  # delta_t(j): the best prefix path ending in j, by enumeration
        for j in range(3):
            best = max(hmm.path_log_prob(pi, A, B, obs[:t + 1], np.array(p + (j,)))
                       for p in itertools.product(range(3), repeat=t))
            np.testing.assert_allclose(delta[t, j], best, rtol=1e-12)
    path, score = hmm.viterbi(pi, A, B, obs)
    traced = [int(np.argmax(delta[-1]))]
    for t in range(5, 0, -1):
        traced.append(int(back[t, traced[-1]]))
    np.testing.assert_array_equal(traced[::-1], path)
    np.testing.assert_allclose(delta[-1].max(), score, rtol=1e-12)
    assert (back[0] == -1).all()
    with pytest.raises(ValueError, match="obs"):
        hmm.viterbi_lattice(pi, A, B, [0, 9])
