r"""Discrete-emission hidden Markov models, in log space.

A model is :math:`\lambda = (\pi, A, B)`: start probabilities ``pi`` (N,), transition
matrix ``A`` (N, N) with :math:`a_{ij} = P(s_{t+1}=j \mid s_t=i)`, emission matrix ``B``
(N, M) with :math:`b_j(k) = P(o_t=k \mid s_t=j)`; observations ``obs`` (T,) are ints in
``[0, M)``. The three problems of :cite:t:`rabiner1989`:

* evaluation -- :func:`forward_log` (:math:`\log P(O \mid \lambda)`), :func:`backward_log`;
* decoding -- :func:`viterbi` :cite:p:`viterbi1967` (one best path), :func:`posterior`
  (per-step marginals), :func:`greedy_decode` (a left-to-right shortcut, for contrast);
* learning -- :func:`supervised_mle` (counting, from tagged sequences) and
  :func:`baum_welch` :cite:p:`baum1970` (EM, from observations alone).

Every recursion works on log-potentials (``log_pi``, ``log_A`` and a (T, N) matrix
``log_b`` of per-step emission scores), so a 100,000-step sequence does not underflow, a
state thousands of nats behind the others is kept exactly (a step falls back to log-sum-exp
where the fast vector--matrix product would underflow), and
the linear-chain CRF (:mod:`nnbook.seq.crf`) reuses the same three engines,
:func:`log_forward`, :func:`log_backward`, :func:`log_viterbi`. The estimator
:class:`CategoricalHMM` (in :mod:`nnbook.seq.hmm_estimator`) wraps them with hmmlearn's API.

Book chapter: ``book/ch6-sequence-models/`` (pages 02 and 03).
"""
from __future__ import annotations

import itertools

import numpy as np


# ----------------------------------------------------------------------------- validation
def _as_real(name: str, value, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values: {arr}")
    return arr


def check_stochastic(name: str, P, ndim: int, atol: float = 1e-8) -> np.ndarray:
    """Return ``P`` as float64 after checking it is a (row-)stochastic vector/matrix.

    Raises ``ValueError`` naming ``name`` for negative entries (showing one) or for rows
    whose sum is not 1 within ``atol`` (showing the sums).
    """
    P = _as_real(name, P, ndim)
    if P.size == 0:
        raise ValueError(f"{name} is empty, got shape {P.shape}")
    if (P < 0).any():
        idx = tuple(int(i) for i in np.argwhere(P < 0)[0])
        raise ValueError(f"{name} has negative probabilities, e.g. {name}{list(idx)} = {P[idx]:g}")
    sums = P.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=atol):
        raise ValueError(f"rows of {name} must sum to 1, got sums {np.array2string(np.atleast_1d(sums), precision=6)}")
    return P


def check_params(pi, A, B):
    """Validate an HMM ``(pi, A, B)`` and return float64 copies (see :func:`check_stochastic`)."""
    pi, A, B = check_stochastic("pi", pi, 1), check_stochastic("A", A, 2), check_stochastic("B", B, 2)
    N = len(pi)
    if A.shape != (N, N):
        raise ValueError(f"A must have shape (N, N) = ({N}, {N}) to match pi, got {A.shape}")
    if B.shape[0] != N:
        raise ValueError(f"B must have N = {N} rows to match pi, got shape {B.shape}")
    return pi, A, B


def check_obs(obs, n_symbols: int, name: str = "obs") -> np.ndarray:
    """Validate a 1-D, non-empty sequence of ints in ``[0, n_symbols)``; return it as int64."""
    obs = np.asarray(obs)
    if obs.size == 0:
        raise ValueError(f"{name} is empty: an HMM needs at least one observation")
    if obs.dtype == bool or not np.issubdtype(obs.dtype, np.integer):
        raise TypeError(f"{name} must hold ints (indices), got dtype {obs.dtype}")
    if obs.ndim != 1:
        raise ValueError(f"{name} must be 1-D (T,), got shape {obs.shape}")
    bad = (obs < 0) | (obs >= n_symbols)
    if bad.any():
        raise ValueError(f"{name} has values outside the alphabet [0, {n_symbols}): {np.unique(obs[bad])[:10]}")
    return obs.astype(np.int64)


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # log 0 = -inf is intended: an impossible event
        return np.log(x)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x - m), axis=axis)) + np.squeeze(m, axis=axis)


