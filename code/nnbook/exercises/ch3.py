"""Graders for chapter 3 (backpropagation), ``book/ch3-backprop/08-exercises``.

Conventions are the chapter's (``nnbook.nn.mlp``): a mini-batch has one example per row,
``X`` (m, n_in); a layer computes ``Z = A_prev @ W.T + b`` with ``W`` (n_out, n_in).
"""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader


@grader("ch3.dense_backward", "the backward pass of one dense layer", n_cases=5)
def dense_backward(answer, rng):
    """``answer(delta, A_prev, W) -> (dW, db, dA_prev)`` for ``Z = A_prev W^T + b`` and
    ``delta = dJ/dZ`` (m, n_out): ``dW = delta^T A_prev``, ``db = sum of delta over rows``,
    ``dA_prev = delta W`` (the book's BP2 equations, summed over the batch)."""
    for case in range(5):
        m, n_in, n_out = (int(k) for k in rng.integers(2, 7, size=3))
        if case == 0:
            n_in, n_out = 3, 5  # distinct sizes, so a transposed result shows as a transposed shape
        delta = rng.normal(size=(m, n_out))
        A_prev = rng.normal(size=(m, n_in))
        W = rng.normal(size=(n_out, n_in))
        result = answer(delta, A_prev, W)
        if not isinstance(result, tuple) or len(result) != 3:
            raise NotYet("return a tuple of three arrays: (dW, db, dA_prev)")
        dW, db, dA_prev = result
        compare("dW", dW, delta.T @ A_prev)
        compare("db", db, delta.sum(axis=0))
        compare("dA_prev", dA_prev, delta @ W)
