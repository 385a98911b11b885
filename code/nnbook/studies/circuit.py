r"""Feedforward networks as circuits: layers of units that may read any earlier value.

A :class:`Network` is a list of :class:`Layer` objects; layer ``l`` computes
:math:`a^{(l)} = f_l\big(W^{(l)} [x; a^{(1)}; \dots; a^{(l-1)}] + b^{(l)}\big)`, so an input may
skip layers (as in a circuit). :func:`forward` is the NumPy forward pass,
:class:`NetworkBuilder` assembles networks unit by unit, and :func:`strictly_layered` turns a
network into a plain MLP (each layer reads only the one below) by adding relay units. Units are
ReLU, threshold (:func:`step`) or linear (:data:`UNIT_KINDS`). :mod:`nnbook.studies.boolean` builds its Boolean networks with
this module and re-exports its names.

Book pages: ``book/ch1-feedforward/01-xor``, ``02-one-hidden-layer`` and ``03-depth``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbook._validation import check_array, check_bool, check_float_array, check_int, check_number, check_option
from nnbook.nn.activations import relu

#: The kinds of unit a :class:`Layer` may have (not the activation registry of
#: :mod:`nnbook.nn.activations`, nor the torch one of :mod:`nnbook.nets.builder`).
UNIT_KINDS = ("relu", "step", "identity")


def step(z):
    r"""Threshold (Heaviside) unit :math:`H(z) = 1` if :math:`z > 0`, else 0 (so :math:`H(0) = 0`).

    ``z``: real numbers of any shape (:math:`\pm\infty` allowed, NaN refused); returns float64.
    """
    z = check_float_array("z", z, allow_inf=True, cast_ints=True, allow_empty=True)
    return (z > 0).astype(np.float64)


_APPLY = {"relu": relu, "step": step, "identity": lambda z: z}


@dataclass(frozen=True)
class Layer:
    """One layer: ``a = activation(sources @ W.T + b)``; ``W`` (units, sources), ``b`` (units,)."""

    W: np.ndarray
    b: np.ndarray
    activation: str

    def __post_init__(self):
        check_option("activation", self.activation, UNIT_KINDS)
        W = check_array("W", self.W, ndim=2, allow_empty=True)
        b = check_array("b", self.b, ndim=1, allow_empty=True)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), one bias per row of W {W.shape}, got {b.shape}")


@dataclass(frozen=True)
class Network:
    """A feedforward network whose layer ``l`` reads the inputs and all layers before ``l``."""

    n_inputs: int
    layers: tuple[Layer, ...]

    def __post_init__(self):
        n_values = check_int("n_inputs", self.n_inputs, low=1)
        if not isinstance(self.layers, (tuple, list)):
            raise TypeError(f"layers must be a tuple of Layer objects, got {type(self.layers).__name__}")
        for l, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{l}] must be a Layer, got {type(layer).__name__}")
            if layer.W.shape[1] != n_values:
                raise ValueError(f"layers[{l}].W must have {n_values} columns (the inputs and every unit "
                                 f"below), got shape {layer.W.shape}")
            n_values += len(layer.b)

    @property
    def n_units(self) -> int:
        """Units (neurons) in all layers, output layer included, inputs excluded."""
        return sum(len(layer.b) for layer in self.layers)

    @property
    def n_layers(self) -> int:
        """Layers of units (hidden layers + the output layer)."""
        return len(self.layers)

    @property
    def n_connections(self) -> int:
        """Non-zero weights."""
        return int(sum(np.count_nonzero(layer.W) for layer in self.layers))


class NetworkBuilder:
    """Builds a :class:`Network` layer by layer. Values are numbered: inputs ``0..n-1``, then units."""

    def __init__(self, n_inputs: int):
        self.n_inputs = check_int("n_inputs", n_inputs, low=1)
        self.n_values = n_inputs
        self.layers: list[Layer] = []

    def add_layer(self, units, activation: str) -> list[int]:
        """Append a layer; returns the indices of its units.

        Parameters
        ----------
        units : list of (dict, float)
            One ``({value_index: weight}, bias)`` pair per unit; a value index is an int in
            ``0..n_values - 1`` (an input or a unit of an earlier layer), weights and biases are
            finite numbers. An empty list adds a layer without units (its output is empty).
        activation : {"relu", "step", "identity"}
            The kind of every unit of the layer (:data:`UNIT_KINDS`).
        """
        check_option("activation", activation, UNIT_KINDS)
        if isinstance(units, (str, bytes, dict)) or not hasattr(units, "__len__"):
            raise TypeError(f"units must be a list of (weights, bias) pairs, got {type(units).__name__}")
        W = np.zeros((len(units), self.n_values))
        b = np.zeros(len(units))
        for j, unit in enumerate(units):
            if not isinstance(unit, (tuple, list)) or len(unit) != 2 or not isinstance(unit[0], dict):
                raise TypeError(f"units[{j}] must be a pair ({{value_index: weight}}, bias), got {unit!r}")
            weights, bias = unit
            for i in weights:
                check_int(f"units[{j}] value index", i)
            unknown = [i for i in weights if not 0 <= i < self.n_values]
            if unknown:
                raise ValueError(f"units[{j}] (unit {j}) reads values {unknown}, but only 0..{self.n_values - 1} exist")
            for i, w in weights.items():
                W[j, i] += check_number(f"units[{j}] weight of value {i}", w)
            b[j] = check_number(f"units[{j}] bias", bias)
        self.layers.append(Layer(W, b, activation))
        first, self.n_values = self.n_values, self.n_values + len(units)
        return list(range(first, self.n_values))

    def build(self) -> Network:
        """The network built so far (the last layer added is its output layer)."""
        return Network(self.n_inputs, tuple(self.layers))


def forward(network: Network, X, return_all: bool = False):
    r"""NumPy forward pass; returns the last layer's outputs, shape ``(m, units_of_last_layer)``.

    Layer :math:`l` computes :math:`a^{(l)} = f_l\big(W^{(l)} [x; a^{(1)}; \dots; a^{(l-1)}] + b^{(l)}\big)`.
    With ``return_all=True`` also returns the list of every layer's outputs.

    Parameters
    ----------
    network : Network
        With at least one layer.
    X : array_like, shape (m, n_inputs)
        Finite real inputs, one row per example.
    return_all : bool, default False
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if not network.layers:
        raise ValueError(f"network must be a Network with at least one layer, got {network!r}")
    X = check_array("X", X, ndim=2)
    if X.shape[1] != network.n_inputs:
        raise ValueError(f"X must have shape (m, {network.n_inputs}), got {X.shape}")
    return_all = check_bool("return_all", return_all)
    values, outputs = X, []
    for layer in network.layers:
        z = values @ layer.W.T + layer.b
        a = _APPLY[layer.activation](z) if z.size else z  # a layer without units outputs nothing
        outputs.append(a)
        values = np.hstack([values, a])
    return (outputs[-1], outputs) if return_all else outputs[-1]


