r"""Batch normalisation and layer normalisation, forward and backward, in NumPy.

Batch normalisation (Ioffe & Szegedy, 2015) normalises each channel over the batch (and,
for images, over the spatial positions): with the :math:`m` values :math:`x_i` of one channel,

.. math::

    \mu = \frac1m\sum_i x_i,\quad \sigma^2 = \frac1m\sum_i (x_i-\mu)^2,\quad
    \hat x_i = \frac{x_i-\mu}{\sqrt{\sigma^2+\epsilon}},\quad y_i = \gamma\,\hat x_i + \beta,

so :math:`\gamma` is the new *standard deviation* (a scale) and :math:`\beta` the new mean (a
shift). The backward pass, with :math:`g_i = \partial L/\partial y_i`, is

.. math::

    \frac{\partial L}{\partial\beta} = \sum_i g_i,\quad
    \frac{\partial L}{\partial\gamma} = \sum_i g_i\hat x_i,\quad
    \frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}}
    \Big(g_i - \frac1m\frac{\partial L}{\partial\beta} - \frac{\hat x_i}{m}\frac{\partial L}{\partial\gamma}\Big).

At inference the batch statistics are replaced by running estimates, updated in training
with momentum :math:`\alpha` (PyTorch's convention, default 0.1) and the *unbiased* variance:
:math:`\hat\mu \leftarrow (1-\alpha)\hat\mu + \alpha\mu`,
:math:`\hat\sigma^2 \leftarrow (1-\alpha)\hat\sigma^2 + \alpha\,\frac{m}{m-1}\sigma^2`.

Layer normalisation (Ba et al., 2016) uses the same formulas per example, over its features.

Book sections: ``book/ch4-training/04-batch-norm.ipynb``, ``05-why-batch-norm-works.ipynb``,
``06-layer-norm.ipynb``.
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import check_bool, check_float_array, check_int, check_number


def _check_array(name: str, value) -> np.ndarray:
    # the name is printed in ch4/04 (the source of batch_norm_forward); the check is the floor's:
    # finite, non-empty floats, precision kept (float32 stays float32)
    return check_float_array(name, value)


def _check_eps(eps) -> float:
    return check_number("eps", eps, low=0.0)


def _check_cache(cache, keys: tuple[str, ...], forward: str) -> dict:
    if not isinstance(cache, dict) or not all(k in cache for k in keys):
        raise TypeError(f"cache must be the dict returned by {forward}, got {type(cache).__name__}")
    return cache


def _check_bn(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> None:
    if X.ndim not in (2, 3, 4):
        raise ValueError(f"X must have shape (N, C), (N, C, L) or (N, C, H, W), got {X.shape}")
    C = X.shape[1]
    if gamma.shape != (C,) or beta.shape != (C,):
        raise ValueError(f"gamma and beta must have shape ({C},) to match the channels of X (shape {X.shape}), "
                         f"got {gamma.shape} and {beta.shape}")


def batch_norm_forward(X, gamma, beta, eps: float = 1e-5):
    r"""Training-mode batch normalisation with the statistics of this batch.

    Parameters
    ----------
    X : ndarray, shape (N, C), (N, C, L) or (N, C, H, W)
        Statistics are taken per channel ``C`` over the other axes (``m = N*H*W`` values).
    gamma, beta : ndarray, shape (C,)
        Scale and shift.
    eps : float >= 0
        Added to the variance. ``eps = 0`` is allowed (the book uses it to show that the
        gradient is exactly orthogonal to :math:`\hat x`), but then every channel must vary:
        a constant channel is refused, since it would divide by zero.

    Returns
    -------
    out : ndarray, same shape and dtype as X
    cache : dict
        ``x_hat`` (as (N, C, m/N)), ``inv_std``, ``gamma``, ``mean``, ``var`` (biased, shape
        (C,)) and ``m``; :func:`batch_norm_backward` needs it, :class:`BatchNorm` reads the
        statistics.
    """
    eps = _check_eps(eps)
    if eps == 0:
        _check_bn(_check_array("X", X), _check_array("gamma", gamma), _check_array("beta", beta))
        X_ = np.asarray(X)
        flat = np.moveaxis(X_, 1, 0).reshape(X_.shape[1], -1)
        constant = np.flatnonzero(flat.max(axis=1) == flat.min(axis=1))
        if constant.size:
            raise ValueError(f"eps = 0 needs every channel of X to vary, but channel {int(constant[0])} is constant")
    X, gamma, beta = (_check_array("X", X), _check_array("gamma", gamma),
                      _check_array("beta", beta))
    _check_bn(X, gamma, beta)
    N, C = X.shape[:2]
    m = X.size // C
    if m < 2:
        raise ValueError("batch norm in training mode needs more than 1 value per "
                         f"channel, got X of shape {X.shape}")
    X3 = X.reshape(N, C, -1)  # one layout for (N, C), (N, C, L) and (N, C, H, W)
    mean = np.einsum("nci->c", X3) / m
    x_hat = X3 - mean[:, None]
    var = np.einsum("nci,nci->c", x_hat, x_hat) / m
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std[:, None]  # in place: x_hat now holds (x - mean) / sqrt(var + eps)
    out = x_hat * gamma[:, None].astype(X.dtype, copy=False)
    out += beta[:, None].astype(X.dtype, copy=False)
    cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma,
             "mean": mean, "var": var, "m": m}
    return out.reshape(X.shape), cache


def batch_norm_backward(grad_out, cache):
    r"""Gradients of batch normalisation: returns ``(dX, dgamma, dbeta)``.

    Uses the compact form :math:`\partial L/\partial x_i = \gamma\,(\sigma^2+\epsilon)^{-1/2}
    (g_i - \overline{g} - \hat x_i\,\overline{g\hat x})`, where bars are means over the ``m``
    values of a channel; ``dgamma`` and ``dbeta`` have shape (C,).
    """
    grad_out = _check_array("grad_out", grad_out)
    cache = _check_cache(cache, ("x_hat", "m", "gamma", "inv_std"), "batch_norm_forward")
    x_hat, m = cache["x_hat"], cache["m"]
    if grad_out.size != x_hat.size or grad_out.shape[:2] != x_hat.shape[:2]:
        raise ValueError(f"grad_out has shape {grad_out.shape}, which does not match the forward input "
                         f"({x_hat.shape[0]}, {x_hat.shape[1]}, ...) of {x_hat.size} values")
    G = grad_out.reshape(x_hat.shape)
    dbeta = np.einsum("nci->c", G)
    dgamma = np.einsum("nci,nci->c", G, x_hat)
    a = cache["gamma"] * cache["inv_std"]  # gamma / sqrt(var + eps), per channel
    dX = G * a[:, None].astype(G.dtype, copy=False)
    dX -= x_hat * (a * dgamma / m)[:, None].astype(G.dtype, copy=False)
    dX -= (a * dbeta / m)[:, None].astype(G.dtype, copy=False)
    return dX.reshape(grad_out.shape), dgamma, dbeta


def batch_norm_inference(X, gamma, beta, running_mean, running_var, eps: float = 1e-5) -> np.ndarray:
    r"""Evaluation-mode batch norm: :math:`y = \gamma (x - \hat\mu)/\sqrt{\hat\sigma^2 + \epsilon} + \beta`, per example."""
    X, gamma, beta = _check_array("X", X), _check_array("gamma", gamma), _check_array("beta", beta)
    _check_bn(X, gamma, beta)
    eps = _check_eps(eps)
    bshape = (1, X.shape[1]) + (1,) * (X.ndim - 2)
    running_mean = check_float_array("running_mean", running_mean, cast_ints=True)
    running_var = check_float_array("running_var", running_var, cast_ints=True)
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat.shape != gamma.shape:
            raise ValueError(f"running statistics must have shape {gamma.shape}: {name} has shape {stat.shape}")
    if (running_var < 0).any() or (eps == 0 and (running_var == 0).any()):
        raise ValueError(f"running_var must be > 0 (>= 0 with eps > 0), got {running_var}")
    scale = gamma / np.sqrt(running_var + eps)
    shift = beta - running_mean * scale
    return X * scale.reshape(bshape).astype(X.dtype, copy=False) + shift.reshape(bshape).astype(X.dtype, copy=False)


class BatchNorm:
    r"""A batch-norm layer with running statistics, like ``torch.nn.BatchNorm1d/2d``.

    Parameters
    ----------
    num_features : int
        Number of channels C.
    momentum : float in [0, 1)
        Weight :math:`\alpha` of the new batch in the running averages (PyTorch's convention;
        Keras' "momentum" is :math:`1-\alpha`).
    eps : float

    Attributes
    ----------
    gamma, beta : ndarray (C,)
        Parameters (ones and zeros initially); ``dgamma``, ``dbeta`` after :meth:`backward`.
    running_mean, running_var : ndarray (C,)
        Start at 0 and 1; ``running_var`` averages the unbiased variances :math:`\frac{m}{m-1}\sigma^2`.
    training : bool
        Use batch statistics (True) or running statistics (False).
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5):
        num_features = check_int("num_features", num_features, low=1)
        momentum = check_number("momentum", momentum, low=0.0, high=1.0, high_open=True)
        eps = check_number("eps", eps, low=0.0, low_open=True)
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.training = True
        self._cache = None

    def forward(self, X) -> np.ndarray:
        """Normalise ``X`` (shape (N, num_features, ...)); in training mode also update the running statistics."""
        X = _check_array("X", X)
        if X.ndim < 2 or X.shape[1] != self.num_features:
            raise ValueError(f"X must have shape (N, {self.num_features}, ...) for this BatchNorm, got {X.shape}")
        if not check_bool("training", self.training):
            self._cache = None
            return batch_norm_inference(X, self.gamma, self.beta, self.running_mean, self.running_var, self.eps)
        out, self._cache = batch_norm_forward(X, self.gamma, self.beta, self.eps)
        m, a = self._cache["m"], self.momentum
        self.running_mean = (1 - a) * self.running_mean + a * self._cache["mean"]
        self.running_var = (1 - a) * self.running_var + a * self._cache["var"] * m / (m - 1)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Return dL/dX of the last training-mode forward; store ``dgamma`` and ``dbeta``."""
        if self._cache is None:
            raise RuntimeError("backward needs a previous forward in training mode")
        dX, self.dgamma, self.dbeta = batch_norm_backward(grad_out, self._cache)
        return dX


def layer_norm_forward(X, gamma, beta, eps: float = 1e-5):
    r"""Layer normalisation over the last ``gamma.ndim`` axes of ``X`` (like ``torch.nn.LayerNorm``).

    Each example is normalised with its own mean and variance over its features, then scaled
    by ``gamma`` and shifted by ``beta`` (both of shape ``X.shape[-gamma.ndim:]``). Training
    and evaluation are the same computation; no running statistics.

    ``eps`` must be > 0 (finite).

    Returns ``(out, cache)``; pass ``cache`` to :func:`layer_norm_backward`.
    """
    X, gamma, beta = _check_array("X", X), _check_array("gamma", gamma), _check_array("beta", beta)
    eps = check_number("eps", eps, low=0.0, low_open=True)
    k = gamma.ndim
    if k == 0 or X.ndim <= k or X.shape[-k:] != gamma.shape or beta.shape != gamma.shape:
        raise ValueError(f"gamma and beta must both have the trailing shape of X; got X {X.shape}, "
                         f"gamma {gamma.shape}, beta {beta.shape}")
    axes = tuple(range(X.ndim - k, X.ndim))
    mean = X.mean(axis=axes, keepdims=True)
    x_centred = X - mean
    var = np.mean(np.square(x_centred), axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_centred * inv_std
    out = x_hat * gamma + beta
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "axes": axes}


def layer_norm_backward(grad_out, cache):
    r"""Gradients of layer normalisation: returns ``(dX, dgamma, dbeta)``.

    With :math:`d\hat x = g \odot \gamma` and :math:`H` features per example,
    :math:`\partial L/\partial x = (\sigma^2+\epsilon)^{-1/2}(d\hat x - \overline{d\hat x}
    - \hat x\,\overline{d\hat x \odot \hat x})`, bars being means over the features.
    """
    grad_out = _check_array("grad_out", grad_out)
    cache = _check_cache(cache, ("x_hat", "axes", "gamma", "inv_std"), "layer_norm_forward")
    x_hat, axes = cache["x_hat"], cache["axes"]
    if grad_out.shape != x_hat.shape:
        raise ValueError(f"grad_out has shape {grad_out.shape}, but the forward input had shape {x_hat.shape}")
    batch_axes = tuple(range(x_hat.ndim - len(axes)))
    dbeta = grad_out.sum(axis=batch_axes)
    dgamma = np.sum(grad_out * x_hat, axis=batch_axes)
    dx_hat = grad_out * cache["gamma"]
    dX = cache["inv_std"] * (dx_hat - dx_hat.mean(axis=axes, keepdims=True)
                             - x_hat * np.mean(dx_hat * x_hat, axis=axes, keepdims=True))
    return dX, dgamma, dbeta
