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

from nnbook.nn import activations, losses

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
        raise ValueError(f"unknown activation {name!r}; choose one of {available_activations()}")
    entry = activations.get_activation(name)
    return entry.f, entry.f_prime


def forward(X, weights, biases, activation: str = "relu", output_activation: str = "identity"):
    r"""Forward pass, keeping what backward needs.

    Returns ``(Zs, As)``: ``Zs[l]`` = :math:`Z^{(l+1)}` (pre-activations of layer l+1, shape
    (m, n_{l+1})) and ``As[l]`` = :math:`A^{(l)}` with ``As[0] = X``; ``As[-1]`` is the output
    (softmax probabilities when ``output_activation="softmax"``).
    """
    f, _ = _activation(activation)
    f_out = losses.softmax if output_activation == "softmax" else _activation(output_activation)[0]
    Zs, As = [], [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        Z = As[-1] @ W.T + b
        Zs.append(Z)
        As.append(f_out(Z) if l == len(weights) - 1 else f(Z))
    return Zs, As


def backward(delta_out, Zs, As, weights, activation: str = "relu"):
    r"""Backward pass from :math:`\Delta^{(L)} = \partial J/\partial Z^{(L)}`, shape (m, n_L).

    Returns ``[(dW1, db1), ..., (dWL, dbL)]`` of the data term (no weight decay), with
    :math:`\partial J/\partial W^{(l)} = \Delta^{(l)\top}A^{(l-1)}`, :math:`\partial J/\partial\mathbf b^{(l)}`
    = column sums of :math:`\Delta^{(l)}`, and :math:`\Delta^{(l-1)}=(\Delta^{(l)}W^{(l)})\odot f'(Z^{(l-1)})`.
    """
    _, f_prime = _activation(activation)
    grads, delta = [], delta_out
    for l in range(len(weights) - 1, -1, -1):
        grads.append((delta.T @ As[l], delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ weights[l]) * f_prime(Zs[l - 1])
    return grads[::-1]


def output_delta(loss: str, output_activation: str, Z_out, A_out, y):
    r""":math:`\Delta^{(L)}=\partial J/\partial Z^{(L)}` for a loss and an output activation.

    Cross-entropy after softmax (or sigmoid): :math:`(A-Y)/m`. Squared error:
    :math:`\frac{A-Y}{m}\odot f'(Z)` for an elementwise output, and the product with the
    softmax Jacobian (:func:`nnbook.nn.losses.softmax_backward`) after a softmax.
    """
    if loss == "cross_entropy":
        return losses.cross_entropy_grad(Z_out, y)
    if loss == "binary_cross_entropy":
        return losses.binary_cross_entropy_grad(Z_out, y)
    grad_a = losses.squared_error_grad(A_out, y)
    if output_activation == "softmax":
        return losses.softmax_backward(A_out, grad_a)
    return grad_a * _activation(output_activation)[1](Z_out)


def init_params(layer_sizes, activation: str, rng: np.random.Generator):
    r"""Gaussian weights, zero biases: std :math:`\sqrt{2/n_{in}}` for ReLU-like units :cite:`he2015`,
    :math:`\sqrt{2/(n_{in}+n_{out})}` otherwise :cite:`glorot2010`."""
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(2.0 / n_in) if "relu" in activation else np.sqrt(2.0 / (n_in + n_out))
        weights.append(rng.normal(0.0, std, size=(n_out, n_in)))
        biases.append(np.zeros(n_out))
    return weights, biases


def _check_positive(name, value, kind=int):
    ok = isinstance(value, (int, np.integer)) if kind is int else isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, bool) or not ok:
        raise TypeError(f"{name} must be {'an int' if kind is int else 'a number'}, got {type(value).__name__} ({value!r})")
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


class MLP:
    """A fully connected network trained by mini-batch gradient descent (scikit-learn style).

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
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {list(LOSSES)}")
        if self.loss != "squared_error":
            if self.output_activation is not None:
                raise ValueError(f"output_activation is fixed by loss={self.loss!r}; got {self.output_activation!r}")
            return "softmax" if self.loss == "cross_entropy" else "sigmoid"
        out = "identity" if self.output_activation is None else self.output_activation
        if out not in OUTPUTS:
            raise ValueError(f"unknown output_activation {out!r}; choose one of {list(OUTPUTS)}")
        return out

    def _check_params(self) -> None:
        sizes = self.layer_sizes
        if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
            raise ValueError(f"layer_sizes must be a list of at least two ints, got {sizes!r}")
        for s in sizes:
            _check_positive("each entry of layer_sizes", s)
        _activation(self.activation)
        self._output()
        if self.loss == "binary_cross_entropy" and sizes[-1] != 1:
            raise ValueError(f"binary_cross_entropy needs one output unit, got layer_sizes[-1] = {sizes[-1]}")
        losses._check_weight_decay(self.weight_decay)
        _check_positive("learning_rate", self.learning_rate, float)
        _check_positive("batch_size", self.batch_size)
        _check_positive("epochs", self.epochs)

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
            raise TypeError(f"X must be a real numeric array, got dtype {X.dtype}")
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0] or len(X) == 0:
            raise ValueError(f"X must have shape (n_samples, {self.layer_sizes[0]}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"X contains NaN or infinite values (first at row {np.argwhere(~np.isfinite(X))[0, 0]})")
        return X.astype(np.float64)

    def _check_y(self, y, n: int) -> np.ndarray:
        if self.loss == "cross_entropy":
            return losses.check_labels(y, self.layer_sizes[-1], n)
        y = np.asarray(y)
        y = y.astype(np.float64) if (np.issubdtype(y.dtype, np.number) or y.dtype == bool) else y
        if y.dtype != np.float64:
            raise TypeError(f"y must be numeric, got dtype {y.dtype}")
        if y.ndim == 1 and self.layer_sizes[-1] == 1:
            y = y[:, None]
        if y.shape != (n, self.layer_sizes[-1]):
            raise ValueError(f"y must have shape ({n}, {self.layer_sizes[-1]}) to match X, got {np.shape(y)}"
                             " (for classification with squared error pass nnbook.nn.losses.one_hot(y, n_classes))")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        return y

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise ValueError("this MLP has no weights yet: call fit() or initialize() first")
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
        """Mini-batch SGD for ``epochs`` passes: ``W -= learning_rate * dJ/dW``; returns self."""
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
        """Accuracy of :meth:`predict` (classification losses only)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


def to_torch(model: MLP, dtype=None):
    """A ``torch.nn.Sequential`` computing the same function as ``model`` with a copy of its weights.

    Cross-entropy models end with the last Linear layer (torch's losses take logits); squared
    error models end with their output activation. ``dtype`` defaults to ``torch.float64``.
    """
    import torch
    from torch import nn

    from nnbook.nets.builder import ACTIVATIONS

    model._check_params()
    model._check_fitted()
    if model.activation not in ACTIVATIONS:
        raise ValueError(f"to_torch knows the activations {sorted(ACTIVATIONS)}, got {model.activation!r}")
    dtype = torch.float64 if dtype is None else dtype
    layers = []
    for l, (W, b) in enumerate(zip(model.weights_, model.biases_)):
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(W))
            linear.bias.copy_(torch.as_tensor(b))
        layers.append(linear)
        if l < len(model.weights_) - 1:
            layers.append(ACTIVATIONS[model.activation]())
    out = model._output()
    if model.loss == "squared_error" and out != "identity":
        layers.append(nn.Softmax(dim=1) if out == "softmax" else ACTIVATIONS[out]())
    return nn.Sequential(*layers)
