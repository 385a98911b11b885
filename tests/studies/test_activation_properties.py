"""nnbook.studies.activation_properties: measured properties against closed forms and torch modules."""
import math

import pytest
import torch

from nnbook.studies.activation_properties import best_time, measure_properties, time_activation, torch_module

pytestmark = pytest.mark.ch2


def test_textbook_properties_are_measured():
    sigmoid, relu, tanh = (measure_properties(n) for n in ("sigmoid", "relu", "tanh"))
    assert sigmoid["range"] == "(0, 1)" and tanh["range"] == "(-1, 1)" and relu["range"] == "[0, ∞)"
    assert sigmoid["mean for z~N(0,1)"] == 0.5 and sigmoid["saturates"] == "both sides"
    assert relu["mean for z~N(0,1)"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-3)
    assert relu["kink at 0"] and not tanh["kink at 0"] and tanh["identity near 0"] == "yes"
    assert relu["identity near 0"] == "for z > 0 only" and relu["saturates"] == "z → -∞"
    assert measure_properties("selu")["zero-centred"] and not relu["zero-centred"]
    assert not measure_properties("gelu")["monotonic"] and measure_properties("elu")["monotonic"]
    assert measure_properties("leaky_relu")["range"] == "(-∞, ∞)"
    assert measure_properties("elu", alpha=2.0)["kink at 0"] and not measure_properties("elu")["kink at 0"]
    assert not measure_properties("identity")["nonlinear"]


def test_parameter_counts_come_from_torch_modules():
    assert measure_properties("prelu")["learnable parameters"] == 1
    assert measure_properties("relu")["learnable parameters"] == 0
    assert isinstance(torch_module("swish"), torch.nn.SiLU)
    with pytest.raises(ValueError, match="no torch module for activation 'maxout'"):
        torch_module("maxout")


def test_timers_return_positive_durations_and_reject_bad_arguments():
    assert time_activation("relu", n=1000, repeats=2) > 0
    assert time_activation("sigmoid", n=1000, repeats=1, backend="numpy") > 0
    assert best_time(sum, [1, 2, 3]) > 0
    with pytest.raises(ValueError, match="backend must be"):
        time_activation("relu", n=10, backend="jax")
    with pytest.raises(ValueError, match="n must be an int >= 1, got 0"):
        time_activation("relu", n=0)
    with pytest.raises(ValueError, match="repeats must be an int >= 1, got 0"):
        best_time(sum, [1], repeats=0)
