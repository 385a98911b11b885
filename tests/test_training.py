"""nnbook.training: the quiet, seeded training loop."""
import pytest
import torch
from torch import nn

from nnbook.data import load_digits, to_tensor_dataset
from nnbook.training import evaluate, fit

pytestmark = pytest.mark.ch5


def _run(seed):
    torch.manual_seed(0)
    split = load_digits()
    train = to_tensor_dataset(split.X_train, split.y_train)
    test = to_tensor_dataset(split.X_test, split.y_test)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    return model, test, fit(model, train, epochs=5, optimizer=opt, test=test, seed=seed)


def test_fit_learns_digits_and_is_reproducible(capsys):
    model, test, h1 = _run(seed=0)
    _, _, h2 = _run(seed=0)
    assert capsys.readouterr().out == ""  # quiet by default
    assert h1 == h2
    assert h1.test_accuracy[-1] > 0.9
    loss, acc = evaluate(model, test)
    assert acc == pytest.approx(h1.test_accuracy[-1]) and loss == pytest.approx(h1.test_loss[-1])


def test_fit_rejects_bad_input():
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = torch.utils.data.TensorDataset(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="epochs"):
        fit(model, data, epochs=0, optimizer=opt)
    with pytest.raises(TypeError, match="train must be a torch Dataset"):
        fit(model, [(1, 2)], epochs=1, optimizer=opt)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, data, epochs=1, optimizer=opt, batch_size=0)
