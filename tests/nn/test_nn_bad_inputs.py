"""Families of bad inputs for every public callable of ``nnbook.nn`` (issue 14, "one validation floor").

For each (callable, argument) a Hypothesis strategy draws values that break the documented
contract -- NaN/inf, complex, strings, bools, None, wrong ndim or shape, empty arrays, floats
where ints are needed, non-positive sizes and rates, unknown option strings, labels out of
range, bad ``random_state`` -- and the call must raise ``ValueError`` or ``TypeError`` whose
message names the argument. A few good-input properties close the file.

Not covered, on purpose: the arguments that only the bodies of functions printed in the
book could check (``dropout_forward``'s ``X``, ``numerical_gradient``'s ``f``, ``mlp.backward``,
``l2_penalty_grad``'s ``weights``): their source is shown in the notebooks and is left as it is.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nn import activations as act
from nnbook.nn import conv, dropout, gradcheck, init, losses, mlp, normalization, optim, pooling

pytestmark = [pytest.mark.ch2, pytest.mark.ch3, pytest.mark.ch4, pytest.mark.ch5]

SETTINGS = settings(max_examples=10, deadline=None, database=None)


# --- strategies --------------------------------------------------------------------------
def _with(shape, index, value, dtype=float):
    a = np.ones(shape, dtype=dtype)
    a.flat[index % a.size] = value
    return a


def bad_arrays(shape, *, inf_ok=False, ints_ok=True, ndim_free=False, extra=()):
    """Arrays that break a float-array contract of ``shape``."""
    n = int(np.prod(shape))
    kinds = [
        st.integers(0, n - 1).map(lambda i: _with(shape, i, np.nan)),
        st.just(np.ones(shape, complex)), st.just(np.full(shape, "a")), st.just(np.ones(shape, bool)),
        st.just(None), st.just("abc"), st.just(np.empty((0,) + tuple(shape[1:]))),
    ]
    if not inf_ok:
        kinds.append(st.tuples(st.integers(0, n - 1), st.sampled_from([np.inf, -np.inf])).map(
            lambda t: _with(shape, t[0], t[1])))
    if not ints_ok:
        kinds.append(st.just(np.ones(shape, int)))
    if not ndim_free:
        kinds += [st.just(np.ones(tuple(shape) + (2,))), st.just(np.ones(shape[1:] if len(shape) > 1 else (2, 2)))]
    return st.one_of(*kinds, *[st.just(e) for e in extra])


def bad_ints(low=1):
    """Values that are not an int >= ``low``."""
    return st.one_of(st.integers(max_value=low - 1), st.floats(0.5, 9.5).filter(lambda x: x != int(x)),
                     st.booleans(), st.just("3"), st.just(None), st.just(2.0), st.just(1 + 1j))


def bad_reals(low=None, low_open=False, high=None, high_open=False, inf_ok=False):
    """Values that are not a finite real in the given interval."""
    kinds = [st.just(math.nan), st.just("0.1"), st.just(1 + 2j), st.just(True), st.just(None)]
    if not inf_ok:
        kinds.append(st.sampled_from([math.inf, -math.inf]))
    if low is not None:
        kinds.append(st.floats(low - 10, low, exclude_max=not low_open))
    if high is not None:
        kinds.append(st.floats(high, high + 10, exclude_min=not high_open))
    return st.one_of(*kinds)


def bad_options():
    return st.one_of(st.text(min_size=1, max_size=6).filter(lambda s: s not in OPTION_WORDS),
                     st.just(3), st.just(None), st.just(["relu"]))


OPTION_WORDS = {"none", "tanh", "relu", "sigmoid", "linear", "identity", "selu", "leaky_relu", "max", "avg",
                "elu", "gelu", "swish", "prelu", "rrelu", "softplus", "maxout", "silu", "lrelu", "logistic",
                "softmax", "cross_entropy", "binary_cross_entropy", "squared_error"} | set(init.INITIALISERS)
BAD_RANDOM_STATES = st.one_of(st.integers(max_value=-1), st.just("abc"), st.just(2.5), st.just(True), st.just([1]))
BAD_LABELS = st.one_of(st.just(np.array([0, 3, 1, 2])), st.just(np.array([0, -1, 1, 2])),
                       st.just(np.array([0.0, 1.0, 1.0, 2.0])), st.just(np.array([0, 1, 2])),
                       st.just(np.array([[0, 1, 1, 2]])), st.just(None), st.just("abc"))


def pattern(name: str) -> str:
    """A regex for the argument's name as a code token (never the English article 'a')."""
    tail = r"(?:\[[^\]]*\])?(?: \w+)?(?: must| has| is| and| with| contains| =| \(|:| exceed)"
    return rf"(?:^|[\s('\"]){re.escape(name)}{tail}"


