r"""Remedies for overfitting that are not layers: data augmentation and model ensembles.

* :class:`RandomShift` -- translate each image of a batch by a random whole number of pixels
  (zeros fill the uncovered border), a label-preserving augmentation for digits;
* :func:`ensemble_predict_proba` -- average the class probabilities of several models,
  :math:`\bar p(y\mid x) = \frac1K\sum_k p_k(y\mid x)`.

L2 regularisation is the ``weight_decay`` argument of the optimisers (:mod:`nnbook.nn.optim`,
``torch.optim``); dropout and batch normalisation have their own modules.

Book section: "Overfitting and its remedies" (``book/ch4-training/01-overfitting.ipynb``).
"""
from __future__ import annotations

import torch

from nnbook._validation import check_int, check_tensor

__all__ = ["RandomShift", "ensemble_predict_proba"]


class RandomShift:
    """Random translation by up to ``max_shift`` pixels in each direction, for flattened images.

    Parameters
    ----------
    image_shape : (int, int)
        Height and width (>= 1); a batch ``X`` of shape (B, H*W) is viewed as (B, H, W).
    max_shift : int
        Shifts are drawn uniformly from ``{-max_shift, ..., max_shift}`` per image and axis;
        ``0 <= max_shift < min(H, W)``.
    seed : int
        Seed (>= 0) of the transform's own ``torch.Generator`` (torch seeding).

    Use as ``fit(..., transform=RandomShift((8, 8)))``.
    """

    def __init__(self, image_shape=(8, 8), max_shift: int = 1, seed: int = 0):
        if isinstance(image_shape, (str, bytes)) or not hasattr(image_shape, "__len__") or len(image_shape) != 2:
            raise ValueError(f"image_shape must be (height, width), got {image_shape!r}")
        image_shape = tuple(check_int(f"image_shape[{i}]", n, low=1) for i, n in enumerate(image_shape))
        max_shift = check_int("max_shift", max_shift, low=0, high=min(image_shape) - 1)
        seed = check_int("seed", seed, low=0, high=2**64 - 1)
        self.image_shape, self.max_shift = image_shape, max_shift
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        H, W = self.image_shape
        check_tensor("X", X)
        if X.ndim != 2 or X.shape[1] != H * W:
            raise ValueError(f"X must have shape (batch, {H * W}), got {tuple(X.shape)}")
        k = self.max_shift
        pad = torch.nn.functional.pad(X.reshape(-1, 1, H, W), (k, k, k, k))  # zeros around each image
        dy, dx = torch.randint(0, 2 * k + 1, (2, len(X)), generator=self.generator)
        rows = dy[:, None] + torch.arange(H)  # (B, H): which padded rows each output row reads
        cols = dx[:, None] + torch.arange(W)
        batch = torch.arange(len(X))[:, None, None]
        return pad[batch, 0, rows[:, :, None], cols[:, None, :]].reshape(len(X), H * W)


@torch.no_grad()
def ensemble_predict_proba(models, X: torch.Tensor) -> torch.Tensor:
    r"""Mean softmax output :math:`\frac1K\sum_k \mathrm{softmax}(f_k(x))` of ``models`` in evaluation mode, shape (n, k).

    Parameters
    ----------
    models : iterable of nn.Module
        At least one classifier returning logits of shape (n, k); each is put back in its own mode.
    X : torch.Tensor, shape (n, ...)
        A finite floating-point batch.
    """
    if isinstance(models, torch.nn.Module) or not hasattr(models, "__iter__"):
        raise TypeError(f"models must be an iterable of nn.Module (a list), got {type(models).__name__}")
    models = list(models)
    if not models:
        raise ValueError("models is empty")
    for i, model in enumerate(models):
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"models[{i}] must be an nn.Module, got {type(model).__name__}")
    check_tensor("X", X)
    if X.ndim < 2:
        raise ValueError(f"X must have a batch axis and a feature axis, got shape {tuple(X.shape)}")
    probs = []
    for model in models:
        was_training = model.training
        model.eval()
        probs.append(torch.softmax(model(X), dim=1))
        model.train(was_training)
    return torch.stack(probs).mean(0)
