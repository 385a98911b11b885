r"""Reverse-mode automatic differentiation, small enough to read: scalars, arrays, dual numbers.

Every operation returns a node that remembers its operands (``children``) and a closure that,
given :math:`\bar v = \partial L/\partial v` for its output :math:`v = g(u_1, \dots, u_k)`,
adds the *vector–Jacobian product* :math:`\bar u_i \mathrel{+}= \bar v\,\partial g/\partial u_i`
to each operand. :meth:`Value.backward` runs the closures once each, in reverse topological
order, so every node's :math:`\bar v` is complete (summed over all its uses) before it is sent
further down: the chain rule summed over every path, at the cost of one sweep through the graph.

* :class:`Value` -- a scalar node in the spirit of micrograd (Karpathy); each operator's backward
  closure sits right beside its forward code, and its docstring gives the local derivative.
* :class:`Tensor` -- the same on NumPy arrays: matrix product, broadcasting arithmetic (the
  gradient of a broadcast operand is summed back to its shape, :func:`sum_to_shape`),
  elementwise functions, ``sum``/``mean`` and softmax cross-entropy.
* :class:`Dual` -- forward mode: :math:`a + b\varepsilon` with :math:`\varepsilon^2 = 0` carries
  a directional derivative along with the value. :func:`jacobian_forward` needs one pass per
  input, :func:`jacobian_reverse` one backward pass per output.

Survey: Baydin et al. (2018), *Automatic differentiation in machine learning*. Book section:
"Reverse-mode automatic differentiation" (``book/ch3-backprop/07-autodiff.ipynb``).
"""
from __future__ import annotations

import math
import time

import numpy as np

from nnbook._validation import check_array, check_bool, check_callable, check_int, check_labels, check_number, check_random_state

__all__ = ["Value", "Tensor", "Dual", "topological_order", "graph_layout", "sum_to_shape", "FlopCounter",
           "dense_flops", "forward_backward_times", "jacobian_forward", "jacobian_reverse", "random_program", "run_program"]


def topological_order(root) -> list:
    """Every node ``root`` depends on, each after all its children (``root`` last).

    An iterative depth-first search (no recursion limit); for ``Value`` and ``Tensor``.
    """
    if not hasattr(root, "children"):
        raise TypeError(f"root must be a Value or a Tensor, got {type(root).__name__}")
    order, seen, stack = [], {id(root)}, [(root, iter(root.children))]
    while stack:
        node, todo = stack[-1]
        child = next(todo, None)
        if child is None:
            order.append(stack.pop()[0])
        elif id(child) not in seen:
            seen.add(id(child))
            stack.append((child, iter(child.children)))
    return order


def _run_backward(root, seed) -> None:
    order = topological_order(root)
    for node in order:
        node.grad = np.zeros_like(node.data) if isinstance(node.data, np.ndarray) else 0.0
    root.grad = seed
    for node in reversed(order):
        node._backward()


