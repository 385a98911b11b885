r"""Linear-chain conditional random fields :cite:p:`lafferty2001,sutton2012`.

For an input sequence :math:`x` of length T and labels :math:`y \in \{0..L-1\}^T`,

.. math:: p(y\mid x) = \frac{1}{Z(x)} \exp\Big(\sum_{t=1}^{T} e_t(y_t) + \sum_{t=2}^{T} \tau_{y_{t-1}y_t}\Big),
   \qquad e_t(\ell) = \sum_a x_{ta}\, W_{a\ell},

with sparse input features :math:`x_{ta}` (attribute a of token t), state weights ``W``
(n_attributes, L) and transition weights ``trans`` (L, L) -- the feature functions
:math:`f(y_t, x, t) = x_{ta}[y_t=\ell]` and :math:`g(y_{t-1}, y_t) = [y_{t-1}=i, y_t=j]`.
Compared with an HMM, :math:`\log\pi` becomes 0, :math:`\log A` becomes ``trans`` and
:math:`\log b_j(o_t)` becomes the free score :math:`e_t(j)`; so the single-sequence
functions reuse :func:`nnbook.hmm.log_forward`, :func:`~nnbook.hmm.log_backward`,
:func:`~nnbook.hmm.log_viterbi` unchanged:

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
probability space :cite:p:`rabiner1989`; feature expectations are one sparse product
:math:`X^\top\gamma`. No Python loop runs over features, tokens or sequences.

Book chapter: ``book/ch6-sequence-models/04-crf.ipynb``.
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy import sparse

from nnbook import hmm


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
    r"""Unnormalised log-score :math:`\sum_t e_t(y_t) + \sum_t \tau_{y_{t-1}y_t}`."""
    emit, trans = _check_potentials(emit, trans)
    y = hmm.check_obs(y, emit.shape[1], name="y")
    return float(emit[np.arange(len(y)), y].sum() + trans[y[:-1], y[1:]].sum())


def viterbi(emit, trans):
    """Best label sequence (T,) and its score, by :func:`nnbook.hmm.log_viterbi`."""
    emit, trans = _check_potentials(emit, trans)
    return hmm.log_viterbi(np.zeros(emit.shape[1]), trans, emit)


def brute_force(emit, trans):
    """Reference by enumerating all :math:`L^T` labelings: ``(log_Z, node_marginals, best_path)``."""
    emit, trans = _check_potentials(emit, trans)
    T, L = emit.shape
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
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.ndim != 1 or len(lengths) == 0 or (lengths < 1).any():
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
    r"""Scaled forward--backward on packed tokens.

    ``emit`` (n_tokens, L) in packed order. Returns node marginals :math:`\gamma`
    (n_tokens, L), edge marginals summed over all positions and sequences (L, L), and
    :math:`\sum_n \log Z(x^{(n)})`. With :math:`\psi_t = e^{e_t - m_t}`,
    :math:`M = e^{\tau - \max\tau}`: :math:`\hat\alpha_t \propto (\hat\alpha_{t-1}M)\odot\psi_t`
    with normaliser :math:`c_t`, :math:`\hat\beta_{t-1} = M(\psi_t\odot\hat\beta_t)/c_t`,
    :math:`\gamma_t = \hat\alpha_t\odot\hat\beta_t`.
    """
    m = emit.max(axis=1, keepdims=True)
    psi, tmax = np.exp(emit - m), trans.max()
    M = np.exp(trans - tmax)
    alpha, c = np.empty_like(psi), np.empty(len(psi))
    prev = None
    for t in range(len(packing.n_active)):
        rows, n = packing.rows(t), packing.n_active[t]
        a = psi[rows] if prev is None else (alpha[prev][:n] @ M) * psi[rows]
        c[rows] = a.sum(axis=1)  # 0 only for a sequence of probability 0 (an HMM with zeros)
        alpha[rows] = a / np.where(c[rows] > 0, c[rows], 1.0)[:, None]
        prev = rows
    scale = np.where(c > 0, c, 1.0)
    beta, xi = np.ones_like(psi), np.zeros_like(M)
    for t in range(len(packing.n_active) - 1, 0, -1):
        rows, n = packing.rows(t), packing.n_active[t]
        nxt = psi[rows] * beta[rows] / scale[rows, None]
        before = slice(packing.offsets[t - 1], packing.offsets[t - 1] + n)
        beta[before] = nxt @ M.T
        xi += alpha[before].T @ nxt
    with np.errstate(divide="ignore"):
        log_Z = np.log(c).sum() + m.sum() + packing.n_transitions * tmax
    return alpha * beta, xi * M, float(log_Z)


def viterbi_packed(emit, trans, packing: Packing) -> np.ndarray:
    """Best labels of every packed sequence at once, (n_tokens,) in packed order."""
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


from nnbook.crf_estimator import LinearChainCRF  # noqa: E402  (the estimator wraps the functions above)

__all__ = [
    "LinearChainCRF", "Packing", "brute_force", "empirical_counts", "forward_backward_packed", "log_partition",
    "marginals", "objective_and_gradient", "sequence_score", "viterbi", "viterbi_packed",
]
