"""nnbook.nn.losses against float64 torch (values and autograd gradients), closed forms and properties."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.nn import losses

pytestmark = pytest.mark.ch3

RNG = np.random.default_rng(0)
M, K = 7, 4


def _grad(fn, *arrays):
    """Value and gradient w.r.t. the first array of a float64 torch function."""
    t = torch.tensor(arrays[0], dtype=torch.float64, requires_grad=True)
    value = fn(t, *[torch.as_tensor(a) for a in arrays[1:]])
    value.backward()
    return value.item(), t.grad.numpy()


def test_squared_error_is_half_mean_sum_of_squares_and_its_gradient_matches_torch():
    y_hat, y = RNG.normal(size=(M, 3)), RNG.normal(size=(M, 3))
    value, grad = _grad(lambda a, b: 0.5 * ((a - b) ** 2).sum() / M, y_hat, y)
    np.testing.assert_allclose(losses.squared_error(y_hat, y), value, rtol=1e-14)
    np.testing.assert_allclose(losses.squared_error_grad(y_hat, y), grad, rtol=1e-14)
    # textbook number: one example, one output, error 2 -> loss 2, gradient +2 (prediction minus target)
    assert losses.squared_error([[3.0]], [[1.0]]) == 2.0
    assert losses.squared_error_grad([[3.0]], [[1.0]])[0, 0] == 2.0


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_binary_cross_entropy_matches_torch_even_for_huge_logits(scale):
    z, y = scale * RNG.normal(size=(M, 1)), RNG.uniform(size=(M, 1))
    value, grad = _grad(F.binary_cross_entropy_with_logits, z, y)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(losses.binary_cross_entropy(z, y), value, rtol=1e-12)
        np.testing.assert_allclose(losses.binary_cross_entropy_grad(z, y), grad, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses.binary_cross_entropy([[0.0]], [[1.0]]), np.log(2), rtol=1e-15)


@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_matches_torch_even_for_huge_logits(scale):
    Z, y = scale * RNG.normal(size=(M, K)), RNG.integers(0, K, size=M)
    value, grad = _grad(F.cross_entropy, Z, torch.as_tensor(y))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(losses.cross_entropy(Z, y), value, rtol=1e-12)
        np.testing.assert_allclose(losses.cross_entropy_grad(Z, y), grad, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses.cross_entropy(np.zeros((3, K)), [0, 1, 2]), np.log(K), rtol=1e-15)


def test_cross_entropy_gradient_is_a_minus_y_on_every_component():
    Z, y = RNG.normal(size=(M, K)), RNG.integers(0, K, size=M)
    np.testing.assert_allclose(losses.cross_entropy_grad(Z, y) * M, losses.softmax(Z) - losses.one_hot(y, K), rtol=1e-14)


def test_softmax_family_matches_torch_and_is_shift_invariant():
    Z = 50 * RNG.normal(size=(M, K))
    np.testing.assert_allclose(losses.softmax(Z), torch.softmax(torch.tensor(Z), 1).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses.log_softmax(Z), torch.log_softmax(torch.tensor(Z), 1).numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(losses.logsumexp(Z), torch.logsumexp(torch.tensor(Z), 1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(losses.softmax(Z).sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(losses.softmax(Z + 123.0), losses.softmax(Z), rtol=1e-12, atol=1e-300)


def test_softmax_jacobian_matches_autograd_and_is_not_diagonal():
    z = RNG.normal(size=K)
    ref = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), torch.tensor(z)).numpy()
    J = losses.softmax_jacobian(z)
    np.testing.assert_allclose(J, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(J, J.T, rtol=1e-15)          # symmetric
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)  # outputs always sum to 1
    assert np.abs(J - np.diag(np.diag(J))).max() > 0.01


def test_softmax_backward_is_the_jacobian_transpose_product():
    Z, G = RNG.normal(size=(M, K)), RNG.normal(size=(M, K))
    expected = np.stack([losses.softmax_jacobian(z).T @ g for z, g in zip(Z, G)])
    np.testing.assert_allclose(losses.softmax_backward(losses.softmax(Z), G), expected, rtol=1e-12, atol=1e-15)


def test_cross_entropy_is_minimised_by_the_target_distribution():
    # Gibbs: -sum q log p >= -sum q log q, with equality only at p = q (p = one-hot for a label).
    q = RNG.dirichlet(np.ones(K))
    for p in RNG.dirichlet(np.ones(K), size=200):
        assert -(q * np.log(p)).sum() >= -(q * np.log(q)).sum()
    margins = [1.0, 5.0, 20.0]
    values = [losses.cross_entropy([[m, 0.0, 0.0]], [0]) for m in margins]
    assert values == sorted(values, reverse=True) and values[-1] < 1e-8


def test_l2_penalty_decays_weights_only_and_matches_torch():
    weights = [RNG.normal(size=(3, 2)), RNG.normal(size=(1, 3))]
    ts = [torch.tensor(W, requires_grad=True) for W in weights]
    ref = 0.5 * 0.1 * sum((t ** 2).sum() for t in ts)
    ref.backward()
    np.testing.assert_allclose(losses.l2_penalty(weights, 0.1), ref.item(), rtol=1e-14)
    for g, t in zip(losses.l2_penalty_grad(weights, 0.1), ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-14)
    assert losses.l2_penalty(weights, 0.0) == 0.0


def test_one_hot():
    np.testing.assert_array_equal(losses.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError, r"y must hold labels in \[0, 3\), got \[3\]"),
    (lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0, -1])), ValueError, r"y must hold labels in \[0, 3\), got \[-1\]"),
    (lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError, "y must hold ints"),
    (lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), ValueError, r"shape \(2,\)"),
    (lambda: losses.cross_entropy(np.array([[np.nan, 0.0]]), np.array([0])), ValueError, r"logits must be finite, got logits\[0, 0\] = nan"),
    (lambda: losses.squared_error(np.zeros((2, 3)), np.zeros((3, 2))), ValueError, "same shape"),
    (lambda: losses.squared_error(np.zeros(3), np.zeros(3)), ValueError, "y_hat must be 2-D"),
    (lambda: losses.squared_error(np.array([["a"]]), np.zeros((1, 1))), TypeError, "y_hat must hold real numbers"),
    (lambda: losses.binary_cross_entropy(np.zeros((2, 1)), np.array([[0.0], [2.0]])), ValueError, r"\[0, 1\]"),
    (lambda: losses.l2_penalty([np.ones((2, 2))], -1.0), ValueError, "weight_decay"),
    (lambda: losses.l2_penalty([np.ones((2, 2))], True), TypeError, "weight_decay"),
    (lambda: losses.one_hot(np.array([0, 1]), 0), ValueError, "n_classes"),
    (lambda: losses.softmax_jacobian(np.zeros((2, 2))), ValueError, "one vector"),
])
def test_bad_input_is_rejected_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_binary_cross_entropy_grad_refuses_what_the_loss_refuses():
    # failed before the fix: the gradient accepted a target of 2 and returned (sigmoid(z) - 2) / m
    z, bad = np.zeros((2, 1)), np.array([[0.0], [2.0]])
    for fn in (losses.binary_cross_entropy, losses.binary_cross_entropy_grad):
        with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\], got values in \[0.0, 2.0\]"):
            fn(z, bad)
        with pytest.raises(ValueError, match="logits and y must have the same shape"):
            fn(z, np.zeros((2, 2)))


def test_softmax_is_one_function_for_any_number_of_leading_axes():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(3, 4, 5)) * 10
    A = losses.softmax(Z)
    np.testing.assert_array_equal(A[1], losses.softmax(Z[1]))  # rows are computed alike, bit for bit
    np.testing.assert_allclose(A, torch.softmax(torch.tensor(Z), -1).numpy(), rtol=1e-13, atol=1e-16)
    with pytest.raises(ValueError, match="Z must have at least one axis"):
        losses.softmax(np.float64(1.0))


def test_softmax_backward_checks_its_inputs():
    A = losses.softmax(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="rows of A must sum to 1"):
        losses.softmax_backward(2 * A, np.ones((2, 3)))
    with pytest.raises(ValueError, match="A and grad_out must have the same shape"):
        losses.softmax_backward(A, np.ones((3, 2)))
