r"""Graders for chapter 1 (feedforward networks), ``book/ch1-feedforward/08-exercises``.

Conventions are the chapter's and the package's (``nnbook.nn.mlp``): a mini-batch has one
example per row, ``X`` (m, n_0); layer :math:`l` computes :math:`Z = A W^\top + b` with
``W`` (n_l, n_{l-1}) and ``b`` (n_l,); hidden layers are ReLU, the output layer is linear.
Boolean functions are checked on every one of the :math:`2^n` inputs of
:func:`nnbook.studies.boolean.all_inputs`.
"""
from __future__ import annotations

import numbers

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader, matches
from nnbook.nn import mlp
from nnbook.studies import boolean, glm




def _one_line(error) -> str:
    return " ".join(str(error).split())


def _call(answer, *args):
    """Call the reader's function; a shape error in matrix products gets the layout as a hint."""
    try:
        return answer(*args)
    except ValueError as error:
        if "matmul" in str(error) or "shapes" in str(error) or "broadcast" in str(error):
            raise NotYet(f"{getattr(answer, '__name__', 'your function')} raised ValueError: {_one_line(error)} "
                         "(mind the layout: X has one example per row, W[l] is (n_out, n_in))") from None
        raise


# ----------------------------------------------------------------------------- parameter count
@grader("ch1.count_parameters", "the number of parameters of a fully connected network", n_cases=6)
def count_parameters(answer, rng):
    r"""``answer(layer_sizes) -> int`` for ``layer_sizes = [n_0, ..., n_L]`` (inputs first): the
    weights and biases of a plain fully connected network, :math:`\sum_{l=1}^{L} (n_{l-1} + 1)\,n_l`.

    The reference counts the entries of the arrays :func:`nnbook.nn.mlp.init_params` allocates.
    """
    for case in range(6):
        if case == 0:
            sizes = [3, 5, 2]
        elif case == 1:
            sizes = [int(rng.integers(2, 40)), 1]  # a single neuron: no hidden layer
        else:
            sizes = [int(k) for k in rng.integers(1, 60, size=int(rng.integers(3, 7)))]
        weights, biases = mlp.init_params(sizes, "relu", rng)
        n_weights, n_biases = sum(W.size for W in weights), sum(b.size for b in biases)
        expected = n_weights + n_biases
        got = answer(list(sizes))
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Integral):
            raise NotYet(f"return the count as an int, got {type(got).__name__}")
        got = int(got)
        if got == expected:
            continue
        where = f" (layer_sizes = {sizes}: got {got:,}, expected {expected:,})"
        if got == n_weights:
            raise NotYet("the biases are missing" + where)
        if got == expected + sizes[0]:
            raise NotYet("input units have no bias, only the units of layers 1 to L" + where)
        if got == n_weights + len(weights):
            raise NotYet("every unit has its own bias, not every layer" + where)
        if got == sum((a + 1) * (b + 1) for a, b in zip(sizes[:-1], sizes[1:])):
            raise NotYet("the bias acts like an extra input of each layer, not an extra output unit" + where)
        raise NotYet("wrong count" + where)


# ----------------------------------------------------------------------------- forward pass
def _forward(X, weights, biases, hidden=lambda Z: np.maximum(Z, 0.0), bias_after=False):
    """Variants of the forward pass, to recognise mistakes (the reference is nnbook.nn.mlp.forward)."""
    A = X
    for W, b in zip(weights[:-1], biases[:-1]):
        A = hidden(A @ W.T) + b if bias_after else hidden(A @ W.T + b)
    return A @ weights[-1].T + biases[-1]


