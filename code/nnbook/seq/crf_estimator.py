r"""``LinearChainCRF``: the functions of :mod:`nnbook.seq.crf` behind sklearn-crfsuite's API.

Inputs are sklearn-crfsuite's: ``X`` a list of sentences, each a non-empty list of feature dicts
(``{"word": "香港", "bias": 1.0}``: a string value makes the indicator attribute
``word=香港``, a finite real number is the attribute's value; bools, NaN and other values are
refused), ``y`` a list of label lists (strings), one label per token. So the same features go
to both, which is how the book and ``tests/seq/test_crf_estimator.py`` compare them.
The model has a weight for every label pair (sklearn-crfsuite's
``all_possible_transitions=True``) and, for the states, either one weight per (attribute,
label) pair seen in training (``all_possible_states=False``, CRFsuite's default, a much
smaller model) or one for every pair (``all_possible_states=True``). The estimator follows
:class:`nnbook.base.Estimator`: ``__init__`` stores, ``fit`` validates and learns.

Book chapter: ``book/ch6-sequence-models/04-crf.ipynb``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import optimize

from nnbook._validation import check_bool, check_int, check_number, check_random_state, check_same_length
from nnbook.base import Estimator
from nnbook.runtime import one_blas_thread
from nnbook.seq import crf

__all__ = ["LinearChainCRF"]


def _check_sentences(X, name: str = "X") -> list[int]:
    """The lengths of the sentences of ``X``, a non-empty list (or tuple) of non-empty lists."""
    if not isinstance(X, (list, tuple)):
        raise TypeError(f"{name} must be a list of sentences (lists), got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError(f"{name} must be a non-empty list of sentences, got {X!r}")
    for i, sentence in enumerate(X):
        if not isinstance(sentence, (list, tuple)) or len(sentence) == 0:
            raise ValueError(f"{name}[{i}] must be a non-empty list, got {sentence!r}")
    return [len(s) for s in X]


def _check_features(X) -> list[int]:
    """Sentence lengths of ``X``, every token a dict of str -> str or finite real number."""
    lengths = _check_sentences(X)
    for i, sentence in enumerate(X):
        for t, token in enumerate(sentence):
            if not isinstance(token, dict):
                raise TypeError(f"X[{i}][{t}] must be a dict of features, got {type(token).__name__} ({token!r})")
            for key, value in token.items():
                if not isinstance(key, str):
                    raise TypeError(f"X[{i}][{t}] has a feature name that is not a str: {key!r}")
                if isinstance(value, str):
                    continue
                if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                    raise TypeError(f"X[{i}][{t}][{key!r}] must be a str or a real number, got "
                                    f"{type(value).__name__} ({value!r})")
                if not math.isfinite(value):
                    raise ValueError(f"X[{i}][{t}][{key!r}] must be finite, got {value}")
    return lengths


def _check_tags(y, lengths: list[int], classes=None) -> list:
    """The labels of ``y`` flattened, after checking one str label per token (and, given, known labels)."""
    if not isinstance(y, (list, tuple)):
        raise TypeError(f"y must be a list of label lists, got {type(y).__name__}")
    check_same_length(("X", "y"), lengths, y)
    for i, (sentence, n) in enumerate(zip(y, lengths)):
        if not isinstance(sentence, (list, tuple)):
            raise ValueError(f"y[{i}] must be a list of labels, got {sentence!r}")
        if len(sentence) != n:
            raise ValueError(f"y must have one label per token of X: y[{i}] has {len(sentence)} labels, "
                             f"X[{i}] has {n} tokens")
    flat = [label for sentence in y for label in sentence]
    bad = next((label for label in flat if not isinstance(label, str)), None)
    if bad is not None:
        raise TypeError(f"y must hold str labels, got {type(bad).__name__} ({bad!r})")
    if classes is not None:
        unknown = sorted(set(flat) - set(classes))
        if unknown:
            raise ValueError(f"y has a label the model was not trained on: {unknown[0]!r} "
                             f"(unknown: {unknown[:10]}; classes_: {list(classes)[:20]})")
    return flat


class LinearChainCRF(Estimator):
    r"""Linear-chain CRF trained by L2-regularised maximum likelihood with L-BFGS.

    :math:`p(y\mid x) = \exp\big(\sum_t e_t(y_t) + \sum_{t>1}\tau_{y_{t-1}y_t}\big)/Z(x)` with
    :math:`e_t = x_t W` (Lafferty et al. 2001; Sutton & McCallum 2012); the log-likelihood and its
    gradient come from :func:`nnbook.seq.crf.objective_and_gradient`.

    Parameters
    ----------
    c2 : float >= 0, default 1.0
        L2 coefficient: the objective is :math:`-\sum_n\log p(y^{(n)}\mid x^{(n)}) + c_2\lVert\theta\rVert^2`.
    max_iterations : int >= 1, default 100
        L-BFGS iterations (scipy's ``maxiter``).
    all_possible_states : bool, default False
        One weight for every (attribute, label) pair, instead of only the pairs seen in training.
    num_memories : int >= 1, default 6
        L-BFGS history length (CRFsuite's default).
    init_scale : float >= 0, default 0.0
        Initial weights are drawn from :math:`\mathcal N(0, \text{init\_scale}^2)`; 0 starts
        from all zeros, as CRFsuite does. (The objective is convex: every start leads to the
        same optimum, which the book checks.)
    random_state : None, int >= 0 or numpy Generator
        Seed of the initial weights (drawn even when ``init_scale`` is 0).

    Attributes
    ----------
    classes_ : list of str (L,)
    vectorizer_ : sklearn DictVectorizer, the attribute names
    state_weights_ : ndarray (n_attributes, L), zero for pairs that have no weight
    transition_weights_ : ndarray (L, L), row = previous label
    loss_curve_ : list of float, the objective after each iteration
    n_iter_ : int
    """

    def __init__(self, c2: float = 1.0, max_iterations: int = 100, all_possible_states: bool = False,
                 num_memories: int = 6, init_scale: float = 0.0, random_state=None):
        self.c2 = c2
        self.max_iterations = max_iterations
        self.all_possible_states = all_possible_states
        self.num_memories = num_memories
        self.init_scale = init_scale
        self.random_state = random_state

    def encode(self, X, y=None):
        """``(features, labels, packing)`` of sentences for :func:`nnbook.seq.crf.objective_and_gradient`.

        ``features``: sparse (n_tokens, n_attributes) in packed order (attributes unseen in
        training are dropped); ``labels``: label indices in packed order (None without ``y``;
        a label not in ``classes_`` raises ``ValueError``); ``packing``: the
        :class:`nnbook.seq.crf.Packing` of the sentence lengths. Needs a fitted model.
        """
        self._check_fitted("vectorizer_", "classes_")
        lengths = _check_features(X)
        packing = crf.Packing(lengths)
        features = self.vectorizer_.transform([f for sentence in X for f in sentence]).tocsr()[packing.order]
        if y is None:
            return features, None, packing
        index = {c: i for i, c in enumerate(self.classes_)}
        labels = np.array([index[label] for label in _check_tags(y, lengths, self.classes_)])
        return features, labels[packing.order], packing

    def fit(self, X, y) -> "LinearChainCRF":
        """Fit on sentences ``X`` (lists of feature dicts) and label lists ``y``; returns ``self``."""
        from sklearn.feature_extraction import DictVectorizer  # imported here: sklearn is slow to import

        c2 = check_number("c2", self.c2, low=0.0)
        max_iterations = check_int("max_iterations", self.max_iterations, low=1)
        all_possible_states = check_bool("all_possible_states", self.all_possible_states)
        num_memories = check_int("num_memories", self.num_memories, low=1)
        init_scale = check_number("init_scale", self.init_scale, low=0.0)
        rng = check_random_state(self.random_state)
        lengths = _check_features(X)
        labels = _check_tags(y, lengths)
        self.vectorizer_ = DictVectorizer(dtype=np.float64)
        features = self.vectorizer_.fit_transform([f for sentence in X for f in sentence]).tocsr()
        self.classes_ = sorted(set(labels))
        index = {c: i for i, c in enumerate(self.classes_)}
        packing = crf.Packing(lengths)
        Xp = features[packing.order]
        yp = np.array([index[label] for label in labels])[packing.order]
        L = len(self.classes_)
        pairs = None
        if not all_possible_states:  # the (attribute, label) pairs that occur in training
            pairs = crf.empirical_counts(Xp, yp, packing, L)[: -L * L].reshape(-1, L).nonzero()
        empirical = crf.empirical_counts(Xp, yp, packing, L, pairs)
        theta0 = init_scale * rng.standard_normal(len(empirical))
        self.loss_curve_ = []
        with one_blas_thread():  # tiny products: extra BLAS threads only spin
            result = optimize.minimize(
                crf.objective_and_gradient, theta0, jac=True, method="L-BFGS-B",
                args=(Xp, yp, packing, L, c2, empirical, pairs),
                options={"maxiter": max_iterations, "maxcor": num_memories},
                callback=lambda intermediate_result: self.loss_curve_.append(float(intermediate_result.fun)),
            )
        W = crf.state_weights(result.x[: -L * L], Xp.shape[1], L, pairs)
        self.state_weights_ = W.toarray() if pairs is not None else W
        self.transition_weights_ = result.x[-L * L :].reshape(L, L)
        self.n_iter_ = int(result.nit)
        return self

    def _emit(self, X):
        self._check_fitted("state_weights_", "transition_weights_", "vectorizer_", "classes_")
        lengths = _check_features(X)
        packing = crf.Packing(lengths)
        features = self.vectorizer_.transform([f for sentence in X for f in sentence]).tocsr()
        return features[packing.order] @ self.state_weights_, packing, np.cumsum(lengths)[:-1]

    def predict(self, X) -> list[list[str]]:
        """Viterbi labels, a list of label lists."""
        emit, packing, splits = self._emit(X)
        flat = np.empty(len(emit), dtype=np.int64)
        flat[packing.order] = crf.viterbi_packed(emit, self.transition_weights_, packing)
        names = np.array(self.classes_, dtype=object)
        return [list(names[part]) for part in np.split(flat, splits)]

    def predict_marginals(self, X) -> list[np.ndarray]:
        r"""Node marginals :math:`p(y_t = \ell \mid x)`: a list of (T, L) arrays (columns = ``classes_``)."""
        emit, packing, splits = self._emit(X)
        gamma = np.empty_like(emit)
        with one_blas_thread():
            gamma[packing.order] = crf.forward_backward_packed(emit, self.transition_weights_, packing)[0]
        return np.split(gamma, splits)

    def score(self, X, y) -> float:
        """Token accuracy of :meth:`predict` against ``y`` (labels must be in ``classes_``)."""
        self._check_fitted("state_weights_", "classes_")
        gold = _check_tags(y, _check_features(X), self.classes_)
        predicted = [label for sentence in self.predict(X) for label in sentence]
        return float(np.mean(np.array(predicted, dtype=object) == np.array(gold, dtype=object)))
