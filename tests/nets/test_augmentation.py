"""nnbook.nets.augmentation: the random-shift augmentation and ensemble averaging."""
import pytest
import torch

from nnbook.nets.augmentation import RandomShift, ensemble_predict_proba

pytestmark = pytest.mark.ch4


def test_random_shift_moves_whole_images_and_fills_with_zeros():
    X = torch.arange(1, 33, dtype=torch.float32).reshape(2, 16)
    out = RandomShift((4, 4), max_shift=1, seed=1)(X).reshape(2, 4, 4)
    images = X.reshape(2, 4, 4)
    for img, shifted in zip(images, out):
        matches = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                padded = torch.nn.functional.pad(img, (1, 1, 1, 1))
                candidate = padded[1 - dy:5 - dy, 1 - dx:5 - dx]
                matches.append(torch.equal(candidate, shifted))
        assert sum(matches) == 1  # exactly one of the nine translations


def test_random_shift_is_reproducible_and_identity_for_zero_shift():
    X = torch.randn(10, 64)
    torch.testing.assert_close(RandomShift(seed=3)(X), RandomShift(seed=3)(X))
    torch.testing.assert_close(RandomShift(max_shift=0)(X), X)


def test_ensemble_is_the_mean_of_softmaxes():
    torch.manual_seed(0)
    models = [torch.nn.Linear(3, 4) for _ in range(3)]
    X = torch.randn(5, 3)
    expected = sum(torch.softmax(m(X), 1) for m in models) / 3
    torch.testing.assert_close(ensemble_predict_proba(models, X), expected)


def test_bad_input():
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift((8, 8), max_shift=8)
    with pytest.raises(ValueError, match=r"X must have shape \(batch, 64\)"):
        RandomShift((8, 8))(torch.zeros(2, 10))
    with pytest.raises(ValueError, match="models is empty"):
        ensemble_predict_proba([], torch.zeros(1, 2))
