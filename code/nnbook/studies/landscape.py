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

The test functions accept points with infinite or NaN coordinates (a diverged trajectory is
still evaluated: the values are then non-finite), but nothing else is let through: the
points must be real arrays of shape (..., 2), the matrix ``A`` a symmetric 2x2 array, the
torch arguments tensors of matching lengths.

Book sections: ``book/ch4-training/07-optimisers.ipynb`` and ``11-saddle-points.ipynb``.
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from nnbook._validation import (check_array, check_callable, check_int, check_number, check_option,
                                check_same_length, check_tensor)
from nnbook.nn.optim import OPTIMIZERS


def _points(P) -> np.ndarray:
    P = check_array("P", P, finite=False)
    if P.shape[-1:] != (2,):
        raise ValueError(f"P (the points) must have shape (..., 2), got {P.shape}")
    return P


def _symmetric(A) -> np.ndarray:
    A = check_array("A", A, shape=(2, 2))
    if not np.allclose(A, A.T, rtol=1e-10, atol=1e-12 * np.abs(A).max()):
        raise ValueError(f"A must be symmetric, got A[0, 1] = {A[0, 1]!r} and A[1, 0] = {A[1, 0]!r}")
    return A


def _model_data(model, X, y) -> None:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor("X", X)
    check_tensor("y", y, floating=False)
    check_same_length(("X", "y"), X, y)


def ill_conditioned_matrix(condition: float = 25.0, angle: float = np.pi / 6) -> np.ndarray:
    r"""A 2x2 symmetric positive definite matrix with eigenvalues 1 and ``condition``, rotated by ``angle``.

    ``condition`` is a finite number >= 1, ``angle`` (radians) a finite number.
    """
    condition = check_number("condition", condition, low=1.0)
    angle = check_number("angle", angle)
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag([condition, 1.0]) @ R.T


def quadratic(P, A) -> np.ndarray:
    r""":math:`f(\theta) = \tfrac12 \theta^\top A \theta` at points ``P`` of shape (..., 2); ``A`` symmetric (2, 2)."""
    P = _points(P)
    return 0.5 * np.einsum("...i,ij,...j->...", P, _symmetric(A), P)


def quadratic_grad(P, A) -> np.ndarray:
    r""":math:`\nabla f(\theta) = A\theta` for symmetric :math:`A` (a non-symmetric one is refused:
    the gradient would be :math:`\tfrac12(A + A^\top)\theta`). Shape (..., 2)."""
    P = _points(P)
    return P @ _symmetric(A).T