def _prepare(pi, A, B, obs):
    pi, A, B = check_params(pi, A, B)
    obs = check_obs(obs, B.shape[1])
    return _log(pi), _log(A), _log(B[:, obs].T)


# ------------------------------------------------------------ engines on log-potentials
#: A sum of products is trusted from the fast (probability-space) product only when it is at
#: least this large: every term that underflowed (became 0 or subnormal) is below the smallest
#: normal float, 2.2e-308, so it is then a relative error below N * 1e-28. Smaller results are
#: recomputed exactly by a log-sum-exp.
SAFE = 1e-280


def _exp_shifted(log_A):
    """``(exp(log_A - c), c)`` with ``c`` the largest finite entry: the matrix products below
    then never overflow. Entries more than ~745 below ``c`` become 0 here; the engines notice
    when that matters (a result below :data:`SAFE`) and redo those entries in log space."""
    finite = log_A[np.isfinite(log_A)]
    shift = float(finite.max()) if finite.size else 0.0
    return np.exp(log_A - shift), shift


def log_forward(log_pi, log_A, log_b):
    r"""Forward recursion :math:`\log\alpha_t(j) = \log\sum_i \alpha_{t-1}(i)\,a_{ij} + \log b_j(o_t)`.

    Parameters
    ----------
    log_pi : ndarray (N,)
        Log start probabilities: :math:`\log\alpha_1 = \log\pi + \log b(o_1)`.
    log_A : ndarray (N, N)
        Log transition scores :math:`\log a_{ij}` (``-inf``: impossible).
    log_b : ndarray (T, N)
        Per-step scores :math:`\log b_j(o_t)`.

    Returns
    -------
    log_alpha : ndarray (T, N)
    log_likelihood : float
        :math:`\log\sum_j \alpha_T(j)`. Cost :math:`O(TN^2)`.

    Notes
    -----
    Each step is the log-sum-exp :math:`m + c + \log\sum_i e^{\log\alpha_{t-1}(i) - m}
    e^{\log a_{ij} - c}`, :math:`m = \max_i \log\alpha_{t-1}(i)`, :math:`c = \max\log a`,
    computed as one vector--matrix product :math:`y`. A term underflows to 0 when a state
    trails the leader (or a transition the largest) by more than ~745 nats. That is harmless
    where :math:`y_j \ge` ``SAFE`` = 1e-280, as the lost terms are below 1e-308; the other
    entries -- such as a state that fell far behind and is now the only possible one -- are
    redone exactly, :math:`\log\sum_i e^{\log\alpha_{t-1}(i) + \log a_{ij}}`.
    """
    A, shift = _exp_shifted(log_A)
    log_alpha = np.empty_like(log_b)
    log_alpha[0] = log_pi + log_b[0]
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for t in range(1, len(log_b)):
            prev = log_alpha[t - 1]
            m = prev.max()
            y = np.exp(prev - m) @ A
            log_alpha[t] = np.log(y) + (m + shift) + log_b[t]
            if y[y.argmin()] < SAFE:  # a term may have underflowed (argmin: cheaper than min)
                low = np.flatnonzero(y < SAFE)
                log_alpha[t, low] = _logsumexp(prev[:, None] + log_A[:, low], axis=0) + log_b[t, low]
    log_alpha[np.isnan(log_alpha)] = -np.inf  # after an impossible prefix (m = -inf)
    return log_alpha, float(_logsumexp(log_alpha[-1], axis=0))


