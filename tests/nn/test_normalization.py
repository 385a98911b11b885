"""nnbook.nn.normalization: batch norm and layer norm against torch.nn (float64), step by step."""
import numpy as np
import pytest
import torch

from nnbook.nets.builder import norm_mlp
from nnbook.nn.normalization import (BatchNorm, batch_norm_backward, batch_norm_forward,
                                     batch_norm_inference, layer_norm_backward, layer_norm_forward)

pytestmark = pytest.mark.ch4

SHAPES = [(16, 5), (8, 3, 7), (4, 3, 5, 6)]


def _torch_bn(shape, momentum=0.1):
    cls = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)]
    return cls(shape[1], momentum=momentum).double()


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_matches_torch_step_by_step(shape):
    rng = np.random.default_rng(0)
    C = shape[1]
    ours, theirs = BatchNorm(C, momentum=0.2), _torch_bn(shape, momentum=0.2)
    gamma, beta = rng.uniform(0.5, 2, C), rng.normal(size=C)
    ours.gamma, ours.beta = gamma.copy(), beta.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for step in range(5):  # five training batches with drifting statistics
        X = rng.normal(loc=step, scale=1 + step, size=shape)
        G = rng.normal(size=shape)
        Xt = torch.tensor(X, requires_grad=True)
        theirs.zero_grad()
        out_t = theirs(Xt)
        out_t.backward(torch.tensor(G))
        out = ours.forward(X)
        dX = ours.backward(G)
        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.dbeta, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    ours.training = False
    theirs.eval()
    X = rng.normal(size=shape)
    np.testing.assert_allclose(ours.forward(X), theirs(torch.tensor(X)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_running_variance_uses_the_unbiased_batch_variance():
    X = np.random.default_rng(1).normal(size=(4, 3))
    bn = BatchNorm(3, momentum=0.5)
    bn.forward(X)
    np.testing.assert_allclose(bn.running_var, 0.5 * 1 + 0.5 * X.var(axis=0, ddof=1))
    np.testing.assert_allclose(bn.running_mean, 0.5 * X.mean(axis=0))


def test_gamma_is_the_output_std_and_beta_the_output_mean():
    X = np.random.default_rng(2).normal(3, 5, size=(1000, 2))
    out, _ = batch_norm_forward(X, np.array([2.0, 0.5]), np.array([-1.0, 4.0]), eps=0.0)
    np.testing.assert_allclose(out.mean(0), [-1.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(out.std(0), [2.0, 0.5], rtol=1e-12)


def test_cnn_statistics_are_per_channel_over_batch_and_space():
    X = np.random.default_rng(3).normal(size=(4, 3, 5, 5)) * np.array([1, 10, 100])[None, :, None, None]
    out, cache = batch_norm_forward(X, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(cache["mean"], X.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(cache["var"], X.var(axis=(0, 2, 3)))
    assert cache["m"] == 4 * 5 * 5
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)


def test_batch_norm_backward_by_central_differences():
    rng = np.random.default_rng(4)
    X, G = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    dX, dgamma, dbeta = batch_norm_backward(G, batch_norm_forward(X, gamma, beta)[1])
    h = 1e-6
    for i, j in [(0, 0), (3, 2), (5, 3)]:
        E = np.zeros_like(X)
        E[i, j] = h
        numeric = np.sum(G * (batch_norm_forward(X + E, gamma, beta)[0] - batch_norm_forward(X - E, gamma, beta)[0])) / (2 * h)
        assert dX[i, j] == pytest.approx(numeric, rel=1e-6, abs=1e-9), f"dX[{i}, {j}]"
    # dX sums to zero per channel: the output is invariant to shifting a channel's inputs
    np.testing.assert_allclose(dX.sum(0), 0, atol=1e-12)
    np.testing.assert_allclose(dbeta, G.sum(0))


def test_float32_input_keeps_its_dtype():
    X = np.random.default_rng(5).normal(size=(8, 4, 3, 3)).astype(np.float32)
    out, cache = batch_norm_forward(X, np.ones(4, np.float32), np.zeros(4, np.float32))
    dX, _, _ = batch_norm_backward(np.ones_like(X), cache)
    assert out.dtype == np.float32 and dX.dtype == np.float32


@pytest.mark.parametrize("shape, normalized", [((7, 10), (10,)), ((3, 4, 6), (6,)), ((3, 4, 6), (4, 6))])
def test_layer_norm_matches_torch(shape, normalized):
    rng = np.random.default_rng(6)
    X, G = rng.normal(2, 3, size=shape), rng.normal(size=shape)
    gamma, beta = rng.normal(size=normalized), rng.normal(size=normalized)
    ln = torch.nn.LayerNorm(normalized).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(gamma))
        ln.bias.copy_(torch.tensor(beta))
    Xt = torch.tensor(X, requires_grad=True)
    out_t = ln(Xt)
    out_t.backward(torch.tensor(G))
    out, cache = layer_norm_forward(X, gamma, beta)
    dX, dgamma, dbeta = layer_norm_backward(G, cache)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dgamma, ln.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, ln.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_of_one_example_does_not_depend_on_the_batch():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 8))
    ones, zeros = np.ones(8), np.zeros(8)
    alone, _ = layer_norm_forward(X[:1], ones, zeros)
    in_batch, _ = layer_norm_forward(X, ones, zeros)
    np.testing.assert_allclose(alone[0], in_batch[0], rtol=1e-14)
    bn_in_batch, _ = batch_norm_forward(X, ones, zeros)
    bn_other, _ = batch_norm_forward(np.vstack([X[:1], rng.normal(size=(4, 8))]), ones, zeros)
    assert not np.allclose(bn_in_batch[0], bn_other[0])


def test_norm_mlp_layout_and_noisy_batch_norm():
    torch.manual_seed(0)
    model = norm_mlp(3, 16, 8, 4, norm="noisy_batch", noise=0.5)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "NoisyBatchNorm1d", "ReLU"] * 3 + ["Linear"]
    X = torch.randn(32, 8)
    layer = model[1]
    layer.train()
    assert not torch.allclose(layer(model[0](X)), torch.nn.functional.batch_norm(model[0](X), None, None, training=True))
    model.eval()
    plain = torch.nn.BatchNorm1d(16).eval()
    plain.load_state_dict(layer.state_dict())
    torch.testing.assert_close(layer(model[0](X)), plain(model[0](X)))
    assert type(norm_mlp(2, 4, 3, 2, norm="layer")[1]) is torch.nn.LayerNorm


def test_bad_input():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        batch_norm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"gamma and beta must have shape \(3,\)"):
        batch_norm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="X must have shape"):
        batch_norm_forward(np.ones(4), np.ones(4), np.zeros(4))
    with pytest.raises(TypeError, match="X must hold floats"):
        batch_norm_forward(np.ones((4, 3), int), np.ones(3), np.zeros(3))
    _, cache = batch_norm_forward(np.random.default_rng(0).normal(size=(4, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="grad_out has shape"):
        batch_norm_backward(np.ones((4, 2)), cache)
    with pytest.raises(ValueError, match="running statistics"):
        batch_norm_inference(np.ones((4, 3)), np.ones(3), np.zeros(3), np.zeros(2), np.ones(3))
    for momentum in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="momentum must be (>= 0.0|< 1.0)"):
            BatchNorm(3, momentum=momentum)
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm(0)
    with pytest.raises(RuntimeError, match="backward needs"):
        BatchNorm(3).backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="trailing shape"):
        layer_norm_forward(np.ones((4, 3)), np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="norm must be"):
        norm_mlp(2, 4, 3, 2, norm="group")


