r"""Loss landscapes: 2-D test functions, optimiser trajectories, Hessians of small networks.

* Test functions with their gradients: an ill-conditioned quadratic
  :math:`f(\theta) = \tfrac12\theta^\top A\theta`, the Rosenbrock function
  :math:`f(x, y) = (a-x)^2 + b(y-x^2)^2`, and the saddle
  :math:`f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4` (a saddle at the origin, minima at
  :math:`(0, \pm1)`). Each takes points of shape (..., 2), so it can be evaluated on a grid.
* :func:`trajectory` runs an optimiser of :mod:`nnbook.nn.optim` on such a function.
* :func:`flat_loss`, :func:`hessian` and :func:`find_critical_point` turn a small torch
  network into a function of one parameter vector, compute its full Hessian, and look for
  points where the gradient vanishes (minimising :math:`\tfrac12\|\nabla L\|^2`, as Pascanu
  et al. 2014 and Dauphin et al. 2014 did to locate saddle points).

Book sections: ``book/ch4-training/07-optimisers.ipynb`` and ``11-saddle-points.ipynb``.
"""
from __future__ import annotations

import numpy as np
import torch

from nnbook.nn.optim import OPTIMIZERS


def _points(P) -> np.ndarray:
    P = np.asarray(P, dtype=float)
    if P.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2), got {P.shape}")
    return P


def ill_conditioned_matrix(condition: float = 25.0, angle: float = np.pi / 6) -> np.ndarray:
    r"""A 2x2 symmetric positive definite matrix with eigenvalues 1 and ``condition``, rotated by ``angle``."""
    if not condition >= 1:
        raise ValueError(f"condition must be >= 1, got {condition!r}")
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag([condition, 1.0]) @ R.T


def quadratic(P, A) -> np.ndarray:
    r""":math:`f(\theta) = \tfrac12 \theta^\top A \theta` at points of shape (..., 2)."""
    P = _points(P)
    return 0.5 * np.einsum("...i,ij,...j->...", P, np.asarray(A, float), P)


def quadratic_grad(P, A) -> np.ndarray:
    r""":math:`\nabla f(\theta) = A\theta` for symmetric :math:`A`."""
    return _points(P) @ np.asarray(A, float).T


