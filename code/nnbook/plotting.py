"""Plotting helpers shared by the chapters: one style, a few recurring figure types.

Book section: "How the code is organised" (``book/code-organisation.ipynb``).
"""
from __future__ import annotations

import numpy as np

#: The book's colour cycle (colour-blind-safe, Okabe & Ito 2008).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 10,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (and the inline backend's fixed resolution)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(BOOK_STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)


def image_grid(images, labels=None, n_cols: int = 10, cmap: str = "gray_r", ax_size: float = 0.9):
    """Draw images in a grid and return the figure.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width)
        Gray-scale images.
    labels : sequence of str or int, optional, length n_images
        One title per image.
    n_cols : int, default 10
        Images per row.
    cmap : str, default "gray_r"
        Colour map (dark ink on white paper by default).
    ax_size : float, default 0.9
        Size of each panel in inches.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n_images, height, width), got {images.shape}")
    if len(images) == 0:
        raise ValueError("images is empty")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels has {len(labels)} entries but images has {len(images)}")
    if not isinstance(n_cols, int) or n_cols < 1:
        raise ValueError(f"n_cols must be a positive int, got {n_cols!r}")
    n_cols = min(n_cols, len(images))
    n_rows = int(np.ceil(len(images) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(ax_size * n_cols, ax_size * n_rows + 0.2 * (labels is not None)),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=9)
    fig.tight_layout()
    return fig