# --- fixtures: tiny valid inputs ------------------------------------------------------------
RNG = np.random.default_rng(0)
X4 = RNG.normal(size=(2, 2, 6, 6))
W4 = RNG.normal(size=(3, 2, 3, 3))
XM, YM = RNG.normal(size=(8, 5)), np.array([0, 1, 2, 0, 1, 2, 0, 1])


def _bn_cache():
    return normalization.batch_norm_forward(RNG.normal(size=(4, 3)), np.ones(3), np.zeros(3))[1]


def _ln_cache():
    return normalization.layer_norm_forward(RNG.normal(size=(4, 3)), np.ones(3), np.zeros(3))[1]


def _fitted():
    return mlp.MLP([5, 4, 3], epochs=1).fit(XM, YM)


def _linear():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 2))


def _results():
    p = np.zeros(2)
    return gradcheck.check_gradients(lambda: float(np.sum(p**2)), [p], [np.zeros(2)])


Z23 = (2, 3)
CASES = []  # (id, argument name, strategy, call(bad))


def case(ident, name, strategy, call):
    CASES.append(pytest.param(name, strategy, call, id=f"{ident}:{name}"))


# activations
for key, entry in act.ACTIVATIONS.items():
    z_shape = (2, 4)
    case(f"{key}.f", "z", bad_arrays(z_shape, inf_ok=True, ndim_free=True), lambda b, e=entry: e.f(b))
    case(f"{key}.f_prime", "z", bad_arrays(z_shape, inf_ok=True, ndim_free=True), lambda b, e=entry: e.f_prime(b))
for fn in (act.leaky_relu, act.leaky_relu_prime):
    case(fn.__name__, "a", bad_reals(), lambda b, f=fn: f(np.ones(3), a=b))
for fn in (act.prelu, act.prelu_prime):
    case(fn.__name__, "a", bad_arrays((3,), extra=(np.ones(4), np.ones((2, 3, 1)))), lambda b, f=fn: f(np.ones(Z23), a=b))
case("prelu_slope_grad", "grad_out", bad_arrays(Z23, extra=(np.ones(3),)),
     lambda b: act.prelu_slope_grad(np.ones(Z23), 0.25, b))
for fn in (act.softplus, act.softplus_prime):
    case(fn.__name__, "beta", bad_reals(low=0.0), lambda b, f=fn: f(np.ones(3), beta=b))
for fn in (act.swish, act.swish_prime):
    case(fn.__name__, "beta", bad_reals(), lambda b, f=fn: f(np.ones(3), beta=b))
for fn in (act.elu, act.elu_prime):
    case(fn.__name__, "alpha", bad_reals(), lambda b, f=fn: f(np.ones(3), alpha=b))
for fn in (act.gelu, act.gelu_prime):
    case(fn.__name__, "approximate", bad_options(), lambda b, f=fn: f(np.ones(3), approximate=b))
for fn in (act.rrelu, act.rrelu_prime):
    case(fn.__name__, "lower", bad_reals(low=0.0), lambda b, f=fn: f(np.ones(3), lower=b))
    case(fn.__name__, "upper", st.one_of(bad_reals(), st.floats(-10, 0.12)), lambda b, f=fn: f(np.ones(3), upper=b))
    case(fn.__name__, "training", st.sampled_from([0, 1, "yes", None]), lambda b, f=fn: f(np.ones(3), training=b))
    case(fn.__name__, "random_state", BAD_RANDOM_STATES, lambda b, f=fn: f(-np.ones(3), training=True, random_state=b))
for fn in (act.maxout, act.maxout_prime):
    case(fn.__name__, "k", bad_ints(), lambda b, f=fn: f(np.ones((2, 4)), k=b))
    case(fn.__name__, "z", bad_arrays((2, 4), inf_ok=True, ndim_free=True, extra=(np.ones((2, 5)), np.float64(1.0))),
         lambda b, f=fn: f(b, k=2))
case("get_activation", "name", bad_options(), act.get_activation)

# losses
for fn in (losses.squared_error, losses.squared_error_grad):
    case(fn.__name__, "y_hat", bad_arrays((4, 2), extra=(np.ones((4, 3)),)), lambda b, f=fn: f(b, np.ones((4, 2))))
    case(fn.__name__, "y", bad_arrays((4, 2), extra=(np.ones((3, 2)),)), lambda b, f=fn: f(np.ones((4, 2)), b))
for fn in (losses.binary_cross_entropy, losses.binary_cross_entropy_grad):
    case(fn.__name__, "logits", bad_arrays((4, 1), extra=(np.ones((4, 2)),)), lambda b, f=fn: f(b, np.ones((4, 1))))
    case(fn.__name__, "y", bad_arrays((4, 1), extra=(np.full((4, 1), 2.0), np.full((4, 1), -0.5), np.ones(4))),
         lambda b, f=fn: f(np.ones((4, 1)), b))