@pytest.mark.parametrize("eps, error, match", [
    (-1.0, ValueError, "eps must be >= 0.0, got -1.0"),
    (np.inf, ValueError, "eps must be a finite number"),
    (np.nan, ValueError, "eps must be a finite number"),
    ("1e-5", TypeError, "eps must be a real number"),
])
def test_batch_norm_refuses_a_bad_eps(eps, error, match):
    # failed before the fix: eps = -1 gave sqrt(var - 1) = NaN for a channel of variance < 1, silently
    X, gamma, beta = np.random.default_rng(0).normal(size=(8, 3)), np.ones(3), np.zeros(3)
    with pytest.raises(error, match=match):
        batch_norm_forward(X, gamma, beta, eps=eps)
    with pytest.raises(error, match=match):
        batch_norm_inference(X, gamma, beta, np.zeros(3), np.ones(3), eps=eps)


def test_batch_norm_eps_zero_is_allowed_only_for_varying_channels():
    # ch4/04 calls batch_norm_forward(..., eps=0.0) to show that dX is orthogonal to x_hat
    X = np.random.default_rng(0).normal(size=(8, 3))
    out, _ = batch_norm_forward(X, np.ones(3), np.zeros(3), eps=0.0)
    np.testing.assert_allclose(out.std(0), 1.0, rtol=1e-12)
    X[:, 1] = 2.0
    with pytest.raises(ValueError, match="channel 1 is constant"):
        batch_norm_forward(X, np.ones(3), np.zeros(3), eps=0.0)


@pytest.mark.parametrize("eps", [0.0, -1.0, np.inf])
def test_layer_norm_refuses_eps_that_is_not_positive_and_finite(eps):
    with pytest.raises(ValueError, match="eps must be"):
        layer_norm_forward(np.ones((2, 4)), np.ones(4), np.zeros(4), eps=eps)


def test_caches_and_batch_norm_layer_inputs_are_checked():
    with pytest.raises(TypeError, match="cache must be the dict returned by batch_norm_forward"):
        batch_norm_backward(np.ones((2, 3)), None)
    with pytest.raises(TypeError, match="cache must be the dict returned by layer_norm_forward"):
        layer_norm_backward(np.ones((2, 3)), {})
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3, \.\.\.\) for this BatchNorm"):
        BatchNorm(3).forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="eps must be > 0.0"):
        BatchNorm(3, eps=0.0)
