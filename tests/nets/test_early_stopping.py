"""nnbook.nets.early_stopping: the patience rule on given loss sequences, restoring the best weights,
a brute-force reference (train once for all steps, pick the argmin by hand), the schedule against
torch's SequentialLR, and bad inputs."""
import copy
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nets import early_stopping as es
from nnbook.nets.builder import build_mlp
from nnbook.nn.schedules import warmup_cosine

pytestmark = pytest.mark.ch4
SETTINGS = settings(max_examples=15, deadline=None, database=None)


def brute_force(losses, patience, min_delta=0.0):
    """(best epoch, stopped epoch), 1-based, by the definition in the module docstring."""
    best, best_e = math.inf, 0
    for e, loss in enumerate(losses, start=1):
        if loss < best - min_delta:
            best, best_e = loss, e
        if e - best_e >= patience:
            return best_e, e
    return best_e, len(losses)


@given(st.lists(st.floats(0, 10), min_size=1, max_size=40), st.integers(1, 8), st.sampled_from([0.0, 0.1]))
@SETTINGS
def test_rule_matches_the_definition(losses, patience, min_delta):
    model = torch.nn.Linear(1, 1)
    rule = es.EarlyStopping(patience, min_delta)
    stopped = len(losses)
    for e, loss in enumerate(losses, start=1):
        with torch.no_grad():
            model.weight.fill_(e)  # tag the weights with the epoch
        if rule.step(loss, model):
            stopped = e
            break
    assert (rule.best_epoch_, stopped) == brute_force(losses, patience, min_delta)
    assert rule.restore(model).weight.item() == rule.best_epoch_


def test_textbook_sequence_and_nan():
    rule = es.EarlyStopping(patience=2)
    model = torch.nn.Linear(1, 1)
    assert [rule.step(v, model) for v in (1.0, 0.5, 0.7, float("nan"))] == [False, False, False, True]
    assert rule.best_epoch_ == 2 and rule.best_loss_ == 0.5


def _data(seed, n):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 5, generator=g, dtype=torch.float64)
    y = (X[:, 0] + 0.8 * torch.randn(n, generator=g, dtype=torch.float64) > 0).long()
    return X, y