for fn in (losses.cross_entropy, losses.cross_entropy_grad):
    case(fn.__name__, "logits", bad_arrays((4, 3)), lambda b, f=fn: f(b, np.array([0, 1, 2, 0])))
    case(fn.__name__, "y", BAD_LABELS, lambda b, f=fn: f(np.zeros((4, 3)), b))
case("one_hot", "y", BAD_LABELS.filter(lambda y: not (isinstance(y, np.ndarray) and y.shape == (3,))),
     lambda b: losses.one_hot(b, 3))
case("one_hot", "n_classes", bad_ints(), lambda b: losses.one_hot(np.array([0, 0]), b))
for fn in (losses.logsumexp, losses.log_softmax):
    case(fn.__name__, "Z", bad_arrays(Z23), lambda b, f=fn: f(b))
case("softmax", "Z", bad_arrays(Z23, ndim_free=True, extra=(np.float64(2.0),)), losses.softmax)
case("softmax_jacobian", "z", bad_arrays((3,)), losses.softmax_jacobian)
case("softmax_backward", "A", bad_arrays(Z23, extra=(np.ones(Z23),)), lambda b: losses.softmax_backward(b, np.ones(Z23)))
case("softmax_backward", "grad_out", bad_arrays(Z23, extra=(np.ones((3, 2)),)),
     lambda b: losses.softmax_backward(np.full(Z23, 1 / 3), b))
case("l2_penalty", "weights", st.one_of(st.just(None), st.just("W"), st.just(np.ones((2, 2))), st.just([np.array([np.nan])]),
                                        st.just([np.ones(2, complex)]), st.just(["abc"])), lambda b: losses.l2_penalty(b, 0.1))
for fn in (losses.l2_penalty, losses.l2_penalty_grad):
    case(fn.__name__, "weight_decay", bad_reals(low=0.0), lambda b, f=fn: f([np.ones((2, 2))], b))

# init
BAD_SHAPES = st.sampled_from([(3,), (3, 0), (0, 3), (3, 2.5), (True, 3), "ab", None, (3, -1), 5, (3, "2")])
for key, fn in init.INITIALISERS.items():
    case(key, "shape", BAD_SHAPES, lambda b, f=fn: f(b))
    case(key, "random_state", BAD_RANDOM_STATES, lambda b, f=fn: f((3, 3), random_state=b))
for fn in (init.xavier_uniform, init.xavier_normal, init.he_uniform, init.he_normal):
    case(fn.__name__, "gain", bad_reals(low=0.0), lambda b, f=fn: f((3, 3), gain=b))
case("fan_in_and_fan_out", "shape", BAD_SHAPES, init.fan_in_and_fan_out)
case("calculate_gain", "nonlinearity", bad_options(), init.calculate_gain)
case("calculate_gain", "negative_slope", bad_reals(), lambda b: init.calculate_gain("leaky_relu", b))
case("init_variance", "name", bad_options(), lambda b: init.init_variance(b, (3, 3)))
case("init_variance", "shape", BAD_SHAPES, lambda b: init.init_variance("he_normal", b))
case("initialise", "name", bad_options(), lambda b: init.initialise(b, (3, 3)))
case("as_generator", "random_state", BAD_RANDOM_STATES, init.as_generator)
case("forward_variances", "init", bad_options(), lambda b: init.forward_variances(b, 2, 3, n_samples=10))
case("forward_variances", "depth", bad_ints(), lambda b: init.forward_variances("he_normal", b, 3, n_samples=10))
case("forward_variances", "width", bad_ints(), lambda b: init.forward_variances("he_normal", 2, b, n_samples=10))
case("forward_variances", "n_samples", bad_ints(low=2), lambda b: init.forward_variances("he_normal", 2, 3, n_samples=b))
case("forward_variances", "activation", bad_options(), lambda b: init.forward_variances("he_normal", 2, 3, b, 10))
case("forward_variances", "random_state", BAD_RANDOM_STATES,
     lambda b: init.forward_variances("he_normal", 2, 3, n_samples=10, random_state=b))

# mlp
WS, BS = [np.ones((4, 5)), np.ones((3, 4))], [np.zeros(4), np.zeros(3)]
case("forward", "X", bad_arrays((8, 5), extra=(np.ones((8, 4)),)), lambda b: mlp.forward(b, WS, BS))
case("forward", "weights", st.sampled_from([None, np.ones((4, 5)), [], [np.ones((4, 5)), np.ones((3, 5))],
                                            [np.ones(5), np.ones((3, 4))], [np.full((4, 5), np.nan), np.ones((3, 4))]]),
     lambda b: mlp.forward(XM, b, BS))
case("forward", "biases", st.sampled_from([None, [np.zeros(4)], [np.zeros(4), np.zeros(4)], [np.zeros((4, 1)), np.zeros(3)]]),
     lambda b: mlp.forward(XM, WS, b))
