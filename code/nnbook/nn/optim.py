r"""Optimisers as update rules on NumPy arrays, written to match ``torch.optim`` step for step.

Each optimiser holds references to the parameter arrays and, where it needs them, one state
array per parameter (a velocity, a sum of squares, two moment estimates). ``step(grads)``
applies one update **in place**, with :math:`g_t` the gradient and :math:`\eta` the learning
rate:

=============  ==========================================================================
SGD            :math:`\theta \leftarrow \theta - \eta g`
momentum       :math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \eta b` (Polyak; :math:`b_1 = g_1`)
Nesterov       same :math:`b`, then :math:`\theta \leftarrow \theta - \eta (g + \mu b)`
Adagrad        :math:`G \leftarrow G + g^2,\ \theta \leftarrow \theta - \eta\, g / (\sqrt{G} + \epsilon)`
RMSprop        :math:`v \leftarrow \alpha v + (1-\alpha) g^2,\ \theta \leftarrow \theta - \eta\, g / (\sqrt{v} + \epsilon)`
Adam           :math:`m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
               :math:`\hat m = m/(1-\beta_1^t),\ \hat v = v/(1-\beta_2^t),\ \theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)`
AdamW          Adam, plus the decoupled decay :math:`\theta \leftarrow \theta(1 - \eta\lambda)` before the step
=============  ==========================================================================

The square root is taken *before* :math:`\epsilon` is added, as PyTorch does. Weight decay
``weight_decay`` (:math:`\lambda`) in SGD, Adagrad, RMSprop and Adam adds :math:`\lambda\theta`
to the gradient (L2 regularisation); AdamW decays the weights directly (Loshchilov & Hutter, 2019).

Papers: Polyak (1964), Nesterov (1983), Sutskever et al. (2013), Duchi et al. (2011),
Tieleman & Hinton (2012), Kingma & Ba (2015).
:func:`adam_l2_effective_decay` gives the per-parameter decay that Adam's L2 term amounts to.

Book sections: "Optimisers" (``book/ch4-training/07-optimisers.ipynb``, ``08-optimisers-in-practice.ipynb``);
Adam+L2 against AdamW in ``12-schedules.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np

from nnbook._validation import check_array, check_bool, check_int, check_number


def _rate(name: str, value) -> float:
    """A learning rate or an epsilon: finite and > 0."""
    return check_number(name, value, low=0.0, low_open=True)


def _fraction(name: str, value) -> float:
    """A decay factor (momentum, alpha, beta): in [0, 1)."""
    return check_number(name, value, low=0.0, high=1.0, high_open=True)


class Optimizer:
    """Base class: stores the parameters, checks gradients, counts steps ``t``."""

    def __init__(self, params, lr: float):
        if isinstance(params, np.ndarray):
            params = [params]
        if isinstance(params, (str, bytes, dict)) or not hasattr(params, "__iter__"):
            raise TypeError(f"params must be a list of float NumPy arrays, got {type(params).__name__} ({params!r})")
        params = list(params)
        if not params:
            raise ValueError("params is empty")
        for i, p in enumerate(params):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params[{i}] must be a float NumPy array (updated in place), got {type(p).__name__}")
        self.params = params
        self.lr = _rate("lr", lr)
        self.t = 0

    def _check_grads(self, grads) -> list[np.ndarray]:
        if isinstance(grads, (str, bytes, dict)) or not (isinstance(grads, np.ndarray) or hasattr(grads, "__iter__")):
            raise TypeError(f"grads must be a list of arrays shaped like params, got {type(grads).__name__} ({grads!r})")
        grads = [grads] if isinstance(grads, np.ndarray) else list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"grads: got {len(grads)} gradients for {len(self.params)} parameters")
        checked = []
        for i, (g, p) in enumerate(zip(grads, self.params)):
            # real numbers only (a complex gradient would lose its imaginary part); NaN/inf pass, as in torch
            g = check_array(f"grads[{i}]", g, dtype="any", finite=False, allow_empty=True)
            if g.shape != p.shape:
                raise ValueError(f"grads[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}")
            checked.append(g.astype(p.dtype, copy=False))
        return checked

    def step(self, grads) -> None:
        """Apply one update to every parameter, in place.

        ``grads`` is a list of arrays shaped like ``params``. Like ``torch.optim``, a NaN or
        infinite gradient is not rejected: it propagates into the parameters, which is how
        an exploding gradient shows up (see ``09-vanishing-exploding.ipynb``).
        """
        grads = self._check_grads(grads)
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self._update(i, p, g)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Polyak or Nesterov) momentum, like ``torch.optim.SGD``."""

    def __init__(self, params, lr: float, momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _fraction("momentum", momentum)
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        if check_bool("nesterov", nesterov) and self.momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)
        self.velocity = [None] * len(self.params)

    def _update(self, i, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            b = self.velocity[i]
            b = g.copy() if b is None else self.momentum * b + g  # b_t = mu b_{t-1} + g_t, with b_1 = g_1
            self.velocity[i] = b
            g = g + self.momentum * b if self.nesterov else b
        p -= self.lr * g


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011): :math:`G \mathrel{+}= g^2`, :math:`\theta \mathrel{-}= \eta g/(\sqrt G + \epsilon)`."""

    def __init__(self, params, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.eps = _rate("eps", eps)
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.sum_sq = [np.zeros_like(p) for p in self.params]

    def _update(self, i, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        self.sum_sq[i] += g * g
        p -= self.lr * g / (np.sqrt(self.sum_sq[i]) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012): :math:`v = \alpha v + (1-\alpha) g^2`, :math:`\theta \mathrel{-}= \eta g/(\sqrt v + \epsilon)`."""

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.alpha = _fraction("alpha", alpha)
        self.eps = _rate("eps", eps)
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.square_avg = [np.zeros_like(p) for p in self.params]

    def _update(self, i, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        v = self.square_avg[i]
        v *= self.alpha
        v += (1 - self.alpha) * g * g
        p -= self.lr * g / (np.sqrt(v) + self.eps)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), with bias-corrected moments, like ``torch.optim.Adam``.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
        \theta_t = \theta_{t-1} - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.

    ``bias_correction=False`` drops the two divisions (for the book's demonstration only).
    """

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 bias_correction: bool = True):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _fraction("betas[0]", betas[0])
        self.beta2 = _fraction("betas[1]", betas[1])
        self.eps = _rate("eps", eps)
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.bias_correction = check_bool("bias_correction", bias_correction)
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def _update(self, i, p, g):
        if self.weight_decay and self.decoupled:
            p *= 1 - self.lr * self.weight_decay  # AdamW: decay the weights, not the gradient
        elif self.weight_decay:
            g = g + self.weight_decay * p  # Adam: L2 term added to the gradient
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        if self.bias_correction:
            m_hat, v_hat = m / (1 - self.beta1**self.t), v / (1 - self.beta2**self.t)
        else:
            m_hat, v_hat = m, v
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay :math:`\theta \leftarrow \theta(1-\eta\lambda)`."""

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)


