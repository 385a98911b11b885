"""Graders for chapter 6 (sequence models), ``book/ch6-sequence-models/08-exercises``.

Conventions are the chapter's (``nnbook.seq.chain``): log-probabilities, states indexed
``0..N-1``, ``log_trans[i, j] = log P(next state j | state i)``.
"""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader


@grader("ch6.viterbi_step", "one step of the Viterbi recursion", n_cases=5)
def viterbi_step(answer, rng):
    """``answer(log_delta, log_trans, log_emit_t) -> (new_log_delta, backpointer)`` with
    ``new[j] = max_i (log_delta[i] + log_trans[i, j]) + log_emit_t[j]`` and
    ``backpointer[j]`` the maximising ``i``."""
    for case in range(5):
        n = int(rng.integers(2, 6)) if case else 3
        log_delta = rng.normal(size=n) - 3.0
        log_trans = np.log(rng.dirichlet(np.ones(n), size=n))
        log_emit_t = np.log(rng.uniform(0.05, 1.0, size=n))
        scores = log_delta[:, None] + log_trans
        result = answer(log_delta, log_trans, log_emit_t)
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two arrays: (new_log_delta, backpointer)")
        new, back = result
        if np.allclose(np.asarray(new, float), scores.max(axis=1) + log_emit_t):
            raise NotYet("new_log_delta maximises over the wrong axis: the maximum runs over the previous "
                         "state i, the rows of log_trans")
        compare("new_log_delta", new, scores.max(axis=0) + log_emit_t)
        back = np.asarray(back)
        if back.shape != (n,) or not np.issubdtype(back.dtype, np.integer):
            raise NotYet(f"backpointer must be an int array of shape ({n},), got {back.dtype} {back.shape}")
        if not np.array_equal(back, scores.argmax(axis=0)):
            raise NotYet("backpointer must hold, for each state j, the previous state i that maximises "
                         "log_delta[i] + log_trans[i, j]")