case("forward", "activation", bad_options(), lambda b: mlp.forward(XM, WS, BS, activation=b))
case("forward", "output_activation", bad_options(), lambda b: mlp.forward(XM, WS, BS, output_activation=b))
case("check_layers", "weights", st.sampled_from([None, "W", [np.ones((4, 5), complex)], [np.ones((4, 4))]]),
     lambda b: mlp.check_layers(b, [np.zeros(4)], 5))
case("output_delta", "loss", bad_options(), lambda b: mlp.output_delta(b, "softmax", np.zeros(Z23), np.zeros(Z23), None))
case("output_delta", "output_activation", bad_options().filter(lambda b: b is not None),
     lambda b: mlp.output_delta("cross_entropy", b, np.zeros(Z23), np.zeros(Z23), [0, 1]))
case("output_delta", "output_activation", bad_options(),
     lambda b: mlp.output_delta("squared_error", b, np.zeros(Z23), np.zeros(Z23), np.zeros(Z23)))
case("output_delta", "Z_out", bad_arrays(Z23), lambda b: mlp.output_delta("cross_entropy", "softmax", b, np.zeros(Z23), [0, 1]))
case("output_delta", "A_out", bad_arrays(Z23, extra=(np.zeros((3, 2)),)),
     lambda b: mlp.output_delta("cross_entropy", "softmax", np.zeros(Z23), b, [0, 1]))
case("init_params", "layer_sizes", st.sampled_from([[5], [5, 0], [5, 2.0], None, "53", [5, True]]),
     lambda b: mlp.init_params(b, "relu", np.random.default_rng(0)))
case("init_params", "activation", bad_options(), lambda b: mlp.init_params([5, 3], b, np.random.default_rng(0)))
case("init_params", "rng", BAD_RANDOM_STATES, lambda b: mlp.init_params([5, 3], "relu", b))
MLP_BAD = {
    "layer_sizes": st.sampled_from([[5], [5, 0, 3], [5, 4.0, 3], [5, 4, 1], None, "543", [5, -1, 3]]),
    "activation": bad_options(), "loss": bad_options(), "output_activation": bad_options().filter(lambda b: b is not None),
    "weight_decay": bad_reals(low=0.0), "learning_rate": bad_reals(low=0.0), "batch_size": bad_ints(),
    "epochs": bad_ints(), "shuffle": st.sampled_from([0, 1, "yes", None]), "random_state": BAD_RANDOM_STATES,
    "warm_start": st.sampled_from([0, 1, "no", None]),
}
for param, strategy in MLP_BAD.items():
    extra = {"loss": "squared_error"} if param == "output_activation" else {}
    y = np.zeros((8, 3)) if extra else YM
    case("MLP.fit", param, strategy, lambda b, p=param, e=extra, y=y: mlp.MLP(**{"layer_sizes": [5, 4, 3], **e, p: b}).fit(XM, y))
case("MLP.fit", "X", bad_arrays((8, 5), extra=(np.ones((8, 4)),)), lambda b: mlp.MLP([5, 3], epochs=1).fit(b, YM))
case("MLP.fit", "y", BAD_LABELS, lambda b: mlp.MLP([4, 3], epochs=1).fit(XM[:4, :4], b))
for method in ("predict", "predict_proba"):
    case(f"MLP.{method}", "X", bad_arrays((8, 5), extra=(np.ones((8, 4)),)), lambda b, m=method: getattr(_fitted(), m)(b))
case("MLP.score", "y", BAD_LABELS, lambda b: _fitted().score(XM[:4], b))
case("MLP.loss_and_gradients", "X", bad_arrays((8, 5)), lambda b: _fitted().loss_and_gradients(b, YM))

# optim
for key, cls in optim.OPTIMIZERS.items():
    case(key, "lr", bad_reals(low=0.0), lambda b, c=cls: c([np.zeros(2)], lr=b))
    case(key, "params", st.sampled_from([[], None, "p", [np.zeros(2, int)], [[0.0, 1.0]], 3]), lambda b, c=cls: c(b, lr=0.1))
    case(f"{key}.step", "grads", st.sampled_from([[np.ones(2, complex)], [np.ones(3)], ["ab"], None, [np.ones(2)] * 2, 3]),
         lambda b, c=cls: c([np.zeros(2)], lr=0.1).step(b))
    case(key, "weight_decay", bad_reals(low=0.0), lambda b, c=cls: c([np.zeros(2)], lr=0.1, weight_decay=b))
case("SGD", "momentum", bad_reals(low=0.0, high=1.0), lambda b: optim.SGD([np.zeros(2)], lr=0.1, momentum=b))
case("SGD", "nesterov", st.sampled_from(["yes", None, 1]), lambda b: optim.SGD([np.zeros(2)], lr=0.1, momentum=0.9, nesterov=b))
for cls in (optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW):
    case(cls.__name__, "eps", bad_reals(low=0.0), lambda b, c=cls: c([np.zeros(2)], eps=b))
