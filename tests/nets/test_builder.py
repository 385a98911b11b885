"""nnbook.nets.builder: one MLP assembly, one torch activation registry, one initialiser table, to_torch.

The bit-identity tests rebuild every network the notebooks build, once with the code as it was
before the builder existed (the reference copies below: ``deep_mlp``, ``norm_mlp``, ``mlp.to_torch``
and the notebooks' literal ``nn.Sequential`` MLPs) and once through the builder, under the same
torch seed, and compare the modules, every parameter and buffer bit for bit, and the state of
torch's generator afterwards (the same number of draws).
"""
import math

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.data import load_digits
from nnbook.nets import builder
from nnbook.nets.builder import (INIT_ALIASES, TORCH_ACTIVATIONS, TORCH_INITIALISERS, NoisyBatchNorm1d, build_mlp,
                                 deep_mlp, norm_mlp, to_torch, torch_activation)
from nnbook.nets.training import fit
from nnbook.nn import activations as np_activations
from nnbook.nn import init as np_init
from nnbook.nn.mlp import MLP

pytestmark = pytest.mark.ch4


# --- reference copies of the constructions before issue 14 -------------------------------------

_OLD_ACTIVATIONS = {
    "identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU, "selu": nn.SELU, "gelu": nn.GELU,
    "prelu": nn.PReLU, "rrelu": nn.RReLU, "softplus": nn.Softplus, "silu": nn.SiLU,
}


def _old_init_linear(layer, init, std):
    fan_in, fan_out = layer.in_features, layer.out_features
    with torch.no_grad():
        if init == "default":
            return
        if init == "zeros":
            layer.weight.zero_()
        elif init == "normal":
            layer.weight.normal_(0.0, std)
        elif init == "xavier":
            layer.weight.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)))
        elif init == "he":
            layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
        elif init == "lecun":
            layer.weight.normal_(0.0, math.sqrt(1.0 / fan_in))
        layer.bias.zero_()


def _old_deep_mlp(depth, width, in_features, out_features, activation="relu", init="default", std=0.01):
    layers = []
    sizes = [in_features] + [width] * depth
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(fan_in, fan_out)
        _old_init_linear(linear, init, std)
        layers += [linear, _OLD_ACTIVATIONS[activation]()]
    head = nn.Linear(width, out_features)
    _old_init_linear(head, init, std)
    layers.append(head)
    return nn.Sequential(*layers)


def _old_norm_mlp(depth, width, in_features, out_features, norm=None, activation="relu", noise=1.0):
    def norm_layer():
        return {None: nn.Identity, "batch": lambda: nn.BatchNorm1d(width), "layer": lambda: nn.LayerNorm(width),
                "noisy_batch": lambda: NoisyBatchNorm1d(width, noise=noise)}[norm]()
    layers = []
    for fan_in in [in_features] + [width] * (depth - 1):
        linear = nn.Linear(fan_in, width)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, norm_layer(), _OLD_ACTIVATIONS[activation]()]
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


def _old_to_torch(model, dtype=None):
    dtype = torch.float64 if dtype is None else dtype
    layers = []
    for l, (W, b) in enumerate(zip(model.weights_, model.biases_)):
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(W))
            linear.bias.copy_(torch.as_tensor(b))
        layers.append(linear)
        if l < len(model.weights_) - 1:
            layers.append(_OLD_ACTIVATIONS[model.activation]())
    out = model._output()
    if model.loss == "squared_error" and out != "identity":
        layers.append(nn.Softmax(dim=1) if out == "softmax" else _OLD_ACTIVATIONS[out]())
    return nn.Sequential(*layers)


def _assert_same_construction(old, new, seed=0):
    """Build both under ``torch.manual_seed(seed)``: same modules, same tensors bit for bit, same draws."""
    torch.manual_seed(seed)
    a = old()
    state_a = torch.get_rng_state()
    torch.manual_seed(seed)
    b = new()
    state_b = torch.get_rng_state()
    assert repr(a) == repr(b)
    assert [type(m) for m in a.modules()] == [type(m) for m in b.modules()]
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        assert sa[key].dtype == sb[key].dtype, key
        assert torch.equal(sa[key], sb[key]), key
    assert torch.equal(state_a, state_b), "a different number of random draws"


# --- bit-identity ---------------------------------------------------------------------------

