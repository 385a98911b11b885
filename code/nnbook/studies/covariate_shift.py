r"""Internal covariate shift and loss smoothness, measured during training.

The experiment of Santurkar et al. (2018), in small: while a network trains, record

* the **per-step shift** of the representation that enters its last layer: with
  :math:`m_t \in \mathbb R^d` the mean of each unit over a fixed probe batch before step
  :math:`t`, and :math:`\bar s_t` the mean over units of their standard deviations,

  .. math::

      \text{shift}_t = \frac{\tfrac1d \sum_j |m_{t+1,j} - m_{t,j}|}{\bar s_t},

  how far the input distribution of the last layer moves in one step, in standard deviations;
* the **variation of the loss along the gradient** at the start of every epoch,
  :math:`\max_\eta L(\theta - \eta\nabla L) - \min_\eta L(\theta - \eta\nabla L)` over the step
  sizes :math:`\eta` (:func:`nnbook.studies.landscape.loss_along_gradient`), a measure of how far the
  gradient can be trusted;
* the mean training loss of every epoch.

Book section: "Why batch normalisation helps" (``book/ch4-training/05-why-batch-norm-works.ipynb``).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nnbook._validation import check_array, check_int, check_tensor
from nnbook.nets.training import check_dataset, fit
from nnbook.studies.landscape import loss_along_gradient


@dataclass
class ShiftRecord:
    """What :func:`track_covariate_shift` measured.

    Attributes
    ----------
    train_loss : np.ndarray, shape (epochs,)
        Mean training loss of every epoch.
    shift : np.ndarray, shape (steps - 1,)
        Per-step shift of the last hidden layer's means on the probe batch, in standard
        deviations (``steps`` = number of training steps).
    variation : np.ndarray, shape (epochs,)
        Variation of the probe loss along the gradient, at the start of every epoch.
    """

    train_loss: np.ndarray
    shift: np.ndarray
    variation: np.ndarray


def track_covariate_shift(model: nn.Sequential, train, X_probe: torch.Tensor, y_probe: torch.Tensor, *,
                          epochs: int, optimizer: torch.optim.Optimizer, step_sizes, batch_size: int = 32,
                          seed: int = 0) -> ShiftRecord:
    """Train ``model`` for ``epochs`` epochs, measuring covariate shift and loss variation.

    Epoch ``e`` (0-based) first evaluates ``loss_along_gradient(model, X_probe, y_probe,
    step_sizes)``, then runs ``fit(model, train, epochs=1, optimizer=optimizer,
    batch_size=batch_size, seed=1000 * seed + e, transform=probe)``, where ``probe`` records
    ``model[:-1](X_probe)`` (the input of the last layer, computed in the model's current mode,
    without gradients) before every training step.

    Parameters
    ----------
    model : nn.Sequential
        A classifier whose last module is its output layer; trained in place.
    train : torch Dataset of (X, y)
    X_probe, y_probe : torch.Tensor, shapes (n_probe, ...) and (n_probe,)
        A fixed probe batch, n_probe >= 2; ``X_probe`` floating point and finite.
    epochs : int
        >= 1.
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    step_sizes : sequence of float
        The step sizes of :func:`nnbook.studies.landscape.loss_along_gradient` (finite, >= 0).
    batch_size : int, default 32
        >= 1.
    seed : int, default 0
        Seeds the shuffling of every epoch (``1000 * seed + epoch``), >= 0.

    Returns
    -------
    ShiftRecord
    """
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise TypeError(f"model must be an nn.Sequential of at least 2 modules, got {type(model).__name__}")
    check_dataset("train", train)
    check_tensor("X_probe", X_probe)
    check_tensor("y_probe", y_probe, floating=False)
    if len(X_probe) < 2 or len(X_probe) != len(y_probe):
        raise ValueError(f"X_probe and y_probe must hold the same number (>= 2) of examples, got "
                         f"{len(X_probe)} and {len(y_probe)}")
    epochs = check_int("epochs", epochs, low=1)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    sizes = check_array("step_sizes", list(step_sizes) if hasattr(step_sizes, "__iter__") and
                        not isinstance(step_sizes, (str, bytes, dict, set)) else step_sizes, ndim=1)
    if (sizes < 0).any():
        raise ValueError(f"step_sizes must be >= 0, got {sizes[sizes < 0][:5].tolist()}")
    batch_size = check_int("batch_size", batch_size, low=1)
    seed = check_int("seed", seed, low=0)
    try:  # on a copy in evaluation mode: no running statistics change, no random numbers are drawn
        with torch.no_grad():
            copy.deepcopy(model).eval()(X_probe)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"X_probe of shape {tuple(X_probe.shape)} does not fit model: {err}") from err
    means, stds = [], []

    def probe(X):  # record the last hidden layer on the probe batch, then pass the batch on
        with torch.no_grad():
            hidden = model[:-1](X_probe)
        means.append(hidden.mean(0))
        stds.append(hidden.std(0).mean())
        return X

    train_loss, variation = [], []
    for epoch in range(epochs):
        L = loss_along_gradient(model, X_probe, y_probe, step_sizes)
        variation.append(L.max() - L.min())
        train_loss += fit(model, train, epochs=1, optimizer=optimizer, batch_size=batch_size,
                          seed=1000 * seed + epoch, transform=probe).train_loss
    shift = [((m1 - m0).abs().mean() / s0).item() for m0, m1, s0 in zip(means[:-1], means[1:], stds[:-1])]
    return ShiftRecord(np.array(train_loss), np.array(shift), np.array(variation))