case("RMSprop", "alpha", bad_reals(low=0.0, high=1.0), lambda b: optim.RMSprop([np.zeros(2)], alpha=b))
case("Adam", "betas", st.sampled_from([0.9, (0.9,), (0.9, 1.0), (-0.1, 0.9), (0.9, math.nan), ("a", 0.9), None]),
     lambda b: optim.Adam([np.zeros(2)], betas=b))
case("Adam", "bias_correction", st.sampled_from([0, "no", None]), lambda b: optim.Adam([np.zeros(2)], bias_correction=b))
case("clip_grad_norm", "grads", st.sampled_from([[], None, [[1.0, 2.0]], [np.ones(2, int)], "g"]),
     lambda b: optim.clip_grad_norm(b, 1.0))
case("clip_grad_norm", "max_norm", bad_reals(low=0.0, inf_ok=True), lambda b: optim.clip_grad_norm([np.ones(2)], b))
case("clip_grad_norm", "norm_type", bad_reals(low=0.0, inf_ok=True), lambda b: optim.clip_grad_norm([np.ones(2)], 1.0, b))
case("adam_l2_effective_decay", "v", bad_arrays((4,), ndim_free=True, extra=(-np.ones(4),)),
     lambda b: optim.adam_l2_effective_decay(b, 10, 0.01, 0.1))
case("adam_l2_effective_decay", "t", bad_ints(), lambda b: optim.adam_l2_effective_decay(np.ones(4), b, 0.01, 0.1))
case("adam_l2_effective_decay", "lr", bad_reals(low=0.0), lambda b: optim.adam_l2_effective_decay(np.ones(4), 10, b, 0.1))
case("adam_l2_effective_decay", "weight_decay", bad_reals(low=0.0),
     lambda b: optim.adam_l2_effective_decay(np.ones(4), 10, 0.01, b))
case("adam_l2_effective_decay", "beta2", bad_reals(low=0.0, high=1.0),
     lambda b: optim.adam_l2_effective_decay(np.ones(4), 10, 0.01, 0.1, beta2=b))
case("GradClipping", "optimizer", st.sampled_from([None, "sgd", 3]), lambda b: optim.GradClipping(b, 1.0))
case("GradClipping", "max_norm", bad_reals(low=0.0, inf_ok=True),
     lambda b: optim.GradClipping(torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1), b))

# dropout
case("dropout_forward", "p", bad_reals(low=0.0, high=1.0), lambda b: dropout.dropout_forward(np.ones(3), b))
case("dropout_forward", "random_state", BAD_RANDOM_STATES, lambda b: dropout.dropout_forward(np.ones(3), 0.5, random_state=b))
case("dropout_backward", "grad_out", bad_arrays((2, 3), inf_ok=False, ndim_free=True),
     lambda b: dropout.dropout_backward(b, None))
case("dropout_backward", "mask", st.sampled_from([np.ones((3, 2), bool), np.ones((2, 3)), "m", [[1, 0, 1]]]),
     lambda b: dropout.dropout_backward(np.ones((2, 3)), b))
case("dropout_backward", "p", bad_reals(low=0.0, high=1.0), lambda b: dropout.dropout_backward(np.ones(3), None, b))
case("subnetwork_ensemble", "H", bad_arrays((2, 3), extra=(np.ones((1, 17)),)),
     lambda b: dropout.subnetwork_ensemble(b, np.ones((3, 2)), np.ones(2)))
case("subnetwork_ensemble", "W", bad_arrays((3, 2), extra=(np.ones((4, 2)),)),
     lambda b: dropout.subnetwork_ensemble(np.ones((2, 3)), b, np.ones(2)))
case("subnetwork_ensemble", "b", bad_arrays((2,), extra=(np.ones(3),)),
     lambda b: dropout.subnetwork_ensemble(np.ones((2, 3)), np.ones((3, 2)), b))
case("subnetwork_ensemble", "p", bad_reals(low=0.0, high=1.0),
     lambda b: dropout.subnetwork_ensemble(np.ones((2, 3)), np.ones((3, 2)), np.ones(2), b))
case("mc_dropout_predict_proba", "model", st.sampled_from([None, "net", 3]),
     lambda b: dropout.mc_dropout_predict_proba(b, torch.ones(2, 3), 2))
case("mc_dropout_predict_proba", "X", st.sampled_from([np.ones((2, 3)), torch.ones(3), torch.ones(2, 3, dtype=torch.int64),
                                                       torch.full((2, 3), math.nan), None]),
     lambda b: dropout.mc_dropout_predict_proba(_linear(), b, 2))