def rosenbrock(P, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r""":math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`; minimum 0 at :math:`(a, a^2)` in a curved valley."""
    P = _points(P)
    x, y = P[..., 0], P[..., 1]
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(P, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r""":math:`\nabla f = \big(-2(a-x) - 4bx(y-x^2),\; 2b(y-x^2)\big)`."""
    P = _points(P)
    x, y = P[..., 0], P[..., 1]
    return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)


def saddle(P) -> np.ndarray:
    r""":math:`f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4`: Hessian diag(1, -1) at the origin."""
    P = _points(P)
    x, y = P[..., 0], P[..., 1]
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4


def saddle_grad(P) -> np.ndarray:
    r""":math:`\nabla f = (x,\; y^3 - y)`."""
    P = _points(P)
    x, y = P[..., 0], P[..., 1]
    return np.stack([x, y**3 - y], axis=-1)


def trajectory(optimizer: str, grad_fn, x0, n_steps: int, **kwargs) -> np.ndarray:
    """Points visited by ``optimizer`` (a key of ``nnbook.nn.optim.OPTIMIZERS``) from ``x0``.

    ``grad_fn`` maps a point of shape (2,) (or (d,)) to its gradient; ``kwargs`` go to the
    optimiser (``lr``, ``momentum``, ``betas``...). Returns an array of shape (n_steps + 1, d).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative int, got {n_steps!r}")
    theta = np.array(x0, dtype=float)
    opt = OPTIMIZERS[optimizer]([theta], **kwargs)
    path = [theta.copy()]
    for _ in range(n_steps):
        opt.step([grad_fn(theta)])
        path.append(theta.copy())
    return np.array(path)


def flat_loss(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn=None):
    r"""The loss of ``model`` on ``(X, y)`` as a function of one flat parameter vector.

    Returns ``(f, theta0)``: ``f(theta)`` evaluates the model with the parameters in
    ``theta`` (via ``torch.func.functional_call``; the model itself is not changed), and
    ``theta0`` (a detached float64 copy of the model's current parameters, in
    ``model.named_parameters()`` order). Cross-entropy by default.
    """
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    names, shapes = zip(*[(n, p.shape) for n, p in model.named_parameters()])
    sizes = [int(np.prod(s)) for s in shapes]
    theta0 = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()

    def f(theta: torch.Tensor) -> torch.Tensor:
        if theta.shape != theta0.shape:
            raise ValueError(f"theta must have shape {tuple(theta0.shape)}, got {tuple(theta.shape)}")
        params = {n: t.reshape(s) for n, t, s in zip(names, torch.split(theta, sizes), shapes)}
        return loss_fn(torch.func.functional_call(model, params, (X,)), y)

    return f, theta0


def hessian(f, theta: torch.Tensor) -> torch.Tensor:
    r"""The full Hessian :math:`\nabla^2 f(\theta)`, shape (d, d), symmetrised (exact up to rounding)."""
    H = torch.autograd.functional.hessian(f, theta)
    return 0.5 * (H + H.T)


def gradient_norm_sq(f, theta: torch.Tensor):
    r"""Value and gradient of :math:`\phi(\theta) = \tfrac12\|\nabla f(\theta)\|^2`; :math:`\nabla\phi = H\nabla f`."""
    theta = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(theta), theta, create_graph=True)
    phi = 0.5 * (g * g).sum()
    (dphi,) = torch.autograd.grad(phi, theta)
    return phi.item(), dphi


def find_critical_point(f, theta0: torch.Tensor, max_iter: int = 500) -> torch.Tensor:
    r"""A point near ``theta0`` where :math:`\nabla f = 0`: minimise :math:`\tfrac12\|\nabla f\|^2` with L-BFGS.

    This converges to critical points of *any* kind -- minima, maxima and saddles -- which is
    the point: gradient descent on :math:`f` itself would run away from saddles.
    """
    from scipy.optimize import minimize

    dtype = theta0.dtype

    def fun(x):
        value, grad = gradient_norm_sq(f, torch.as_tensor(x, dtype=dtype))
        return value, grad.numpy().astype(float)

    result = minimize(fun, theta0.detach().numpy().astype(float), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iter, "gtol": 1e-14, "ftol": 1e-20})
    return torch.as_tensor(result.x, dtype=dtype)


def loss_along_gradient(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, step_sizes, loss_fn=None) -> np.ndarray:
    r"""Loss after one gradient step of each size: :math:`L(\theta - \eta\nabla L(\theta))` for every :math:`\eta`.

    The spread of these values measures how far the gradient can be trusted -- Santurkar et
    al. (2018) call it the "variation of the loss" along the gradient direction and find it
    much smaller with batch normalisation. ``model`` keeps its mode (training mode: batch
    statistics of ``X``) and its parameters are restored afterwards. Returns shape
    ``(len(step_sizes),)``.
    """
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    params = [p for p in model.parameters() if p.requires_grad]
    saved = [p.detach().clone() for p in params]
    buffers = [b.detach().clone() for b in model.buffers()]
    grads = torch.autograd.grad(loss_fn(model(X), y), params)
    losses = []
    with torch.no_grad():
        for eta in step_sizes:
            for p, p0, g in zip(params, saved, grads):
                p.copy_(p0 - eta * g)
            losses.append(loss_fn(model(X), y).item())
        for p, p0 in zip(params, saved):
            p.copy_(p0)
        for b, b0 in zip(model.buffers(), buffers):  # batch norm's running statistics
            b.copy_(b0)
    return np.array(losses)


def train_restarts(X: torch.Tensor, y: torch.Tensor, width: int, n_restarts: int, n_steps: int = 3000,
                   lr: float = 0.01, seed: int = 0) -> np.ndarray:
    r"""Train ``n_restarts`` one-hidden-layer tanh networks from independent random starts, at once.

    The model is :math:`\hat y = \mathbf v^\top \tanh(W\mathbf x + \mathbf b) + c` with ``width``
    hidden units and the loss :math:`\frac{1}{2n}\sum_i (\hat y_i - y_i)^2`, trained by full-batch
    Adam. All restarts live in one batched tensor; since the total loss is the *sum* of the
    restarts' losses and Adam acts elementwise, each restart follows exactly the trajectory it
    would follow alone (float64, PyTorch-default initialisation
    :math:`U(\pm 1/\sqrt{\text{fan-in}})`). Returns the final losses, shape ``(n_restarts,)``.
    """
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"need X (n, d) and y (n,), got {tuple(X.shape)} and {tuple(y.shape)}")
    generator = torch.Generator().manual_seed(seed)
    d = X.shape[1]

    def uniform(shape, fan_in):
        return ((torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) / fan_in**0.5).requires_grad_(True)

    W, b = uniform((n_restarts, width, d), d), uniform((n_restarts, width), d)
    v, c = uniform((n_restarts, width), width), uniform((n_restarts,), width)
    X, y = X.double(), y.double()

    def losses():
        hidden = torch.tanh(torch.einsum("rhd,nd->rnh", W, X) + b[:, None, :])  # (R, n, H)
        out = torch.einsum("rnh,rh->rn", hidden, v) + c[:, None]
        return 0.5 * ((out - y) ** 2).mean(dim=1)  # (R,)

    optimizer = torch.optim.Adam([W, b, v, c], lr=lr)
    for _ in range(n_steps):
        optimizer.zero_grad()
        losses().sum().backward()
        optimizer.step()
    with torch.no_grad():
        return losses().numpy()


def gradient_descent(f, theta0: torch.Tensor, lr: float, n_steps: int, record_every: int = 1):
    r"""Full-batch gradient descent :math:`\theta \leftarrow \theta - \eta\nabla f(\theta)` on a flat parameter vector.

    Returns ``(theta, steps, losses, grad_norms)``: the final parameters and, every
    ``record_every`` steps (step 0 included), the step index, :math:`f(\theta)` and
    :math:`\|\nabla f(\theta)\|`, as NumPy arrays.
    """
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    theta = theta0.detach().clone()
    steps, losses, grad_norms = [], [], []
    for step in range(n_steps + 1):
        theta.requires_grad_(True)
        loss = f(theta)
        (grad,) = torch.autograd.grad(loss, theta)
        theta = theta.detach()
        if step % record_every == 0:
            steps.append(step)
            losses.append(loss.item())
            grad_norms.append(grad.norm().item())
        if step < n_steps:
            theta -= lr * grad
    return theta, np.array(steps), np.array(losses), np.array(grad_norms)
