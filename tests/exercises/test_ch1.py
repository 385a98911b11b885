"""nnbook.exercises.ch1: independent references pass, typical mistakes get their hint."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnbook.exercises import check
from nnbook.studies import approximation

CH1 = ["ch1.count_parameters", "ch1.mlp_forward", "ch1.logistic_gradient", "ch1.symmetric_network"]


# ----------------------------------------------------------------------------- referees
def count_parameters_torch(layer_sizes):
    """The referee: torch.nn counts the parameters of the same stack of Linear layers."""
    layers = [torch.nn.Linear(a, b) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
    return sum(p.numel() for p in torch.nn.Sequential(*layers).parameters())


def mlp_forward_torch(X, weights, biases):
    """The referee: float64 torch.nn.Linear layers with ReLU between them."""
    layers = []
    for W, b in zip(weights, biases):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear, torch.nn.ReLU()]
    with torch.no_grad():
        return torch.nn.Sequential(*layers[:-1])(torch.tensor(X)).numpy()


def logistic_gradient_autograd(X, y, w, b, alpha):
    """The referee: torch autograd through PyTorch's own binary cross-entropy with logits."""
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    J = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(X) @ wt + bt, torch.tensor(y)) \
        + 0.5 * alpha * (wt * wt).sum()
    J.backward()
    return wt.grad.numpy(), bt.grad.item()


def symmetric_network_interpolant(values):
    """The referee: nnbook's ReLU interpolant of s -> values[s] on [0, n], fed s = sum of the inputs."""
    n = len(values) - 1
    net = approximation.relu_interpolant(lambda s: values[np.rint(s).astype(int)].astype(float), 0.0, float(n), n)
    W1 = np.outer(net.w, np.ones(n))  # unit k reads w_k * s = w_k * (x_1 + ... + x_n)
    return [W1, net.v[None, :]], [net.c, np.array([net.d])]


@pytest.mark.parametrize("exercise, referee", [
    ("ch1.count_parameters", count_parameters_torch),
    ("ch1.mlp_forward", mlp_forward_torch),
    ("ch1.logistic_gradient", logistic_gradient_autograd),
    ("ch1.symmetric_network", symmetric_network_interpolant),
])
def test_the_independent_reference_passes(exercise, referee):
    verdict = check(exercise, referee)
    assert verdict, str(verdict)


@pytest.mark.parametrize("exercise", CH1)
def test_the_stub_is_not_yet(exercise):
    def stub(*args):
        raise NotImplementedError("fill in the stub")

    assert str(check(exercise, stub)).endswith("not yet: stub still raises NotImplementedError: fill in the stub")


# ----------------------------------------------------------------------------- count_parameters
def weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


@pytest.mark.parametrize("answer, hint", [
    (weights_only, "the biases are missing (layer_sizes = [3, 5, 2]: got 25, expected 32)"),
    (lambda s: count_parameters_torch(s) + s[0], "input units have no bias"),
    (lambda s: weights_only(s) + len(s) - 1, "every unit has its own bias, not every layer"),
    (lambda s: sum((a + 1) * (b + 1) for a, b in zip(s[:-1], s[1:])), "not an extra output unit"),
    (lambda s: float(count_parameters_torch(s)), "return the count as an int, got float"),
])
def test_count_parameters_mistakes(answer, hint):
    assert hint in check("ch1.count_parameters", answer).message


# ----------------------------------------------------------------------------- mlp_forward
def forward_variant(output_relu=False, hidden_relu=True, bias=True, transposed=False):
    def forward(X, weights, biases):
        A = X
        for l, (W, b) in enumerate(zip(weights, biases)):
            A = A @ (W if transposed else W.T) + (b if bias else 0.0)
            if (l < len(weights) - 1 and hidden_relu) or output_relu:
                A = np.maximum(A, 0.0)
        return A
    return forward


@pytest.mark.parametrize("answer, hint", [
    (forward_variant(output_relu=True), "the output layer has no ReLU: it is linear"),
    (forward_variant(hidden_relu=False), "the hidden layers need their ReLU"),
    (forward_variant(bias=False), "the biases are missing"),
    (forward_variant(transposed=True), "mind the layout: X has one example per row, W[l] is (n_out, n_in)"),
    (lambda X, weights, biases: forward_variant()(X, weights, biases).T, "(transposed?)"),
])
def test_mlp_forward_mistakes(answer, hint):
    assert hint in check("ch1.mlp_forward", answer).message