def rosenbrock(P, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r""":math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`; minimum 0 at :math:`(a, a^2)` in a curved valley.

    ``P`` has shape (..., 2); ``a`` and ``b`` are finite numbers.
    """
    P = _points(P)
    a, b = check_number("a", a), check_number("b", b)
    x, y = P[..., 0], P[..., 1]
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(P, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r""":math:`\nabla f = \big(-2(a-x) - 4bx(y-x^2),\; 2b(y-x^2)\big)`, shape (..., 2)."""
    P = _points(P)
    a, b = check_number("a", a), check_number("b", b)
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

    ``x0`` is a finite 1-D start, ``n_steps`` an int >= 0; ``grad_fn`` must return arrays of
    ``x0``'s shape (a step that diverges to infinity is recorded, not refused).
    """
    check_option("optimizer", optimizer, sorted(OPTIMIZERS))
    check_callable("grad_fn", grad_fn)
    n_steps = check_int("n_steps", n_steps, low=0)
    theta = np.array(check_array("x0", x0, ndim=1), dtype=float)
    opt = OPTIMIZERS[optimizer]([theta], **kwargs)
    path = [theta.copy()]
    for _ in range(n_steps):
        grad = grad_fn(theta)
        if np.shape(grad) != theta.shape:
            raise ValueError(f"grad_fn must return an array of shape {theta.shape}, got shape {np.shape(grad)}")
        opt.step([grad])
        path.append(theta.copy())
    return np.array(path)


def flat_loss(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn=None):
    r"""The loss of ``model`` on ``(X, y)`` as a function of one flat parameter vector.

    Returns ``(f, theta0)``: ``f(theta)`` evaluates the model with the parameters in
    ``theta`` (via ``torch.func.functional_call``; the model itself is not changed), and
    ``theta0`` (a detached float64 copy of the model's current parameters, in
    ``model.named_parameters()`` order). Cross-entropy by default.

    ``X`` is a float tensor and ``y`` a tensor of the same length; ``f`` refuses a ``theta``
    that is not a tensor of ``theta0``'s shape.
    """
    _model_data(model, X, y)
    check_callable("loss_fn", loss_fn, allow_none=True)
    if not any(True for _ in model.parameters()):
        raise ValueError(f"model must have parameters, got {type(model).__name__} with none")
    try:  # on a copy in evaluation mode: no running statistics change, no random numbers are drawn
        with torch.no_grad():
            copy.deepcopy(model).eval()(X)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"X of shape {tuple(X.shape)} does not fit model: {err}") from err
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    names, shapes = zip(*[(n, p.shape) for n, p in model.named_parameters()])
    sizes = [int(np.prod(s)) for s in shapes]
    theta0 = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()

    def f(theta: torch.Tensor) -> torch.Tensor:
        if not isinstance(theta, torch.Tensor):
            raise TypeError(f"theta must be a torch.Tensor, got {type(theta).__name__}")
        if theta.shape != theta0.shape:
            raise ValueError(f"theta must have shape {tuple(theta0.shape)}, got {tuple(theta.shape)}")
        params = {n: t.reshape(s) for n, t, s in zip(names, torch.split(theta, sizes), shapes)}
        return loss_fn(torch.func.functional_call(model, params, (X,)), y)

    return f, theta0


def hessian(f, theta: torch.Tensor) -> torch.Tensor:
    r"""The full Hessian :math:`\nabla^2 f(\theta)`, shape (d, d), symmetrised (exact up to rounding).

    ``f`` maps a 1-D float tensor ``theta`` of shape (d,) to a scalar tensor.
    """
    check_callable("f", f)
    check_tensor("theta", theta, ndim=1)
    H = torch.autograd.functional.hessian(f, theta)
    return 0.5 * (H + H.T)


def gradient_norm_sq(f, theta: torch.Tensor):
    r"""Value and gradient of :math:`\phi(\theta) = \tfrac12\|\nabla f(\theta)\|^2`; :math:`\nabla\phi = H\nabla f`.

    ``theta``: a 1-D float tensor; returns ``(float, tensor of theta's shape)``.
    """
    check_callable("f", f)
    check_tensor("theta", theta, ndim=1)
    theta = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(theta), theta, create_graph=True)
    phi = 0.5 * (g * g).sum()
    (dphi,) = torch.autograd.grad(phi, theta)
    return phi.item(), dphi


def find_critical_point(f, theta0: torch.Tensor, max_iter: int = 500) -> torch.Tensor:
    r"""A point near ``theta0`` where :math:`\nabla f = 0`: minimise :math:`\tfrac12\|\nabla f\|^2` with L-BFGS.

    This converges to critical points of *any* kind -- minima, maxima and saddles -- which is
    the point: gradient descent on :math:`f` itself would run away from saddles.
    ``theta0`` is a 1-D float tensor, ``max_iter`` an int >= 1.
    """
    from scipy.optimize import minimize

    check_callable("f", f)
    check_tensor("theta0", theta0, ndim=1)
    max_iter = check_int("max_iter", max_iter, low=1)

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
    ``(len(step_sizes),)``; ``step_sizes`` is a non-empty 1-D sequence of finite numbers >= 0.
    """
    _model_data(model, X, y)
    check_callable("loss_fn", loss_fn, allow_none=True)
    step_sizes = list(step_sizes) if not isinstance(step_sizes, (str, bytes, dict, set)) and hasattr(step_sizes, "__iter__") else step_sizes
    sizes = check_array("step_sizes", step_sizes, ndim=1)
    if (sizes < 0).any():
        raise ValueError(f"step_sizes must be >= 0, got {sizes[sizes < 0][:5].tolist()}")
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    params = [p for p in model.parameters() if p.requires_grad]
    saved = [p.detach().clone() for p in params]
    buffers = [b.detach().clone() for b in model.buffers()]
    try:
        logits = model(X)
    except (RuntimeError, ValueError) as err:  # torch's own message, with the argument named
        raise ValueError(f"X of shape {tuple(X.shape)} does not fit model: {err}") from err
    grads = torch.autograd.grad(loss_fn(logits, y), params)
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

    ``X`` is a float tensor (n, d) and ``y`` (n,); ``width`` and ``n_restarts`` are ints >= 1,
    ``n_steps`` an int >= 0, ``lr`` a finite number > 0, ``seed`` an int >= 0.
    """
    check_tensor("X", X, ndim=2)
    check_tensor("y", y, ndim=1)
    check_same_length(("X", "y"), X, y)
    width = check_int("width", width, low=1)
    n_restarts = check_int("n_restarts", n_restarts, low=1)
    n_steps = check_int("n_steps", n_steps, low=0)
    lr = check_number("lr", lr, low=0.0, low_open=True)
    seed = check_int("seed", seed, low=0)
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
    :math:`\|\nabla f(\theta)\|`, as NumPy arrays. ``theta0`` is a 1-D float tensor, ``lr`` a
    finite number > 0, ``n_steps`` an int >= 0 and ``record_every`` an int >= 1.
    """
    check_callable("f", f)
    check_tensor("theta0", theta0, ndim=1)
    lr = check_number("lr", lr, low=0.0, low_open=True)
    n_steps = check_int("n_steps", n_steps, low=0)
    record_every = check_int("record_every", record_every, low=1)
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
