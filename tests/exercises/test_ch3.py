"""nnbook.exercises.ch3: the reference solution passes, typical mistakes get their hint."""
import torch

from nnbook.exercises import check


def dense_backward_autograd(delta, A_prev, W):
    """The referee: torch autograd on Z = A_prev W^T + b, with dJ/dZ = delta."""
    A = torch.tensor(A_prev, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    b = torch.zeros(W.shape[0], dtype=torch.float64, requires_grad=True)
    (A @ Wt.T + b).backward(torch.tensor(delta))
    return Wt.grad.numpy(), b.grad.numpy(), A.grad.numpy()


def test_autograd_passes():
    assert check("ch3.dense_backward", dense_backward_autograd)


def test_a_transposed_weight_gradient_is_named():
    verdict = check("ch3.dense_backward", lambda d, a, w: (a.T @ d, d.sum(0), d @ w))
    assert "dW has shape (3, 5), expected (5, 3) (transposed?)" in verdict.message


def test_a_mean_instead_of_a_sum_is_a_constant_factor():
    verdict = check("ch3.dense_backward", lambda d, a, w: (d.T @ a / len(d), d.sum(0), d @ w))
    assert "dW is off by a constant factor" in verdict.message


def test_a_wrong_tuple_is_explained():
    verdict = check("ch3.dense_backward", lambda d, a, w: d.T @ a)
    assert verdict.message == "return a tuple of three arrays: (dW, db, dA_prev)"
