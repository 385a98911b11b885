"""nnbook.activations against torch (values and autograd derivatives)."""
import numpy as np
import pytest
import torch

from nnbook import activations as act

pytestmark = pytest.mark.ch2

GRID = np.concatenate([np.linspace(-30, 30, 601), [-1000.0, -1e-12, 0.0, 1e-12, 1000.0]])
PAIRS = [
    (act.sigmoid, act.sigmoid_prime, torch.sigmoid),
    (act.tanh, act.tanh_prime, torch.tanh),
    (act.relu, act.relu_prime, torch.relu),
]


@pytest.mark.parametrize("f, f_prime, ref", PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_value_and_derivative_match_torch(f, f_prime, ref):
    z = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    out = ref(z)
    out.sum().backward()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow at |z| = 1000
        np.testing.assert_allclose(f(GRID), out.detach().numpy(), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(f_prime(GRID), z.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_bad_dtype_is_rejected():
    with pytest.raises(TypeError, match="z must be a real numeric array"):
        act.sigmoid(np.array(["a", "b"]))