case("mc_dropout_predict_proba", "n_samples", bad_ints(), lambda b: dropout.mc_dropout_predict_proba(_linear(), torch.ones(2, 3), b))
case("mc_dropout_predict_proba", "seed", bad_ints(low=0), lambda b: dropout.mc_dropout_predict_proba(_linear(), torch.ones(2, 3), 2, b))

# normalization
G3, B3 = np.ones(3), np.zeros(3)
BAD_BN_X = bad_arrays((4, 3), ints_ok=False, ndim_free=True, extra=(np.ones(4), np.ones((4, 3, 1, 1, 2)), np.ones((4, 2))))
case("batch_norm_forward", "X", BAD_BN_X, lambda b: normalization.batch_norm_forward(b, G3, B3))
case("batch_norm_forward", "gamma", bad_arrays((3,), ints_ok=False, extra=(np.ones(2),)),
     lambda b: normalization.batch_norm_forward(np.ones((4, 3)), b, B3))
case("batch_norm_forward", "beta", bad_arrays((3,), ints_ok=False, extra=(np.ones(2),)),
     lambda b: normalization.batch_norm_forward(np.ones((4, 3)), G3, b))
case("batch_norm_forward", "eps", bad_reals(low=0.0), lambda b: normalization.batch_norm_forward(RNG.normal(size=(4, 3)), G3, B3, b))
case("batch_norm_backward", "grad_out", bad_arrays((4, 3), ints_ok=False, extra=(np.ones((4, 2)),)),
     lambda b: normalization.batch_norm_backward(b, _bn_cache()))
case("batch_norm_backward", "cache", st.sampled_from([None, {}, "cache", (1, 2)]),
     lambda b: normalization.batch_norm_backward(np.ones((4, 3)), b))
for name, i in (("X", 0), ("gamma", 1), ("beta", 2), ("running_mean", 3), ("running_var", 4)):
    shape = (4, 3) if name == "X" else (3,)
    def call(b, i=i):
        args = [np.ones((4, 3)), G3, B3, np.zeros(3), np.ones(3)]
        args[i] = b
        return normalization.batch_norm_inference(*args)
    strategy = BAD_BN_X if name == "X" else bad_arrays(shape, ints_ok=name.startswith("running"), extra=(np.ones(2),))
    case("batch_norm_inference", name, strategy, call)
case("batch_norm_inference", "eps", bad_reals(low=0.0),
     lambda b: normalization.batch_norm_inference(np.ones((4, 3)), G3, B3, np.zeros(3), np.ones(3), b))
case("BatchNorm", "num_features", bad_ints(), normalization.BatchNorm)
case("BatchNorm", "momentum", bad_reals(low=0.0, high=1.0), lambda b: normalization.BatchNorm(3, momentum=b))
case("BatchNorm", "eps", bad_reals(low=0.0, low_open=True), lambda b: normalization.BatchNorm(3, eps=b))
case("BatchNorm.forward", "X", BAD_BN_X,
     lambda b: normalization.BatchNorm(3).forward(b))
case("layer_norm_forward", "X", bad_arrays((4, 3), ints_ok=False), lambda b: normalization.layer_norm_forward(b, G3, B3))
case("layer_norm_forward", "gamma", bad_arrays((3,), ints_ok=False, extra=(np.ones(2),)),
     lambda b: normalization.layer_norm_forward(np.ones((4, 3)), b, B3))
case("layer_norm_forward", "eps", bad_reals(low=0.0, low_open=True),
     lambda b: normalization.layer_norm_forward(np.ones((4, 3)), G3, B3, b))
case("layer_norm_backward", "grad_out", bad_arrays((4, 3), ints_ok=False, extra=(np.ones((4, 2)),)),
     lambda b: normalization.layer_norm_backward(b, _ln_cache()))
case("layer_norm_backward", "cache", st.sampled_from([None, {}, "cache"]), lambda b: normalization.layer_norm_backward(np.ones((4, 3)), b))

# conv and pooling
for i, name in enumerate(("size", "kernel", "stride")):
    case("conv_output_size", name, bad_ints(), lambda b, i=i: conv.conv_output_size(*[(6, 3, 1)[:i] + (b,) + (6, 3, 1)[i + 1:]][0]))
case("conv_output_size", "padding", bad_ints(low=0), lambda b: conv.conv_output_size(6, 3, 1, b))
case("conv_output_size", "kernel", st.just(9), lambda b: conv.conv_output_size(6, b))
case("conv2d_forward", "X", bad_arrays(X4.shape, ints_ok=False, extra=(np.ones((2, 3, 6, 6)),)), lambda b: conv.conv2d_forward(b, W4))
case("conv2d_forward", "W", bad_arrays(W4.shape, ints_ok=False, extra=(np.ones((3, 2, 9, 9)),)), lambda b: conv.conv2d_forward(X4, b))
case("conv2d_forward", "b", bad_arrays((3,), ints_ok=False, extra=(np.ones(2),)).filter(lambda b: b is not None),
     lambda b: conv.conv2d_forward(X4, W4, b))