OLD_INITS = ("default", "normal", "xavier", "he", "lecun", "zeros")
OLD_ACTIVATION_NAMES = sorted(_OLD_ACTIVATIONS)


@pytest.mark.parametrize("activation", OLD_ACTIVATION_NAMES)
@pytest.mark.parametrize("init", OLD_INITS)
def test_deep_mlp_draws_what_the_old_deep_mlp_drew(activation, init):
    _assert_same_construction(lambda: _old_deep_mlp(3, 17, 7, 5, activation, init, 0.3),
                              lambda: deep_mlp(3, 17, 7, 5, activation, init, 0.3))


# (depth, width, in, out, activation, init, std): the calls of the chapter 2 and 4 notebooks
NOTEBOOK_DEEP_MLPS = [
    (10, 16, 2, 1, "identity", "default", 0.01),           # ch2/01
    (30, 64, 64, 10, "sigmoid", "xavier", 0.01), (30, 64, 64, 10, "relu", "he", 0.01),  # ch2/04
    (30, 64, 64, 10, "tanh", "xavier", 0.01),
    (2, 32, 64, 10, "sigmoid", "xavier", 0.01), (2, 32, 64, 10, "relu", "xavier", 0.01),  # ch2/05
    (3, 64, 64, 10, "relu", "he", 0.01), (3, 64, 64, 10, "prelu", "he", 0.01),  # ch2/06
    (3, 64, 64, 10, "leaky_relu", "he", 0.01), (3, 64, 64, 10, "rrelu", "he", 0.01), (3, 64, 64, 10, "elu", "he", 0.01),
    (50, 256, 256, 10, "selu", "lecun", 0.01), (50, 256, 256, 10, "relu", "he", 0.01),  # ch2/07
    (50, 256, 256, 10, "tanh", "xavier", 0.01),
    (5, 64, 64, 10, "sigmoid", "xavier", 0.01),            # ch2/09
    (20, 128, 64, 10, "tanh", "normal", 0.01), (20, 128, 64, 10, "tanh", "xavier", 0.01),  # ch4/02
    (20, 64, 64, 10, "tanh", "normal", 0.01), (20, 64, 64, 10, "relu", "he", 0.01),  # ch4/09
    (10, 64, 64, 10, "relu", "normal", 0.4), (10, 64, 64, 10, "relu", "he", 0.4),
]


@pytest.mark.parametrize("args", NOTEBOOK_DEEP_MLPS, ids=lambda a: "-".join(map(str, a)))
def test_notebook_deep_mlps_are_bit_identical(args):
    _assert_same_construction(lambda: _old_deep_mlp(*args), lambda: deep_mlp(*args), seed=3)


@pytest.mark.parametrize("norm", [None, "batch", "layer", "noisy_batch"])
@pytest.mark.parametrize("sizes", [(8, 64, 64, 10), (2, 64, 64, 10), (3, 64, 64, 10), (2, 32, 64, 10), (3, 16, 8, 4),
                                   (2, 23, 29, 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh", "prelu"])
def test_norm_mlp_draws_what_the_old_norm_mlp_drew(norm, sizes, activation):
    _assert_same_construction(lambda: _old_norm_mlp(*sizes, norm=norm, activation=activation, noise=0.3),
                              lambda: norm_mlp(*sizes, norm=norm, activation=activation, noise=0.3))


def test_he_normal_std_rounds_to_the_same_float32_as_kaiming_normal():
    # norm_mlp drew with nn.init.kaiming_normal_: std = sqrt(2) / sqrt(fan_in); the builder uses
    # sqrt(2 / fan_in). They differ in the last bit of a double for about half the fan-ins, but the
    # float32 kernel rounds std to float32 first, and there they agree for every fan-in up to 200,000.
    n = np.arange(1, 200_001, dtype=np.float64)
    np.testing.assert_array_equal((np.sqrt(2.0) / np.sqrt(n)).astype(np.float32), np.sqrt(2.0 / n).astype(np.float32))


# the notebooks' own MLPs, now builder calls (chapter 4)
NOTEBOOK_LITERALS = {
    "ch4/01 mlp(p, batch_norm=False)": (
        lambda: nn.Sequential(nn.Linear(784, 256), nn.Identity(), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(256, 256), nn.Identity(), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10)),
        lambda: build_mlp([784, 256, 256, 10], norm="identity", dropout=0.5)),
    "ch4/01 mlp(0.0, batch_norm=True)": (
        lambda: nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.0),
                              nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.0), nn.Linear(256, 10)),
        lambda: build_mlp([784, 256, 256, 10], norm="batch", dropout=0.0)),
    "ch4/03 mnist_mlp": (
        lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10)),
        lambda: build_mlp([784, 256, 256, 10], dropout=0.2)),
    "ch4/03 small": (
        lambda: nn.Sequential(nn.Linear(64, 10), nn.Tanh(), nn.Dropout(0.5), nn.Linear(10, 10)),
        lambda: build_mlp([64, 10, 10], "tanh", dropout=0.5)),
    "ch4/08": (
        lambda: nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)),
        lambda: build_mlp([64, 128, 128, 10])),
    "ch4/10 net()": (
        lambda: nn.Sequential(*[nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)]),
        lambda: build_mlp([64, 64, 10])),
    "ch4/10 net(softmax_output=True)": (
        lambda: nn.Sequential(*[nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1)]),
        lambda: build_mlp([64, 64, 10], output="softmax")),
    "ch4/10 net(width=2)": (
        lambda: nn.Sequential(*[nn.Linear(64, 2), nn.ReLU(), nn.Linear(2, 10)]),
        lambda: build_mlp([64, 2, 10])),
    "ch4/12 l2_run": (
        lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)),
        lambda: build_mlp([784, 256, 256, 10])),
    "ch4/12 digits_net": (
        lambda: nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        lambda: build_mlp([64, 64, 10])),
    "ch4/12 teacher": (
        lambda: nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double(),
        lambda: build_mlp([2, 4, 1], "tanh").double()),
}


