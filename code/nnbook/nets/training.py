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


@dataclass
class History:
    """Per-epoch metrics. ``test_*`` stay empty when no test set is given."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def _check_dataset(name: str, data) -> None:
    if not isinstance(data, torch.utils.data.Dataset):
        raise TypeError(f"{name} must be a torch Dataset (see nnbook.data.to_tensor_dataset), got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError(f"{name} is empty")


@torch.no_grad()
def evaluate(model: nn.Module, data, batch_size: int = 512, loss_fn: Callable | None = None) -> tuple[float, float]:
    """Mean loss and accuracy of a classifier on a dataset, in evaluation mode.

    Returns
    -------
    (loss, accuracy) : tuple of float
        ``loss`` is the mean cross-entropy (or ``loss_fn``) per example; ``accuracy`` in [0, 1].
    """
    _check_dataset("data", data)
    loss_fn = loss_fn or nn.functional.cross_entropy
    was_training = model.training
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for X, y in torch.utils.data.DataLoader(data, batch_size=batch_size):
        logits = model(X)
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
        Training and (optional) test data; ``y`` holds int64 class labels.
    epochs : int
        Number of passes over the training set.
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    batch_size : int, default 64
    scheduler : torch learning-rate scheduler, optional
        Stepped once per epoch.
    transform : callable, optional
        Applied to each training batch ``X`` (data augmentation), not to the test set.
    loss_fn : callable, optional
        ``loss_fn(logits, y, reduction=...)``; cross-entropy by default.
    seed : int, default 0
        Seed of the shuffling generator.
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
    _check_dataset("train", train)
    if test is not None:
        _check_dataset("test", test)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
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
            test_loss, test_accuracy = evaluate(model, test, loss_fn=loss_fn)
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
