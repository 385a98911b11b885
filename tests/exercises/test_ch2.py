"""nnbook.exercises.ch2: independent references pass, typical mistakes get their hint."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from nnbook.exercises import check

CH2 = ("ch2.dead_fraction", "ch2.log_sigmoid", "ch2.prelu_backward", "ch2.mish_prime")


# --- independent references -----------------------------------------------------------------

def dead_fraction_by_enumeration(Z):
    """Brute force: look at every unit's column, entry by entry."""
    n_samples, n_units = Z.shape
    dead = 0
    for j in range(n_units):
        if all(Z[i, j] <= 0 for i in range(n_samples)):
            dead += 1
    return dead / n_units


def log_sigmoid_torch(z):
    return F.logsigmoid(torch.tensor(z, dtype=torch.float64)).numpy()


def prelu_backward_autograd(z, a, grad_out):
    """torch autograd through F.prelu (one slope per channel) in float64."""
    zt = torch.tensor(z, requires_grad=True)
    at = torch.tensor(a, requires_grad=True)
    F.prelu(zt, at).backward(torch.tensor(grad_out))
    return zt.grad.numpy(), at.grad.numpy()


def mish_prime_autograd(z):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    F.mish(zt).sum().backward()
    return zt.grad.numpy()


@pytest.mark.parametrize("exercise, answer", [
    ("ch2.dead_fraction", dead_fraction_by_enumeration),
    ("ch2.log_sigmoid", log_sigmoid_torch),
    ("ch2.prelu_backward", prelu_backward_autograd),
    ("ch2.mish_prime", mish_prime_autograd),
])
def test_an_independent_reference_passes(exercise, answer):
    verdict = check(exercise, answer)
    assert verdict, verdict
    assert verdict.message == "agrees with the reference on 5 random cases"


def test_the_log_sigmoid_reference_is_exact_where_it_matters():
    # values worked out by hand: log sigmoid(-1000) = -1000 - log(1 + e^-1000), log sigmoid(40) = -e^-40 (1 - ...)
    z = np.array([-1000.0, 0.0, 40.0])
    np.testing.assert_allclose(log_sigmoid_torch(z), [-1000.0, -np.log(2.0), -np.exp(-40.0)], rtol=1e-15)


@pytest.mark.parametrize("exercise", CH2)
def test_the_stub_is_not_yet(exercise):
    def stub(*args):
        raise NotImplementedError("fill in the stub")

    verdict = check(exercise, stub)
    assert not verdict and "not yet" in str(verdict) and "still raises NotImplementedError" in verdict.message


# --- typical mistakes -------------------------------------------------------------------------

@pytest.mark.parametrize("answer, hint", [
    (lambda Z: np.mean(Z <= 0), "counts the entries with z <= 0"),
    (lambda Z: np.mean((Z <= 0).all(axis=1)), "looks along the wrong axis"),
    (lambda Z: np.mean((Z < 0).all(axis=0)), "exactly 0"),
    (lambda Z: np.sum((Z <= 0).all(axis=0)), "returned the number of dead units"),
    (lambda Z: np.mean((Z > 0).any(axis=0)), "fraction of units that are alive"),
    (lambda Z: (Z <= 0).all(axis=0), "one flag per unit"),
])
def test_dead_fraction_mistakes_are_named(answer, hint):
    verdict = check("ch2.dead_fraction", answer)
    assert not verdict and hint in verdict.message


def test_a_log_sigmoid_that_overflows_is_caught():
    verdict = check("ch2.log_sigmoid", lambda z: -np.log(1 + np.exp(-z)))
    assert not verdict and "log_sigmoid(-1000) gives -inf" in verdict.message
    assert "an exponential overflows there" in verdict.message


def test_the_log_of_a_stable_sigmoid_underflows():
    def log_of_stable_sigmoid(z):
        e = np.exp(-np.abs(z))
        return np.log(np.where(z >= 0, 1 / (1 + e), e / (1 + e)))

    verdict = check("ch2.log_sigmoid", log_of_stable_sigmoid)
    assert not verdict and "log_sigmoid(-1000) gives -inf" in verdict.message
    assert "sigmoid(z) underflows to 0 there" in verdict.message