@grader("ch1.mlp_forward", "the forward pass of a ReLU network", n_cases=5)
def mlp_forward(answer, rng):
    r"""``answer(X, weights, biases) -> output`` (m, n_L): :math:`A^{(0)} = X`,
    :math:`A^{(l)} = \mathrm{relu}(A^{(l-1)} W^{(l)\top} + \mathbf b^{(l)})` for the hidden layers and
    :math:`A^{(L)} = A^{(L-1)} W^{(L)\top} + \mathbf b^{(L)}` (a linear output).

    The reference is :func:`nnbook.nn.mlp.forward` with ``activation="relu"``, ``output_activation="identity"``.
    """
    for case in range(5):
        if case == 0:
            sizes, m = [3, 5, 2], 4  # distinct sizes: a transposed weight matrix cannot multiply
        elif case == 4:
            sizes, m = [int(rng.integers(2, 6)), int(rng.integers(2, 6))], 3  # no hidden layer
        else:
            sizes = [int(k) for k in rng.integers(2, 7, size=int(rng.integers(3, 6)))]
            m = int(rng.integers(2, 8))
        X = rng.normal(size=(m, sizes[0]))
        weights = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        biases = [rng.normal(size=n_out) for n_out in sizes[1:]]
        expected = mlp.forward(X, weights, biases, "relu", "identity")[1][-1]
        got = _call(answer, X.copy(), [W.copy() for W in weights], [b.copy() for b in biases])
        if matches(got, expected):
            continue
        if (expected < 0).any() and matches(got, np.maximum(expected, 0.0)):
            raise NotYet("the output layer has no ReLU: it is linear")
        if len(weights) > 1:
            if matches(got, _forward(X, weights, biases, hidden=lambda Z: Z)):
                raise NotYet("the hidden layers need their ReLU: without it the network is linear")
            if matches(got, _forward(X, weights, biases, bias_after=True)):
                raise NotYet("the bias goes inside the ReLU, added to the pre-activation")
        if matches(got, _forward(X, weights, [np.zeros_like(b) for b in biases])):
            raise NotYet("the biases are missing")
        compare("output", got, expected)


# ----------------------------------------------------------------------------- logistic gradient
@grader("ch1.logistic_gradient", "the gradient of the penalised logistic-regression loss", n_cases=5)
def logistic_gradient(answer, rng):
    r"""``answer(X, y, w, b, alpha) -> (grad_w, grad_b)`` of
    :math:`J = \frac1m\sum_i \big[\log(1 + e^{\eta_i}) - y_i\eta_i\big] + \frac\alpha2\lVert w\rVert^2`,
    :math:`\eta = Xw + b` (the objective of ``GLMNeuron("bernoulli", alpha)``):
    :math:`\nabla_w J = \frac1m X^\top(\sigma(\eta) - y) + \alpha w` and
    :math:`\partial J/\partial b = \frac1m\sum_i (\sigma(\eta_i) - y_i)`.

    The reference takes :math:`\partial J/\partial\eta` from :func:`nnbook.studies.glm.nll_gradient`.
    """
    for case in range(5):
        m, d = (6, 3) if case == 0 else (int(rng.integers(4, 12)), int(rng.integers(2, 6)))
        X = rng.normal(size=(m, d))
        y = rng.permutation(np.resize([0.0, 1.0], m))  # both classes in every case
        w, b, alpha = rng.normal(size=d), float(rng.normal()) + 0.5, float(rng.uniform(0.2, 1.0))
        eta = X @ w + b
        g_eta = glm.nll_gradient("bernoulli", eta, y)  # (mu - y) / m
        data_w, data_b = X.T @ g_eta, float(g_eta.sum())
        result = _call(answer, X.copy(), y.copy(), w.copy(), b, alpha)
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two values: (grad_w, grad_b)")
        got_w, got_b = result
        try:  # a bias gradient of shape (1,) is accepted as a number
            got_b = None if got_b is None else float(np.asarray(got_b, dtype=float).reshape(()))
        except (TypeError, ValueError):
            pass  # compare() below names what is wrong with it
        expected_w = data_w + alpha * w
        if not matches(got_w, expected_w):
            mu = 1.0 / (1.0 + np.exp(-eta))
            if matches(got_w, -data_w + alpha * w):
                raise NotYet("grad_w: the data term has the wrong sign: check d/d eta of log(1 + e^eta) - y eta")
            if matches(got_w, m * data_w + alpha * w):
                raise NotYet("grad_w: the data term is m times too large: J averages over the examples")
            if matches(got_w, data_w):
                raise NotYet("grad_w: the gradient of the penalty (alpha / 2) |w|^2 is missing")
            for factor in (0.5, 2.0):
                if matches(got_w, data_w + factor * alpha * w):
                    raise NotYet(f"grad_w: the penalty's gradient is {factor:g} times too large: "
                                 "differentiate (alpha / 2) |w|^2 again")
            if matches(got_w, X.T @ (g_eta * mu * (1 - mu)) + alpha * w):
                raise NotYet("grad_w has an extra factor sigma'(eta): that is the gradient of a squared "
                             "error through a sigmoid, not of the cross-entropy")
            compare("grad_w", got_w, expected_w)
        if matches(got_b, data_b + alpha * b):
            raise NotYet("grad_b: the bias is not penalised, only w is")
        if matches(got_b, m * data_b):
            raise NotYet("grad_b is m times too large: J averages over the examples")
        compare("grad_b", got_b, data_b)


