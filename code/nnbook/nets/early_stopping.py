r"""Early stopping on a validation set: stop when the validation loss has not improved for a while,
and keep the weights of its best epoch.

With :math:`\ell_e` the validation loss after epoch :math:`e` and :math:`e^* = \arg\min_{e' \le e} \ell_{e'}`
(the first of equal minima; an epoch counts as an improvement only if it beats the best by more
than ``min_delta``), training stops after the first epoch :math:`e` with :math:`e - e^* \ge p`
(``patience``), and the weights of epoch :math:`e^*` are restored (Prechelt, 1998).

* :class:`EarlyStopping` -- the rule itself, fed one validation loss per epoch;
* :func:`fit_full_batch` -- full-batch training of a torch model (one step = one epoch), with an
  optional learning-rate schedule of :mod:`nnbook.nn.schedules` and optional early stopping,
  recording the training and validation curves.

The validation set must be carved out of the *training* data
(for instance with ``sklearn.model_selection.train_test_split`` on ``X_train``): choosing the stopping
epoch on the test set would make the test accuracy an optimistic estimate.

Book section: "Schedules, warm-up, early stopping and weight decay"
(``book/ch4-training/12-schedules.ipynb``).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from nnbook._validation import check_bool, check_callable, check_int, check_number, check_tensor

__all__ = ["EarlyStopping", "FullBatchHistory", "fit_full_batch"]


class EarlyStopping:
    """The patience rule: ``step(val_loss, model)`` once per epoch, True when training should stop.

    Parameters
    ----------
    patience : int, default 10
        :math:`p \\ge 1`: epochs without improvement tolerated.
    min_delta : float, default 0
        An improvement must lower the best loss by more than this (>= 0).

    Attributes
    ----------
    best_loss_ : float
        The lowest validation loss seen (``inf`` before the first epoch).
    best_epoch_ : int
        Its epoch, counting from 1 (0 before the first epoch).
    best_state_ : dict or None
        A deep copy of ``model.state_dict()`` at the best epoch.
    epochs_seen_ : int
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0):
        self.patience = check_int("patience", patience, low=1)
        self.min_delta = check_number("min_delta", min_delta, low=0.0)
        self.best_loss_ = float("inf")
        self.best_epoch_ = 0
        self.best_state_ = None
        self.epochs_seen_ = 0

    def step(self, val_loss: float, model: nn.Module) -> bool:
        """Record one epoch's validation loss; copy the weights if it is the best so far.

        Returns True when ``epochs_seen_ - best_epoch_ >= patience`` (stop now). A NaN loss never
        counts as an improvement.
        """
        if not (isinstance(val_loss, float) and math.isnan(val_loss)):  # NaN (a diverged run) is allowed
            val_loss = check_number("val_loss", val_loss, finite=False)
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.epochs_seen_ += 1
        if val_loss < self.best_loss_ - self.min_delta:
            self.best_loss_, self.best_epoch_ = val_loss, self.epochs_seen_
            self.best_state_ = copy.deepcopy(model.state_dict())
        return self.epochs_seen_ - self.best_epoch_ >= self.patience

    def restore(self, model: nn.Module) -> nn.Module:
        """Load the weights of the best epoch into ``model`` (in place) and return it."""
        if self.best_state_ is None:
            raise RuntimeError("restore() before any call of step(): there are no best weights yet")
        model.load_state_dict(self.best_state_)
        return model


