r"""Fast hidden-Markov-model algorithms in NumPy: the recursion over time as a blocked scan.

The forward recursion :math:`\alpha_t = \alpha_{t-1} A\,\mathrm{diag}(b_t)`, with
:math:`b_t = B_{:,o_t}`, is a product of matrices, and a matrix product is associative. So the
sequence is cut into :math:`K` chunks of :math:`L` steps, the product of each chunk's matrices is
computed for all chunks at once (one matrix product per step, vectorised across chunks), and a
short loop over the :math:`K` chunk products joins them: :math:`L + K` Python steps instead of
:math:`T`. Each chunk product keeps one log-scale per row, so 100,000 steps do not underflow.

Viterbi is the same recursion in the max-plus semiring, which has no BLAS. Instead of chunk
products (:math:`N^3` work per step) it uses *rank convergence*
(Maleki, Musuvathi and Mytkowicz, PPoPP 2014): every chunk starts from a guess; after a few steps
the scores no longer depend on where a chunk started (up to a constant), so a short fix-up from
the true start corrects each chunk. Backtracking is repaired the same way: paths traced back
from two different end states merge after a few steps.

Sum-product runs in probability space, where a state more than ~745 nats behind the others
underflows to zero; should it later become the only possible one, the answer would be wrong. The
passes check that nothing that matters came near underflow (see the comment above ``_mode``) and
otherwise return the exact log-space recursions of the chain engine (:mod:`nnbook.seq.chain`) instead:
the results are exact over any dynamic range, and ordinary chains never take the slow path.

Everything runs in NumPy; matrix products use one BLAS thread (they are small and come once per
step). The plain loops of :mod:`nnbook.seq.hmm` and :mod:`nnbook.seq.chain` (chapter 6,
``book/ch6-sequence-models/``) are the readable reference this module is tested against
(``tests/seq/test_blocked_hmm.py``, with hmmlearn); the
timings are in the appendix "How fast is the code in this book?" (``book/appendix/benchmarks``).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from nnbook._validation import check_int
from nnbook.runtime import one_blas_thread
from nnbook.seq import chain, hmm
from nnbook.seq.chain import SAFE
from nnbook.seq.hmm import check_obs, check_params

__all__ = ["log_likelihood", "viterbi", "posterior", "baum_welch_counts", "baum_welch_step", "Counts"]

_ATOL_PARALLEL = 1e-9  # two normalised Viterbi score vectors closer than this are "the same"
_TINY = np.finfo(np.float64).tiny


class Counts(NamedTuple):
    """Expected sufficient statistics of one E-step of Baum--Welch.

    ``start`` (N,) is :math:`\\gamma_0`; ``transitions`` (N, N) is :math:`\\sum_t \\xi_t`;
    ``emissions`` (N, M) is :math:`\\sum_t \\gamma_t\\,[o_t = m]`; ``log_likelihood`` is
    :math:`\\log p(o_{0:T-1})` under the parameters the counts were computed with.
    """

    start: np.ndarray
    transitions: np.ndarray
    emissions: np.ndarray
    log_likelihood: float


# --------------------------------------------------------------------------- validation
def _check(pi, A, B, obs, chunk_size) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checks of :mod:`nnbook.seq.hmm` (stochastic rows, shapes, symbols), plus ``chunk_size``."""
    pi, A, B = check_params(pi, A, B)
    obs = check_obs(obs, B.shape[1])
    if chunk_size is not None:
        check_int("chunk_size", chunk_size, low=1)
    return pi, A, B, obs


