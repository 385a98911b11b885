"""nnbook.exercises.ch3: independent references pass, typical mistakes get their hint, bad answers get one line."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from scipy.optimize import approx_fprime

from nnbook.exercises import check
from nnbook.nn import gradcheck

pytestmark = pytest.mark.ch3

CH3 = ["ch3.dense_backward", "ch3.softmax_cross_entropy_grad", "ch3.numerical_gradient", "ch3.two_layer_backward"]


# --- the references: torch autograd in float64, and the package's own finite differences ---------
def dense_backward_autograd(delta, A_prev, W):
    """The referee: torch autograd on Z = A_prev W^T + b, with dJ/dZ = delta."""
    A = torch.tensor(A_prev, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    b = torch.zeros(W.shape[0], dtype=torch.float64, requires_grad=True)
    (A @ Wt.T + b).backward(torch.tensor(delta))
    return Wt.grad.numpy(), b.grad.numpy(), A.grad.numpy()


def softmax_cross_entropy_grad_autograd(Z, y):
    """The referee: the gradient of torch's mean cross-entropy with respect to the logits."""
    Zt = torch.tensor(Z, requires_grad=True)
    F.cross_entropy(Zt, torch.tensor(y)).backward()
    return Zt.grad.numpy()


def numerical_gradient_from_the_package(f, x, h=1e-5):
    """The referee: nnbook.nn.gradcheck.numerical_gradient, which perturbs a copy of x in place."""
    param = np.array(x, dtype=float)
    return gradcheck.numerical_gradient(lambda: f(param), param, h)


def two_layer_backward_autograd(X, y, W1, b1, W2, b2):
    """The referee: torch autograd through tanh, linear and F.cross_entropy."""
    params = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    tW1, tb1, tW2, tb2 = params
    logits = torch.tanh(torch.tensor(X) @ tW1.T + tb1) @ tW2.T + tb2
    F.cross_entropy(logits, torch.tensor(y)).backward()
    return tuple(p.grad.numpy() for p in params)


@pytest.mark.parametrize("exercise, reference", [
    ("ch3.dense_backward", dense_backward_autograd),
    ("ch3.softmax_cross_entropy_grad", softmax_cross_entropy_grad_autograd),
    ("ch3.numerical_gradient", numerical_gradient_from_the_package),
    ("ch3.two_layer_backward", two_layer_backward_autograd),
])
def test_an_independent_reference_passes(exercise, reference):
    verdict = check(exercise, reference)
    assert verdict, str(verdict)
    assert verdict.message == "agrees with the reference on 5 random cases"


@pytest.mark.parametrize("exercise", CH3)
def test_the_stub_is_not_yet(exercise):
    def stub(*args):
        raise NotImplementedError("fill in the stub")

    verdict = check(exercise, stub)
    assert not verdict and verdict.message == "stub still raises NotImplementedError: fill in the stub"


# --- dense_backward ----------------------------------------------------------------------------
def test_a_transposed_weight_gradient_is_named():
    verdict = check("ch3.dense_backward", lambda d, a, w: (a.T @ d, d.sum(0), d @ w))
    assert "dW has shape (3, 5), expected (5, 3) (transposed?)" in verdict.message


def test_a_mean_instead_of_a_sum_is_a_constant_factor():
    verdict = check("ch3.dense_backward", lambda d, a, w: (d.T @ a / len(d), d.sum(0), d @ w))
    assert "dW is off by a constant factor" in verdict.message


def test_a_wrong_tuple_is_explained():
    verdict = check("ch3.dense_backward", lambda d, a, w: d.T @ a)
    assert verdict.message == "return a tuple of three arrays: (dW, db, dA_prev)"


# --- softmax_cross_entropy_grad -------------------------------------------------------------------
def _softmax(Z, axis=1):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _one_hot(y, K):
    return np.eye(K)[y]


@pytest.mark.parametrize("answer, hint", [
    (lambda Z, y: _softmax(Z) - _one_hot(y, Z.shape[1]), "dJ/dZ is m = 4 times too large: J is the mean"),
    (lambda Z, y: (_one_hot(y, Z.shape[1]) - _softmax(Z)) / len(y), "dJ/dZ has the wrong sign"),
    (lambda Z, y: -_one_hot(y, Z.shape[1]) * (1 - _softmax(Z)) / len(y),  # the diagonal of the Jacobian only
     "only the true class's entries are right"),
    (lambda Z, y: (_softmax(Z, axis=0) - _one_hot(y, Z.shape[1])) / len(y), "normalised over the wrong axis"),
    (lambda Z, y: ((np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)) - _one_hot(y, Z.shape[1])) / len(y),
     "NaN or inf for logits near +-1000: np.exp overflows"),
    (lambda Z, y: ((_softmax(Z) - _one_hot(y, Z.shape[1])) / len(y)).T, "shape (3, 4), expected (4, 3) (transposed?)"),
])
def test_softmax_cross_entropy_mistakes_get_their_hint(answer, hint):
    verdict = check("ch3.softmax_cross_entropy_grad", answer)
    assert not verdict and hint in verdict.message