@pytest.mark.parametrize("name", sorted(NOTEBOOK_LITERALS))
def test_notebook_literal_mlps_equal_their_builder_calls(name):
    old, new = NOTEBOOK_LITERALS[name]
    _assert_same_construction(old, new, seed=7)


HEADS = [("cross_entropy", None), ("squared_error", None), ("squared_error", "sigmoid"), ("squared_error", "tanh"),
         ("squared_error", "softmax"), ("binary_cross_entropy", None)]


@pytest.mark.parametrize("loss, output", HEADS)
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "elu", "softplus"])
@pytest.mark.parametrize("dtype", [None, torch.float32])
def test_to_torch_builds_what_the_old_to_torch_built(loss, output, activation, dtype):
    sizes = [5, 4, 3, 1 if loss == "binary_cross_entropy" else 3]
    model = MLP(sizes, activation=activation, loss=loss, output_activation=output, random_state=2).initialize()
    _assert_same_construction(lambda: _old_to_torch(model, dtype), lambda: to_torch(model, dtype))


def test_same_initial_weights_give_the_same_loss_curve_as_torch_sequential():
    split = load_digits()
    X_tr, y_tr = split.X_train[:300], split.y_train[:300]
    kwargs = dict(layer_sizes=[64, 16, 10], activation="relu", weight_decay=1e-3, learning_rate=0.2,
                  batch_size=32, epochs=3, shuffle=False, random_state=0)
    model = MLP(**kwargs).fit(X_tr, y_tr)
    net = to_torch(MLP(**kwargs).initialize())
    params = dict(net.named_parameters())
    groups = [{"params": [p for n, p in params.items() if n.endswith("weight")], "weight_decay": 1e-3},
              {"params": [p for n, p in params.items() if n.endswith("bias")], "weight_decay": 0.0}]
    data = torch.utils.data.TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr))
    history = fit(net, data, epochs=3, optimizer=torch.optim.SGD(groups, lr=0.2), batch_size=32, shuffle=False)
    np.testing.assert_allclose(model.loss_curve_, history.train_loss, rtol=1e-12)
    np.testing.assert_allclose(model.weights_[0], params["0.weight"].detach().numpy(), rtol=1e-10, atol=1e-12)


# --- the wrong answer: a float32 PReLU in a float64 network ------------------------------------

def test_to_torch_prelu_is_float64_and_computes_the_numpy_mlp():
    X = np.random.default_rng(0).normal(size=(6, 5))
    model = MLP([5, 4, 3], activation="prelu", random_state=0).initialize()
    net = to_torch(model)  # raised "expected scalar type Double but found Float" in forward before
    assert all(p.dtype == torch.float64 for p in net.parameters())
    with torch.no_grad():
        probs = torch.softmax(net(torch.tensor(X)), dim=1).numpy()
    np.testing.assert_allclose(probs, model.predict_proba(X), rtol=1e-12)


