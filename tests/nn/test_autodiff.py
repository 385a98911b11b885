"""nnbook.nn.autodiff: the scalar and array engines and forward mode against float64 torch autograd.

Textbook numbers (the 3-2-1 network of ch3/03-by-hand), random expression graphs drawn by
Hypothesis and compared with torch, broadcasting gradients, FLOP counts against the closed form,
Jacobians by both modes against ``torch.autograd.functional.jacobian``, and bad inputs.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nn import autodiff as ad
from nnbook.nn.autodiff import Dual, Tensor, Value

pytestmark = pytest.mark.ch3

SETTINGS = settings(max_examples=25, deadline=None, database=None)
RNG = np.random.default_rng(0)


def leaf(v):
    return torch.tensor(float(v), dtype=torch.float64, requires_grad=True)


# --- scalars -----------------------------------------------------------------------------
UNARY = ["exp", "tanh", "sigmoid", "relu"]


@pytest.mark.parametrize("op", UNARY + ["log"])
@pytest.mark.parametrize("a", [-1.3, 0.4, 2.0])
def test_every_unary_value_op_matches_torch(op, a):
    if op == "log" and a <= 0:
        a = -a
    v, t = Value(a), leaf(a)
    out, out_t = getattr(v, op)(), getattr(t, op)()
    out.backward()
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-14)
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_every_binary_value_op_matches_torch_with_constants_on_either_side(op):
    a, b = 1.7, -0.6
    expressions = {"+": lambda x, y: (x + y) + (2.0 + x), "-": lambda x, y: (x - y) - (2.0 - y),
                   "*": lambda x, y: (x * y) * (3.0 * x), "/": lambda x, y: (x / y) + (1.0 / y),
                   "**": lambda x, y: x ** 3 + (y * y) ** 0.5 + x ** -2}
    va, vb, ta, tb = Value(a), Value(b), leaf(a), leaf(b)
    out, out_t = expressions[op](va, vb), expressions[op](ta, tb)
    out.backward()
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-14)
    np.testing.assert_allclose([va.grad, vb.grad], [ta.grad.item(), tb.grad.item()], rtol=1e-13)


@settings(max_examples=60, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1), n_inputs=st.integers(1, 5), n_ops=st.integers(1, 14))
def test_random_expression_graphs_match_torch_autograd(seed, n_inputs, n_ops):
    program, x = ad.random_program(n_inputs, n_ops, seed)
    xs, xt = [Value(v) for v in x], [leaf(v) for v in x]
    out, out_t = ad.run_program(program, xs), ad.run_program(program, xt)
    out.backward()
    grads = torch.autograd.grad(out_t, xt, allow_unused=True) if out_t.requires_grad else [None] * n_inputs
    expected = np.array([0.0 if g is None else g.item() for g in grads])
    assert out.data == pytest.approx(out_t.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose([v.grad for v in xs], expected, rtol=1e-10, atol=1e-10 * max(1.0, np.abs(expected).max()),
                               err_msg=f"program {program} at x = {x}")


def test_random_program_reuses_registers_and_respects_the_bound():
    program, x = ad.random_program(3, 40, 1, bound=50.0)
    assert len(program) == 40 and x.shape == (3,)
    used = [i for _, i, _ in program]
    assert len(used) > len(set(used))  # some register feeds two instructions: a graph, not a tree
    assert abs(ad.run_program(program, [Value(v) for v in x]).data) < 50.0


def test_the_3_2_1_network_of_the_by_hand_page():
    x, w = [1.0, 0.5, -1.0], [[0.2, -0.4, 0.3], [0.5, 0.1, -0.2]]
    X = [Value(v) for v in x]
    W = [[Value(v) for v in row] for row in w]
    b, v, c = [Value(0.1), Value(-0.1)], [Value(0.6), Value(-0.3)], Value(0.05)
    a = [(sum((W[j][i] * X[i] for i in range(3)), 0.0) + b[j]).sigmoid() for j in range(2)]
    L = 0.5 * ((v[0] * a[0] + v[1] * a[1] + c).sigmoid() - 1.0) ** 2
    L.backward()
    assert round(L.data, 6) == 0.110116  # the numbers printed on book/ch3-backprop/03-by-hand
    assert round(W[0][0].grad, 6) == -0.017358 and round(W[1][0].grad, 6) == 0.007902
    assert round(v[0].grad, 6) == -0.052615 and round(c.grad, 6) == -0.116880


def test_topological_order_puts_children_first_visits_shared_nodes_once_and_survives_deep_graphs():
    a = Value(0.5)
    b = a * a + a.tanh()
    order = ad.topological_order(b)
    position = {id(n): k for k, n in enumerate(order)}
    assert len(order) == len({id(n) for n in order}) == 4
    assert all(position[id(c)] < position[id(n)] for n in order for c in n.children)
    deep = Value(1.0)
    for _ in range(5000):
        deep = deep * 1.0001
    deep.backward()  # no RecursionError
    assert len(ad.topological_order(deep)) == 10001


def test_backward_gives_the_gradient_of_this_call_not_a_running_sum():
    a = Value(2.0)
    out = a * a
    out.backward()
    out.backward()
    assert a.grad == 4.0


def test_sigmoid_does_not_overflow_and_relu_has_zero_gradient_at_the_kink():
    for z in (-800.0, 800.0):
        v = Value(z)
        v.sigmoid().backward()
        assert math.isfinite(v.sigmoid().data) and v.grad == pytest.approx(0.0, abs=1e-300)
    k = Value(0.0)
    k.relu().backward()
    t = leaf(0.0)
    t.relu().backward()
    assert k.grad == t.grad.item() == 0.0
    Z = Tensor([-800.0, 0.0, 800.0])
    np.testing.assert_allclose(Z.sigmoid().data, torch.sigmoid(torch.tensor([-800.0, 0.0, 800.0], dtype=torch.float64)))


# --- arrays ------------------------------------------------------------------------------
BROADCAST = [(4, 3), (3,), (1, 3), (4, 1), (), (1, 1)]


@settings(max_examples=40, deadline=None, database=None)
@given(shape_a=st.sampled_from(BROADCAST), shape_b=st.sampled_from(BROADCAST), op=st.sampled_from(["+", "-", "*", "/"]))
def test_broadcasting_arithmetic_sums_the_gradient_back_to_each_operand_shape(shape_a, shape_b, op):
    a, b = RNG.normal(size=shape_a), RNG.uniform(0.5, 2.0, size=shape_b)
    f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y}[op]
    A, B = Tensor(a), Tensor(b)
    At, Bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    seed = RNG.normal(size=np.broadcast_shapes(shape_a, shape_b))
    f(A, B).backward(seed)
    f(At, Bt).backward(torch.tensor(seed))
    assert A.grad.shape == shape_a and B.grad.shape == shape_b
    np.testing.assert_allclose(A.grad, At.grad.numpy(), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(B.grad, Bt.grad.numpy(), rtol=1e-13, atol=1e-14)


def test_sum_to_shape_reverses_broadcasting():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(ad.sum_to_shape(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(ad.sum_to_shape(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(ad.sum_to_shape(g, (2, 3, 4)), g)
    assert ad.sum_to_shape(g, ()).shape == ()


@pytest.mark.parametrize("op", UNARY + ["log", "T", "sum", "sum0", "sum1", "mean", "mean0", "cube", "sqrt"])
def test_every_array_op_matches_torch(op):
    a = RNG.uniform(0.1, 2.0, size=(3, 4)) * (1 if op in ("log", "sqrt") else RNG.choice([-1, 1], size=(3, 4)))
    f = {"cube": lambda x: x ** 3, "sqrt": lambda x: x ** 0.5, "T": lambda x: x.T, "sum": lambda x: x.sum(), "sum0": lambda x: x.sum(0), "sum1": lambda x: x.sum(-1),
         "mean": lambda x: x.mean(), "mean0": lambda x: x.mean(0)}.get(op, lambda x: getattr(x, op)())
    A, At = Tensor(a), torch.tensor(a, requires_grad=True)
    out, out_t = f(A), f(At)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    out_t.backward(torch.tensor(seed))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(A.grad, At.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_a_two_layer_network_with_softmax_cross_entropy_matches_torch():
    X, y = RNG.normal(size=(16, 5)), RNG.integers(0, 3, size=16)
    values = [RNG.normal(size=s) for s in [(4, 5), (4,), (3, 4), (3,)]]
    P, Pt = [Tensor(v) for v in values], [torch.tensor(v, requires_grad=True) for v in values]
    L = ((Tensor(X, requires_grad=False) @ P[0].T + P[1]).relu() @ P[2].T + P[3]).cross_entropy(y)
    Lt = torch.nn.functional.cross_entropy(torch.relu(torch.tensor(X) @ Pt[0].T + Pt[1]) @ Pt[2].T + Pt[3], torch.tensor(y))
    L.backward()
    Lt.backward()
    assert L.data.item() == pytest.approx(Lt.item(), rel=1e-14)
    for p, pt in zip(P, Pt):
        np.testing.assert_allclose(p.grad, pt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_flop_counter_equals_the_closed_form_and_skips_the_input_gradient():
    sizes, n = [7, 5, 6, 2], 9
    X = Tensor(RNG.normal(size=(n, sizes[0])), requires_grad=False)
    Ws = [Tensor(RNG.normal(size=(b, a))) for a, b in zip(sizes[:-1], sizes[1:])]
    with ad.FlopCounter() as count:
        H = X
        for W in Ws:
            H = (H @ W.T).tanh()
        H.sum().backward()
    assert (count.forward, count.backward) == ad.dense_flops(n, sizes)
    forward, backward = ad.dense_flops(n, sizes)
    assert forward == 2 * n * (7 * 5 + 5 * 6 + 6 * 2) and backward == 2 * forward - 2 * n * 7 * 5
    assert np.all(X.grad == 0)  # never computed
    with ad.FlopCounter() as nothing:
        pass
    assert (nothing.forward, nothing.backward) == (0, 0)


# --- forward mode ------------------------------------------------------------------------
def test_dual_numbers_carry_the_derivative_of_every_op():
    def f(x):
        return ((x * 2.0 - 1.0).tanh() + x.sigmoid() * x.exp() / (x ** 2 + 1.0) + (x * x + 1.0).log() + x.relu()
                - 3.0 / (x + 5.0) + 0.5 * x)
    for a in (-0.7, 0.3, 1.9):
        d, t = f(Dual(a, 1.0)), leaf(a)
        f(t).backward()
        assert d.val == pytest.approx(f(torch.tensor(a, dtype=torch.float64)).item(), rel=1e-14)
        assert d.dot == pytest.approx(t.grad.item(), rel=1e-13)


def many_to_one(x):
    return [sum((x[i].tanh() * x[i + 1] for i in range(len(x) - 1)), x[0] * x[0])]


def one_to_many(x):
    return [(x[0] * k).sigmoid() + x[0] ** k for k in range(1, 7)]


@pytest.mark.parametrize("f, n, passes", [(many_to_one, 8, (8, 1)), (one_to_many, 1, (1, 6))])
def test_jacobians_by_both_modes_match_torch_and_count_their_passes(f, n, passes):
    x = RNG.uniform(-1, 1, size=n)
    expected = torch.autograd.functional.jacobian(lambda v: torch.stack(f(list(v))), torch.tensor(x)).numpy()
    J_fwd, n_fwd = ad.jacobian_forward(f, x)
    J_rev, n_rev = ad.jacobian_reverse(f, x)
    np.testing.assert_allclose(J_fwd, expected, rtol=1e-13)
    np.testing.assert_allclose(J_rev, expected, rtol=1e-13)
    assert (n_fwd, n_rev) == passes


def test_graph_layout_places_operations_right_of_their_operands():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    out = (a * b + b).tanh()
    pos, edges = ad.graph_layout(out)
    assert len(pos) == 5 and len(edges) == 5  # b feeds both the product and the sum
    assert all(pos[child][0] < pos[parent][0] for child, parent in edges)
    assert pos[out][0] == max(p[0] for p in pos.values())


# --- bad inputs ------------------------------------------------------------------------------
def pattern(name: str) -> str:
    tail = r"(?:\[[^\]]*\])?(?: \w+)?(?: must| has| is| and| with| contains| =| \(|:| exceed| of| \d| does)"
    return rf"(?:^|[\s('\"]){re.escape(name)}{tail}"


BAD_REALS = st.one_of(st.just(math.nan), st.sampled_from([math.inf, -math.inf]), st.just("0.1"), st.just(1 + 2j),
                      st.just(True), st.just(None), st.just([1.0]))
BAD_ARRAYS = st.sampled_from([None, "abc", np.ones(3, complex), np.array([1.0, np.nan]), np.ones(2, bool),
                              np.full((2, 2), "a")])
BAD_INTS = st.one_of(st.integers(max_value=0), st.just(2.5), st.just(True), st.just("3"), st.just(None))
CASES = [
    ("Value", "data", BAD_REALS, Value),
    ("Value.__add__", "other", BAD_REALS, lambda b: Value(1.0) + b),
    ("Value.__mul__", "other", BAD_REALS, lambda b: Value(1.0) * b),
    ("Value.__truediv__", "other", st.one_of(BAD_REALS, st.just(0.0)), lambda b: Value(1.0) / b),
    ("Value.__pow__", "exponent", st.one_of(BAD_REALS, st.just(Value(2.0))), lambda b: Value(2.0) ** b),
    ("Value.__pow__", "exponent", st.sampled_from([0.5, -1.5]), lambda b: Value(-2.0) ** b),
    ("Value.log", "data", st.sampled_from([0.0, -1.0, -1e-300]), lambda b: Value(b).log()),
    ("Value.exp", "data", st.floats(710, 1e300), lambda b: Value(b).exp()),
    ("Dual", "val", BAD_REALS, Dual),
    ("Dual", "dot", BAD_REALS, lambda b: Dual(1.0, b)),
    ("Dual.__mul__", "other", BAD_REALS, lambda b: Dual(1.0) * b),
    ("Dual.__truediv__", "other", st.just(0.0), lambda b: Dual(1.0) / b),
    ("Dual.__pow__", "exponent", BAD_REALS, lambda b: Dual(1.0) ** b),
    ("Dual.log", "val", st.sampled_from([0.0, -2.0]), lambda b: Dual(b).log()),
    ("Tensor", "data", BAD_ARRAYS, Tensor),
    ("Tensor", "requires_grad", st.sampled_from([0, 1, "yes", None]), lambda b: Tensor([1.0], requires_grad=b)),
    ("Tensor.__add__", "other", st.one_of(BAD_ARRAYS, st.just(np.ones(4))), lambda b: Tensor(np.ones((2, 3))) + b),
    ("Tensor.__truediv__", "other", st.just(np.array([1.0, 0.0, 2.0])), lambda b: Tensor(np.ones((2, 3))) / b),
    ("Tensor.__matmul__", "other", st.sampled_from([np.ones((4, 2)), np.ones(3), np.ones((3, 2, 1))]),
     lambda b: Tensor(np.ones((2, 3))) @ b),
    ("Tensor.__pow__", "exponent", st.one_of(BAD_REALS, st.just(0.5)), lambda b: Tensor([-1.0, 2.0]) ** b),
    ("Tensor.log", "data", st.sampled_from([np.array([1.0, 0.0]), np.array([-1.0])]), lambda b: Tensor(b).log()),
    ("Tensor.sum", "axis", st.one_of(st.just(2), st.just(-3), st.just(0.5), st.just("0")), lambda b: Tensor(np.ones((2, 3))).sum(b)),
    ("Tensor.cross_entropy", "y", st.sampled_from([np.array([0, 3]), np.array([0.0, 1.0]), np.array([0, 1, 2]), None]),
     lambda b: Tensor(np.ones((2, 3))).cross_entropy(b)),
    ("Tensor.backward", "grad", st.sampled_from([None, np.ones(3), np.ones((2, 2)), "g"]),
     lambda b: Tensor(np.ones((2, 3))).exp().backward(b)),
    ("sum_to_shape", "shape", st.sampled_from([(4,), (2, 2), (5, 1, 3)]), lambda b: ad.sum_to_shape(np.ones((2, 3)), b)),
    ("sum_to_shape", "grad", BAD_ARRAYS, lambda b: ad.sum_to_shape(b, (1,))),
    ("topological_order", "root", st.sampled_from([None, 3.0, "root", np.ones(2)]), ad.topological_order),
    ("graph_layout", "root", st.sampled_from([None, 3.0]), ad.graph_layout),
    ("dense_flops", "batch_size", BAD_INTS, lambda b: ad.dense_flops(b, [3, 2])),
    ("dense_flops", "layer_sizes", st.sampled_from([None, [3], "32", 5]), lambda b: ad.dense_flops(4, b)),
    ("dense_flops", "layer_sizes", st.sampled_from([[3, 0], [3, 2.0], [True, 2]]), lambda b: ad.dense_flops(4, b)),
    ("jacobian_forward", "f", st.sampled_from([None, 3, "f"]), lambda b: ad.jacobian_forward(b, np.ones(2))),
    ("jacobian_forward", "x", st.one_of(BAD_ARRAYS, st.just(np.ones((2, 2)))), lambda b: ad.jacobian_forward(many_to_one, b)),
    ("jacobian_reverse", "f", st.sampled_from([None, 3, "f"]), lambda b: ad.jacobian_reverse(b, np.ones(2))),
    ("jacobian_reverse", "x", st.one_of(BAD_ARRAYS, st.just(np.ones((2, 2)))), lambda b: ad.jacobian_reverse(many_to_one, b)),
    ("random_program", "n_inputs", BAD_INTS, lambda b: ad.random_program(b, 3, 0)),
    ("random_program", "n_ops", BAD_INTS, lambda b: ad.random_program(2, b, 0)),
    ("random_program", "bound", st.one_of(BAD_REALS, st.floats(-5, 0.99)), lambda b: ad.random_program(2, 3, 0, b)),
    ("random_program", "random_state", st.sampled_from([-1, "abc", 2.5, True]), lambda b: ad.random_program(2, 3, b)),
]


@pytest.mark.parametrize("name, strategy, call", [pytest.param(*c[1:], id=f"{c[0]}:{c[1]}") for c in CASES])
def test_bad_input_raises_and_names_the_argument(name, strategy, call):
    @settings(max_examples=10, deadline=None, database=None)
    @given(bad=strategy)
    def check(bad):
        with np.errstate(all="ignore"), pytest.raises((ValueError, TypeError), match=pattern(name)):
            call(bad)
    check()
