"""nnbook.nets.training: the quiet, seeded training loop."""
import pytest
import torch
from torch import nn

from nnbook.data import load_digits, to_tensor_dataset
from nnbook.nets.training import evaluate, fit

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


def test_on_step_sees_every_batch_loss_and_can_stop_training():
    import numpy as np
    import torch
    from nnbook.nets.training import fit

    torch.manual_seed(0)
    X, y = torch.randn(40, 3), torch.randint(0, 2, (40,))
    train = torch.utils.data.TensorDataset(X, y)
    make = lambda: torch.nn.Linear(3, 2)
    torch.manual_seed(1)
    a = make()
    seen = []
    full = fit(a, train, epochs=2, optimizer=torch.optim.SGD(a.parameters(), lr=0.1), batch_size=10,
               on_step=lambda loss: seen.append(loss) or False)
    assert len(seen) == 8
    # the epoch means of fit are the means of the losses on_step saw (equal-sized batches)
    np.testing.assert_allclose(full.train_loss, [np.mean(seen[:4]), np.mean(seen[4:])], rtol=1e-12)
    torch.manual_seed(1)
    b = make()
    stopped = fit(b, train, epochs=2, optimizer=torch.optim.SGD(b.parameters(), lr=0.1), batch_size=10,
                  on_step=lambda loss, n=[0]: (n.__setitem__(0, n[0] + 1) or n[0] == 3))
    assert len(stopped.train_loss) == 1            # stopped in the first epoch, after 3 steps
    np.testing.assert_allclose(stopped.train_loss[0], np.mean(seen[:3]), rtol=1e-12)
