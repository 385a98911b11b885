"""nnbook.studies.selu: SELU's constants from its fixed-point equations, and the moment map."""
import math

import numpy as np
import pytest
import torch

from nnbook.studies import selu
from nnbook.nn.activations import SELU_ALPHA, SELU_LAMBDA, elu

pytestmark = pytest.mark.ch2

PUBLISHED_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. (2017)
PUBLISHED_LAMBDA = 1.0507009873554804934193349852946


def test_solved_constants_match_the_published_ones_to_ten_digits_and_torch():
    alpha, lam = selu.solve_selu_constants()
    assert alpha == pytest.approx(PUBLISHED_ALPHA, rel=1e-10, abs=0)
    assert lam == pytest.approx(PUBLISHED_LAMBDA, rel=1e-10, abs=0)
    assert selu.selu_alpha_closed_form() == pytest.approx(PUBLISHED_ALPHA, rel=1e-12)
    # torch's SELU: selu(1) = lambda, selu(-inf) = -lambda * alpha
    assert torch.selu(torch.tensor(1.0, dtype=torch.float64)).item() == pytest.approx(lam, rel=1e-13)
    assert torch.selu(torch.tensor(-50.0, dtype=torch.float64)).item() == pytest.approx(-lam * alpha, rel=1e-13)
    assert (SELU_ALPHA, SELU_LAMBDA) == (PUBLISHED_ALPHA, PUBLISHED_LAMBDA)


@pytest.mark.parametrize("alpha, mean, var", [(1.0, 0.0, 1.0), (1.7, 0.3, 2.0), (0.5, -1.0, 0.25), (2.0, 2.0, 9.0)])
def test_closed_form_moments_match_quadrature_and_monte_carlo(alpha, mean, var):
    closed = selu.elu_gaussian_moments(alpha, mean, var)
    np.testing.assert_allclose(closed, selu.elu_gaussian_moments_quad(alpha, mean, var), rtol=1e-10, atol=1e-13)
    z = np.random.default_rng(0).normal(mean, math.sqrt(var), size=400_000)
    f = elu(z, alpha)
    np.testing.assert_allclose(closed, [f.mean(), (f * f).mean()], rtol=0.02, atol=0.01)


def test_zero_one_is_an_attracting_fixed_point():
    mean, var = selu.selu_moment_map(0.0, 1.0)
    assert abs(mean) < 1e-14 and var == pytest.approx(1.0, abs=1e-14)
    jac = selu.selu_map_jacobian()
    assert np.linalg.norm(jac, 2) == pytest.approx(0.7877, abs=1e-4)  # Klambauer et al., Theorem 1
    m, v = 1.0, 4.0
    for _ in range(60):
        m, v = selu.selu_moment_map(m, v)
    assert abs(m) < 1e-5 and v == pytest.approx(1.0, abs=1e-5)


def test_moment_map_does_not_overflow_for_large_variance():
    with np.errstate(all="raise", under="ignore"):
        mean, var = selu.selu_moment_map(0.0, 400.0)
    assert math.isfinite(mean) and math.isfinite(var) and var > 1


@pytest.mark.parametrize("call, exc, match", [
    (lambda: selu.elu_gaussian_moments(1.0, 0.0, -1.0), ValueError, "var must be > 0.0, got -1.0"),
    (lambda: selu.elu_gaussian_moments(1.0, math.nan, 1.0), ValueError, "mean must be a finite number, got nan"),
    (lambda: selu.selu_moment_map(0.0, 1.0, tau=0.0), ValueError, "tau must be > 0.0, got 0.0"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