def adam_l2_effective_decay(v, t: int, lr: float, weight_decay: float, beta2: float = 0.999,
                            eps: float = 1e-8) -> np.ndarray:
    r"""The fraction of each parameter that the L2 term removes per step under Adam: :math:`\eta\lambda/(\sqrt{\hat v}+\epsilon)`.

    Adam with ``weight_decay`` :math:`\lambda` adds :math:`\lambda\theta` to the gradient, and that
    sum is divided by :math:`\sqrt{\hat v_t} + \epsilon`, with :math:`\hat v_t = v_t/(1-\beta_2^t)` the
    parameter's own running mean square gradient. For slowly varying :math:`\theta` the L2 part of
    the step is therefore :math:`-\eta\lambda\theta/(\sqrt{\hat v_t}+\epsilon)`: a shrink factor
    :math:`\eta\lambda/(\sqrt{\hat v_t}+\epsilon)` per step, large for parameters with small gradients and
    tiny for those with large ones. AdamW shrinks every parameter by the same :math:`\eta\lambda`
    (Loshchilov & Hutter, 2019).

    Parameters
    ----------
    v : array_like, any shape
        The second-moment state :math:`v_t` (``Adam.v[i]`` here, ``state["exp_avg_sq"]`` in torch), >= 0.
    t : int
        The number of steps taken (>= 1).
    lr, weight_decay, beta2, eps : float
        :math:`\eta > 0`, :math:`\lambda \ge 0`, :math:`0 \le \beta_2 < 1`, :math:`\epsilon > 0`.

    Returns
    -------
    ndarray, shaped like ``v``

    Book section: ``book/ch4-training/12-schedules.ipynb``.
    """
    v = check_array("v", v)
    if np.any(v < 0):
        raise ValueError(f"v must be >= 0 (a mean of squares), got a minimum of {v.min()}")
    t = check_int("t", t, low=1)
    lr, eps = _rate("lr", lr), _rate("eps", eps)
    weight_decay = check_number("weight_decay", weight_decay, low=0.0)
    beta2 = _fraction("beta2", beta2)
    return lr * weight_decay / (np.sqrt(v / (1 - beta2**t)) + eps)


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW}