def test_an_overflowing_softmax_prints_no_warning(recwarn):
    check("ch3.softmax_cross_entropy_grad", lambda Z, y: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --- numerical_gradient ----------------------------------------------------------------------------
def _central(f, x, h, denominator=2.0):
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (denominator * h)
    return g


def _in_place_without_restoring(f, x, h):
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        x[k] += h
        f_plus = f(x)
        x[k] -= 2 * h
        g[k] = (f_plus - f(x)) / (2 * h)
    return g


@pytest.mark.parametrize("answer, hint", [
    # scipy's approx_fprime takes forward (one-sided) differences
    (lambda f, x, h: approx_fprime(x.ravel(), lambda v: f(v.reshape(x.shape)), h).reshape(x.shape),
     "this is a one-sided difference: its error is O(h)"),
    (lambda f, x, h: _central(f, x, h, denominator=1.0), "twice the gradient: the two evaluations are 2h apart"),
    (lambda f, x, h: _central(f, x, h, denominator=4.0), "half the gradient"),
    (_in_place_without_restoring, "your function changed x"),
    (lambda f, x, h: _central(f, x.ravel(), h), "f was called with ndarray of shape (6,); call it with an array "
                                                "shaped like x, (2, 3)"),
])
def test_numerical_gradient_mistakes_get_their_hint(answer, hint):
    verdict = check("ch3.numerical_gradient", answer)
    assert not verdict and hint in verdict.message


def test_a_too_small_step_is_caught_by_its_rounding_error():
    verdict = check("ch3.numerical_gradient", lambda f, x, h: _central(f, x, 1e-12))
    assert not verdict and "gradient differs from the reference" in verdict.message


# --- two_layer_backward ----------------------------------------------------------------------------
def _two_layer(X, y, W1, b1, W2, b2, *, f_prime=lambda A: 1 - A ** 2, transpose_W2=False, mean=True):
    A1 = np.tanh(X @ W1.T + b1)
    D2 = _softmax(A1 @ W2.T + b2) - _one_hot(y, len(b2))
    D2 = D2 / len(X) if mean else D2
    D1 = (D2 @ (W2.T if transpose_W2 and W2.shape[0] == W2.shape[1] else W2)) * f_prime(A1)
    return D1.T @ X, D1.sum(axis=0), D2.T @ A1, D2.sum(axis=0)


@pytest.mark.parametrize("options, hint", [
    ({"f_prime": lambda A: 1.0}, "dW1 misses the derivative of the hidden activation"),
    ({"f_prime": lambda A: A * (1 - A)}, "uses a(1 - a), the sigmoid's derivative"),
    ({"transpose_W2": True}, "multiplies by W2 the wrong way round"),
    ({"mean": False}, "every gradient is m = 6 times too large"),
])
def test_two_layer_mistakes_get_their_hint(options, hint):
    verdict = check("ch3.two_layer_backward", lambda *args: _two_layer(*args, **options))
    assert not verdict and hint in verdict.message


def test_forgotten_biases_and_a_wrong_order_are_named():
    no_bias = check("ch3.two_layer_backward", lambda X, y, W1, b1, W2, b2: _two_layer(X, y, W1, 0 * b1, W2, 0 * b2))
    assert "does your forward pass add b1 and b2?" in no_bias.message
    reordered = check("ch3.two_layer_backward", lambda *args: _two_layer(*args)[::-1])
    assert "dW1 has shape (3,), expected (5, 4)" in reordered.message
    too_few = check("ch3.two_layer_backward", lambda *args: _two_layer(*args)[:2])
    assert too_few.message == "return a tuple of four arrays: (dW1, db1, dW2, db2)"


# --- any bad answer: "not yet" in one line, never an exception ------------------------------------
values = st.one_of(
    st.none(), st.text(max_size=4), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.builds(np.full, st.lists(st.integers(0, 6), max_size=3).map(tuple),
              st.floats(allow_nan=True, allow_infinity=True)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
bad_results = st.one_of(values, st.lists(values, max_size=5).map(tuple))


@settings(max_examples=60, deadline=None)
@given(exercise=st.sampled_from(CH3), result=bad_results, raises=st.booleans())
def test_any_bad_answer_gets_one_line_of_not_yet(exercise, result, raises, assert_one_line_not_yet):
    assert_one_line_not_yet(exercise, result, raises)
