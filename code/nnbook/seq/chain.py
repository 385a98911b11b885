r"""The chain engine: sum-product and max-product recursions on the log-potentials of a chain.

One vocabulary for every sequence model of chapter 6. A chain over N states and T steps is
given by

* ``log_start`` (N,): a score for the first state, :math:`\phi_1(j)`;
* ``log_trans`` (N, N): a score :math:`\tau_{ij}` for the move :math:`i \to j` (``-inf``:
  forbidden);
* ``log_emit`` (T, N): a score :math:`e_t(j)` for state j at step t (``-inf``: impossible),

and a path :math:`s` scores :math:`\phi_1(s_1) + \sum_{t\ge2}\tau_{s_{t-1}s_t} + \sum_t e_t(s_t)`.
An HMM :cite:p:`rabiner1989` is the chain :math:`\phi = \log\pi`, :math:`\tau = \log A`,
:math:`e_t = \log b(o_t)` (:mod:`nnbook.seq.hmm`); a linear-chain CRF
:cite:p:`lafferty2001,sutton2012` is :math:`\phi = 0`, :math:`\tau` = ``trans``, :math:`e_t`
= ``emit`` (:mod:`nnbook.seq.crf`). Both are thin layers over this module, which imports neither.

* one sequence: :func:`forward` (:math:`\log\alpha`, :math:`\log Z`), :func:`backward`
  (:math:`\log\beta`), :func:`marginals` (node and edge posteriors), :func:`viterbi` (the best
  path); :func:`logsumexp`, the package's one log-space reduction;
* many sequences at once: :class:`Packing` (time-major layout), :func:`forward_backward_packed`,
  :func:`viterbi_packed`.

All results are exact over any dynamic range (scores thousands of nats apart): the fast
probability-space products are trusted only where nothing that matters came near underflow
(:data:`SAFE`), and redone in log space otherwise. Book chapter ``book/ch6-sequence-models/``
(pages 02 "HMM inference" and 04 "CRF").
"""
from __future__ import annotations

import math

import numpy as np

from nnbook._validation import check_array, check_bool, check_int, check_log_array

__all__ = [
    "SAFE", "logsumexp", "forward", "backward", "marginals", "viterbi",
    "Packing", "forward_backward_packed", "viterbi_packed",
]

#: A sum of products is trusted from the fast (probability-space) product only when it is at
#: least this large: every term that underflowed (became 0 or subnormal) is below the smallest
#: normal float, 2.2e-308, so it is then a relative error below N * 1e-28. Smaller results are
#: recomputed exactly by a log-sum-exp.
SAFE = 1e-280


def logsumexp(x, axis: int = -1) -> np.ndarray:
    r""":math:`\log\sum_i e^{x_i}` along ``axis``, as :math:`m + \log\sum_i e^{x_i - m}`, :math:`m = \max_i x_i`.

    ``x`` may hold ``-inf`` (a log of 0): a slice that is all ``-inf`` gives ``-inf``, not NaN
    (:func:`nnbook.nn.losses.logsumexp`, for rows of logits, has no such case). The one log-space
    reduction of :mod:`nnbook.seq`; no input checks (it runs inside the recursions).
    """
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x - m), axis=axis)) + np.squeeze(m, axis=axis)


def _check_chain(log_start, log_trans, log_emit, start: bool = True):
    """The log-potentials as float64 arrays of matching shapes (``-inf`` allowed); ``log_start``
    is left as it is when ``start`` is False (not used, or None for zeros)."""
    log_emit = check_log_array("log_emit", log_emit, ndim=2)
    N = log_emit.shape[1]
    log_trans = check_log_array("log_trans", log_trans, ndim=2)
    if log_trans.shape != (N, N):
        raise ValueError(f"log_trans must have shape (N, N) = ({N}, {N}) to match log_emit (T, N), got {log_trans.shape}")
    if start:
        log_start = check_log_array("log_start", log_start, ndim=1)
        if log_start.shape != (N,):
            raise ValueError(f"log_start must have shape (N,) = ({N},) to match log_emit (T, N), got {log_start.shape}")
    return log_start, log_trans, log_emit


def _exp_shifted(log_trans):
    """``(exp(log_trans - c), c)`` with ``c`` the largest finite entry: the matrix products below
    then never overflow. Entries more than ~745 below ``c`` become 0 here; the recursions notice
    when that matters (a result below :data:`SAFE`) and redo those entries in log space."""
    finite = log_trans[np.isfinite(log_trans)]
    shift = float(finite.max()) if finite.size else 0.0
    return np.exp(log_trans - shift), shift