def clip_grad_norm(grads, max_norm: float, norm_type: float = 2.0) -> float:
    r"""Rescale gradients in place so that their joint norm is at most ``max_norm``.

    The joint norm is :math:`\|g\| = \big(\sum_k \|g_k\|_p^p\big)^{1/p}` over all arrays
    (the max-abs value for ``norm_type=inf``); every array is multiplied by
    :math:`\min(1, c / (\|g\| + 10^{-6}))`, exactly as ``torch.nn.utils.clip_grad_norm_``.
    The direction of the update is kept; only its length is capped (Pascanu et al., 2013).

    Returns
    -------
    float
        The norm *before* clipping (a useful thing to log).
    """
    if isinstance(grads, np.ndarray):
        grads = [grads]
    if isinstance(grads, (str, bytes, dict)) or not hasattr(grads, "__iter__"):
        raise TypeError(f"grads must be a list of float NumPy arrays, got {type(grads).__name__} ({grads!r})")
    grads = list(grads)
    max_norm = check_number("max_norm", max_norm, low=0.0, low_open=True, finite=False)
    norm_type = check_number("norm_type", norm_type, low=0.0, low_open=True, finite=False)
    if not grads:
        raise ValueError("grads is empty: give at least one gradient")
    for i, g in enumerate(grads):
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError(f"grads[{i}] must be a float NumPy array (clipped in place), got {type(g).__name__}")
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in grads) ** (1.0 / norm_type))
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= coef
    return total


class GradClipping:
    """Wrap a ``torch.optim`` optimiser so that every ``step()`` first clips the gradient norm.

    ``GradClipping(torch.optim.SGD(model.parameters(), lr=0.1), max_norm=1.0)`` can be passed
    to :func:`nnbook.nets.training.fit` like the optimiser itself. The norms before clipping are
    recorded in ``norms_``.
    """

    def __init__(self, optimizer, max_norm: float):
        if not all(hasattr(optimizer, a) for a in ("param_groups", "step", "zero_grad")):
            raise TypeError(f"optimizer must be a torch.optim optimiser (param_groups, step, zero_grad), "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.max_norm = check_number("max_norm", max_norm, low=0.0, low_open=True, finite=False)
        self.norms_: list[float] = []

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self) -> None:
        import torch

        params = [p for group in self.optimizer.param_groups for p in group["params"] if p.grad is not None]
        self.norms_.append(float(torch.nn.utils.clip_grad_norm_(params, self.max_norm)))
        self.optimizer.step()
