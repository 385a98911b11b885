"""Graders for chapter 2 (activation functions), ``book/ch2-activations/09-exercises``.

Conventions are the chapter's (``nnbook.nn.activations``): an activation acts elementwise on
pre-activations ``z``; a batch of pre-activations of one layer is ``Z`` (n_samples, n_units),
one example per row; at a kink (``z = 0``) the derivative of the left branch is used, as in
PyTorch's autograd. The references are the package's own functions, SciPy's, or closed forms
written differently from the formula the reader is asked to derive.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy import special

from nnbook.exercises.grading import NotYet, compare, grader, matches
from nnbook.nets.diagnostics import dead_unit_fraction
from nnbook.nn import activations as act


def _floats(value):
    """``value`` as a float64 array, or None when it is not an array of real numbers."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array




# --- exercise: the fraction of dead units --------------------------------------------------

def _layer_with_dead_units(rng, m: int, n: int) -> np.ndarray:
    """Pre-activations (m, n) with some never-positive columns (one of them touching 0 exactly)
    and one all-negative row, so that each typical mistake gives a different number."""
    n_dead = int(rng.integers(1, n))
    while 2 * n_dead == n:  # a fraction of 1/2 would hide "alive instead of dead"
        n_dead = int(rng.integers(1, n))
    Z = rng.normal(size=(m, n)) + 0.8
    Z[0] = -np.abs(Z[0]) - 0.01  # one example that switches every unit off
    dead = rng.choice(n, size=n_dead, replace=False)
    Z[:, dead] = -np.abs(rng.normal(size=(m, n_dead))) - 0.05
    Z[rng.integers(1, m), dead[0]] = 0.0  # off, but not strictly negative
    alive = np.setdiff1d(np.arange(n), dead)
    Z[:, alive[0]] = -np.abs(Z[:, alive[0]])
    Z[rng.integers(1, m), alive] = 0.5  # every other unit is on for some example; alive[0] for this one only
    return Z


@grader("ch2.dead_fraction", "the fraction of dead ReLU units in a layer", n_cases=5)
def dead_fraction(answer, rng):
    r"""``answer(Z) -> float`` for pre-activations ``Z`` (n_samples, n_units) of one ReLU layer:
    :math:`\frac1n \#\{j : z_{ij} \le 0 \text{ for every } i\}`, the fraction of units that no
    example switches on (:func:`nnbook.nets.diagnostics.dead_unit_fraction`, the reference)."""
    for case in range(5):
        m, n = (7, 5) if case == 0 else (int(rng.integers(4, 12)), int(rng.integers(3, 10)))
        Z = _layer_with_dead_units(rng, m, n)
        expected = dead_unit_fraction(torch.nn.Sequential(torch.nn.ReLU()), torch.as_tensor(Z))[0]
        got = answer(Z.copy())
        off = Z <= 0
        if matches(got, off.all(axis=0), rtol=1e-9, atol=1e-12):
            raise NotYet("dead_fraction returned one flag per unit: return the fraction of the layer's units "
                         "that are dead, one number")
        mistakes = [
            (off.mean(), "dead_fraction counts the entries with z <= 0 (how sparse the outputs are); a unit is "
                         "dead only when its pre-activation is <= 0 for every example"),
            (off.all(axis=1).mean(), "dead_fraction looks along the wrong axis: the rows of Z are the examples, "
                                     "its columns the units"),
            (off.any(axis=0).mean(), "dead_fraction counts the units that are off for some example; a dead unit "
                                     "is off for every example"),
            ((Z < 0).all(axis=0).mean(), "dead_fraction misses units whose pre-activation is exactly 0 on some "
                                         "example: ReLU'(0) = 0 (the book's and PyTorch's convention), so they are "
                                         "off there too"),
            (n * expected, "dead_fraction returned the number of dead units; return their fraction"),
            (1.0 - expected, "dead_fraction returned the fraction of units that are alive"),
        ]
        for value, hint in mistakes:
            if not np.isclose(value, expected) and matches(got, value, rtol=1e-9, atol=1e-12):
                raise NotYet(hint)
        compare("the dead fraction", got, expected)


# --- exercise: a stable log-sigmoid ----------------------------------------------------------

def _log_sigmoid_cases(rng, case: int) -> np.ndarray:
    """Case 0: the extremes in a row; then random batches with extremes mixed in."""
    if case == 0:
        return np.array([-1000.0, -745.5, -40.0, -1.5, 0.0, 2.0, 25.0, 40.0, 1000.0])
    z = rng.normal(scale=rng.choice([3.0, 30.0, 300.0]), size=(int(rng.integers(2, 5)), int(rng.integers(3, 6))))
    z.flat[rng.choice(z.size, size=2, replace=False)] = rng.choice([-1000.0, 1000.0]), rng.uniform(30.0, 60.0)
    return z


