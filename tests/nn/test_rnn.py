"""nnbook.nn.rnn: the tanh RNN and BPTT against torch.nn.RNN and float64 autograd, plus bad inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nn.rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward

pytestmark = pytest.mark.ch4

SETTINGS = settings(max_examples=20, deadline=None, database=None)
CASES = [(1, 1, 1, 1), (5, 3, 4, 6), (12, 2, 3, 5), (30, 4, 2, 8)]  # (T, N, D, H)


def _params(T, N, D, H, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((T, N, D)), rng.standard_normal((N, H)), scale * rng.standard_normal((H, D)),
            scale * rng.standard_normal((H, H)), rng.standard_normal(H), rng.standard_normal((T, N, H)))


@pytest.mark.parametrize("T,N,D,H", CASES)
def test_forward_and_all_gradients_match_torch_nn_rnn_float64(T, N, D, H):
    X, h0, W_xh, W_hh, b, G = _params(T, N, D, H)
    out, cache = rnn_forward(X, h0, W_xh, W_hh, b)
    grads = rnn_backward(G, cache)

    rnn = torch.nn.RNN(D, H, nonlinearity="tanh").double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(W_xh))
        rnn.weight_hh_l0.copy_(torch.tensor(W_hh))
        rnn.bias_ih_l0.copy_(torch.tensor(b / 3))
        rnn.bias_hh_l0.copy_(torch.tensor(2 * b / 3))  # torch's two biases add up to our b
    Xt = torch.tensor(X, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    ref, h_n = rnn(Xt, h0t)
    ref.backward(torch.tensor(G))

    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[-1], h_n[0].detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in ((grads.dX, Xt.grad), (grads.dh0, h0t.grad[0]), (grads.dW_xh, rnn.weight_ih_l0.grad),
                         (grads.dW_hh, rnn.weight_hh_l0.grad), (grads.db, rnn.bias_ih_l0.grad),
                         (grads.db, rnn.bias_hh_l0.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_total_state_gradients_match_autograd_of_the_unrolled_loop():
    T, N, D, H = 8, 3, 2, 4
    X, h0, W_xh, W_hh, b, G = _params(T, N, D, H, seed=1, scale=0.9)
    _, cache = rnn_forward(X, h0, W_xh, W_hh, b)
    dH = rnn_backward(G, cache).dH
    Wx, Wh, bt = (torch.tensor(a) for a in (W_xh, W_hh, b))
    h, states = torch.tensor(h0, requires_grad=True), []
    for t in range(T):
        h = torch.tanh(torch.tensor(X[t]) @ Wx.T + h @ Wh.T + bt)
        h.retain_grad()
        states.append(h)
    (torch.stack(states) * torch.tensor(G)).sum().backward()
    for t in range(T):
        np.testing.assert_allclose(dH[t], states[t].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"dL/dh_t at t={t}")


def test_cell_matches_sequence_of_length_one_and_central_differences():
    X, h0, W_xh, W_hh, b, G = _params(1, 2, 3, 4, seed=2)
    h, cache = rnn_cell_forward(X[0], h0, W_xh, W_hh, b)
    out, _ = rnn_forward(X, h0, W_xh, W_hh, b)
    np.testing.assert_array_equal(h, out[0])
    dx, dh_prev, dWx, dWh, db = rnn_cell_backward(G[0], cache)
    eps = 1e-6
    for name, arr, grad in (("x", X[0], dx), ("h_prev", h0, dh_prev), ("W_hh", W_hh, dWh), ("b", b, db)):
        for i in range(arr.size):
            old = arr.flat[i]
            arr.flat[i] = old + eps
            plus = np.sum(G[0] * rnn_cell_forward(X[0], h0, W_xh, W_hh, b)[0])
            arr.flat[i] = old - eps
            minus = np.sum(G[0] * rnn_cell_forward(X[0], h0, W_xh, W_hh, b)[0])
            arr.flat[i] = old
            np.testing.assert_allclose(grad.flat[i], (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8,
                                       err_msg=f"d/d{name}[{i}]")


def test_gradient_through_time_is_the_product_of_step_jacobians():
    """With a loss on the last state only, dL/dh_0 = (prod of J_s^T) g_T, J_s = diag(1-h_s^2) W_hh."""
    T, N, D, H = 6, 1, 2, 3
    X, h0, W_xh, W_hh, b, _ = _params(T, N, D, H, seed=3)
    out, cache = rnn_forward(X, h0, W_xh, W_hh, b)
    G = np.zeros((T, N, H))
    G[-1] = 1.0
    v = np.ones(H)
    for t in range(T - 1, -1, -1):
        v = W_hh.T @ ((1 - out[t, 0] ** 2) * v)
    np.testing.assert_allclose(rnn_backward(G, cache).dh0[0], v, rtol=1e-12)


# --- bad inputs ---------------------------------------------------------------------------
GOOD = _params(4, 2, 3, 5)[:5]
NAMES = ("X", "h0", "W_xh", "W_hh", "b")


def _bad(shape):
    return st.one_of(st.just(np.full(shape, np.nan)), st.just(np.full(shape, np.inf)), st.just(None),
                     st.just("abc"), st.just(np.ones(shape, complex)), st.just(np.ones(shape, bool)),
                     st.just(np.ones(tuple(shape) + (2,))), st.just(np.ones(tuple(s + 1 for s in shape))))


@SETTINGS
@given(index=st.integers(0, 4), data=st.data())
def test_rnn_forward_rejects_bad_arrays_naming_the_argument(index, data):
    args = list(GOOD)
    args[index] = data.draw(_bad(np.shape(GOOD[index])))
    with pytest.raises((ValueError, TypeError), match=NAMES[index]):
        rnn_forward(*args)


@SETTINGS
@given(bad=_bad((4, 2, 5)))
def test_rnn_backward_rejects_bad_grad_H(bad):
    _, cache = rnn_forward(*GOOD)
    with pytest.raises((ValueError, TypeError), match="grad_H"):
        rnn_backward(bad, cache)


@SETTINGS
@given(cache=st.one_of(st.just(None), st.just([]), st.just("cache"), st.just((1, 2))))
def test_rnn_backward_rejects_a_bad_cache(cache):
    with pytest.raises(TypeError, match="cache"):
        rnn_backward(np.zeros((4, 2, 5)), cache)


@SETTINGS
@given(index=st.integers(0, 4), data=st.data())
def test_rnn_cell_forward_rejects_bad_arrays_naming_the_argument(index, data):
    args = [GOOD[0][0], *GOOD[1:]]
    args[index] = data.draw(_bad(np.shape(args[index])))
    name = ("x", "h_prev", "W_xh", "W_hh", "b")[index]
    with pytest.raises((ValueError, TypeError), match=name):
        rnn_cell_forward(*args)