def _layout(obs: np.ndarray, chunk_size: int | None) -> tuple[int, int, int, np.ndarray]:
    r"""Cut time into K chunks of L steps (default :math:`L = \lceil\sqrt T\rceil`, which balances
    the L steps inside the chunks against the K steps that join them); ``pad`` dummy steps
    precede time 0 in chunk 0. Position ``t`` of chunk ``k`` is time ``k * L + t - pad``.
    Returns (K, L, pad, symbols (L, K)).
    """
    T = len(obs)
    L = chunk_size or math.ceil(math.sqrt(T))
    L = min(L, T)
    K = -(-T // L)
    pad = K * L - T
    padded = np.concatenate([np.full(pad, obs[0]), obs])  # a pad symbol with p > 0 keeps the junk finite
    return K, L, pad, np.ascontiguousarray(padded.reshape(K, L).T)


# --------------------------------------------------------------------------- sum-product
# Exactness. Everything below runs in probability space, where a product of probabilities can
# underflow (become 0 or subnormal) while its true value matters: a state that trails the others by
# more than ~745 nats and later becomes the only possible one. The blocked passes therefore keep an
# invariant: every vector entry they store or pass on is either >= SAFE (then the terms lost to
# underflow, each below 1e-308, are a relative error below 1e-25) or an exact zero (an impossible
# state). Where it fails, the functions return the exact log-space loops of nnbook.seq.chain instead, whose
# steps fall back to log-sum-exp where a product would underflow. Ordinary inputs never fail it.
#
# An exact zero is recognised in one of two ways. With no zero in pi, A and the emission
# probabilities of the observed symbols ("positive" chains), every true entry is > 0, so any entry
# below SAFE is a failure. Otherwise, when every nonzero probability is >= _FLOOR, a computed zero is
# exact: each true term is a product of factors >= SAFE / N or >= _FLOOR, far above 5e-324, so it
# cannot round to zero; the entries are then checked at every step. Chains with zeros and some
# probability below _FLOOR go straight to the exact loops.
_FLOOR = 1e-10


def _mode(pi, A, B, obs) -> str | None:
    """``"positive"``, ``"zeros"`` or None (use the exact loops), as described above."""
    used = B[:, np.bincount(obs, minlength=B.shape[1]) > 0]
    parts = (pi, A, used)
    if all(p.min() > 0 for p in parts):
        return "positive"
    if all(_least(p[p > 0]) >= _FLOOR for p in parts):  # (an all-zero part: an impossible sequence)
        return "zeros"
    return None


def _least(x: np.ndarray) -> float:
    """The smallest entry of ``x`` (nan if there is one); ``argmin`` is the cheapest reduction."""
    return x.flat[x.argmin()] if x.size else math.inf


def _below_safe(x: np.ndarray, positive: bool, lo: int = 0) -> bool:
    """Does ``x[..., lo:]`` hold an entry that breaks the invariant: below SAFE, or for a chain
    with zeros, strictly between 0 and SAFE? (``lo`` = 1 skips chunk 0 before time 0.)"""
    if _least(x) >= SAFE:  # the usual case, decided on all of x
        return False
    x = x[..., lo:]
    if positive:
        return not _least(x) >= SAFE  # also catches nan
    return bool(np.any((x > 0) & (x < SAFE)) or np.isnan(x).any())


def _rescale_every(shrink: float) -> int:
    r"""How many steps may pass between two rescalings of a vector whose sum shrinks by at most
    the factor ``shrink`` per step: keep the sum above 1e-100, so that entries down to 1e-208 of
    it stay representable. ``shrink`` = 0 (a zero in B) means rescaling at every step.

    Forward, a step multiplies the sum by :math:`\sum_j (A^\top x)_j b_j \ge \min B` (rows of
    A sum to one); backward by at least :math:`\min B \cdot \min_j \sum_i A_{ij}`.
    """
    return 1 if shrink <= 0 else int(np.clip(100 / -math.log10(min(shrink, 0.1)), 1, 32))


def _chunk_products(A: np.ndarray, b: np.ndarray, pad: int, every: int,
                    positive: bool = True) -> tuple[np.ndarray, np.ndarray, bool]:
    r"""Every chunk's product :math:`\prod_t A\,\mathrm{diag}(b_t) = \mathrm{diag}(e^{c})\,\hat P`.

    ``b`` (N, L, K). Returns ``P`` (N_j, N_i, K), whose column ``P[:, i, k]`` (row ``i`` of the
    chunk's matrix) sums to one, ``log_c`` (N_i, K), and whether the invariant above held (if
    not, the function stops early and its other results are meaningless). Chunk 0 restarts at
    time 0 (position ``pad``), so its product covers times 1, 2, ...; rows are rescaled every
    ``every`` steps. For a positive chain the entries are checked when rescaled: between two
    rescalings nothing is divided, so an earlier underflow is at most a few times 1e-308 at the
    check; with zeros they are checked at every step.
    """
    N, L, K = b.shape
    P = np.broadcast_to(np.eye(N)[:, :, None], (N, N, K)).copy()
    log_c = np.zeros((N, K))
    for t in range(L):
        P = (A.T @ P.reshape(N, N * K)).reshape(N, N, K)   # one GEMM for all chunks
        P *= b[:, t, None, :]
        if t % every == every - 1 or t == L - 1:
            if positive and _below_safe(P, True, 1 if t <= pad else 0):  # chunk 0: junk before time 0
                return P, log_c, False
            s = np.maximum(P.sum(axis=0), _TINY)  # an impossible row stays zero
            log_c += np.log(s)
            P /= s
        if t == pad:  # time 0 is the initial distribution, not a transition
            P[:, :, 0] = np.eye(N)
            log_c[:, 0] = 0.0
        if not positive and _below_safe(P, False, 1 if t < pad else 0):
            return P, log_c, False
    return P, log_c, True


def _reaches(P: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Which entries of ``P @ x`` have a term with ``P > 0`` and ``x > 0`` (are possible)."""
    return ((P > 0).astype(np.float64) @ (x > 0).astype(np.float64)) > 0


def _join_forward(alpha0: np.ndarray, P: np.ndarray, log_c: np.ndarray) -> tuple[np.ndarray, float, bool]:
    r"""Sequential pass over the chunk products: :math:`\alpha \leftarrow \hat P_k\,
    e^{w - \max w}`, :math:`w = \log\hat\alpha + \log c_k`, normalised. Returns alpha-hat at the
    end of each chunk (K, N), the log-likelihood, and whether every possible entry stayed
    >= SAFE before normalising (a state whose weight underflowed is then negligible)."""
    K = P.shape[2]
    ends = np.empty((K, len(alpha0)))
    s = alpha0.sum()
    if s == 0:
        return ends, -math.inf, True
    loglik, alpha = math.log(s), alpha0 / s
    for k in range(K):
        w = np.log(alpha) + log_c[:, k]   # combine in logs: row scales may span 1e-300 and more
        m = w.max()
        x = np.exp(w - m)
        alpha = P[:, :, k] @ x
        if not _least(alpha) >= SAFE and np.any(~(alpha >= SAFE) & _reaches(P[:, :, k], np.isfinite(w))):
            return ends, loglik, False
        s = alpha.sum()
        if s == 0:
            return ends, -math.inf, True
        loglik += m + math.log(s)
        alpha /= s
        ends[k] = alpha
    return ends, loglik, True


def _join_backward(P: np.ndarray, log_c: np.ndarray) -> tuple[np.ndarray, bool]:
    r"""beta-hat at the end of each chunk (K, N), from beta = 1 at the last time:
    :math:`\beta \leftarrow e^{w - \max w}` normalised, :math:`w = \log(\hat P_k^\top\beta) + \log c_k`.
    Also whether every possible entry of :math:`\hat P_k^\top\beta` and of the new beta is >= SAFE."""
    N, _, K = P.shape
    ends = np.empty((K, N))
    beta = np.full(N, 1.0 / N)
    for k in range(K - 1, 0, -1):
        ends[k] = beta
        v = P[:, :, k].T @ beta
        if not _least(v) >= SAFE and np.any(~(v >= SAFE) & _reaches(P[:, :, k].T, beta)):
            return ends, False
        w = np.log(v) + log_c[:, k]
        beta = np.exp(w - w.max())
        beta /= beta.sum()
        if not _least(beta) >= SAFE and np.any(np.isfinite(w) & ~(beta >= SAFE)):
            return ends, False
    ends[0] = beta
    return ends, True


def _prepare(pi, A, B, obs, chunk_size):
    pi, A, B, obs = _check(pi, A, B, obs, chunk_size)
    K, L, pad, sym = _layout(obs, chunk_size)
    return pi, A, B, obs, K, L, pad, B[:, sym], _rescale_every(B.min())


def _start_ok(pi, b0, alpha0, positive: bool) -> bool:
    """The invariant for :math:`\\alpha_0 = \\pi \\odot b(o_0)`."""
    return not np.any((pi > 0) & (b0 > 0) & ~(alpha0 >= SAFE)) if not positive else alpha0.min() >= SAFE


def log_likelihood(pi, A, B, obs, chunk_size: int | None = None) -> float:
    r"""Log-likelihood :math:`\log p(o) = \log \pi^\top\mathrm{diag}(b_0)\prod_{t\ge1} A\,\mathrm{diag}(b_t)\,\mathbf 1`.

    Parameters
    ----------
    pi : array (N,)
        Initial distribution. ``A`` (N, N) transition matrix, rows sum to one.
    B : array (N, M)
        Emission probabilities, rows sum to one.
    obs : int array (T,)
        Symbols in ``0 .. M-1``.
    chunk_size : int, optional
        Steps per chunk (default about :math:`\sqrt{T}`); any value gives the same result.

    Returns
    -------
    float
        The log-likelihood (``-inf`` if the sequence is impossible), equal to the plain forward
        algorithm :func:`nnbook.seq.hmm.forward_log` and to hmmlearn's ``score``.

    Notes
    -----
    Exact over any dynamic range: where a probability-space product could have lost a state
    that matters (see the comment above :func:`_mode`), the result is that of the exact
    log-space loop :func:`nnbook.seq.chain.forward` instead.
    """
    pi, A, B, obs, K, L, pad, b, every = _prepare(pi, A, B, obs, chunk_size)
    mode = _mode(pi, A, B, obs)
    if mode is not None:
        positive = mode == "positive"
        with np.errstate(divide="ignore", under="ignore"), one_blas_thread():
            P, log_c, ok = _chunk_products(A, b, pad, every, positive)
            alpha0 = pi * B[:, obs[0]]
            if ok and _start_ok(pi, B[:, obs[0]], alpha0, positive):
                _, loglik, ok = _join_forward(alpha0, P, log_c)
                if ok:
                    return loglik
    return float(chain.forward(*hmm.log_potentials(pi, A, B, obs))[1])


# --------------------------------------------------------------------------- forward-backward
def _within(M: np.ndarray, b: np.ndarray, start: np.ndarray, pad: int, first, every: int,
            positive: bool = True) -> tuple[np.ndarray, bool]:
    """Run a recursion inside every chunk at once from known start vectors ``start`` (N, K).

    Forward (``first`` is alpha-hat at time 0): x_t = (A^T x_{t-1}) * b_t with M = A^T.
    Backward (``first`` is None): x_{t-1} = A (b_t * x_t) with M = A, from the last position.
    Vectors are rescaled every ``every`` steps only; returns x (K, L, N), each row up to a scale,
    and whether every vector kept the invariant (checked at every step; the function stops early
    when it fails).
    """
    N, L, K = b.shape
    out = np.empty((K, L, N))
    x = start
    forward = first is not None
    for step in range(L):
        t = step if forward else L - 1 - step
        if forward:
            x = (M @ x) * b[:, t]
            if t == pad:
                x[:, 0] = first
        else:
            out[:, t] = x.T
            x = M @ (b[:, t] * x)
        if step % every == every - 1:
            x /= np.maximum(x.sum(axis=0), _TINY)
        if forward:
            out[:, t] = x.T
        at = t if forward else t - 1  # the position x now holds; chunk 0 before time 0 is junk
        if at >= 0 and _below_safe(x, positive, 1 if at < pad else 0):
            return out, False
    return out, True


def _fast_forward_backward(pi, A, B, obs, chunk_size, transitions: bool):
    """The blocked passes: ``(gamma, transitions or None, loglik)``, or None where the invariant
    failed (then the caller uses :func:`_exact_forward_backward`)."""
    pi, A, B, obs, K, L, pad, b, every = _prepare(pi, A, B, obs, chunk_size)
    mode = _mode(pi, A, B, obs)
    if mode is None:
        return None
    positive = mode == "positive"
    N = len(pi)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"), one_blas_thread():
        P, log_c, ok = _chunk_products(A, b, pad, every, positive)
        alpha0 = pi * B[:, obs[0]]
        if not (ok and _start_ok(pi, B[:, obs[0]], alpha0, positive)):
            return None
        fwd_ends, loglik, ok = _join_forward(alpha0, P, log_c)
        if not ok:
            return None
        if loglik == -math.inf:
            raise ValueError("obs has probability zero under the model (pi, A, B)")
        bwd_ends, ok = _join_backward(P, log_c)
        if not ok:
            return None
        starts = np.vstack([np.full(N, 1.0 / N), fwd_ends[:-1]]).T
        alpha, ok = _within(A.T, b, starts, pad, alpha0 / alpha0.sum(), every, positive)
        if not ok:
            return None
        every_back = _rescale_every(B.min() * A.sum(axis=0).min())
        beta, ok = _within(A, b, np.ascontiguousarray(bwd_ends.T), pad, None, every_back, positive)
        if not ok:
            return None
        alpha = alpha.reshape(K * L, N)[pad:]
        beta = beta.reshape(K * L, N)[pad:]
    alpha /= alpha.sum(axis=1, keepdims=True)
    beta /= beta.sum(axis=1, keepdims=True)
    gamma = alpha * beta
    norm = gamma.sum(axis=1, keepdims=True)
    if not np.all(norm >= SAFE):  # forward and backward disagree by more than 645 nats
        return None
    gamma /= norm
    if not transitions:
        return gamma, None, loglik
    W = B.T[obs[1:]] * beta[1:]
    with one_blas_thread():
        Z = np.einsum("tj,tj->t", alpha[:-1] @ A, W)
        if not np.all(Z >= SAFE):
            return None
        W /= Z[:, None]
        xi = A * (alpha[:-1].T @ W)
    return gamma, xi, loglik


def _exact_forward_backward(pi, A, B, obs, transitions: bool):
    r"""The same results from the exact log-space loops of :func:`nnbook.seq.chain.marginals`:
    :math:`\gamma_t \propto e^{\log\alpha_t + \log\beta_t}` and
    :math:`\sum_t\xi_t(i,j) = \sum_t e^{\log\alpha_{t-1}(i) + \log A_{ij} + \log b_t(j) + \log\beta_t(j) - \log p(o)}`."""
    gamma, xi, loglik = chain.marginals(*hmm.log_potentials(pi, A, B, obs))
    if loglik == -math.inf:
        raise ValueError("obs has probability zero under the model (pi, A, B)")
    gamma /= gamma.sum(axis=1, keepdims=True)
    return gamma, (xi if transitions else None), loglik


def _forward_backward(pi, A, B, obs, chunk_size, transitions: bool = False):
    """gamma (T, N), the expected transition counts (N, N) if asked for, and the log-likelihood."""
    fast = _fast_forward_backward(pi, A, B, obs, chunk_size, transitions)
    if fast is not None:
        return fast
    pi, A, B, obs = _check(pi, A, B, obs, chunk_size)
    return _exact_forward_backward(pi, A, B, obs, transitions)


def posterior(pi, A, B, obs, chunk_size: int | None = None) -> np.ndarray:
    r"""Posterior marginals :math:`\gamma_t(i) = p(z_t = i \mid o) \propto \alpha_t(i)\,\beta_t(i)`.

    Forward and backward vectors come from the chunk products of :func:`log_likelihood`: one
    pass over the chunks gives the vectors at every chunk boundary, then the recursion runs inside
    all chunks at once. Arguments as in :func:`log_likelihood`; exact over any dynamic range (the
    exact loops of :mod:`nnbook.seq.chain` take over where a product could have lost a state).

    Returns
    -------
    gamma : array (T, N)
        Rows sum to one; equal to :func:`nnbook.seq.hmm.posterior` and hmmlearn's ``predict_proba``.

    Raises ``ValueError`` if ``obs`` has probability zero under the model.
    """
    return _forward_backward(pi, A, B, obs, chunk_size)[0]


def baum_welch_counts(pi, A, B, obs, chunk_size: int | None = None) -> Counts:
    r"""The E-step of Baum--Welch: expected start, transition and emission counts.

    With :math:`\hat\alpha_t, \hat\beta_t` known up to a scale per time step,
    :math:`\xi_t(i,j) = \hat\alpha_{t-1}(i) A_{ij} b_t(j) \hat\beta_t(j) / Z_t`, where :math:`Z_t`
    is the sum of the numerator over :math:`i, j`. So
    :math:`\sum_t \xi_t = A \odot \big(\hat\alpha_{0:T-2}^\top W\big)` with
    :math:`W_{tj} = b_{t+1}(j)\hat\beta_{t+1}(j)/Z_{t+1}`: one matrix product over all time steps.
    Emission counts :math:`\sum_t \gamma_t(i)[o_t = m]` come from ``np.bincount``.
    Arguments as in :func:`log_likelihood`; ``ValueError`` if ``obs`` is impossible. Exact over
    any dynamic range, as :func:`posterior`.
    """
    gamma, transitions, loglik = _forward_backward(pi, A, B, obs, chunk_size, transitions=True)
    obs = np.asarray(obs, dtype=np.int64)
    M = np.asarray(B).shape[1]
    emissions = np.stack([np.bincount(obs, weights=g, minlength=M) for g in gamma.T])
    return Counts(gamma[0].copy(), transitions, emissions, loglik)


def baum_welch_step(pi, A, B, obs, chunk_size: int | None = None):
    r"""One Baum--Welch (EM) iteration (Baum et al. 1970; Rabiner 1989, eqs. 40a--c).

    Returns ``(pi_new, A_new, B_new, log_likelihood)``: the expected counts of
    :func:`baum_welch_counts` normalised row by row (a state never visited keeps its old row).
    ``log_likelihood`` is that of the *old* parameters, as hmmlearn reports it.
    """
    counts = baum_welch_counts(pi, A, B, obs, chunk_size)
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)

    def normalise(counts, old):
        sums = counts.sum(axis=1, keepdims=True)
        return np.where(sums > 0, counts / np.where(sums > 0, sums, 1.0), old)

    return counts.start, normalise(counts.transitions, A), normalise(counts.emissions, B), counts.log_likelihood


# --------------------------------------------------------------------------- max-product
def _viterbi_scores(logA, logb, pad, delta0, delta):
    """First pass: the max-product recursion in all chunks at once, each from a guessed start
    (zeros; chunk 0 restarts from ``delta0`` at time 0). Scores stay unnormalised (logs do not
    underflow). Fills ``delta`` (L, N, K)."""
    d = np.zeros(delta.shape[1:])
    for t in range(len(delta)):
        d = (logA[:, :, None] + d[:, None, :]).max(axis=0) + logb[:, t]
        if t == pad:
            d[:, 0] = delta0
        delta[t] = d


def _parallel(d, old):
    r"""Which columns of ``d`` and ``old`` (N, K) are parallel in the max-plus sense:
    :math:`d_j = \text{old}_j + c` for one constant :math:`c` per column and every state
    :math:`j`. Both must have the same impossible states (``-inf``); the finite entries are
    compared after subtracting each column's maximum, within ``_ATOL_PARALLEL`` (rounding).
    Raw equality is not used: an entry equal in both vectors while the others differ by a
    constant would make a non-parallel pair look parallel (the bug this replaced).
    """
    with np.errstate(invalid="ignore"):
        dn, on = d - d.max(axis=0), old - old.max(axis=0)  # nan where a column is all -inf
        both_impossible = np.isneginf(d) & np.isneginf(old)
        close = np.isfinite(dn) & np.isfinite(on) & (np.abs(dn - on) <= _ATOL_PARALLEL)
    return np.all(close | both_impossible, axis=0)


def _viterbi_fixup(logA, logb, delta, chunks):
    """Redo ``chunks`` from the end of their predecessor; stop a chunk where its new scores are
    parallel (equal up to a constant) to the stored ones. Returns the chunks that never converged."""
    d = delta[-1][:, chunks - 1]
    for t in range(len(delta)):
        d = (logA[:, :, None] + d[:, None, :]).max(axis=0) + logb[:, t, chunks]
        old = delta[t][:, chunks]
        same = _parallel(d, old)
        delta[t][:, chunks] = d
        chunks, d = chunks[~same], d[:, ~same]
        if len(chunks) == 0:
            break
    return chunks


def _backtrack(logA, delta, path, chunks, states):
    """Trace paths back from ``states`` at the last position of ``chunks``; a chunk stops where it
    meets the path already stored (from there on the two coincide). Returns the chunks whose
    state at position 0 changed."""
    for t in range(len(delta) - 1, -1, -1):
        merged = path[t, chunks] == states
        chunks, states = chunks[~merged], states[~merged]
        path[t, chunks] = states
        if len(chunks) == 0 or t == 0:
            break
        states = (delta[t - 1][:, chunks] + logA[:, states]).argmax(axis=0)
    return chunks


def _repair(logA, delta, path, chunks):
    """Is each chunk's end state the predecessor of the next chunk's start? Where it is not,
    trace the chunk back again from the right state. Returns the chunks whose start changed."""
    pred = (delta[-1][:, chunks] + logA[:, path[0, chunks + 1]]).argmax(axis=0)
    wrong = pred != path[-1, chunks]
    return _backtrack(logA, delta, path, chunks[wrong], pred[wrong])


def viterbi(pi, A, B, obs, chunk_size: int | None = None) -> tuple[np.ndarray, float]:
    r"""Most probable state path :math:`\arg\max_z p(z, o)` and its log-probability.

    :math:`\delta_t(j) = \max_i \delta_{t-1}(i) + \log A_{ij} + \log b_t(j)` is computed in all
    chunks at once from guessed starts and repaired by rank convergence (module docstring); then
    :math:`z_{t-1} = \arg\max_i \delta_{t-1}(i) + \log A_{i z_t}` is traced back in all chunks at
    once, and repaired where a chunk's end state was guessed wrong. Arguments as in
    :func:`log_likelihood`.

    Returns
    -------
    path : int array (T,)
        Equal to hmmlearn's ``decode`` and to :func:`nnbook.seq.hmm.viterbi`, except that among
        exactly tied best paths (frequent with few symbols) either may be returned.
    log_prob : float
        :math:`\log p(z^\star, o)`, summed along the returned path.

    Notes
    -----
    The repairs are short when the chain forgets its start within a chunk, as an ergodic chain
    does. One that never forgets (a left-to-right model, :math:`A = I`) would need every chunk
    redone in turn; when more than an eighth of the chunks fail to converge, the function
    returns the plain loop :func:`nnbook.seq.chain.viterbi` instead (same answer, slower).
    """
    pi, A, B, obs = _check(pi, A, B, obs, chunk_size)
    K, L, pad, sym = _layout(obs, chunk_size)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pi, logA, logB = np.log(pi), np.log(A), np.log(B)
        delta = np.empty((L, len(pi), K))
        logb = logB[:, sym]
        _viterbi_scores(logA, logb, pad, log_pi + logB[:, obs[0]], delta)
        # one fix-up round for all chunks at once; a chunk that never converged changed its end,
        # so its successor is redone, one at a time and in order
        stuck = _viterbi_fixup(logA, logb, delta, np.arange(1, K))
        if len(stuck) > K // 8 + 1:  # the chain does not mix (e.g. left-to-right): plain loop
            return chain.viterbi(log_pi, logA, logB[:, obs].T)
        redo = set((stuck + 1).tolist())
        for k in range(2, K):
            if k in redo and len(_viterbi_fixup(logA, logb, delta, np.array([k]))):
                redo.add(k + 1)
        path = np.empty((L, K), dtype=np.intp)
        states = delta[-1].argmax(axis=0)  # each chunk's end: exact for the last chunk, a guess else
        for t in range(L - 1, 0, -1):
            path[t] = states
            states = (delta[t - 1] + logA[:, states]).argmax(axis=0)
        path[0] = states
        changed = _repair(logA, delta, path, np.arange(K - 1))  # the same two passes for the path
        if len(changed) > K // 8 + 1:
            return chain.viterbi(log_pi, logA, logB[:, obs].T)
        pending = set((changed - 1).tolist())
        for k in range(K - 2, -1, -1):
            if k in pending and len(_repair(logA, delta, path, np.array([k]))):
                pending.add(k - 1)
        path = np.ascontiguousarray(path.T).reshape(-1)[pad:]
        log_prob = log_pi[path[0]] + logA[path[:-1], path[1:]].sum() + logB[path, obs].sum()
    return path, float(log_prob)
