r"""Linear-chain conditional random fields :cite:p:`lafferty2001,sutton2012`.

For an input sequence :math:`x` of length T and labels :math:`y \in \{0..L-1\}^T`,

.. math:: p(y\mid x) = \frac{1}{Z(x)} \exp\Big(\sum_{t=1}^{T} e_t(y_t) + \sum_{t=2}^{T} \tau_{y_{t-1}y_t}\Big),
   \qquad e_t(\ell) = \sum_a x_{ta}\, W_{a\ell},

with sparse input features :math:`x_{ta}` (attribute a of token t), state weights ``W``
(n_attributes, L) and transition weights ``trans`` (L, L) -- the feature functions
:math:`f(y_t, x, t) = x_{ta}[y_t=\ell]` and :math:`g(y_{t-1}, y_t) = [y_{t-1}=i, y_t=j]`.
Compared with an HMM, :math:`\log\pi` becomes 0, :math:`\log A` becomes ``trans`` and
:math:`\log b_j(o_t)` becomes the free score :math:`e_t(j)`: a CRF is the chain of
:mod:`nnbook.seq.chain` with ``log_start`` = 0, ``log_trans`` = ``trans`` and ``log_emit`` =
``emit``, and every function here is a thin layer over its recursions
(:func:`~nnbook.seq.chain.forward`, :func:`~nnbook.seq.chain.backward`,
:func:`~nnbook.seq.chain.viterbi`, the packed versions), the same ones the HMM uses:

* evaluation: :func:`log_partition` (:math:`\log Z` by the forward algorithm), :func:`marginals`;
* decoding: :func:`viterbi`;
* learning: :func:`objective_and_gradient`, the L2-regularised negative log-likelihood
  :math:`-\sum_n \log p(y^{(n)}\mid x^{(n)}) + c_2\lVert\theta\rVert^2` (CRFsuite's
  convention, :cite:p:`okazaki2007`) and its gradient, *expected minus empirical* feature
  counts plus :math:`2c_2\theta`. The objective is convex;
  :class:`~nnbook.seq.crf_estimator.LinearChainCRF` (in :mod:`nnbook.seq.crf_estimator`)
  minimises it with L-BFGS (scipy).

For speed, training runs forward--backward on all sequences at once: the tokens are
"packed" time-major (sequences sorted by length, as ``torch.nn.utils.rnn.pack_sequence``),
so step t is one small matrix product over the sequences still running, in scaled
probability space :cite:p:`rabiner1989` (a sequence whose potentials span more than
~645 nats, where that would underflow, is redone exactly in log space): :class:`Packing`,
:func:`forward_backward_packed` and :func:`viterbi_packed` are those of
:mod:`nnbook.seq.chain`. Feature expectations are one sparse product :math:`X^\top\gamma`.
No Python loop runs over features, tokens or sequences.

Potentials may be ``-inf`` (a forbidden label or transition); NaN and ``+inf`` are refused.

Book chapter: ``book/ch6-sequence-models/04-crf.ipynb``.
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy import sparse

from nnbook._validation import check_array, check_enumeration, check_int, check_labels, check_log_array, check_number
from nnbook.seq import chain
from nnbook.seq.chain import Packing


# ------------------------------------------------------------ one sequence, log space
def _check_potentials(emit, trans):
    """``emit`` (T, L) with T >= 1 and ``trans`` (L, L), float64; ``-inf`` allowed, NaN and +inf not."""
    emit = check_log_array("emit", emit, ndim=2)  # (not empty: T >= 1, L >= 1)
    trans = check_log_array("trans", trans, ndim=2)
    if trans.shape != (emit.shape[1],) * 2:
        raise ValueError(f"trans must have shape (L, L) = {(emit.shape[1],) * 2} to match emit, got {trans.shape}")
    return emit, trans


def log_partition(emit, trans):
    r"""``(log_alpha (T, L), log_Z)``: :math:`\log\alpha_t(j)=\log\sum_i\alpha_{t-1}(i)e^{\tau_{ij}}+e_t(j)`."""
    emit, trans = _check_potentials(emit, trans)
    return chain.forward(np.zeros(emit.shape[1]), trans, emit)


def marginals(emit, trans):
    r"""Node marginals :math:`p(y_t{=}j\mid x)` (T, L), edge marginals (T-1, L, L), and :math:`\log Z`.

    :math:`p(y_{t-1}{=}i, y_t{=}j\mid x) = \alpha_{t-1}(i)\,e^{\tau_{ij} + e_t(j)}\,\beta_t(j) / Z`
    (Sutton & McCallum 2012, sec. 4.1), by :func:`nnbook.seq.chain.marginals`. ``ValueError``
    when every labeling has score ``-inf`` (the marginals are undefined).
    """
    emit, trans = _check_potentials(emit, trans)
    node, edge, log_Z = chain.marginals(np.zeros(emit.shape[1]), trans, emit, per_step=True)
    if not np.isfinite(log_Z):
        raise ValueError("every labeling has score -inf under these potentials (emit, trans): no marginals")
    return node, edge, log_Z


def sequence_score(emit, trans, y) -> float:
    r"""Unnormalised log-score :math:`\sum_{t=1}^T e_t(y_t) + \sum_{t=2}^T \tau_{y_{t-1}y_t}`.

    ``emit`` (T, L), ``trans`` (L, L), ``y`` (T,) labels in ``[0, L)``; ``ValueError`` unless
    ``y`` has exactly one label per row of ``emit``.
    """
    emit, trans = _check_potentials(emit, trans)
    y = check_labels("y", y, emit.shape[1])
    if len(y) != len(emit):
        raise ValueError(f"y must have one label per row of emit ({len(emit)}), got {len(y)} labels")
    return float(emit[np.arange(len(y)), y].sum() + trans[y[:-1], y[1:]].sum())


def viterbi(emit, trans):
    r"""Best label sequence (T,) and its score, by :func:`nnbook.seq.chain.viterbi`.

    :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \tau_{ij}] + e_t(j)`; ties go to the lowest label.
    """
    emit, trans = _check_potentials(emit, trans)
    return chain.viterbi(np.zeros(emit.shape[1]), trans, emit)


def brute_force(emit, trans, max_paths: int = 2_000_000):
    r"""Reference by enumerating all :math:`L^T` labelings: ``(log_Z, node_marginals, best_path)``.

    :math:`\log Z = \log\sum_y e^{s(y)}` with :math:`s` the :func:`sequence_score`; node
    marginals :math:`p(y_t = \ell) = \sum_{y: y_t = \ell} e^{s(y) - \log Z}`. For tests on
    short chains. Limit: ``ValueError`` when :math:`L^T` exceeds ``max_paths`` (default
    2,000,000, about a second; 30 tokens of 2 labels are 1e9), instead of running for ever.
    """
    emit, trans = _check_potentials(emit, trans)
    max_paths = check_int("max_paths", max_paths, low=1)
    T, L = emit.shape
    check_enumeration("emit", int(L) ** int(T), max_paths, f"labelings (L**T = {L}**{T}; max_paths)")
    paths = np.array(list(itertools.product(range(L), repeat=T))).reshape(-1, T)
    scores = emit[np.arange(T), paths].sum(1) + trans[paths[:, :-1], paths[:, 1:]].sum(1)
    log_Z = float(chain.logsumexp(scores, axis=0))
    if not np.isfinite(log_Z):
        raise ValueError("every labeling has score -inf under these potentials (emit, trans): no marginals")
    p = np.exp(scores - log_Z)
    node = np.stack([np.bincount(paths[:, t], weights=p, minlength=L) for t in range(T)])
    return log_Z, node, paths[np.argmax(scores)]


# ------------------------------------------------------------ many sequences, packed
def _check_packed(emit, trans, packing):
    Packing.check(packing)
    emit, trans = _check_potentials(emit, trans)
    return packing.check_rows("emit", emit, columns="L"), trans


def forward_backward_packed(emit, trans, packing: Packing):
    r"""Node marginals (n_tokens, L), summed edge marginals (L, L) and :math:`\sum_n\log Z(x^{(n)})` of packed sentences.

    ``emit`` (n_tokens, L) in packed order (one row per packed token), ``trans`` (L, L);
    :func:`nnbook.seq.chain.forward_backward_packed` with ``log_start`` = 0: scaled, exact over
    any dynamic range.
    """
    emit, trans = _check_packed(emit, trans, packing)
    return chain.forward_backward_packed(None, trans, emit, packing)


def viterbi_packed(emit, trans, packing: Packing) -> np.ndarray:
    r"""Best labels of every packed sentence at once, (n_tokens,) in packed order.

    ``emit`` must have exactly one row per packed token (``ValueError`` otherwise);
    :func:`nnbook.seq.chain.viterbi_packed` with ``log_start`` = 0.
    """
    emit, trans = _check_packed(emit, trans, packing)
    return chain.viterbi_packed(None, trans, emit, packing)


# ------------------------------------------------------------------------ learning
def state_weights(theta_state, n_attributes: int, n_labels: int, state_pairs=None):
    """The (n_attributes, L) state-weight matrix ``W``: dense from ``W.ravel()``, or sparse on the
    given (attribute, label) pairs (two int arrays, one weight each)."""
    theta_state = check_array("theta_state", theta_state, ndim=1, allow_empty=True)
    n_attributes, n_labels = check_int("n_attributes", n_attributes, low=1), check_int("n_labels", n_labels, low=1)
    if state_pairs is None:
        if theta_state.size != n_attributes * n_labels:
            raise ValueError(f"theta_state must have n_attributes * n_labels = {n_attributes * n_labels} entries, "
                             f"got {theta_state.size}")
        return theta_state.reshape(n_attributes, n_labels)
    rows, cols = _check_pairs(state_pairs, n_attributes, n_labels)
    if theta_state.size != len(rows):
        raise ValueError(f"theta_state must have one entry per state pair ({len(rows)}), got {theta_state.size}")
    return sparse.csr_matrix((theta_state, (rows, cols)), shape=(n_attributes, n_labels))


def _check_pairs(state_pairs, n_attributes: int, n_labels: int):
    if not isinstance(state_pairs, (tuple, list)) or len(state_pairs) != 2:
        raise TypeError(f"state_pairs must be None or two int arrays (attributes, labels), got {type(state_pairs).__name__}")
    empty = np.size(state_pairs[0]) == 0 and np.size(state_pairs[1]) == 0  # no feature seen in training
    rows = np.zeros(0, dtype=np.int64) if empty else check_labels("state_pairs[0]", state_pairs[0], n_attributes)
    cols = np.zeros(0, dtype=np.int64) if empty else check_labels("state_pairs[1]", state_pairs[1], n_labels)
    if rows.shape != cols.shape:
        raise ValueError(f"state_pairs[0] and state_pairs[1] must have the same length, got {len(rows)} and {len(cols)}")
    return rows, cols


def _check_data(X, y, packing, n_labels):
    """``X`` (n_tokens, n_attributes), sparse or dense, and ``y`` labels, both in packed order."""
    if not isinstance(packing, Packing):
        raise TypeError(f"packing must be a Packing, got {type(packing).__name__}")
    n_labels = check_int("n_labels", n_labels, low=1)
    if sparse.issparse(X):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        check_array("X", X.data, ndim=1, allow_empty=True)
    else:
        X = check_array("X", X, ndim=2)
    if X.shape[0] != packing.n_tokens:
        raise ValueError(f"X must have one row per packed token ({packing.n_tokens}), got shape {X.shape}")
    y = check_labels("y", y, n_labels)
    if len(y) != packing.n_tokens:
        raise ValueError(f"y must have one label per packed token ({packing.n_tokens}), got {len(y)}")
    return X, y, n_labels


def empirical_counts(X, y, packing: Packing, n_labels: int, state_pairs=None) -> np.ndarray:
    r"""Feature counts of the true labels, :math:`F(x, y)` summed over the data, as a ``theta``-shaped vector.

    ``X`` (n_tokens, n_attributes) and ``y`` (n_tokens,) in packed order; state counts
    :math:`X^\top Y` (``Y`` the one-hot labels), on ``state_pairs`` only if given, then the
    transition counts (L, L), raveled.
    """
    X, y, n_labels = _check_data(X, y, packing, n_labels)
    if state_pairs is not None:
        state_pairs = _check_pairs(state_pairs, X.shape[1], n_labels)
    Y = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), y)), shape=(len(y), n_labels))
    emp_state = X.T @ Y
    emp_state = emp_state.toarray() if sparse.issparse(emp_state) else np.asarray(emp_state)
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
    :math:`X^\top\gamma` for state weights and :math:`\sum\xi` for transitions
    (Sutton & McCallum 2012, sec. 5.1). ``c2`` >= 0.
    """
    X, y, L = _check_data(X, y, packing, n_labels)
    c2 = check_number("c2", c2, low=0.0)
    theta = check_array("theta", theta, ndim=1)
    if state_pairs is not None:
        state_pairs = _check_pairs(state_pairs, X.shape[1], L)
    n_state = X.shape[1] * L if state_pairs is None else len(state_pairs[0])
    if theta.shape != (n_state + L * L,):
        raise ValueError(f"theta must have {n_state} state weights + L * L = {L * L} transition weights "
                         f"= {n_state + L * L} entries, got {theta.shape}")
    W = state_weights(theta[: -L * L], X.shape[1], L, state_pairs)
    trans = theta[-L * L :].reshape(L, L)
    if empirical is None:
        empirical = empirical_counts(X, y, packing, L, state_pairs)
    else:
        empirical = check_array("empirical", empirical, shape=theta.shape)
    emit = X @ W
    gamma, xi, log_Z = forward_backward_packed(emit.toarray() if sparse.issparse(emit) else emit, trans, packing)
    f = log_Z - theta @ empirical + c2 * (theta @ theta)
    expected_state = np.asarray(X.T @ gamma)
    expected_state = expected_state.ravel() if state_pairs is None else expected_state[state_pairs]
    return f, np.concatenate([expected_state, xi.ravel()]) - empirical + 2 * c2 * theta


__all__ = [
    "Packing", "brute_force", "empirical_counts", "forward_backward_packed", "log_partition", "marginals",
    "objective_and_gradient", "sequence_score", "state_weights", "viterbi", "viterbi_packed",
]