@dataclass
class FullBatchHistory:
    """Per-step curves of :func:`fit_full_batch` (steps count from 1; ``val_*`` empty without a validation set).

    ``train_loss[k]`` is the loss on the whole training set at the parameters *before* step
    ``k + 1`` (the loss the gradient of that step was taken of); ``val_loss[k]`` and
    ``val_accuracy[k]`` are measured *after* it; ``lr[k]`` is the learning rate it used.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_step: int = 0
    stopped_step: int = 0
    last_state: dict | None = None


def _pair(prefix: str, X, y):
    X = check_tensor(f"X_{prefix}", X, ndim=2)
    if not isinstance(y, torch.Tensor) or y.dtype != torch.int64 or y.ndim != 1:
        raise TypeError(f"y_{prefix} must be a 1-D int64 torch tensor of labels, got {type(y).__name__} "
                        f"{getattr(y, 'dtype', '')}")
    if len(y) != len(X):
        raise ValueError(f"X_{prefix} has {len(X)} rows but y_{prefix} has {len(y)} labels")
    return X, y


def fit_full_batch(model: nn.Module, X, y, *, optimizer, steps: int, schedule: Callable[[int], float] | None = None,
                   X_val=None, y_val=None, patience: int | None = None, min_delta: float = 0.0,
                   restore_best: bool = True, loss_fn: Callable | None = None) -> FullBatchHistory:
    r"""Full-batch gradient steps on ``(X, y)``, with an optional schedule and optional early stopping.

    Step :math:`t = 0, 1, \dots` sets every parameter group's learning rate to ``schedule(t)``
    (when given), computes the mean loss :math:`L(\theta_t)` on all of ``X`` in training mode,
    and lets ``optimizer`` take its step. With a validation set the loss and accuracy on it are
    measured after every step (in evaluation mode); with ``patience`` the :class:`EarlyStopping`
    rule watches that validation loss, stops, and (``restore_best``) reloads the best weights.

    Parameters
    ----------
    model : nn.Module
        A classifier returning logits of shape (n, n_classes).
    X, y : torch.Tensor, shapes (n, n_features) and (n,)
        Float inputs (finite) and int64 labels; ``X_val, y_val`` likewise (optional).
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    steps : int
        Maximum number of steps (>= 1).
    schedule : callable, optional
        ``schedule(t)`` -> learning rate (> 0) for step ``t``, e.g. a :class:`nnbook.nn.schedules.Schedule`.
    patience : int, optional
        Stop when the validation loss has not improved for this many steps (needs ``X_val``).
    min_delta : float, default 0
        Passed to :class:`EarlyStopping`.
    restore_best : bool, default True
        With ``patience``: load the weights of the best step at the end. The last weights are in
        ``history.last_state`` either way.
    loss_fn : callable, optional
        ``loss_fn(logits, y)``, the mean loss; cross-entropy by default.

    Returns
    -------
    FullBatchHistory
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X, y = _pair("train", X, y)
    if not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "param_groups")):
        raise TypeError(f"optimizer must be a torch optimiser, got {type(optimizer).__name__}")
    steps = check_int("steps", steps, low=1)
    check_callable("schedule", schedule, allow_none=True)
    check_callable("loss_fn", loss_fn, allow_none=True)
    has_val = X_val is not None or y_val is not None
    if has_val:
        X_val, y_val = _pair("val", X_val, y_val)
    rule = None
    if patience is not None:
        if not has_val:
            raise ValueError("patience needs a validation set: give X_val and y_val")
        rule = EarlyStopping(patience, min_delta)
    restore_best = check_bool("restore_best", restore_best)
    loss_fn = loss_fn or nn.functional.cross_entropy
    history = FullBatchHistory()
    for t in range(steps):
        if schedule is not None:
            lr = check_number(f"schedule({t})", schedule(t), low=0.0, low_open=True)
            for group in optimizer.param_groups:
                group["lr"] = lr
        model.train()
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.train_loss.append(loss.item())
        history.lr.append(float(optimizer.param_groups[0]["lr"]))
        if has_val:
            model.eval()
            with torch.no_grad():
                logits = model(X_val)
                history.val_loss.append(loss_fn(logits, y_val).item())
                history.val_accuracy.append((logits.argmax(dim=1) == y_val).double().mean().item())
        if rule is not None and rule.step(history.val_loss[-1], model):
            break
    model.train()
    history.stopped_step = len(history.train_loss)
    history.last_state = copy.deepcopy(model.state_dict())
    if rule is not None:
        history.best_step = rule.best_epoch_
        if restore_best and rule.best_state_ is not None:
            rule.restore(model)
    return history
