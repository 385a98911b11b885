"""Graders for chapter 3 (backpropagation), ``book/ch3-backprop/08-exercises``.

Conventions are the chapter's (``nnbook.nn.mlp``): a mini-batch has one example per row,
``X`` (m, n_in); a layer computes ``Z = A_prev @ W.T + b`` with ``W`` (n_out, n_in); every loss
is the mean over the batch, so ``delta = dJ/dZ`` carries the factor 1/m.
"""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader, matches
from nnbook.nn import losses, mlp




def _not_finite(got) -> bool:
    """Whether ``got`` is an array of numbers with a NaN or an infinity in it."""
    try:
        return not np.isfinite(np.asarray(got, dtype=float)).all()
    except (TypeError, ValueError):
        return False


def _tuple_of(result, names: str) -> tuple:
    """``result`` as a tuple of ``len(names.split(', '))`` items, or the hint that asks for it."""
    n = len(names.split(", "))
    if not isinstance(result, tuple) or len(result) != n:
        words = {3: "three", 4: "four"}[n]
        raise NotYet(f"return a tuple of {words} arrays: ({names})")
    return result


@grader("ch3.dense_backward", "the backward pass of one dense layer", n_cases=5)
def dense_backward(answer, rng):
    """``answer(delta, A_prev, W) -> (dW, db, dA_prev)`` for ``Z = A_prev W^T + b`` and
    ``delta = dJ/dZ`` (m, n_out): ``dW = delta^T A_prev``, ``db = sum of delta over rows``,
    ``dA_prev = delta W`` (the book's BP2 equations, summed over the batch)."""
    for case in range(5):
        m, n_in, n_out = (int(k) for k in rng.integers(2, 7, size=3))
        if case == 0:
            n_in, n_out = 3, 5  # distinct sizes, so a transposed result shows as a transposed shape
        delta = rng.normal(size=(m, n_out))
        A_prev = rng.normal(size=(m, n_in))
        W = rng.normal(size=(n_out, n_in))
        result = answer(delta, A_prev, W)
        if not isinstance(result, tuple) or len(result) != 3:
            raise NotYet("return a tuple of three arrays: (dW, db, dA_prev)")
        dW, db, dA_prev = result
        compare("dW", dW, delta.T @ A_prev)
        compare("db", db, delta.sum(axis=0))
        compare("dA_prev", dA_prev, delta @ W)


@grader("ch3.softmax_cross_entropy_grad", "the gradient of softmax cross-entropy for a batch", n_cases=5)
def softmax_cross_entropy_grad(answer, rng):
    r"""``answer(Z, y) -> dJ/dZ`` (m, K) for the mean cross-entropy
    :math:`J = -\frac1m\sum_i\log\operatorname{softmax}(\mathbf z_i)_{y_i}`: :math:`(A - Y)/m`
    with :math:`A` the row-wise softmax and :math:`Y` one-hot (``book/ch3-backprop/02-derivation``).

    The reference is :func:`nnbook.nn.losses.cross_entropy_grad`. The last case has logits in the
    thousands, where an unshifted ``np.exp`` overflows (or underflows to 0/0).
    """
    for case in range(5):
        m, K = (4, 3) if case == 0 else (int(k) for k in rng.integers(2, 8, size=2))
        Z = 2.0 * rng.normal(size=(m, K))
        if case == 4:
            Z[0] += 1000.0  # np.exp overflows to inf beyond 709.8 ...
            Z[1] -= 1000.0  # ... and underflows to 0 below -745
        y = rng.integers(0, K, size=m)
        expected = losses.cross_entropy_grad(Z, y)
        Y = losses.one_hot(y, K)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            got = answer(Z.copy(), y.copy())
            column_softmax = np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
        if case == 4 and _not_finite(got):
            raise NotYet("NaN or inf for logits near +-1000: np.exp overflows there (or underflows to 0); "
                         "the softmax does not change when a constant is subtracted from a row")
        if matches(got, m * expected):
            raise NotYet(f"dJ/dZ is m = {m} times too large: J is the mean over the batch")
        if matches(got, -expected):
            raise NotYet("dJ/dZ has the wrong sign: a step against the gradient must raise the true "
                         "class's logit")
        if matches(got, expected * Y) or matches(got, m * expected * Y):
            raise NotYet("only the true class's entries are right: the other classes' logits also "
                         "change the loss (the softmax Jacobian is not diagonal)")
        if matches(got, (column_softmax - Y) / m):
            raise NotYet("the softmax is normalised over the wrong axis: each row (one example) must "
                         "sum to 1")
        compare("dJ/dZ", got, expected)


def _smooth_function(rng, shape):
    r"""A random smooth :math:`f(\mathbf x) = \sum_k c_k\sin(a_kx_k + p_k) + \tfrac12(\mathbf u^\top\mathbf x)^2
    + \log(1 + e^{\mathbf w^\top\mathbf x})` on arrays of ``shape``, and its analytic gradient."""
    n = int(np.prod(shape))
    c, a, p = rng.uniform(0.5, 2.0, n), rng.uniform(0.5, 2.0, n), rng.uniform(0, 2 * np.pi, n)
    u, w = rng.normal(size=n) / np.sqrt(n), rng.normal(size=n)

    def f(x):
        if not isinstance(x, np.ndarray) or x.shape != shape:
            raise NotYet(f"f was called with {type(x).__name__} of shape {np.shape(x)}; call it with an "
                         f"array shaped like x, {shape}")
        v = x.ravel()
        return float(np.sum(c * np.sin(a * v + p)) + 0.5 * (u @ v) ** 2 + np.logaddexp(0.0, w @ v))

    def gradient(x):
        v = x.ravel()
        return (c * a * np.cos(a * v + p) + (u @ v) * u + w / (1 + np.exp(-(w @ v)))).reshape(shape)

    return f, gradient


