"""nnbook.studies.approximation: constructive one-hidden-layer approximants and the sawtooth."""
import numpy as np
import pytest
import torch

from nnbook.studies import approximation as A

pytestmark = pytest.mark.ch1


def f(x):
    return np.sin(3 * x) + 0.5 * np.cos(7 * x)


def test_relu_interpolant_hits_every_knot_and_is_linear_between():
    net = A.relu_interpolant(f, -1.0, 1.0, 10)
    knots = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(net(knots), f(knots), atol=1e-12)
    np.testing.assert_allclose(net(np.linspace(-1, 1, 2001)), np.interp(np.linspace(-1, 1, 2001), knots, f(knots)), atol=1e-12)
    assert net.width == 10


def test_relu_interpolant_error_obeys_the_h_squared_bound():
    second = 9 + 0.5 * 49  # max |f''| <= 9 + 24.5
    for width in (8, 32, 128):
        h = 2.0 / width
        assert A.max_error(A.relu_interpolant(f, -1, 1, width), f, -1, 1) <= second * h ** 2 / 8 + 1e-12
    e64, e128 = (A.max_error(A.relu_interpolant(f, -1, 1, w), f, -1, 1) for w in (64, 128))
    assert e64 / e128 == pytest.approx(4.0, rel=0.05)


def test_one_hidden_layer_matches_torch():
    net = A.sigmoid_staircase(f, -1.0, 1.0, 12)
    x = np.linspace(-1, 1, 50)
    layer = torch.nn.Linear(1, 11).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(net.w)[:, None])
        layer.bias.copy_(torch.tensor(net.c))
        ref = torch.sigmoid(layer(torch.tensor(x)[:, None])) @ torch.tensor(net.v) + net.d
    np.testing.assert_allclose(net(x), ref.numpy(), rtol=1e-12)


def test_staircase_error_falls_like_h():
    errors = [A.max_error(A.sigmoid_staircase(f, -1, 1, w), f, -1, 1) for w in (64, 256)]
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.15)


@pytest.mark.parametrize("depth", range(1, 10))
def test_sawtooth_has_2_to_the_depth_pieces(depth):
    x = np.linspace(0, 1, 2 ** (depth + 2) + 1)
    y = A.sawtooth_network(x, depth)
    assert A.count_linear_pieces(x, y) == 2 ** depth
    assert y.min() == 0.0 and y.max() == 1.0


def test_one_hidden_layer_relu_has_at_most_width_plus_one_pieces():
    rng = np.random.default_rng(0)
    for width in (1, 3, 10):
        net = A.OneHiddenLayer(rng.normal(size=width), rng.normal(size=width), rng.normal(size=width), 0.0)
        x = np.union1d(np.linspace(-30, 30, 2001), -net.c / net.w)  # every kink is a grid point
        assert A.count_linear_pieces(x, net(x), tol=1e-6) <= width + 1


@pytest.mark.parametrize("call, match", [
    (lambda: A.relu_interpolant(f, 1.0, -1.0, 4), "a must be < b"),
    (lambda: A.relu_interpolant(f, -1.0, 1.0, 0), "width"),
    (lambda: A.relu_interpolant("sin", -1.0, 1.0, 4), "callable"),
    (lambda: A.sawtooth_network(np.zeros(3), 0), "depth"),
    (lambda: A.count_linear_pieces([0, 0], [1, 2]), "increasing"),
    (lambda: A.count_linear_pieces([0], [1]), "length >= 2"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_silently_wrong_inputs_are_refused():  # issue 14
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'sigmoid'"):
        A.OneHiddenLayer(np.ones(2), np.ones(2), np.ones(2), 0.0, "tanh")  # was evaluated as a sigmoid
    with pytest.raises(ValueError, match=r"c must have shape \(2,\)"):
        A.OneHiddenLayer(np.ones(2), np.ones(3), np.ones(2), 0.0)
    net = A.relu_interpolant(np.sin, 0.0, 1.0, 4)
    with pytest.raises(ValueError, match=r"f\(x\) must have shape \(11,\)"):
        A.max_error(net, lambda x: np.sin(x)[:, None], 0.0, 1.0, n_grid=11)  # was broadcast to 11 x 11
    with pytest.raises(TypeError, match="width must be an int"):
        A.relu_interpolant(np.sin, 0.0, 1.0, 4.0)
