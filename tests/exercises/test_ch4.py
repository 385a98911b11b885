"""nnbook.exercises.ch4: independent references pass, typical mistakes get their hint."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnbook.exercises import check
from nnbook.nn.dropout import dropout_backward

pytestmark = pytest.mark.ch4


# --- inverted dropout ---------------------------------------------------------------------------

def dropout_by_backward(H, mask, p):
    """The referee: dropout's backward pass is the same linear map r * (.) / (1 - p) (nnbook.nn.dropout)."""
    return dropout_backward(H, mask, p)


def dropout_by_loops(H, mask, p):
    """A second referee, one unit at a time: kept units divided by the keep probability."""
    out = np.zeros_like(H)
    for i in range(H.shape[0]):
        for j in range(H.shape[1]):
            if mask[i, j]:
                out[i, j] = H[i, j] / (1 - p)
    return out


@pytest.mark.parametrize("referee", [dropout_by_backward, dropout_by_loops])
def test_dropout_references_pass(referee):
    assert check("ch4.inverted_dropout", referee)


@pytest.mark.parametrize("mistake, hint", [
    (lambda H, mask, p: H * mask, "the kept units are not rescaled"),
    (lambda H, mask, p: H * mask / p, "rescaled by the drop probability p"),
    (lambda H, mask, p: H * mask * (1 - p), "the kept units are shrunk"),
    (lambda H, mask, p: H * ~mask / (1 - p), "the mask is used the wrong way round"),
    (lambda H, mask, p: H / (1 - p), "no unit is dropped"),
])
def test_dropout_mistakes_get_their_hint(mistake, hint):
    verdict = check("ch4.inverted_dropout", mistake)
    assert not verdict and hint in verdict.message


def test_dropout_in_place_is_named():
    def in_place(H, mask, p):
        H[~mask] = 0.0
        H /= 1 - p
        return H

    assert "changed its inputs in place" in check("ch4.inverted_dropout", in_place).message


# --- batch norm in training mode ----------------------------------------------------------------

def batch_norm_torch(X, gamma, beta, eps):
    """The referee: torch.nn.functional.batch_norm in training mode, float64."""
    out = torch.nn.functional.batch_norm(torch.tensor(X), None, None, torch.tensor(gamma), torch.tensor(beta),
                                         training=True, eps=eps)
    return out.numpy()


def test_torch_batch_norm_passes():
    assert check("ch4.batch_norm_train", batch_norm_torch)


def _bn(X, gamma, beta, eps, axis=0, ddof=0):
    mean, var = X.mean(axis=axis, keepdims=True), X.var(axis=axis, ddof=ddof, keepdims=True)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


@pytest.mark.parametrize("mistake, hint", [
    (lambda X, g, b, eps: _bn(X, g, b, eps, axis=1), "the statistics are taken over the wrong axis"),
    (lambda X, g, b, eps: _bn(X, g, b, eps, ddof=1), "the variance is the unbiased one"),
    (lambda X, g, b, eps: g * (X - X.mean(0)) / (X.std(0) + eps) + b, "eps is added to the standard deviation"),
    (lambda X, g, b, eps: g * (X - X.mean(0)) / X.std(0) + b, "eps is missing"),
    (lambda X, g, b, eps: _bn(X, 1.0, 0.0, eps), "gamma and beta are not applied"),
    (lambda X, g, b, eps: _bn(X, b, g, eps), "gamma and beta are swapped"),
])
def test_batch_norm_mistakes_get_their_hint(mistake, hint):
    verdict = check("ch4.batch_norm_train", mistake)
    assert not verdict and hint in verdict.message


def test_a_transposed_batch_norm_shows_as_a_shape():
    verdict = check("ch4.batch_norm_train", lambda X, g, b, eps: _bn(X, g, b, eps).T)
    assert "Y has shape (3, 6), expected (6, 3) (transposed?)" in verdict.message


# --- one Adam step ------------------------------------------------------------------------------

def adam_step_torch(theta, grad, m, v, t, lr, beta1, beta2, eps):
    """The referee: torch.optim.Adam, float64, with its state set to (m, v) after t - 1 steps."""
    p = torch.nn.Parameter(torch.tensor(theta))
    optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps, foreach=False)
    if t > 1:
        optimizer.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": torch.tensor(m),
                              "exp_avg_sq": torch.tensor(v)}
    p.grad = torch.tensor(grad)
    optimizer.step()
    state = optimizer.state[p]
    return p.detach().numpy().copy(), state["exp_avg"].numpy().copy(), state["exp_avg_sq"].numpy().copy()


def test_torch_adam_passes():
    assert check("ch4.adam_step", adam_step_torch)


def _adam(theta, grad, m, v, t, lr, beta1, beta2, eps, correct_m=True, correct_v=True, power=0, inside=False,
          return_hats=False):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1 ** (t + power)) if correct_m else m
    v_hat = v / (1 - beta2 ** (t + power)) if correct_v else v
    denominator = np.sqrt(v_hat + eps) if inside else np.sqrt(v_hat) + eps
    theta = theta - lr * m_hat / denominator
    return (theta, m_hat, v_hat) if return_hats else (theta, m, v)


@pytest.mark.parametrize("options, hint", [
    ({"correct_m": False, "correct_v": False}, "the step is not bias-corrected"),
    ({"correct_v": False}, "only m is bias-corrected"),
    ({"correct_m": False}, "only v is bias-corrected"),
    ({"power": 1}, "the bias correction uses the wrong power"),
    ({"power": -1}, "theta is not finite after the first step"),
    ({"inside": True}, "eps is added inside the square root"),
    ({"return_hats": True}, "the state returned is bias-corrected"),
])
def test_adam_mistakes_get_their_hint(options, hint):
    def mistake(*args):
        return _adam(*args, **options)

    verdict = check("ch4.adam_step", mistake)
    assert not verdict and hint in verdict.message


def test_adam_state_updated_in_place_is_named():
    def in_place(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    assert "changed its inputs in place" in check("ch4.adam_step", in_place).message


# --- every grader ------------------------------------------------------------------------------

EXERCISES = ["ch4.inverted_dropout", "ch4.batch_norm_train", "ch4.adam_step"]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_stub_is_not_yet(exercise):
    def stub(*args):
        raise NotImplementedError("fill in the stub")

    verdict = check(exercise, stub)
    assert not verdict
    assert str(verdict) == f"{exercise}: not yet: stub still raises NotImplementedError: fill in the stub"


ARRAYS = st.builds(lambda shape, fill: np.full(shape, fill),
                   st.lists(st.integers(0, 4), max_size=3).map(tuple),
                   st.sampled_from([np.nan, np.inf, 0.0, 1.0, -3.5]))
SIMPLE = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.floats(allow_nan=True),
                   st.lists(st.integers(), max_size=4), st.dictionaries(st.text(max_size=2), st.integers()))
#: values no grader accepts: junk, NaN or wrongly shaped arrays, tuples of the wrong length or content
BAD_RESULTS = st.one_of(SIMPLE, ARRAYS, st.tuples(ARRAYS, ARRAYS), st.tuples(SIMPLE | ARRAYS, ARRAYS, SIMPLE))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EXERCISES), BAD_RESULTS, st.booleans())
def test_bad_answers_are_one_line_of_not_yet(assert_one_line_not_yet, exercise, result, raises):
    assert_one_line_not_yet(exercise, result, raises)
