"""NumPy layers of chapters 3-5 vs torch: conv2d, batch norm and an MLP training epoch.

Each pair computes the same thing on the same data in the same dtype, forward and backward:
our functions return their gradients explicitly, torch computes them with autograd.
"""
from __future__ import annotations

import numpy as np

from common import QUICK, Comparison, compare


def conv2d() -> Comparison:
    import torch
    import torch.nn.functional as F

    from nnbook.nn.conv import conv2d_backward, conv2d_forward

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 16, 28, 28)).astype(np.float32)
    W = (rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32)
    b = np.zeros(32, dtype=np.float32)
    G = rng.standard_normal((64, 32, 28, 28)).astype(np.float32)
    Xt, Wt, bt, Gt = (torch.tensor(a) for a in (X, W, b, G))

    def ours():
        out, cache = conv2d_forward(X, W, b, stride=1, padding=1)
        return conv2d_backward(G, cache)

    def reference():
        x, w, bb = (t.clone().requires_grad_(True) for t in (Xt, Wt, bt))
        F.conv2d(x, w, bb, stride=1, padding=1).backward(Gt)

    row = Comparison("conv2d", "CNN", "conv2d forward + backward (im2col)", "nnbook.nn.conv.conv2d_forward/backward",
                     "torch.nn.functional.conv2d + autograd", 5.0,
                     details={"batch": 64, "channels": "16→32", "size": "28×28", "kernel": "3×3", "padding": 1,
                              "dtype": "float32"})
    compare(row, ours, reference)
    out, cache = conv2d_forward(X, W, b, stride=1, padding=1)
    dX, dW, db = conv2d_backward(G, cache)
    x, w, bb = (t.clone().requires_grad_(True) for t in (Xt, Wt, bt))
    F.conv2d(x, w, bb, padding=1).backward(Gt)
    row.details["max_rel_error_dW"] = float(np.abs(dW - w.grad.numpy()).max() / np.abs(w.grad.numpy()).max())
    return row


def batch_norm() -> Comparison:
    import torch
    import torch.nn.functional as F

    from nnbook.nn.normalization import batch_norm_backward, batch_norm_forward

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 32, 28, 28)).astype(np.float32)
    gamma, beta = np.ones(32, dtype=np.float32), np.zeros(32, dtype=np.float32)
    G = rng.standard_normal(X.shape).astype(np.float32)
    Xt, gt, bt, Gt = (torch.tensor(a) for a in (X, gamma, beta, G))

    def ours():
        out, cache = batch_norm_forward(X, gamma, beta)
        return batch_norm_backward(G, cache)

    def reference():
        x, g, b = (t.clone().requires_grad_(True) for t in (Xt, gt, bt))
        F.batch_norm(x, None, None, g, b, training=True).backward(Gt)

    row = Comparison("batch-norm", "CNN", "batch norm forward + backward", "nnbook.nn.normalization.batch_norm_forward/backward",
                     "torch.nn.functional.batch_norm + autograd", 2.0,
                     details={"shape": "64×32×28×28", "dtype": "float32"})
    compare(row, ours, reference)
    return row


def mlp_epoch() -> Comparison:
    import torch
    from torch import nn

    from nnbook.data import load_digits
    from nnbook.nets.builder import to_torch
    from nnbook.nn.mlp import MLP

    data = load_digits()
    X, y = data.X_train, data.y_train
    sizes, lr, batch = [64, 128, 64, 10], 0.1, 32
    Xt, yt = torch.tensor(X), torch.tensor(y)
    order = np.random.default_rng(0).permutation(len(X))  # one fixed shuffle, the same for both

    def ours():
        MLP(sizes, activation="relu", learning_rate=lr, batch_size=batch, epochs=1, random_state=0).fit(X, y)

    template = to_torch(MLP(sizes, activation="relu", random_state=0).initialize())

    def reference():
        import copy

        net = copy.deepcopy(template)  # float64, like ours
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        for start in range(0, len(X), batch):
            idx = torch.as_tensor(order[start:start + batch])
            loss = nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    row = Comparison("mlp-epoch", "MLP", "MLP training epoch (mini-batch SGD)", "nnbook.nn.mlp.MLP.fit(epochs=1)",
                     "torch nn.Sequential + SGD", 2.0,
                     details={"data": "digits", "samples": len(X), "layers": "64-128-64-10", "activation": "relu",
                              "batch_size": batch, "dtype": "float64"})
    compare(row, ours, reference)
    return row


def comparisons() -> list[Comparison]:
    rows = []
    for bench in (conv2d, batch_norm, mlp_epoch):
        rows.append(bench())
    return rows
