"""nnbook.nets.recurrent: the recall task, RecallNet, its training loop and input-gradient norms."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nets.recurrent import RecallNet, input_gradient_norms, recall_accuracy, recall_task, train_recall
from nnbook.nn.rnn import rnn_backward, rnn_forward

pytestmark = pytest.mark.ch4

SETTINGS = settings(max_examples=10, deadline=None, database=None)


def test_recall_task_is_one_hot_with_the_target_first_and_distractors_after():
    X, y = recall_task(50, 7, n_symbols=3, n_distractors=5, random_state=0)
    assert X.shape == (8, 50, 8) and y.shape == (50,) and X.dtype == torch.float32 and y.dtype == torch.int64
    torch.testing.assert_close(X.sum(-1), torch.ones(8, 50))
    assert torch.equal(X[0].argmax(-1), y)
    assert bool((X[1:].argmax(-1) >= 3).all())
    X2, y2 = recall_task(50, 7, n_symbols=3, n_distractors=5, random_state=0)
    assert torch.equal(X, X2) and torch.equal(y, y2)


def test_forget_bias_and_recurrent_scale_set_what_they_promise():
    lstm = RecallNet("lstm", 6, forget_bias=3.0, seed=1)
    bias = (lstm.rnn.bias_ih_l0 + lstm.rnn.bias_hh_l0).detach()
    torch.testing.assert_close(bias[6:12], torch.full((6,), 3.0))
    rnn = RecallNet("rnn", 6, recurrent_scale=1.5, seed=1)
    singular = torch.linalg.svdvals(rnn.rnn.weight_hh_l0.detach().double())
    torch.testing.assert_close(singular, torch.full((6,), 1.5, dtype=torch.float64), rtol=1e-5, atol=1e-5)
    assert torch.equal(RecallNet("rnn", 6, seed=4).rnn.weight_hh_l0, RecallNet("rnn", 6, seed=4).rnn.weight_hh_l0)


def test_input_gradient_norms_of_the_rnn_match_numpy_bptt():
    model = RecallNet("rnn", 5, seed=2)
    X, y = recall_task(4, 6, random_state=3)
    norms = input_gradient_norms(model, X, y)
    p = {n: t.detach().double().numpy() for n, t in model.named_parameters()}
    H_all, cache = rnn_forward(X.double().numpy(), np.zeros((4, 5)), p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"],
                               p["rnn.bias_ih_l0"] + p["rnn.bias_hh_l0"])
    logits = H_all[-1] @ p["readout.weight"].T + p["readout.bias"]
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    G = np.zeros_like(H_all)
    G[-1] = (probs - np.eye(4)[y.numpy()]) / 4 @ p["readout.weight"]
    dX = rnn_backward(G, cache).dX
    np.testing.assert_allclose(norms, np.linalg.norm(dX.reshape(7, -1), axis=1)[::-1], rtol=1e-10)


def test_training_on_a_short_lag_learns_and_clipping_caps_nothing_it_should_not():
    model = RecallNet("lstm", 16, seed=0)
    history = train_recall(model, 2, steps=150, batch_size=32, lr=3e-2, random_state=0)
    assert history["loss"].shape == history["grad_norm"].shape == (150,)
    assert history["loss"][-20:].mean() < 0.2 * history["loss"][:5].mean()
    assert recall_accuracy(model, 2, n=200) > 0.9
    a, b = RecallNet("rnn", 8, seed=0), RecallNet("rnn", 8, seed=0)
    ha = train_recall(a, 3, steps=5, lr=1e-2, random_state=1)
    hb = train_recall(b, 3, steps=5, lr=1e-2, random_state=1, max_norm=1e9)  # a huge threshold clips nothing
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-6)


# --- bad inputs ---------------------------------------------------------------------------
def _bad_ints(low):
    return st.one_of(st.integers(max_value=low - 1), st.just(2.5), st.just("3"), st.just(None), st.just(True))


@SETTINGS
@given(name=st.sampled_from(["n", "k", "n_symbols", "n_distractors"]), data=st.data())
def test_recall_task_rejects_bad_sizes(name, data):
    low = {"n": 1, "k": 0, "n_symbols": 2, "n_distractors": 1}[name]
    kwargs = {"n": 4, "k": 3, name: data.draw(_bad_ints(low))}
    with pytest.raises((ValueError, TypeError), match=name):
        recall_task(**kwargs)


@SETTINGS
@given(case=st.sampled_from([
    ({"cell": "gru"}, "cell"), ({"cell": None}, "cell"), ({"hidden": 0}, "hidden"), ({"hidden": 2.0}, "hidden"),
    ({"cell": "rnn", "forget_bias": 1.0}, "forget_bias"), ({"cell": "lstm", "recurrent_scale": 1.0}, "recurrent_scale"),
    ({"cell": "lstm", "forget_bias": float("nan")}, "forget_bias"), ({"recurrent_scale": -1.0}, "recurrent_scale"),
    ({"recurrent_scale": "big"}, "recurrent_scale"), ({"seed": -1}, "seed"),
]))
def test_recall_net_rejects_bad_arguments(case):
    kwargs, name = case
    with pytest.raises((ValueError, TypeError), match=name):
        RecallNet(**kwargs)


@SETTINGS
@given(case=st.sampled_from([
    ({"k": -1}, "k"), ({"steps": 0}, "steps"), ({"batch_size": 1.5}, "batch_size"), ({"lr": 0.0}, "lr"),
    ({"lr": float("inf")}, "lr"), ({"optimizer": "rmsprop"}, "optimizer"), ({"max_norm": -1.0}, "max_norm"),
    ({"max_norm": "1"}, "max_norm"), ({"random_state": -3}, "random_state"),
]))
def test_train_recall_rejects_bad_arguments(case):
    kwargs, name = case
    with pytest.raises((ValueError, TypeError), match=name):
        train_recall(RecallNet("rnn", 4), **{"k": 2, "steps": 1, **kwargs})


@SETTINGS
@given(case=st.sampled_from([
    (torch.zeros(3, 2, 8, dtype=torch.float64), torch.zeros(2), "y"), (np.zeros((3, 2, 8)), torch.zeros(2, dtype=torch.int64), "X"),
    (torch.zeros(2, 8), torch.zeros(2, dtype=torch.int64), "X"), (torch.full((3, 2, 8), float("nan")), torch.zeros(2, dtype=torch.int64), "X"),
]))
def test_input_gradient_norms_and_accuracy_reject_bad_arguments(case):
    X, y, name = case
    with pytest.raises((ValueError, TypeError), match=name):
        input_gradient_norms(RecallNet("rnn", 4), X, y)
    with pytest.raises(TypeError, match="model"):
        recall_accuracy(torch.nn.Linear(2, 2), 3)