def test_a_bias_added_after_the_relu_is_named():
    def late_bias(X, weights, biases):
        A = X
        for W, b in zip(weights[:-1], biases[:-1]):
            A = np.maximum(A @ W.T, 0.0) + b
        return A @ weights[-1].T + biases[-1]

    assert check("ch1.mlp_forward", late_bias).message == "the bias goes inside the ReLU, added to the pre-activation"


# ----------------------------------------------------------------------------- logistic_gradient
def gradient_variant(sign=1.0, data_scale="mean", penalty=1.0, bias_penalty=0.0, squared_error=False):
    def gradient(X, y, w, b, alpha):
        mu = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        r = (mu - y) * (mu * (1 - mu) if squared_error else 1.0)
        r = r / len(y) if data_scale == "mean" else r
        return sign * X.T @ r + penalty * alpha * w, r.sum() + bias_penalty * alpha * b
    return gradient


@pytest.mark.parametrize("answer, hint", [
    (gradient_variant(sign=-1.0), "grad_w: the data term has the wrong sign"),
    (gradient_variant(data_scale="sum"), "grad_w: the data term is m times too large"),
    (gradient_variant(penalty=0.0), "the gradient of the penalty (alpha / 2) |w|^2 is missing"),
    (gradient_variant(penalty=2.0), "the penalty's gradient is 2 times too large"),
    (gradient_variant(penalty=0.5), "the penalty's gradient is 0.5 times too large"),
    (gradient_variant(bias_penalty=1.0), "grad_b: the bias is not penalised, only w is"),
    (gradient_variant(squared_error=True), "that is the gradient of a squared error through a sigmoid"),
    (lambda X, y, w, b, alpha: gradient_variant()(X, y, w, b, alpha)[0], "return a tuple of two values"),
])
def test_logistic_gradient_mistakes(answer, hint):
    assert hint in check("ch1.logistic_gradient", answer).message


def test_a_bias_gradient_of_shape_one_is_accepted():
    def boxed(X, y, w, b, alpha):
        grad_w, grad_b = logistic_gradient_autograd(X, y, w, b, alpha)
        return grad_w, np.array([grad_b])

    assert check("ch1.logistic_gradient", boxed)


# ----------------------------------------------------------------------------- symmetric_network
def test_the_books_parity_network_fails_elsewhere_with_the_input_named():
    def parity_only(values):  # the triangle wave of 02-one-hidden-layer, whatever the values
        n = len(values) - 1
        v = [1.0] + [2.0 * (-1) ** k for k in range(1, n)]
        return [np.ones((n, n)), np.array([v])], [-np.arange(n, dtype=float), np.zeros(1)]

    message = check("ch1.symmetric_network", parity_only).message
    assert message.startswith("for values = [1, 0, 1, 1], the network gives 0 on input [0, 0, 0] (0 ones), expected 1")


def test_a_dnf_sized_hidden_layer_is_refused():
    def too_wide(values):
        n = len(values) - 1
        return [np.ones((2 ** n, n)), np.ones((1, 2 ** n))], [np.zeros(2 ** n), np.zeros(1)]

    assert "use between 1 and n hidden units; got 8 for n = 3" in check("ch1.symmetric_network", too_wide).message


def test_a_network_without_its_output_layer_is_refused():
    def hidden_only(values):
        n = len(values) - 1
        return [np.ones((n, n))], [np.zeros(n)]

    assert "return two layers" in check("ch1.symmetric_network", hidden_only).message


def test_biases_of_the_wrong_shape_are_named():
    def bad_bias(values):
        weights, biases = symmetric_network_interpolant(values)
        return weights, [biases[0][:-1], biases[1]]

    assert "the network does not run: biases[0] must have shape" in check("ch1.symmetric_network", bad_bias).message


# ----------------------------------------------------------------------------- any bad answer
bad_results = st.one_of(
    st.none(), st.text(max_size=5), st.integers(-5, 5), st.floats(allow_nan=True),
    st.lists(st.floats(allow_nan=True), max_size=4).map(np.array),
    st.tuples(st.integers(1, 4), st.integers(1, 4)).map(lambda shape: np.full(shape, np.nan)),
    st.tuples(st.none(), st.none()),
    st.tuples(st.lists(st.integers(), max_size=2), st.lists(st.integers(), max_size=2)),
    st.just(([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), "b"])),
)


@settings(max_examples=60, deadline=None)
@given(exercise=st.sampled_from(CH1), result=bad_results, raises=st.booleans())
def test_any_bad_answer_is_one_line_not_yet(exercise, result, raises, assert_one_line_not_yet):
    assert_one_line_not_yet(exercise, result, raises)