# ------------------------------------------------------------------------------ one sequence
def forward(log_start, log_trans, log_emit):
    r"""Forward recursion :math:`\log\alpha_t(j) = \log\sum_i \alpha_{t-1}(i)\, e^{\tau_{ij}} + e_t(j)`.

    Parameters
    ----------
    log_start : array (N,)
        :math:`\log\alpha_1 = \phi + e_1` (an HMM: :math:`\log\pi`; a CRF: zeros).
    log_trans : array (N, N)
        Transition scores :math:`\tau_{ij}` (an HMM: :math:`\log a_{ij}`; ``-inf``: impossible).
    log_emit : array (T, N)
        Per-step scores :math:`e_t(j)` (an HMM: :math:`\log b_j(o_t)`).

    Returns
    -------
    log_alpha : ndarray (T, N)
    log_Z : float
        :math:`\log\sum_j \alpha_T(j)`: the log-likelihood of an HMM, the log-partition function
        of a CRF. Cost :math:`O(TN^2)`.

    Notes
    -----
    Rabiner (1989), eq. 19--21, in log space. Each step is the log-sum-exp :math:`m + c +
    \log\sum_i e^{\log\alpha_{t-1}(i) - m} e^{\tau_{ij} - c}`, :math:`m = \max_i
    \log\alpha_{t-1}(i)`, :math:`c = \max\tau`, computed as one vector--matrix product
    :math:`y`. A term underflows to 0 when a state trails the leader (or a transition the
    largest) by more than ~745 nats. That is harmless where :math:`y_j \ge` ``SAFE`` = 1e-280,
    as the lost terms are below 1e-308; the other entries -- such as a state that fell far
    behind and is now the only possible one -- are redone exactly,
    :math:`\log\sum_i e^{\log\alpha_{t-1}(i) + \tau_{ij}}`.
    """
    log_start, log_trans, log_emit = _check_chain(log_start, log_trans, log_emit)
    A, shift = _exp_shifted(log_trans)
    log_alpha = np.empty_like(log_emit)
    log_alpha[0] = log_start + log_emit[0]
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for t in range(1, len(log_emit)):
            prev = log_alpha[t - 1]
            m = prev.max()
            y = np.exp(prev - m) @ A
            log_alpha[t] = np.log(y) + (m + shift) + log_emit[t]
            if y[y.argmin()] < SAFE:  # a term may have underflowed (argmin: cheaper than min)
                low = np.flatnonzero(y < SAFE)
                log_alpha[t, low] = logsumexp(prev[:, None] + log_trans[:, low], axis=0) + log_emit[t, low]
    log_alpha[np.isnan(log_alpha)] = -np.inf  # after an impossible prefix (m = -inf)
    return log_alpha, float(logsumexp(log_alpha[-1], axis=0))


def backward(log_trans, log_emit):
    r"""Backward recursion :math:`\log\beta_t(i) = \log\sum_j e^{\tau_{ij} + e_{t+1}(j)}\,\beta_{t+1}(j)`, :math:`\beta_T = 1`.

    Parameters
    ----------
    log_trans : array (N, N)
    log_emit : array (T, N)
        As in :func:`forward`.

    Returns
    -------
    log_beta : ndarray (T, N)
        The last row is 0.

    Notes
    -----
    Rabiner (1989), eq. 24--25. Each step is the product :math:`y = e^{\tau - c}\, e^{v - m}`
    with :math:`v = e_{t+1} + \log\beta_{t+1}` and :math:`m = \max_j v_j`; entries with
    :math:`y_i <` ``SAFE`` are redone exactly, :math:`\log\sum_j e^{\tau_{ij} + v_j}`, as in
    :func:`forward`.
    """
    _, log_trans, log_emit = _check_chain(None, log_trans, log_emit, start=False)
    A, shift = _exp_shifted(log_trans)
    log_beta = np.zeros_like(log_emit)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for t in range(len(log_emit) - 2, -1, -1):
            v = log_emit[t + 1] + log_beta[t + 1]
            m = v.max()
            y = A @ np.exp(v - m)
            log_beta[t] = np.log(y) + (m + shift)
            if y[y.argmin()] < SAFE:
                low = np.flatnonzero(y < SAFE)
                log_beta[t, low] = logsumexp(log_trans[low] + v, axis=1)
    log_beta[np.isnan(log_beta)] = -np.inf
    return log_beta