@grader("ch2.log_sigmoid", "a log-sigmoid that neither overflows nor rounds to zero", n_cases=5)
def log_sigmoid(answer, rng):
    r"""``answer(z) -> array`` of :math:`\log\sigma(z) = -\log(1 + e^{-z})`, elementwise, for every
    finite ``z`` (the check uses :math:`|z| \le 1000`): to a relative error of :math:`10^{-10}`, with
    no NaN, no infinity and no warning. Reference: ``scipy.special.log_expit``."""
    for case in range(5):
        z = _log_sigmoid_cases(rng, case)
        expected = special.log_expit(z)
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
            warnings.simplefilter("always")
            got = answer(z.copy())
        values = _floats(got)
        if values is not None and values.shape == z.shape:
            bad = ~np.isfinite(values)
            if bad.any():
                said = " ".join(str(w.message) for w in caught)
                why = ("sigmoid(z) underflows to 0 there, and log(0) = -inf" if "divide by zero" in said
                       else "an exponential overflows there" if "overflow" in said else "is an exponential too large?")
                raise NotYet(f"log_sigmoid({z[bad][0]:g}) gives {values[bad][0]}; the exact value is about "
                             f"{expected[bad][0]:.6g} ({why})")
            if matches(values, special.log_expit(-z), rtol=1e-10, atol=1e-300):
                raise NotYet("log_sigmoid computes log sigmoid(-z) = log(1 - sigmoid(z)): check the sign of z")
            if matches(values, special.expit(z), rtol=1e-10, atol=1e-300):
                raise NotYet("log_sigmoid returned sigmoid(z) itself, not its logarithm")
            lost = (values == 0) & (expected < -1e-300)
            if lost.any():
                at = z[lost][0]
                raise NotYet(f"log_sigmoid rounds to 0 at z = {at:g}, where the exact value is "
                             f"{expected[lost][0]:.3g}: a logarithm of a number that rounds to 1 loses it")
            if not np.allclose(values, expected, rtol=1e-10, atol=1e-300):
                worst = np.argmax(np.abs(values - expected) / np.maximum(np.abs(expected), 1e-300))
                rel = abs(values.flat[worst] - expected.flat[worst]) / max(abs(expected.flat[worst]), 1e-300)
                if 1e-10 < rel < 1e-2:
                    raise NotYet(f"log_sigmoid loses precision at z = {z.flat[worst]:g}: relative error {rel:.1e} "
                                 "(at most 1e-10 is asked)")
        runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        if runtime:
            hint = f"log_sigmoid raised a RuntimeWarning ({runtime[0].message})"
            if matches(values, expected, rtol=1e-10, atol=1e-300):
                hint += ": the values are right, but np.where evaluates both of its branches on every element"
            raise NotYet(hint)
        compare("log_sigmoid(z)", got, expected, rtol=1e-10, atol=1e-300)


# --- exercise: the backward pass of PReLU ----------------------------------------------------

