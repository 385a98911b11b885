"""nnbook.nn.init: initialisers against their variance formulas and against torch.nn.init."""
import math

import numpy as np
import pytest
import torch

from nnbook.nn import init

pytestmark = pytest.mark.ch4

SHAPES = [(400, 300), (64, 16, 3, 3)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(init.INITIALISERS))
def test_empirical_variance_matches_formula(name, shape):
    W = init.initialise(name, shape, random_state=0)
    assert W.shape == shape
    assert abs(W.mean()) < 4 * math.sqrt(init.init_variance(name, shape) / W.size)
    np.testing.assert_allclose(W.var(), init.init_variance(name, shape), rtol=0.03)


@pytest.mark.parametrize("shape", SHAPES + [(5, 7, 2)])
def test_fans_match_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.fan_in_and_fan_out(shape) == expected


@pytest.mark.parametrize("nonlinearity", ["linear", "sigmoid", "tanh", "relu", "selu", "leaky_relu"])
def test_gains_match_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, 0.01), rel=1e-12)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda s: init.xavier_uniform(s, random_state=1), torch.nn.init.xavier_uniform_),
        (lambda s: init.xavier_normal(s, random_state=1), torch.nn.init.xavier_normal_),
        (lambda s: init.he_uniform(s, random_state=1), lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
        (lambda s: init.he_normal(s, random_state=1), lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu")),
    ],
)
@pytest.mark.parametrize("shape", SHAPES)
def test_same_distribution_as_torch(ours, theirs, shape):
    torch.manual_seed(0)
    W_torch = theirs(torch.empty(shape, dtype=torch.float64)).numpy()
    W = ours(shape)
    np.testing.assert_allclose(W.var(), W_torch.var(), rtol=0.05)
    # same support: the largest |w| agrees (uniform: the bound; normal: ~4 standard deviations)
    np.testing.assert_allclose(np.abs(W).max(), np.abs(W_torch).max(), rtol=0.15)


def test_uniform_fan_in_is_torch_linear_default():
    torch.manual_seed(0)
    W_torch = torch.nn.Linear(300, 400).weight.detach().numpy()
    W = init.uniform_fan_in((400, 300), random_state=0)
    bound = 1 / math.sqrt(300)
    assert np.abs(W).max() <= bound and np.abs(W_torch).max() <= bound
    np.testing.assert_allclose(W.var(), W_torch.var(), rtol=0.03)
    np.testing.assert_allclose(W.var(), bound**2 / 3, rtol=0.03)


def test_forward_variance_is_preserved_by_the_matching_initialiser():
    he = init.forward_variances("he_normal", depth=20, width=256, activation="relu", random_state=0)
    lecun = init.forward_variances("lecun_normal", depth=20, width=256, activation="linear", random_state=0)
    small = init.forward_variances("uniform_fan_in", depth=20, width=256, activation="tanh", random_state=0)
    assert 0.5 < he[-1] / he[0] < 2 and 0.5 < lecun[-1] / lecun[0] < 2
    assert small[-1] < 1e-3 * small[0]  # Var(W) = 1/(3 n): the signal shrinks layer after layer


def test_random_state_makes_draws_reproducible():
    np.testing.assert_array_equal(init.he_normal((3, 4), random_state=5), init.he_normal((3, 4), random_state=5))
    rng = np.random.default_rng(0)
    assert not np.array_equal(init.he_normal((3, 4), random_state=rng), init.he_normal((3, 4), random_state=rng))


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.he_normal((5,))
    with pytest.raises(ValueError, match=r"shape\[1\] must be an int >= 1"):
        init.he_normal((5, 0))
    with pytest.raises(ValueError, match="gain must be > 0.0, got -1.0"):
        init.xavier_uniform((3, 3), gain=-1.0)
    with pytest.raises(ValueError, match="name must be one of"):
        init.initialise("glorot", (3, 3))
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init.calculate_gain("softmax")
    with pytest.raises(TypeError, match="random_state"):
        init.he_normal((3, 3), random_state="seed")
    with pytest.raises(ValueError, match="activation must be one of"):
        init.forward_variances("he_normal", 2, 4, activation="swish")


def test_as_generator_is_the_floor_check_random_state():
    from nnbook._validation import check_random_state

    g = np.random.default_rng(3)
    assert init.as_generator(g) is g
    for seed in (0, 5, np.int64(5)):
        np.testing.assert_array_equal(init.as_generator(seed).random(4), check_random_state(seed).random(4))
        np.testing.assert_array_equal(init.as_generator(seed).random(4), np.random.default_rng(seed).random(4))
    assert isinstance(init.as_generator(None), np.random.Generator)
    with pytest.raises(ValueError, match="random_state must be an int >= 0, got -1"):
        init.he_normal((3, 3), random_state=-1)
    with pytest.raises(TypeError, match="random_state must be an int, got float"):
        init.he_normal((3, 3), random_state=2.5)


@pytest.mark.parametrize("call, error, match", [
    (lambda: init.fan_in_and_fan_out((3, 2.0)), TypeError, r"shape\[1\] must be an int, got float"),
    (lambda: init.fan_in_and_fan_out("33"), TypeError, "shape must be a tuple of ints"),
    (lambda: init.he_normal((3, 3), gain=np.inf), ValueError, "gain must be a finite number"),
    (lambda: init.calculate_gain("leaky_relu", negative_slope=np.nan), ValueError, "negative_slope must be a finite"),
    (lambda: init.forward_variances("he_normal", 0, 4), ValueError, "depth must be an int >= 1, got 0"),
    (lambda: init.forward_variances("he_normal", 2, 4.5), TypeError, "width must be an int"),
    (lambda: init.forward_variances("glorot", 2, 4), ValueError, "init must be one of"),
    (lambda: init.init_variance("glorot", (3, 3)), ValueError, "name must be one of"),
])
def test_more_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
