r"""Graders for chapter 6 (sequence models), ``book/ch6-sequence-models/08-exercises``.

Conventions are the chapter's (``nnbook.seq.chain``): log-probabilities, states indexed
``0..N-1``, ``log_trans[i, j] = log P(next state j | state i)``; an HMM is ``(pi, A, B)``
with ``A[i, j]`` = :math:`a_{ij} = P(s_{t+1} = j \mid s_t = i)` and ``B[j, k]`` =
:math:`b_j(k)` (``nnbook.seq.hmm``). Every reference is computed by the package
(``mixture.coin_em``, ``hmm.forward_log``, ``chain.forward``) or directly by NumPy/SciPy,
never from the reader's own formula.
"""
from __future__ import annotations

import numpy as np
from scipy.special import softmax
from scipy.stats import binom

from nnbook.exercises.grading import NotYet, compare, grader, matches
from nnbook.seq import chain, hmm
from nnbook.seq import mixture as mx


@grader("ch6.viterbi_step", "one step of the Viterbi recursion", n_cases=5)
def viterbi_step(answer, rng):
    """``answer(log_delta, log_trans, log_emit_t) -> (new_log_delta, backpointer)`` with
    ``new[j] = max_i (log_delta[i] + log_trans[i, j]) + log_emit_t[j]`` and
    ``backpointer[j]`` the maximising ``i``."""
    for case in range(5):
        n = int(rng.integers(2, 6)) if case else 3
        log_delta = rng.normal(size=n) - 3.0
        log_trans = np.log(rng.dirichlet(np.ones(n), size=n))
        log_emit_t = np.log(rng.uniform(0.05, 1.0, size=n))
        scores = log_delta[:, None] + log_trans
        result = answer(log_delta, log_trans, log_emit_t)
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two arrays: (new_log_delta, backpointer)")
        new, back = result
        if np.allclose(np.asarray(new, float), scores.max(axis=1) + log_emit_t):
            raise NotYet("new_log_delta maximises over the wrong axis: the maximum runs over the previous "
                         "state i, the rows of log_trans")
        compare("new_log_delta", new, scores.max(axis=0) + log_emit_t)
        back = np.asarray(back)
        if back.shape != (n,) or not np.issubdtype(back.dtype, np.integer):
            raise NotYet(f"backpointer must be an int array of shape ({n},), got {back.dtype} {back.shape}")
        if not np.array_equal(back, scores.argmax(axis=0)):
            raise NotYet("backpointer must hold, for each state j, the previous state i that maximises "
                         "log_delta[i] + log_trans[i, j]")


# --------------------------------------------------------------------------- EM, two coins


def _coin_resp(heads, n_tosses, theta):
    """Responsibilities :math:`r_{nk}` of equally likely coins, in log space (scipy's binomial)."""
    return softmax(binom.logpmf(heads[:, None], n_tosses, theta[None, :]), axis=1)


