"""nnbook.studies.batch_statistics: training-mode predictions against a NumPy batch norm (nnbook.nn.normalization)."""
import copy

import numpy as np
import pytest
import torch

from nnbook.studies.batch_statistics import train_mode_predictions
from nnbook.nn.normalization import batch_norm_forward

pytestmark = pytest.mark.ch4


def _model(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 4))
    with torch.no_grad():  # non-trivial gamma and beta
        model[1].weight.uniform_(0.5, 2.0)
        model[1].bias.normal_()
    return model.double().eval()


def _reference(model, X, groups):
    """Per group of rows: Linear -> batch norm with the group's statistics (NumPy) -> ReLU -> Linear."""
    W1, b1 = model[0].weight.detach().numpy(), model[0].bias.detach().numpy()
    gamma, beta = model[1].weight.detach().numpy(), model[1].bias.detach().numpy()
    W2, b2 = model[3].weight.detach().numpy(), model[3].bias.detach().numpy()
    out = np.empty(len(X), dtype=np.int64)
    for rows in groups:
        Z, _ = batch_norm_forward(X[rows] @ W1.T + b1, gamma, beta, eps=model[1].eps)
        out[rows] = (np.maximum(Z, 0) @ W2.T + b2).argmax(1)
    return out


@pytest.mark.parametrize("n, batch_size", [(12, 4), (13, 4), (11, 5), (7, 7), (9, 2)])
def test_matches_numpy_batch_norm_per_batch(n, batch_size):
    X = np.random.default_rng(1).normal(size=(n, 3))
    model = _model()
    order = torch.randperm(n, generator=torch.Generator().manual_seed(5)).numpy()
    bounds = list(range(0, n, batch_size))
    if n - bounds[-1] == 1:
        bounds.pop()  # a last batch of one joins the previous one
    groups = np.split(order, bounds[1:])
    assert min(len(g) for g in groups) >= 2
    got = train_mode_predictions(model, torch.tensor(X), batch_size, seed=5)
    np.testing.assert_array_equal(got.numpy(), _reference(model, X, groups))


def test_model_is_left_unchanged():
    model = _model()
    before = copy.deepcopy(model.state_dict())
    train_mode_predictions(model, torch.randn(20, 3, dtype=torch.float64), 4)
    assert not model.training
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key], rtol=0, atol=0)


def test_companions_matter_only_with_batch_norm():
    X = torch.randn(60, 3, dtype=torch.float64)
    bn = _model()
    assert (train_mode_predictions(bn, X, 2, seed=0) != train_mode_predictions(bn, X, 2, seed=1)).any()
    plain = torch.nn.Sequential(bn[0], torch.nn.ReLU(), bn[3])
    for seed in (0, 1):
        torch.testing.assert_close(train_mode_predictions(plain, X, 2, seed=seed), plain(X).argmax(1))


@pytest.mark.parametrize("args, error, match", [
    (("model", torch.zeros(4, 3), 2), TypeError, "model"),
    ((None, np.zeros((4, 3)), 2), TypeError, "X"),
    ((None, torch.zeros(1, 3), 2), ValueError, "X"),
    ((None, torch.zeros(4, 3), 1), ValueError, "batch_size"),
    ((None, torch.zeros(4, 3), 2.0), TypeError, "batch_size"),
    ((None, torch.zeros(4, 3), 2, -1), ValueError, "seed"),
])
def test_bad_arguments_are_rejected(args, error, match):
    model = _model().float()
    args = tuple(model if a is None else a for a in args)
    with pytest.raises(error, match=match):
        train_mode_predictions(*args)
