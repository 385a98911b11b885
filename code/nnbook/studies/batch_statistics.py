r"""How a batch-normalised network's prediction depends on the other examples of its batch.

In training mode a batch-norm layer standardises each channel with the mean and variance of the
current mini-batch, so the output for one example :math:`x_i` is a function of the whole batch,
:math:`f(x_i; \mu_B, \sigma_B^2)`, not of :math:`x_i` alone. :func:`train_mode_predictions`
measures that dependence: it splits a data set into random batches, predicts every example in
training mode, and can be called with another ``seed`` to give every example other companions.
In evaluation mode (running statistics) the two calls would agree exactly.

Book section: "Batch normalisation" (``book/ch4-training/04-batch-norm.ipynb``).
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from nnbook._validation import check_int, check_tensor


def train_mode_predictions(model: nn.Module, X: torch.Tensor, batch_size: int, seed: int = 0) -> torch.Tensor:
    """Predicted class of every row of ``X``, computed in training mode in random batches.

    The rows of ``X`` are shuffled with a ``torch.Generator`` seeded with ``seed`` and cut into
    consecutive batches of ``batch_size`` rows; a last batch of a single row (which batch norm
    cannot normalise) joins the batch before it. Each batch goes through ``model`` in training
    mode, so every batch-norm layer uses that batch's mean and variance. ``model`` itself is
    not changed: a copy runs the batches, so its running statistics stay as they were.

    Parameters
    ----------
    model : nn.Module
        A classifier returning logits of shape (n, n_classes).
    X : torch.Tensor, shape (n, ...)
        The inputs, n >= 2, floating point and finite.
    batch_size : int
        At least 2.
    seed : int, default 0
        Seed of the shuffle: another seed gives the examples other companions.

    Returns
    -------
    torch.Tensor of int64, shape (n,)
        ``argmax`` of the logits of every row, in the original order of ``X``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor("X", X)
    if X.ndim < 1 or len(X) < 2:
        raise ValueError(f"X must hold at least 2 examples, got shape {tuple(X.shape)}")
    batch_size = check_int("batch_size", batch_size, low=2)
    seed = check_int("seed", seed, low=0)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    starts = list(range(0, len(X), batch_size))
    if len(X) - starts[-1] == 1:  # a batch of one cannot be normalised: merge it
        starts.pop()
    ends = starts[1:] + [len(X)]
    runner = copy.deepcopy(model).train()
    predictions = torch.empty(len(X), dtype=torch.int64)
    with torch.no_grad():
        for start, end in zip(starts, ends):
            rows = order[start:end]
            try:
                logits = runner(X[rows])
            except (RuntimeError, ValueError) as err:  # torch's own message, with the argument named
                raise ValueError(f"X of shape {tuple(X.shape)} does not fit model: {err}") from err
            predictions[rows] = logits.argmax(dim=1)
    return predictions