@grader("ch6.coin_em_step", "one EM step for a mixture of coins", n_cases=5)
def coin_em_step(answer, rng):
    r"""``answer(heads, n_tosses, theta) -> (resp, new_theta)``: one EM update of K equally likely coins.

    E step :math:`r_{nk} = \theta_k^{h_n}(1-\theta_k)^{m-h_n} / \sum_{k'}\theta_{k'}^{h_n}(1-\theta_{k'})^{m-h_n}`,
    M step :math:`\theta_k' = \sum_n r_{nk} h_n / (m\sum_n r_{nk})` (``mixture.coin_em``, page
    01-em; :cite:t:`do2008`). ``heads`` (n_sets,) ints, ``n_tosses`` = m an int, ``theta`` (K,).
    The last case has m = 3000 tosses per set, where the probabilities themselves underflow.
    """
    for case in range(5):
        K = 3 if case == 0 else int(rng.integers(2, 5))
        n_sets = 5 if case == 0 else int(rng.integers(K + 1, 9))
        n_tosses = 3000 if case == 4 else int(rng.integers(5, 21))
        theta = np.sort(rng.uniform(0.15, 0.85, size=K))
        coins = rng.permutation(np.arange(n_sets) % K)  # every coin tossed at least once
        heads = rng.binomial(n_tosses, theta[coins])
        resp = _coin_resp(heads, n_tosses, theta)
        new_theta = mx.coin_em(heads, n_tosses, theta, n_iter=1)[0][1]
        with np.errstate(all="ignore"):
            result = answer(heads.copy(), n_tosses, theta.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two arrays: (resp, new_theta)")
        got_resp, got_theta = result
        try:
            r = np.asarray(got_resp, dtype=float)
        except (TypeError, ValueError):
            r = None
        if r is not None and r.shape == resp.shape:
            if np.isnan(r).any() and case == 4:
                raise NotYet(f"resp contains NaN for {n_tosses} tosses per set: theta**heads underflows to 0 "
                             "there; compute each coin's log-likelihood and normalise in log space")
            if matches(r, _coin_resp(heads, n_tosses, 1 - theta)):
                raise NotYet("resp looks computed with heads and tails swapped: theta[k] is coin k's "
                             "probability of heads")
            rows = r.sum(axis=1)
            if not np.isnan(r).any() and not np.allclose(rows, 1.0):
                if np.allclose(r.sum(axis=0), 1.0):
                    raise NotYet("resp is normalised over the wrong axis: each row (one set of tosses) must "
                                 "sum to 1 over the coins, not each column over the sets")
                raise NotYet(f"each row of resp must sum to 1 over the coins, got row sums {np.round(rows, 3)}")
        compare("resp", got_resp, resp)
        if matches(got_theta, n_tosses * new_theta):
            raise NotYet("new_theta is n_tosses times too large: a bias is expected heads divided by "
                         "expected tosses")
        with np.errstate(invalid="ignore", divide="ignore"):
            hard = np.eye(K)[resp.argmax(axis=1)]
            hard_theta = (hard * heads[:, None]).sum(0) / (n_tosses * hard.sum(0))
        if not matches(hard_theta, new_theta) and matches(got_theta, hard_theta):
            raise NotYet("new_theta uses hard assignments (each set given to its likeliest coin); EM weighs "
                         "every set by its responsibilities")
        if matches(got_theta, np.full(K, heads.sum() / (n_sets * n_tosses))):
            raise NotYet("new_theta gives every coin the overall fraction of heads: the responsibilities "
                         "are missing from the M step")
        compare("new_theta", got_theta, new_theta)


# ---------------------------------------------------------------------- the forward algorithm
@grader("ch6.forward_log_likelihood", "the HMM log-likelihood by the forward algorithm", n_cases=5)
def forward_log_likelihood(answer, rng):
    r"""``answer(pi, A, B, obs) -> log P(O | lambda)``, a float.

    :math:`\alpha_1(j) = \pi_j b_j(o_1)`, :math:`\alpha_t(j) = [\sum_i\alpha_{t-1}(i)a_{ij}]\,b_j(o_t)`,
    :math:`\log P(O\mid\lambda) = \log\sum_j\alpha_T(j)` (Rabiner 1989, eq. 19--21; page 02), the
    reference being ``hmm.forward_log``. Case 0 has N = 2 states and M = 3 symbols (a transposed
    ``B`` fails loudly); the last case has T = 2000 observations, whose probability underflows.
    """
    for case in range(5):
        if case == 0:
            N, M, T = 2, 3, 6
        else:
            N, M = int(rng.integers(2, 5)), int(rng.integers(2, 7))
            T = 2000 if case == 4 else int(rng.integers(3, 31))
        pi = rng.dirichlet(np.ones(N))
        A = rng.dirichlet(np.ones(N), size=N) * 0.6 + 0.4 * np.eye(N)[rng.permutation(N)]  # not symmetric
        B = rng.dirichlet(np.ones(M), size=N)
        obs = rng.integers(0, M, size=T)
        expected = hmm.forward_log(pi, A, B, obs)[1]
        with np.errstate(all="ignore"):
            got = answer(pi.copy(), A.copy(), B.copy(), obs.copy())
        try:
            value = float(np.asarray(got, dtype=float).reshape(-1)[0]) if np.size(got) == 1 else None
        except (TypeError, ValueError):
            value = None
        if value is not None:
            log_pi, log_A, log_emit = np.log(pi), np.log(A), np.log(B[:, obs].T)
            if T >= 1000 and (value == -np.inf or value == 0.0):
                raise NotYet(f"for T = {T} observations you return {value}: the product of probabilities "
                             "underflowed (it is far below 1e-308); keep log alpha and sum with a log-sum-exp")
            if np.isclose(value, np.exp(expected), rtol=1e-6, atol=1e-300) and not np.isclose(value, expected):
                raise NotYet("return the log-likelihood log P(O), not the probability P(O)")
            if np.isclose(value, chain.forward(log_pi, log_A.T, log_emit)[1], rtol=1e-8):
                raise NotYet("A is used the wrong way round: A[i, j] is P(next state j | state i), so "
                             "alpha_t(j) sums over the previous state i, down column j of A")
            if np.isclose(value, chain.viterbi(log_pi, log_A, log_emit)[1], rtol=1e-8):
                raise NotYet("that is the log-probability of the best path (a max over paths); P(O) sums "
                             "over all paths")
            if np.isclose(value, chain.forward(np.zeros(N), log_A, log_emit)[1], rtol=1e-8):
                raise NotYet("the start probabilities pi are missing from alpha_1")
            no_first = np.vstack([np.zeros((1, N)), log_emit[1:]])
            if np.isclose(value, chain.forward(log_pi, log_A, no_first)[1], rtol=1e-8):
                raise NotYet("the emission of the first observation, b_j(o_1), is missing from alpha_1")
        compare("the log-likelihood", got, expected, rtol=1e-8)
