"""nnbook.nn.dropout: inverted dropout against torch, and the exact sub-network ensemble."""
import numpy as np
import pytest
import torch

from nnbook.nn.dropout import dropout_backward, dropout_forward, mc_dropout_predict_proba, subnetwork_ensemble

pytestmark = pytest.mark.ch4


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_expectation_is_preserved_and_drop_rate_is_p(p):
    X = np.random.default_rng(0).normal(size=(50, 20))
    outs = np.stack([dropout_forward(X, p, random_state=s)[0] for s in range(4000)])
    np.testing.assert_allclose(outs.mean(0), X, atol=6 * np.abs(X).max() * np.sqrt(p / (1 - p) / 4000))
    zeros = (outs == 0).mean()
    assert zeros == pytest.approx(p, abs=0.005)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_same_values_and_gradient_as_torch(p):
    X = torch.randn(64, 30, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(0)
    out_torch = torch.nn.functional.dropout(X, p, training=True)
    grad_out = torch.randn_like(out_torch)
    out_torch.backward(grad_out)
    mask = out_torch.detach().numpy() != 0  # the units torch kept
    # with the same mask, the forward values and the backward pass agree exactly
    np.testing.assert_allclose(X.detach().numpy() * mask / (1 - p), out_torch.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(dropout_backward(grad_out.numpy(), mask, p), X.grad.numpy(), rtol=1e-15)
    ours, our_mask = dropout_forward(X.detach().numpy(), p, random_state=0)
    kept = ours[our_mask] / X.detach().numpy()[our_mask]
    np.testing.assert_allclose(kept, 1 / (1 - p))  # kept units are scaled by 1/(1-p), as torch does
    assert np.all(ours[~our_mask] == 0)


def test_evaluation_mode_is_the_identity_like_torch():
    X = np.random.default_rng(1).normal(size=(8, 5))
    out, mask = dropout_forward(X, 0.5, training=False)
    module = torch.nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(out, module(torch.tensor(X)).numpy())
    assert mask is None
    np.testing.assert_array_equal(dropout_backward(X, None), X)


def test_geometric_mean_of_subnetworks_is_the_weight_scaled_network():
    rng = np.random.default_rng(0)
    H, W, b = rng.normal(size=(6, 8)), rng.normal(size=(8, 3)), rng.normal(size=3)
    arithmetic, geometric, scaled = subnetwork_ensemble(H, W, b, p=0.5)
    np.testing.assert_allclose(geometric, scaled, rtol=1e-12)
    np.testing.assert_allclose(arithmetic.sum(1), 1.0, rtol=1e-12)
    assert not np.allclose(arithmetic, scaled, atol=1e-3)  # the arithmetic mean differs in general
    # brute force check of the arithmetic mean with 2**8 explicit masks
    masks = np.array(np.meshgrid(*[[0, 1]] * 8, indexing="ij")).reshape(8, -1).T
    logits = np.einsum("md,nd,dk->mnk", masks, H, W) + b
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(arithmetic, probs.mean(0), rtol=1e-12)  # p = 0.5: every mask has weight 2**-8


def test_mc_dropout_restores_the_mode_and_averages_probabilities():
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(16, 3)).eval()
    probs = mc_dropout_predict_proba(model, torch.randn(5, 4), n_samples=7)
    assert probs.shape == (7, 5, 3) and not model.training
    torch.testing.assert_close(probs.sum(-1), torch.ones(7, 5))
    assert probs.std(0).max() > 0  # the sub-networks differ


def test_bad_input():
    with pytest.raises(ValueError, match=r"p must be < 1.0, got 1.0"):
        dropout_forward(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="p must be >= 0.0"):
        dropout_forward(np.ones(3), -0.1)
    with pytest.raises(ValueError, match="mask has shape"):
        dropout_backward(np.ones((2, 3)), np.ones((3, 2), bool), 0.5)
    with pytest.raises(ValueError, match="need H"):
        subnetwork_ensemble(np.ones((2, 3)), np.ones((4, 2)), np.ones(2))
    with pytest.raises(ValueError, match="exceeds the limit of 65,536"):
        subnetwork_ensemble(np.ones((1, 20)), np.ones((20, 2)), np.ones(2))
    with pytest.raises(ValueError, match="n_samples"):
        mc_dropout_predict_proba(torch.nn.Linear(2, 2), torch.ones(1, 2), 0)
