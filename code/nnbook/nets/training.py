"""A small, quiet training loop for the PyTorch models of the book.

``fit`` trains a classifier with mini-batches and records a :class:`History` of losses and
accuracies per epoch. It prints nothing unless ``verbose=True``, so stored notebook outputs
contain no progress bars; shuffling uses its own seeded ``torch.Generator``, so the same
``seed`` gives the same run.

Book sections: "Training deep networks" (``book/ch4-training/``) and "Convolutional
networks" (``book/ch5-cnn/``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from nnbook._validation import check_bool, check_int, check_number

__all__ = ["History", "check_dataset", "evaluate", "fit"]


@dataclass
class History:
    """Per-epoch metrics. ``test_*`` stay empty when no test set is given."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def check_dataset(name: str, data) -> None:
    """Refuse anything but a non-empty torch ``Dataset``; for a ``TensorDataset``, also NaN/inf features.

    A ``TensorDataset`` ``(X, y)`` must hold floating-point, finite ``X``; its tensors are already
    of one length (torch checks that when it is built). Raises ``TypeError``/``ValueError`` naming ``name``.
    """
    if not isinstance(data, torch.utils.data.Dataset):
        raise TypeError(f"{name} must be a torch Dataset (see nnbook.data.to_tensor_dataset), got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError(f"{name} is empty")
    if isinstance(data, torch.utils.data.TensorDataset):
        for i, tensor in enumerate(data.tensors):
            if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
                raise ValueError(f"{name}.tensors[{i}] must be finite; it contains NaN or infinite values")
            if tensor.is_complex():
                raise TypeError(f"{name}.tensors[{i}] must be real, got dtype {tensor.dtype}")


_check_dataset = check_dataset  # the old private name, kept while nnbook.studies still imports it


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")


def _check_callable(name: str, value) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be None or a callable, got {type(value).__name__} ({value!r})")


def _check_labels(name: str, data, loss_fn) -> None:
    """With the default cross-entropy, ``y`` of a TensorDataset must hold non-negative int labels."""
    if loss_fn is not None or not isinstance(data, torch.utils.data.TensorDataset) or len(data.tensors) != 2:
        return
    y = data.tensors[1]
    if y.is_floating_point() and y.ndim == 2:
        return  # class probabilities (soft labels), which cross-entropy accepts
    if y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(f"{name} labels (tensors[1]) must be int64 class labels for cross-entropy, got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"{name} labels (tensors[1]) must be 1-D, got shape {tuple(y.shape)}")
    if int(y.min()) < 0:
        raise ValueError(f"{name} labels (tensors[1]) must be >= 0, got {int(y.min())}")


def _max_label(data, loss_fn) -> int | None:
    """The largest label of a TensorDataset under the default cross-entropy (checked against the logits)."""
    if loss_fn is not None or not isinstance(data, torch.utils.data.TensorDataset) or len(data.tensors) != 2:
        return None
    y = data.tensors[1]
    return None if y.is_floating_point() else int(y.max())


def _check_logits(name: str, y_max: int | None, logits: torch.Tensor) -> None:
    if y_max is not None and (logits.ndim != 2 or y_max >= logits.shape[1]):
        raise ValueError(f"{name} labels must be < the model's number of logits {tuple(logits.shape)[1:]}, "
                         f"got a label {y_max}")


def _check_optimizer(optimizer) -> None:
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(f"optimizer must be a torch optimiser (with step and zero_grad), got {type(optimizer).__name__}")
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:  # a wrapper such as nnbook.nn.optim.GradClipping
        groups = getattr(getattr(optimizer, "optimizer", None), "param_groups", None) or []
    for group in groups:
        lr = group.get("lr")
        if lr is None:
            continue
        lr = float(lr) if isinstance(lr, torch.Tensor) and lr.numel() == 1 else lr
        check_number("optimizer lr", lr, low=0.0, low_open=True)


@torch.no_grad()
def evaluate(model: nn.Module, data, batch_size: int = 512, loss_fn: Callable | None = None) -> tuple[float, float]:
    """Mean loss and accuracy of a classifier on a dataset, in evaluation mode.

    Returns
    -------
    (loss, accuracy) : tuple of float
        ``loss`` is the mean cross-entropy (or ``loss_fn``) per example; ``accuracy`` in [0, 1].
    """
    _check_model(model)
    check_dataset("data", data)
    batch_size = check_int("batch_size", batch_size, low=1)
    _check_callable("loss_fn", loss_fn)
    _check_labels("data", data, loss_fn)
    return _evaluate(model, data, batch_size, loss_fn, _max_label(data, loss_fn))


def _evaluate(model: nn.Module, data, batch_size: int, loss_fn: Callable | None, y_max: int | None):
    """:func:`evaluate` on arguments already checked (``fit`` checks ``test`` once, not every epoch)."""
    loss_fn = loss_fn or nn.functional.cross_entropy
    was_training = model.training
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for X, y in torch.utils.data.DataLoader(data, batch_size=batch_size):
        logits = model(X)
        if n == 0:
            _check_logits("data", y_max, logits)
        total_loss += loss_fn(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
        n += len(y)
    model.train(was_training)
    return total_loss / n, correct / n


def fit(model: nn.Module, train, *, epochs: int, optimizer: torch.optim.Optimizer,
        batch_size: int = 64, test=None, scheduler=None, transform: Callable | None = None,
        loss_fn: Callable | None = None, seed: int = 0, verbose: bool = False,
        shuffle: bool = True, on_step: Callable[[float], bool] | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; evaluate after each epoch.

    Parameters
    ----------
    model : nn.Module
        A classifier returning logits of shape (batch, n_classes).
    train, test : torch Dataset of (X, y)
        Training and (optional) test data, non-empty, with finite features; ``y`` holds int64 class
        labels >= 0 (below the number of logits) when ``loss_fn`` is the default cross-entropy.
    epochs : int
        Number of passes over the training set (>= 1).
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()`` (or a wrapper with ``step``/``zero_grad``, such as
        :class:`nnbook.nn.optim.GradClipping`); every learning rate must be finite and > 0.
    batch_size : int, default 64
        >= 1.
    scheduler : torch learning-rate scheduler, optional
        Stepped once per epoch.
    transform : callable, optional
        Applied to each training batch ``X`` (data augmentation), not to the test set.
    loss_fn : callable, optional
        ``loss_fn(logits, y, reduction=...)``; cross-entropy by default.
    seed : int, default 0
        Seed (>= 0) of the shuffling ``torch.Generator`` (torch seeding, not a NumPy ``random_state``;
        the model's own draws follow ``torch.manual_seed`` / :func:`nnbook.setup`).
    verbose : bool, default False
        Print one line per epoch.
    shuffle : bool, default True
        Reshuffle the training set every epoch. ``False`` visits it in its stored order, so
        that another implementation can be fed exactly the same mini-batches (chapter 3
        compares its NumPy MLP with torch this way).
    on_step : callable, optional
        Called after every optimiser step with that mini-batch's loss (a float); when it returns
        True, training stops there (the epoch in progress is recorded as far as it went).

    Returns
    -------
    History
        Mean training loss and accuracy per epoch (measured on the fly, in training mode),
        and test loss and accuracy after each epoch.
    """
    _check_model(model)
    check_dataset("train", train)
    if test is not None:
        check_dataset("test", test)
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    _check_optimizer(optimizer)
    for name, value in (("transform", transform), ("loss_fn", loss_fn), ("on_step", on_step)):
        _check_callable(name, value)
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must be None or a learning-rate scheduler (with step), got {type(scheduler).__name__}")
    seed = check_int("seed", seed, low=0, high=2**64 - 1)
    verbose, shuffle = check_bool("verbose", verbose), check_bool("shuffle", shuffle)
    _check_labels("train", train, loss_fn)
    if test is not None:
        _check_labels("test", test, loss_fn)
    y_max = _max_label(train, loss_fn)
    test_max = None if test is None else _max_label(test, loss_fn)
    loss_fn = loss_fn or nn.functional.cross_entropy
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(train, batch_size=batch_size, shuffle=shuffle, generator=generator)
    history = History()
    stop = False
    for epoch in range(epochs):
        model.train()
        total_loss, correct, n = 0.0, 0, 0
        for X, y in loader:
            if transform is not None:
                X = transform(X)
            logits = model(X)
            if y_max is not None or test_max is not None:
                _check_logits("train", y_max, logits)
                _check_logits("test", test_max, logits)
                y_max = test_max = None
            loss = loss_fn(logits, y, reduction="mean")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            n += len(y)
            if on_step is not None and on_step(loss.item()):
                stop = True
                break
        if scheduler is not None:
            scheduler.step()
        history.train_loss.append(total_loss / n)
        history.train_accuracy.append(correct / n)
        if test is not None:
            test_loss, test_accuracy = _evaluate(model, test, 512, loss_fn, None)
            history.test_loss.append(test_loss)
            history.test_accuracy.append(test_accuracy)
        if verbose:
            line = f"epoch {epoch + 1:3d}  train loss {history.train_loss[-1]:.4f}  acc {history.train_accuracy[-1]:.3f}"
            if test is not None:
                line += f"  test loss {history.test_loss[-1]:.4f}  acc {history.test_accuracy[-1]:.3f}"
            print(line)
        if stop:
            break
    return history
