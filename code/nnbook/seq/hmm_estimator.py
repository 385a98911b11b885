"""``CategoricalHMM``: the functions of :mod:`nnbook.seq.hmm` behind hmmlearn's estimator API.

The input convention is hmmlearn's: ``X`` of shape (n_samples, 1) (or (n_samples,)) holds
the symbols of one or more concatenated sequences, and ``lengths`` gives their lengths.
So ``nnbook.seq.hmm.CategoricalHMM`` and ``hmmlearn.hmm.CategoricalHMM`` can be swapped, which
is how ``tests/test_hmm.py`` compares them.

Book chapter: ``book/ch6-sequence-models/`` (page 03, "Learning").
"""
from __future__ import annotations

import numpy as np

from nnbook.seq import hmm


#: The largest alphabet ``fit`` infers from the data (``X.max() + 1``) when ``n_features`` is
#: not given: a stray large symbol would otherwise size an (N, M) emission matrix that fills the
#: memory. Pass ``n_features`` to go beyond it.
MAX_INFERRED_FEATURES = 100_000


def _symbols(X) -> np.ndarray:
    """``X`` (n_samples, 1) or (n_samples,) as a 1-D array of non-negative ints."""
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim != 1:
        raise ValueError(f"X must have shape (n_samples, 1) or (n_samples,), got {X.shape}")
    if X.size == 0:
        raise ValueError("X is empty: an HMM needs at least one observation")
    if X.dtype == bool or not np.issubdtype(X.dtype, np.integer):
        raise TypeError(f"X must hold ints (symbols), got dtype {X.dtype}")
    if X.min() < 0:
        raise ValueError(f"X has negative symbols: {np.unique(X[X < 0])[:10]}")
    return X


def _split(X, lengths, n_symbols: int | None = None):
    X = _symbols(X)
    if lengths is None:
        lengths = [len(X)]
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or (lengths < 1).any():
        raise ValueError(f"lengths must be positive ints, got {lengths}")
    if lengths.sum() != len(X):
        raise ValueError(f"lengths sum to {lengths.sum()} but X has {len(X)} samples")
    seqs = np.split(X, np.cumsum(lengths)[:-1])
    if n_symbols is not None:
        seqs = [hmm.check_obs(s, n_symbols, name="X") for s in seqs]
    return seqs


class CategoricalHMM:
    """HMM with categorical emissions, trained by Baum--Welch (hmmlearn-compatible API).

    Parameters
    ----------
    n_components : int
        Number of hidden states N.
    n_features : int, optional
        Alphabet size M; inferred as ``X.max() + 1`` at the first ``fit`` if omitted, up to
        :data:`MAX_INFERRED_FEATURES` (100,000) symbols (``ValueError`` beyond: pass
        ``n_features`` for a larger alphabet).
    n_iter, tol : int, float
        At most ``n_iter`` EM iterations; stop early when the log-likelihood gains < ``tol``.
    init_params, params : str
        Letters s (start), t (transitions), e (emissions): which parameters ``fit``
        initialises at random, and which it updates (as in hmmlearn). Any other letter
        raises ``ValueError`` (here and in ``fit``).
    random_state : int or numpy Generator, optional
        Seed of the random initialisation and of :meth:`sample`.

    Attributes
    ----------
    startprob_ (N,), transmat_ (N, N), emissionprob_ (N, M)
        The model :math:`(\\pi, A, B)`.
    log_likelihoods_ : ndarray
        Total log-likelihood before each EM update (non-decreasing).
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
        self._check_options()

    def _check_options(self):
        hmm._check_count("n_components", self.n_components)
        if self.n_features is not None:
            hmm._check_count("n_features", self.n_features)
        hmm.check_param_letters("init_params", self.init_params)
        hmm.check_param_letters("params", self.params)

    def _initialise(self, X):
        self._check_options()
        if self.n_features is None:
            largest = int(_symbols(X).max())
            if largest + 1 > MAX_INFERRED_FEATURES:
                raise ValueError(
                    f"n_features is not given and X has symbols up to {largest}: inferring an alphabet of "
                    f"{largest + 1} symbols exceeds MAX_INFERRED_FEATURES = {MAX_INFERRED_FEATURES}; "
                    "pass n_features explicitly (or re-index the symbols)")
            self.n_features = largest + 1
        rng = np.random.default_rng(self.random_state)
        N, M = self.n_components, self.n_features
        if "s" in self.init_params or not hasattr(self, "startprob_"):
            self.startprob_ = rng.dirichlet(np.ones(N))
        if "t" in self.init_params or not hasattr(self, "transmat_"):
            self.transmat_ = rng.dirichlet(np.ones(N), size=N)
        if "e" in self.init_params or not hasattr(self, "emissionprob_"):
            self.emissionprob_ = rng.dirichlet(np.ones(M), size=N)

    def _params(self):
        if not hasattr(self, "emissionprob_"):
            raise ValueError("this CategoricalHMM is not fitted: call fit() or set startprob_, transmat_, emissionprob_")
        return self.startprob_, self.transmat_, self.emissionprob_

    def fit(self, X, lengths=None):
        """Run Baum--Welch on the sequences in ``X``; returns ``self``."""
        self._initialise(X)
        seqs = _split(X, lengths, self.n_features)
        pi, A, B, history = hmm.baum_welch(seqs, *self._params(), n_iter=self.n_iter, tol=self.tol, update=self.params)
        self.startprob_, self.transmat_, self.emissionprob_ = pi, A, B
        self.log_likelihoods_ = history
        return self

    def score(self, X, lengths=None) -> float:
        """Total log-likelihood :math:`\\sum_k \\log P(O^{(k)} \\mid \\lambda)`."""
        params = self._params()
        return float(sum(hmm.forward_log(*params, o)[1] for o in _split(X, lengths, params[2].shape[1])))

    def decode(self, X, lengths=None):
        """Viterbi: ``(log_prob, states)``, the joint log-probability and the concatenated paths."""
        params = self._params()
        results = [hmm.viterbi(*params, o) for o in _split(X, lengths, params[2].shape[1])]
        return float(sum(r[1] for r in results)), np.concatenate([r[0] for r in results])

    def predict(self, X, lengths=None) -> np.ndarray:
        """The Viterbi states, shape (n_samples,)."""
        return self.decode(X, lengths)[1]

    def predict_proba(self, X, lengths=None) -> np.ndarray:
        """Posterior marginals :math:`\\gamma`, shape (n_samples, n_components)."""
        params = self._params()
        return np.concatenate([hmm.posterior(*params, o) for o in _split(X, lengths, params[2].shape[1])])

    def sample(self, n_samples: int = 1, random_state=None):
        """Draw ``(X, states)``: X of shape (n_samples, 1), states (n_samples,)."""
        rng = self.random_state if random_state is None else random_state
        obs, states = hmm.sample(*self._params(), n_samples, random_state=rng)
        return obs[:, None], states
