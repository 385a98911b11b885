"""nnbook.exercises.ch5: PyTorch's layers pass, typical mistakes get their hint.

The referees are ``torch.nn.functional.conv2d`` (output sizes and values), ``max_pool2d`` with
``return_indices=True`` (values and arg-max indices) and the parameter count of ``nn.Conv2d``.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings, strategies as st

from nnbook.exercises import check


# ---------------------------------------------------------------------------------------------
# referees

def output_size_torch(n, kernel, stride, padding, dilation):
    """The length of F.conv2d's output along a 1-pixel-wide axis."""
    return F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, kernel, 1), stride=(stride, 1),
                    padding=(padding, 0), dilation=(dilation, 1)).shape[2]


def correlate2d_torch(x, w):
    return F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0].numpy()


def max_pool2d_torch(x, kernel, stride):
    y, indices = F.max_pool2d(torch.tensor(x)[None, None], kernel, stride, return_indices=True)
    return y[0, 0].numpy(), indices[0, 0].numpy()


def conv_parameters_torch(c_in, c_out, kernel_size, bias=True, groups=1):
    with torch.device("meta"):
        layer = torch.nn.Conv2d(c_in, c_out, kernel_size, bias=bias, groups=groups)
    return sum(p.numel() for p in layer.parameters())


# plain loops, as a student writes them
def correlate2d_loops(x, w):
    H, W = x.shape
    kh, kw = w.shape
    y = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] = np.sum(w * x[i:i + kh, j:j + kw])
    return y


def max_pool2d_loops(x, kernel, stride):
    H, W = x.shape
    Ho, Wo = (H - kernel) // stride + 1, (W - kernel) // stride + 1
    y, argmax = np.zeros((Ho, Wo)), np.zeros((Ho, Wo), dtype=int)
    for i in range(Ho):
        for j in range(Wo):
            window = x[stride * i:stride * i + kernel, stride * j:stride * j + kernel]
            u, v = np.unravel_index(np.argmax(window), window.shape)
            y[i, j], argmax[i, j] = window[u, v], (stride * i + u) * W + stride * j + v
    return y, argmax


REFEREES = {"ch5.output_size": output_size_torch, "ch5.correlate2d": correlate2d_torch,
            "ch5.max_pool2d": max_pool2d_torch, "ch5.conv_parameters": conv_parameters_torch}


@pytest.mark.parametrize("exercise", sorted(REFEREES))
def test_pytorch_passes(exercise):
    verdict = check(exercise, REFEREES[exercise])
    assert verdict, verdict


def test_plain_loops_pass():
    assert check("ch5.correlate2d", correlate2d_loops)
    assert check("ch5.max_pool2d", max_pool2d_loops)


@pytest.mark.parametrize("exercise", sorted(REFEREES))
def test_the_stub_is_not_yet(exercise):
    def stub(*args, **kwargs):
        raise NotImplementedError("fill in the stub")

    verdict = check(exercise, stub)
    assert not verdict
    assert verdict.message == "stub still raises NotImplementedError: fill in the stub"


# ---------------------------------------------------------------------------------------------
# output size

