"""nnbook.exercises.ch6: the reference solution passes, typical mistakes get their hint."""
import numpy as np

from nnbook.exercises import check
from nnbook.seq import chain


def viterbi_step_from_chain(log_delta, log_trans, log_emit_t):
    """The referee: nnbook's Viterbi over two steps (the first step's scores are log_delta)."""
    n = len(log_delta)
    emit = np.vstack([np.zeros(n), log_emit_t])
    best = [chain.viterbi(log_delta, log_trans, emit, log_end=np.where(np.arange(n) == j, 0.0, -np.inf))
            for j in range(n)]  # the best two-step path that ends in state j
    return np.array([score for _, score in best]), np.array([path[0] for path, _ in best])


def test_the_chain_engine_passes():
    assert check("ch6.viterbi_step", viterbi_step_from_chain)


def test_maximising_over_the_wrong_axis_is_named():
    def wrong(log_delta, log_trans, log_emit_t):
        s = log_delta[:, None] + log_trans
        return s.max(axis=1) + log_emit_t, s.argmax(axis=1)

    assert "wrong axis" in check("ch6.viterbi_step", wrong).message


def test_float_backpointers_are_refused():
    def floats(log_delta, log_trans, log_emit_t):
        s = log_delta[:, None] + log_trans
        return s.max(axis=0) + log_emit_t, s.argmax(axis=0).astype(float)

    assert "backpointer must be an int array" in check("ch6.viterbi_step", floats).message
