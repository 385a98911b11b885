"""nnbook.studies.zigzag: gradient signs and SGD paths of one linear unit."""
import numpy as np
import pytest
import torch

from nnbook.studies import zigzag
from nnbook.nn.activations import sigmoid, tanh

pytestmark = pytest.mark.ch2


def _problem(activation):
    X = activation(np.random.default_rng(0).normal(size=(100, 2)))
    return X, X @ np.array([1.0, -1.0])


def test_per_example_gradients_match_autograd():
    X, y = _problem(tanh)
    w = np.array([0.3, 0.7])
    expected = []
    for x_n, y_n in zip(X, y):
        wt = torch.tensor(w, requires_grad=True)
        (0.5 * (wt @ torch.tensor(x_n) - y_n) ** 2).backward()
        expected.append(wt.grad.numpy())
    np.testing.assert_allclose(zigzag.per_example_gradients(X, y, w), expected, rtol=1e-12)


def test_positive_inputs_give_same_sign_gradients_and_centred_ones_do_not():
    for w in ([0.0, 0.0], [3.0, 2.0], [-1.0, 5.0]):
        assert zigzag.same_sign_fraction(zigzag.per_example_gradients(*_problem(sigmoid), w)) == 1.0
    assert 0.3 < zigzag.same_sign_fraction(zigzag.per_example_gradients(*_problem(tanh), [0.0, 0.0])) < 0.7
    assert zigzag.same_sign_fraction([[0.0, 1.0], [1.0, -1e-9]], tol=1e-6) == 1.0


def test_full_batch_path_is_gradient_descent_and_converges():
    X, y = _problem(tanh)
    path = zigzag.sgd_path(X, y, [0.0, 0.0], lr=1.0, epochs=50, batch_size=len(X))
    assert path.shape == (51, 2)
    step = path[0] - 1.0 * (X.T @ (X @ path[0] - y)) / len(X)
    np.testing.assert_allclose(path[1], step, rtol=1e-12)
    np.testing.assert_allclose(path[-1], [1.0, -1.0], atol=1e-6)
    assert zigzag.steps_to_reach(path, [1.0, -1.0], 0.05) < 10


def test_centred_inputs_allow_much_faster_descent():
    X, y = _problem(sigmoid)
    best = {}
    for name, inputs in (("raw", X), ("centred", X - X.mean(axis=0))):
        targets = inputs @ np.array([1.0, -1.0])
        steps = [zigzag.steps_to_reach(zigzag.sgd_path(inputs, targets, [0.0, 0.0], lr=lr, epochs=300,
                                                       batch_size=len(X)), [1.0, -1.0], 0.05)
                 for lr in (0.5, 1, 2, 3, 5, 10, 20)]
        best[name] = min(s for s in steps if s is not None)
    assert best["centred"] * 3 < best["raw"]


def test_divergence_stops_the_path():
    X, y = _problem(sigmoid)
    path = zigzag.sgd_path(X, y, [0.0, 0.0], lr=100.0, epochs=100, batch_size=len(X))
    assert len(path) < 101 and np.abs(path[-1]).max() > zigzag.DIVERGED


@pytest.mark.parametrize("call, match", [
    (lambda: zigzag.per_example_gradients(np.ones(3), np.ones(3), np.ones(1)), "X must have shape"),
    (lambda: zigzag.per_example_gradients(np.ones((3, 2)), np.ones(2), np.ones(2)), "y must have shape"),
    (lambda: zigzag.per_example_gradients(np.ones((3, 2)), np.ones(3), np.ones(3)), "w must have shape"),
    (lambda: zigzag.per_example_gradients(np.full((3, 2), np.nan), np.ones(3), np.ones(2)), "X contains NaN"),
    (lambda: zigzag.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), lr=-1.0), "lr must be"),
    (lambda: zigzag.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), lr=1.0, batch_size=0), "batch_size"),
    (lambda: zigzag.same_sign_fraction(np.ones(3)), "G must be"),
    (lambda: zigzag.steps_to_reach(np.ones((3, 2)), np.ones(3), 0.1), "path must be"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
