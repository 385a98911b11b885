r"""A multilayer perceptron in NumPy whose backward pass is written by hand.

A mini-batch ``X`` has one example per row, shape (m, n_0); ``W[l]`` has shape (n_l, n_{l-1})
(the layout of ``torch.nn.Linear``). With :math:`A^{(0)} = X` and :math:`\Delta^{(L)}=\partial J/\partial Z^{(L)}`
from the loss (:func:`output_delta`):

.. math::
    Z^{(l)} = A^{(l-1)}W^{(l)\top} + \mathbf 1\mathbf b^{(l)\top},\quad A^{(l)} = f(Z^{(l)}),\quad
    \Delta^{(l)} = \big(\Delta^{(l+1)}W^{(l+1)}\big)\odot f'(Z^{(l)}),

    \partial J/\partial W^{(l)} = \Delta^{(l)\top}A^{(l-1)} + \lambda W^{(l)},\quad
    \partial J/\partial\mathbf b^{(l)} = \Delta^{(l)\top}\mathbf 1,

the batch form of :math:`\delta^{(l)}=(W^{(l+1)\top}\delta^{(l+1)})\odot f'(z^{(l)})` :cite:`rumelhart1986`.

Book sections: ``book/ch3-backprop/02-derivation.ipynb`` (the equations) and
``book/ch3-backprop/06-whole-loop.ipynb`` (training on the digits, compared with torch).
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import (check_bool, check_float_array, check_int, check_labels, check_number, check_option,
                                check_random_state)
from nnbook.base import Estimator, NotFittedError
from nnbook.nn import activations, init, losses

LOSSES = ("cross_entropy", "binary_cross_entropy", "squared_error")
OUTPUTS = ("identity", "sigmoid", "tanh", "softmax")
_NOT_ELEMENTWISE = ("maxout",)  # maxout changes the width of a layer: not an elementwise f(z)


def available_activations() -> list[str]:
    """Names accepted as ``activation``: the elementwise entries of ``nnbook.nn.activations.ACTIVATIONS``."""
    return sorted(n for n in activations.ACTIVATIONS if n not in _NOT_ELEMENTWISE)


def _activation(name: str):
    """``(f, f_prime)`` for an activation name, from :func:`nnbook.nn.activations.get_activation`."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a str, got {type(name).__name__} ({name!r})")
    if name not in available_activations():
        raise ValueError(f"unknown activation {name!r}: activation must be one of {available_activations()}")
    entry = activations.get_activation(name)
    return entry.f, entry.f_prime


