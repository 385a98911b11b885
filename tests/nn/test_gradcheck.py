"""nnbook.nn.gradcheck: central differences against closed forms and torch autograd; failure messages."""
import numpy as np
import pytest
import torch

from nnbook.nn import gradcheck
from nnbook.nn.mlp import MLP

pytestmark = pytest.mark.ch3

RNG = np.random.default_rng(0)


def test_central_difference_of_a_cubic_is_exact_up_to_h_squared_and_restores_the_parameter():
    x = RNG.normal(size=(3, 4))
    before = x.copy()
    h = 1e-3
    grad = gradcheck.numerical_gradient(lambda: float(np.sum(x ** 3)), x, h=h)
    np.testing.assert_allclose(grad, 3 * x ** 2 + h ** 2, rtol=1e-9)  # (x+h)^3-(x-h)^3 = 6x^2h + 2h^3
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_agrees_with_torch_autograd():
    A = RNG.normal(size=(4, 4))
    x = RNG.normal(size=4)
    t = torch.tensor(x, requires_grad=True)
    torch.log(torch.cosh(torch.tensor(A) @ t)).sum().backward()
    numeric = gradcheck.numerical_gradient(lambda: float(np.log(np.cosh(A @ x)).sum()), x)
    assert gradcheck.relative_error(t.grad.numpy(), numeric).max() < 1e-8


@pytest.mark.parametrize("sizes, activation, loss", [
    ([4, 3, 3], "tanh", "cross_entropy"),
    ([4, 5, 3, 3], "sigmoid", "cross_entropy"),
    ([4, 3, 2], "sigmoid", "squared_error"),
])
def test_checker_agrees_with_the_hand_written_backward(sizes, activation, loss):
    X = RNG.normal(size=(6, 4))
    y = RNG.integers(0, 3, size=6) if loss == "cross_entropy" else RNG.normal(size=(6, sizes[-1]))
    model = MLP(sizes, activation=activation, loss=loss, weight_decay=0.01, random_state=0).initialize()
    results = gradcheck.check_model(model, X, y)
    assert [r.name for r in results] == [f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"]
    assert max(r.max_rel_error for r in results) < 1e-6
    gradcheck.assert_gradients_close(results, tol=1e-6)


def test_a_planted_bug_is_reported_with_parameter_name_and_index():
    W = RNG.normal(size=(3, 2))
    b = RNG.normal(size=3)
    x = RNG.normal(size=2)
    f = lambda: float(np.sum(np.tanh(W @ x + b) ** 2))  # noqa: E731
    s = np.tanh(W @ x + b)
    dz = 2 * s * (1 - s ** 2)
    good = [np.outer(dz, x), dz]
    bad = [good[0].copy(), good[1].copy()]
    bad[1][2] *= -1  # wrong sign on one bias entry
    gradcheck.assert_gradients_close(gradcheck.check_gradients(f, [W, b], good, ["W", "b"]), tol=1e-7)
    results = gradcheck.check_gradients(f, [W, b], bad, ["W", "b"])
    assert results[0].max_rel_error < 1e-7 and results[1].worst_index == (2,)
    np.testing.assert_allclose(results[1].max_rel_error, 2.0, rtol=1e-6)
    with pytest.raises(gradcheck.GradientCheckError, match=r"for b at index \(2,\): .*relative error 2\.00e\+00"):
        gradcheck.assert_gradients_close(results)


def test_relative_error_properties():
    a, b = RNG.normal(size=5), RNG.normal(size=5)
    np.testing.assert_array_equal(gradcheck.relative_error(a, b), gradcheck.relative_error(b, a))
    np.testing.assert_array_equal(gradcheck.relative_error(a, a), 0.0)
    assert gradcheck.relative_error([0.0], [0.0])[0] == 0.0
    np.testing.assert_allclose(gradcheck.relative_error([1e-3], [-1e-3]), 2.0)
    assert np.all(gradcheck.relative_error(a, b) <= 2.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: gradcheck.relative_error(np.zeros(2), np.zeros(3)), ValueError, "same shape"),
    (lambda: gradcheck.numerical_gradient(lambda: 0.0, [1.0, 2.0]), TypeError, "float ndarray"),
    (lambda: gradcheck.numerical_gradient(lambda: 0.0, np.arange(3)), TypeError, "float ndarray"),
    (lambda: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3), h=0.0), ValueError, "h must be"),
    (lambda: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], []), ValueError, "same length"),
    (lambda: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], [np.zeros(3)], ["W"]), ValueError,
     r"gradient of W has shape \(3,\)"),
])
def test_bad_input_is_rejected(call, error, message):
    with pytest.raises(error, match=message):
        call()