def log_backward(log_A, log_b):
    r"""Backward recursion :math:`\log\beta_t(i) = \log\sum_j a_{ij}\, b_j(o_{t+1})\,\beta_{t+1}(j)`, :math:`\beta_T = 1`.

    Parameters
    ----------
    log_A : ndarray (N, N)
    log_b : ndarray (T, N)
        As in :func:`log_forward`.

    Returns
    -------
    log_beta : ndarray (T, N)
        The last row is 0.

    Notes
    -----
    Each step is the product :math:`y = e^{\log A - c}\, e^{v - m}` with
    :math:`v = \log b(o_{t+1}) + \log\beta_{t+1}` and :math:`m = \max_j v_j`; entries with
    :math:`y_i <` ``SAFE`` are redone exactly, :math:`\log\sum_j e^{\log a_{ij} + v_j}`, as in
    :func:`log_forward`.
    """
    A, shift = _exp_shifted(log_A)
    log_beta = np.zeros_like(log_b)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for t in range(len(log_b) - 2, -1, -1):
            v = log_b[t + 1] + log_beta[t + 1]
            m = v.max()
            y = A @ np.exp(v - m)
            log_beta[t] = np.log(y) + (m + shift)
            if y[y.argmin()] < SAFE:
                low = np.flatnonzero(y < SAFE)
                log_beta[t, low] = _logsumexp(log_A[low] + v, axis=1)
    log_beta[np.isnan(log_beta)] = -np.inf
    return log_beta


def _exact_marginals(log_pi, log_A, log_b, block: int = 4096):
    r"""Posterior marginals of one chain in log space, for any dynamic range.

    Returns ``gamma`` (T, N), :math:`\gamma_t(i) = e^{\log\alpha_t(i) + \log\beta_t(i) - \log P}`;
    ``xi`` (N, N), :math:`\sum_t e^{\log\alpha_{t-1}(i) + \log a_{ij} + \log b_j(o_t) +
    \log\beta_t(j) - \log P}` (``block`` steps at a time, so memory stays
    :math:`O(\text{block}\cdot N^2)`); and :math:`\log P`. An impossible chain
    (:math:`\log P = -\infty`) gets zero marginals. The exact fallback of the scaled
    forward--backward passes (:func:`nnbook.seq.crf.forward_backward_packed`, :mod:`nnbook.seq.blocked_hmm`).
    """
    N = len(log_pi)
    log_alpha, log_lik = log_forward(log_pi, log_A, log_b)
    if not np.isfinite(log_lik):
        return np.zeros_like(log_b), np.zeros((N, N)), log_lik
    log_beta = log_backward(log_A, log_b)
    with np.errstate(under="ignore"):
        gamma = np.exp(log_alpha + log_beta - log_lik)
        xi = np.zeros((N, N))
        after = log_b + log_beta
        for s in range(1, len(log_b), block):
            now = slice(s, min(s + block, len(log_b)))
            before = slice(s - 1, now.stop - 1)
            xi += np.exp(log_alpha[before, :, None] + log_A[None] + after[now, None, :] - log_lik).sum(axis=0)
    return gamma, xi, float(log_lik)


