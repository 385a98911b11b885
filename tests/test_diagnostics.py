"""nnbook.diagnostics: deep MLPs and their per-layer statistics."""

import pytest
import torch
from torch import nn

from nnbook.diagnostics import deep_mlp, layer_activation_stats, layer_gradient_norms

pytestmark = pytest.mark.ch2


def test_deep_mlp_layout_and_initialisers():
    torch.manual_seed(0)
    model = deep_mlp(depth=3, width=400, in_features=300, out_features=10, activation="tanh", init="he")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert len(linears) == 4 and isinstance(model[1], nn.Tanh)
    # He: Var(W) = 2 / fan_in, checked empirically on 160,000 weights
    assert linears[1].weight.var().item() == pytest.approx(2 / 400, rel=0.02)
    assert torch.all(linears[1].bias == 0)
    xavier = deep_mlp(1, 400, 300, 10, init="xavier")[0]
    assert xavier.weight.var().item() == pytest.approx(2 / 700, rel=0.02)


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


@pytest.mark.parametrize("kwargs, match", [
    ({"depth": 0}, "depth"), ({"activation": "swish2"}, "activation"), ({"init": "orthogonal"}, "init"),
    ({"std": -1.0, "init": "normal"}, "std"),
])
def test_bad_arguments(kwargs, match):
    args = {"depth": 2, "width": 4, "in_features": 3, "out_features": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        deep_mlp(**args)
