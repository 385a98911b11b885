"""nnbook.studies.landscape: test functions, trajectories, Hessians and critical points."""
import numpy as np
import pytest
import torch

from nnbook.studies import landscape as ls

pytestmark = pytest.mark.ch4


def _numeric_grad(f, P, h=1e-6):
    return np.array([(f(P + h * e) - f(P - h * e)) / (2 * h) for e in np.eye(2)])


@pytest.mark.parametrize("f, grad", [(ls.rosenbrock, ls.rosenbrock_grad), (ls.saddle, ls.saddle_grad),
                                     (lambda P: ls.quadratic(P, ls.ill_conditioned_matrix(10)),
                                      lambda P: ls.quadratic_grad(P, ls.ill_conditioned_matrix(10)))])
def test_gradients_by_central_differences(f, grad):
    for P in np.random.default_rng(0).normal(size=(5, 2)):
        np.testing.assert_allclose(grad(P), _numeric_grad(f, P), rtol=1e-6, atol=1e-6)


def test_functions_evaluate_on_grids():
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)), axis=-1)
    assert ls.rosenbrock(grid).shape == (4, 5) and ls.rosenbrock_grad(grid).shape == (4, 5, 2)
    assert ls.rosenbrock(np.array([1.0, 1.0])) == 0.0


def test_ill_conditioned_matrix_has_the_requested_spectrum():
    A = ls.ill_conditioned_matrix(condition=40.0, angle=0.3)
    np.testing.assert_allclose(np.linalg.eigvalsh(A), [1.0, 40.0])
    np.testing.assert_allclose(A, A.T)


def test_gradient_descent_on_a_quadratic_converges_at_the_predicted_rate():
    A = np.diag([10.0, 1.0])
    path = ls.trajectory("sgd", lambda p: ls.quadratic_grad(p, A), [1.0, 1.0], 50, lr=0.05)
    np.testing.assert_allclose(path[-1], [(1 - 0.5) ** 50, (1 - 0.05) ** 50], rtol=1e-10)
    assert path.shape == (51, 2)


def test_hessian_of_a_network_matches_finite_differences_of_the_gradient():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2)).double()
    X, y = torch.randn(10, 2, dtype=torch.float64), torch.randint(0, 2, (10,))
    f, theta = ls.flat_loss(model, X, y)
    assert theta.shape == (17,)
    assert f(theta).item() == pytest.approx(torch.nn.functional.cross_entropy(model(X), y).item(), rel=1e-12)
    H = ls.hessian(f, theta)

    def grad(t):
        t = t.clone().requires_grad_(True)
        return torch.autograd.grad(f(t), t)[0]

    h = 1e-5
    for i in (0, 7, 16):
        e = torch.zeros_like(theta)
        e[i] = h
        torch.testing.assert_close(H[:, i], (grad(theta + e) - grad(theta - e)) / (2 * h), rtol=1e-6, atol=1e-8)


def test_find_critical_point_finds_the_saddle_of_a_known_function():
    f = lambda t: 0.5 * t[0] ** 2 - 0.5 * t[1] ** 2 + 0.25 * t[1] ** 4  # noqa: E731
    point = ls.find_critical_point(f, torch.tensor([0.3, 0.2], dtype=torch.float64))
    torch.testing.assert_close(point, torch.zeros(2, dtype=torch.float64), atol=1e-6, rtol=0)
    eigenvalues = torch.linalg.eigvalsh(ls.hessian(f, point))
    torch.testing.assert_close(eigenvalues, torch.tensor([-1.0, 1.0], dtype=torch.float64), atol=1e-6, rtol=0)
    phi, dphi = ls.gradient_norm_sq(f, torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert phi == pytest.approx(0.5 * (1 + 36))  # grad = (1, y^3 - y) = (1, 6)
    torch.testing.assert_close(dphi, torch.tensor([1.0, 6.0 * 11.0], dtype=torch.float64))  # H grad, H = diag(1, 3y^2 - 1)


def test_gradient_descent_on_a_quadratic_matches_the_closed_form():
    f = lambda t: 0.5 * (4 * t[0] ** 2 + t[1] ** 2)  # noqa: E731
    theta, steps, losses, norms = ls.gradient_descent(f, torch.tensor([1.0, 1.0], dtype=torch.float64), lr=0.1,
                                                      n_steps=10, record_every=5)
    torch.testing.assert_close(theta, torch.tensor([0.6**10, 0.9**10], dtype=torch.float64))
    np.testing.assert_array_equal(steps, [0, 5, 10])
    assert losses[0] == pytest.approx(2.5) and norms[0] == pytest.approx(np.hypot(4, 1))


def test_loss_along_gradient_restores_parameters_and_batch_norm_statistics():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    X, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    losses = ls.loss_along_gradient(model, X, y, [0.0, 0.1, 0.5])
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key])
    assert losses[0] == pytest.approx(torch.nn.functional.cross_entropy(model(X), y).item(), rel=1e-6)
    assert losses[1] < losses[0]  # a small step along the negative gradient lowers the loss


