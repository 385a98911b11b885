"""nnbook.studies.convergence: epochs_to_loss against a hand-written loop and nnbook.nets.training.fit."""
import copy

import numpy as np
import pytest
import torch

from nnbook.studies.convergence import epochs_to_loss
from nnbook.data import to_tensor_dataset
from nnbook.nets.training import fit

pytestmark = pytest.mark.ch4


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(90, 4))  # 90 / 16: five full batches and one of 10
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    return to_tensor_dataset(X, y), model


def _step_losses(model, train, n_epochs, seed):
    """Every mini-batch loss of SGD(lr=0.2), batches of 16, the shuffles of fit(seed=seed)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    loader = torch.utils.data.DataLoader(train, batch_size=16, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    losses = []
    for _ in range(n_epochs):
        for X, y in loader:
            loss = torch.nn.functional.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("target, window", [(0.6, None), (0.3, None), (0.3, 3), (0.45, 1)])
def test_first_step_below_target_matches_a_hand_written_loop(target, window):
    train, model = _problem()
    losses = _step_losses(copy.deepcopy(model), train, 8, seed=3)
    w = window or 6
    running = np.convolve(losses, np.ones(w) / w, mode="valid")  # running[i]: mean of steps i+1 .. i+w
    below = np.flatnonzero(running < target)
    assert below.size, "the test needs a target that is reached"
    got = epochs_to_loss(model, train, target=target, max_epochs=8, batch_size=16, seed=3, window=window,
                         optimizer=torch.optim.SGD(model.parameters(), lr=0.2))
    assert got == pytest.approx((below[0] + w) / 6, abs=1e-12)


def test_unreached_target_returns_none_after_the_batches_of_fit():
    train, model = _problem()
    reference = copy.deepcopy(model)
    fit(reference, train, epochs=4, optimizer=torch.optim.SGD(reference.parameters(), lr=0.2), batch_size=16, seed=3)
    assert epochs_to_loss(model, train, target=1e-9, max_epochs=4, batch_size=16, seed=3,
                          optimizer=torch.optim.SGD(model.parameters(), lr=0.2)) is None
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_divergence_returns_none_at_once():
    train, model = _problem()
    calls = []
    model.register_forward_hook(lambda *args: calls.append(1))
    assert epochs_to_loss(model, train, target=0.1, max_epochs=5, batch_size=16,
                          optimizer=torch.optim.SGD(model.parameters(), lr=1e30)) is None
    assert len(calls) <= 6  # stopped within the first epoch, not after all five


@pytest.mark.parametrize("kwargs, match", [({"target": 0.0}, "target"), ({"target": float("nan")}, "target"),
                                           ({"max_epochs": 0}, "max_epochs"), ({"batch_size": 0}, "batch_size"),
                                           ({"window": 0}, "window")])
def test_bad_arguments_are_rejected(kwargs, match):
    train, model = _problem()
    args = {"target": 0.5, "max_epochs": 2, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1)} | kwargs
    with pytest.raises(ValueError, match=match):
        epochs_to_loss(model, train, **args)
    with pytest.raises(TypeError, match="train"):
        epochs_to_loss(model, [(1, 2)], target=0.5, max_epochs=1, optimizer=args["optimizer"])