def log_viterbi(log_pi, log_A, log_b, log_end=None):
    r"""Max-product recursion :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \log a_{ij}] + \log b_j(o_t)`.

    Returns the best path (T,) and its score. ``log_end`` (N,) optionally adds a score for
    the final state (``-inf`` forbids ending there). Ties go to the lowest state index.
    """
    T, N = log_b.shape
    delta = log_pi + log_b[0]
    back = np.empty((T, N), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] + log_A
        back[t] = np.argmax(scores, axis=0)
        delta = scores[back[t], np.arange(N)] + log_b[t]
    if log_end is not None:
        delta = delta + log_end
    path = np.empty(T, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(delta[path[-1]])


# ------------------------------------------------------------- the probability API
def forward_log(pi, A, B, obs):
    """Log forward variables ``log_alpha`` (T, N) and the log-likelihood :math:`\\log P(O\\mid\\lambda)`."""
    return log_forward(*_prepare(pi, A, B, obs))


def backward_log(A, B, obs):
    """Log backward variables ``log_beta`` (T, N); the last row is 0 (:math:`\\beta_T = 1`)."""
    A, B = check_stochastic("A", A, 2), check_stochastic("B", B, 2)
    if A.shape != (len(B), len(B)):
        raise ValueError(f"A must have shape ({len(B)}, {len(B)}) to match B, got {A.shape}")
    obs = check_obs(obs, B.shape[1])
    return log_backward(_log(A), _log(B[:, obs].T))


def posterior(pi, A, B, obs):
    r"""Posterior marginals :math:`\gamma_t(i) = P(s_t=i\mid O) = \alpha_t(i)\beta_t(i)/P(O)`, shape (T, N)."""
    log_pi, log_A, log_b = _prepare(pi, A, B, obs)
    log_alpha, log_lik = log_forward(log_pi, log_A, log_b)
    if not np.isfinite(log_lik):
        raise ValueError("obs has probability 0 under this model: its posterior is undefined")
    gamma = np.exp(log_alpha + log_backward(log_A, log_b) - log_lik)
    return gamma / gamma.sum(axis=1, keepdims=True)  # removes rounding drift on long sequences


def viterbi(pi, A, B, obs, end=None):
    """Most probable state path (T,) and its joint log-probability :math:`\\log P(O, S^*)`.

    ``end`` (N,), optional: non-negative weights multiplying the probability of ending in
    each state (an indicator vector restricts the final state, as jieba's segmenter does).
    """
    log_pi, log_A, log_b = _prepare(pi, A, B, obs)
    log_end = None
    if end is not None:
        end = _as_real("end", end, 1)
        if end.shape != log_pi.shape or (end < 0).any():
            raise ValueError(f"end must be {len(log_pi)} non-negative weights, got {end}")
        log_end = _log(end)
    return log_viterbi(log_pi, log_A, log_b, log_end)


def greedy_decode(pi, A, B, obs):
    r"""Left-to-right greedy path: :math:`s_t = \arg\max_j a_{s_{t-1} j}\, b_j(o_t)` (not optimal)."""
    log_pi, log_A, log_b = _prepare(pi, A, B, obs)
    path = np.empty(len(log_b), dtype=np.int64)
    path[0] = np.argmax(log_pi + log_b[0])
    for t in range(1, len(log_b)):
        path[t] = np.argmax(log_A[path[t - 1]] + log_b[t])
    return path


def posterior_decode(pi, A, B, obs):
    r"""Per-step most probable state :math:`\arg\max_i \gamma_t(i)` (may be an impossible path)."""
    return np.argmax(posterior(pi, A, B, obs), axis=1)


def path_log_prob(pi, A, B, obs, states):
    r"""Joint :math:`\log P(O, S) = \log\pi_{s_1} + \sum_t \log a_{s_{t-1}s_t} + \sum_t \log b_{s_t}(o_t)`."""
    log_pi, log_A, log_b = _prepare(pi, A, B, obs)
    states = check_obs(states, len(log_pi), name="states")
    if len(states) != len(log_b):
        raise ValueError(f"states must have the length of obs ({len(log_b)}), got {len(states)}")
    T = np.arange(len(states))
    return float(log_pi[states[0]] + log_A[states[:-1], states[1:]].sum() + log_b[T, states].sum())


def brute_force(pi, A, B, obs, max_paths: int = 2_000_000):
    """Exponential reference: enumerate all :math:`N^T` paths.

    Returns ``(log_likelihood, best_path, best_log_prob)``. For tests and the timing plot.
    """
    log_pi, log_A, log_b = _prepare(pi, A, B, obs)
    T, N = log_b.shape
    if N**T > max_paths:
        raise ValueError(f"N**T = {N}**{T} paths exceeds max_paths = {max_paths}")
    paths = np.array(list(itertools.product(range(N), repeat=T)), dtype=np.int64).reshape(-1, T)
    scores = log_pi[paths[:, 0]] + log_b[np.arange(T), paths].sum(1) + log_A[paths[:, :-1], paths[:, 1:]].sum(1)
    best = int(np.argmax(scores))
    return float(_logsumexp(scores, axis=0)), paths[best], float(scores[best])


# ------------------------------------------------------------------------ learning
def _as_sequences(obs_seqs):
    if isinstance(obs_seqs, np.ndarray) and obs_seqs.ndim == 1:
        return [obs_seqs]
    if not isinstance(obs_seqs, (list, tuple)) or len(obs_seqs) == 0:
        raise ValueError(f"sequences must be a non-empty list of 1-D int arrays, got {type(obs_seqs).__name__}")
    return list(obs_seqs)


def supervised_mle(obs_seqs, state_seqs, n_states: int, n_symbols: int, alpha: float = 0.0):
    r"""Maximum-likelihood ``(pi, A, B)`` from tagged sequences: normalised counts.

    :math:`\hat a_{ij} = (C(i\to j) + \alpha) / \sum_{j'} (C(i\to j') + \alpha)`, likewise
    for :math:`\pi` and :math:`B`; ``alpha`` > 0 is add-alpha (Laplace) smoothing. A row
    with no counts at all (a state never seen) becomes uniform. ``alpha`` must be a finite
    number >= 0 and ``n_states``, ``n_symbols`` positive ints (``TypeError`` /
    ``ValueError`` otherwise: a NaN would silently zero every table).
    """
    obs_seqs, state_seqs = _as_sequences(obs_seqs), _as_sequences(state_seqs)
    if len(obs_seqs) != len(state_seqs):
        raise ValueError(f"got {len(obs_seqs)} observation sequences but {len(state_seqs)} state sequences")
    n_states, n_symbols = _check_count("n_states", n_states), _check_count("n_symbols", n_symbols)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"alpha must be a real number >= 0, got {alpha!r} ({type(alpha).__name__})")
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha}")
    start = np.full(n_states, float(alpha))
    trans = np.full((n_states, n_states), float(alpha))
    emit = np.full((n_states, n_symbols), float(alpha))
    for o, s in zip(obs_seqs, state_seqs):
        o, s = check_obs(o, n_symbols), check_obs(s, n_states, name="states")
        if len(o) != len(s):
            raise ValueError(f"a state sequence has length {len(s)} but its observations {len(o)}")
        start[s[0]] += 1
        np.add.at(trans, (s[:-1], s[1:]), 1.0)
        np.add.at(emit, (s, o), 1.0)
    return tuple(_normalise(m) for m in (start, trans, emit))


