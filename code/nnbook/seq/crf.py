r"""Linear-chain conditional random fields :cite:p:`lafferty2001,sutton2012`.

For an input sequence :math:`x` of length T and labels :math:`y \in \{0..L-1\}^T`,

.. math:: p(y\mid x) = \frac{1}{Z(x)} \exp\Big(\sum_{t=1}^{T} e_t(y_t) + \sum_{t=2}^{T} \tau_{y_{t-1}y_t}\Big),
   \qquad e_t(\ell) = \sum_a x_{ta}\, W_{a\ell},

with sparse input features :math:`x_{ta}` (attribute a of token t), state weights ``W``
(n_attributes, L) and transition weights ``trans`` (L, L) -- the feature functions
:math:`f(y_t, x, t) = x_{ta}[y_t=\ell]` and :math:`g(y_{t-1}, y_t) = [y_{t-1}=i, y_t=j]`.
Compared with an HMM, :math:`\log\pi` becomes 0, :math:`\log A` becomes ``trans`` and
:math:`\log b_j(o_t)` becomes the free score :math:`e_t(j)`; so the single-sequence
functions reuse :func:`nnbook.seq.hmm.log_forward`, :func:`~nnbook.seq.hmm.log_backward`,
:func:`~nnbook.seq.hmm.log_viterbi` unchanged:

* evaluation: :func:`log_partition` (:math:`\log Z` by the forward algorithm), :func:`marginals`;
* decoding: :func:`viterbi`;
* learning: :func:`objective_and_gradient`, the L2-regularised negative log-likelihood
  :math:`-\sum_n \log p(y^{(n)}\mid x^{(n)}) + c_2\lVert\theta\rVert^2` (CRFsuite's
  convention, :cite:p:`okazaki2007`) and its gradient, *expected minus empirical* feature
  counts plus :math:`2c_2\theta`. The objective is convex; :class:`LinearChainCRF` minimises
  it with L-BFGS (scipy).

For speed, training runs forward--backward on all sequences at once: the tokens are
"packed" time-major (sequences sorted by length, as ``torch.nn.utils.rnn.pack_sequence``),
so step t is one small matrix product over the sequences still running, in scaled
probability space :cite:p:`rabiner1989` (a sequence whose potentials span more than
~645 nats, where that would underflow, is redone exactly in log space); feature
expectations are one sparse product :math:`X^\top\gamma`. No Python loop runs over features, tokens or sequences.

Book chapter: ``book/ch6-sequence-models/04-crf.ipynb``.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import sparse

from nnbook.seq import hmm
from nnbook.seq.hmm import SAFE


# ------------------------------------------------------------ one sequence, log space
def _check_potentials(emit, trans):
    emit, trans = np.asarray(emit, dtype=np.float64), np.asarray(trans, dtype=np.float64)
    if emit.ndim != 2 or emit.shape[0] == 0:
        raise ValueError(f"emit must have shape (T, L) with T >= 1, got {emit.shape}")
    if trans.shape != (emit.shape[1],) * 2:
        raise ValueError(f"trans must have shape (L, L) = {(emit.shape[1],) * 2}, got {trans.shape}")
    return emit, trans


def log_partition(emit, trans):
    r"""``(log_alpha (T, L), log_Z)``: :math:`\log\alpha_t(j)=\log\sum_i\alpha_{t-1}(i)e^{\tau_{ij}}+e_t(j)`."""
    emit, trans = _check_potentials(emit, trans)
    return hmm.log_forward(np.zeros(emit.shape[1]), trans, emit)


def marginals(emit, trans):
    r"""Node marginals :math:`p(y_t{=}j\mid x)` (T, L), edge marginals (T-1, L, L), and :math:`\log Z`."""
    emit, trans = _check_potentials(emit, trans)
    log_alpha, log_Z = hmm.log_forward(np.zeros(emit.shape[1]), trans, emit)
    log_beta = hmm.log_backward(trans, emit)
    node = np.exp(log_alpha + log_beta - log_Z)
    edge = np.exp(log_alpha[:-1, :, None] + trans[None] + (emit[1:] + log_beta[1:])[:, None, :] - log_Z)
    return node, edge, log_Z


def sequence_score(emit, trans, y) -> float:
    r"""Unnormalised log-score :math:`\sum_{t=1}^T e_t(y_t) + \sum_{t=2}^T \tau_{y_{t-1}y_t}`.

    ``emit`` (T, L), ``trans`` (L, L), ``y`` (T,) labels in ``[0, L)``; ``ValueError`` unless
    ``y`` has exactly one label per row of ``emit``.
    """
    emit, trans = _check_potentials(emit, trans)
    y = hmm.check_obs(y, emit.shape[1], name="y")
    if len(y) != len(emit):
        raise ValueError(f"y must have one label per row of emit ({len(emit)}), got {len(y)} labels")
    return float(emit[np.arange(len(y)), y].sum() + trans[y[:-1], y[1:]].sum())


def viterbi(emit, trans):
    """Best label sequence (T,) and its score, by :func:`nnbook.seq.hmm.log_viterbi`."""
    emit, trans = _check_potentials(emit, trans)
    return hmm.log_viterbi(np.zeros(emit.shape[1]), trans, emit)


def brute_force(emit, trans, max_paths: int = 2_000_000):
    r"""Reference by enumerating all :math:`L^T` labelings: ``(log_Z, node_marginals, best_path)``.

    :math:`\log Z = \log\sum_y e^{s(y)}` with :math:`s` the :func:`sequence_score`; node
    marginals :math:`p(y_t = \ell) = \sum_{y: y_t = \ell} e^{s(y) - \log Z}`. For tests on
    short chains: ``ValueError`` when :math:`L^T` exceeds ``max_paths`` (as
    :func:`nnbook.seq.hmm.brute_force`), instead of running for ever.
    """
    emit, trans = _check_potentials(emit, trans)
    T, L = emit.shape
    if int(L) ** int(T) > max_paths:
        raise ValueError(f"L**T = {L}**{T} labelings exceeds max_paths = {max_paths}")
    paths = np.array(list(itertools.product(range(L), repeat=T))).reshape(-1, T)
    scores = emit[np.arange(T), paths].sum(1) + trans[paths[:, :-1], paths[:, 1:]].sum(1)
    log_Z = float(np.logaddexp.reduce(scores))
    p = np.exp(scores - log_Z)
    node = np.stack([np.bincount(paths[:, t], weights=p, minlength=L) for t in range(T)])
    return log_Z, node, paths[np.argmax(scores)]


# ------------------------------------------------------------ many sequences, packed
class Packing:
    """Time-major layout of variable-length sequences, longest first.

    Token ``t`` of the ``r``-th longest sequence sits at row ``offsets[t] + r``;
    ``order`` maps packed rows to rows of the concatenated input, ``n_active[t]`` is the
    number of sequences longer than t.
    """

    def __init__(self, lengths):
        raw = np.asarray(lengths)
        if raw.ndim != 1 or raw.size == 0:
            raise ValueError(f"lengths must be a non-empty list of positive ints, got {lengths!r}")
        if raw.dtype == bool or not np.issubdtype(raw.dtype, np.integer):
            values = raw.tolist()
            bad = next((v for v in values if isinstance(v, bool) or not isinstance(v, (int, float))
                        or not float(v).is_integer()), values[0])  # show a non-integral value if there is one
            raise TypeError(f"lengths must be ints, got {bad!r} (dtype {raw.dtype})")
        lengths = raw.astype(np.int64)
        if (lengths < 1).any():
            raise ValueError(f"lengths must be a non-empty list of positive ints, got {lengths}")
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

    def rows(self, t: int) -> slice:
        return slice(self.offsets[t], self.offsets[t] + self.n_active[t])


def forward_backward_packed(emit, trans, packing: Packing):
    r"""Scaled forward--backward on packed tokens, exact over any dynamic range.

    Parameters
    ----------
    emit : ndarray (n_tokens, L)
        Emission scores :math:`e_t(\ell)` in packed order (``-inf`` allowed: an impossible
        label, as in an HMM with zeros).
    trans : ndarray (L, L)
        Transition scores :math:`\tau_{ij}` (``-inf`` allowed).
    packing : Packing

    Returns
    -------
    gamma : ndarray (n_tokens, L)
        Node marginals :math:`\gamma_t(j) = p(y_t = j \mid x)`.
    xi : ndarray (L, L)
        Edge marginals :math:`\sum_n \sum_t p(y_{t-1} = i, y_t = j \mid x^{(n)})`.
    log_Z : float
        :math:`\sum_n \log Z(x^{(n)})`.

    Notes
    -----
    With :math:`\psi_t = e^{e_t - m_t}` (:math:`m_t = \max_j e_t(j)`) and
    :math:`M = e^{\tau - \max\tau}`: :math:`a_t = (\hat\alpha_{t-1}M)\odot\psi_t`,
    :math:`c_t = \sum_j a_t(j)`, :math:`\hat\alpha_t = a_t / c_t`;
    :math:`\hat\beta_{t-1} = M(\psi_t\odot\hat\beta_t)/c_t`; :math:`\gamma_t = \hat\alpha_t\odot\hat\beta_t`,
    :math:`\xi = M \odot \sum_t \hat\alpha_{t-1}^\top (\psi_t\odot\hat\beta_t / c_t)` and
    :math:`\log Z = \sum_t (\log c_t + m_t) + (T-1)\max\tau` :cite:p:`rabiner1989`.

    In probability space a term underflows when a score is more than ~745 below the
    largest. The result is trusted only for sequences where every possible entry of
    :math:`a_t` and of :math:`\hat\beta_t` (on labels with :math:`\hat\alpha_t > 0`) is at
    least :data:`nnbook.seq.hmm.SAFE` and every :math:`\hat\beta_t` is finite: the underflowed
    terms are then below 1e-308 and negligible. ("Possible" means reachable with finite
    scores; with all scores finite, every entry is.) The other sequences -- a label that
    trails by more than ~645 nats and later matters -- are recomputed exactly, one at a
    time, by the log-space :func:`nnbook.seq.hmm.log_forward` and :func:`~nnbook.seq.hmm.log_backward`.
    Ordinary inputs take only the fast path.
    """
    emit, trans = _check_packed(emit, trans, packing)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        m = emit.max(axis=1, keepdims=True)
        psi, tmax = np.exp(emit - m), trans.max()
        M = np.exp(trans - tmax)
        alpha, c = np.empty_like(psi), np.empty(len(psi))
        least = math.inf  # the smallest a_t(j) and beta_t(i) seen: usually decides exactness at once
        prev = None
        for t in range(len(packing.n_active)):
            rows, n = packing.rows(t), packing.n_active[t]
            a = psi[rows] if prev is None else (alpha[prev][:n] @ M) * psi[rows]
            least = np.minimum(least, a.min())  # (np.minimum keeps a nan; min() would drop it)
            c[rows] = a.sum(axis=1)  # 0 only for a sequence of probability 0 (an HMM with zeros)
            alpha[rows] = a / np.where(c[rows] > 0, c[rows], 1.0)[:, None]
            prev = rows
        scale = np.where(c > 0, c, 1.0)
        beta, xi = np.ones_like(psi), np.zeros_like(M)
        largest = 1.0
        for t in range(len(packing.n_active) - 1, 0, -1):
            rows, n = packing.rows(t), packing.n_active[t]
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
        node, edge, log_Z_r = hmm._exact_marginals(np.zeros(emit.shape[1]), trans, emit[rows])
        gamma[rows] = node
        xi += edge
        log_Z += log_Z_r
    return gamma, xi, float(log_Z)


def _inexact_sequences(emit, trans, packing: Packing, alpha, c, beta) -> np.ndarray:
    r"""Which sequences (by rank, longest first) the scaled pass may have got wrong.

    A sequence is trusted when, at every token, each *possible* unnormalised forward entry
    :math:`a_t(j) = c_t\hat\alpha_t(j)` is at least :data:`nnbook.seq.hmm.SAFE`, each
    :math:`\hat\beta_t` is finite, and :math:`\hat\beta_t(i) \ge` SAFE wherever
    :math:`\hat\alpha_t(i) > 0` and label i can reach the end. An entry is possible when
    its score is finite and some predecessor with :math:`\hat\alpha_{t-1} > 0` reaches it by
    a finite transition (once the earlier tokens are trusted, ``> 0`` is exact); likewise
    backward. With all scores finite every entry is possible and these products are skipped.
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