# ----------------------------------------------------------------------------- symmetric Boolean functions
@grader("ch1.symmetric_network", "a one-hidden-layer network for any symmetric Boolean function", n_cases=6)
def symmetric_network(answer, rng):
    r"""``answer(values) -> (weights, biases)``, ``values`` (n+1,) of 0/1 with ``values[s]`` the
    output on inputs with ``s`` ones: a network ``[W1 (h, n), W2 (1, h)]``, ``[b1 (h,), b2 (1,)]``
    with ``1 <= h <= n`` ReLU hidden units and a linear output, equal to
    :math:`f(\mathbf x) = \mathrm{values}[\sum_i x_i]` on all :math:`2^n` inputs.

    The reference is the truth table itself: every input is enumerated and run through
    :func:`nnbook.nn.mlp.forward`.
    """
    for case in range(6):
        n = (3, 1, 8)[case] if case < 3 else int(rng.integers(2, 8))
        values = rng.integers(0, 2, size=n + 1)
        while values.min() == values.max():  # a constant function would need no hidden unit
            values = rng.integers(0, 2, size=n + 1)
        if case == 2:
            values = np.arange(n + 1) % 2  # parity: the value changes at every count
        if case == 0:
            values = np.array([1, 0, 1, 1])  # distinct from parity and from a threshold
        result = answer(values.copy())
        if (not isinstance(result, tuple) or len(result) != 2
                or not all(isinstance(part, (list, tuple)) for part in result)):
            raise NotYet("return a tuple of two lists: (weights, biases)")
        weights, biases = result
        if len(weights) != 2 or len(biases) != 2:
            raise NotYet(f"return two layers, the hidden layer and the output unit; got {len(weights)} weight "
                         f"matrices and {len(biases)} bias vectors")
        try:
            W1 = np.asarray(weights[0], dtype=float)
            W2 = np.asarray(weights[1], dtype=float)
        except (TypeError, ValueError):
            raise NotYet("weights must be a list of two arrays of numbers") from None
        if W1.ndim != 2 or W1.shape[1] != n:
            raise NotYet(f"weights[0] must have shape (h, {n}) for n = {n} inputs, got {W1.shape}")
        h = W1.shape[0]
        if not 1 <= h <= n:
            raise NotYet(f"use between 1 and n hidden units; got {h} for n = {n} (the output depends on the "
                         "inputs only through their sum)")
        if W2.shape != (1, h):
            raise NotYet(f"weights[1] must have shape (1, {h}): one linear output unit, got {W2.shape}")
        X = boolean.all_inputs(n)
        target = values[X.sum(axis=1)]
        try:
            out = mlp.forward(X, [W1, W2], list(biases), "relu", "identity")[1][-1][:, 0]
        except (TypeError, ValueError) as error:
            raise NotYet(f"the network does not run: {_one_line(error)}") from None
        wrong = np.flatnonzero(~np.isclose(out, target, rtol=0.0, atol=1e-9))
        if wrong.size:
            k = int(wrong[0])
            raise NotYet(f"for values = {values.tolist()}, the network gives {out[k]:.6g} on input "
                         f"{X[k].tolist()} ({int(X[k].sum())} ones), expected {int(target[k])} "
                         f"({wrong.size} of {len(X)} inputs wrong)")