case("conv2d_forward", "stride", bad_ints(), lambda b: conv.conv2d_forward(X4, W4, stride=b))
case("conv2d_forward", "padding", bad_ints(low=0), lambda b: conv.conv2d_forward(X4, W4, padding=b))
case("conv2d_backward", "grad_out", bad_arrays((2, 3, 4, 4), ints_ok=False, extra=(np.ones((2, 3, 5, 5)),)),
     lambda b: conv.conv2d_backward(b, conv.conv2d_forward(X4, W4)[1]))
case("conv2d_backward", "cache", st.sampled_from([None, (), "cache", (1, 2, 3)]), lambda b: conv.conv2d_backward(np.ones((2, 3, 4, 4)), b))
case("receptive_field", "layers", st.sampled_from([None, 3, [], "ab", [3], [(3, 1, 2)], [(3, 0)], [(2.5, 1)], [(True, 1)]]),
     conv.receptive_field)
case("pool2d_forward", "X", bad_arrays(X4.shape, inf_ok=True, ints_ok=False), lambda b: pooling.pool2d_forward(b, 2))
case("pool2d_forward", "kernel", bad_ints(), lambda b: pooling.pool2d_forward(X4, b))
case("pool2d_forward", "stride", bad_ints().filter(lambda b: b is not None), lambda b: pooling.pool2d_forward(X4, 2, b))
case("pool2d_forward", "padding", st.one_of(bad_ints(low=0), st.just(2)), lambda b: pooling.pool2d_forward(X4, 2, 1, b))
case("pool2d_forward", "mode", bad_options(), lambda b: pooling.pool2d_forward(X4, 2, mode=b))
case("pool2d_backward", "grad_out", bad_arrays((2, 2, 3, 3), ints_ok=False, extra=(np.ones((2, 2, 4, 4)),)),
     lambda b: pooling.pool2d_backward(b, pooling.pool2d_forward(X4, 2)[1]))
case("pool2d_backward", "cache", st.sampled_from([None, (), "cache"]), lambda b: pooling.pool2d_backward(np.ones((2, 2, 3, 3)), b))
case("adaptive_bins", "size", bad_ints(), lambda b: pooling.adaptive_bins(b, 2))
case("adaptive_bins", "n_bins", st.one_of(bad_ints(), st.just(7)), lambda b: pooling.adaptive_bins(6, b))
case("spatial_pyramid_pool_forward", "X", bad_arrays(X4.shape, inf_ok=True, ints_ok=False),
     lambda b: pooling.spatial_pyramid_pool_forward(b))
case("spatial_pyramid_pool_forward", "levels", st.sampled_from([(), None, 3, (1, 0), (1, 2.0), (1, 7), "12"]),
     lambda b: pooling.spatial_pyramid_pool_forward(X4, b))
case("spatial_pyramid_pool_backward", "grad_out", bad_arrays((2, 42), ints_ok=False, extra=(np.ones((2, 41)),)),
     lambda b: pooling.spatial_pyramid_pool_backward(b, pooling.spatial_pyramid_pool_forward(X4)[1]))
case("spatial_pyramid_pool_backward", "cache", st.sampled_from([None, (), "cache"]),
     lambda b: pooling.spatial_pyramid_pool_backward(np.ones((2, 42)), b))

# gradcheck
case("relative_error", "analytic", bad_arrays((3,), extra=(np.ones(2),)), lambda b: gradcheck.relative_error(b, np.ones(3)))
case("relative_error", "numeric", bad_arrays((3,), extra=(np.ones(2),)), lambda b: gradcheck.relative_error(np.ones(3), b))
case("relative_error", "floor", bad_reals(low=0.0), lambda b: gradcheck.relative_error(np.ones(3), np.ones(3), b))
case("numerical_gradient", "param", st.sampled_from([[1.0, 2.0], np.arange(3), None, "p"]),
     lambda b: gradcheck.numerical_gradient(lambda: 0.0, b))
case("numerical_gradient", "h", st.one_of(st.floats(-10, 0), st.just("0.1"), st.just(None)),
     lambda b: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(2), b))
case("check_gradients", "f", st.sampled_from([None, 3, "f"]), lambda b: gradcheck.check_gradients(b, [np.zeros(2)], [np.zeros(2)]))
case("check_gradients", "params", st.sampled_from([None, "p", [np.arange(2)], np.zeros(2)]),
     lambda b: gradcheck.check_gradients(lambda: 0.0, b, [np.zeros(2)]))
case("check_gradients", "grads", st.sampled_from([None, [np.zeros(3)], [np.full(2, np.nan)], [np.zeros(2, complex)], []]),
     lambda b: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], b))
