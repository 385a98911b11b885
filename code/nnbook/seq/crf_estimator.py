"""``LinearChainCRF``: the functions of :mod:`nnbook.seq.crf` behind sklearn-crfsuite's API.

Inputs are sklearn-crfsuite's: ``X`` a list of sentences, each a list of feature dicts
(``{"word": "香港", "bias": 1.0}``: a string value makes the indicator attribute
``word=香港``, a number is the attribute's value), ``y`` a list of label lists. So the
same features go to both, which is how the book and ``tests/test_crf.py`` compare them.
The model has a weight for every label pair (sklearn-crfsuite's
``all_possible_transitions=True``) and, for the states, either one weight per (attribute,
label) pair seen in training (``all_possible_states=False``, CRFsuite's default, a much
smaller model) or one for every pair (``all_possible_states=True``).

Book chapter: ``book/ch6-sequence-models/04-crf.ipynb``.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits


def _check_sentences(X, name: str = "X"):
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        raise ValueError(f"{name} must be a non-empty list of sentences, got {type(X).__name__}")
    for i, sentence in enumerate(X):
        if not isinstance(sentence, (list, tuple)) or len(sentence) == 0:
            raise ValueError(f"{name}[{i}] must be a non-empty list, got {sentence!r}")
    return [len(s) for s in X]


class LinearChainCRF:
    """Linear-chain CRF trained by L2-regularised maximum likelihood with L-BFGS.

    Parameters
    ----------
    c2 : float, default 1.0
        L2 coefficient: the objective is :math:`-\\sum_n\\log p(y^{(n)}\\mid x^{(n)}) + c_2\\lVert\\theta\\rVert^2`.
    max_iterations : int, default 100
        L-BFGS iterations (scipy's ``maxiter``).
    all_possible_states : bool, default False
        One weight for every (attribute, label) pair, instead of only the pairs seen in training.
    num_memories : int, default 6
        L-BFGS history length (CRFsuite's default).
    init_scale : float, default 0.0
        Initial weights are drawn from :math:`\\mathcal N(0, \\text{init\\_scale}^2)`; 0 starts
        from all zeros, as CRFsuite does. (The objective is convex: every start leads to the
        same optimum, which the book checks.)
    random_state : int, optional
        Seed of the initial weights when ``init_scale > 0``.

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
        training are dropped); ``labels``: label indices in packed order (None without ``y``);
        ``packing``: the :class:`nnbook.seq.crf.Packing` of the sentence lengths. Needs a fitted model.
        """
        from nnbook.seq.crf import Packing

        if not hasattr(self, "vectorizer_"):
            raise ValueError("this LinearChainCRF is not fitted: call fit() first")
        packing = Packing(_check_sentences(X))
        features = self.vectorizer_.transform([f for sentence in X for f in sentence]).tocsr()[packing.order]
        if y is None:
            return features, None, packing
        index = {c: i for i, c in enumerate(self.classes_)}
        try:
            labels = np.array([index[label] for sentence in y for label in sentence])
        except KeyError as err:
            raise ValueError(f"y has a label the model was not trained on: {err.args[0]!r}") from None
        if len(labels) != features.shape[0]:
            raise ValueError("y must have one label per token of X (the sentence lengths differ)")
        return features, labels[packing.order], packing

    def fit(self, X, y):
        """Fit on sentences ``X`` (lists of feature dicts) and label lists ``y``; returns ``self``."""
        from sklearn.feature_extraction import DictVectorizer

        from nnbook.seq.crf import Packing, _state_weights, empirical_counts, objective_and_gradient

        lengths = _check_sentences(X)
        if _check_sentences(y, "y") != lengths:
            raise ValueError("y must have one label per token of X (the sentence lengths differ)")
        if self.c2 < 0:
            raise ValueError(f"c2 must be >= 0, got {self.c2}")
        self.vectorizer_ = DictVectorizer(dtype=np.float64)
        features = self.vectorizer_.fit_transform([f for sentence in X for f in sentence]).tocsr()
        labels = [label for sentence in y for label in sentence]
        self.classes_ = sorted(set(labels))
        index = {c: i for i, c in enumerate(self.classes_)}
        packing = Packing(lengths)
        Xp = features[packing.order]
        yp = np.array([index[label] for label in labels])[packing.order]
        L = len(self.classes_)
        pairs = None
        if not self.all_possible_states:  # the (attribute, label) pairs that occur in training
            pairs = empirical_counts(Xp, yp, packing, L)[: -L * L].reshape(-1, L).nonzero()
        empirical = empirical_counts(Xp, yp, packing, L, pairs)
        theta0 = self.init_scale * np.random.default_rng(self.random_state).standard_normal(len(empirical))
        self.loss_curve_ = []
        with threadpool_limits(limits=1, user_api="blas"):  # tiny products: extra BLAS threads only spin
            result = optimize.minimize(
                objective_and_gradient, theta0, jac=True, method="L-BFGS-B",
                args=(Xp, yp, packing, L, self.c2, empirical, pairs),
                options={"maxiter": self.max_iterations, "maxcor": self.num_memories},
                callback=lambda intermediate_result: self.loss_curve_.append(float(intermediate_result.fun)),
            )
        W = _state_weights(result.x[: -L * L], Xp.shape[1], L, pairs)
        self.state_weights_ = W.toarray() if pairs is not None else W
        self.transition_weights_ = result.x[-L * L :].reshape(L, L)
        self.n_iter_ = int(result.nit)
        return self

    def _emit(self, X):
        from nnbook.seq.crf import Packing

        if not hasattr(self, "state_weights_"):
            raise ValueError("this LinearChainCRF is not fitted: call fit() first")
        lengths = _check_sentences(X)
        packing = Packing(lengths)
        features = self.vectorizer_.transform([f for sentence in X for f in sentence]).tocsr()
        return features[packing.order] @ self.state_weights_, packing, np.cumsum(lengths)[:-1]

    def predict(self, X):
        """Viterbi labels, a list of label lists."""
        from nnbook.seq.crf import viterbi_packed

        emit, packing, splits = self._emit(X)
        flat = np.empty(len(emit), dtype=np.int64)
        flat[packing.order] = viterbi_packed(emit, self.transition_weights_, packing)
        names = np.array(self.classes_, dtype=object)
        return [list(names[part]) for part in np.split(flat, splits)]

    def predict_marginals(self, X):
        """Node marginals :math:`p(y_t = \\ell \\mid x)`: a list of (T, L) arrays (columns = ``classes_``)."""
        from nnbook.seq.crf import forward_backward_packed

        emit, packing, splits = self._emit(X)
        gamma = np.empty_like(emit)
        with threadpool_limits(limits=1, user_api="blas"):
            gamma[packing.order] = forward_backward_packed(emit, self.transition_weights_, packing)[0]
        return np.split(gamma, splits)

    def score(self, X, y) -> float:
        """Token accuracy of :meth:`predict` against ``y``."""
        predicted = [label for sentence in self.predict(X) for label in sentence]
        gold = [label for sentence in y for label in sentence]
        return float(np.mean(np.array(predicted, dtype=object) == np.array(gold, dtype=object)))
