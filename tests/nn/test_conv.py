"""nnbook.nn.conv: im2col convolution against torch.nn.functional.conv2d and float64 autograd."""
import numpy as np
import pytest
import torch

from nnbook.nn.conv import conv2d_backward, conv2d_forward, conv_output_size, receptive_field

pytestmark = pytest.mark.ch5

CASES = [  # (N, C, H, W, F, kh, kw, stride, padding)
    (2, 3, 7, 7, 4, 3, 3, 1, 0),
    (2, 3, 8, 9, 5, 3, 3, 1, 1),
    (3, 2, 9, 8, 4, 3, 2, 2, 1),
    (1, 1, 5, 5, 2, 5, 5, 1, 0),   # kernel as large as the input
    (2, 4, 11, 10, 3, 4, 4, 3, 2),  # stride that leaves pixels unused
    (2, 2, 6, 6, 3, 1, 1, 1, 0),   # 1x1 convolution
]


def _torch_reference(X, W, b, stride, padding, G):
    Xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (X, W, b))
    out = torch.nn.functional.conv2d(Xt, Wt, bt, stride=stride, padding=padding)
    out.backward(torch.tensor(G))
    return out.detach().numpy(), Xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("N,C,H,W,F,kh,kw,stride,padding", CASES)
def test_forward_and_backward_match_torch_float64(N, C, H, W, F, kh, kw, stride, padding):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, C, H, W))
    Wt = rng.standard_normal((F, C, kh, kw))
    b = rng.standard_normal(F)
    out, cache = conv2d_forward(X, Wt, b, stride=stride, padding=padding)
    G = rng.standard_normal(out.shape)
    dX, dW, db = conv2d_backward(G, cache)
    ref_out, ref_dX, ref_dW, ref_db = _torch_reference(X, Wt, b, stride, padding, G)
    for ours, ref in ((out, ref_out), (dX, ref_dX), (dW, ref_dW), (db, ref_db)):
        assert ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


def test_float32_in_float32_out_close_to_torch():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 16, 28, 28)).astype(np.float32)
    W = rng.standard_normal((8, 16, 3, 3)).astype(np.float32)
    b = np.zeros(8, dtype=np.float32)
    out, cache = conv2d_forward(X, W, b, padding=1)
    dX, dW, db = conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == dX.dtype == dW.dtype == np.float32
    ref = torch.nn.functional.conv2d(torch.tensor(X), torch.tensor(W), padding=1).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


def test_central_differences_of_a_scalar_loss():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((1, 2, 5, 5))
    W = rng.standard_normal((2, 2, 3, 3))
    b = rng.standard_normal(2)
    R = rng.standard_normal((1, 2, 3, 3))  # loss = sum(R * conv(X)) with stride 2, padding 1

    def loss(X, W, b):
        return float(np.sum(R * conv2d_forward(X, W, b, stride=2, padding=1)[0]))

    _, cache = conv2d_forward(X, W, b, stride=2, padding=1)
    dX, dW, db = conv2d_backward(R, cache)
    eps = 1e-6
    for name, array, grad in (("X", X, dX), ("W", W, dW), ("b", b, db)):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            old = array[index]
            array[index] = old + eps
            plus = loss(X, W, b)
            array[index] = old - eps
            minus = loss(X, W, b)
            array[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"gradient of {name}")


def test_one_hot_kernel_shifts_the_image():
    # A kernel that is 1 at (u, v) copies the input shifted by (u, v): the definition, by hand.
    X = np.arange(16.0).reshape(1, 1, 4, 4)
    W = np.zeros((1, 1, 3, 3))
    W[0, 0, 2, 1] = 1.0
    out, _ = conv2d_forward(X, W)
    np.testing.assert_array_equal(out[0, 0], X[0, 0, 2:4, 1:3])


def test_output_size_formula():
    assert conv_output_size(28, 5, 1, 2) == 28
    assert conv_output_size(227, 11, 4, 0) == 55   # AlexNet's first layer
    assert conv_output_size(224, 7, 2, 3) == 112   # ResNet's stem
    assert conv_output_size(7, 3, 2, 0) == 3


def test_receptive_field_of_stacked_3x3():
    assert receptive_field([(3, 1), (3, 1)]) == [(3, 1), (5, 1)]
    assert receptive_field([(3, 1)] * 3)[-1] == (7, 1)
    assert receptive_field([(2, 2), (3, 1)]) == [(2, 2), (6, 2)]


@pytest.mark.parametrize("kwargs,match", [
    (dict(stride=0), "stride"),
    (dict(stride=-1), "stride"),
    (dict(padding=-1), "padding"),
])
def test_bad_settings_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), **kwargs)


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match="kernel size"):
        conv2d_forward(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 7, 7)), padding=1)
    with pytest.raises(ValueError, match="kernel"):
        conv_output_size(4, 7, 1, 1)


def test_wrong_channel_count_and_shapes():
    with pytest.raises(ValueError, match="input channels"):
        conv2d_forward(np.zeros((1, 3, 5, 5)), np.zeros((2, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"X must be 4-D, got shape \(3, 5, 5\)"):
        conv2d_forward(np.zeros((3, 5, 5)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match="b must have shape"):
        conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros(3))
    with pytest.raises(TypeError, match="stride must be an int"):
        conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), stride=1.5)
    with pytest.raises(ValueError, match=r"X must be 4-D, got shape \(1, 1\)"):
        conv2d_forward([[0.0]], np.zeros((2, 1, 3, 3)))
    out, cache = conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)))
    with pytest.raises(ValueError, match="grad_out must have shape"):
        conv2d_backward(np.zeros((1, 2, 2, 2)), cache)
    with pytest.raises(ValueError, match="layers\\[1\\] stride"):
        receptive_field([(3, 1), (3, 0)])
