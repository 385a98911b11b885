r"""Recurrent networks in torch on a task with a long-range dependency: recall a symbol seen k steps ago.

The **recall task**: a sequence of length :math:`k + 1` starts with one of ``n_symbols`` target
symbols, followed by :math:`k` distractor symbols drawn at random from ``n_distractors`` others
(all one-hot). After the last step the network must name the first symbol; chance accuracy is
``1 / n_symbols``. The only information that matters lies :math:`k` steps back, so the gradient
that teaches the network to keep it has to travel back :math:`k` steps — through
:math:`k` Jacobians :math:`W_{hh}^\top\operatorname{diag}(1-\mathbf h_s^2)` in a tanh RNN, along
the additive cell-state path :math:`\partial\mathbf c_t/\partial\mathbf c_{t-1} =
\operatorname{diag}(\mathbf f_t)` in an LSTM (Hochreiter and Schmidhuber, 1997).

Book: chapter 4, "Recurrent networks and vanishing gradients through time" (``tr7-recurrent``);
the NumPy RNN and its backpropagation through time are in :mod:`nnbook.nn.rnn`.
"""
from __future__ import annotations

import numpy as np
import torch

from nnbook._validation import check_int, check_number, check_option, check_random_state, check_tensor

__all__ = ["recall_task", "RecallNet", "train_recall", "recall_accuracy", "input_gradient_norms"]

CELLS = ("rnn", "lstm")


def recall_task(n: int, k: int, *, n_symbols: int = 4, n_distractors: int = 4, random_state=None):
    """``n`` sequences of the recall task with lag ``k``.

    Returns
    -------
    X : float32 tensor (k + 1, n, n_symbols + n_distractors)
        One-hot inputs, time first; step 0 holds the target symbol (indices ``0 .. n_symbols-1``),
        steps ``1 .. k`` distractors (indices ``n_symbols ..``).
    y : int64 tensor (n,)
        The target symbol.
    """
    n = check_int("n", n, low=1)
    k = check_int("k", k, low=0)
    n_symbols = check_int("n_symbols", n_symbols, low=2)
    n_distractors = check_int("n_distractors", n_distractors, low=1)
    rng = check_random_state(random_state)
    y = rng.integers(0, n_symbols, size=n)
    tokens = np.concatenate([y[None, :], n_symbols + rng.integers(0, n_distractors, size=(k, n))])
    X = np.eye(n_symbols + n_distractors, dtype=np.float32)[tokens]
    return torch.from_numpy(X), torch.from_numpy(y)


class RecallNet(torch.nn.Module):
    r"""A one-layer ``torch.nn.RNN`` (tanh) or ``torch.nn.LSTM`` and a linear read-out of the last state.

    Parameters
    ----------
    cell : {"rnn", "lstm"}
    hidden : int
        Width of the state :math:`\mathbf h_t`.
    n_symbols, n_distractors : int
        As in :func:`recall_task`.
    forget_bias : float or None
        LSTM only: set the forget gate's bias (``bias_ih`` + ``bias_hh``) to this value, so that
        :math:`\mathbf f_t \approx \sigma(b_f)` at initialisation; ``None`` keeps torch's default.
    recurrent_scale : float or None
        RNN only: :math:`W_{hh} = s\,Q` with :math:`Q` a random orthogonal matrix, so that its
        spectral radius is exactly ``s``; ``None`` keeps torch's default.
    seed : int
        Seed of the initial weights.
    """

    def __init__(self, cell: str = "rnn", hidden: int = 32, *, n_symbols: int = 4, n_distractors: int = 4,
                 forget_bias: float | None = None, recurrent_scale: float | None = None, seed: int = 0):
        super().__init__()
        self.cell = check_option("cell", cell, CELLS)
        hidden = check_int("hidden", hidden, low=1)
        n_symbols = check_int("n_symbols", n_symbols, low=2)
        n_distractors = check_int("n_distractors", n_distractors, low=1)
        seed = check_int("seed", seed, low=0)
        if forget_bias is not None and cell != "lstm":
            raise ValueError(f"forget_bias is for cell='lstm' only, got cell={cell!r}")
        if recurrent_scale is not None and cell != "rnn":
            raise ValueError(f"recurrent_scale is for cell='rnn' only, got cell={cell!r}")
        generator = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            kind = torch.nn.RNN if cell == "rnn" else torch.nn.LSTM
            self.rnn = kind(n_symbols + n_distractors, hidden)
            self.readout = torch.nn.Linear(hidden, n_symbols)
        with torch.no_grad():
            if forget_bias is not None:
                forget_bias = check_number("forget_bias", forget_bias)
                for bias in (self.rnn.bias_ih_l0, self.rnn.bias_hh_l0):  # gate order i, f, g, o
                    bias[hidden:2 * hidden] = forget_bias / 2
            if recurrent_scale is not None:
                recurrent_scale = check_number("recurrent_scale", recurrent_scale, low=0.0, low_open=True)
                Q, _ = torch.linalg.qr(torch.randn(hidden, hidden, generator=generator))
                self.rnn.weight_hh_l0.copy_(recurrent_scale * Q)

    def forward(self, X):
        """Logits ``(N, n_symbols)`` read from the last state of ``X`` ``(T, N, D)``."""
        out, _ = self.rnn(X)
        return self.readout(out[-1])