def forward(X, weights, biases, activation: str = "relu", output_activation: str = "identity"):
    r"""Forward pass, keeping what backward needs.

    Returns ``(Zs, As)``: ``Zs[l]`` = :math:`Z^{(l+1)}` (pre-activations of layer l+1, shape
    (m, n_{l+1})) and ``As[l]`` = :math:`A^{(l)}` with ``As[0] = X``; ``As[-1]`` is the output
    (softmax probabilities when ``output_activation="softmax"``).

    ``X`` has shape (m, n_0); ``weights[l]`` (n_{l+1}, n_l) and ``biases[l]`` (n_{l+1},) are
    checked against each other and against ``X``.
    """
    X = check_float_array("X", X, ndim=2, cast_ints=True)
    weights, biases = check_layers(weights, biases, X.shape[1])
    f, _ = _activation(activation)
    if output_activation == "softmax":
        f_out = losses.softmax
    else:
        if not isinstance(output_activation, str):
            raise TypeError(f"output_activation must be a str, got {type(output_activation).__name__} "
                            f"({output_activation!r})")
        if output_activation not in available_activations():
            raise ValueError(f"unknown output_activation {output_activation!r}: output_activation must be one "
                             f"of {available_activations() + ['softmax']}")
        f_out = _activation(output_activation)[0]
    Zs, As = [], [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        Z = As[-1] @ W.T + b
        Zs.append(Z)
        As.append(f_out(Z) if l == len(weights) - 1 else f(Z))
    return Zs, As


def check_layers(weights, biases, n_inputs: int | None = None) -> tuple[list, list]:
    """``weights`` and ``biases`` as lists of float arrays that chain: ``weights[l]`` (n_{l+1}, n_l), ``biases[l]`` (n_{l+1},).

    ``n_inputs`` (if given) is the width ``n_0`` the first matrix must accept. Returns the
    arrays themselves (not copies), so in-place updates still reach the caller's arrays.
    """
    for name, seq in (("weights", weights), ("biases", biases)):
        if isinstance(seq, np.ndarray) or not isinstance(seq, (list, tuple)):
            raise TypeError(f"{name} must be a list of arrays, one per layer, got {type(seq).__name__}")
    if not weights:
        raise ValueError("weights is empty: give at least one layer")
    if len(weights) != len(biases):
        raise ValueError(f"weights and biases must have the same length, got {len(weights)} and {len(biases)}")
    weights = [check_float_array(f"weights[{l}]", W, ndim=2, cast_ints=True) for l, W in enumerate(weights)]
    biases = [check_float_array(f"biases[{l}]", b, ndim=1, cast_ints=True) for l, b in enumerate(biases)]
    width = n_inputs
    for l, (W, b) in enumerate(zip(weights, biases)):
        if width is not None and W.shape[1] != width:
            what = "X has" if l == 0 else f"weights[{l - 1}] gives"
            raise ValueError(f"weights[{l}] has shape {W.shape}, but {what} {width} features")
        if b.shape != (W.shape[0],):
            raise ValueError(f"biases[{l}] must have shape ({W.shape[0]},) to match weights[{l}] {W.shape}, got {b.shape}")
        width = W.shape[0]
    return weights, biases


def backward(delta_out, Zs, As, weights, activation: str = "relu"):
    r"""Backward pass from the output signal ``delta_out``, shape (m, n_L).

    ``delta_out`` is :math:`\Delta^{(L)} = \partial J/\partial Z^{(L)}`. Returns
    ``[(dW1, db1), ..., (dWL, dbL)]`` of the data term (no weight decay), with
    :math:`\partial J/\partial W^{(l)} = \Delta^{(l)\top}A^{(l-1)}`,
    :math:`\partial J/\partial\mathbf b^{(l)}` = column sums of :math:`\Delta^{(l)}`, and
    :math:`\Delta^{(l-1)}=(\Delta^{(l)}W^{(l)})\odot f'(Z^{(l-1)})`.
    """
    _, f_prime = _activation(activation)
    delta_out, Zs, As, weights = check_backward_inputs(delta_out, Zs, As, weights)
    grads, delta = [], delta_out
    for l in range(len(weights) - 1, -1, -1):
        grads.append((delta.T @ As[l], delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ weights[l]) * f_prime(Zs[l - 1])
    return grads[::-1]


def check_backward_inputs(delta_out, Zs, As, weights):
    """The arguments of :func:`backward`, checked against each other and returned as float arrays.

    ``weights`` holds L matrices :math:`W^{(l)}` of shape (n_l, n_{l-1}); ``As`` the L layer inputs
    :math:`A^{(l-1)}` (m, n_{l-1}); ``Zs`` at least the L - 1 hidden pre-activations (m, n_l);
    ``delta_out`` is (m, n_L). ``TypeError``/``ValueError`` naming the argument otherwise.
    """
    for name, value in (("Zs", Zs), ("As", As), ("weights", weights)):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be a list of arrays, one per layer, got {type(value).__name__}")
    if not weights:
        raise ValueError("weights is empty: give one matrix per layer")
    weights = [check_float_array(f"weights[{l}]", W, ndim=2) for l, W in enumerate(weights)]
    L = len(weights)
    if len(As) < L or len(Zs) < L - 1:
        raise ValueError(f"As needs {L} entries and Zs at least {L - 1} for {L} weight matrices, "
                         f"got {len(As)} and {len(Zs)}")
    delta_out = check_float_array("delta_out", delta_out, ndim=2)
    m = delta_out.shape[0]
    if delta_out.shape[1] != weights[-1].shape[0]:
        raise ValueError(f"delta_out must have shape (m, {weights[-1].shape[0]}) to match weights[{L - 1}], "
                         f"got {delta_out.shape}")
    As = [check_float_array(f"As[{l}]", As[l], shape=(m, W.shape[1])) for l, W in enumerate(weights)]
    Zs = [check_float_array(f"Zs[{l}]", Zs[l], shape=(m, weights[l].shape[0])) for l in range(L - 1)]
    return delta_out, Zs, As, weights


def output_delta(loss: str, output_activation: str, Z_out, A_out, y):
    r""":math:`\Delta^{(L)}=\partial J/\partial Z^{(L)}` for a loss and an output activation.

    ``output_activation`` is one of ``OUTPUTS`` for squared error; the cross-entropy losses fix
    it (softmax, sigmoid), so there it may be ``None``. ``Z_out`` and ``A_out`` have shape (m, n_L).

    Cross-entropy after softmax (or sigmoid): :math:`(A-Y)/m`. Squared error:
    :math:`\frac{A-Y}{m}\odot f'(Z)` for an elementwise output, and the product with the
    softmax Jacobian (:func:`nnbook.nn.losses.softmax_backward`) after a softmax.
    """
    check_option("loss", loss, LOSSES)
    fixed = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss)
    if fixed is None:
        check_option("output_activation", output_activation, OUTPUTS)
    elif output_activation not in (None, fixed):
        raise ValueError(f"output_activation is fixed by loss={loss!r}: output_activation must be None or "
                         f"{fixed!r}, got {output_activation!r}")
    Z_out = check_float_array("Z_out", Z_out, ndim=2, cast_ints=True)
    A_out = check_float_array("A_out", A_out, ndim=2, cast_ints=True)
    if A_out.shape != Z_out.shape:
        raise ValueError(f"Z_out and A_out must have the same shape, got {Z_out.shape} and {A_out.shape}")
    if loss == "cross_entropy":
        return losses.cross_entropy_grad(Z_out, y)
    if loss == "binary_cross_entropy":
        return losses.binary_cross_entropy_grad(Z_out, y)
    grad_a = losses.squared_error_grad(A_out, y)
    if output_activation == "softmax":
        return losses.softmax_backward(A_out, grad_a)
    return grad_a * _activation(output_activation)[1](Z_out)


def init_params(layer_sizes, activation: str, rng):
    r"""Gaussian weights, zero biases: std :math:`\sqrt{2/n_{in}}` for ReLU-like units :cite:`he2015`,
    :math:`\sqrt{2/(n_{in}+n_{out})}` otherwise :cite:`glorot2010`.

    The variances are :func:`nnbook.nn.init.init_variance` of ``"he_normal"`` and
    ``"xavier_normal"``; the draw is ``rng.normal(0, sqrt(variance))`` layer by layer, the
    numbers the book's notebooks were run with. (Calling :func:`nnbook.nn.init.he_normal`
    would draw :math:`\sqrt2/\sqrt{n_{in}}`, which differs from :math:`\sqrt{2/n_{in}}` in the
    last bit for many :math:`n_{in}`.) ``rng``: a Generator, an int or None (``random_state``).
    """
    layer_sizes = _check_layer_sizes(layer_sizes)
    _activation(activation)
    rng = check_random_state(rng, "rng")
    name = "he_normal" if "relu" in activation else "xavier_normal"
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(init.init_variance(name, (n_out, n_in)))
        weights.append(rng.normal(0.0, std, size=(n_out, n_in)))
        biases.append(np.zeros(n_out))
    return weights, biases


def _check_layer_sizes(sizes) -> list[int]:
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"layer_sizes must be a list of at least two ints, got {sizes!r}")
    return [check_int(f"layer_sizes[{i}]", s, low=1) for i, s in enumerate(sizes)]


