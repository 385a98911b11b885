"""nnbook.nn.pooling: max/average/spatial-pyramid pooling against torch.nn.functional and autograd."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.nn.pooling import (adaptive_bins, pool2d_backward, pool2d_forward, spatial_pyramid_pool_backward,
                               spatial_pyramid_pool_forward)

pytestmark = pytest.mark.ch5


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("H,W,kernel,stride,padding", [
    (8, 8, 2, 2, 0),     # the classic non-overlapping 2x2
    (9, 7, 3, 2, 0),     # overlapping, AlexNet style
    (10, 10, 3, 1, 1),   # heavily overlapping, padded
    (7, 9, 2, 3, 1),     # gaps between windows
])
def test_pooling_matches_torch(mode, H, W, kernel, stride, padding):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3, H, W))  # continuous values: no ties
    out, cache = pool2d_forward(X, kernel, stride, padding, mode)
    G = rng.standard_normal(out.shape)
    dX = pool2d_backward(G, cache)
    Xt = torch.tensor(X, requires_grad=True)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    ref = pool(Xt, kernel, stride, padding)
    ref.backward(torch.tensor(G))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_textbook_example_and_gradient_routing():
    X = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)[None, None]
    out, cache = pool2d_forward(X, 2, mode="max")
    np.testing.assert_array_equal(out[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(pool2d_forward(X, 2, mode="avg")[0][0, 0], [[3.25, 5.25], [2, 2]])
    dX = pool2d_backward(np.ones_like(out), cache)
    assert dX.sum() == 4 and dX[0, 0, 1, 1] == 1 and dX[0, 0, 1, 3] == 1


def test_overlapping_max_pool_sends_gradient_twice_to_a_shared_maximum():
    X = np.zeros((1, 1, 3, 5))
    X[0, 0, 1, 2] = 1.0  # the maximum lies in both windows, columns [0:3] and [2:5]
    out, cache = pool2d_forward(X, 3, 2, mode="max")
    dX = pool2d_backward(np.ones_like(out), cache)
    assert dX[0, 0, 1, 2] == 2.0


@pytest.mark.parametrize("H,W", [(13, 13), (10, 7), (6, 9), (4, 4)])
def test_spatial_pyramid_pooling_matches_adaptive_max_pool(H, W):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 3, H, W))
    levels = (1, 2, 4)
    out, cache = spatial_pyramid_pool_forward(X, levels)
    assert out.shape == (2, 3 * (1 + 4 + 16))  # the same length for every input size
    Xt = torch.tensor(X, requires_grad=True)
    ref = torch.cat([F.adaptive_max_pool2d(Xt, n).flatten(1) for n in levels], dim=1)
    G = rng.standard_normal(out.shape)
    ref.backward(torch.tensor(G))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(spatial_pyramid_pool_backward(G, cache), Xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_adaptive_bins_cover_the_input():
    assert adaptive_bins(7, 4) == [(0, 2), (1, 4), (3, 6), (5, 7)]
    for size in range(1, 20):
        for n in range(1, size + 1):
            bins = adaptive_bins(size, n)
            assert bins[0][0] == 0 and bins[-1][1] == size and len(bins) == n
            assert all(b[0] <= a[1] for a, b in zip(bins, bins[1:]))


def test_bad_input_raises():
    X = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="mode"):
        pool2d_forward(X, 2, mode="median")
    with pytest.raises(ValueError, match="stride"):
        pool2d_forward(X, 2, stride=0)
    with pytest.raises(ValueError, match="kernel"):
        pool2d_forward(X, 5)
    with pytest.raises(ValueError, match="padding"):
        pool2d_forward(X, 2, padding=2)
    with pytest.raises(ValueError, match=r"levels\[1\] = 8 bins exceed"):
        spatial_pyramid_pool_forward(X, levels=(1, 8))
    with pytest.raises(ValueError, match="levels"):
        spatial_pyramid_pool_forward(X, levels=())
    out, cache = pool2d_forward(X, 2)
    with pytest.raises(ValueError, match="grad_out must have shape"):
        pool2d_backward(np.zeros((1, 1, 3, 3)), cache)


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 1), (3, 1, 1), (3, 2, 1), (2, 1, 1), (4, 3, 2)])
def test_max_pool_sends_no_gradient_into_the_padding(kernel, stride, padding):
    # failed before the fix: a window whose real entries are all -inf picked its first (padding) entry,
    # so the gradient fell into the padding and was lost; torch picks the first real entry
    rng = np.random.default_rng(0)
    X = np.where(rng.random((2, 2, 5, 5)) < 0.7, -np.inf, rng.normal(size=(2, 2, 5, 5)))
    X[0, 0] = -np.inf  # one map with no finite entry at all
    out, cache = pool2d_forward(X, kernel, stride, padding)
    G = rng.normal(size=out.shape)
    dX = pool2d_backward(G, cache)
    t = torch.tensor(X, requires_grad=True)
    reference = F.max_pool2d(t, kernel, stride, padding)
    reference.backward(torch.tensor(G))
    np.testing.assert_array_equal(out, reference.detach().numpy())
    np.testing.assert_allclose(dX, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dX.sum(), G.sum(), rtol=1e-12)  # every window's gradient arrives


def test_pooling_refuses_nan_and_unknown_modes():
    X = np.zeros((1, 1, 4, 4))
    X[0, 0, 1, 2] = np.nan
    with pytest.raises(ValueError, match=r"X must not contain NaN, got X\[0, 0, 1, 2\] = nan"):
        pool2d_forward(X, 2)
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg'; got 'min'"):
        pool2d_forward(np.zeros((1, 1, 4, 4)), 2, mode="min")
    with pytest.raises(ValueError, match="X must be finite"):
        pool2d_forward(np.full((1, 1, 4, 4), np.inf), 2, mode="avg")
    with pytest.raises(TypeError, match="cache must be the tuple returned by pool2d_forward"):
        pool2d_backward(np.zeros((1, 1, 2, 2)), None)