def strictly_layered(network: Network) -> Network:
    """An equivalent plain MLP, in which every layer reads only the layer just below it.

    A value that a later layer needs is copied upward by one relay unit per layer it
    crosses: ``relu(v)`` in a ReLU layer (exact for ``v >= 0``), ``v`` in a linear layer and
    ``H(v - 1/2)`` in a threshold layer (exact for ``v`` in {0, 1}) -- exact for every Boolean
    circuit of this module. Returns a new :class:`Network`.
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    layers, n_in = network.layers, network.n_inputs
    produced = [0] * n_in + [l for l, layer in enumerate(layers, start=1) for _ in layer.b]
    last_read = list(produced)
    for l, layer in enumerate(layers, start=1):
        for i in np.flatnonzero(np.any(layer.W != 0, axis=0)):
            last_read[i] = max(last_read[i], l)
    relay_bias = {"relu": 0.0, "identity": 0.0, "step": -0.5}
    builder, offset = NetworkBuilder(n_in), n_in
    where = {i: i for i in range(n_in)}  # original value -> its copy in the layer below
    for l, layer in enumerate(layers, start=1):
        units = [({where[i]: w for i, w in enumerate(row) if w}, bias) for row, bias in zip(layer.W, layer.b)]
        relayed = [i for i in where if last_read[i] > l]
        relays = [({where[i]: 1.0}, relay_bias[layer.activation]) for i in relayed]
        index = builder.add_layer(units + relays, layer.activation)
        where = {offset + j: index[j] for j in range(len(layer.b))}
        where.update({i: index[len(layer.b) + k] for k, i in enumerate(relayed)})
        offset += len(layer.b)
    return builder.build()