class MLP(Estimator):
    """A fully connected network trained by mini-batch gradient descent (scikit-learn style).

    An :class:`nnbook.base.Estimator`: ``__init__`` only stores its arguments; ``fit`` (and
    :meth:`initialize`) validate them through ``nnbook._validation`` (sizes are ints >= 1,
    ``cross_entropy`` needs at least two classes, ``learning_rate`` finite and > 0...);
    ``predict``/``predict_proba``/``score`` before ``fit`` raise :class:`nnbook.base.NotFittedError`.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden_1, ..., n_outputs]``, at least two entries.
    activation : str, default "relu"
        Hidden-layer activation, by name (see :func:`available_activations`).
    loss : {"cross_entropy", "binary_cross_entropy", "squared_error"}
        Softmax + cross-entropy (``y``: int labels), sigmoid + binary cross-entropy (one
        output, ``y`` in [0, 1]), or squared error (``y``: float targets (m, n_outputs)).
    output_activation : str, optional
        Only for squared error: "identity" (default), "sigmoid", "tanh" or "softmax".
    weight_decay : float, default 0
        :math:`\\lambda` of the penalty :math:`\\frac{\\lambda}{2}\\sum_l\\lVert W^{(l)}\\rVert^2` (weights only).
    learning_rate, batch_size, epochs, shuffle, random_state, warm_start
        Plain SGD settings; ``random_state`` seeds the initial weights and the shuffling;
        with ``warm_start=True``, ``fit`` starts from the current ``weights_``/``biases_``
        (set them, or call :meth:`initialize`, to choose the initial weights).

    Attributes
    ----------
    weights_, biases_ : lists of ndarray, shapes (n_l, n_{l-1}) and (n_l,)
    loss_curve_ : list of float
        Mean data loss of each epoch of the last ``fit``, measured on each mini-batch before
        its update (the same quantity as ``nnbook.nets.training.History.train_loss``).
    """

    def __init__(self, layer_sizes, activation="relu", loss="cross_entropy", output_activation=None,
                 weight_decay=0.0, learning_rate=0.1, batch_size=32, epochs=10, shuffle=True,
                 random_state=0, warm_start=False):
        self.layer_sizes = layer_sizes
        self.activation = activation
        self.loss = loss
        self.output_activation = output_activation
        self.weight_decay = weight_decay
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start

    # -- validation ------------------------------------------------------------------------
    def _output(self) -> str:
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}: loss must be one of {list(LOSSES)}")
        if self.loss != "squared_error":
            if self.output_activation is not None:
                raise ValueError(f"output_activation is fixed by loss={self.loss!r}; got {self.output_activation!r}")
            return "softmax" if self.loss == "cross_entropy" else "sigmoid"
        out = "identity" if self.output_activation is None else self.output_activation
        if out not in OUTPUTS:
            raise ValueError(f"unknown output_activation {out!r}: output_activation must be one of {list(OUTPUTS)}")
        return out

    def _check_params(self) -> None:
        """Validate every constructor argument (scikit-learn style: in ``fit``, not in ``__init__``)."""
        sizes = _check_layer_sizes(self.layer_sizes)
        _activation(self.activation)
        self._output()
        if self.loss == "binary_cross_entropy" and sizes[-1] != 1:
            raise ValueError(f"binary_cross_entropy needs one output unit, got layer_sizes[-1] = {sizes[-1]}")
        if self.loss == "cross_entropy" and sizes[-1] < 2:
            raise ValueError(f"cross_entropy needs at least two classes, got layer_sizes[-1] = {sizes[-1]}")
        check_number("weight_decay", self.weight_decay, low=0.0)
        check_number("learning_rate", self.learning_rate, low=0.0, low_open=True)
        check_int("batch_size", self.batch_size, low=1)
        check_int("epochs", self.epochs, low=1)
        check_bool("shuffle", self.shuffle)
        check_bool("warm_start", self.warm_start)
        if not isinstance(self.random_state, np.random.Generator):
            check_random_state(self.random_state)

    def _check_X(self, X) -> np.ndarray:
        X = check_float_array("X", X, ndim=2, cast_ints=True)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.layer_sizes[0]}), got {X.shape}")
        return X.astype(np.float64)

    def _check_y(self, y, n: int) -> np.ndarray:
        if self.loss == "cross_entropy":
            y = check_labels("y", y, self.layer_sizes[-1])
            if len(y) != n:
                raise ValueError(f"y must have shape ({n},) to match the {n} samples of X, got {y.shape}")
            return y
        if isinstance(y, (str, bytes)) or y is None:
            raise TypeError(f"y must be an array of numbers, got {type(y).__name__} ({y!r})")
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"y must hold real numbers, got dtype {y.dtype}")
        y = y.astype(np.float64)
        if y.ndim == 1 and self.layer_sizes[-1] == 1:
            y = y[:, None]
        if y.shape != (n, self.layer_sizes[-1]):
            raise ValueError(f"y must have shape ({n}, {self.layer_sizes[-1]}) to match X, got {np.shape(y)}"
                             " (for classification with squared error pass nnbook.nn.losses.one_hot(y, n_classes))")
        if not np.all(np.isfinite(y)):
            raise ValueError(f"y must be finite, got y{np.argwhere(~np.isfinite(y))[0].tolist()} = {y[~np.isfinite(y)][0]}")
        if self.loss == "binary_cross_entropy" and np.any((y < 0) | (y > 1)):
            raise ValueError(f"y must hold targets in [0, 1], got values in [{y.min()}, {y.max()}]")
        return y

    def _check_fitted(self) -> None:
        """:class:`nnbook.base.NotFittedError` before ``fit``/``initialize``; then the shapes of ``weights_``/``biases_``."""
        if not hasattr(self, "weights_") or not hasattr(self, "biases_"):
            raise NotFittedError("this MLP has no weights yet (no weights_, biases_): call fit(...) or initialize() first")
        sizes = list(zip(self.layer_sizes[1:], self.layer_sizes[:-1]))
        shapes = [(np.shape(W), np.shape(b)) for W, b in zip(self.weights_, self.biases_)]
        if len(self.weights_) != len(sizes) or shapes != [((o, i), (o,)) for o, i in sizes]:
            raise ValueError(f"weights_/biases_ have shapes {shapes}, but layer_sizes {self.layer_sizes} needs "
                             f"{[((o, i), (o,)) for o, i in sizes]}")

    # -- the math ----------------------------------------------------------------------------
    def initialize(self) -> "MLP":
        """Draw the initial ``weights_`` and ``biases_`` from ``random_state``; returns self."""
        self._check_params()
        self.weights_, self.biases_ = init_params(self.layer_sizes, self.activation, np.random.default_rng(self.random_state))
        return self

    def _loss_and_grads(self, X, y):
        Zs, As = forward(X, self.weights_, self.biases_, self.activation, self._output())
        if self.loss == "squared_error":
            data_loss = losses.squared_error(As[-1], y)
        else:
            loss_fn = losses.cross_entropy if self.loss == "cross_entropy" else losses.binary_cross_entropy
            data_loss = loss_fn(Zs[-1], y)
        grads = backward(output_delta(self.loss, self._output(), Zs[-1], As[-1], y), Zs, As, self.weights_, self.activation)
        decay = losses.l2_penalty_grad(self.weights_, self.weight_decay)
        grads = [(dW + dD, db) for (dW, db), dD in zip(grads, decay)]
        return data_loss, data_loss + losses.l2_penalty(self.weights_, self.weight_decay), grads

    def loss_and_gradients(self, X, y):
        """Total loss (data + weight decay) at the current weights and ``[(dW, db), ...]`` per layer."""
        self._check_params()
        self._check_fitted()
        X = self._check_X(X)
        _, total, grads = self._loss_and_grads(X, self._check_y(y, len(X)))
        return total, grads

    def fit(self, X, y) -> "MLP":
        """Mini-batch SGD for ``epochs`` passes; returns self.

        Each step: ``W -= learning_rate * dJ/dW`` and ``b -= learning_rate * dJ/db``.
        """
        self._check_params()
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        if not (self.warm_start and hasattr(self, "weights_")):
            self.initialize()
        self._check_fitted()
        rng = np.random.default_rng(self.random_state)
        self.loss_curve_ = []
        for _ in range(self.epochs):
            order = rng.permutation(len(X)) if self.shuffle else np.arange(len(X))
            total = 0.0
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                data_loss, _, grads = self._loss_and_grads(X[idx], y[idx])
                total += data_loss * len(idx)
                for W, b, (dW, db) in zip(self.weights_, self.biases_, grads):
                    W -= self.learning_rate * dW
                    b -= self.learning_rate * db
            self.loss_curve_.append(total / len(X))
        return self

    def _forward_output(self, X):
        self._check_params()
        self._check_fitted()
        return forward(self._check_X(X), self.weights_, self.biases_, self.activation, self._output())[1][-1]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n, n_classes) (two columns for the binary loss)."""
        if self.loss == "squared_error":
            raise ValueError("predict_proba needs loss='cross_entropy' or 'binary_cross_entropy', not 'squared_error'")
        P = self._forward_output(X)
        return np.hstack([1.0 - P, P]) if self.loss == "binary_cross_entropy" else P

    def predict(self, X) -> np.ndarray:
        """Class labels for the cross-entropy losses; the network's output for squared error."""
        if self.loss == "squared_error":
            return self._forward_output(X)
        return self.predict_proba(X).argmax(axis=1)

    def score(self, X, y) -> float:
        """Accuracy of :meth:`predict` (classification losses only); ``y`` int labels (n,) (0/1 or bools for the binary loss)."""
        if self.loss == "squared_error":
            raise ValueError("score needs loss='cross_entropy' or 'binary_cross_entropy', not 'squared_error'")
        predicted = self.predict(X)
        if self.loss == "binary_cross_entropy" and np.asarray(y).dtype == bool:
            y = np.asarray(y).astype(np.int64)
        y = check_labels("y", y, 2 if self.loss == "binary_cross_entropy" else self.layer_sizes[-1])
        if len(y) != len(predicted):
            raise ValueError(f"y must have shape ({len(predicted)},) to match the {len(predicted)} samples of X, got {y.shape}")
        return float(np.mean(predicted == y))