def train_recall(model: RecallNet, k: int, *, steps: int = 200, batch_size: int = 64, lr: float = 1e-2,
                 optimizer: str = "adam", max_norm: float | None = None, random_state=0):
    """Train on fresh batches of the recall task with lag ``k``; cross-entropy loss.

    ``max_norm`` clips the gradient by its norm before each step (``torch.nn.utils.clip_grad_norm_``).

    Returns
    -------
    dict
        ``"loss"`` and ``"grad_norm"`` (before clipping): NumPy arrays with one entry per step.
    """
    if not isinstance(model, RecallNet):
        raise TypeError(f"model must be a RecallNet, got {type(model).__name__}")
    k = check_int("k", k, low=0)
    steps = check_int("steps", steps, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    lr = check_number("lr", lr, low=0.0, low_open=True)
    optimizer = check_option("optimizer", optimizer, ("adam", "sgd"))
    if max_norm is not None:
        max_norm = check_number("max_norm", max_norm, low=0.0, low_open=True)
    rng = check_random_state(random_state)
    kind = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = kind(model.parameters(), lr=lr)
    n_symbols = model.readout.out_features
    n_distractors = model.rnn.input_size - n_symbols
    losses, norms = np.empty(steps), np.empty(steps)
    for step in range(steps):
        X, y = recall_task(batch_size, k, n_symbols=n_symbols, n_distractors=n_distractors, random_state=rng)
        loss = torch.nn.functional.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        norms[step] = float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm or float("inf")))
        losses[step] = loss.item()
        opt.step()
    return {"loss": losses, "grad_norm": norms}


def recall_accuracy(model: RecallNet, k: int, *, n: int = 1000, random_state=12345) -> float:
    """Share of ``n`` fresh sequences with lag ``k`` whose first symbol the model names correctly."""
    if not isinstance(model, RecallNet):
        raise TypeError(f"model must be a RecallNet, got {type(model).__name__}")
    n_symbols = model.readout.out_features
    X, y = recall_task(n, k, n_symbols=n_symbols, n_distractors=model.rnn.input_size - n_symbols,
                       random_state=random_state)
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())


def input_gradient_norms(model: torch.nn.Module, X, y) -> np.ndarray:
    r""":math:`\|\partial L/\partial \mathbf x_{T-\ell}\|` for lags :math:`\ell = 0, \dots, T-1`.

    ``L`` is the mean cross-entropy of ``model(X)`` against ``y``; the gradient is computed in
    float64 (a copy of the model), so that norms far below float32's range come out right. The
    norm at lag :math:`\ell` is taken over the whole batch's inputs at step :math:`T - \ell`.

    Returns
    -------
    ndarray (T,)
        Index :math:`\ell` holds the norm for the input :math:`\ell` steps before the last.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X = check_tensor("X", X, ndim=3)
    y = check_tensor("y", y, ndim=1, floating=False)
    if y.dtype != torch.int64 or y.shape[0] != X.shape[1]:
        raise TypeError(f"y must be an int64 tensor of {X.shape[1]} class indices, got {y.dtype} of shape {tuple(y.shape)}")
    import copy
    double = copy.deepcopy(model).double()
    X = X.detach().double().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(double(X), y)
    (grad,) = torch.autograd.grad(loss, X)
    return grad.flatten(1).norm(dim=1).flip(0).numpy()