def test_build_mlp_dtype_reaches_every_parameter_and_buffer():
    net = build_mlp([3, 4, 4, 2], "prelu", norm="batch", dropout=0.1, output="sigmoid", dtype=torch.float64)
    assert {t.dtype for t in net.state_dict().values() if t.is_floating_point()} == {torch.float64}
    assert net(torch.randn(5, 3, dtype=torch.float64)).dtype == torch.float64


# --- registries ------------------------------------------------------------------------------

def test_torch_registry_keys_are_numpy_registry_keys():
    assert set(TORCH_ACTIVATIONS) <= set(np_activations.ACTIVATIONS)
    assert set(np_activations.ACTIVATIONS) - set(TORCH_ACTIVATIONS) == {"maxout"}  # not elementwise


GRID = np.concatenate([np.linspace(-12.0, 12.0, 2401), [-1e3, -80.0, -30.0, -21.0, 21.0, 30.0, 80.0, 1e3]])


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_torch_module_and_numpy_function_agree_in_float64(name):
    module = torch_activation(name, dtype=torch.float64).eval()  # RReLU: the mean slope, as the NumPy default
    with torch.no_grad():
        torch_values = module(torch.tensor(GRID)).numpy()
    numpy_values = np_activations.ACTIVATIONS[name].f(GRID)
    # nn.Softplus returns x itself above its threshold 20, where log(1 + e^x) - x < e^-20 = 2.1e-9
    atol = math.exp(-20.0) if name == "softplus" else 1e-15
    np.testing.assert_allclose(torch_values, numpy_values, rtol=1e-12, atol=atol, err_msg=name)


def test_aliases_resolve_through_the_numpy_lookup():
    assert type(torch_activation("silu")) is nn.SiLU
    assert type(deep_mlp(1, 2, 2, 2, activation="silu")[1]) is nn.SiLU
    with pytest.raises(ValueError, match="name must be one of"):
        torch_activation("maxout")


def test_initialiser_names_are_the_numpy_names_plus_two():
    assert set(TORCH_INITIALISERS) - {"normal", "zeros"} == set(np_init.INITIALISERS)
    assert set(INIT_ALIASES.values()) <= set(TORCH_INITIALISERS)


@pytest.mark.parametrize("init", sorted(set(np_init.INITIALISERS)))
def test_every_initialiser_draws_the_variance_of_nnbook_nn_init(init):
    torch.manual_seed(0)
    first = build_mlp([300, 400, 10], init=init)[0]
    assert first.weight.var().item() == pytest.approx(np_init.init_variance(init, (400, 300)), rel=0.02)
    assert first.weight.abs().max().item() > 0


# moved here from tests/nets/test_diagnostics.py (the builder is no longer part of diagnostics)
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


@pytest.mark.parametrize("kwargs, match", [
    ({"depth": 0}, "depth"), ({"activation": "swish2"}, "activation"), ({"init": "orthogonal"}, "init"),
    ({"std": -1.0, "init": "normal"}, "std"),
])
def test_bad_arguments(kwargs, match):
    args = {"depth": 2, "width": 4, "in_features": 3, "out_features": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        deep_mlp(**args)


def test_to_torch_refuses_unfitted_and_inconsistent_models():
    with pytest.raises(ValueError, match="initialize"):
        to_torch(MLP([3, 2]))
    with pytest.raises(TypeError, match="model must be"):
        to_torch(nn.Linear(2, 2))
    model = MLP([5, 4, 3]).initialize()
    model.weights_[0] = model.weights_[0].T
    with pytest.raises(ValueError, match="layer_sizes"):
        to_torch(model)
    with pytest.raises(TypeError, match="dtype"):
        to_torch(MLP([3, 2]).initialize(), dtype=torch.int64)


def test_norm_mlp_with_no_norm_keeps_an_identity_in_the_norm_slot():
    kinds = [type(m).__name__ for m in norm_mlp(2, 4, 3, 2)]
    assert kinds == ["Linear", "Identity", "ReLU"] * 2 + ["Linear"]
    assert builder.NORMS == ("identity", "batch", "layer", "noisy_batch")
