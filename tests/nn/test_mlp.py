"""nnbook.nn.mlp: hand-written backpropagation against float64 torch autograd, and the estimator API."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.nn import losses, mlp
from nnbook.data import load_digits
from nnbook.nn.mlp import MLP, available_activations, backward, forward
from nnbook.nets.builder import to_torch
from nnbook.nets.training import fit

pytestmark = pytest.mark.ch3

RNG = np.random.default_rng(0)
N = 9
X = RNG.normal(size=(N, 5))
LABELS = RNG.integers(0, 3, size=N)
DEPTHS = [[5, 3], [5, 4, 3], [5, 6, 4, 3], [5, 4, 4, 4, 3]]
# (loss, output activation, targets for 3 outputs)
HEADS = [
    ("cross_entropy", None, LABELS),
    ("squared_error", None, RNG.normal(size=(N, 3))),
    ("squared_error", "sigmoid", RNG.uniform(size=(N, 3))),
    ("squared_error", "softmax", losses.one_hot(LABELS, 3)),
    ("binary_cross_entropy", None, (LABELS > 0).astype(float)),
]


def _torch_loss_and_grads(model, y):
    """Loss (data + weight decay) and per-layer gradients of the same network, by torch autograd."""
    net = to_torch(model)
    out = net(torch.tensor(X))
    if model.loss == "cross_entropy":
        data = F.cross_entropy(out, torch.tensor(y))
    elif model.loss == "binary_cross_entropy":
        data = F.binary_cross_entropy_with_logits(out, torch.tensor(y).reshape(-1, 1))
    else:
        data = 0.5 * ((out - torch.tensor(y)) ** 2).sum() / N
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    total = data + 0.5 * model.weight_decay * sum((m.weight ** 2).sum() for m in linears)
    total.backward()
    return total.item(), [(m.weight.grad.numpy(), m.bias.grad.numpy()) for m in linears]


@pytest.mark.parametrize("sizes", DEPTHS, ids=lambda s: f"depth{len(s) - 1}")
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss, output, y", HEADS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_gradient_matches_torch_autograd(sizes, activation, loss, output, y):
    sizes = sizes[:-1] + [1] if loss == "binary_cross_entropy" else sizes
    model = MLP(sizes, activation=activation, loss=loss, output_activation=output, weight_decay=0.05,
                random_state=1).initialize()
    for b in model.biases_:  # non-zero biases, so that bias gradients are tested in general position
        b += RNG.normal(scale=0.1, size=b.shape)
    value, grads = model.loss_and_gradients(X, y)
    ref_value, ref_grads = _torch_loss_and_grads(model, y)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    assert len(grads) == len(sizes) - 1
    for l, ((dW, db), (rW, rb)) in enumerate(zip(grads, ref_grads), start=1):
        for name, g, r in ((f"W{l}", dW, rW), (f"b{l}", db, rb)):
            assert g.shape == r.shape, name
            rel = np.abs(g - r).max() / max(np.abs(r).max(), 1e-300)
            assert rel < 1e-6, f"{name}: relative error {rel:.1e}"
            np.testing.assert_allclose(g, r, rtol=1e-6, atol=1e-13, err_msg=name)


def test_pure_forward_and_backward_give_the_batch_formulas():
    model = MLP([5, 4, 3], activation="tanh").initialize()
    Zs, As = forward(X, model.weights_, model.biases_, "tanh", "softmax")
    np.testing.assert_allclose(As[-1].sum(axis=1), 1.0, rtol=1e-14)
    delta = losses.cross_entropy_grad(Zs[-1], LABELS)
    (dW1, db1), (dW2, db2) = backward(delta, Zs, As, model.weights_, "tanh")
    np.testing.assert_allclose(dW2, delta.T @ As[1], rtol=1e-14)
    np.testing.assert_allclose(db1, ((delta @ model.weights_[1]) * (1 - np.tanh(Zs[0]) ** 2)).sum(axis=0), rtol=1e-13)


def test_digits_reach_95_percent():
    split = load_digits()
    model = MLP([64, 64, 10], activation="relu", learning_rate=0.1, epochs=20, random_state=0)
    model.fit(split.X_train, split.y_train)
    assert model.score(split.X_test, split.y_test) >= 0.95
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_estimator_api():
    model = MLP([5, 4, 3], epochs=2)
    assert not hasattr(model, "weights_")  # __init__ stores arguments only
    assert model.fit(X, LABELS) is model
    P = model.predict_proba(X)
    assert P.shape == (N, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(model.predict(X), P.argmax(axis=1))
    binary = MLP([5, 3, 1], loss="binary_cross_entropy", epochs=2).fit(X, LABELS > 0)
    assert binary.predict_proba(X).shape == (N, 2)
    regression = MLP([5, 3, 2], loss="squared_error", epochs=2).fit(X, X[:, :2])
    assert regression.predict(X).shape == (N, 2)


def test_initial_weights_are_reproducible_and_warm_start_keeps_them():
    a, b = MLP([5, 4, 3], random_state=3).initialize(), MLP([5, 4, 3], random_state=3).initialize()
    for Wa, Wb in zip(a.weights_, b.weights_):
        np.testing.assert_array_equal(Wa, Wb)
    model = MLP([5, 4, 3], epochs=1, learning_rate=1e-12, warm_start=True).initialize()
    model.weights_ = [np.full_like(W, 0.5) for W in model.weights_]
    model.fit(X, LABELS)
    np.testing.assert_allclose(model.weights_[0], 0.5, rtol=1e-9)


def test_squared_error_on_a_sigmoid_saturates_cross_entropy_does_not():
    # One sigmoid unit far on the wrong side: the squared-error delta is tiny, the cross-entropy one is not.
    se = MLP([1, 1], loss="squared_error", output_activation="sigmoid").initialize()
    ce = MLP([1, 1], loss="binary_cross_entropy").initialize()
    for m in (se, ce):
        m.weights_[0][:] = 10.0
    _, (se_grads,) = se.loss_and_gradients(np.ones((1, 1)), np.zeros((1, 1)))
    _, (ce_grads,) = ce.loss_and_gradients(np.ones((1, 1)), np.zeros(1))
    assert abs(se_grads[0][0, 0]) < 1e-4 < 0.99 < abs(ce_grads[0][0, 0])


@pytest.mark.parametrize("kwargs, Xb, yb, error, message", [
    ({}, X, np.where(LABELS == 0, 3, LABELS), ValueError, r"y must hold labels in \[0, 3\), got \[3\]"),
    ({}, X, LABELS[:-1], ValueError, r"shape \(9,\)"),
    ({}, np.where(X > 1.5, np.nan, X), LABELS, ValueError, r"X must be finite, got X\[\d+, \d+\] = nan"),
    ({}, X[:, :4], LABELS, ValueError, r"X must have shape \(n_samples, 5\)"),
    ({}, X, LABELS.astype(float), TypeError, "y must hold ints"),
    ({"activation": "relu6"}, X, LABELS, ValueError, "unknown activation 'relu6'"),
    ({"activation": 3}, X, LABELS, TypeError, "activation must be a str"),
    ({"loss": "hinge"}, X, LABELS, ValueError, "unknown loss 'hinge'"),
    ({"loss": "squared_error", "output_activation": "softsign"}, X, X[:, :3], ValueError, "output_activation"),
    ({"output_activation": "sigmoid"}, X, LABELS, ValueError, "fixed by loss"),
    ({"loss": "squared_error"}, X, LABELS, ValueError, "one_hot"),
    ({"loss": "binary_cross_entropy"}, X, LABELS > 0, ValueError, "one output unit"),
    ({"layer_sizes": [5]}, X, LABELS, ValueError, "at least two"),
    ({"layer_sizes": [5, 0, 3]}, X, LABELS, ValueError, "layer_sizes"),
    ({"learning_rate": -0.1}, X, LABELS, ValueError, "learning_rate"),
    ({"epochs": True}, X, LABELS, TypeError, "epochs"),
    ({"weight_decay": -1.0}, X, LABELS, ValueError, "weight_decay"),
])
def test_bad_input_is_rejected_with_a_clear_message(kwargs, Xb, yb, error, message):
    kwargs = {"layer_sizes": [5, 4, 3], **kwargs}
    with pytest.raises(error, match=message):
        MLP(**kwargs).fit(Xb, yb)


def test_use_before_fit_and_unsupported_calls_are_rejected():
    with pytest.raises(ValueError, match="call fit"):
        MLP([5, 3]).predict(X)
    with pytest.raises(ValueError, match="call fit"):
        MLP([5, 3]).loss_and_gradients(X, LABELS)
    with pytest.raises(ValueError, match="predict_proba"):
        MLP([5, 3], loss="squared_error").initialize().predict_proba(X)
    assert {"sigmoid", "tanh", "relu"} <= set(available_activations())
    model = MLP([5, 4, 3], warm_start=True).initialize()
    model.weights_[0] = model.weights_[0].T  # a transposed matrix, as in the classic indexing slip
    with pytest.raises(ValueError, match=r"have shapes \[\(\(5, 4\), \(4,\)\).*needs \[\(\(4, 5\)"):
        model.fit(X, LABELS)


# --- issue 14: one initialiser, the estimator contract -------------------------------------
def _old_init_params(layer_sizes, activation, rng):
    """mlp.init_params before issue 14, verbatim: the draws the notebooks were run with."""
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(2.0 / n_in) if "relu" in activation else np.sqrt(2.0 / (n_in + n_out))
        weights.append(rng.normal(0.0, std, size=(n_out, n_in)))
        biases.append(np.zeros(n_out))
    return weights, biases


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("sizes", [[64, 32, 10], [4, 6, 5, 3], [1, 32, 1], [3, 7, 9, 14, 23, 1], [784, 300, 100, 10]])
def test_init_params_draws_through_nn_init_bit_for_bit(sizes, activation):
    from nnbook.nn.mlp import init_params

    new = init_params(sizes, activation, np.random.default_rng(7))
    old = _old_init_params(sizes, activation, np.random.default_rng(7))
    for a, b in zip(new[0] + new[1], old[0] + old[1]):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_he_normal_would_not_be_bit_identical():
    # why init_params uses init.init_variance rather than init.he_normal: sqrt(2)/sqrt(n) != sqrt(2/n)
    import math

    assert any(math.sqrt(2.0) / math.sqrt(n) != np.sqrt(2.0 / n) for n in (3, 6, 9, 12))


def test_mlp_follows_the_estimator_contract():
    from nnbook.base import Estimator, NotFittedError

    model = MLP([5, 4, 3], activation="tanh", epochs=2)
    assert isinstance(model, Estimator)
    assert model.get_params()["layer_sizes"] == [5, 4, 3]
    assert repr(model) == "MLP(layer_sizes=[5, 4, 3], activation='tanh', epochs=2)"
    with pytest.raises(NotFittedError, match="call fit"):
        model.predict(X)
    model.set_params(epochs=1).fit(X, LABELS)
    assert model.epochs == 1 and len(model.loss_curve_) == 1
    assert 0.0 <= model.score(X, LABELS) <= 1.0
    with pytest.raises(ValueError, match="has no parameter 'n_classes'"):
        model.set_params(n_classes=3)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"layer_sizes": [5, 4, 0]}, ValueError, r"layer_sizes\[2\] must be an int >= 1, got 0"),
    ({"layer_sizes": [5, 4.0, 3]}, TypeError, r"layer_sizes\[1\] must be an int, got float"),
    ({"layer_sizes": [5, 1]}, ValueError, "cross_entropy needs at least two classes"),
    ({"learning_rate": np.inf}, ValueError, "learning_rate must be a finite number"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0.0"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be an int"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ({"random_state": -1}, ValueError, "random_state must be an int >= 0, got -1"),
    ({"random_state": "abc"}, TypeError, "random_state must be None, an int or a numpy Generator"),
])
def test_bad_settings_are_refused_by_fit(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**{"layer_sizes": [5, 4, 3], **kwargs}).fit(X, LABELS)


def test_binary_targets_and_score_labels_are_checked():
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        MLP([5, 1], loss="binary_cross_entropy").fit(X, np.full(len(X), 2.0))
    model = MLP([5, 3], epochs=1).fit(X, LABELS)
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\), got \[3\]"):
        model.score(X, np.full(len(X), 3))
    with pytest.raises(ValueError, match="y must have shape"):
        model.score(X, LABELS[:-1])


def test_forward_checks_the_layers_against_each_other():
    W = [np.ones((4, 5)), np.ones((3, 5))]
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(3, 5\), but weights\[0\] gives 4 features"):
        forward(X, W, [np.zeros(4), np.zeros(3)])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(4,\)"):
        forward(X, W[:1], [np.zeros(5)])
    with pytest.raises(ValueError, match="unknown output_activation 'relu6'"):
        forward(X, W[:1], [np.zeros(4)], output_activation="relu6")


def test_output_delta_accepts_none_for_the_losses_that_fix_the_output():
    # ch3/04 calls output_delta("binary_cross_entropy", None, ...)
    from nnbook.nn.mlp import output_delta

    z = np.linspace(-3, 3, 5)[:, None]
    np.testing.assert_array_equal(output_delta("binary_cross_entropy", None, z, act_sigmoid(z), np.zeros_like(z)),
                                  losses.binary_cross_entropy_grad(z, np.zeros_like(z)))
    with pytest.raises(ValueError, match="output_activation is fixed by loss='cross_entropy'"):
        output_delta("cross_entropy", "tanh", np.zeros((2, 3)), np.zeros((2, 3)), [0, 1])


def act_sigmoid(z):
    from nnbook.nn.activations import sigmoid

    return sigmoid(z)


def test_backward_refuses_inputs_that_do_not_fit():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
    As = [rng.normal(size=(5, 3)), rng.normal(size=(5, 4))]
    Zs = [rng.normal(size=(5, 4)), rng.normal(size=(5, 2))]
    delta = rng.normal(size=(5, 2))
    good = mlp.backward(delta, Zs, As, weights)
    assert [g[0].shape for g in good] == [(4, 3), (2, 4)]
    cases = [
        ((delta[:, :1], Zs, As, weights), ValueError, r"delta_out must have shape \(m, 2\) to match weights\[1\], got \(5, 1\)"),
        ((delta, Zs, As[:1], weights), ValueError, "As needs 2 entries and Zs at least 1"),
        ((delta, Zs, [As[0][:3], As[1]], weights), ValueError, r"As\[0\] must have shape \(5, 3\), got \(3, 3\)"),
        ((delta, [Zs[0][:, :3]], As, weights), ValueError, r"Zs\[0\] must have shape \(5, 4\)"),
        ((delta, Zs, As, []), ValueError, "weights is empty"),
        ((delta, Zs, As, "ab"), TypeError, "weights must be a list of arrays"),
        ((delta + 1j, Zs, As, weights), TypeError, "delta_out must hold real numbers"),
        ((np.full((5, 2), np.nan), Zs, As, weights), ValueError, "delta_out must be finite"),
        ((None, Zs, As, weights), TypeError, "delta_out must be an array of numbers"),
    ]
    for args, error, match in cases:
        with pytest.raises(error, match=match):
            mlp.backward(*args)
