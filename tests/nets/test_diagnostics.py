"""nnbook.nets.diagnostics: per-layer statistics of torch networks (built with nnbook.nets.builder)."""

import pytest
import torch
from torch import nn

from nnbook.nets.builder import deep_mlp
from nnbook.nets.diagnostics import layer_activation_stats, layer_gradient_norms

pytestmark = pytest.mark.ch2


def test_gradient_norms_match_autograd_directly():
    torch.manual_seed(0)
    model = deep_mlp(2, 8, 4, 3, activation="sigmoid")
    X, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    norms = layer_gradient_norms(model, X, y)
    nn.functional.cross_entropy(model(X), y).backward()
    expected = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    assert norms == pytest.approx(expected, rel=1e-6)


def test_activation_stats_match_manual_computation():
    torch.manual_seed(0)
    model = deep_mlp(2, 5, 3, 2, activation="relu")
    X = torch.randn(10, 3)
    means, stds = layer_activation_stats(model, X)
    h1 = model[1](model[0](X))
    assert len(means) == 2
    assert means[0] == pytest.approx(h1.mean().item()) and stds[0] == pytest.approx(h1.std().item())


def test_dead_unit_fraction_counts_units_that_no_input_switches_on():
    from nnbook.nets.diagnostics import dead_unit_fraction, dead_unit_masks

    torch.manual_seed(0)
    model = deep_mlp(2, 4, 3, 2, activation="relu")
    with torch.no_grad():
        model[0].bias[:2] = -100.0  # units 0 and 1 of layer 1 can never switch on
        model[2].bias[:] = 5.0  # every unit of layer 2 is on for every input
    X = torch.randn(50, 3)
    assert dead_unit_fraction(model, X) == [0.5, 0.0]
    masks = dead_unit_masks(model, X)
    assert masks[0].tolist() == [True, True, False, False] and not masks[1].any()
    # a dead ReLU unit receives no gradient: its incoming weights' gradient rows are zero
    nn.functional.cross_entropy(model(X), torch.zeros(50, dtype=torch.long)).backward()
    assert torch.all(model[0].weight.grad[:2] == 0) and torch.any(model[0].weight.grad[2:] != 0)


def test_dead_unit_fraction_and_stats_accept_the_new_activations():
    from nnbook.nets.diagnostics import dead_unit_fraction

    for name in ("prelu", "rrelu", "softplus", "silu"):
        model = deep_mlp(3, 8, 4, 2, activation=name)
        assert len(dead_unit_fraction(model, torch.randn(5, 4))) == 3
        assert len(layer_activation_stats(model, torch.randn(5, 4))[0]) == 3
    with pytest.raises(TypeError, match="nn.Sequential"):
        dead_unit_fraction(nn.Linear(2, 2), torch.randn(3, 2))
    with pytest.raises(ValueError, match="X must be 2-D"):
        dead_unit_fraction(deep_mlp(1, 2, 2, 2), torch.randn(2))


def test_gradient_summary_matches_float32_norms_where_they_are_safe():
    from nnbook.nets.diagnostics import layer_gradient_summary

    torch.manual_seed(0)
    model = deep_mlp(2, 8, 4, 3, activation="sigmoid")
    X, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    summary = layer_gradient_summary(model, X, y)
    assert summary["norm"] == pytest.approx(layer_gradient_norms(model, X, y), rel=1e-6)
    nn.functional.cross_entropy(model(X), y).backward()
    grads = [m.weight.grad for m in model if isinstance(m, nn.Linear)]
    assert summary["max_abs"] == pytest.approx([g.abs().max().item() for g in grads])
    assert summary["nonzero"] == [int((g != 0).sum()) for g in grads]
    assert summary["size"] == [32, 64, 24]


def test_gradient_summary_does_not_underflow_where_float32_norms_do():
    import math

    from nnbook.nets.diagnostics import layer_gradient_summary

    torch.manual_seed(0)  # tanh with N(0, 0.01^2) weights: every layer scales the signal by ~0.08
    model = deep_mlp(20, 64, 64, 10, activation="tanh", init="normal", std=0.01)
    X, y = torch.rand(32, 64), torch.randint(0, 10, (32,))
    summary = layer_gradient_summary(model, X, y)
    assert all(p.grad is None or torch.all(p.grad == 0) for p in model.parameters())  # left zeroed
    assert layer_gradient_norms(model, X, y)[0] == 0.0  # the float32 norm underflows
    nn.functional.cross_entropy(model(X), y).backward()
    g = model[0].weight.grad
    assert 0 < g.abs().max().item() < 1e-19 and summary["nonzero"][0] == int((g != 0).sum()) > 0
    # independent reference: scale by the largest entry first, so the float32 squares stay in range
    scale = g.abs().max()
    reference = scale.item() * torch.linalg.vector_norm(g / scale).item()
    assert summary["norm"][0] == pytest.approx(reference, rel=1e-5)
    assert math.isclose(summary["max_abs"][0], scale.item())


@pytest.mark.parametrize("args, error, match", [
    (("model", torch.zeros(2, 3), torch.zeros(2)), TypeError, "model"),
    ((None, [[0.0]], torch.zeros(1)), TypeError, "X"),
    ((None, torch.zeros(2, 3), torch.zeros(3)), ValueError, "X and y"),
    ((None, torch.zeros(0, 3), torch.zeros(0)), ValueError, "X is empty"),
])
def test_gradient_summary_bad_arguments(args, error, match):
    from nnbook.nets.diagnostics import layer_gradient_summary

    model = deep_mlp(1, 4, 3, 2)
    args = (model if args[0] is None else args[0],) + args[1:]
    with pytest.raises(error, match=match):
        layer_gradient_summary(*args)