def test_fit_full_batch_against_one_long_run():
    # reference: the same full-batch steps without stopping, every step's weights kept
    (X, y), (Xv, yv) = _data(0, 40), _data(1, 200)
    torch.manual_seed(0)
    model = build_mlp([5, 64, 2], dtype=torch.float64)
    init = copy.deepcopy(model.state_dict())
    h = es.fit_full_batch(model, X, y, optimizer=torch.optim.Adam(model.parameters(), lr=0.05), steps=200,
                          X_val=Xv, y_val=yv, patience=10)
    ref = build_mlp([5, 64, 2], dtype=torch.float64)
    ref.load_state_dict(init)
    opt = torch.optim.Adam(ref.parameters(), lr=0.05)
    train_losses, losses, states = [], [], []
    for _ in range(200):
        loss = torch.nn.functional.cross_entropy(ref(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_losses.append(loss.item())
        with torch.no_grad():
            losses.append(torch.nn.functional.cross_entropy(ref(Xv), yv).item())
        states.append(copy.deepcopy(ref.state_dict()))
    best, stopped = brute_force(losses, 10)
    assert stopped < 200, "the reference run should overfit and stop early"
    assert (h.best_step, h.stopped_step) == (best, stopped)
    np.testing.assert_allclose(h.val_loss, losses[:stopped], rtol=1e-12)
    np.testing.assert_allclose(h.train_loss, train_losses[:stopped], rtol=1e-12)
    for k, v in model.state_dict().items():  # restored: the best step's weights
        torch.testing.assert_close(v, states[best - 1][k], rtol=0, atol=0)
    for k, v in h.last_state.items():  # kept: the last step's weights
        torch.testing.assert_close(v, states[stopped - 1][k], rtol=0, atol=0)
    assert len(h.val_accuracy) == len(h.lr) == stopped


def test_schedule_matches_torch_scheduler():
    # a warm-up then cosine schedule set by fit_full_batch == torch's SequentialLR stepped once per step
    (X, y) = _data(0, 30)
    torch.manual_seed(2)
    a = build_mlp([5, 16, 2], dtype=torch.float64)
    b = copy.deepcopy(a)
    h = es.fit_full_batch(a, X, y, optimizer=torch.optim.Adam(a.parameters(), lr=0.05), steps=30,
                          schedule=warmup_cosine(0.05, 8, 30, start_factor=0.1))
    opt = torch.optim.Adam(b.parameters(), lr=0.05)
    L = torch.optim.lr_scheduler
    sched = L.SequentialLR(opt, [L.LinearLR(opt, 0.1, 1.0, 8), L.CosineAnnealingLR(opt, 22)], [8])
    lrs = []
    for _ in range(30):
        lrs.append(opt.param_groups[0]["lr"])
        loss = torch.nn.functional.cross_entropy(b(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    np.testing.assert_allclose(h.lr, lrs, rtol=0, atol=1e-12)
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=1e-10, atol=1e-12)
    assert h.best_step == 0 and h.val_loss == [] and h.stopped_step == 30


def test_restore_best_false_keeps_the_last_weights():
    (X, y), (Xv, yv) = _data(0, 40), _data(1, 50)
    torch.manual_seed(1)
    model = build_mlp([5, 8, 2], dtype=torch.float64)
    h = es.fit_full_batch(model, X, y, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), steps=3,
                          X_val=Xv, y_val=yv, patience=10, restore_best=False)
    assert h.stopped_step == 3 and h.best_step >= 1
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, h.last_state[k])


X0, Y0 = _data(0, 8)
SGD = lambda: torch.optim.SGD(torch.nn.Linear(5, 2).parameters(), lr=0.1)  # noqa: E731


@pytest.mark.parametrize("call, match", [
    (lambda: es.EarlyStopping(patience=0), "patience must be an int >= 1, got 0"),
    (lambda: es.EarlyStopping(patience=2.0), "patience must be an int"),
    (lambda: es.EarlyStopping(min_delta=-0.1), "min_delta must be >= 0.0"),
    (lambda: es.EarlyStopping(min_delta=math.inf), "min_delta must be a finite number"),
    (lambda: es.EarlyStopping().step("0.3", torch.nn.Linear(1, 1)), "val_loss must be a real number"),
    (lambda: es.EarlyStopping().step(0.3, "model"), "model must be a torch.nn.Module"),
    (lambda: es.EarlyStopping().restore(torch.nn.Linear(1, 1)), "no best weights yet"),
    (lambda: es.fit_full_batch("m", X0, Y0, optimizer=SGD(), steps=2), "model must be a torch.nn.Module"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0.numpy(), Y0, optimizer=SGD(), steps=2), "X_train"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0 * math.nan, Y0, optimizer=SGD(), steps=2), "X_train"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0.double(), optimizer=SGD(), steps=2), "y_train"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0[:3], optimizer=SGD(), steps=2), "y_train has 3"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer="sgd", steps=2), "optimizer"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=0), "steps must be an int >= 1"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, schedule=0.1), "schedule"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, schedule=lambda t: -1.0),
     r"schedule\(0\) must be > 0.0"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, patience=3),
     "patience needs a validation set"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, X_val=X0), "y_val"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, X_val=X0, y_val=Y0,
                               patience=0), "patience must be an int >= 1"),
    (lambda: es.fit_full_batch(torch.nn.Linear(5, 2), X0, Y0, optimizer=SGD(), steps=2, restore_best=1),
     "restore_best must be True or False"),
])
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=match):
        call()


@given(st.one_of(st.integers(max_value=0), st.floats(0.5, 5.5), st.booleans(), st.just("3"), st.just(None)))
@SETTINGS
def test_bad_patience_names_the_argument(bad):
    with pytest.raises((ValueError, TypeError), match="patience"):
        es.EarlyStopping(patience=bad)
