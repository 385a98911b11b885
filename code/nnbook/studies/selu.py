r"""SELU's constants from its fixed-point equations, and the moment map of a SELU layer.

A unit computes :math:`z = \sum_i w_i x_i` from inputs of mean :math:`\mu` and variance
:math:`\nu`. With :math:`\omega = \sum_i w_i` and :math:`\tau = \sum_i w_i^2` (for LeCun-normal
weights :math:`w_i \sim N(0, 1/n)`: :math:`\omega \approx 0`, :math:`\tau \approx 1`), the central
limit theorem makes :math:`z \sim N(\mu\omega, \nu\tau)`. The layer maps the moments of its input
to those of its output,

.. math::  g(\mu, \nu) = \bigl(E[\mathrm{selu}(z)],\; \mathrm{Var}[\mathrm{selu}(z)]\bigr),

and Klambauer et al. (2017) choose :math:`\alpha, \lambda` so that :math:`(0, 1)` is a fixed
point, :math:`g(0, 1) = (0, 1)`. Every Gaussian integral below has a closed form, written with
:math:`\Phi` (``scipy.special.ndtr``) in log space so that nothing overflows.

Book section: ``book/ch2-activations/07-selu.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, special

from nnbook._validation import check_number
from nnbook.nn.activations import SELU_ALPHA, SELU_LAMBDA


def _check_moments(mean: float, var: float) -> tuple[float, float]:
    return check_number("mean", mean), check_number("var", var, low=0.0, low_open=True)


def _exp_times_cdf(log_scale: float, x: float) -> float:
    """:math:`e^{s}\\,\\Phi(x)` computed as ``exp(s + log Phi(x))``."""
    return math.exp(log_scale + special.log_ndtr(x))


def elu_gaussian_moments(alpha: float, mean: float = 0.0, var: float = 1.0) -> tuple[float, float]:
    r"""First and second moment of :math:`\mathrm{elu}_\alpha(z)` for :math:`z \sim N(m, s^2)`, in closed form.

    ``alpha`` > 0, ``mean`` (:math:`m`) and ``var`` (:math:`s^2` > 0) are finite numbers.

    With :math:`c = m/s`:

    .. math::
        E[z;\,z>0] &= m\Phi(c) + s\varphi(c), \qquad
        E[z^2;\,z>0] = (m^2 + s^2)\Phi(c) + m s\varphi(c),\\
        E[e^{kz};\,z\le 0] &= e^{km + k^2 s^2/2}\,\Phi(-c - ks), \quad k = 1, 2.

    Returns
    -------
    (E[f], E[f^2]) : tuple of float
        Multiply by :math:`\lambda` and :math:`\lambda^2` for SELU.
    """
    check_number("alpha", alpha, low=0.0, low_open=True)
    m, v = _check_moments(mean, var)
    s, c = math.sqrt(v), m / math.sqrt(v)
    phi, big_phi, neg = math.exp(-c * c / 2) / math.sqrt(2 * math.pi), special.ndtr(c), special.ndtr(-c)
    e1 = _exp_times_cdf(m + v / 2, -c - s)  # E[e^z; z <= 0]
    e2 = _exp_times_cdf(2 * m + 2 * v, -c - 2 * s)  # E[e^{2z}; z <= 0]
    first = m * big_phi + s * phi + alpha * (e1 - neg)
    second = (m * m + v) * big_phi + m * s * phi + alpha**2 * (e2 - 2 * e1 + neg)
    return first, second


def elu_gaussian_moments_quad(alpha: float, mean: float = 0.0, var: float = 1.0) -> tuple[float, float]:
    """The same two moments by numerical integration (``scipy.integrate.quad``), as a check."""
    check_number("alpha", alpha, low=0.0, low_open=True)
    m, v = _check_moments(mean, var)
    s = math.sqrt(v)

    def density(z):
        return math.exp(-((z - m) ** 2) / (2 * v)) / (s * math.sqrt(2 * math.pi))

    def f(z):
        return z if z > 0 else alpha * math.expm1(z)

    lo, hi = m - 40 * s, m + 40 * s
    points = [0.0] if lo < 0 < hi else None
    kw = {"points": points, "limit": 200, "epsabs": 1e-14, "epsrel": 1e-13}
    first = integrate.quad(lambda z: f(z) * density(z), lo, hi, **kw)[0]
    second = integrate.quad(lambda z: f(z) ** 2 * density(z), lo, hi, **kw)[0]
    return first, second


def solve_selu_constants(xtol: float = 1e-15) -> tuple[float, float]:
    r"""Solve :math:`E[\mathrm{selu}(z)] = 0`, :math:`E[\mathrm{selu}(z)^2] = 1` for :math:`z \sim N(0, 1)`.

    The first equation does not involve :math:`\lambda` (it is a common factor), so
    :math:`\alpha` is its root (found with Brent's method); then
    :math:`\lambda = E[\mathrm{elu}_\alpha(z)^2]^{-1/2}`.

    Returns
    -------
    (alpha, lam) : tuple of float
        About 1.6732632423543772 and 1.0507009873554805.
    """
    xtol = check_number("xtol", xtol, low=0.0, low_open=True)

    def mean_equation(a):  # E[elu_a(z)] for z ~ N(0, 1); its root is alpha
        return elu_gaussian_moments(a)[0]

    alpha = optimize.brentq(mean_equation, 0.5, 5.0, xtol=xtol, rtol=4 * np.finfo(float).eps)
    lam = 1.0 / math.sqrt(elu_gaussian_moments(alpha)[1])
    return alpha, lam


def selu_alpha_closed_form() -> float:
    r"""The root of the mean equation in closed form: :math:`\alpha = \dfrac{\sqrt{2/\pi}}{1 - 2 e^{1/2}\,\Phi(-1)}`."""
    return math.sqrt(2 / math.pi) / (1 - 2 * math.exp(0.5) * special.ndtr(-1.0))


def selu_moment_map(mean: float, var: float, omega: float = 0.0, tau: float = 1.0,
                    alpha: float = SELU_ALPHA, lam: float = SELU_LAMBDA) -> tuple[float, float]:
    r"""One SELU layer's map :math:`g(\mu, \nu) = (\tilde\mu, \tilde\nu)` of activation mean and variance.

    Parameters
    ----------
    mean, var : float
        :math:`\mu`, :math:`\nu` of the layer's inputs.
    omega, tau : float
        :math:`\omega = \sum_i w_i`, :math:`\tau = \sum_i w_i^2` (> 0) of the unit's weights.
    alpha, lam : float
        SELU's constants (> 0); by default Klambauer et al.'s.
    """
    _check_moments(mean, var)
    check_number("alpha", alpha, low=0.0, low_open=True)
    check_number("omega", omega)
    check_number("tau", tau, low=0.0, low_open=True)
    check_number("lam", lam, low=0.0, low_open=True)
    first, second = elu_gaussian_moments(alpha, mean * omega, var * tau)
    new_mean = lam * first
    return new_mean, lam**2 * second - new_mean**2


def selu_map_jacobian(mean: float = 0.0, var: float = 1.0, omega: float = 0.0, tau: float = 1.0,
                      h: float = 1e-6) -> np.ndarray:
    r"""Jacobian :math:`\partial(\tilde\mu, \tilde\nu)/\partial(\mu, \nu)` of :func:`selu_moment_map`
    (central differences), shape (2, 2). A spectral norm below 1 at :math:`(0, 1)` makes the
    fixed point attracting: Klambauer et al. (2017) compute 0.7877 for normalised weights
    (:math:`\omega = 0, \tau = 1`) before their Theorem 1, which extends the attracting fixed
    point to unnormalised weights with :math:`\omega, \tau` near 0 and 1. ``h`` is the step, ``0 < h < var``."""
    _check_moments(mean, var)
    check_number("omega", omega)
    check_number("tau", tau, low=0.0, low_open=True)
    h = check_number("h", h, low=0.0, low_open=True)
    if not h < var:
        raise ValueError(f"h must be smaller than var (the differences evaluate var - h), got h={h!r}, var={var!r}")

    def g(p):
        return np.array(selu_moment_map(p[0], p[1], omega=omega, tau=tau))

    p = np.array([mean, var], dtype=float)
    cols = [(g(p + h * e) - g(p - h * e)) / (2 * h) for e in np.eye(2)]
    return np.stack(cols, axis=1)