def test_train_restarts_reduces_the_loss_of_every_restart():
    torch.manual_seed(0)
    X = torch.randn(30, 2, dtype=torch.float64)
    y = torch.tanh(X[:, 0] - X[:, 1])
    start = ls.train_restarts(X, y, width=3, n_restarts=4, n_steps=0, seed=1)
    end = ls.train_restarts(X, y, width=3, n_restarts=4, n_steps=300, seed=1)
    assert start.shape == end.shape == (4,)
    assert np.all(end < start) and np.all(end < 0.05)
    np.testing.assert_array_equal(end, ls.train_restarts(X, y, width=3, n_restarts=4, n_steps=300, seed=1))


def test_bad_input():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        ls.rosenbrock(np.ones(3))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        ls.trajectory("lbfgs", ls.saddle_grad, [0.0, 1.0], 5)
    with pytest.raises(ValueError, match="n_steps"):
        ls.trajectory("sgd", ls.saddle_grad, [0.0, 1.0], -1, lr=0.1)
    with pytest.raises(ValueError, match="condition must be"):
        ls.ill_conditioned_matrix(0.5)
    model = torch.nn.Linear(2, 2).double()
    f, theta = ls.flat_loss(model, torch.ones(3, 2, dtype=torch.float64), torch.tensor([0, 1, 0]))
    with pytest.raises(ValueError, match="theta must have shape"):
        f(torch.zeros(5, dtype=torch.float64))
    with pytest.raises(ValueError, match="lr must be > 0.0, got -0.1"):
        ls.gradient_descent(f, theta, lr=-0.1, n_steps=1)
    with pytest.raises(ValueError, match="X and y must have the same length, got 3 and 4"):
        ls.train_restarts(torch.ones(3, 2), torch.ones(4), width=2, n_restarts=2)


def test_silently_wrong_inputs_are_refused():  # issue 14
    A = np.array([[2.0, 1.0], [0.0, 1.0]])  # not symmetric: A theta is not the gradient
    with pytest.raises(ValueError, match=r"A must be symmetric"):
        ls.quadratic_grad([1.0, 1.0], A)
    with pytest.raises(ValueError, match=r"A must have shape \(2, 2\)"):
        ls.quadratic([1.0, 1.0], np.eye(3))
    with pytest.raises(ValueError, match=r"grad_fn must return an array of shape \(2,\)"):
        ls.trajectory("sgd", lambda p: 1.0, [0.0, 1.0], 3, lr=0.1)  # a scalar was broadcast
    with pytest.raises(TypeError, match="n_steps must be an int"):
        ls.trajectory("sgd", ls.saddle_grad, [0.0, 1.0], 3.0, lr=0.1)
    with pytest.raises(ValueError, match="step_sizes must be >= 0"):
        ls.loss_along_gradient(torch.nn.Linear(2, 2).double(), torch.ones(3, 2, dtype=torch.float64),
                               torch.tensor([0, 1, 0]), [0.1, -0.1])
    np.testing.assert_allclose(ls.quadratic_grad([1.0, 0.0], ls.ill_conditioned_matrix(25.0)),
                               ls.ill_conditioned_matrix(25.0)[:, 0])  # rounding asymmetry is accepted
    assert np.isnan(ls.rosenbrock([np.nan, 0.0]))  # a diverged trajectory is still evaluated
