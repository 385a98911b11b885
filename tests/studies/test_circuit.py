"""nnbook.studies.circuit: the forward pass against torch, relay units, builder validation."""
import numpy as np
import pytest
import torch

from nnbook.studies import boolean, circuit

pytestmark = pytest.mark.ch1


def _random_network(rng, n_inputs, sizes, activations):
    builder = circuit.NetworkBuilder(n_inputs)
    for size, activation in zip(sizes, activations):
        units = [({i: rng.normal() for i in range(builder.n_values) if rng.random() < 0.7}, rng.normal())
                 for _ in range(size)]
        builder.add_layer(units, activation)
    return builder.build()


def test_forward_matches_float64_torch_with_skip_connections():
    rng = np.random.default_rng(0)
    net = _random_network(rng, 3, [4, 5, 2], ["relu", "step", "identity"])
    X = rng.normal(size=(20, 3))
    values = torch.tensor(X)
    apply = {"relu": torch.relu, "step": lambda z: (z > 0).double(), "identity": lambda z: z}
    for layer in net.layers:
        a = apply[layer.activation](values @ torch.tensor(layer.W).T + torch.tensor(layer.b))
        values = torch.cat([values, a], dim=1)
    np.testing.assert_allclose(circuit.forward(net, X), a.numpy(), rtol=1e-12, atol=1e-12)
    y, outputs = circuit.forward(net, X, return_all=True)
    assert [o.shape[1] for o in outputs] == [4, 5, 2] and net.n_units == 11 and net.n_layers == 3


@pytest.mark.parametrize("net", [boolean.parity_chain(6), boolean.parity_tree(7), boolean.xor_network()])
def test_strictly_layered_is_a_plain_mlp_equal_to_torch_sequential(net):
    plain = circuit.strictly_layered(net)
    sizes = [net.n_inputs] + [len(layer.b) for layer in plain.layers]
    modules = []
    for l, layer in enumerate(plain.layers):
        below = sum(sizes[:l])
        assert not np.any(layer.W[:, :below]), f"layer {l} reads below the previous layer"
        linear = torch.nn.Linear(sizes[l], sizes[l + 1]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.W[:, below:]))
            linear.bias.copy_(torch.tensor(layer.b))
        modules += [linear] + ([torch.nn.ReLU()] if layer.activation == "relu" else [])
    X = boolean.all_inputs(net.n_inputs)
    with torch.no_grad():
        reference = torch.nn.Sequential(*modules)(torch.tensor(X, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(circuit.forward(plain, X), circuit.forward(net, X))
    np.testing.assert_array_equal(reference, circuit.forward(net, X))


def test_threshold_relays_are_exact_on_bits():
    builder = circuit.NetworkBuilder(2)
    (h,) = builder.add_layer([({0: 1, 1: 1}, -1.5)], "step")
    builder.add_layer([({h: 1.0}, -0.5)], "step")
    builder.add_layer([({0: 1, 1: 1, h: -2}, -0.5)], "step")  # reads the inputs two layers up
    net = builder.build()
    plain = circuit.strictly_layered(net)
    assert plain.n_units == net.n_units + 5  # both inputs relayed through two layers, h through one
    X = boolean.all_inputs(2)
    np.testing.assert_array_equal(circuit.forward(plain, X), circuit.forward(net, X))


def test_step_is_strict_at_zero():
    np.testing.assert_array_equal(circuit.step([-1.0, 0.0, 1e-300, 2.0]), [0, 0, 1, 1])


@pytest.mark.parametrize("call, match", [
    (lambda: circuit.NetworkBuilder(0), "n_inputs must be an int >= 1, got 0"),
    (lambda: circuit.NetworkBuilder(2).add_layer([], "tanh"), "activation must be one of"),
    (lambda: circuit.NetworkBuilder(2).add_layer([({5: 1.0}, 0.0)], "relu"), r"reads values \[5\]"),
    (lambda: circuit.forward(circuit.NetworkBuilder(2).build(), np.zeros((1, 2))), "at least one layer"),
    (lambda: circuit.forward(boolean.xor_network(), np.zeros((4, 3))), r"X must have shape \(m, 2\)"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_value_indices_must_be_ints_and_layers_consistent():  # issue 14
    with pytest.raises(TypeError, match=r"units\[0\] value index must be an int, got bool"):
        circuit.NetworkBuilder(2).add_layer([({True: 1.0}, 0.0)], "relu")  # was read as value 1
    with pytest.raises(ValueError, match=r"units\[0\] bias must be a finite number"):
        circuit.NetworkBuilder(2).add_layer([({0: 1.0}, np.nan)], "relu")
    layer = circuit.Layer(np.ones((1, 3)), np.zeros(1), "relu")
    with pytest.raises(ValueError, match=r"layers\[0\].W must have 2 columns"):
        circuit.Network(2, (layer,))
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'step', 'identity'"):
        circuit.Layer(np.ones((1, 2)), np.zeros(1), "tanh")
    assert circuit.UNIT_KINDS == ("relu", "step", "identity") and not hasattr(circuit, "ACTIVATIONS")
