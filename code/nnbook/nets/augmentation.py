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


class RandomShift:
    """Random translation by up to ``max_shift`` pixels in each direction, for flattened images.

    Parameters
    ----------
    image_shape : (int, int)
        Height and width; a batch ``X`` of shape (B, H*W) is viewed as (B, H, W).
    max_shift : int
        Shifts are drawn uniformly from ``{-max_shift, ..., max_shift}`` per image and axis.
    seed : int
        Seed of the transform's own ``torch.Generator``.

    Use as ``fit(..., transform=RandomShift((8, 8)))``.
    """

    def __init__(self, image_shape=(8, 8), max_shift: int = 1, seed: int = 0):
        if len(image_shape) != 2 or min(image_shape) < 1:
            raise ValueError(f"image_shape must be (height, width), got {image_shape!r}")
        if isinstance(max_shift, bool) or not isinstance(max_shift, int) or not 0 <= max_shift < min(image_shape):
            raise ValueError(f"max_shift must be an int in [0, {min(image_shape)}), got {max_shift!r}")
        self.image_shape, self.max_shift = tuple(image_shape), max_shift
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        H, W = self.image_shape
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
    r"""Mean softmax output :math:`\frac1K\sum_k \mathrm{softmax}(f_k(x))` of ``models`` in evaluation mode, shape (n, k)."""
    models = list(models)
    if not models:
        raise ValueError("models is empty")
    probs = []
    for model in models:
        was_training = model.training
        model.eval()
        probs.append(torch.softmax(model(X), dim=1))
        model.train(was_training)
    return torch.stack(probs).mean(0)