@grader("ch2.prelu_backward", "the backward pass of PReLU with one slope per channel", n_cases=5)
def prelu_backward(answer, rng):
    r"""``answer(z, a, grad_out) -> (grad_z, grad_a)`` for :math:`h = z` (:math:`z > 0`),
    :math:`a_c z` (:math:`z \le 0`), with ``z``, ``grad_out`` (n_samples, n_channels) and ``a``
    (n_channels,): :math:`\partial L/\partial z = \text{grad\_out}\cdot f'(z)` and
    :math:`\partial L/\partial a_c = \sum_i \text{grad\_out}_{ic} \min(z_{ic}, 0)`
    (:func:`nnbook.nn.activations.prelu_prime`, :func:`~nnbook.nn.activations.prelu_slope_grad`)."""
    for case in range(5):
        m, c = (6, 4) if case == 0 else (int(rng.integers(2, 8)), int(rng.integers(2, 6)))
        z = rng.normal(size=(m, c))
        z.flat[rng.choice(z.size, size=2, replace=False)] = 0.0  # the kink: the left branch's slope
        a = rng.uniform(0.05, 0.6, size=c)
        grad_out = rng.normal(size=(m, c))
        grad_z = act.prelu_prime(z, a) * grad_out
        grad_a = act.prelu_slope_grad(z, a, grad_out)
        result = answer(z.copy(), a.copy(), grad_out.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two arrays: (grad_z, grad_a)")
        got_z, got_a = result
        if matches(got_z, act.prelu_prime(z, a), rtol=1e-9, atol=1e-12):
            raise NotYet("grad_z is PReLU's derivative f'(z) alone: the chain rule multiplies it by grad_out")
        if matches(got_z, np.where(z >= 0, 1.0, a) * grad_out, rtol=1e-9, atol=1e-12):
            raise NotYet("grad_z uses the slope 1 at z = 0; the book (and PyTorch) take the left branch there, "
                         "the slope a")
        if matches(got_z, (z > 0) * grad_out, rtol=1e-9, atol=1e-12):
            raise NotYet("grad_z is 0 wherever z <= 0, ReLU's backward pass; PReLU's negative branch has slope a")
        compare("grad_z", got_z, grad_z)
        per_entry = grad_out * np.minimum(z, 0.0)
        if matches(got_a, per_entry, rtol=1e-9, atol=1e-12):
            raise NotYet(f"grad_a has one entry per example and channel; it must have the shape of a, ({c},): "
                         "every example uses the same slopes, so their contributions add up")
        if matches(got_a, per_entry.sum(axis=1), rtol=1e-9, atol=1e-12):
            raise NotYet(f"grad_a is summed over the wrong axis: it has one entry per example, ({m},), instead "
                         f"of one per channel, ({c},)")
        if matches(got_a, (grad_out * z).sum(axis=0), rtol=1e-9, atol=1e-12):
            raise NotYet("grad_a adds grad_out * z over every entry; only the entries with z <= 0 depend on a")
        compare("grad_a", got_a, grad_a)


# --- exercise: the derivative of Mish ---------------------------------------------------------

def _mish_prime_rational(z: np.ndarray) -> np.ndarray:
    r"""Mish'(z) as a rational function of :math:`u = e^{z}` (for :math:`z \le 0`) or
    :math:`v = e^{-z}` (for :math:`z > 0`), so that nothing overflows.

    With :math:`\tanh(\log(1 + u)) = N/D`, :math:`N = u^2 + 2u`, :math:`D = u^2 + 2u + 2`:
    :math:`\mathrm{Mish}'(z) = N/D + z \cdot 4u(u + 1)/D^2`; dividing by :math:`u^2` and
    :math:`u^4` gives :math:`(1 + 2v)/D_v + z \cdot 4v^2(1 + v)/D_v^2`, :math:`D_v = 1 + 2v + 2v^2`.
    """
    u = np.exp(np.minimum(z, 0.0))
    v = np.exp(-np.maximum(z, 0.0))
    D_u, D_v = u * u + 2 * u + 2, 1 + 2 * v + 2 * v * v
    left = (u * u + 2 * u) / D_u + z * 4 * u * (u + 1) / D_u**2
    right = (1 + 2 * v) / D_v + z * 4 * v * v * (1 + v) / D_v**2
    return np.where(z > 0, right, left)


@grader("ch2.mish_prime", "the derivative of Mish", n_cases=5)
def mish_prime(answer, rng):
    r"""``answer(z) -> array`` of :math:`\mathrm{Mish}'(z)`, elementwise, for
    :math:`\mathrm{Mish}(z) = z \tanh(\operatorname{softplus}(z))` (Misra, 2019), on
    :math:`|z| \le 20`. Reference: the closed form of :func:`_mish_prime_rational`, in
    powers of :math:`e^{\pm z}`."""
    for case in range(5):
        if case == 0:
            z = np.array([-20.0, -3.0, -1.0, -0.3, 0.0, 0.4, 1.0, 2.5, 20.0])
        else:
            z = rng.uniform(-6.0, 6.0, size=(int(rng.integers(2, 5)), int(rng.integers(2, 6))))
        expected = _mish_prime_rational(z)
        got = answer(z.copy())
        t = np.tanh(np.logaddexp(0.0, z))  # the gate tanh(softplus(z))
        s = special.expit(z)
        mistakes = [
            (t, "mish_prime returns only the gate tanh(softplus(z)): Mish is a product of z and the gate, "
                "so the product rule gives a second term"),
            (z * t, "mish_prime returned Mish itself, not its derivative"),
            (t + z * (1 - t * t), "the derivative of the gate tanh(softplus(z)) needs the chain rule once more: "
                                  "softplus has a derivative, too"),
            (t + z * (1 + t * t) * s, "check the derivative of tanh (the catalogue: tanh'(u) = 1 - tanh(u)^2)"),
            (t + z * s, "the derivative of tanh(softplus(z)) misses the factor tanh' at softplus(z)"),
        ]
        for value, hint in mistakes:
            if matches(got, value, rtol=1e-9, atol=1e-12):
                raise NotYet(hint)
        compare("mish_prime(z)", got, expected, rtol=1e-9, atol=1e-12)
