"""nnbook.nn.activations against torch (values and float64 autograd derivatives) and properties."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.nn import activations as act

pytestmark = pytest.mark.ch2

# A wide grid with the kinks (0), points just beside them, and |z| = 1000 (overflow check).
GRID = np.concatenate([np.linspace(-30, 30, 601), [-1000.0, -50.0, -1e-12, 0.0, 1e-12, 50.0, 1000.0]])
SMALL = GRID[np.abs(GRID) < 20]  # where torch's softplus is exact (its threshold is 20)


def _torch_reference(ref, z_np):
    z = torch.tensor(z_np, dtype=torch.float64, requires_grad=True)
    out = ref(z)
    out.sum().backward()
    return out.detach().numpy(), z.grad.numpy()


# name, our f, our f', kwargs, torch reference, grid, value atol
CASES = [
    ("sigmoid", act.sigmoid, act.sigmoid_prime, {}, torch.sigmoid, GRID, 1e-300),
    ("tanh", act.tanh, act.tanh_prime, {}, torch.tanh, GRID, 1e-300),
    ("relu", act.relu, act.relu_prime, {}, torch.relu, GRID, 0),
    ("leaky_relu", act.leaky_relu, act.leaky_relu_prime, {"a": 0.1}, lambda z: F.leaky_relu(z, 0.1), GRID, 0),
    ("leaky_relu_default", act.leaky_relu, act.leaky_relu_prime, {}, F.leaky_relu, GRID, 0),
    ("prelu", act.prelu, act.prelu_prime, {"a": 0.25},
     lambda z: F.prelu(z, torch.tensor([0.25], dtype=torch.float64)), GRID, 0),
    ("rrelu_eval", act.rrelu, act.rrelu_prime, {}, lambda z: F.rrelu(z, 1 / 8, 1 / 3, training=False), GRID, 0),
    ("elu", act.elu, act.elu_prime, {}, F.elu, GRID, 1e-300),
    ("elu_alpha2", act.elu, act.elu_prime, {"alpha": 2.0}, lambda z: F.elu(z, alpha=2.0), GRID, 1e-300),
    ("selu", act.selu, act.selu_prime, {}, F.selu, GRID, 1e-300),
    ("softplus", act.softplus, act.softplus_prime, {}, F.softplus, SMALL, 1e-300),
    ("softplus_wide", act.softplus, act.softplus_prime, {}, lambda z: torch.logaddexp(z, torch.zeros_like(z)), GRID,
     1e-300),
    ("softplus_beta", act.softplus, act.softplus_prime, {"beta": 2.0}, lambda z: F.softplus(z, beta=2.0), SMALL / 2,
     1e-300),
    # torch computes GELU as z(1 + erf(z/sqrt2))/2 (and 1 + tanh), which cancels for z << 0; ours does not
    ("gelu", act.gelu, act.gelu_prime, {}, F.gelu, GRID, 1e-15),
    ("gelu_tanh", act.gelu, act.gelu_prime, {"approximate": "tanh"}, lambda z: F.gelu(z, approximate="tanh"), GRID,
     1e-14),
    ("swish", act.swish, act.swish_prime, {}, F.silu, GRID, 1e-300),
    ("swish_beta", act.swish, act.swish_prime, {"beta": 1.7}, lambda z: z * torch.sigmoid(1.7 * z), GRID, 1e-300),
]


@pytest.mark.parametrize("name, f, f_prime, kwargs, ref, grid, atol", CASES, ids=[c[0] for c in CASES])
def test_value_and_derivative_match_torch(name, f, f_prime, kwargs, ref, grid, atol):
    value, grad = _torch_reference(ref, grid)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow at |z| = 1000
        ours, ours_prime = f(grid, **kwargs), f_prime(grid, **kwargs)
    np.testing.assert_allclose(ours, value, rtol=1e-12, atol=atol, err_msg=f"{name}: value")
    np.testing.assert_allclose(ours_prime, grad, rtol=1e-10, atol=max(atol, 1e-15), err_msg=f"{name}: derivative")


@pytest.mark.parametrize("name", sorted(set(act.ACTIVATIONS) - {"maxout"}))
def test_derivative_matches_central_differences_away_from_kinks(name):
    entry = act.get_activation(name)
    z = np.linspace(-6, 6, 241)
    z = z[np.abs(z) > 1e-3]
    h = 1e-6
    numeric = (entry.f(z + h) - entry.f(z - h)) / (2 * h)
    np.testing.assert_allclose(entry.f_prime(z), numeric, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("f", [act.sigmoid, act.tanh, act.relu, act.elu, act.selu, act.gelu, act.swish, act.softplus])
def test_float32_in_float32_out(f):
    z = np.linspace(-5, 5, 11, dtype=np.float32)
    assert f(z).dtype == np.float32


def test_textbook_identities():
    z = np.linspace(-20, 20, 4001)
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-15)
    assert act.sigmoid_prime(z).max() == pytest.approx(0.25, abs=1e-15)
    assert act.tanh_prime(z).max() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(act.softplus_prime(z), act.sigmoid(z), atol=0)
    np.testing.assert_allclose(act.selu(z), act.SELU_LAMBDA * act.elu(z, act.SELU_ALPHA))
    # the constants torch uses
    assert act.selu(-1000.0) == pytest.approx(-1.7580993408473766, rel=1e-15)
    assert act.selu(1.0) == pytest.approx(1.0507009873554805, rel=1e-15)


def test_prelu_per_channel_and_slope_gradient_match_autograd():
    rng = np.random.default_rng(0)
    z_np, a_np, g_np = rng.normal(size=(7, 3)), np.array([0.1, 0.25, -0.3]), rng.normal(size=(7, 3))
    z = torch.tensor(z_np, requires_grad=True)
    a = torch.tensor(a_np, requires_grad=True)
    out = F.prelu(z, a)
    out.backward(torch.tensor(g_np))
    np.testing.assert_allclose(act.prelu(z_np, a_np), out.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(act.prelu_prime(z_np, a_np) * g_np, z.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(act.prelu_slope_grad(z_np, a_np, g_np), a.grad.numpy(), rtol=1e-12)
    shared = torch.tensor([0.25], dtype=torch.float64, requires_grad=True)
    F.prelu(torch.tensor(z_np), shared).backward(torch.tensor(g_np))
    assert act.prelu_slope_grad(z_np, 0.25, g_np) == pytest.approx(shared.grad.item(), rel=1e-12)


def test_rrelu_training_mode_draws_reproducible_slopes_in_range():
    z = -np.linspace(0.1, 10, 20000)
    out = act.rrelu(z, 0.1, 0.3, training=True, random_state=3)
    slopes = out / z
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.mean() == pytest.approx(0.2, abs=2e-3)
    np.testing.assert_array_equal(out, act.rrelu(z, 0.1, 0.3, training=True, random_state=3))
    np.testing.assert_allclose(act.rrelu_prime(z, 0.1, 0.3, training=True, random_state=3), slopes, rtol=1e-14)
    # derivative with the drawn slopes equals torch autograd of z -> where(z > 0, z, a z)
    zz = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    a = act.rrelu(np.full(5, -1.0), training=True, random_state=7) / -1.0
    t = torch.tensor(zz, requires_grad=True)
    torch.where(t > 0, t, torch.tensor(a) * t).sum().backward()
    np.testing.assert_allclose(act.rrelu_prime(zz, training=True, random_state=7), t.grad.numpy(), rtol=1e-15)
    # positive inputs pass unchanged in both modes
    np.testing.assert_array_equal(act.rrelu(np.array([0.5, 3.0]), training=True, random_state=0), [0.5, 3.0])


def test_maxout_matches_torch_and_its_mask_is_the_autograd_jacobian():
    rng = np.random.default_rng(1)
    z_np = rng.normal(size=(4, 6))  # no ties
    z = torch.tensor(z_np, requires_grad=True)
    out = z.view(4, 2, 3).amax(dim=-1)
    out.sum().backward()
    np.testing.assert_array_equal(act.maxout(z_np, k=3), out.detach().numpy())
    np.testing.assert_array_equal(act.maxout_prime(z_np, k=3), z.grad.numpy())
    # ties: the first winner takes the gradient, and each group passes exactly one unit of it
    mask = act.maxout_prime(np.array([[1.0, 1.0, 0.0, 0.0]]), k=2)
    np.testing.assert_array_equal(mask, [[1.0, 0.0, 1.0, 0.0]])
    # k = 1 is the identity
    np.testing.assert_array_equal(act.maxout(z_np, k=1), z_np)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_no_overflow_warning_at_plus_minus_1000(name):
    entry = act.get_activation(name)
    with np.errstate(all="raise", under="ignore"):
        assert np.isfinite(entry.f(np.array([-1000.0, 1000.0]))).all()
        assert np.isfinite(entry.f_prime(np.array([-1000.0, 1000.0]))).all()


def test_registry_lookup_and_aliases():
    assert act.get_activation("silu").f is act.swish
    assert act.get_activation("ReLU").f is act.relu
    assert act.get_activation("prelu").learnable == 1
    assert dict(act.get_activation("elu").hyperparameters) == {"alpha": 1.0}
    with pytest.raises(TypeError):
        act.ACTIVATIONS["new"] = None  # read-only


def test_unknown_name_is_rejected():
    with pytest.raises(ValueError, match=r"unknown activation 'swish2'.*relu"):
        act.get_activation("swish2")
    with pytest.raises(TypeError, match="name must be a str"):
        act.get_activation(3)


@pytest.mark.parametrize("bad, exc, match", [
    (np.array(["a", "b"]), TypeError, "z must hold real numbers"),
    (np.array([1 + 2j]), TypeError, "z must hold real numbers"),
    (np.array([True, False]), TypeError, "z must hold real numbers"),
    (np.array([0.0, math.nan]), ValueError, r"z must not contain NaN, got z\[1\] = nan"),
])
def test_bad_input_is_rejected(bad, exc, match):
    for name in act.ACTIVATIONS:
        with pytest.raises(exc, match=match):
            act.get_activation(name).f(bad)


@pytest.mark.parametrize("call, match", [
    (lambda: act.leaky_relu([1.0], a="0.1"), "a must be a real number"),
    (lambda: act.elu([1.0], alpha=math.inf), "alpha must be a finite number"),
    (lambda: act.softplus([1.0], beta=-1.0), "beta must be > 0"),
    (lambda: act.rrelu([1.0], lower=0.5, upper=0.1), "upper must be >= 0.5"),
    (lambda: act.rrelu([1.0], training=1), "training must be True or False"),
    (lambda: act.rrelu([1.0], training=True, random_state="seed"), "random_state"),
    (lambda: act.prelu(np.ones((2, 3)), np.ones(4)), "does not broadcast"),
    (lambda: act.prelu_slope_grad(np.ones((2, 3)), 0.25, np.ones(3)), "grad_out must have the shape"),
    (lambda: act.gelu([1.0], approximate="erf"), "approximate must be"),
    (lambda: act.maxout(np.ones((2, 5)), k=2), "multiple of k=2"),
    (lambda: act.maxout(np.ones((2, 4)), k=0), "k must be an int >= 1"),
])
def test_bad_parameters_are_rejected(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --- issue 14: the infinities -------------------------------------------------------------
TORCH_AT_INF = {  # name -> torch float64 function (autograd gives the derivative)
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "softplus": F.softplus,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "elu": F.elu, "selu": torch.selu,
    "prelu": lambda t: F.prelu(t, torch.tensor([0.25], dtype=torch.float64)),
}


@pytest.mark.parametrize("name", sorted(TORCH_AT_INF))
def test_values_and_derivatives_at_infinity_match_torch(name):
    z = np.array([-np.inf, -1e3, 0.0, 1e3, np.inf])
    t = torch.tensor(z, requires_grad=True)
    TORCH_AT_INF[name](t).backward(torch.ones(5, dtype=torch.float64))
    entry = act.get_activation(name)
    with np.errstate(all="raise", under="ignore"):
        np.testing.assert_array_equal(entry.f(z), TORCH_AT_INF[name](torch.tensor(z)).numpy())
        np.testing.assert_array_equal(entry.f_prime(z)[[0, 1, 3, 4]], t.grad.numpy()[[0, 1, 3, 4]])


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_at_infinity_is_its_limit_not_nan(approximate):
    # failed before the fix: gelu(-inf) = -inf * Phi(-inf) = NaN, gelu_prime(+-inf) = NaN (so does torch)
    z = np.array([-np.inf, np.inf])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(act.gelu(z, approximate), [0.0, np.inf])
        np.testing.assert_array_equal(act.gelu_prime(z, approximate), [0.0, 1.0])
    finite = np.linspace(-40, 40, 81)  # finite entries are untouched, bit for bit
    mixed = np.concatenate([finite, z])
    np.testing.assert_array_equal(act.gelu(mixed, approximate)[:-2], act.gelu(finite, approximate))
    np.testing.assert_array_equal(act.gelu_prime(mixed, approximate)[:-2], act.gelu_prime(finite, approximate))


@pytest.mark.parametrize("beta, f_limits, prime_limits", [
    (1.0, [0.0, np.inf], [0.0, 1.0]), (2.5, [0.0, np.inf], [0.0, 1.0]),
    (-1.0, [-np.inf, 0.0], [1.0, 0.0]), (0.0, [-np.inf, np.inf], [0.5, 0.5]),
])
def test_swish_at_infinity_is_its_limit_not_nan(beta, f_limits, prime_limits):
    z = np.array([-np.inf, np.inf])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(act.swish(z, beta), f_limits)
        np.testing.assert_array_equal(act.swish_prime(z, beta), prime_limits)
    far = np.array([-800.0, 800.0]) * (1 if beta >= 0 else -1)
    assert np.all(np.abs(act.swish_prime(far, beta) - np.array(prime_limits)[:: 1 if beta >= 0 else -1]) < 1e-12)


def test_zero_slope_times_minus_infinity_is_zero():
    z = np.array([-np.inf, -2.0, 3.0])
    np.testing.assert_array_equal(act.leaky_relu(z, a=0.0), [0.0, -0.0, 3.0])
    np.testing.assert_array_equal(act.prelu(z, a=0.0), [0.0, -0.0, 3.0])


def test_prelu_slope_may_not_enlarge_z():
    # (4,) against (4, 1) would broadcast to (4, 4): refused
    with pytest.raises(ValueError, match=r"a with shape \(4,\) does not broadcast against z with shape \(4, 1\)"):
        act.prelu(np.ones((4, 1)), np.full(4, 0.25))
