r"""Locating a critical point to rounding accuracy, and classifying it by its Hessian.

An optimiser stops where its tolerance is met, not where the gradient vanishes: the last
digits of :math:`\|\nabla L\|` at that point, and the smallest eigenvalues of the Hessian, are
decided by the path it took, hence by floating-point rounding. Printing them would print
rounding. This module makes such results well conditioned, in float64:

* :func:`minimize_lbfgs` runs L-BFGS on a function of one flat parameter vector (such as
  :func:`nnbook.studies.landscape.flat_loss` returns) and says whether it converged;
* :func:`newton_polish` then takes a few Newton steps
  :math:`\theta \leftarrow \theta - H(\theta)^{-1}\nabla L(\theta)`, which converge quadratically to the
  critical point nearby -- of any kind: Newton's method does not tell minima from saddles --
  until :math:`\|\nabla L\|` is at the level of rounding (about :math:`10^{-16}`);
* :func:`classify_critical_point` reads the verdict off the signs of the Hessian's eigenvalues,
  with thresholds far from both rounding and the eigenvalues that matter.

Book sections: "Local minima, saddle points and the loss landscape"
(``book/ch4-training/11-saddle-points.ipynb``) and the chapter's exercises
(``book/ch4-training/14-exercises.ipynb``).
"""
from __future__ import annotations

import torch

from nnbook._validation import check_array, check_callable, check_int, check_number, check_tensor
from nnbook.runtime import one_blas_thread
from nnbook.studies.landscape import hessian


def _check_theta(theta, name: str = "theta") -> torch.Tensor:
    """A 1-D float64 tensor (the floor's tensor check, plus the dtype these routines need)."""
    check_tensor(name, theta, floating=False, finite=False)
    if theta.ndim != 1 or theta.dtype != torch.float64:
        raise ValueError(f"{name} must be a 1-D float64 tensor, got shape {tuple(theta.shape)} and "
                         f"dtype {theta.dtype}")
    return check_tensor(name, theta).detach()


def _gradient(f, theta: torch.Tensor) -> torch.Tensor:
    theta = theta.detach().requires_grad_(True)
    return torch.autograd.grad(f(theta), theta)[0]


def gradient_norm(f, theta: torch.Tensor) -> float:
    r""":math:`\|\nabla f(\theta)\|`, by autograd. ``theta``: 1-D float64 tensor of shape (d,)."""
    check_callable("f", f)
    return _gradient(f, _check_theta(theta)).norm().item()


def minimize_lbfgs(f, theta0: torch.Tensor, max_iter: int = 2000, grad_tol: float = 1e-6):
    r"""Minimise ``f`` with SciPy's L-BFGS-B from ``theta0``; gradients by autograd.

    Parameters
    ----------
    f : callable
        ``f(theta)`` returns a scalar tensor for a float64 tensor ``theta`` of shape (d,).
    theta0 : torch.Tensor, shape (d,), float64
        The start.
    max_iter : int, default 2000
        Iterations allowed. SciPy's own tolerances are set to (almost) zero, so a run stops
        at ``max_iter`` or where L-BFGS can make no more progress in float64.
    grad_tol : float, default 1e-6
        A run *converged* when :math:`\|\nabla f\| <` ``grad_tol`` where it stopped.

    Returns
    -------
    theta : torch.Tensor, shape (d,)
        Where the run stopped.
    converged : bool
        Whether :math:`\|\nabla f(\theta)\| <` ``grad_tol``: the run reached the neighbourhood of a
        critical point, which :func:`newton_polish` can then locate to rounding accuracy. A run
        that is still descending (along a valley towards infinity, say) has not.
    """
    from scipy.optimize import minimize

    check_callable("f", f)
    theta0 = _check_theta(theta0, "theta0")
    max_iter = check_int("max_iter", max_iter, low=1)
    grad_tol = check_number("grad_tol", grad_tol, low=0.0, low_open=True)

    def value_and_grad(x):
        theta = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        loss = f(theta)
        return loss.item(), torch.autograd.grad(loss, theta)[0].numpy()

    # L-BFGS-B calls BLAS on vectors of length d: with several BLAS threads their start-up costs
    # far more than the work (4x slower for d = 17 on two cores). One thread; the same iterates.
    with one_blas_thread():
        result = minimize(value_and_grad, theta0.numpy(), jac=True, method="L-BFGS-B",
                          options={"maxiter": max_iter, "gtol": 1e-12, "ftol": 1e-16})
    theta = torch.tensor(result.x, dtype=torch.float64)
    return theta, gradient_norm(f, theta) < grad_tol