@pytest.mark.parametrize("answer, hint", [
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) / s + 1, "a number of windows is a whole number"),
    (lambda n, k, s, p, d: float((n + 2 * p - d * (k - 1) - 1) // s + 1), "must return an int, got the float"),
    (lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1, "one output too many at"),
    (lambda n, k, s, p, d: (n + 2 * p - k) // s + 1, "wrong only where dilation > 1"),
    (lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1, "padding=p adds p zeros on each side"),
    (lambda n, k, p, s, d: (n + 2 * p - d * (k - 1) - 1) // s + 1, "are stride and padding swapped?"),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s, "one output too few everywhere"),
    (lambda n, k, s, p, d: output_size_torch(n, k, s, p, d) + (n == 7), "returned"),
])
def test_output_size_mistakes_are_named(answer, hint):
    verdict = check("ch5.output_size", answer)
    assert not verdict and hint in verdict.message, verdict


# ---------------------------------------------------------------------------------------------
# cross-correlation

@pytest.mark.parametrize("answer, hint", [
    (lambda x, w: correlate2d_torch(x, w[::-1, ::-1].copy()), "the convolution of signal processing"),
    (lambda x, w: correlate2d_torch(x.T.copy(), w.T.copy()), "y has shape (4, 5), expected (5, 4) (transposed?)"),
    (lambda x, w: correlate2d_torch(x, w)[:-1, :-1], "one row and one column short"),
    (lambda x, w: np.zeros_like(x), "y has the shape of x"),
    (lambda x, w: correlate2d_torch(np.pad(x, ((len(w) - 1,) * 2, (w.shape[1] - 1,) * 2)), w), "the 'full' size"),
    (lambda x, w: 2 * correlate2d_torch(x, w), "off by a constant factor"),
])
def test_correlate2d_mistakes_are_named(answer, hint):
    verdict = check("ch5.correlate2d", answer)
    assert not verdict and hint in verdict.message, verdict


# ---------------------------------------------------------------------------------------------
# max pooling

def _window_index(x, kernel, stride):
    """The arg-max as a position inside each window, u * kernel + v."""
    y, flat = max_pool2d_torch(x, kernel, stride)
    r, c = np.divmod(flat, x.shape[1])
    return y, (r - stride * np.arange(y.shape[0])[:, None]) * kernel + c - stride * np.arange(y.shape[1])


def _swapped_index(x, kernel, stride):
    y, flat = max_pool2d_torch(x, kernel, stride)
    r, c = np.divmod(flat, x.shape[1])
    return y, c * x.shape[0] + r


@pytest.mark.parametrize("answer, hint", [
    (lambda x, k, s: max_pool2d_torch(x, k, k), "that of windows 3 apart: the windows are stride = 2 apart"),
    (lambda x, k, s: (F.avg_pool2d(torch.tensor(x)[None, None], k, s)[0, 0].numpy(), max_pool2d_torch(x, k, s)[1]),
     "y holds the mean of each window"),
    (_window_index, "argmax holds the position inside each window"),
    (_swapped_index, "argmax swaps rows and columns"),
    (lambda x, k, s: (max_pool2d_torch(x, k, s)[0], max_pool2d_torch(x, k, s)[1].astype(float)),
     "argmax must be an int array of shape"),
    (lambda x, k, s: (max_pool2d_torch(x, k, s)[0], np.stack(np.divmod(max_pool2d_torch(x, k, s)[1], x.shape[1]), -1)),
     "not (row, column) pairs"),
    (lambda x, k, s: (max_pool2d_torch(x, k, s)[0], max_pool2d_torch(x, k, s)[1] + 1), "x.ravel()[argmax] is not y"),
    (lambda x, k, s: max_pool2d_torch(x, k, s)[0], "return a tuple of two arrays: (y, argmax)"),
])
def test_max_pool2d_mistakes_are_named(answer, hint):
    verdict = check("ch5.max_pool2d", answer)
    assert not verdict and hint in verdict.message, verdict


# ---------------------------------------------------------------------------------------------
# parameters of a convolution layer

def _weights(c_in, c_out, kernel_size, groups):
    return c_out * (c_in // groups) * kernel_size[0] * kernel_size[1]


@pytest.mark.parametrize("answer, hint", [
    (lambda ci, co, ks, bias=True, groups=1: _weights(ci, co, ks, groups), "did you count the biases?"),
    (lambda ci, co, ks, bias=True, groups=1: _weights(ci, co, ks, groups) + co, "has no biases"),
    (lambda ci, co, ks, bias=True, groups=1: _weights(ci, co, ks, 1) + co * bias, "wrong only where groups > 1"),
    (lambda ci, co, ks, bias=True, groups=1: _weights(ci, co, (ks[0], ks[0]), groups) + co * bias,
     "wrong only for non-square kernels"),
    (lambda ci, co, ks, bias=True, groups=1: co * ks[0] * ks[1] + co * bias, "conv_parameters(3, 16, (3, 5)"),
])
def test_conv_parameters_mistakes_are_named(answer, hint):
    verdict = check("ch5.conv_parameters", answer)
    assert not verdict and hint in verdict.message, verdict


# ---------------------------------------------------------------------------------------------
# a family of bad answers: always "not yet", in one line, never an exception

BAD_VALUES = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**6, 10**6), st.just(np.nan), st.just(object()), st.just((1, 2, 3)),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.builds(lambda shape, fill: np.full(shape, fill), st.tuples(st.integers(0, 4), st.integers(0, 4)),
              st.sampled_from([0.0, np.nan, np.inf, -1.0])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise=st.sampled_from(sorted(REFEREES)), bad=BAD_VALUES, as_pair=st.booleans())
def test_bad_answers_get_one_line_not_yet(exercise, bad, as_pair):
    def answer(*args, **kwargs):
        return (bad, bad) if as_pair else bad

    verdict = check(exercise, answer)
    assert not verdict and "raised" not in verdict.message  # the grader's own checks refused it
    assert "\n" not in str(verdict) and str(verdict).startswith(f"{exercise}: not yet: ")
