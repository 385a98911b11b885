"""Bad inputs to every public entry point of nnbook.studies are refused, naming the argument (issue 14).

Each case substitutes one family of bad values (Hypothesis strategies) for one argument of a
public callable, the others being valid, and asserts ``ValueError``/``TypeError`` whose message
starts with the argument's name (or matches the case's own pattern). Nothing may be returned:
a silent answer fails the test. Good-input properties follow at the end.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnbook.base import NotFittedError
from nnbook.data import to_tensor_dataset
from nnbook.studies import (activation_properties as ap, approximation as A, batch_statistics as bs, boolean as B,
                            circuit as C, convergence as conv, covariate_shift as cs, critical_points as cp, glm,
                            landscape as ls, selu, zigzag as zz)

pytestmark = [pytest.mark.ch1, pytest.mark.ch2, pytest.mark.ch4]  # the studies of those chapters
FAST = settings(max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------- families of bad values
NOT_NUMBERS = st.one_of(st.text(max_size=3), st.none(), st.booleans(), st.complex_numbers(allow_nan=False).filter(
    lambda z: z.imag != 0), st.lists(st.integers(), min_size=1, max_size=2))
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan")])


def bad_int(low: int | None = None, high: int | None = None):
    """Floats (even 2.0), bools, strings, None, complex, and ints outside [low, high]."""
    families = [st.floats(allow_nan=True), NOT_NUMBERS, st.just(np.float64(2.0))]
    if low is not None:
        families.append(st.integers(max_value=low - 1))
    if high is not None:
        families.append(st.integers(min_value=high + 1, max_value=10**6))
    return st.one_of(families)


def bad_number(low: float | None = None, low_open: bool = False):
    """NaN, infinities, non-numbers, and numbers below ``low`` (or equal to it when open)."""
    families = [NON_FINITE, NOT_NUMBERS]
    if low is not None:
        families.append(st.floats(max_value=low, exclude_max=not low_open, allow_nan=False, allow_infinity=False))
    return st.one_of(families)


def bad_option(options):
    return st.one_of(st.text(max_size=6).filter(lambda s: s not in options), st.integers(), st.none())


def bad_bool():
    return st.one_of(st.integers(0, 1), st.text(max_size=3), st.none(), st.floats(0, 1))


def bad_array(shape, bad_shapes=(), empty: bool = True):
    """Wrong shapes (the given ones, 1 extra dimension, empty), NaN/inf entries, strings, complex, None."""
    good = np.ones(shape)

    def with_entry(value):
        arr = good.astype(type(value) if isinstance(value, complex) else float).copy()
        arr.flat[0] = value
        return arr

    empties = [np.ones((0,) + tuple(shape[1:]))] if empty else []
    families = [st.sampled_from([np.ones(s) for s in bad_shapes] + [good[..., None]] + empties),
                NON_FINITE.map(with_entry), st.just(with_entry(1 + 2j)), st.just(good.astype(str)),
                st.sampled_from(["abc", None, {"a": 1}])]
    return st.one_of(families)


NOT_CALLABLE = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.lists(st.integers(), max_size=2))
NOT_TENSOR = st.sampled_from([np.zeros(3), [0.0, 1.0], None, "theta", 3.0])
BAD_TERM = st.one_of(st.text(min_size=0, max_size=4).filter(lambda s: not s or set(s) - set("01-")), st.integers(),
                     st.none(), st.just(["1", "0"]))
BAD_TABLE = st.one_of(
    st.lists(st.integers(0, 1), min_size=3, max_size=7).filter(lambda v: len(v) & (len(v) - 1)),  # not 2**n long
    st.sampled_from([[0, 1, 2, 0], [0.0, 0.7], [0, np.nan], [[0, 1], [1, 0]], [], [1], ["0", "1"], [1j, 0],
                     [0, -1], None, "0110"]),
)


# ----------------------------------------------------------------------------- valid objects the cases reuse
XOR = B.xor_network()
MAJ3 = B.truth_table(lambda X: (X.sum(axis=1) >= 2).astype(int), 3)
THETA = torch.zeros(2, dtype=torch.float64)


def saddle_f(theta):
    return 0.5 * theta[0] ** 2 - 0.5 * theta[1] ** 2 + 0.25 * theta[1] ** 4


def _classifier():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


MODEL = _classifier()
XT, YT = torch.randn(8, 3), torch.tensor([0, 1] * 4)
TRAIN = to_tensor_dataset(XT.numpy(), YT.numpy())
OPT = torch.optim.SGD(MODEL.parameters(), lr=0.1)


# ----------------------------------------------------------------------------- the cases
# (id, call taking the bad value, argument name, strategy[, pattern]); the pattern defaults to
# "the message starts with the argument's name".
CASES = [
    # boolean
    ("all_inputs n", lambda v: B.all_inputs(v), "n", st.one_of(bad_int(low=1), st.integers(B.MAX_INPUTS + 1, 10**6))),
    ("parity_table n", lambda v: B.parity_table(v), "n", bad_int(low=1, high=B.MAX_INPUTS)),
    ("truth_table f", lambda v: B.truth_table(v, 2), "f", NOT_CALLABLE),
    ("truth_table f not bits", lambda v: B.truth_table(lambda X, v=v: np.full(len(X), v), 2), "f",
     st.floats().filter(lambda v: v not in (0.0, 1.0))),
    ("truth_table n", lambda v: B.truth_table(lambda X: X[:, 0], v), "n", bad_int(low=1, high=B.MAX_INPUTS)),
    ("check_truth_table y", lambda v: B.check_truth_table(v), "y", BAD_TABLE),
    ("minterms y", lambda v: B.minterms(v), "y", BAD_TABLE),
    ("prime_implicants y", lambda v: B.prime_implicants(v), "y", BAD_TABLE),
    ("minimal_dnfs y", lambda v: B.minimal_dnfs(v), "y", BAD_TABLE),
    ("minimal_dnfs limit", lambda v: B.minimal_dnfs(MAJ3, limit=v), "limit", bad_int(low=1).filter(lambda v: v is not None)),
    ("minimal_dnf_sizes n", lambda v: B.minimal_dnf_sizes(v), "n", bad_int(low=1, high=4)),
    ("term_to_str term", lambda v: B.term_to_str(v), "term", BAD_TERM),
    ("conjunction_unit term", lambda v: B.conjunction_unit(v), "term", BAD_TERM),
    ("dnf_to_str terms", lambda v: B.dnf_to_str(["1-", v]), "terms", BAD_TERM),
    ("term_matches term", lambda v: B.term_matches(v, B.all_inputs(2)), "term", BAD_TERM),
    ("term_matches X", lambda v: B.term_matches("1-", v), "X", bad_array((4, 2), [(4,), (4, 3)])),
    ("dnf_network terms", lambda v: B.dnf_network(["1-", v], 2), "terms",
     st.one_of(BAD_TERM, st.sampled_from(["1", "1--"]))),
    ("dnf_network n", lambda v: B.dnf_network([], v), "n", bad_int(low=1)),
    ("dnf_network hidden", lambda v: B.dnf_network(["1-"], 2, hidden=v), "hidden", bad_option(("relu", "step"))),
    ("dnf_network output", lambda v: B.dnf_network(["1-"], 2, output=v), "output", bad_option(("threshold", "linear"))),
    ("dnf_network negate", lambda v: B.dnf_network(["1-"], 2, negate=v), "negate", bad_bool()),
    ("network_from_truth_table y", lambda v: B.network_from_truth_table(v), "y", BAD_TABLE),
    ("network_from_truth_table method", lambda v: B.network_from_truth_table(MAJ3, method=v), "method",
     bad_option(("minterms", "minimal"))),
    ("network_from_truth_table complement", lambda v: B.network_from_truth_table(MAJ3, complement=v), "complement",
     st.one_of(st.integers(0, 1), st.text(max_size=4).filter(lambda s: s != "auto"), st.none())),
    ("parity_chain n", lambda v: B.parity_chain(v), "n", bad_int(low=2)),
    ("parity_tree n", lambda v: B.parity_tree(v), "n", bad_int(low=2)),
    ("parity_one_hidden_layer n", lambda v: B.parity_one_hidden_layer(v), "n", bad_int(low=1)),
    ("parity_one_hidden_layer hidden", lambda v: B.parity_one_hidden_layer(3, v), "hidden", bad_option(("step", "relu"))),
    ("chain_counts n", lambda v: B.chain_counts(v), "n", bad_int(low=2)),
    ("tree_counts n", lambda v: B.tree_counts(v), "n", bad_int(low=2)),
    ("threshold_width_lower_bound n", lambda v: B.threshold_width_lower_bound(v), "n",
     st.one_of(bad_int(low=1), st.integers(B.MAX_BOUND_INPUTS + 1, 10**9))),
    # circuit
    ("step z", lambda v: C.step(v), "z", st.sampled_from([[math.nan], "abc", None, [1j], [[1], [1, 2]]])),
    ("NetworkBuilder n_inputs", lambda v: C.NetworkBuilder(v), "n_inputs", bad_int(low=1)),
    ("add_layer activation", lambda v: C.NetworkBuilder(2).add_layer([({0: 1.0}, 0.0)], v), "activation",
     bad_option(C.UNIT_KINDS)),
    ("add_layer units", lambda v: C.NetworkBuilder(2).add_layer(v, "relu"), "units",
     st.one_of(st.integers(), st.text(max_size=3), st.none(), st.just([({0: 1.0},)]), st.just([(1.0, 0.0)]),
               st.just({0: 1.0}))),
    ("add_layer index", lambda v: C.NetworkBuilder(2).add_layer([({v: 1.0}, 0.0)], "relu"), "units",
     st.one_of(st.booleans(), st.floats(), st.text(max_size=2), st.integers().filter(lambda i: not 0 <= i < 2))),
    ("add_layer weight", lambda v: C.NetworkBuilder(2).add_layer([({0: v}, 0.0)], "relu"), "units", bad_number()),
    ("add_layer bias", lambda v: C.NetworkBuilder(2).add_layer([({0: 1.0}, v)], "relu"), "units", bad_number()),
    ("forward X", lambda v: C.forward(XOR, v), "X", bad_array((4, 2), [(4,), (4, 3)])),
    ("forward network", lambda v: C.forward(v, np.zeros((1, 2))), "network",
     st.sampled_from([None, "net", C.NetworkBuilder(2).build(), XOR.layers[0]])),
    ("forward return_all", lambda v: C.forward(XOR, np.zeros((1, 2)), return_all=v), "return_all", bad_bool()),
    ("strictly_layered network", lambda v: C.strictly_layered(v), "network", st.sampled_from([None, 3, "net", []])),
    ("Layer activation", lambda v: C.Layer(np.ones((1, 2)), np.zeros(1), v), "activation", bad_option(C.UNIT_KINDS)),
    ("Layer b", lambda v: C.Layer(np.ones((1, 2)), v, "relu"), "b", bad_array((1,), [(2,), (1, 1)])),
    ("Network n_inputs", lambda v: C.Network(v, ()), "n_inputs", bad_int(low=1)),
    ("Network layers", lambda v: C.Network(2, (v,)), "layers",
     st.sampled_from([None, "layer", C.Layer(np.ones((1, 3)), np.zeros(1), "relu")])),
    # approximation
    ("OneHiddenLayer w", lambda v: A.OneHiddenLayer(v, np.ones(2), np.ones(2), 0.0), "w", bad_array((2,), [(2, 2)], empty=False)),
    ("OneHiddenLayer v", lambda v: A.OneHiddenLayer(np.ones(2), np.ones(2), v, 0.0), "v", bad_array((2,), [(3,)])),
    ("OneHiddenLayer d", lambda v: A.OneHiddenLayer(np.ones(2), np.ones(2), np.ones(2), v), "d", bad_number()),
    ("OneHiddenLayer activation", lambda v: A.OneHiddenLayer(np.ones(2), np.ones(2), np.ones(2), 0.0, v), "activation",
     bad_option(("relu", "sigmoid"))),
    ("OneHiddenLayer x", lambda v: A.relu_interpolant(np.sin, 0.0, 1.0, 2)(v), "x",
     st.sampled_from([[math.nan], "abc", None, [1j]])),
    ("relu_interpolant f", lambda v: A.relu_interpolant(v, 0.0, 1.0, 4), "f", NOT_CALLABLE),
    ("relu_interpolant a", lambda v: A.relu_interpolant(np.sin, v, 1.0, 4), "a",
     st.one_of(bad_number(), st.floats(1.0, 1e9))),
    ("relu_interpolant b", lambda v: A.relu_interpolant(np.sin, 0.0, v, 4), "b", bad_number()),
    ("relu_interpolant width", lambda v: A.relu_interpolant(np.sin, 0.0, 1.0, v), "width", bad_int(low=1)),
    ("sigmoid_staircase sharpness", lambda v: A.sigmoid_staircase(np.sin, 0.0, 1.0, 4, v), "sharpness",
     bad_number(low=0.0)),
    ("max_error n_grid", lambda v: A.max_error(np.sin, np.sin, 0.0, 1.0, v), "n_grid", bad_int(low=2)),
    ("max_error net", lambda v: A.max_error(v, np.sin, 0.0, 1.0), "net", NOT_CALLABLE),
    ("max_error f shape", lambda v: A.max_error(np.sin, lambda x, v=v: np.sin(x).reshape(v), 0.0, 1.0, 4), "f",
     st.sampled_from([(4, 1), (1, 4), (2, 2)])),
    ("tent x", lambda v: A.tent(v), "x", st.sampled_from([[math.nan], "abc", None, [1j], [[1], [1, 2]]])),
    ("sawtooth_network depth", lambda v: A.sawtooth_network(np.zeros(3), v), "depth", bad_int(low=1)),
    ("count_linear_pieces x", lambda v: A.count_linear_pieces(v, np.arange(3.0)), "x",
     st.one_of(bad_array((3,), [(3, 1)]), st.just([0.0, 2.0, 1.0]), st.just([0.0, 0.0, 1.0])),
     r"^x(?![A-Za-z0-9_])"),
    ("count_linear_pieces y", lambda v: A.count_linear_pieces(np.arange(3.0), v), "y",
     bad_array((3,), [(3, 1), (2,)]), r"^(x and )?y(?![A-Za-z0-9_])"),
    ("count_linear_pieces tol", lambda v: A.count_linear_pieces(np.arange(3.0), np.arange(3.0), v), "tol",
     bad_number(low=0.0, low_open=False)),
    # glm
    ("inverse_link family", lambda v: glm.inverse_link(v, np.zeros(3)), "family", bad_option(glm.FAMILIES)),
    ("inverse_link eta", lambda v: glm.inverse_link("bernoulli", v), "eta", bad_array((3,), [(3, 1)])),
    ("inverse_link eta categorical", lambda v: glm.inverse_link("categorical", v), "eta", bad_array((3, 2), [(3,)])),
    ("negative_log_likelihood y gaussian", lambda v: glm.negative_log_likelihood("gaussian", np.zeros(4), v), "y",
     bad_array((4,), [(4, 1), (3,), (1,)])),
    ("negative_log_likelihood y bernoulli", lambda v: glm.negative_log_likelihood("bernoulli", np.zeros(2), [0.0, v]), "y",
     st.floats().filter(lambda v: v not in (0.0, 1.0))),
    ("negative_log_likelihood y poisson", lambda v: glm.negative_log_likelihood("poisson", np.zeros(2), [0.0, v]), "y",
     st.floats().filter(lambda v: not (v >= 0 and v == round(v)) if math.isfinite(v) else True)),
    ("negative_log_likelihood y categorical", lambda v: glm.negative_log_likelihood("categorical", np.zeros((2, 3)), [0, v]), "y",
     st.one_of(st.integers().filter(lambda k: not 0 <= k < 3), st.floats(), st.text(max_size=2))),
    ("negative_log_likelihood eta", lambda v: glm.negative_log_likelihood("gaussian", v, np.zeros(4)), "eta", bad_array((4,), [(4, 1)])),
    ("negative_log_likelihood family", lambda v: glm.negative_log_likelihood(v, np.zeros(4), np.zeros(4)), "family",
     bad_option(glm.FAMILIES)),
    ("nll_gradient y", lambda v: glm.nll_gradient("gaussian", np.zeros(4), v), "y", bad_array((4,), [(4, 1), (3,)])),
    ("nll_gradient y categorical", lambda v: glm.nll_gradient("categorical", np.zeros((2, 3)), [0, v]), "y",
     st.integers().filter(lambda k: not 0 <= k < 3)),
    ("GLMNeuron family", lambda v: glm.GLMNeuron(v).fit(np.zeros((2, 1)), np.zeros(2)), "family",
     bad_option(glm.FAMILIES)),
    ("GLMNeuron alpha", lambda v: glm.GLMNeuron(alpha=v).fit(np.zeros((2, 1)), np.zeros(2)), "alpha",
     bad_number(low=0.0, low_open=False)),
    ("GLMNeuron max_iter", lambda v: glm.GLMNeuron(max_iter=v).fit(np.zeros((2, 1)), np.zeros(2)), "max_iter",
     bad_int(low=1)),
    ("GLMNeuron tol", lambda v: glm.GLMNeuron(tol=v).fit(np.zeros((2, 1)), np.zeros(2)), "tol",
     bad_number(low=0.0, low_open=False)),
    ("GLMNeuron X", lambda v: glm.GLMNeuron().fit(v, np.zeros(2)), "X", bad_array((2, 1), [(2,), (2, 1, 1)])),
    ("GLMNeuron y", lambda v: glm.GLMNeuron().fit(np.zeros((2, 1)), v), "y",
     st.one_of(bad_array((2,), [(3,), (2, 1)]), st.just([0.0, 0.5]), st.just([0, 2]))),
    ("GLMNeuron y poisson", lambda v: glm.GLMNeuron("poisson").fit(np.zeros((2, 1)), v), "y",
     st.sampled_from([[0.0, -1.0], [0.5, 1.0], [0.0, math.nan]])),
    ("GLMNeuron y categorical", lambda v: glm.GLMNeuron("categorical").fit(np.zeros((2, 1)), v), "y",
     st.sampled_from([[0.0, 0.5], [0, 1, 2], [[0], [1]], None, [object(), 1]])),
    ("GLMNeuron predict X", lambda v: glm.GLMNeuron("gaussian", max_iter=1).fit(np.zeros((2, 1)), np.zeros(2)).predict(v),
     "X", bad_array((2, 1), [(2, 2), (2,)])),
    # selu
    ("elu_gaussian_moments alpha", lambda v: selu.elu_gaussian_moments(v), "alpha", bad_number(low=0.0, low_open=True)),
    ("elu_gaussian_moments mean", lambda v: selu.elu_gaussian_moments(1.0, v), "mean", bad_number()),
    ("elu_gaussian_moments var", lambda v: selu.elu_gaussian_moments(1.0, 0.0, v), "var", bad_number(low=0.0)),
    ("elu_gaussian_moments_quad var", lambda v: selu.elu_gaussian_moments_quad(1.0, 0.0, v), "var", bad_number(low=0.0)),
    ("selu_moment_map omega", lambda v: selu.selu_moment_map(0.0, 1.0, omega=v), "omega", bad_number()),
    ("selu_moment_map tau", lambda v: selu.selu_moment_map(0.0, 1.0, tau=v), "tau", bad_number(low=0.0)),
    ("selu_moment_map lam", lambda v: selu.selu_moment_map(0.0, 1.0, lam=v), "lam", bad_number(low=0.0)),
    ("selu_map_jacobian h", lambda v: selu.selu_map_jacobian(h=v), "h", st.one_of(bad_number(low=0.0), st.floats(1.0, 10.0))),
    # zigzag
    ("per_example_gradients X", lambda v: zz.per_example_gradients(v, np.ones(3), np.ones(2)), "X",
     bad_array((3, 2), [(3,), (3, 2, 1)])),
    ("per_example_gradients y", lambda v: zz.per_example_gradients(np.ones((3, 2)), v, np.ones(2)), "y",
     bad_array((3,), [(2,), (3, 1)])),
    ("per_example_gradients w", lambda v: zz.per_example_gradients(np.ones((3, 2)), np.ones(3), v), "w",
     bad_array((2,), [(3,), (2, 1)])),
    ("same_sign_fraction G", lambda v: zz.same_sign_fraction(v), "G", bad_array((3, 2), [(3,)])),
    ("same_sign_fraction tol", lambda v: zz.same_sign_fraction(np.ones((3, 2)), v), "tol", bad_number(low=0.0)),
    ("sgd_path w0", lambda v: zz.sgd_path(np.ones((3, 2)), np.ones(3), v, lr=0.1), "w0", bad_array((2,), [(3,)])),
    ("sgd_path lr", lambda v: zz.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), lr=v), "lr",
     bad_number(low=0.0, low_open=True)),
    ("sgd_path epochs", lambda v: zz.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), 0.1, epochs=v), "epochs",
     bad_int(low=1)),
    ("sgd_path batch_size", lambda v: zz.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), 0.1, batch_size=v),
     "batch_size", bad_int(low=1)),
    ("sgd_path random_state", lambda v: zz.sgd_path(np.ones((3, 2)), np.ones(3), np.ones(2), 0.1, random_state=v),
     "random_state", st.one_of(st.integers(max_value=-1), st.text(max_size=3), st.floats(), st.booleans())),
    ("steps_to_reach w_star", lambda v: zz.steps_to_reach(np.ones((3, 2)), v, 0.1), "w_star|path",
     bad_array((2,), [(3,)]), r"^(w_star|path)(?![A-Za-z0-9_])"),
    ("steps_to_reach path", lambda v: zz.steps_to_reach(v, np.ones(2), 0.1), "path",
     st.sampled_from([np.array([[np.nan, 0.0]]), np.ones(2), np.ones((3, 3)), "ab", None])),
    ("steps_to_reach radius", lambda v: zz.steps_to_reach(np.ones((3, 2)), np.ones(2), v), "radius", bad_number(low=0.0)),
    # landscape
    ("ill_conditioned_matrix condition", lambda v: ls.ill_conditioned_matrix(v), "condition", bad_number(low=1.0)),
    ("ill_conditioned_matrix angle", lambda v: ls.ill_conditioned_matrix(2.0, v), "angle", bad_number()),
    ("quadratic P", lambda v: ls.quadratic(v, np.eye(2)), "P", st.sampled_from([np.ones(3), np.ones((2, 3)), "ab", None,
                                                                                 np.ones((0, 2)), [1j, 1]])),
    ("quadratic A", lambda v: ls.quadratic([1.0, 1.0], v), "A",
     st.one_of(bad_array((2, 2), [(2,), (3, 3)]), st.just(np.array([[1.0, 2.0], [0.0, 1.0]])))),
    ("quadratic_grad A", lambda v: ls.quadratic_grad([1.0, 1.0], v), "A",
     st.one_of(bad_array((2, 2), [(2,), (3, 3)]), st.floats(0.1, 10).map(lambda t: np.array([[1.0, t], [0.0, 1.0]])))),
    ("rosenbrock P", lambda v: ls.rosenbrock(v), "P", st.sampled_from([np.ones(3), "ab", None, [1j, 1]])),
    ("rosenbrock a", lambda v: ls.rosenbrock([0.0, 0.0], a=v), "a", bad_number()),
    ("rosenbrock_grad b", lambda v: ls.rosenbrock_grad([0.0, 0.0], b=v), "b", bad_number()),
    ("saddle P", lambda v: ls.saddle(v), "P", st.sampled_from([np.ones(3), "ab", None])),
    ("saddle_grad P", lambda v: ls.saddle_grad(v), "P", st.sampled_from([np.ones((2, 3)), "ab", None])),
    ("trajectory optimizer", lambda v: ls.trajectory(v, ls.saddle_grad, [1.0, 1.0], 3, lr=0.1), "optimizer",
     bad_option(sorted(ls.OPTIMIZERS))),
    ("trajectory grad_fn", lambda v: ls.trajectory("sgd", v, [1.0, 1.0], 3, lr=0.1), "grad_fn",
     st.one_of(NOT_CALLABLE, st.sampled_from([lambda p: 1.0, lambda p: np.ones(3), lambda p: np.ones((2, 1))]))),
    ("trajectory x0", lambda v: ls.trajectory("sgd", ls.saddle_grad, v, 3, lr=0.1), "x0", bad_array((2,), [(2, 1)])),
    ("trajectory n_steps", lambda v: ls.trajectory("sgd", ls.saddle_grad, [1.0, 1.0], v, lr=0.1), "n_steps",
     bad_int(low=0)),
    ("flat_loss model", lambda v: ls.flat_loss(v, XT, YT), "model", st.sampled_from([None, "net", np.sin])),
    ("flat_loss X", lambda v: ls.flat_loss(MODEL, v, YT), "X",
     NOT_TENSOR | st.just(torch.ones(8, 3).long()) | st.just(torch.ones(8, 2)) | st.just(torch.ones(8))),
    ("flat_loss y", lambda v: ls.flat_loss(MODEL, XT, v), "y", NOT_TENSOR | st.just(torch.zeros(5).long()),
     r"^(X and )?y(?![A-Za-z0-9_])"),
    ("flat_loss loss_fn", lambda v: ls.flat_loss(MODEL, XT, YT, loss_fn=v), "loss_fn",
     st.one_of(st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2))),  # None: the default
    ("flat_loss f theta", lambda v: ls.flat_loss(MODEL, XT, YT)[0](v), "theta",
     NOT_TENSOR | st.just(torch.zeros(3, dtype=torch.float64))),
    ("hessian f", lambda v: ls.hessian(v, THETA), "f", NOT_CALLABLE),
    ("hessian theta", lambda v: ls.hessian(saddle_f, v), "theta", NOT_TENSOR | st.just(torch.zeros(2, 2))),
    ("gradient_norm_sq theta", lambda v: ls.gradient_norm_sq(saddle_f, v), "theta", NOT_TENSOR),
    ("find_critical_point theta0", lambda v: ls.find_critical_point(saddle_f, v), "theta0", NOT_TENSOR),
    ("find_critical_point max_iter", lambda v: ls.find_critical_point(saddle_f, THETA, v), "max_iter", bad_int(low=1)),
    ("loss_along_gradient step_sizes", lambda v: ls.loss_along_gradient(MODEL, XT, YT, v), "step_sizes",
     st.sampled_from([[0.1, -0.1], [math.nan], [], "ab", None, [[0.1]], [1j]])),
    ("loss_along_gradient model", lambda v: ls.loss_along_gradient(v, XT, YT, [0.1]), "model", st.sampled_from([None, 3])),
    ("train_restarts width", lambda v: ls.train_restarts(XT.double(), XT[:, 0].double(), v, 2, n_steps=1), "width",
     bad_int(low=1)),
    ("train_restarts n_restarts", lambda v: ls.train_restarts(XT.double(), XT[:, 0].double(), 2, v, n_steps=1),
     "n_restarts", bad_int(low=1)),
    ("train_restarts lr", lambda v: ls.train_restarts(XT.double(), XT[:, 0].double(), 2, 2, n_steps=1, lr=v), "lr",
     bad_number(low=0.0, low_open=True)),
    ("train_restarts seed", lambda v: ls.train_restarts(XT.double(), XT[:, 0].double(), 2, 2, n_steps=1, seed=v), "seed",
     bad_int(low=0)),
    ("train_restarts y", lambda v: ls.train_restarts(XT.double(), v, 2, 2, n_steps=1), "y",
     NOT_TENSOR | st.just(torch.zeros(8, 1)) | st.just(torch.zeros(5)), r"^(X and )?y(?![A-Za-z0-9_])"),
    ("gradient_descent lr", lambda v: ls.gradient_descent(saddle_f, THETA, v, 2), "lr", bad_number(low=0.0, low_open=True)),
    ("gradient_descent n_steps", lambda v: ls.gradient_descent(saddle_f, THETA, 0.1, v), "n_steps", bad_int(low=0)),
    ("gradient_descent record_every", lambda v: ls.gradient_descent(saddle_f, THETA, 0.1, 2, v), "record_every",
     bad_int(low=1)),
    # critical_points
    ("gradient_norm f", lambda v: cp.gradient_norm(v, THETA), "f", NOT_CALLABLE),
    ("gradient_norm theta", lambda v: cp.gradient_norm(saddle_f, v), "theta",
     NOT_TENSOR | st.just(torch.zeros(2)) | st.just(torch.full((2,), math.nan, dtype=torch.float64))),
    ("minimize_lbfgs max_iter", lambda v: cp.minimize_lbfgs(saddle_f, THETA, max_iter=v), "max_iter", bad_int(low=1)),
    ("minimize_lbfgs grad_tol", lambda v: cp.minimize_lbfgs(saddle_f, THETA, grad_tol=v), "grad_tol",
     bad_number(low=0.0, low_open=True)),
    ("newton_polish n_steps", lambda v: cp.newton_polish(saddle_f, THETA, v), "n_steps", bad_int(low=0)),
    ("classify_critical_point eigenvalues", lambda v: cp.classify_critical_point(v, 0.0), "eigenvalues", bad_array((3,), [(3, 1)])),
    ("classify_critical_point grad_norm", lambda v: cp.classify_critical_point([1.0], v), "grad_norm", bad_number(low=0.0)),
    ("classify_critical_point grad_tol", lambda v: cp.classify_critical_point([1.0], 0.0, grad_tol=v), "grad_tol",
     bad_number(low=0.0, low_open=True)),
    ("classify_critical_point zero_tol", lambda v: cp.classify_critical_point([1.0], 0.0, zero_tol=v), "zero_tol", bad_number(low=0.0)),
    # convergence, covariate_shift, batch_statistics
    ("epochs_to_loss model", lambda v: conv.epochs_to_loss(v, TRAIN, target=0.1, max_epochs=1, optimizer=OPT), "model",
     st.sampled_from([None, "net"])),
    ("epochs_to_loss train", lambda v: conv.epochs_to_loss(MODEL, v, target=0.1, max_epochs=1, optimizer=OPT), "train",
     st.sampled_from([None, XT, [(XT[0], YT[0])]])),
    ("epochs_to_loss target", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=v, max_epochs=1, optimizer=OPT),
     "target", bad_number(low=0.0, low_open=True)),
    ("epochs_to_loss max_epochs", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=0.1, max_epochs=v, optimizer=OPT),
     "max_epochs", bad_int(low=1)),
    ("epochs_to_loss optimizer", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=0.1, max_epochs=1, optimizer=v),
     "optimizer", st.sampled_from([None, "sgd"])),
    ("epochs_to_loss batch_size", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=0.1, max_epochs=1, optimizer=OPT,
                                                                 batch_size=v), "batch_size", bad_int(low=1)),
    ("epochs_to_loss window", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=0.1, max_epochs=1, optimizer=OPT,
                                                             window=v), "window", bad_int(low=1).filter(lambda v: v is not None)),
    ("epochs_to_loss seed", lambda v: conv.epochs_to_loss(MODEL, TRAIN, target=0.1, max_epochs=1, optimizer=OPT,
                                                           seed=v), "seed", bad_int(low=0)),
    ("track_covariate_shift model", lambda v: cs.track_covariate_shift(v, TRAIN, XT, YT, epochs=1, optimizer=OPT,
                                                                        step_sizes=[0.1]), "model",
     st.sampled_from([None, torch.nn.Linear(3, 2), torch.nn.Sequential(torch.nn.Linear(3, 2))])),
    ("track_covariate_shift X_probe", lambda v: cs.track_covariate_shift(MODEL, TRAIN, v, YT, epochs=1, optimizer=OPT,
                                                                          step_sizes=[0.1]), "X_probe",
     NOT_TENSOR | st.just(XT[:1]) | st.just(XT[:5]) | st.just(XT[:, :2])),
    ("track_covariate_shift epochs", lambda v: cs.track_covariate_shift(MODEL, TRAIN, XT, YT, epochs=v, optimizer=OPT,
                                                                         step_sizes=[0.1]), "epochs", bad_int(low=1)),
    ("track_covariate_shift step_sizes", lambda v: cs.track_covariate_shift(MODEL, TRAIN, XT, YT, epochs=1,
                                                                             optimizer=OPT, step_sizes=v), "step_sizes",
     st.sampled_from([[0.1, -0.1], [math.nan], [], "ab", None, [[0.1]]])),
    ("track_covariate_shift batch_size", lambda v: cs.track_covariate_shift(MODEL, TRAIN, XT, YT, epochs=1, optimizer=OPT,
                                                                             step_sizes=[0.1], batch_size=v),
     "batch_size", bad_int(low=1)),
    ("track_covariate_shift seed", lambda v: cs.track_covariate_shift(MODEL, TRAIN, XT, YT, epochs=1, optimizer=OPT,
                                                                       step_sizes=[0.1], seed=v), "seed", bad_int(low=0)),
    ("train_mode_predictions model", lambda v: bs.train_mode_predictions(v, XT, 2), "model", st.sampled_from([None, "m"])),
    ("train_mode_predictions X", lambda v: bs.train_mode_predictions(MODEL, v, 2), "X",
     NOT_TENSOR | st.just(XT[:1]) | st.just(torch.full((4, 3), math.nan))),
    ("train_mode_predictions batch_size", lambda v: bs.train_mode_predictions(MODEL, XT, v), "batch_size", bad_int(low=2)),
    ("train_mode_predictions seed", lambda v: bs.train_mode_predictions(MODEL, XT, 2, seed=v), "seed", bad_int(low=0)),
    # activation_properties
    ("torch_module name", lambda v: ap.torch_module(v), "name",
     st.one_of(st.text(max_size=5).filter(lambda s: s not in ap.TORCH_ACTIVATIONS), st.integers(), st.none()),
     r"\bname\b"),
    ("measure_properties name", lambda v: ap.measure_properties(v), "name",
     st.one_of(st.sampled_from(["xyz", "", "tanhh"]), st.integers(), st.none()), r"\bname\b"),
    ("time_activation n", lambda v: ap.time_activation("relu", n=v), "n", bad_int(low=1)),
    ("time_activation repeats", lambda v: ap.time_activation("relu", n=10, repeats=v), "repeats", bad_int(low=1)),
    ("time_activation backend", lambda v: ap.time_activation("relu", n=10, backend=v), "backend",
     bad_option(("torch", "numpy"))),
    ("time_activation seed", lambda v: ap.time_activation("relu", n=10, seed=v), "seed", bad_int(low=0)),
    ("time_activation name", lambda v: ap.time_activation(v, n=10), "name", st.sampled_from(["xyz", None, 3]), r"\bname\b"),
    ("best_time function", lambda v: ap.best_time(v), "function", NOT_CALLABLE),
    ("best_time repeats", lambda v: ap.best_time(sum, [1], repeats=v), "repeats", bad_int(low=1)),
]


@pytest.mark.parametrize("call, name, strategy, pattern",
                         [pytest.param(c[1], c[2], c[3], c[4] if len(c) > 4 else None, id=c[0]) for c in CASES])
def test_bad_inputs_are_refused_naming_the_argument(call, name, strategy, pattern):
    pattern = pattern or rf"^{re.escape(name)}(?![A-Za-z0-9_])"

    @FAST
    @given(strategy)
    def check(value):
        with pytest.raises((ValueError, TypeError), match=pattern):
            call(value)

    check()


def test_every_public_callable_of_studies_has_a_bad_input_case():
    import inspect

    from nnbook import studies

    modules = [ap, A, bs, B, C, conv, cs, cp, glm, ls, selu, zz]
    covered = {c[0].split()[0] for c in CASES} | {"add_layer", "step"}
    exempt = {"xor_network", "selu_alpha_closed_form",  # no arguments
              "solve_selu_constants",  # its source is printed in ch2/07: left alone (scipy names xtol)
              "ShiftRecord",  # a plain record
              "fit", "to_tensor_dataset", "check_dataset", "one_blas_thread", "get_activation", "relu", "sigmoid",
              "OPTIMIZERS", "SELU_ALPHA", "SELU_LAMBDA", "hessian", "loss_along_gradient"}  # imported helpers
    missing = []
    for module in modules:
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj) or inspect.ismodule(obj):
                continue
            if getattr(obj, "__module__", "").startswith("nnbook.studies") and obj.__module__ != module.__name__:
                continue  # re-exported from a sibling module: its own module's cases cover it
            if not getattr(obj, "__module__", "").startswith("nnbook.studies"):
                continue
            if name not in covered and name not in exempt:
                missing.append(f"{module.__name__}.{name}")
    assert studies is not None and not missing, f"public callables without a bad-input case: {missing}"


def test_glm_neuron_refuses_methods_before_fit():
    for method in ("predict", "predict_mean", "decision_function"):
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(glm.GLMNeuron(), method)(np.zeros((2, 1)))


# ----------------------------------------------------------------------------- good inputs: cheap properties
@FAST
@given(st.integers(1, 10))
def test_all_inputs_enumerates_every_row_once(n):
    X = B.all_inputs(n)
    assert X.shape == (2 ** n, n) and len({tuple(r) for r in X}) == 2 ** n
    np.testing.assert_array_equal(X @ (2 ** np.arange(n - 1, -1, -1)), np.arange(2 ** n))


@FAST
@given(st.lists(st.integers(0, 1), min_size=8, max_size=8))
def test_minimal_dnf_networks_compute_their_table(bits):
    y = np.array(bits)
    for cover in B.minimal_dnfs(y, limit=2):
        np.testing.assert_array_equal(C.forward(B.dnf_network(cover, 3), B.all_inputs(3))[:, 0], y)


@FAST
@given(st.lists(st.tuples(st.floats(-20, 20), st.floats(-20, 20)), min_size=1, max_size=3), st.integers(0, 2))
def test_nll_gradient_matches_central_differences(eta, label):
    eta = np.array(eta)
    y = np.full(len(eta), min(label, 1))
    g = glm.nll_gradient("categorical", eta, y)
    h = 1e-6
    for idx in np.ndindex(eta.shape):
        e = np.zeros_like(eta)
        e[idx] = h
        numeric = (glm.negative_log_likelihood("categorical", eta + e, y)
                   - glm.negative_log_likelihood("categorical", eta - e, y)) / (2 * h)
        assert numeric == pytest.approx(g[idx], abs=1e-6)


@FAST
@given(st.floats(1.0, 100.0), st.floats(-3.0, 3.0))
def test_ill_conditioned_matrix_is_accepted_by_the_quadratic(condition, angle):
    A_ = ls.ill_conditioned_matrix(condition, angle)
    np.testing.assert_allclose(np.linalg.eigvalsh(A_), [1.0, condition], rtol=1e-9)
    np.testing.assert_allclose(ls.quadratic_grad([[1.0, 0.0], [0.0, 1.0]], A_), A_.T, rtol=1e-12)


@FAST
@given(st.integers(1, 8), st.floats(0.0, 1.0))
def test_sawtooth_stays_in_the_unit_interval(depth, x):
    y = A.sawtooth_network(np.array([x]), depth)
    assert 0.0 <= y[0] <= 1.0
