"""nnbook.studies.critical_points: L-BFGS, Newton polishing and the verdict from the Hessian."""
import numpy as np
import pytest
import torch

from nnbook.studies import critical_points as cp
from nnbook.studies import landscape as ls

pytestmark = pytest.mark.ch4

A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
b = np.array([1.0, -2.0, 0.5])


def quadratic(t):  # minimum at A^{-1} b
    At, bt = torch.tensor(A), torch.tensor(b)
    return 0.5 * t @ At @ t - bt @ t


def saddle(t):  # the page's saddle: critical points (0, 0) (saddle) and (0, ±1) (minima)
    return 0.5 * t[0] ** 2 - 0.5 * t[1] ** 2 + 0.25 * t[1] ** 4


def test_lbfgs_finds_the_minimum_of_a_quadratic():
    theta, converged = cp.minimize_lbfgs(quadratic, torch.zeros(3, dtype=torch.float64))
    assert converged
    np.testing.assert_allclose(theta.numpy(), np.linalg.solve(A, b), atol=1e-7)


def test_lbfgs_reports_a_run_that_is_still_descending():
    # exp(-t0) has no minimum: the infimum is at t0 = +infinity, as for a saturating unit
    f = lambda t: torch.exp(-t[0]) + t[1] ** 2  # noqa: E731
    theta, converged = cp.minimize_lbfgs(f, torch.zeros(2, dtype=torch.float64), max_iter=5)
    assert not converged and cp.gradient_norm(f, theta) > 1e-6


def test_one_newton_step_solves_a_quadratic_exactly():
    theta, grad_norm = cp.newton_polish(quadratic, torch.tensor([5.0, -3.0, 2.0], dtype=torch.float64), n_steps=1)
    np.testing.assert_allclose(theta.numpy(), np.linalg.solve(A, b), rtol=1e-13)
    assert grad_norm < 1e-13


def test_newton_goes_to_the_nearest_critical_point_even_a_saddle():
    near_saddle = torch.tensor([0.2, 0.1], dtype=torch.float64)
    theta, grad_norm = cp.newton_polish(saddle, near_saddle, n_steps=6)
    assert grad_norm < 1e-15 and theta.abs().max() < 1e-15
    near_minimum = torch.tensor([0.1, 0.9], dtype=torch.float64)
    theta, grad_norm = cp.newton_polish(saddle, near_minimum, n_steps=6)
    np.testing.assert_allclose(theta.numpy(), [0.0, 1.0], atol=1e-15)
    # quadratic convergence: the distance to (0, 1) is squared at every step (up to a constant)
    errors = [np.linalg.norm(cp.newton_polish(saddle, near_minimum, n_steps=k)[0].numpy() - [0, 1])
              for k in range(4)]
    assert errors[1] < errors[0] ** 2 * 3 and errors[2] < errors[1] ** 2 * 3


def test_newton_polish_leaves_the_input_unchanged_and_zero_steps_only_measure():
    start = torch.tensor([0.2, 0.1], dtype=torch.float64)
    theta, grad_norm = cp.newton_polish(saddle, start, n_steps=0)
    torch.testing.assert_close(theta, start)
    assert grad_norm == pytest.approx(np.hypot(0.2, 0.1**3 - 0.1))
    torch.testing.assert_close(start, torch.tensor([0.2, 0.1], dtype=torch.float64))


def test_classification_of_the_saddle_function_and_of_a_polished_network_point():
    for point, verdict in (([0.0, 0.0], "saddle point"), ([0.0, 1.0], "local minimum")):
        theta = torch.tensor(point, dtype=torch.float64)
        eigenvalues = torch.linalg.eigvalsh(ls.hessian(saddle, theta)).numpy()
        assert cp.classify_critical_point(eigenvalues, cp.gradient_norm(saddle, theta)) == verdict
    assert cp.classify_critical_point([-2.0, -1.0], 0.0) == "local maximum"
    assert cp.classify_critical_point([0.0, 1.0], 0.0) == "degenerate: zero eigenvalues decide"
    assert cp.classify_critical_point([-1.0, 1e-12, 1.0], 0.0) == "saddle point"
    assert cp.classify_critical_point([1.0, 2.0], 1e-3) == "not a critical point"


def test_polishing_a_converged_network_run_reaches_rounding_level():
    torch.manual_seed(0)
    X = torch.randn(30, 2, dtype=torch.float64)
    y = torch.tanh(X @ torch.tensor([[1.0], [-0.5]], dtype=torch.float64))
    model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Tanh(), torch.nn.Linear(1, 1)).double()
    f, theta0 = ls.flat_loss(model, X, y, loss_fn=lambda out, target: 0.5 * ((out - target) ** 2).mean())
    theta, converged = cp.minimize_lbfgs(f, theta0)
    assert converged
    polished, grad_norm = cp.newton_polish(f, theta)
    assert grad_norm < 1e-13 and f(polished).item() < 1e-20  # the student can copy the teacher exactly
    assert (polished - theta).norm() < 1e-3


def test_bad_input():
    with pytest.raises(TypeError, match="theta must be a torch.Tensor"):
        cp.newton_polish(saddle, np.zeros(2))
    with pytest.raises(ValueError, match="float64"):
        cp.minimize_lbfgs(saddle, torch.zeros(2))
    with pytest.raises(ValueError, match="1-D"):
        cp.gradient_norm(saddle, torch.zeros(2, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="n_steps must be an int >= 0, got -1"):
        cp.newton_polish(saddle, torch.zeros(2, dtype=torch.float64), n_steps=-1)
    with pytest.raises(ValueError, match="max_iter must be an int >= 1, got 0"):
        cp.minimize_lbfgs(saddle, torch.zeros(2, dtype=torch.float64), max_iter=0)
    with pytest.raises(ValueError, match="grad_tol must be > 0.0, got 0.0"):
        cp.minimize_lbfgs(saddle, torch.zeros(2, dtype=torch.float64), grad_tol=0.0)
    with pytest.raises(ValueError, match="eigenvalues is empty"):
        cp.classify_critical_point([], 0.0)
    with pytest.raises(ValueError, match="grad_norm must be"):
        cp.classify_critical_point([1.0], float("nan"))