def _check_packed(emit, trans, packing: Packing):
    emit, trans = np.asarray(emit, dtype=np.float64), np.asarray(trans, dtype=np.float64)
    n_tokens = int(packing.offsets[-1])
    if emit.ndim != 2 or emit.shape[0] != n_tokens:
        raise ValueError(f"emit must have one row per packed token, shape ({n_tokens}, L) for this packing, got {emit.shape}")
    if trans.shape != (emit.shape[1],) * 2:
        raise ValueError(f"trans must have shape (L, L) = {(emit.shape[1],) * 2}, got {trans.shape}")
    return emit, trans


def viterbi_packed(emit, trans, packing: Packing) -> np.ndarray:
    r"""Best labels of every packed sequence at once, (n_tokens,) in packed order.

    The max-product recursion :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \tau_{ij}] + e_t(j)`,
    :math:`\delta_1 = e_1`, one step for all sequences still running, then backtracking from
    :math:`\arg\max_j \delta_{T_n}(j)` of each sequence. ``emit`` must have exactly one row
    per packed token (``ValueError`` otherwise).
    """
    emit, trans = _check_packed(emit, trans, packing)
    delta, back = np.empty_like(emit), np.zeros(emit.shape, dtype=np.int64)
    delta[packing.rows(0)] = emit[packing.rows(0)]
    for t in range(1, len(packing.n_active)):
        rows, n = packing.rows(t), packing.n_active[t]
        scores = delta[packing.rows(t - 1)][:n, :, None] + trans[None]
        back[rows] = scores.argmax(axis=1)
        delta[rows] = np.take_along_axis(scores, back[rows][:, None, :], axis=1)[:, 0] + emit[rows]
    path, cur = np.empty(len(emit), dtype=np.int64), np.zeros(len(packing.lengths), dtype=np.int64)
    for t in range(len(packing.n_active) - 1, -1, -1):
        rows, n = packing.rows(t), packing.n_active[t]
        ends = np.flatnonzero(packing.lengths[:n] == t + 1)
        cur[ends] = delta[rows][ends].argmax(axis=1)
        path[rows] = cur[:n]
        cur[:n] = back[rows][np.arange(n), cur[:n]]
    return path


