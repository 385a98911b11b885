r"""How long a training run takes to reach a target loss.

Whether a setting "trains" is decided more robustly by a threshold than by the loss after a
fixed number of epochs, which a single spike can spoil. :func:`epochs_to_loss` trains like
:func:`nnbook.nets.training.fit` and watches the running mean of the last :math:`w` mini-batch
losses (by default :math:`w` = one epoch of steps, so the quantity is an epoch's mean training
loss, measured at every step):

.. math::

    t^\star = \min\Big\{t \ge w : \frac1w \sum_{s=t-w+1}^{t} L_s < L_{\text{target}}\Big\},
    \qquad \text{epochs} = t^\star / (\text{steps per epoch}),

a fraction of epochs rather than a whole number, so that runs reaching the target in the
same epoch are still told apart. It returns ``None`` when no step up to ``max_epochs`` gets
there, or when a loss becomes NaN or infinite (the run has diverged and stops at once); a run
that reaches the target stops there, so a sweep over many settings and seeds costs little
where training is quick.

Book section: "Why batch normalisation helps" (``book/ch4-training/05-why-batch-norm-works.ipynb``).
"""
from __future__ import annotations

import collections
import math
from typing import Callable

import torch
from torch import nn

from nnbook._validation import check_callable, check_int, check_number
from nnbook.nets.training import check_dataset, fit


def epochs_to_loss(model: nn.Module, train, *, target: float, max_epochs: int, optimizer: torch.optim.Optimizer,
                   batch_size: int = 64, seed: int = 0, window: int | None = None,
                   loss_fn: Callable | None = None) -> float | None:
    """Train ``model`` until the mean of its last ``window`` mini-batch losses is below ``target``.

    The mini-batches and their order are those of ``fit(model, train, epochs=max_epochs,
    optimizer=optimizer, batch_size=batch_size, seed=seed)`` (one shuffling generator, seeded
    once); training stops at the first step ``t`` (counted from 1, over all epochs) with
    ``mean(losses[t - window:t]) < target``.

    Parameters
    ----------
    model : nn.Module
        A classifier returning logits of shape (batch, n_classes); trained in place.
    train : torch Dataset of (X, y)
    target : float
        The loss to get below, a finite number > 0.
    max_epochs : int
        At most this many passes over ``train``, >= 1.
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    batch_size : int, default 64
        >= 1.
    seed : int, default 0
        Seed of the shuffling generator, >= 0.
    window : int, optional
        Number of steps averaged, >= 1; default one epoch, ``ceil(len(train) / batch_size)``.
    loss_fn : callable, optional
        ``loss_fn(logits, y, reduction="mean")``; cross-entropy by default.

    Returns
    -------
    float or None
        ``t / steps_per_epoch``: the epochs of training needed (e.g. 2.5 = halfway through the
        third epoch); ``None`` when the target is not reached within ``max_epochs`` or the loss
        became non-finite.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_dataset("train", train)
    target = check_number("target", target, low=0.0, low_open=True)
    max_epochs = check_int("max_epochs", max_epochs, low=1)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    batch_size = check_int("batch_size", batch_size, low=1)
    seed = check_int("seed", seed, low=0)
    check_callable("loss_fn", loss_fn, allow_none=True)
    steps_per_epoch = math.ceil(len(train) / batch_size)
    if window is None:
        window = steps_per_epoch
    window = check_int("window", window, low=1)
    recent = collections.deque(maxlen=window)
    steps, reached = 0, None

    def watch(loss: float) -> bool:  # stop on a non-finite loss, or once the target is reached
        nonlocal steps, reached
        if not math.isfinite(loss):
            return True
        steps += 1
        recent.append(loss)
        if len(recent) == window and sum(recent) / window < target:
            reached = steps
        return reached is not None

    fit(model, train, epochs=max_epochs, optimizer=optimizer, batch_size=batch_size, seed=seed,
        loss_fn=loss_fn, on_step=watch)
    return None if reached is None else reached / steps_per_epoch
