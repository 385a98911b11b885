"""nnbook.nn.mlp: hand-written backpropagation against float64 torch autograd, and the estimator API."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbook.nn import losses
from nnbook.data import load_digits
from nnbook.nn.mlp import MLP, available_activations, backward, forward, to_torch
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
    ({}, X, np.where(LABELS == 0, 3, LABELS), ValueError, r"outside 0\.\.2: \[3\]"),
    ({}, X, LABELS[:-1], ValueError, r"shape \(9,\)"),
    ({}, np.where(X > 1.5, np.nan, X), LABELS, ValueError, "NaN"),
    ({}, X[:, :4], LABELS, ValueError, r"X must have shape \(n_samples, 5\)"),
    ({}, X, LABELS.astype(float), TypeError, "integer class labels"),
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
