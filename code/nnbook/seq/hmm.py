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

An HMM is a chain whose log-potentials are log-probabilities (:func:`log_potentials`:
``log_start`` = :math:`\log\pi`, ``log_trans`` = :math:`\log A`, ``log_emit[t]`` =
:math:`\log b(o_t)`), so every recursion is the chain engine's, :mod:`nnbook.seq.chain`
(:func:`~nnbook.seq.chain.forward`, :func:`~nnbook.seq.chain.backward`,
:func:`~nnbook.seq.chain.viterbi`, and the packed forward--backward for Baum--Welch): a
100,000-step sequence does not underflow and a state thousands of nats behind the others is
kept exactly. This module holds the probability-space API: the checks of ``(pi, A, B)`` and
``obs``, counting, EM and sampling. The estimator :class:`~nnbook.seq.hmm_estimator.CategoricalHMM`
(in :mod:`nnbook.seq.hmm_estimator`) wraps it with hmmlearn's API.

Book chapter: ``book/ch6-sequence-models/`` (pages 02 and 03).
"""
from __future__ import annotations

import itertools

import numpy as np

from nnbook._validation import (
    check_array, check_enumeration, check_int, check_labels, check_number, check_probabilities,
    check_random_state, check_same_length,
)
from nnbook.runtime import one_blas_thread
from nnbook.seq import chain


# ----------------------------------------------------------------------------- validation
def check_params(pi, A, B):
    """Validate an HMM ``(pi, A, B)`` and return float64 copies.

    ``pi`` (N,) must be a probability vector, ``A`` (N, N) and ``B`` (N, M) row-stochastic:
    ``ValueError`` naming the argument for negative entries (showing one), rows whose sum is
    not 1 within 1e-8 (showing the sums), NaN/inf or shapes that do not match ``pi``;
    ``TypeError`` for non-numeric arrays. Nothing is renormalised.
    """
    pi, A, B = check_probabilities("pi", pi, ndim=1), check_probabilities("A", A, ndim=2), check_probabilities("B", B, ndim=2)
    N = len(pi)
    if A.shape != (N, N):
        raise ValueError(f"A must have shape (N, N) = ({N}, {N}) to match pi, got {A.shape}")
    if B.shape[0] != N:
        raise ValueError(f"B must have N = {N} rows to match pi, got shape {B.shape}")
    return pi, A, B


def check_obs(obs, n_symbols: int, name: str = "obs") -> np.ndarray:
    """Validate a 1-D, non-empty sequence of ints in ``[0, n_symbols)``; return it as int64.

    ``ValueError`` naming ``name`` for an empty sequence (checked first: an empty list has dtype
    float), the wrong ndim or symbols out of range (shown); ``TypeError`` for non-integers.
    """
    n_symbols = check_int("n_symbols", n_symbols, low=1)
    if (isinstance(obs, np.ndarray) and obs.size == 0) or (isinstance(obs, (list, tuple)) and len(obs) == 0):
        raise ValueError(f"{name} is empty: an HMM needs at least one observation")
    return check_labels(name, obs, n_symbols)


def _check_A_B(A, B):
    A, B = check_probabilities("A", A, ndim=2), check_probabilities("B", B, ndim=2)
    if A.shape != (len(B), len(B)):
        raise ValueError(f"A must have shape ({len(B)}, {len(B)}) to match B, got {A.shape}")
    return A, B


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # log 0 = -inf is intended: an impossible event
        return np.log(x)


def log_potentials(pi, A, B, obs):
    r"""The HMM as a chain: ``(log_start, log_trans, log_emit)`` = :math:`(\log\pi, \log A, \log b(o_t))`.

    Checks ``(pi, A, B)`` and ``obs`` (:func:`check_params`, :func:`check_obs`); returns arrays
    (N,), (N, N), (T, N) with ``log_emit[t, j]`` = :math:`\log b_j(o_t)` (``-inf`` for a zero
    probability), the input of :mod:`nnbook.seq.chain`.
    """
    pi, A, B = check_params(pi, A, B)
    obs = check_obs(obs, B.shape[1])
    return _log(pi), _log(A), _log(B[:, obs].T)


# ------------------------------------------------------------- the probability API
def forward_log(pi, A, B, obs):
    r"""Log forward variables ``log_alpha`` (T, N) and the log-likelihood :math:`\log P(O\mid\lambda)`.

    :math:`\alpha_1(j) = \pi_j b_j(o_1)`, :math:`\alpha_t(j) = [\sum_i \alpha_{t-1}(i) a_{ij}]\, b_j(o_t)`
    (Rabiner 1989, eq. 19--21), in log space by :func:`nnbook.seq.chain.forward`. ``pi`` (N,),
    ``A`` (N, N), ``B`` (N, M), ``obs`` (T,) ints in ``[0, M)``; checked by :func:`check_params`
    and :func:`check_obs`. An impossible ``obs`` gives ``-inf``.
    """
    return chain.forward(*log_potentials(pi, A, B, obs))


def backward_log(A, B, obs):
    r"""Log backward variables ``log_beta`` (T, N); the last row is 0 (:math:`\beta_T = 1`).

    :math:`\beta_t(i) = \sum_j a_{ij} b_j(o_{t+1}) \beta_{t+1}(j)` (Rabiner 1989, eq. 24--25),
    by :func:`nnbook.seq.chain.backward`. Arguments as in :func:`forward_log`.
    """
    A, B = _check_A_B(A, B)
    obs = check_obs(obs, B.shape[1])
    return chain.backward(_log(A), _log(B[:, obs].T))


def posterior(pi, A, B, obs):
    r"""Posterior marginals :math:`\gamma_t(i) = P(s_t=i\mid O) = \alpha_t(i)\beta_t(i)/P(O)`, shape (T, N).

    Rows sum to one. ``ValueError`` if ``obs`` has probability 0 under the model.
    """
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    log_alpha, log_lik = chain.forward(log_pi, log_A, log_b)
    if not np.isfinite(log_lik):
        raise ValueError("obs has probability 0 under this model: its posterior is undefined")
    gamma = np.exp(log_alpha + chain.backward(log_A, log_b) - log_lik)
    return gamma / gamma.sum(axis=1, keepdims=True)  # removes rounding drift on long sequences


def viterbi(pi, A, B, obs, end=None):
    r"""Most probable state path (T,) and its joint log-probability :math:`\log P(O, S^*)`.

    :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \log a_{ij}] + \log b_j(o_t)`
    (:cite:t:`viterbi1967`; :func:`nnbook.seq.chain.viterbi`). ``end`` (N,), optional:
    non-negative weights, not all zero, multiplying the probability of ending in each state
    (an indicator vector restricts the final state, as jieba's segmenter does). The score is
    ``-inf`` when ``obs`` is impossible.
    """
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    log_end = None
    if end is not None:
        end = check_array("end", end, ndim=1)
        if end.shape != log_pi.shape or (end < 0).any() or not (end > 0).any():
            raise ValueError(f"end must be {len(log_pi)} non-negative weights, not all 0, got {end}")
        log_end = _log(end)
    return chain.viterbi(log_pi, log_A, log_b, log_end)


def viterbi_lattice(pi, A, B, obs):
    r"""The whole Viterbi lattice: scores ``delta`` (T, N) and back-pointers ``back`` (T, N).

    :math:`\delta_1(j) = \log\pi_j + \log b_j(o_1)`, :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) +
    \log a_{ij}] + \log b_j(o_t)`, ``back[t, j]`` the maximising i (``back[0]`` is -1). For
    drawing the trellis of page 02; :func:`viterbi` (the chain engine's) returns only the path.
    Tracing ``back`` from :math:`\arg\max_j\delta_T(j)` gives that path.
    """
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    delta = np.empty_like(log_b)
    back = np.full(log_b.shape, -1, dtype=np.int64)
    delta[0] = log_pi + log_b[0]
    for t in range(1, len(log_b)):
        scores = delta[t - 1][:, None] + log_A
        back[t] = np.argmax(scores, axis=0)
        delta[t] = scores.max(axis=0) + log_b[t]
    return delta, back


def greedy_decode(pi, A, B, obs):
    r"""Left-to-right greedy path: :math:`s_t = \arg\max_j a_{s_{t-1} j}\, b_j(o_t)` (not optimal)."""
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    path = np.empty(len(log_b), dtype=np.int64)
    path[0] = np.argmax(log_pi + log_b[0])
    for t in range(1, len(log_b)):
        path[t] = np.argmax(log_A[path[t - 1]] + log_b[t])
    return path


def posterior_decode(pi, A, B, obs):
    r"""Per-step most probable state :math:`\arg\max_i \gamma_t(i)` (may be an impossible path)."""
    return np.argmax(posterior(pi, A, B, obs), axis=1)


def path_log_prob(pi, A, B, obs, states):
    r"""Joint :math:`\log P(O, S) = \log\pi_{s_1} + \sum_t \log a_{s_{t-1}s_t} + \sum_t \log b_{s_t}(o_t)`.

    ``states`` (T,): ints in ``[0, N)``, one per observation (``ValueError`` otherwise).
    """
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    states = check_obs(states, len(log_pi), name="states")
    if len(states) != len(log_b):
        raise ValueError(f"states must have the length of obs ({len(log_b)}), got {len(states)}")
    T = np.arange(len(states))
    return float(log_pi[states[0]] + log_A[states[:-1], states[1:]].sum() + log_b[T, states].sum())


def brute_force(pi, A, B, obs, max_paths: int = 2_000_000):
    r"""Exponential reference: enumerate all :math:`N^T` paths.

    Returns ``(log_likelihood, best_path, best_log_prob)``: :math:`\log\sum_S P(O, S)`, the
    first best path and its log-probability. For tests and the timing plot of page 02.
    Limit: ``ValueError`` when :math:`N^T` exceeds ``max_paths`` (default 2,000,000, about
    a second); use :func:`forward_log` and :func:`viterbi` instead.
    """
    log_pi, log_A, log_b = log_potentials(pi, A, B, obs)
    max_paths = check_int("max_paths", max_paths, low=1)
    T, N = log_b.shape
    check_enumeration("obs", N**T, max_paths, f"paths (N**T = {N}**{T}; max_paths)")
    paths = np.array(list(itertools.product(range(N), repeat=T)), dtype=np.int64).reshape(-1, T)
    scores = log_pi[paths[:, 0]] + log_b[np.arange(T), paths].sum(1) + log_A[paths[:, :-1], paths[:, 1:]].sum(1)
    best = int(np.argmax(scores))
    return float(chain.logsumexp(scores, axis=0)), paths[best], float(scores[best])


# ------------------------------------------------------------------------ learning
def _as_sequences(name: str, seqs):
    """A non-empty list of sequences; one 1-D array counts as one sequence."""
    if isinstance(seqs, np.ndarray) and seqs.ndim == 1:
        return [seqs]
    if not isinstance(seqs, (list, tuple)):
        raise TypeError(f"{name} must be a non-empty list of 1-D int arrays, got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError(f"{name} must be a non-empty list of 1-D int arrays, got an empty {type(seqs).__name__}")
    return list(seqs)


def supervised_mle(obs_seqs, state_seqs, n_states: int, n_symbols: int, alpha: float = 0.0):
    r"""Maximum-likelihood ``(pi, A, B)`` from tagged sequences: normalised counts.

    :math:`\hat a_{ij} = (C(i\to j) + \alpha) / \sum_{j'} (C(i\to j') + \alpha)`, likewise
    for :math:`\pi` and :math:`B`; ``alpha`` > 0 is add-alpha (Laplace) smoothing. A row
    with no counts at all (a state never seen) becomes uniform. ``obs_seqs`` and
    ``state_seqs`` are aligned lists of 1-D int arrays; ``alpha`` must be a finite number >= 0
    and ``n_states``, ``n_symbols`` positive ints (``TypeError`` / ``ValueError`` otherwise: a
    NaN would silently zero every table).
    """
    obs_seqs, state_seqs = _as_sequences("obs_seqs", obs_seqs), _as_sequences("state_seqs", state_seqs)
    check_same_length(("obs_seqs", "state_seqs"), obs_seqs, state_seqs)
    n_states, n_symbols = check_int("n_states", n_states, low=1), check_int("n_symbols", n_symbols, low=1)
    alpha = check_number("alpha", alpha, low=0.0)
    start = np.full(n_states, float(alpha))
    trans = np.full((n_states, n_states), float(alpha))
    emit = np.full((n_states, n_symbols), float(alpha))
    for k, (o, s) in enumerate(zip(obs_seqs, state_seqs)):
        o, s = check_obs(o, n_symbols, name=f"obs_seqs[{k}]"), check_obs(s, n_states, name=f"state_seqs[{k}]")
        if len(o) != len(s):
            raise ValueError(f"state_seqs[{k}] has length {len(s)} but obs_seqs[{k}] has {len(o)}")
        start[s[0]] += 1
        np.add.at(trans, (s[:-1], s[1:]), 1.0)
        np.add.at(emit, (s, o), 1.0)
    return tuple(_normalise(m) for m in (start, trans, emit))


#: The letters of ``update`` (:func:`baum_welch`) and of ``params`` / ``init_params``
#: (:class:`~nnbook.seq.hmm_estimator.CategoricalHMM`), as in hmmlearn.
PARAM_LETTERS = {"s": "start probabilities", "t": "transitions", "e": "emissions"}


def check_param_letters(name: str, value, letters: dict = PARAM_LETTERS) -> str:
    """Check an hmmlearn-style parameter string: any of the keys of ``letters`` (or none).

    ``letters`` maps each letter to what it updates (s, t, e here; the Gaussian HMM passes its
    own s, t, m, c). Raises ``TypeError`` for a non-string and ``ValueError`` naming ``name``,
    the offending letters and the allowed ones otherwise; returns ``value``.
    """
    allowed = ", ".join(f"'{k}' ({v})" for k, v in letters.items())
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string of the letters {allowed}, got {value!r} ({type(value).__name__})")
    unknown = sorted(set(value) - set(letters))
    if unknown:
        raise ValueError(f"{name} must be a string of the letters {allowed}, e.g. '{''.join(letters)}'; got {value!r} "
                         f"(unknown: {', '.join(map(repr, unknown))})")
    return value


def _normalise(counts: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    sums = counts.sum(axis=-1, keepdims=True)
    out = np.divide(counts, sums, out=np.zeros_like(counts), where=sums > 0)
    empty = (sums == 0).squeeze(-1)
    if np.any(empty):
        out[empty] = 1.0 / counts.shape[-1] if fallback is None else fallback[empty]
    return out


def expected_counts(log_start, log_trans, log_emit):
    r"""E step for one sequence: :math:`\gamma` (T, N), :math:`\sum_t \xi_t` (N, N), log-likelihood.

    :math:`\xi_t(i,j) = \alpha_t(i)\,a_{ij}\,b_j(o_{t+1})\,\beta_{t+1}(j) / P(O)` (Rabiner 1989,
    eq. 37), from the log-potentials of :func:`log_potentials` by
    :func:`nnbook.seq.chain.marginals`. ``ValueError`` for an impossible sequence.
    """
    gamma, xi, log_lik = chain.marginals(log_start, log_trans, log_emit)
    if not np.isfinite(log_lik):
        raise ValueError("the sequence has probability 0 under this model: its expected counts are undefined")
    gamma /= gamma.sum(axis=1, keepdims=True)
    return gamma, xi, log_lik


def baum_welch(obs_seqs, pi, A, B, n_iter: int = 10, tol: float | None = None, update: str = "ste"):
    r"""Baum--Welch (EM) from initial ``(pi, A, B)``; a list of sequences or one sequence.

    Each iteration: E step, the posteriors :math:`\gamma_t(i)` and :math:`\sum_t\xi_t(i,j)` of
    every sequence (what :func:`expected_counts` computes for one sequence; here all
    sequences at once, by the packed, scaled forward--backward of
    :func:`nnbook.seq.chain.forward_backward_packed`); M step :math:`\pi_i \propto \sum \gamma_1(i)`,
    :math:`a_{ij} \propto \sum_t \xi_t(i,j)`, :math:`b_j(k) \propto \sum_{t: o_t=k} \gamma_t(j)`
    (Rabiner 1989, eq. 40a--c), for the letters of ``update``: any of s, t, e (``ValueError``
    for another letter, which would otherwise silently update nothing). Stops after ``n_iter``
    (an int >= 0) updates, or earlier when an update gains < ``tol`` (a finite number >= 0, or
    None: never stop early; hmmlearn's ``tol=-inf`` is spelled None here).

    Returns ``(pi, A, B, log_likelihoods)``; ``log_likelihoods[k]`` is the total
    log-likelihood after k updates (k = 0 is the initial model): it never decreases.
    ``log_likelihoods[:-1]`` is what hmmlearn records in ``monitor_.history``.
    ``ValueError`` if a sequence has probability 0 under the current model.
    """
    check_param_letters("update", update)
    n_iter = check_int("n_iter", n_iter, low=0)
    if tol is not None:
        tol = check_number("tol", tol, low=0.0)
    pi, A, B = check_params(pi, A, B)
    seqs = [check_obs(o, B.shape[1], name=f"obs_seqs[{k}]") for k, o in enumerate(_as_sequences("obs_seqs", obs_seqs))]
    packing = chain.Packing([len(o) for o in seqs])
    obs = np.concatenate(seqs)[packing.order]
    first = packing.rows(0)  # the first step of every sequence
    history = []
    with one_blas_thread():  # tiny matrix products: threads only add overhead
        for k in range(n_iter + 1):
            log_b = _log(B[:, obs].T)
            log_b[first] += _log(pi)
            with np.errstate(invalid="ignore"):
                gamma, trans, total = chain.forward_backward_packed(None, _log(A), log_b, packing)
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
    """Draw ``(obs, states)``, each (n_steps,), from the model (inverse-CDF sampling).

    ``n_steps`` a positive int; ``random_state`` None, an int >= 0 or a numpy Generator.
    """
    pi, A, B = check_params(pi, A, B)
    n_steps = check_int("n_steps", n_steps, low=1)
    rng = check_random_state(random_state)
    u = rng.random((n_steps, 2))
    cum_pi, cum_A, cum_B = np.cumsum(pi), np.cumsum(A, axis=1), np.cumsum(B, axis=1)
    states = np.empty(n_steps, dtype=np.int64)
    states[0] = min(np.searchsorted(cum_pi, u[0, 0], side="right"), len(pi) - 1)
    for t in range(1, n_steps):
        states[t] = min(np.searchsorted(cum_A[states[t - 1]], u[t, 0], side="right"), len(pi) - 1)
    obs = (u[:, 1:2] >= cum_B[states]).sum(axis=1)
    return np.minimum(obs, B.shape[1] - 1), states


__all__ = [
    "forward_log", "backward_log", "posterior", "viterbi", "viterbi_lattice", "greedy_decode", "posterior_decode",
    "path_log_prob", "brute_force", "supervised_mle", "baum_welch", "expected_counts", "sample",
    "log_potentials", "check_params", "check_obs", "check_param_letters", "PARAM_LETTERS",
]