# ------------------------------------------------------------------------------ scalars
class Value:
    """A scalar node of a computational graph: ``data``, ``grad`` (:math:`\\partial L/\\partial v`
    after :meth:`backward`), ``children`` (the operands) and ``op`` (the operation's name)."""

    def __init__(self, data, label: str = "", *, children: tuple = (), op: str = ""):
        self.data = check_number("data", data)
        self.grad = 0.0
        self.label = label
        self.children = children
        self.op = op
        self._backward = lambda: None

    def __repr__(self) -> str:
        return f"Value({self.data:.6g}, grad={self.grad:.6g}{', ' + self.op if self.op else ''})"

    @staticmethod
    def _lift(other) -> "Value":
        return other if isinstance(other, Value) else Value(check_number("other", other))

    def __add__(self, other):
        r""":math:`v = a + b`; :math:`\partial v/\partial a = \partial v/\partial b = 1`."""
        other = self._lift(other)
        out = Value(self.data + other.data, children=(self, other), op="+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        r""":math:`v = ab`;
        :math:`\partial v/\partial a = b`, :math:`\partial v/\partial b = a`."""
        other = self._lift(other)
        out = Value(self.data * other.data, children=(self, other), op="×")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __sub__(self, other):
        r""":math:`v = a - b`; :math:`\partial v/\partial a = 1`, :math:`\partial v/\partial b = -1`."""
        other = self._lift(other)
        out = Value(self.data - other.data, children=(self, other), op="−")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        r""":math:`v = a/b`; :math:`\partial v/\partial a = 1/b`, :math:`\partial v/\partial b = -a/b^2`."""
        other = self._lift(other)
        if other.data == 0.0:
            raise ValueError("other must be nonzero (the denominator), got 0.0")
        out = Value(self.data / other.data, children=(self, other), op="÷")

        def _backward():
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / other.data ** 2
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        r""":math:`v = a^p` for a constant :math:`p`; :math:`\partial v/\partial a = p\,a^{p-1}`."""
        if isinstance(exponent, Value):
            raise TypeError("exponent must be a constant real number, got a Value")
        p = check_number("exponent", exponent)
        if (self.data < 0 and p != int(p)) or (self.data == 0 and p < 0):
            raise ValueError(f"exponent must be an integer for a negative base and >= 0 for a zero base, got {p:g} for {self.data:g}")
        out = Value(self.data ** p, children=(self,), op=f"^{p:g}")

        def _backward():
            self.grad += p * self.data ** (p - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        r""":math:`v = e^a`; :math:`\partial v/\partial a = e^a = v`."""
        if self.data > 709.78:
            raise ValueError(f"exp overflows float64: data must be <= 709.78, got {self.data:g}")
        out = Value(math.exp(self.data), children=(self,), op="exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        r""":math:`v = \ln a` for :math:`a > 0`; :math:`\partial v/\partial a = 1/a`."""
        if self.data <= 0:
            raise ValueError(f"data must be > 0 for log, got {self.data:g}")
        out = Value(math.log(self.data), children=(self,), op="log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        r""":math:`v = \tanh a`; :math:`\partial v/\partial a = 1 - v^2`."""
        out = Value(math.tanh(self.data), children=(self,), op="tanh")

        def _backward():
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        r""":math:`v = \sigma(a) = 1/(1+e^{-a})`, computed as :math:`e^a/(1+e^a)` for :math:`a < 0`
        (no overflow); :math:`\partial v/\partial a = v(1-v)`."""
        e = math.exp(-abs(self.data))
        out = Value(1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e), children=(self,), op="σ")

        def _backward():
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        r""":math:`v = \max(a, 0)`; :math:`\partial v/\partial a = [a > 0]` (0 at the kink, like torch)."""
        out = Value(max(self.data, 0.0), children=(self,), op="ReLU")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __radd__(self, other):
        return self._lift(other) + self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def backward(self) -> None:
        r"""Set ``grad`` = :math:`\partial L/\partial v` on every node :math:`v` that this
        node :math:`L` depends on: zero them, seed ``self.grad = 1``, and run each closure
        once, in reverse topological order. Gradients are those of this call (not summed
        over calls, unlike torch's leaves)."""
        _run_backward(self, 1.0)


# ------------------------------------------------------------------------------- arrays
def sum_to_shape(grad, shape) -> np.ndarray:
    r"""Sum ``grad`` over the axes that broadcasting added or stretched, to ``shape``.

    If :math:`v = a + b` with ``b`` of shape ``(m,)`` broadcast over ``n`` rows, each
    entry :math:`b_j` was used :math:`n` times: :math:`\bar b_j = \sum_i \bar v_{ij}`.
    """
    grad = check_array("grad", grad, allow_empty=True)
    shape = tuple(shape)
    try:
        ok = np.broadcast_shapes(grad.shape, shape) == grad.shape
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise ValueError(f"shape {shape} does not broadcast to grad's {grad.shape}")
    if grad.ndim > len(shape):  # axes that broadcasting added in front
        grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(k for k, s in enumerate(shape) if s == 1 and grad.shape[k] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


class FlopCounter:
    """Counts the floating-point operations of :class:`Tensor` matrix products inside a ``with`` block.

    A product of an ``(n, k)`` and a ``(k, m)`` matrix costs :math:`2nkm` (a multiply and an add per
    term); its backward pass costs :math:`2nkm` for each operand that needs a gradient. Elementwise
    operations are not counted (they are :math:`O(nm)`, a factor ``k`` fewer).
    """
    _active: list = []

    def __init__(self):
        self.forward = 0
        self.backward = 0

    def __enter__(self):
        FlopCounter._active.append(self)
        return self

    def __exit__(self, *exc):
        FlopCounter._active.remove(self)


def dense_flops(batch_size: int, layer_sizes) -> tuple[int, int]:
    r"""Matrix-product FLOPs of a forward and a backward pass through dense layers, in closed form.

    Layer :math:`l` maps :math:`d_{l-1}` to :math:`d_l` features for :math:`n` examples. Forward:
    :math:`Z = AW^\top`, :math:`2nd_{l-1}d_l`. Backward: :math:`\partial L/\partial W = \Delta^\top A`
    and :math:`\partial L/\partial A = \Delta W`, :math:`4nd_{l-1}d_l`, except the first layer, whose
    input needs no gradient (:math:`2nd_0d_1`). Returns ``(forward, backward)``.
    """
    n = check_int("batch_size", batch_size, low=1)
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__") or len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes must list at least two sizes, got {layer_sizes!r}")
    d = [check_int(f"layer_sizes[{k}]", s, low=1) for k, s in enumerate(layer_sizes)]
    per_layer = [2 * n * a * b for a, b in zip(d[:-1], d[1:])]
    return sum(per_layer), 2 * sum(per_layer) - per_layer[0]


class Tensor:
    """An array node: float64 ``data``, ``grad`` of the same shape, ``children``, ``op``.

    ``requires_grad=False`` marks a constant (the input ``X``): the backward pass computes no
    gradient for it, which is what saves the first layer's input gradient.
    """

    def __init__(self, data, requires_grad: bool = True, label: str = "", *, children: tuple = (), op: str = ""):
        self.data = check_array("data", data, allow_empty=True)
        self.requires_grad = check_bool("requires_grad", requires_grad) if not children else any(c.requires_grad for c in children)
        self.grad = np.zeros_like(self.data)
        self.label = label
        self.children = children
        self.op = op
        self._backward = lambda: None

    def __repr__(self) -> str:
        return f"Tensor(shape={self.data.shape}{', ' + self.op if self.op else ''})"

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @staticmethod
    def _lift(other) -> "Tensor":
        return other if isinstance(other, Tensor) else Tensor(check_array("other", other), requires_grad=False)

    def _binary(self, other, value, op, grad_self, grad_other):
        other = self._lift(other)
        try:
            data = value(self.data, other.data)
        except ValueError:
            raise ValueError(f"other of shape {other.shape} does not broadcast with shape {self.shape}") from None
        out = Tensor(data, children=(self, other), op=op)

        def _backward():
            if self.requires_grad:
                self.grad += sum_to_shape(grad_self(self.data, other.data, out.grad), self.shape)
            if other.requires_grad:
                other.grad += sum_to_shape(grad_other(self.data, other.data, out.grad), other.shape)
        out._backward = _backward
        return out

    def __add__(self, other):
        r""":math:`V = A + B` (broadcast); :math:`\bar A = \bar V`, :math:`\bar B = \bar V`, each summed to its shape."""
        return self._binary(other, np.add, "+", lambda a, b, g: g, lambda a, b, g: g)

    def __sub__(self, other):
        r""":math:`V = A - B`; :math:`\bar A = \bar V`, :math:`\bar B = -\bar V` (summed to shape)."""
        return self._binary(other, np.subtract, "−", lambda a, b, g: g, lambda a, b, g: -g)

    def __mul__(self, other):
        r""":math:`V = A \odot B`; :math:`\bar A = \bar V \odot B`, :math:`\bar B = \bar V \odot A` (summed to shape)."""
        return self._binary(other, np.multiply, "×", lambda a, b, g: g * b, lambda a, b, g: g * a)

    def __truediv__(self, other):
        r""":math:`V = A / B`; :math:`\bar A = \bar V / B`, :math:`\bar B = -\bar V \odot A / B^2` (summed to shape)."""
        other = self._lift(other)
        if np.any(other.data == 0):
            raise ValueError("other must have no zero entries (the denominator)")
        return self._binary(other, np.divide, "÷", lambda a, b, g: g / b, lambda a, b, g: -g * a / b ** 2)

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __neg__(self):
        return self * -1.0

    def __matmul__(self, other):
        r""":math:`V = AB`, ``(n, k) @ (k, m)``;
        :math:`\bar A = \bar V B^\top`, :math:`\bar B = A^\top \bar V`.

        Forward one matrix product, backward one per operand that needs a gradient.
        """
        other = self._lift(other)
        A, B = self.data, other.data
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"other must be a matrix of shape ({A.shape[-1]}, m) "
                             f"to multiply one of shape {A.shape}, got {B.shape}")
        (n, k), m = self.shape, other.shape[1]
        out = Tensor(self.data @ other.data, children=(self, other), op="@")
        for c in FlopCounter._active:
            c.forward += 2 * n * k * m

        def _backward():
            for operand, vjp in ((self, lambda: out.grad @ other.data.T),
                                 (other, lambda: self.data.T @ out.grad)):
                if operand.requires_grad:
                    operand.grad += vjp()
                    for c in FlopCounter._active:
                        c.backward += 2 * n * k * m
        out._backward = _backward
        return out

    @property
    def T(self):
        r""":math:`V = A^\top`; :math:`\bar A = \bar V^\top`."""
        out = Tensor(self.data.T, children=(self,), op="T")

        def _backward():
            if self.requires_grad:
                self.grad += out.grad.T
        out._backward = _backward
        return out

    def _unary(self, value, local, op):
        out = Tensor(value(self.data), children=(self,), op=op)

        def _backward():
            if self.requires_grad:
                self.grad += local(self.data, out.data) * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        r""":math:`V = A^p` elementwise, :math:`p` a constant; :math:`\bar A = \bar V \odot p A^{p-1}`."""
        p = check_number("exponent", exponent)
        if (p != int(p) and np.any(self.data < 0)) or (p < 0 and np.any(self.data == 0)):
            raise ValueError(f"exponent must be an integer for negative entries and >= 0 for zeros, got {p:g}")
        return self._unary(lambda a: a ** p, lambda a, v: p * a ** (p - 1), f"^{p:g}")

    def exp(self):
        r""":math:`V = e^A`; :math:`\bar A = \bar V \odot V`."""
        return self._unary(np.exp, lambda a, v: v, "exp")

    def log(self):
        r""":math:`V = \ln A` (entries > 0); :math:`\bar A = \bar V / A`."""
        if np.any(self.data <= 0):
            raise ValueError(f"data must be > 0 everywhere for log, got min {self.data.min():g}")
        return self._unary(np.log, lambda a, v: 1.0 / a, "log")

    def tanh(self):
        r""":math:`V = \tanh A`; :math:`\bar A = \bar V \odot (1 - V^2)`."""
        return self._unary(np.tanh, lambda a, v: 1.0 - v ** 2, "tanh")

    def sigmoid(self):
        r""":math:`V = \sigma(A)`, via :math:`e^{-|a|}` (no overflow); :math:`\bar A = \bar V \odot V(1-V)`."""
        def f(a):
            e = np.exp(-np.abs(a))
            return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self._unary(f, lambda a, v: v * (1.0 - v), "σ")

    def relu(self):
        r""":math:`V = \max(A, 0)`; :math:`\bar A = \bar V \odot [A > 0]`."""
        return self._unary(lambda a: np.maximum(a, 0.0), lambda a, v: (a > 0).astype(float), "ReLU")

    def sum(self, axis=None):
        r""":math:`v = \sum A` (over ``axis``, or all entries); :math:`\bar A = \bar v` copied to every summed entry."""
        if axis is not None:
            axis = check_int("axis", axis, low=-self.data.ndim, high=self.data.ndim - 1)
        out = Tensor(self.data.sum(axis=axis), children=(self,), op="Σ")

        def _backward():
            if self.requires_grad:
                g = out.grad if axis is None else np.expand_dims(out.grad, axis)
                self.grad += np.broadcast_to(g, self.shape)
        out._backward = _backward
        return out

    def mean(self, axis=None):
        r""":math:`v = \frac1N\sum A`; :math:`\bar A = \bar v / N`, :math:`N` the number of averaged entries."""
        total = self.sum(axis)
        return total * (1.0 / (self.data.size // max(total.data.size, 1)))

    def cross_entropy(self, y):
        r"""Mean softmax cross-entropy of logits ``(n, K)`` and labels ``y``:
        :math:`L = -\frac1n\sum_i \log\operatorname{softmax}(\mathbf z_i)_{y_i}`;
        :math:`\bar Z = \bar L\,(\operatorname{softmax}(Z) - Y)/n`, :math:`Y` one-hot."""
        if self.data.ndim != 2:
            raise ValueError(f"cross_entropy needs logits of shape (n, K), got {self.shape}")
        n, K = self.shape
        y = check_labels("y", y, K)
        if len(y) != n:
            raise ValueError(f"y has {len(y)} labels but the logits have {n} rows")
        Z = self.data - self.data.max(axis=1, keepdims=True)
        log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        out = Tensor(-log_p[np.arange(n), y].mean(), children=(self,), op="CE")

        def _backward():
            if self.requires_grad:
                delta = np.exp(log_p)
                delta[np.arange(n), y] -= 1.0
                self.grad += out.grad * delta / n
        out._backward = _backward
        return out

    def backward(self, grad=None) -> None:
        r"""Fill ``grad`` of every node this one depends on with :math:`\partial L/\partial(\cdot)`.

        ``grad`` is the seed :math:`\bar v` (default 1 for a one-entry tensor, the usual loss);
        gradients are those of this call, not accumulated over calls."""
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"grad must be given for a non-scalar tensor of shape {self.shape}")
            grad = np.ones_like(self.data)
        _run_backward(self, check_array("grad", grad, shape=self.shape, allow_empty=True).copy())


# ------------------------------------------------------------------------- forward mode
class Dual:
    r"""A dual number :math:`a + \dot a\,\varepsilon` with :math:`\varepsilon^2 = 0`: ``val`` and ``dot``.

    :math:`f(a + \dot a\varepsilon) = f(a) + f'(a)\dot a\,\varepsilon`, so evaluating a function on
    duals carries the directional derivative along with the value, in the same single pass.
    """

    def __init__(self, val, dot=0.0):
        self.val = check_number("val", val)
        self.dot = check_number("dot", dot)

    def __repr__(self) -> str:
        return f"Dual({self.val:.6g}, dot={self.dot:.6g})"

    @staticmethod
    def _lift(other) -> "Dual":
        return other if isinstance(other, Dual) else Dual(check_number("other", other))

    def __add__(self, other):
        r""":math:`(a + \dot a\varepsilon) + (b + \dot b\varepsilon) = (a+b) + (\dot a+\dot b)\varepsilon`."""
        o = self._lift(other)
        return Dual(self.val + o.val, self.dot + o.dot)

    def __sub__(self, other):
        o = self._lift(other)
        return Dual(self.val - o.val, self.dot - o.dot)

    def __mul__(self, other):
        r""":math:`(a + \dot a\varepsilon)(b + \dot b\varepsilon) = ab + (\dot a b + a\dot b)\varepsilon`."""
        o = self._lift(other)
        return Dual(self.val * o.val, self.dot * o.val + self.val * o.dot)

    def __truediv__(self, other):
        r""":math:`a/b + (\dot a b - a\dot b)/b^2\,\varepsilon`."""
        o = self._lift(other)
        if o.val == 0.0:
            raise ValueError("other must be nonzero (the denominator), got 0.0")
        return Dual(self.val / o.val, (self.dot * o.val - self.val * o.dot) / o.val ** 2)

    def __pow__(self, exponent):
        r""":math:`a^p + p\,a^{p-1}\dot a\,\varepsilon` for a constant :math:`p`."""
        p = check_number("exponent", exponent)
        if (self.val < 0 and p != int(p)) or (self.val == 0 and p < 0):
            raise ValueError(f"exponent must be an integer for a negative base and >= 0 for a zero base, got {p:g} for {self.val:g}")
        return Dual(self.val ** p, p * self.val ** (p - 1) * self.dot)

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def exp(self):
        v = math.exp(self.val)
        return Dual(v, v * self.dot)

    def log(self):
        if self.val <= 0:
            raise ValueError(f"val must be > 0 for log, got {self.val:g}")
        return Dual(math.log(self.val), self.dot / self.val)

    def tanh(self):
        v = math.tanh(self.val)
        return Dual(v, (1.0 - v * v) * self.dot)

    def sigmoid(self):
        s = Value(self.val).sigmoid().data
        return Dual(s, s * (1.0 - s) * self.dot)

    def relu(self):
        return Dual(max(self.val, 0.0), float(self.val > 0) * self.dot)


def _outputs(result) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def jacobian_forward(f, x) -> tuple[np.ndarray, int]:
    r"""The Jacobian :math:`J_{ij} = \partial f_i/\partial x_j` by forward mode: one pass per input.

    ``f`` takes a list of ``n`` scalars and returns one scalar or a list of ``m`` (it must use only
    arithmetic and the methods ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``). Pass :math:`j` seeds
    :math:`\dot x = \mathbf e_j` and reads column :math:`j`. Returns ``(J, passes)`` with ``passes = n``.
    """
    f = check_callable("f", f)
    x = check_array("x", x, ndim=1)
    columns = []
    for j in range(len(x)):
        out = _outputs(f([Dual(v, float(k == j)) for k, v in enumerate(x)]))
        columns.append([o.dot if isinstance(o, Dual) else 0.0 for o in out])
    return np.array(columns).T, len(x)


def jacobian_reverse(f, x) -> tuple[np.ndarray, int]:
    r"""The Jacobian by reverse mode: one forward pass, then one backward pass per output.

    Backward pass :math:`i` seeds :math:`\bar f_i = 1` and reads row :math:`i` (the gradient of
    :math:`f_i`) from the inputs' ``grad``. ``f`` as in :func:`jacobian_forward`. Returns
    ``(J, passes)`` with ``passes = m``, the number of backward passes.
    """
    f = check_callable("f", f)
    x = check_array("x", x, ndim=1)
    inputs = [Value(v) for v in x]
    rows = []
    for out in _outputs(f(inputs)):
        for v in inputs:
            v.grad = 0.0
        if isinstance(out, Value):
            out.backward()
        rows.append([v.grad for v in inputs])
    return np.array(rows), len(rows)


# -------------------------------------------------------------- random expressions, layout
_UNARY = {"exp": lambda a: a.exp(), "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(),
          "relu": lambda a: a.relu(), "log": lambda a: (a * a + 1.0).log(), "square": lambda a: a ** 2,
          "cube": lambda a: a ** 3, "sqrt": lambda a: (a * a + 1.0) ** 0.5}
_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / (b * b + 1.0), "rsub": lambda a, b: 2.0 - a * b}


def run_program(program, inputs):
    """Evaluate a program of :func:`random_program` on ``inputs`` (``Value``, ``Dual`` or torch scalars).

    Instruction ``(op, i, j)`` applies ``op`` to registers ``i`` (and ``j``) and appends the result to the
    registers, which start as the inputs; ``log`` is :math:`\\ln(1+a^2)`, ``sqrt`` is
    :math:`(1+a^2)^{1/2}` and ``div`` is :math:`a/(1+b^2)`, defined everywhere. Returns the last register.
    """
    return _registers(program, inputs)[-1]


def _registers(program, inputs) -> list:
    regs = list(inputs)
    for op, i, j in program:
        regs.append(_UNARY[op](regs[i]) if op in _UNARY else _BINARY[op](regs[i], regs[j]))
    return regs


def random_program(n_inputs: int, n_ops: int, random_state=None, bound: float = 1e3):
    """A random expression graph: ``(program, x)`` with ``n_ops`` instructions on ``n_inputs`` inputs.

    Operands are drawn among all earlier registers, so results are reused (a graph, not a tree).
    Draws are repeated until every intermediate value of the program at ``x`` (inputs uniform in
    [-2, 2]) stays below ``bound`` in absolute value.
    """
    n_inputs = check_int("n_inputs", n_inputs, low=1)
    n_ops = check_int("n_ops", n_ops, low=1)
    bound = check_number("bound", bound, low=1.0)
    rng = check_random_state(random_state)
    names = sorted(_UNARY) + sorted(_BINARY)
    while True:
        x = rng.uniform(-2.0, 2.0, size=n_inputs)
        program = [(names[rng.integers(len(names))], int(rng.integers(n_inputs + k)), int(rng.integers(n_inputs + k)))
                   for k in range(n_ops)]
        try:
            if max(abs(r.data) for r in _registers(program, [Value(v) for v in x])) < bound:
                return program, x
        except (ValueError, OverflowError):
            continue


def graph_layout(root) -> tuple[dict, list]:
    """Positions ``{node: (column, row)}`` and edges ``[(child, parent)]`` for drawing a graph left to right.

    The output is in the last column and every other node one column left of its first
    consumer (so a node's operands are always to its left, and constants sit next to their use). Rows are one apart within a column, ordered by the mean row of a node's
    consumers (a sweep from the output back), then of its operands (a sweep forward), then of its
    consumers again, so that edges run mostly straight (the barycentre heuristic).
    """
    order = topological_order(root)
    parents: dict[int, list] = {id(v): [] for v in order}
    for v in order:
        for c in v.children:
            parents[id(c)].append(v)
    col = {id(root): 0}
    for v in reversed(order[:-1]):  # as late as possible: just left of the first consumer
        col[id(v)] = min(col[id(p)] for p in parents[id(v)]) - 1
    children = {id(v): list(v.children) for v in order}
    row = {id(v): 0.0 for v in order}
    columns = sorted(set(col.values()))
    for sweep in range(3):  # backwards by consumers, forwards by operands, backwards again
        neighbours, todo = (children, columns) if sweep % 2 else (parents, columns[::-1])
        for c in todo:
            members = [v for v in order if col[id(v)] == c]
            keys = [np.mean([row[id(u)] for u in neighbours[id(v)]]) if neighbours[id(v)] else row[id(v)]
                    for v in members]
            ranked = sorted(range(len(members)), key=lambda k: (keys[k], row[id(members[k])]))
            centre = float(np.mean(keys))
            for rank, k in enumerate(ranked):
                row[id(members[k])] = centre + rank - (len(members) - 1) / 2
    low = min(col.values())
    positions = {v: (col[id(v)] - low, row[id(v)]) for v in order}
    edges = [(c, v) for v in order for c in v.children]
    return positions, edges


def forward_backward_times(loss_fn, repeats: int = 5) -> tuple[float, float]:
    """The shortest forward and the shortest backward duration over ``repeats`` runs, in seconds.

    Each run times ``loss = loss_fn()`` (building the graph) and then ``loss.backward()`` on that
    graph, so the two are measured alternately under the same load. Works for :class:`Tensor`,
    :class:`Value` and torch losses.
    """
    loss_fn = check_callable("loss_fn", loss_fn)
    repeats = check_int("repeats", repeats, low=1)
    forward, backward = math.inf, math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        loss = loss_fn()
        middle = time.perf_counter()
        loss.backward()
        forward, backward = min(forward, middle - start), min(backward, time.perf_counter() - middle)
    return forward, backward