case("check_gradients", "names", st.sampled_from(["W", ["W", "b"]]),
     lambda b: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], [np.zeros(2)], b))
case("check_gradients", "h", bad_reals(low=0.0), lambda b: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], [np.zeros(2)], h=b))
case("check_gradients", "floor", bad_reals(low=0.0),
     lambda b: gradcheck.check_gradients(lambda: 0.0, [np.zeros(2)], [np.zeros(2)], floor=b))
case("assert_gradients_close", "results", st.sampled_from([None, 3, "r", [("W", 0.0)]]), gradcheck.assert_gradients_close)
case("assert_gradients_close", "tol", bad_reals(low=0.0), lambda b: gradcheck.assert_gradients_close(_results(), b))
case("check_model", "model", st.sampled_from([None, "model", mlp.MLP([5, 3])]), lambda b: gradcheck.check_model(b, XM, YM))
case("check_model", "X", bad_arrays((8, 5)), lambda b: gradcheck.check_model(_fitted(), b, YM))
case("check_model", "h", bad_reals(low=0.0), lambda b: gradcheck.check_model(_fitted(), XM, YM, h=b))


@pytest.mark.parametrize("name, strategy, call", CASES)
def test_bad_input_raises_and_names_the_argument(name, strategy, call):
    @SETTINGS
    @given(bad=strategy)
    def check(bad):
        with np.errstate(all="ignore"), pytest.raises((ValueError, TypeError), match=pattern(name)):
            call(bad)
    check()


def test_every_public_callable_of_nn_has_a_case():
    import inspect

    covered = {p.id.split(":")[0].split(".")[0] for p in CASES}
    covered |= set(act.ACTIVATIONS) | set(optim.OPTIMIZERS) | set(init.INITIALISERS) | {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW"}
    covered |= {e.f.__name__ for e in act.ACTIVATIONS.values()} | {e.f_prime.__name__ for e in act.ACTIVATIONS.values()}
    # backward and check_backward_inputs: tests/nn/test_mlp.py::test_backward_refuses_inputs_that_do_not_fit
    printed_only = {"backward", "check_backward_inputs", "available_activations", "to_torch"}
    missing = []
    for module in (act, conv, dropout, gradcheck, init, losses, mlp, normalization, optim, pooling):
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__ or not callable(obj):
                continue
            if inspect.isclass(obj) and issubclass(obj, (Exception, tuple)) or name in ("Activation", "Optimizer"):
                continue  # records and exceptions
            if name not in covered and name not in printed_only:
                missing.append(f"{module.__name__}.{name}")
    assert not missing, missing


# --- good-input properties ------------------------------------------------------------------
FINITE = st.floats(-30, 30, allow_nan=False)


@SETTINGS
@given(z=st.lists(FINITE, min_size=1, max_size=6), name=st.sampled_from(sorted(set(act.ACTIVATIONS) - {"maxout", "rrelu"})))
def test_derivatives_match_central_differences(z, name):
    z = np.array(z)
    z = z[np.abs(z) > 1e-3]  # away from the kinks
    if not z.size:
        return
    entry, h = act.get_activation(name), 1e-6
    numeric = (entry.f(z + h) - entry.f(z - h)) / (2 * h)
    np.testing.assert_allclose(entry.f_prime(z), numeric, rtol=1e-5, atol=1e-7)


@SETTINGS
@given(Z=st.lists(st.lists(FINITE, min_size=3, max_size=3), min_size=1, max_size=4))
def test_softmax_rows_are_distributions_and_cross_entropy_matches_torch(Z):
    Z = np.array(Z)
    A = losses.softmax(Z)
    np.testing.assert_allclose(A.sum(1), 1.0, rtol=1e-12)
    y = np.arange(len(Z)) % 3
    ref = torch.nn.functional.cross_entropy(torch.tensor(Z), torch.tensor(y)).item()
    np.testing.assert_allclose(losses.cross_entropy(Z, y), ref, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), kernel=st.integers(1, 3), stride=st.integers(1, 3))
def test_pooling_backward_conserves_the_gradient(seed, kernel, stride):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1, 2, 5, 5))
    for mode in ("max", "avg"):
        out, cache = pooling.pool2d_forward(X, kernel, stride, padding=kernel // 2, mode=mode)
        G = rng.normal(size=out.shape)
        dX = pooling.pool2d_backward(G, cache)
        if mode == "max":
            np.testing.assert_allclose(dX.sum(), G.sum(), rtol=1e-12, atol=1e-12)
        assert dX.shape == X.shape


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(init.INITIALISERS)))
def test_initialisers_are_reproducible_with_an_int_random_state(seed, name):
    np.testing.assert_array_equal(init.initialise(name, (4, 3), seed), init.initialise(name, (4, 3), seed))
