r"""Gradient checking by central finite differences.

For a scalar function :math:`J(\theta)` and each entry :math:`\theta_k` of each parameter array,

.. math::
    \frac{\partial J}{\partial\theta_k} \approx \frac{J(\theta+h\mathbf e_k)-J(\theta-h\mathbf e_k)}{2h},

whose truncation error is :math:`O(h^2)` (a one-sided difference has :math:`O(h)`), while the
rounding error of the subtraction grows like :math:`\varepsilon_{\text{mach}}|J|/h`; so ``h`` has
a best value, about :math:`10^{-5}` in float64 and :math:`10^{-2}` in float32. The analytic
and numeric gradients are compared by the relative error

.. math::
    r_k = \frac{|g_k-\hat g_k|}{\max(|g_k|,|\hat g_k|,\text{floor})},

a scale-free number: about 1e-7 or less means agreement in float64, 1e-2 or more means a bug.

Book section: "Gradient checking in practice" (``book/ch3-backprop/05-gradcheck.ipynb``).
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from nnbook._validation import check_array, check_callable, check_number


class GradientCheckError(AssertionError):
    """Raised by :func:`assert_gradients_close`; the message names the parameter and index."""


class CheckResult(NamedTuple):
    """The outcome for one parameter array: the worst entry and its two gradients."""

    name: str
    max_rel_error: float
    worst_index: tuple
    analytic: float
    numeric: float


def relative_error(analytic, numeric, floor: float = 1e-10) -> np.ndarray:
    r"""Elementwise :math:`|g-\hat g| / \max(|g|, |\hat g|, \text{floor})`.

    The floor keeps entries where both gradients are (nearly) zero from dividing by zero;
    there the result is the absolute error divided by ``floor`` (> 0). Both gradients must
    be finite: a NaN or infinite gradient is refused with its index.
    """
    floor = check_number("floor", floor, low=0.0, low_open=True)
    a = check_array("analytic", analytic, allow_empty=True)
    n = check_array("numeric", numeric, allow_empty=True)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} and {n.shape}")
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)


def numerical_gradient(f: Callable[[], float], param: np.ndarray,
                       h: float = 1e-5) -> np.ndarray:
    r"""Central differences :math:`(f(\theta+h e_k)-f(\theta-h e_k))/(2h)`, entrywise.

    ``f`` takes no argument and reads ``param``, which is perturbed in place, one entry
    at a time, and restored exactly afterwards. Returns an array shaped like ``param``.
    """
    f = check_callable("f", f)
    if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
        raise TypeError("param must be a float ndarray (perturbed in place), "
                        f"got {type(param).__name__}")
    h = check_number("h", h, low=0.0, low_open=True)
    grad = np.zeros_like(param)
    for k in np.ndindex(param.shape):
        old = param[k]
        param[k] = old + h
        f_plus = f()
        param[k] = old - h
        f_minus = f()
        param[k] = old
        grad[k] = (f_plus - f_minus) / (2 * h)
    return grad


def check_gradients(f: Callable[[], float], params: Sequence[np.ndarray], grads: Sequence[np.ndarray],
                    names: Sequence[str] | None = None, h: float = 1e-5, floor: float = 1e-10) -> list[CheckResult]:
    """Compare analytic ``grads`` with central differences of ``f`` for each array of ``params``.

    Parameters
    ----------
    f : callable, no arguments -> float
        The loss, computed from the current contents of ``params``.
    params, grads : sequences of ndarray
        Parameter arrays (perturbed in place and restored) and their analytic gradients.
    names : sequence of str, optional
        Used in the results and messages; default ``p0, p1, ...``.

    Returns
    -------
    list of CheckResult
        One per array: the largest relative error, where it occurs and the two values there.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable taking no argument and returning the loss, got {type(f).__name__}")
    for what, seq in (("params", params), ("grads", grads)):
        if isinstance(seq, (str, bytes, np.ndarray)) or not hasattr(seq, "__len__"):
            raise TypeError(f"{what} must be a list of arrays, got {type(seq).__name__}")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"params[{i}] must be a float ndarray (perturbed in place), got {type(p).__name__}")
    h = check_number("h", h, low=0.0, low_open=True)
    floor = check_number("floor", floor, low=0.0, low_open=True)
    if isinstance(names, str):
        raise TypeError(f"names must be a list of str, got str ({names!r})")
    names = [f"p{i}" for i in range(len(params))] if names is None else list(names)
    if not len(params) == len(grads) == len(names):
        raise ValueError(f"params, grads and names must have the same length, got {len(params)}, {len(grads)}, {len(names)}")
    results = []
    for name, p, g in zip(names, params, grads):
        g = check_array(f"grads[{len(results)}]", g, allow_empty=True)
        if g.shape != p.shape:
            raise ValueError(f"grads[{len(results)}]: gradient of {name} has shape {g.shape}, but the parameter "
                             f"has shape {p.shape}")
        numeric = numerical_gradient(f, p, h)
        err = relative_error(g, numeric, floor)
        k = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        worst = float(err[k]) if err.size else 0.0
        results.append(CheckResult(name, worst, tuple(int(i) for i in k), float(g[k]) if err.size else 0.0,
                                   float(numeric[k]) if err.size else 0.0))
    return results


def assert_gradients_close(results: Sequence[CheckResult], tol: float = 1e-6) -> None:
    """Raise :class:`GradientCheckError` naming the first parameter whose worst error exceeds ``tol`` (> 0, finite)."""
    tol = check_number("tol", tol, low=0.0, low_open=True)
    if isinstance(results, (str, bytes)) or not hasattr(results, "__iter__"):
        raise TypeError(f"results must be the list returned by check_gradients, got {type(results).__name__}")
    results = list(results)
    for i, r in enumerate(results):
        if not isinstance(r, CheckResult):
            raise TypeError(f"results[{i}] must be a CheckResult, got {type(r).__name__}")
    for r in results:
        if not r.max_rel_error <= tol:
            raise GradientCheckError(
                f"gradient check failed for {r.name} at index {r.worst_index}: analytic {r.analytic:.6g}, "
                f"numeric {r.numeric:.6g}, relative error {r.max_rel_error:.2e} > tol {tol:.0e}")


def check_model(model, X, y, h: float = 1e-5, floor: float = 1e-10) -> list[CheckResult]:
    """:func:`check_gradients` for an :class:`nnbook.nn.mlp.MLP` (names ``W1, b1, W2, b2, ...``).

    Uses ``model.loss_and_gradients(X, y)`` for the analytic gradients and the loss (which
    validates ``X`` and ``y``).
    """
    if not hasattr(model, "loss_and_gradients") or not hasattr(model, "weights_"):
        raise TypeError(f"model must be an initialised nnbook.nn.mlp.MLP, got {type(model).__name__}")
    h = check_number("h", h, low=0.0, low_open=True)
    floor = check_number("floor", floor, low=0.0, low_open=True)
    _, grads = model.loss_and_gradients(X, y)
    params, flat, names = [], [], []
    for l, (W, b) in enumerate(zip(model.weights_, model.biases_), start=1):
        params += [W, b]
        flat += list(grads[l - 1])
        names += [f"W{l}", f"b{l}"]
    return check_gradients(lambda: model.loss_and_gradients(X, y)[0], params, flat, names, h, floor)
