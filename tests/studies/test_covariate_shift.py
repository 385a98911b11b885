"""nnbook.studies.covariate_shift: the recorded losses, shifts and variations against a hand-written training loop."""
import copy

import numpy as np
import pytest
import torch

from nnbook.studies.covariate_shift import track_covariate_shift
from nnbook.data import to_tensor_dataset
from nnbook.studies.landscape import loss_along_gradient

pytestmark = pytest.mark.ch4


def _problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = (X[:, 0] > X[:, 1]).astype(np.int64)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 7), torch.nn.Tanh(),
                                torch.nn.Linear(7, 2))
    return to_tensor_dataset(X, y), model


def test_matches_a_hand_written_loop():
    train, model = _problem()
    reference = copy.deepcopy(model)
    X_probe, y_probe = train.tensors[0][:16], train.tensors[1][:16]
    steps = [0.1, 0.5, 1.0]
    record = track_covariate_shift(model, train, X_probe, y_probe, epochs=3, step_sizes=steps, batch_size=8, seed=2,
                                   optimizer=torch.optim.SGD(model.parameters(), lr=0.3))
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.3)
    hidden, losses, variation = [], [], []
    for epoch in range(3):
        L = loss_along_gradient(reference, X_probe, y_probe, steps)
        variation.append(L.max() - L.min())
        loader = torch.utils.data.DataLoader(train, batch_size=8, shuffle=True,
                                             generator=torch.Generator().manual_seed(1000 * 2 + epoch))
        total = 0.0
        for X, y in loader:
            with torch.no_grad():
                hidden.append(reference[:-1](X_probe).double().numpy())
            loss = torch.nn.functional.cross_entropy(reference(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / len(train))
    H = np.array(hidden)  # (steps, probe, units)
    shift = np.abs(np.diff(H.mean(1), axis=0)).mean(1) / H.std(1, ddof=1).mean(1)[:-1]
    assert record.shift.shape == (3 * 5 - 1,) and record.train_loss.shape == record.variation.shape == (3,)
    np.testing.assert_allclose(record.train_loss, losses, rtol=1e-6)
    np.testing.assert_allclose(record.shift, shift, rtol=1e-4)
    np.testing.assert_allclose(record.variation, variation, rtol=1e-6)


@pytest.mark.parametrize("change, error, match", [
    ({"model": torch.nn.Linear(5, 2)}, TypeError, "model"),
    ({"X_probe": np.zeros((4, 5))}, TypeError, "X_probe"),
    ({"y_probe": torch.zeros(3, dtype=torch.int64)}, ValueError, "X_probe"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_are_rejected(change, error, match):
    train, model = _problem()
    args = {"model": model, "train": train, "X_probe": train.tensors[0][:4], "y_probe": train.tensors[1][:4],
            "epochs": 1, "step_sizes": [0.1], "optimizer": torch.optim.SGD(model.parameters(), lr=0.1)} | change
    with pytest.raises(error, match=match):
        track_covariate_shift(**args)