def marginals(log_start, log_trans, log_emit, *, per_step: bool = False, block: int = 4096):
    r"""Posterior marginals of one chain in log space, for any dynamic range.

    Parameters
    ----------
    log_start, log_trans, log_emit : arrays (N,), (N, N), (T, N)
        As in :func:`forward`.
    per_step : bool
        Return the edge marginals of every step, (T-1, N, N), instead of their sum.
    block : int
        Steps summed at a time when ``per_step`` is False (memory :math:`O(\text{block}\cdot N^2)`).

    Returns
    -------
    gamma : ndarray (T, N)
        :math:`\gamma_t(i) = e^{\log\alpha_t(i) + \log\beta_t(i) - \log Z}`.
    xi : ndarray (N, N), or (T-1, N, N) with ``per_step``
        :math:`\xi_t(i, j) = e^{\log\alpha_{t-1}(i) + \tau_{ij} + e_t(j) + \log\beta_t(j) - \log Z}`,
        summed over t unless ``per_step`` (Rabiner 1989, eq. 37; Sutton & McCallum 2012, sec. 4.1).
    log_Z : float
        As in :func:`forward`. An impossible chain (:math:`\log Z = -\infty`) gets zero marginals.
    """
    per_step, block = check_bool("per_step", per_step), check_int("block", block, low=1)
    log_start, log_trans, log_emit = _check_chain(log_start, log_trans, log_emit)
    log_alpha, log_Z = forward(log_start, log_trans, log_emit)
    N = log_emit.shape[1]
    if not np.isfinite(log_Z):
        return np.zeros_like(log_emit), np.zeros((len(log_emit) - 1, N, N) if per_step else (N, N)), log_Z
    log_beta = backward(log_trans, log_emit)
    with np.errstate(under="ignore"):
        gamma = np.exp(log_alpha + log_beta - log_Z)
        after = log_emit + log_beta
        if per_step:
            return gamma, np.exp(log_alpha[:-1, :, None] + log_trans[None] + after[1:, None, :] - log_Z), log_Z
        xi = np.zeros((N, N))
        for s in range(1, len(log_emit), block):
            now = slice(s, min(s + block, len(log_emit)))
            before = slice(s - 1, now.stop - 1)
            xi += np.exp(log_alpha[before, :, None] + log_trans[None] + after[now, None, :] - log_Z).sum(axis=0)
    return gamma, xi, float(log_Z)