def _state_weights(theta_state, n_attributes: int, n_labels: int, state_pairs):
    """The (n_attributes, L) state-weight matrix: dense, or sparse on the given (attribute, label) pairs."""
    if state_pairs is None:
        return theta_state.reshape(n_attributes, n_labels)
    return sparse.csr_matrix((theta_state, state_pairs), shape=(n_attributes, n_labels))


def empirical_counts(X, y, packing: Packing, n_labels: int, state_pairs=None) -> np.ndarray:
    r"""Feature counts of the true labels, :math:`F(x, y)` summed over the data, as a ``theta``-shaped vector."""
    Y = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), y)), shape=(len(y), n_labels))
    emp_state = (X.T @ Y).toarray()
    emp_trans = np.zeros((n_labels, n_labels))
    np.add.at(emp_trans, (y[packing.prev], y[packing.next]), 1.0)
    emp_state = emp_state.ravel() if state_pairs is None else emp_state[state_pairs]
    return np.concatenate([emp_state, emp_trans.ravel()])


def objective_and_gradient(theta, X, y, packing: Packing, n_labels: int, c2: float, empirical=None, state_pairs=None):
    r"""L2-regularised negative log-likelihood and its gradient, for L-BFGS.

    ``theta`` = [state weights, trans.ravel()]; the state weights are W.ravel() (one per
    attribute and label), or one per (attribute, label) pair of ``state_pairs`` (two index
    arrays), the pairs seen in training. ``X`` sparse (n_tokens, n_attributes) and ``y``
    (n_tokens,) are in packed order. As the score is linear in :math:`\theta`,
    :math:`f = \sum_n\log Z(x^{(n)}) - \theta^\top F + c_2\lVert\theta\rVert^2` with
    :math:`F` the empirical counts (pass them as ``empirical`` to avoid recomputing), and
    :math:`\nabla f = \mathbb E[F] - F + 2c_2\theta`: expected minus empirical counts,
    :math:`X^\top\gamma` for state weights and :math:`\sum\xi` for transitions.
    """
    L = n_labels
    W = _state_weights(theta[: -L * L], X.shape[1], L, state_pairs)
    trans = theta[-L * L :].reshape(L, L)
    if empirical is None:
        empirical = empirical_counts(X, y, packing, L, state_pairs)
    emit = X @ W
    gamma, xi, log_Z = forward_backward_packed(emit.toarray() if sparse.issparse(emit) else emit, trans, packing)
    f = log_Z - theta @ empirical + c2 * (theta @ theta)
    expected_state = np.asarray(X.T @ gamma)
    expected_state = expected_state.ravel() if state_pairs is None else expected_state[state_pairs]
    return f, np.concatenate([expected_state, xi.ravel()]) - empirical + 2 * c2 * theta


from nnbook.seq.crf_estimator import LinearChainCRF# noqa: E402  (the estimator wraps the functions above)

__all__ = [
    "LinearChainCRF", "Packing", "brute_force", "empirical_counts", "forward_backward_packed", "log_partition",
    "marginals", "objective_and_gradient", "sequence_score", "viterbi", "viterbi_packed",
]
