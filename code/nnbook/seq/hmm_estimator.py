r"""``CategoricalHMM``: the functions of :mod:`nnbook.seq.hmm` behind hmmlearn's estimator API.

The input convention is hmmlearn's: ``X`` of shape (n_samples, 1) (or (n_samples,)) holds
the symbols of one or more concatenated sequences, and ``lengths`` gives their lengths.
So ``nnbook.seq.hmm_estimator.CategoricalHMM`` and ``hmmlearn.hmm.CategoricalHMM`` can be
swapped, which is how ``tests/seq/test_hmm_estimator.py`` compares them. The estimator follows
:class:`nnbook.base.Estimator`: ``__init__`` stores, ``fit`` validates (through
:mod:`nnbook._validation`) and learns the attributes ending in ``_``.

Book chapter: ``book/ch6-sequence-models/`` (page 03, "Learning").
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import check_array, check_int, check_labels, check_number, check_random_state
from nnbook.base import Estimator
from nnbook.seq import hmm

__all__ = ["CategoricalHMM", "MAX_INFERRED_FEATURES"]

#: The largest alphabet ``fit`` infers from the data (``X.max() + 1``) when ``n_features`` is
#: not given: a stray large symbol would otherwise size an (N, M) emission matrix that fills the
#: memory. Pass ``n_features`` to go beyond it.
MAX_INFERRED_FEATURES = 100_000


def _symbols(X) -> np.ndarray:
    """``X`` (n_samples, 1) or (n_samples,) of ints as a 1-D int64 array (the floor's checks)."""
    if not isinstance(X, (str, bytes)) and np.size(X) == 0:  # before the dtype: [] has dtype float
        raise ValueError(f"X is empty, got shape {np.shape(X)}: an HMM needs at least one observation")
    X = check_array("X", X, ndim=(1, 2), dtype="int")
    if X.ndim == 2:
        if X.shape[1] != 1:
            raise ValueError(f"X must have shape (n_samples, 1) or (n_samples,), got {X.shape}")
        X = X[:, 0]
    return X


def _split(X, lengths, n_symbols: int) -> list[np.ndarray]:
    """The sequences of ``X`` cut at ``lengths`` (None: one sequence), symbols in ``[0, n_symbols)``."""
    X = check_labels("X", _symbols(X), n_symbols)
    if lengths is None:
        return [X]
    lengths = check_array("lengths", lengths, ndim=1, dtype="int")
    if (lengths < 1).any():
        raise ValueError(f"lengths must be positive ints, got {lengths}")
    if lengths.sum() != len(X):
        raise ValueError(f"lengths sum to {lengths.sum()} but X has {len(X)} samples")
    return np.split(X, np.cumsum(lengths)[:-1])


class CategoricalHMM(Estimator):
    r"""HMM with categorical emissions, trained by Baum--Welch (hmmlearn-compatible API).

    The model :math:`\lambda = (\pi, A, B)`: :math:`P(O, S\mid\lambda) = \pi_{s_1} b_{s_1}(o_1)
    \prod_{t>1} a_{s_{t-1}s_t} b_{s_t}(o_t)` (Rabiner 1989); ``fit`` runs
    :func:`nnbook.seq.hmm.baum_welch`, the other methods the forward, Viterbi and
    forward--backward recursions of :mod:`nnbook.seq.hmm`.

    Parameters
    ----------
    n_components : int >= 1, default 1
        Number of hidden states N.
    n_features : int >= 1, optional
        Alphabet size M; if omitted, ``fit`` infers ``X.max() + 1`` (stored as ``n_features_``,
        the argument is left unchanged), up to :data:`MAX_INFERRED_FEATURES` (100,000) symbols
        (``ValueError`` beyond: pass ``n_features`` for a larger alphabet). With ``emissionprob_``
        set beforehand and ``"e"`` not in ``init_params``, M is its number of columns.
    n_iter : int >= 1, default 10
        At most ``n_iter`` EM iterations.
    tol : float >= 0 or None, default 1e-2
        Stop early when an iteration gains < ``tol`` in log-likelihood; None: never (hmmlearn's
        ``tol=-inf``; a negative or infinite ``tol`` raises ``ValueError``).
    init_params, params : str, default "ste"
        Letters s (start), t (transitions), e (emissions): which parameters ``fit``
        initialises at random (the others must be set beforehand, as in hmmlearn; if missing
        they are drawn too), and which it updates. Any other letter raises ``ValueError`` at ``fit``.
    random_state : None, int >= 0 or numpy Generator
        Seed of the random initialisation and of :meth:`sample`.

    Attributes
    ----------
    startprob_ (N,), transmat_ (N, N), emissionprob_ (N, M)
        The model :math:`(\pi, A, B)`.
    n_features_ : int
        The alphabet size M used.
    log_likelihoods_ : ndarray (n_iter_ + 1,)
        Total log-likelihood before the first and after each EM update (non-decreasing);
        ``log_likelihoods_[:-1]`` is hmmlearn's ``monitor_.history``.
    n_iter_ : int
        Number of EM updates run.
    """

    def __init__(self, n_components: int = 1, n_features: int | None = None, n_iter: int = 10,
                 tol: float = 1e-2, init_params: str = "ste", params: str = "ste", random_state=None):
        self.n_components = n_components
        self.n_features = n_features
        self.n_iter = n_iter
        self.tol = tol
        self.init_params = init_params
        self.params = params
        self.random_state = random_state

    def fit(self, X, lengths=None) -> "CategoricalHMM":
        """Run Baum--Welch on the sequences in ``X`` (n_samples, 1) cut at ``lengths``; returns ``self``."""
        N = check_int("n_components", self.n_components, low=1)
        M = None if self.n_features is None else check_int("n_features", self.n_features, low=1)
        n_iter = check_int("n_iter", self.n_iter, low=1)
        tol = None if self.tol is None else check_number("tol", self.tol, low=0.0)
        hmm.check_param_letters("init_params", self.init_params)
        hmm.check_param_letters("params", self.params)
        rng = check_random_state(self.random_state)
        symbols = _symbols(X)
        if M is None and "e" not in self.init_params and hasattr(self, "emissionprob_"):
            M = np.shape(self.emissionprob_)[-1]
        if M is None:
            largest = int(symbols.max())
            if largest + 1 > MAX_INFERRED_FEATURES:
                raise ValueError(
                    f"n_features is not given and X has symbols up to {largest}: inferring an alphabet of "
                    f"{largest + 1} symbols exceeds MAX_INFERRED_FEATURES = {MAX_INFERRED_FEATURES}; "
                    "pass n_features explicitly (or re-index the symbols)")
            M = largest + 1
        seqs = _split(symbols, lengths, M)
        if "s" in self.init_params or not hasattr(self, "startprob_"):
            self.startprob_ = rng.dirichlet(np.ones(N))
        if "t" in self.init_params or not hasattr(self, "transmat_"):
            self.transmat_ = rng.dirichlet(np.ones(N), size=N)
        if "e" in self.init_params or not hasattr(self, "emissionprob_"):
            self.emissionprob_ = rng.dirichlet(np.ones(M), size=N)
        pi, A, B = self._params()
        if B.shape != (N, M):
            raise ValueError(f"emissionprob_ must have shape (n_components, n_features) = ({N}, {M}), got {B.shape}")
        pi, A, B, history = hmm.baum_welch(seqs, pi, A, B, n_iter=n_iter, tol=tol, update=self.params)
        self.startprob_, self.transmat_, self.emissionprob_ = pi, A, B
        self.n_features_ = B.shape[1]
        self.log_likelihoods_ = history
        self.n_iter_ = len(history) - 1
        return self

    def _params(self):
        self._check_fitted("startprob_", "transmat_", "emissionprob_")
        return hmm.check_params(self.startprob_, self.transmat_, self.emissionprob_)

    def score(self, X, lengths=None) -> float:
        r"""Total log-likelihood :math:`\sum_k \log P(O^{(k)} \mid \lambda)` of the sequences in ``X``."""
        params = self._params()
        return float(sum(hmm.forward_log(*params, o)[1] for o in _split(X, lengths, params[2].shape[1])))

    def decode(self, X, lengths=None):
        """Viterbi: ``(log_prob, states)``, the joint log-probability and the concatenated paths (n_samples,)."""
        params = self._params()
        results = [hmm.viterbi(*params, o) for o in _split(X, lengths, params[2].shape[1])]
        return float(sum(r[1] for r in results)), np.concatenate([r[0] for r in results])

    def predict(self, X, lengths=None) -> np.ndarray:
        """The Viterbi states, shape (n_samples,)."""
        return self.decode(X, lengths)[1]

    def predict_proba(self, X, lengths=None) -> np.ndarray:
        r"""Posterior marginals :math:`\gamma_t(i) = P(s_t = i\mid O)`, shape (n_samples, n_components)."""
        params = self._params()
        return np.concatenate([hmm.posterior(*params, o) for o in _split(X, lengths, params[2].shape[1])])

    def sample(self, n_samples: int = 1, random_state=None):
        """Draw ``(X, states)``: X of shape (n_samples, 1), states (n_samples,).

        ``random_state`` (None, int >= 0 or Generator) defaults to the model's ``random_state``.
        """
        params = self._params()
        n_samples = check_int("n_samples", n_samples, low=1)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        obs, states = hmm.sample(*params, n_samples, random_state=rng)
        return obs[:, None], states