def viterbi(log_start, log_trans, log_emit, log_end=None):
    r"""Max-product recursion :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \tau_{ij}] + e_t(j)`, :math:`\delta_1 = \phi + e_1`.

    Viterbi (1967); Rabiner (1989), eq. 30--35. Arguments as in :func:`forward`; ``log_end``
    (N,), optional, adds a score for the final state (``-inf`` forbids ending there).

    Returns
    -------
    path : ndarray (T,) of int
        A best path; ties go to the lowest state index.
    score : float
        Its score (``-inf`` when every path is impossible).
    """
    log_start, log_trans, log_emit = _check_chain(log_start, log_trans, log_emit)
    T, N = log_emit.shape
    if log_end is not None:
        log_end = check_log_array("log_end", log_end, ndim=1)
        if log_end.shape != (N,):
            raise ValueError(f"log_end must have shape (N,) = ({N},) to match log_emit (T, N), got {log_end.shape}")
    delta = log_start + log_emit[0]
    back = np.empty((T, N), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] + log_trans
        back[t] = np.argmax(scores, axis=0)
        delta = scores[back[t], np.arange(N)] + log_emit[t]
    if log_end is not None:
        delta = delta + log_end
    path = np.empty(T, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(delta[path[-1]])


# ------------------------------------------------------------------ many sequences, packed
class Packing:
    """Time-major layout of variable-length sequences, longest first (as ``torch.nn.utils.rnn.pack_sequence``).

    Parameters
    ----------
    lengths : sequence of int (n_sequences,)
        Positive lengths (ints only: 2.5 is refused, not truncated).

    Attributes
    ----------
    lengths : ndarray (n_sequences,)
        Sorted, longest first (stable).
    n_active : ndarray (max length,)
        ``n_active[t]``: the number of sequences longer than t.
    offsets : ndarray (max length + 1,)
        Token ``t`` of the ``r``-th longest sequence sits at packed row ``offsets[t] + r``.
    order : ndarray (n_tokens,)
        Maps packed rows to rows of the concatenated input: ``packed = concatenated[order]``.
    prev, next : ndarray (n_transitions,)
        The packed rows of every pair (token t-1, token t) of a sequence.
    """

    def __init__(self, lengths):
        if isinstance(lengths, (list, tuple)) and len(lengths) == 0:
            raise ValueError(f"lengths must be a non-empty list of positive ints, got {lengths!r}")
        lengths = check_array("lengths", lengths, ndim=1, dtype="int")
        if (lengths < 1).any():
            raise ValueError(f"lengths must be a non-empty list of positive ints, got {lengths.tolist()}")
        rank = np.argsort(-lengths, kind="stable")
        self.lengths = lengths[rank]
        self.n_active = (self.lengths[None, :] > np.arange(self.lengths[0])[:, None]).sum(1)
        self.offsets = np.concatenate([[0], np.cumsum(self.n_active)])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[rank]
        self.order = np.concatenate([starts[:n] + t for t, n in enumerate(self.n_active)])
        self.n_transitions = int((self.lengths - 1).sum())
        pairs = [(self.offsets[t - 1] + np.arange(n), self.offsets[t] + np.arange(n)) for t, n in enumerate(self.n_active) if t]
        empty = np.zeros(0, dtype=np.int64)
        self.prev = np.concatenate([p for p, _ in pairs]) if pairs else empty  # rows of (y_{t-1}, y_t) pairs
        self.next = np.concatenate([q for _, q in pairs]) if pairs else empty

    @property
    def n_tokens(self) -> int:
        """The number of packed rows (all tokens of all sequences)."""
        return int(self.offsets[-1])

    def rows(self, t: int) -> slice:
        """The packed rows of step ``t`` (of the ``n_active[t]`` sequences still running), 0 <= t < longest."""
        return self._rows(check_int("t", t, low=0, high=len(self.n_active) - 1))

    def _rows(self, t: int) -> slice:  # unchecked, for the loops over t below
        return slice(self.offsets[t], self.offsets[t] + self.n_active[t])

    def __repr__(self) -> str:
        return f"Packing(n_sequences={len(self.lengths)}, n_tokens={self.n_tokens}, longest={int(self.lengths[0])})"

    @staticmethod
    def check(packing) -> "Packing":
        """``packing`` if it is a :class:`Packing`; ``TypeError`` otherwise."""
        if not isinstance(packing, Packing):
            raise TypeError(f"packing must be a Packing, got {type(packing).__name__}")
        return packing

    def check_rows(self, name: str, scores: np.ndarray, columns: str = "N") -> np.ndarray:
        """``scores`` (already a 2-D array) if it has one row per packed token; ``ValueError`` naming ``name``."""
        if scores.shape[0] != self.n_tokens:
            raise ValueError(f"{name} must have one row per packed token, shape ({self.n_tokens}, {columns}) "
                             f"for this packing, got {scores.shape}")
        return scores


def _check_packed(log_start, log_trans, log_emit, packing):
    Packing.check(packing)
    log_emit = packing.check_rows("log_emit", check_log_array("log_emit", log_emit, ndim=2))
    return _check_chain(log_start, log_trans, log_emit, start=log_start is not None)


def _with_start(log_start, log_emit, packing):
    """``log_emit`` with ``log_start`` added to the first token of every sequence (a copy)."""
    if log_start is None:
        return log_emit
    log_emit = np.copy(log_emit, order="K")
    log_emit[packing._rows(0)] += log_start
    return log_emit


def forward_backward_packed(log_start, log_trans, log_emit, packing: Packing):
    r"""Scaled forward--backward on packed tokens, exact over any dynamic range.

    Parameters
    ----------
    log_start : array (N,) or None
        Added to the first token of every sequence; None for zeros (a CRF).
    log_trans : array (N, N)
        Transition scores :math:`\tau_{ij}` (``-inf`` allowed).
    log_emit : array (n_tokens, N)
        Emission scores :math:`e_t(j)` in packed order (``-inf`` allowed: an impossible
        state, as in an HMM with zeros).
    packing : Packing

    Returns
    -------
    gamma : ndarray (n_tokens, N)
        Node marginals :math:`\gamma_t(j) = p(s_t = j \mid x)`, in packed order (zeros for an
        impossible sequence).
    xi : ndarray (N, N)
        Edge marginals :math:`\sum_n \sum_t p(s_{t-1} = i, s_t = j \mid x^{(n)})`.
    log_Z : float
        :math:`\sum_n \log Z(x^{(n)})`.

    Notes
    -----
    Rabiner (1989), sec. V.A (scaling). With :math:`\psi_t = e^{e_t - m_t}` (:math:`m_t = \max_j
    e_t(j)`) and :math:`M = e^{\tau - \max\tau}`: :math:`a_t = (\hat\alpha_{t-1}M)\odot\psi_t`,
    :math:`c_t = \sum_j a_t(j)`, :math:`\hat\alpha_t = a_t / c_t`;
    :math:`\hat\beta_{t-1} = M(\psi_t\odot\hat\beta_t)/c_t`; :math:`\gamma_t = \hat\alpha_t\odot\hat\beta_t`,
    :math:`\xi = M \odot \sum_t \hat\alpha_{t-1}^\top (\psi_t\odot\hat\beta_t / c_t)` and
    :math:`\log Z = \sum_t (\log c_t + m_t) + (T-1)\max\tau`; step t is one small matrix product
    over the sequences still running.

    In probability space a term underflows when a score is more than ~745 below the
    largest. The result is trusted only for sequences where every possible entry of
    :math:`a_t` and of :math:`\hat\beta_t` (on states with :math:`\hat\alpha_t > 0`) is at
    least :data:`SAFE` and every :math:`\hat\beta_t` is finite: the underflowed terms are then
    below 1e-308 and negligible. ("Possible" means reachable with finite scores; with all
    scores finite, every entry is.) The other sequences -- a state that trails by more than
    ~645 nats and later matters -- are recomputed exactly, one at a time, by :func:`marginals`.
    Ordinary inputs take only the fast path.
    """
    log_start, trans, emit = _check_packed(log_start, log_trans, log_emit, packing)
    emit = _with_start(log_start, emit, packing)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        m = emit.max(axis=1, keepdims=True)
        psi, tmax = np.exp(emit - m), trans.max()
        tmax = tmax if np.isfinite(tmax) else 0.0  # every transition forbidden: M = 0, not nan
        M = np.exp(trans - tmax)
        alpha, c = np.empty_like(psi), np.empty(len(psi))
        least = math.inf  # the smallest a_t(j) and beta_t(i) seen: usually decides exactness at once
        prev = None
        for t in range(len(packing.n_active)):
            rows, n = packing._rows(t), packing.n_active[t]
            a = psi[rows] if prev is None else (alpha[prev][:n] @ M) * psi[rows]
            least = np.minimum(least, a.min())  # (np.minimum keeps a nan; min() would drop it)
            c[rows] = a.sum(axis=1)  # 0 only for a sequence of probability 0 (an HMM with zeros)
            alpha[rows] = a / np.where(c[rows] > 0, c[rows], 1.0)[:, None]
            prev = rows
        scale = np.where(c > 0, c, 1.0)
        beta, xi = np.ones_like(psi), np.zeros_like(M)
        largest = 1.0
        for t in range(len(packing.n_active) - 1, 0, -1):
            rows, n = packing._rows(t), packing.n_active[t]
            nxt = psi[rows] * beta[rows] / scale[rows, None]
            before = slice(packing.offsets[t - 1], packing.offsets[t - 1] + n)
            beta[before] = b = nxt @ M.T
            least, largest = np.minimum(least, b.min()), np.maximum(largest, b.max())
            xi += alpha[before].T @ nxt
        log_c = np.log(c)
        if least >= SAFE and largest < math.inf:  # (nan fails both) every entry is far from underflow
            bad = np.zeros(len(packing.lengths), dtype=bool)
        else:
            bad = _inexact_sequences(emit, trans, packing, alpha, c, beta)
        if not bad.any():
            log_Z = log_c.sum() + m.sum() + (packing.n_transitions * tmax if packing.n_transitions else 0.0)
            return alpha * beta, xi * M, float(log_Z)
        # some sequences lost a term that matters: keep the others, redo those exactly
        rank = np.arange(len(emit)) - np.repeat(packing.offsets[:-1], packing.n_active)
        good_rows = ~bad[rank]
        gamma = alpha * beta
        pairs = good_rows[packing.next]
        nxt = psi[packing.next[pairs]] * beta[packing.next[pairs]] / scale[packing.next[pairs], None]
        xi = (alpha[packing.prev[pairs]].T @ nxt) * M
        n_trans_good = int((packing.lengths[~bad] - 1).sum())
        log_Z = log_c[good_rows].sum() + m[good_rows].sum() + (n_trans_good * tmax if n_trans_good else 0.0)
    for r in np.flatnonzero(bad):
        rows = packing.offsets[: packing.lengths[r]] + r
        node, edge, log_Z_r = marginals(np.zeros(emit.shape[1]), trans, emit[rows])
        gamma[rows] = node
        xi += edge
        log_Z += log_Z_r
    return gamma, xi, float(log_Z)


def _inexact_sequences(emit, trans, packing: Packing, alpha, c, beta) -> np.ndarray:
    r"""Which sequences (by rank, longest first) the scaled pass may have got wrong.

    A sequence is trusted when, at every token, each *possible* unnormalised forward entry
    :math:`a_t(j) = c_t\hat\alpha_t(j)` is at least :data:`SAFE`, each :math:`\hat\beta_t` is
    finite, and :math:`\hat\beta_t(i) \ge` SAFE wherever :math:`\hat\alpha_t(i) > 0` and state i
    can reach the end. An entry is possible when its score is finite and some predecessor with
    :math:`\hat\alpha_{t-1} > 0` reaches it by a finite transition (once the earlier tokens are
    trusted, ``> 0`` is exact); likewise backward. With all scores finite every entry is
    possible and these products are skipped.
    """
    rank = np.arange(len(emit)) - np.repeat(packing.offsets[:-1], packing.n_active)
    a = alpha * c[:, None]
    finite_scores = bool(np.isfinite(emit).all() and np.isfinite(trans).all())
    if finite_scores:
        wrong_fwd = ~(a >= SAFE)
    else:
        allowed = (trans > -np.inf).astype(np.float64)
        possible_emit = emit > -np.inf
        possible = possible_emit.copy()
        possible[packing.next] &= ((alpha[packing.prev] > 0).astype(np.float64) @ allowed) > 0
        wrong_fwd = (possible & ~(a >= SAFE)) | np.isnan(a)
    wrong = wrong_fwd.any(axis=1) | ~np.isfinite(beta).all(axis=1)
    if finite_scores:
        low_beta = ~(beta >= SAFE)
    else:
        reaches = np.ones_like(possible)  # the last token of a sequence: beta = 1
        reaches[packing.prev] = (((possible_emit[packing.next] & (beta[packing.next] > 0)).astype(np.float64)
                                  @ allowed.T) > 0)
        low_beta = (alpha > 0) & reaches & ~(beta >= SAFE)
    wrong |= low_beta.any(axis=1)
    return np.bincount(rank[wrong], minlength=len(packing.lengths)) > 0


def viterbi_packed(log_start, log_trans, log_emit, packing: Packing) -> np.ndarray:
    r"""Best paths of every packed sequence at once, (n_tokens,) in packed order.

    The max-product recursion of :func:`viterbi`, :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) +
    \tau_{ij}] + e_t(j)`, :math:`\delta_1 = \phi + e_1`, one step for all sequences still
    running, then backtracking from :math:`\arg\max_j \delta_{T_n}(j)` of each sequence.
    Arguments as in :func:`forward_backward_packed`; ``log_emit`` must have exactly one row
    per packed token (``ValueError`` otherwise). Ties go to the lowest state index.
    """
    log_start, trans, emit = _check_packed(log_start, log_trans, log_emit, packing)
    emit = _with_start(log_start, emit, packing)
    delta, back = np.empty_like(emit), np.zeros(emit.shape, dtype=np.int64)
    delta[packing._rows(0)] = emit[packing._rows(0)]
    for t in range(1, len(packing.n_active)):
        rows, n = packing._rows(t), packing.n_active[t]
        scores = delta[packing._rows(t - 1)][:n, :, None] + trans[None]
        back[rows] = scores.argmax(axis=1)
        delta[rows] = np.take_along_axis(scores, back[rows][:, None, :], axis=1)[:, 0] + emit[rows]
    path, cur = np.empty(len(emit), dtype=np.int64), np.zeros(len(packing.lengths), dtype=np.int64)
    for t in range(len(packing.n_active) - 1, -1, -1):
        rows, n = packing._rows(t), packing.n_active[t]
        ends = np.flatnonzero(packing.lengths[:n] == t + 1)
        cur[ends] = delta[rows][ends].argmax(axis=1)
        path[rows] = cur[:n]
        cur[:n] = back[rows][np.arange(n), cur[:n]]
    return path
