"""nnbook.seq.chain, the one engine under the HMM and the CRF: against brute-force enumeration
over all N**T paths, on scores up to +-1e4 apart and with forbidden (-inf) entries, one sequence
and packed."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.seq import chain

pytestmark = pytest.mark.ch6


def enumerate_paths(log_start, log_trans, log_emit):
    """log Z, node marginals (T, N), summed edge marginals (N, N), best score, all by brute force."""
    T, N = log_emit.shape
    paths = np.array(list(itertools.product(range(N), repeat=T))).reshape(-1, T)
    scores = log_start[paths[:, 0]] + log_emit[np.arange(T), paths].sum(1) + log_trans[paths[:, :-1], paths[:, 1:]].sum(1)
    best = scores.max()
    if best == -np.inf:
        return -np.inf, None, None, best
    log_Z = best + np.log(np.exp(scores - best).sum())
    p = np.exp(scores - log_Z)
    node = np.stack([np.bincount(paths[:, t], weights=p, minlength=N) for t in range(T)])
    edge = np.zeros((N, N))
    for t in range(1, T):
        np.add.at(edge, (paths[:, t - 1], paths[:, t]), p)
    return log_Z, node, edge, best


def random_chain(rng, N, T, scale, forbid=0.0):
    """Gaussian log-potentials times ``scale``; a fraction ``forbid`` of the entries set to -inf."""
    parts = [rng.normal(size=s) * scale for s in ((N,), (N, N), (T, N))]
    for p in parts:
        p[rng.random(p.shape) < forbid] = -np.inf
    return parts


def score_of(log_start, log_trans, log_emit, path):
    return log_start[path[0]] + log_trans[path[:-1], path[1:]].sum() + log_emit[np.arange(len(path)), path].sum()


# ------------------------------------------------------------------------- one sequence
@pytest.mark.parametrize("scale", [1.0, 30.0, 800.0, 1e4])
@pytest.mark.parametrize("forbid", [0.0, 0.3])
def test_one_sequence_equals_brute_force_over_any_dynamic_range(scale, forbid):
    rng = np.random.default_rng(int(scale) + int(10 * forbid))
    checked = 0
    for _ in range(30):
        N, T = int(rng.integers(1, 4)), int(rng.integers(1, 7))
        log_start, log_trans, log_emit = random_chain(rng, N, T, scale, forbid)
        log_Z, node, edge, best = enumerate_paths(log_start, log_trans, log_emit)
        log_alpha, ours = chain.forward(log_start, log_trans, log_emit)
        path, score = chain.viterbi(log_start, log_trans, log_emit)
        if log_Z == -np.inf:
            assert ours == -np.inf and score == -np.inf
            gamma, xi, z = chain.marginals(log_start, log_trans, log_emit)
            assert z == -np.inf and not gamma.any() and not xi.any()
            continue
        checked += 1
        np.testing.assert_allclose(ours, log_Z, rtol=1e-13, atol=1e-12)
        log_beta = chain.backward(log_trans, log_emit)
        np.testing.assert_allclose(chain.logsumexp(log_start + log_emit[0] + log_beta[0]), log_Z, rtol=1e-13, atol=1e-12)
        gamma, xi, z = chain.marginals(log_start, log_trans, log_emit)
        np.testing.assert_allclose(gamma, node, atol=1e-12)
        np.testing.assert_allclose(xi, edge, atol=1e-12)
        np.testing.assert_allclose(score, best, rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(score_of(log_start, log_trans, log_emit, path), best, rtol=1e-13, atol=1e-12)
    assert checked >= 10


def test_the_review_crf_case_and_a_state_that_comes_back():
    # log Z = -800: the two labelings that switch once; a naive product gives -1e4 or -inf
    log_emit, log_trans = np.array([[0.0, -1e4], [-1e4, 0.0]]), np.array([[0.0, -800.0], [-800.0, 0.0]])
    assert chain.forward(np.zeros(2), log_trans, log_emit)[1] == pytest.approx(-800.0, rel=1e-15)
    gamma, xi, _ = chain.marginals(np.zeros(2), log_trans, log_emit, per_step=True)
    np.testing.assert_allclose(gamma, np.eye(2), atol=1e-15)
    np.testing.assert_allclose(xi[0], [[0.0, 1.0], [0.0, 0.0]], atol=1e-15)
    # a state 1842 nats behind becomes the only one possible (the HMM review case, as a chain)
    with np.errstate(divide="ignore"):
        log_emit = np.log(np.array([[1.0, 1e-10]] * 80 + [[0.0, 1 - 1e-10]]))
        log_trans = np.log(np.eye(2))
    exact = np.log(0.5) + 80 * np.log(1e-10) + np.log1p(-1e-10)
    np.testing.assert_allclose(chain.forward(np.log([0.5, 0.5]), log_trans, log_emit)[1], exact, rtol=1e-13)
    np.testing.assert_allclose(chain.marginals(np.log([0.5, 0.5]), log_trans, log_emit)[0], np.tile([0.0, 1.0], (81, 1)), atol=1e-13)


def test_marginals_per_step_sum_to_the_summed_edges_and_to_the_nodes():
    rng = np.random.default_rng(3)
    log_start, log_trans, log_emit = random_chain(rng, 4, 50, 2.0)
    gamma, xi, log_Z = chain.marginals(log_start, log_trans, log_emit)
    gamma2, edges, log_Z2 = chain.marginals(log_start, log_trans, log_emit, per_step=True)
    assert edges.shape == (49, 4, 4) and log_Z == log_Z2
    np.testing.assert_array_equal(gamma, gamma2)
    np.testing.assert_allclose(edges.sum(0), xi, rtol=1e-12)
    np.testing.assert_allclose(edges.sum(2), gamma[:-1], atol=1e-12)
    np.testing.assert_allclose(chain.marginals(log_start, log_trans, log_emit, block=7)[1], xi, rtol=1e-12)


def test_logsumexp_keeps_all_minus_inf_slices():
    x = np.array([[-np.inf, -np.inf], [0.0, np.log(3.0)], [-1e4, -1e4]])
    np.testing.assert_allclose(chain.logsumexp(x, axis=1), [-np.inf, np.log(4.0), -1e4 + np.log(2.0)], rtol=1e-15)
    assert chain.logsumexp(np.array([-np.inf])) == -np.inf


def test_viterbi_ties_go_to_the_lowest_state_and_log_end_restricts_the_last():
    zeros = np.zeros((3, 3))
    path, score = chain.viterbi(np.zeros(3), zeros, zeros)
    np.testing.assert_array_equal(path, [0, 0, 0])
    assert score == 0.0
    path, _ = chain.viterbi(np.zeros(3), zeros, zeros, log_end=np.array([-np.inf, -np.inf, 0.0]))
    np.testing.assert_array_equal(path, [0, 0, 2])


# ------------------------------------------------------------------------------- packed
def test_packing_layout():
    packing = chain.Packing([2, 3, 1])
    assert packing.lengths.tolist() == [3, 2, 1] and packing.n_active.tolist() == [3, 2, 1]
    assert packing.n_tokens == 6 and packing.offsets.tolist() == [0, 3, 5, 6]
    # concatenated rows 0-1 (length 2), 2-4 (length 3), 5 (length 1), packed time-major
    assert packing.order.tolist() == [2, 0, 5, 3, 1, 4]
    assert packing.n_transitions == 3
    assert packing.rows(1) == slice(3, 5)
    assert repr(packing) == "Packing(n_sequences=3, n_tokens=6, longest=3)"


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e4])
def test_packed_equals_one_sequence_at_a_time_with_a_start_score(scale):
    rng = np.random.default_rng(int(scale))
    N, lengths = 3, [4, 1, 6, 2, 4]
    log_start, log_trans, log_emit = random_chain(rng, N, sum(lengths), scale, forbid=0.1)
    log_start[0] = 0.0  # every sequence stays possible through state 0 ...
    log_trans[:, 0] = 0.0
    log_emit[:, 0] = 0.0
    packing = chain.Packing(lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    pieces = [chain.marginals(log_start, log_trans, log_emit[a:b]) for a, b in zip(starts[:-1], starts[1:])]
    gamma, xi, log_Z = chain.forward_backward_packed(log_start, log_trans, log_emit[packing.order], packing)
    np.testing.assert_allclose(log_Z, sum(p[2] for p in pieces), rtol=1e-13)
    np.testing.assert_allclose(gamma, np.concatenate([p[0] for p in pieces])[packing.order], atol=1e-12)
    np.testing.assert_allclose(xi, sum(p[1] for p in pieces), atol=1e-11)
    flat = np.empty(len(log_emit), dtype=int)
    flat[packing.order] = chain.viterbi_packed(log_start, log_trans, log_emit[packing.order], packing)
    for a, b in zip(starts[:-1], starts[1:]):
        best = chain.viterbi(log_start, log_trans, log_emit[a:b])[1]
        np.testing.assert_allclose(score_of(log_start, log_trans, log_emit[a:b], flat[a:b]), best, rtol=1e-13)
    # None means a zero start score, as in a CRF
    zero = chain.forward_backward_packed(np.zeros(N), log_trans, log_emit[packing.order], packing)
    none = chain.forward_backward_packed(None, log_trans, log_emit[packing.order], packing)
    np.testing.assert_array_equal(zero[0], none[0])
    assert zero[2] == none[2]


def test_packed_inputs_are_not_modified():
    rng = np.random.default_rng(5)
    log_start, log_trans, log_emit = random_chain(rng, 3, 7, 1.0)
    packing = chain.Packing([3, 4])
    before = log_emit.copy()
    chain.forward_backward_packed(log_start, log_trans, log_emit, packing)
    chain.viterbi_packed(log_start, log_trans, log_emit, packing)
    np.testing.assert_array_equal(log_emit, before)


@st.composite
def packed_chains(draw):
    N = draw(st.integers(1, 3))
    lengths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    scale = draw(st.sampled_from([1.0, 50.0, 900.0, 1e4]))
    forbid = draw(st.sampled_from([0.0, 0.2, 0.5]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (*random_chain(rng, N, sum(lengths), scale, forbid), lengths)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(packed_chains())
def test_packed_forward_backward_equals_brute_force(case):
    log_start, log_trans, log_emit, lengths = case
    starts = np.concatenate([[0], np.cumsum(lengths)])
    refs = [enumerate_paths(log_start, log_trans, log_emit[a:b]) for a, b in zip(starts[:-1], starts[1:])]
    packing = chain.Packing(lengths)
    gamma, xi, log_Z = chain.forward_backward_packed(log_start, log_trans, log_emit[packing.order], packing)
    if any(r[0] == -np.inf for r in refs):
        assert log_Z == -np.inf
        return
    np.testing.assert_allclose(log_Z, sum(r[0] for r in refs), rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(gamma, np.concatenate([r[1] for r in refs])[packing.order], atol=1e-11)
    np.testing.assert_allclose(xi, sum(r[2] for r in refs), atol=1e-10)
    flat = np.empty(len(log_emit), dtype=int)
    flat[packing.order] = chain.viterbi_packed(log_start, log_trans, log_emit[packing.order], packing)
    for (a, b), r in zip(zip(starts[:-1], starts[1:]), refs):
        np.testing.assert_allclose(score_of(log_start, log_trans, log_emit[a:b], flat[a:b]), r[3], rtol=1e-12, atol=1e-11)


# ------------------------------------------------------------------------------- checks
def test_shapes_and_values_are_checked():
    good = (np.zeros(2), np.zeros((2, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"log_trans must have shape \(N, N\) = \(2, 2\) to match log_emit \(T, N\), got \(3, 3\)"):
        chain.forward(good[0], np.zeros((3, 3)), good[2])
    with pytest.raises(ValueError, match=r"log_start must have shape \(N,\) = \(2,\) to match log_emit"):
        chain.viterbi(np.zeros(3), *good[1:])
    with pytest.raises(ValueError, match=r"log_emit must hold finite numbers or -inf, got log_emit\[1, 0\] = nan"):
        chain.backward(good[1], np.array([[0.0, 0.0], [np.nan, 0.0]]))
    with pytest.raises(ValueError, match=r"log_trans must hold finite numbers or -inf.*= inf"):
        chain.marginals(good[0], np.array([[np.inf, 0.0], [0.0, 0.0]]), good[2])
    with pytest.raises(ValueError, match="log_emit is empty"):
        chain.forward(good[0], good[1], np.zeros((0, 2)))
    packing = chain.Packing([2, 1])
    with pytest.raises(ValueError, match=r"log_emit must have one row per packed token, shape \(3, N\).*got \(4, 2\)"):
        chain.viterbi_packed(None, good[1], np.zeros((4, 2)), packing)
    with pytest.raises(TypeError, match="packing must be a Packing, got list"):
        chain.forward_backward_packed(None, good[1], good[2], [2, 1])
    with pytest.raises(TypeError, match="lengths must hold ints, got dtype float64"):
        chain.Packing([2.5])
    with pytest.raises(ValueError, match="lengths must be a non-empty list of positive ints"):
        chain.Packing([])
    with pytest.raises(TypeError, match="per_step must be True or False"):
        chain.marginals(*good, per_step=1)


def test_packing_rows_refuses_a_step_out_of_range():
    packing = chain.Packing([3, 1])
    assert packing.rows(2) == slice(3, 4)
    for bad, error in ((3, ValueError), (-1, ValueError), (1.0, TypeError), (True, TypeError)):
        with pytest.raises(error, match="t must be an int"):
            packing.rows(bad)


def test_packed_chain_with_every_transition_forbidden():
    # found by the Hypothesis test above: one state, log_trans = [[-inf]], a sequence of one token
    # (no transition is taken, so it is possible) beside one of two tokens (impossible)
    log_start, log_trans = np.array([2.04]), np.array([[-np.inf]])
    gamma, xi, log_Z = chain.forward_backward_packed(log_start, log_trans, np.array([[0.42]]), chain.Packing([1]))
    np.testing.assert_array_equal(xi, [[0.0]])
    np.testing.assert_array_equal(gamma, [[1.0]])
    assert log_Z == pytest.approx(2.46)
    _, xi, log_Z = chain.forward_backward_packed(log_start, log_trans, np.zeros((3, 1)), chain.Packing([1, 2]))
    assert log_Z == -np.inf and not np.isnan(xi).any()