def test_a_log_sigmoid_that_rounds_to_zero_is_caught():
    def log_of_sigmoid_for_positive_z(z):
        with np.errstate(over="ignore"):
            return np.where(z < 0, z - np.log1p(np.exp(z)), np.log(1 / (1 + np.exp(-z))))

    verdict = check("ch2.log_sigmoid", log_of_sigmoid_for_positive_z)
    assert not verdict and "rounds to 0 at z = 40" in verdict.message


def test_a_log_sigmoid_whose_discarded_branch_overflows_is_caught():
    def both_branches(z):
        return np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z)))

    verdict = check("ch2.log_sigmoid", both_branches)
    assert not verdict and "RuntimeWarning" in verdict.message and "both of its branches" in verdict.message


def test_a_log_sigmoid_with_the_wrong_sign_of_z_is_named():
    verdict = check("ch2.log_sigmoid", lambda z: -np.logaddexp(0.0, z))
    assert not verdict and "check the sign of z" in verdict.message


def test_a_log_sigmoid_written_without_warnings_passes():
    def stable(z):
        return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))

    assert check("ch2.log_sigmoid", stable)


def _prelu_right(z, a, grad_out):
    return prelu_backward_autograd(z, a, grad_out)


@pytest.mark.parametrize("answer, hint", [
    (lambda z, a, g: (np.where(z > 0, 1.0, a), _prelu_right(z, a, g)[1]), "f'(z) alone"),
    (lambda z, a, g: (np.where(z >= 0, 1.0, a) * g, _prelu_right(z, a, g)[1]), "the slope 1 at z = 0"),
    (lambda z, a, g: ((z > 0) * g, _prelu_right(z, a, g)[1]), "ReLU's backward pass"),
    (lambda z, a, g: (_prelu_right(z, a, g)[0], g * np.minimum(z, 0)), "one entry per example and channel"),
    (lambda z, a, g: (_prelu_right(z, a, g)[0], (g * np.minimum(z, 0)).sum(axis=1)), "the wrong axis"),
    (lambda z, a, g: (_prelu_right(z, a, g)[0], (g * z).sum(axis=0)), "only the entries with z <= 0"),
    (lambda z, a, g: (_prelu_right(z, a, g)[0], (g * np.minimum(z, 0)).mean(axis=0)), "off by a constant factor"),
    (lambda z, a, g: _prelu_right(z, a, g)[0], "return a tuple of two arrays"),
])
def test_prelu_backward_mistakes_are_named(answer, hint):
    verdict = check("ch2.prelu_backward", answer)
    assert not verdict and hint in verdict.message


def _gate(z):
    return np.tanh(np.logaddexp(0.0, z))


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("answer, hint", [
    (_gate, "the product rule gives a second term"),
    (lambda z: z * _gate(z), "returned Mish itself"),
    (lambda z: _gate(z) + z * (1 - _gate(z) ** 2), "softplus has a derivative, too"),
    (lambda z: _gate(z) + z * (1 + _gate(z) ** 2) * _sigmoid(z), "the derivative of tanh"),
    (lambda z: _gate(z) + z * _sigmoid(z), "misses the factor tanh'"),
    (lambda z: _gate(z) - z * (1 - _gate(z) ** 2) * _sigmoid(z), "differs from the reference"),
])
def test_mish_prime_mistakes_are_named(answer, hint):
    verdict = check("ch2.mish_prime", answer)
    assert not verdict and hint in verdict.message


# --- bad answers of every kind: always one line, never an exception ---------------------------

_BAD_VALUES = st.one_of(
    st.none(), st.text(max_size=5), st.integers(), st.floats(allow_nan=True),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6),
    st.tuples(st.none(), st.none()), st.tuples(st.integers(), st.text(max_size=3)),
    st.builds(lambda shape, fill: np.full(shape, fill),
              st.tuples(st.integers(0, 4), st.integers(1, 4)), st.sampled_from([np.nan, np.inf, 0.0, 1.0])),
    st.builds(lambda shape: (np.full(shape, np.nan), np.zeros(shape[1:])),
              st.tuples(st.integers(1, 4), st.integers(1, 4))),
    st.just(object()), st.just({"grad_z": 1}),
)


@settings(max_examples=60, deadline=None)
@given(exercise=st.sampled_from(CH2), value=_BAD_VALUES, raises=st.booleans())
def test_a_bad_answer_is_one_line_of_not_yet(exercise, value, raises, assert_one_line_not_yet):
    assert_one_line_not_yet(exercise, value, raises)
