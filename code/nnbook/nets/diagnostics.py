"""Per-layer measurements of torch networks (the networks themselves come from :mod:`nnbook.nets.builder`).

Used by the chapters on activations (vanishing gradients, SELU self-normalisation) and on
training (initialisation, exploding gradients):

* :func:`layer_gradient_norms` -- the norm of the loss gradient w.r.t. each layer's weights;
* :func:`layer_activation_stats` -- mean and standard deviation of each layer's output;
* :func:`dead_unit_masks`, :func:`dead_unit_fraction` -- each layer's units that no input switches on.

Book sections: ``book/ch2-activations/`` and ``book/ch4-training/``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_tensor
from nnbook.nets.builder import TORCH_ACTIVATION_TYPES

__all__ = ["layer_gradient_norms", "layer_activation_stats", "dead_unit_masks", "dead_unit_fraction",
           "layer_gradient_summary"]


def _check_model(model, sequential: bool = False) -> None:
    kind = nn.Sequential if sequential else nn.Module
    if not isinstance(model, kind):
        raise TypeError(f"model must be an nn.{kind.__name__}, got {type(model).__name__}")


_NO_Y = object()


def _check_batch(X, y=_NO_Y, model=None) -> None:
    """``X`` a non-empty finite float tensor with one row per example; ``y`` (if given) one target per row."""
    check_tensor("X", X)
    if X.ndim < 2:
        raise ValueError(f"X must have a batch axis and a feature axis, got shape {tuple(X.shape)}")
    first = next(iter(model), None) if isinstance(model, nn.Sequential) else None
    if isinstance(first, nn.Linear) and X.ndim == 2 and X.shape[1] != first.in_features:
        raise ValueError(f"X must have {first.in_features} features (the model's first Linear layer), "
                         f"got shape {tuple(X.shape)}")
    if y is not _NO_Y:
        check_tensor("y", y, floating=False)
        if y.ndim < 1 or len(y) != len(X):
            raise ValueError(f"X and y must have the same length, got shapes {tuple(X.shape)} and {tuple(y.shape)}")


def _check_loss_fn(loss_fn) -> None:
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be None or a callable loss_fn(outputs, y), got {type(loss_fn).__name__} ({loss_fn!r})")


def _linear_layers(model: nn.Module) -> list[nn.Linear]:
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if not layers:
        raise ValueError("model has no Linear or Conv2d layer")
    return layers


def _backward_once(model, X, y, loss_fn) -> list[nn.Module]:
    """Check the arguments, run one forward and backward pass of ``loss_fn(model(X), y)``
    (cross-entropy by default) from zeroed gradients, and return the Linear/Conv2d layers."""
    _check_model(model)
    _check_batch(X, y, model)
    _check_loss_fn(loss_fn)
    loss_fn = loss_fn or nn.functional.cross_entropy
    layers = _linear_layers(model)
    model.zero_grad()
    loss_fn(model(X), y).backward()
    return layers


def layer_gradient_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn=None) -> list[float]:
    r"""Frobenius norm :math:`\|\partial L / \partial W^{(l)}\|_F` for every Linear/Conv2d layer, input to output.

    Computes one forward and backward pass of ``loss_fn(model(X), y)`` (cross-entropy by
    default) and leaves the gradients zeroed afterwards.
    """
    layers = _backward_once(model, X, y, loss_fn)
    norms = [layer.weight.grad.norm().item() for layer in layers]
    model.zero_grad()
    return norms


@torch.no_grad()
def layer_activation_stats(model: nn.Sequential, X: torch.Tensor) -> tuple[list[float], list[float]]:
    """Mean and standard deviation of the output of every activation module of a Sequential.

    Returns two lists (means, stds), one entry per activation, input to output. For a model
    from :func:`nnbook.nets.builder.deep_mlp` these are the hidden layers' outputs.
    """
    _check_model(model, sequential=True)
    _check_batch(X, model=model)
    means, stds = [], []
    h = X
    for module in model:
        h = module(h)
        if isinstance(module, TORCH_ACTIVATION_TYPES):
            means.append(h.mean().item())
            stds.append(h.std().item())
    return means, stds


@torch.no_grad()
def dead_unit_masks(model: nn.Sequential, X: torch.Tensor) -> list[torch.Tensor]:
    r"""For every activation module of a Sequential, a boolean mask of its never-active units.

    Unit :math:`j` is marked when its pre-activation (the input of the activation module) is
    :math:`z_j \le 0` for every row of ``X`` (shape (n_samples, n_features)). For ReLU such a unit
    is *dead*: its output and the gradient reaching its incoming weights are zero for every
    example. For Leaky ReLU, PReLU or ELU the same unit still passes a gradient and can recover.

    Returns
    -------
    list of torch.Tensor of bool
        One mask of shape (width,) per activation module, input to output.
    """
    _check_model(model, sequential=True)
    check_tensor("X", X, ndim=2)
    _check_batch(X, model=model)
    masks = []
    h = X
    for module in model:
        if isinstance(module, TORCH_ACTIVATION_TYPES):
            masks.append((h <= 0).all(dim=0))
        h = module(h)
    return masks


def dead_unit_fraction(model: nn.Sequential, X: torch.Tensor) -> list[float]:
    """The fraction of never-active units of each activation module (see :func:`dead_unit_masks`).

    Returns
    -------
    list of float
        One fraction in [0, 1] per activation module, input to output.
    """
    return [mask.double().mean().item() for mask in dead_unit_masks(model, X)]


def layer_gradient_summary(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn=None) -> dict[str, list]:
    r"""Per-layer size of :math:`\partial L / \partial W^{(l)}`, computed so that tiny gradients do not underflow.

    :func:`layer_gradient_norms` takes the norm in the gradient's own precision: for a float32
    gradient whose entries are below about :math:`10^{-19}`, the squares
    :math:`(\partial L/\partial w_{ij})^2` fall below the smallest float32 number
    (:math:`1.4\cdot 10^{-45}`) and the norm comes out as 0 although the entries are not. Here
    the Frobenius norm :math:`\|G\|_F = \sqrt{\sum_{ij} g_{ij}^2}` is accumulated in float64,
    and the largest entry and the number of non-zero entries are reported beside it.

    One forward and backward pass of ``loss_fn(model(X), y)`` (cross-entropy by default); the
    gradients are left zeroed afterwards.

    Parameters
    ----------
    model : nn.Module
        Contains at least one ``nn.Linear`` or ``nn.Conv2d`` layer.
    X : torch.Tensor, shape (n_samples, ...)
        A batch of inputs.
    y : torch.Tensor, shape (n_samples,)
        Their targets.
    loss_fn : callable, optional
        ``loss_fn(outputs, y)`` returning a scalar.

    Returns
    -------
    dict of str to list
        ``"norm"`` (float, :math:`\|G\|_F` in float64), ``"max_abs"`` (float, :math:`\max_{ij}|g_{ij}|`),
        ``"nonzero"`` (int, entries :math:`g_{ij} \ne 0`) and ``"size"`` (int, entries of :math:`W^{(l)}`),
        one value per Linear/Conv2d layer, input to output.

    Book section: "Vanishing and exploding gradients" (``book/ch4-training/09-vanishing-exploding``).
    """
    layers = _backward_once(model, X, y, loss_fn)
    summary: dict[str, list] = {"norm": [], "max_abs": [], "nonzero": [], "size": []}
    for layer in layers:
        grad = layer.weight.grad.detach().double()
        summary["norm"].append(torch.linalg.vector_norm(grad).item())
        summary["max_abs"].append(grad.abs().max().item())
        summary["nonzero"].append(int((grad != 0).sum().item()))
        summary["size"].append(grad.numel())
    model.zero_grad()
    return summary