def newton_polish(f, theta: torch.Tensor, n_steps: int = 5):
    r"""Newton steps :math:`\theta \leftarrow \theta - H(\theta)^{-1}\nabla f(\theta)` from ``theta``.

    Near a non-degenerate critical point :math:`\theta^*` (an invertible Hessian) the error is
    squared at every step, :math:`\|\theta_{k+1} - \theta^*\| \le C\|\theta_k - \theta^*\|^2`, so a
    start with :math:`\|\nabla f\| \approx 10^{-8}` reaches rounding level in two or three steps.
    The step goes to the nearest critical point whatever its kind (it is the *saddle-free*
    Newton method of Dauphin et al. 2014 that uses :math:`|H|` instead): polishing never changes
    a verdict, it only makes it readable. Far from a critical point, or where :math:`H` is
    singular, the steps are meaningless: polish only a converged point.

    Parameters
    ----------
    f : callable
        ``f(theta)`` returns a scalar tensor for a float64 tensor of shape (d,).
    theta : torch.Tensor, shape (d,), float64
        A point near a critical point (e.g. a converged :func:`minimize_lbfgs` run).
    n_steps : int, default 5
        Newton steps to take (each computes the full :math:`d \times d` Hessian).

    Returns
    -------
    theta : torch.Tensor, shape (d,)
        The polished point.
    grad_norm : float
        :math:`\|\nabla f\|` there.
    """
    check_callable("f", f)
    theta = _check_theta(theta).clone()
    n_steps = check_int("n_steps", n_steps, low=0)
    for _ in range(n_steps):
        theta = theta - torch.linalg.solve(hessian(f, theta), _gradient(f, theta))
    return theta, gradient_norm(f, theta)


def classify_critical_point(eigenvalues, grad_norm: float, grad_tol: float = 1e-10,
                            zero_tol: float = 1e-8) -> str:
    r"""The kind of a point from its gradient norm and the eigenvalues of its Hessian.

    Eigenvalues with :math:`|\lambda| <` ``zero_tol`` count as zero. Returns ``"not a critical
    point"`` when ``grad_norm >= grad_tol``; otherwise ``"saddle point"`` (eigenvalues of both
    signs), ``"local minimum"`` (all positive), ``"local maximum"`` (all negative), or
    ``"degenerate: zero eigenvalues decide"`` (the remaining cases, where higher derivatives
    decide -- see the "Common mistake" of section ``tr9-saddle-points``).

    The defaults suit a polished float64 point (:func:`newton_polish`): there the gradient is
    about :math:`10^{-16}` and eigenvalues are exact to about :math:`10^{-15}\lambda_{\max}`.
    """
    eigenvalues = check_array("eigenvalues", eigenvalues, ndim=1)
    grad_norm = check_number("grad_norm", grad_norm, low=0.0)
    grad_tol = check_number("grad_tol", grad_tol, low=0.0, low_open=True)
    zero_tol = check_number("zero_tol", zero_tol, low=0.0)
    if grad_norm >= grad_tol:
        return "not a critical point"
    negative, positive = (eigenvalues < -zero_tol).sum(), (eigenvalues > zero_tol).sum()
    if negative and positive:
        return "saddle point"
    if positive == eigenvalues.size:
        return "local minimum"
    if negative == eigenvalues.size:
        return "local maximum"
    return "degenerate: zero eigenvalues decide"