def _check_count(name: str, value) -> int:
    """``value`` as a positive int; ``TypeError`` / ``ValueError`` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


#: The letters of ``update`` (:func:`baum_welch`) and of ``params`` / ``init_params``
#: (:class:`CategoricalHMM`), as in hmmlearn.
PARAM_LETTERS = {"s": "start probabilities", "t": "transitions", "e": "emissions"}


def check_param_letters(name: str, value) -> str:
    """Check an hmmlearn-style parameter string: any of the letters s, t, e (or none).

    Raises ``TypeError`` for a non-string and ``ValueError`` naming ``name``, the offending
    letters and the allowed ones otherwise; returns ``value``.
    """
    allowed = ", ".join(f"'{k}' ({v})" for k, v in PARAM_LETTERS.items())
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string of the letters {allowed}, got {value!r} ({type(value).__name__})")
    unknown = sorted(set(value) - set(PARAM_LETTERS))
    if unknown:
        raise ValueError(f"{name} must be a string of the letters {allowed}, e.g. 'ste'; got {value!r} "
                         f"(unknown: {', '.join(map(repr, unknown))})")
    return value


def _normalise(counts: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    sums = counts.sum(axis=-1, keepdims=True)
    out = np.divide(counts, sums, out=np.zeros_like(counts), where=sums > 0)
    empty = (sums == 0).squeeze(-1)
    if np.any(empty):
        out[empty] = 1.0 / counts.shape[-1] if fallback is None else fallback[empty]
    return out


def expected_counts(log_pi, log_A, log_b):
    r"""E step for one sequence: :math:`\gamma` (T, N), :math:`\sum_t \xi_t` (N, N), log-likelihood.

    :math:`\xi_t(i,j) = \alpha_t(i)\,a_{ij}\,b_j(o_{t+1})\,\beta_{t+1}(j) / P(O)`.
    """
    log_alpha, log_lik = log_forward(log_pi, log_A, log_b)
    log_beta = log_backward(log_A, log_b)
    gamma = np.exp(log_alpha + log_beta - log_lik)
    gamma /= gamma.sum(axis=1, keepdims=True)
    log_xi = log_alpha[:-1, :, None] + log_A[None] + (log_b[1:] + log_beta[1:])[:, None, :] - log_lik
    return gamma, np.exp(log_xi).sum(axis=0), log_lik


def baum_welch(obs_seqs, pi, A, B, n_iter: int = 10, tol: float | None = None, update: str = "ste"):
    r"""Baum--Welch (EM) from initial ``(pi, A, B)``; a list of sequences or one sequence.

    Each iteration: E step, the posteriors :math:`\gamma_t(i)` and :math:`\sum_t\xi_t(i,j)` of
    every sequence (what :func:`expected_counts` computes for one sequence; here all
    sequences at once, by the packed, scaled forward--backward of
    :func:`nnbook.seq.crf.forward_backward_packed` -- an HMM is a chain whose potentials are
    log-probabilities); M step :math:`\pi_i \propto \sum \gamma_1(i)`,
    :math:`a_{ij} \propto \sum_t \xi_t(i,j)`, :math:`b_j(k) \propto \sum_{t: o_t=k} \gamma_t(j)`,
    for the letters of ``update``: any of s, t, e (``ValueError`` for another letter, which
    would otherwise silently update nothing). Stops after ``n_iter`` updates, or earlier when
    an update gains < ``tol``.

    Returns ``(pi, A, B, log_likelihoods)``; ``log_likelihoods[k]`` is the total
    log-likelihood after k updates (k = 0 is the initial model): it never decreases.
    ``log_likelihoods[:-1]`` is what hmmlearn records in ``monitor_.history``.
    """
    from threadpoolctl import threadpool_limits

    from nnbook.seq.crf import Packing, forward_backward_packed

    check_param_letters("update", update)
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 0:
        raise ValueError(f"n_iter must be an int >= 0, got {n_iter!r}")
    pi, A, B = check_params(pi, A, B)
    seqs = [check_obs(o, B.shape[1]) for o in _as_sequences(obs_seqs)]
    packing = Packing([len(o) for o in seqs])
    obs = np.concatenate(seqs)[packing.order]
    first = packing.rows(0)  # the first step of every sequence
    history = []
    with threadpool_limits(limits=1, user_api="blas"):  # tiny matrix products: threads only add overhead
        for k in range(n_iter + 1):
            log_b = _log(B[:, obs].T)
            log_b[first] += _log(pi)
            with np.errstate(invalid="ignore"):
                gamma, trans, total = forward_backward_packed(log_b, _log(A), packing)
            if not np.isfinite(total):
                raise ValueError("a sequence has probability 0 under the current model; Baum-Welch cannot start from it")
            history.append(total)
            if k == n_iter or (tol is not None and k > 0 and history[-1] - history[-2] < tol):
                break
            emit = np.zeros_like(B)
            np.add.at(emit.T, obs, gamma)
            pi = _normalise(gamma[first].sum(axis=0)[None], pi[None])[0] if "s" in update else pi
            A = _normalise(trans, A) if "t" in update else A
            B = _normalise(emit, B) if "e" in update else B
    return pi, A, B, np.array(history)


def sample(pi, A, B, n_steps: int, random_state=None):
    """Draw ``(obs, states)``, each (n_steps,), from the model (inverse-CDF sampling)."""
    pi, A, B = check_params(pi, A, B)
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive int, got {n_steps!r}")
    rng = np.random.default_rng(random_state)
    u = rng.random((n_steps, 2))
    cum_pi, cum_A, cum_B = np.cumsum(pi), np.cumsum(A, axis=1), np.cumsum(B, axis=1)
    states = np.empty(n_steps, dtype=np.int64)
    states[0] = min(np.searchsorted(cum_pi, u[0, 0], side="right"), len(pi) - 1)
    for t in range(1, n_steps):
        states[t] = min(np.searchsorted(cum_A[states[t - 1]], u[t, 0], side="right"), len(pi) - 1)
    obs = (u[:, 1:2] >= cum_B[states]).sum(axis=1)
    return np.minimum(obs, B.shape[1] - 1), states


from nnbook.seq.hmm_estimator import CategoricalHMM# noqa: E402  (the estimator wraps the functions above)

__all__ = [
    "CategoricalHMM", "forward_log", "backward_log", "posterior", "viterbi", "greedy_decode",
    "posterior_decode", "path_log_prob", "brute_force", "supervised_mle", "baum_welch",
    "expected_counts", "sample", "log_forward", "log_backward", "log_viterbi", "check_params",
    "check_obs", "check_stochastic", "check_param_letters", "SAFE",
]