def _differences(f, x, h):
    """One-sided (forward and backward) differences of ``f`` at ``x``, entrywise: two arrays."""
    forward, backward = np.zeros_like(x), np.zeros_like(x)
    f0 = f(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = h
        forward[k], backward[k] = (f(x + e) - f0) / h, (f0 - f(x - e)) / h
    return forward, backward


@grader("ch3.numerical_gradient", "a central finite-difference gradient", n_cases=5)
def numerical_gradient(answer, rng):
    r"""``answer(f, x, h) -> gradient`` shaped like ``x``, by central differences
    :math:`\partial f/\partial x_k \approx (f(\mathbf x + h\mathbf e_k) - f(\mathbf x - h\mathbf e_k))/(2h)`
    (``book/ch3-backprop/05-gradcheck``), leaving ``x`` unchanged.

    Graded on random smooth functions against their analytic gradients, with ``h = 1e-5``: the
    central difference is then accurate to about 1e-9 (the check allows 1e-8), a one-sided one
    only to about 1e-5.
    """
    h = 1e-5
    for case in range(5):
        shape = [(3,), (5,), (2, 3), (4,), (3, 2)][case]
        f, gradient = _smooth_function(rng, shape)
        x = rng.normal(size=shape)
        x_before = x.copy()
        got = answer(f, x, h)
        where = f" (x of shape {shape})" if len(shape) == 2 else ""
        if not np.allclose(x, x_before, rtol=0, atol=1e-12):
            raise NotYet("your function changed x: put each entry back after perturbing it, or perturb "
                         "a copy")
        expected = gradient(x)
        forward, backward = _differences(f, x, h)
        if matches(got, forward, rtol=1e-9, atol=1e-12) or matches(got, backward, rtol=1e-9, atol=1e-12):
            raise NotYet("this is a one-sided difference: its error is O(h), about 1e-5 here; the "
                         "central difference's is O(h^2)")
        if matches(got, 2 * expected, rtol=1e-5, atol=1e-7):
            raise NotYet(f"twice the gradient{where}: the two evaluations are 2h apart")
        if matches(got, expected / 2, rtol=1e-5, atol=1e-7):
            raise NotYet(f"half the gradient{where}: the two evaluations are 2h apart, not 4h")
        compare(f"gradient{where}", got, expected, rtol=1e-7, atol=1e-8)


@grader("ch3.two_layer_backward", "the backward pass of a two-layer network", n_cases=5)
def two_layer_backward(answer, rng):
    r"""``answer(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for a tanh hidden layer, a softmax
    output and the mean cross-entropy: :math:`\Delta^{(2)} = (A^{(2)} - Y)/m`,
    :math:`\Delta^{(1)} = (\Delta^{(2)}W^{(2)})\odot(1 - \tanh^2 Z^{(1)})`,
    :math:`\partial J/\partial W^{(l)} = \Delta^{(l)\top}A^{(l-1)}`,
    :math:`\partial J/\partial\mathbf b^{(l)} = \Delta^{(l)\top}\mathbf 1`.

    The reference is :func:`nnbook.nn.mlp.forward` and :func:`nnbook.nn.mlp.backward`; one case has
    as many hidden units as classes, where a transposed ``W2`` in the recursion raises no error.
    """
    names = ("dW1", "db1", "dW2", "db2")

    def reference(X, y, W, b, activation="tanh"):
        Zs, As = mlp.forward(X, W, b, "tanh", "softmax")
        return [g for pair in mlp.backward(losses.cross_entropy_grad(Zs[-1], y), Zs, As, W, activation)
                for g in pair]

    for case in range(5):
        m, n, H, K = (6, 4, 5, 3) if case == 0 else (int(k) for k in rng.integers(2, 7, size=4))
        if case == 3:
            H = K = max(H, 2)
        X, y = rng.normal(size=(m, n)), rng.integers(0, K, size=m)
        W = [rng.normal(size=(H, n)), rng.normal(size=(K, H))]
        b = [0.5 * rng.normal(size=H), 0.5 * rng.normal(size=K)]
        result = _tuple_of(answer(X.copy(), y.copy(), W[0].copy(), b[0].copy(), W[1].copy(), b[1].copy()),
                           ", ".join(names))
        expected = reference(X, y, W, b)
        dW1 = result[0]
        if matches(dW1, reference(X, y, W, b, "identity")[0]):
            raise NotYet("dW1 misses the derivative of the hidden activation in the hidden delta")
        Zs, As = mlp.forward(X, W, b, "tanh", "softmax")
        D2 = losses.cross_entropy_grad(Zs[-1], y)
        if matches(dW1, ((D2 @ W[1]) * As[1] * (1 - As[1])).T @ X):
            raise NotYet("the hidden delta uses a(1 - a), the sigmoid's derivative; these hidden units are tanh")
        if H == K and matches(dW1, ((D2 @ W[1].T) * (1 - As[1] ** 2)).T @ X):
            raise NotYet("dW1 is wrong when W2 is square: the hidden delta multiplies by W2 the wrong "
                         "way round")
        if all(matches(g, m * e) for g, e in zip(result, expected)):
            raise NotYet(f"every gradient is m = {m} times too large: J is the mean over the batch")
        if all(matches(g, e) for g, e in zip(result, reference(X, y, W, [np.zeros(H), np.zeros(K)]))):
            raise NotYet("the gradients are those of the network without biases: does your forward pass "
                         "add b1 and b2?")
        for name, g, e in zip(names, result, expected):
            compare(name, g, e)
