"""nnbook.seq.crf against brute-force enumeration, finite differences and sklearn-crfsuite."""
import numpy as np
import pytest
from scipy import sparse

from nnbook.seq import chain, crf
from nnbook.seq.crf_estimator import LinearChainCRF

pytestmark = pytest.mark.ch6


@pytest.mark.parametrize("T", [1, 2, 4, 6])
def test_log_z_marginals_and_viterbi_equal_brute_force(T):
    rng = np.random.default_rng(T)
    emit, trans = rng.normal(size=(T, 3)), rng.normal(size=(3, 3))
    log_Z, node, best = crf.brute_force(emit, trans)
    np.testing.assert_allclose(crf.log_partition(emit, trans)[1], log_Z, rtol=1e-12)
    ours_node, edge, _ = crf.marginals(emit, trans)
    np.testing.assert_allclose(ours_node, node, atol=1e-12)
    np.testing.assert_allclose(edge.sum(axis=2), ours_node[:-1], atol=1e-12)  # edges sum to nodes
    np.testing.assert_array_equal(crf.viterbi(emit, trans)[0], best)
    np.testing.assert_allclose(crf.viterbi(emit, trans)[1], crf.sequence_score(emit, trans, best), rtol=1e-12)


def test_zero_weights_give_the_uniform_distribution():
    # all L**T labelings score 0: log Z = T log L and every marginal is 1/L
    log_Z = crf.log_partition(np.zeros((7, 4)), np.zeros((4, 4)))[1]
    np.testing.assert_allclose(log_Z, 7 * np.log(4), rtol=1e-14)
    np.testing.assert_allclose(crf.marginals(np.zeros((7, 4)), np.zeros((4, 4)))[0], 0.25)


def random_problem(seed, lengths=(5, 1, 3, 5, 2, 4), n_attributes=12, L=3):
    rng = np.random.default_rng(seed)
    X = sparse.random(sum(lengths), n_attributes, density=0.3, random_state=seed, format="csr")
    return rng, X, crf.Packing(list(lengths)), rng.integers(0, L, sum(lengths)), L


def test_packed_forward_backward_equals_one_sequence_at_a_time():
    rng, X, packing, _, L = random_problem(0)
    emit, trans = X @ rng.normal(size=(X.shape[1], L)) * 3, rng.normal(size=(L, L))
    gamma, xi, log_Z = crf.forward_backward_packed(emit[packing.order], trans, packing)
    starts = np.concatenate([[0], np.cumsum([5, 1, 3, 5, 2, 4])])
    pieces = [crf.marginals(emit[a:b], trans) for a, b in zip(starts[:-1], starts[1:])]
    np.testing.assert_allclose(log_Z, sum(p[2] for p in pieces), rtol=1e-12)
    np.testing.assert_allclose(gamma, np.concatenate([p[0] for p in pieces])[packing.order], atol=1e-12)
    np.testing.assert_allclose(xi, sum(p[1].sum(0) for p in pieces), atol=1e-12)
    flat = np.empty(len(emit), dtype=int)
    flat[packing.order] = crf.viterbi_packed(emit[packing.order], trans, packing)
    np.testing.assert_array_equal(flat, np.concatenate([crf.viterbi(emit[a:b], trans)[0] for a, b in zip(starts[:-1], starts[1:])]))


@pytest.mark.parametrize("dense", [True, False])
def test_gradient_matches_finite_differences(dense):
    rng, X, packing, y, L = random_problem(1)
    Xp, yp = X[packing.order], y[packing.order]
    pairs = None if dense else (np.array([0, 1, 1, 5, 11]), np.array([0, 2, 1, 1, 0]))
    n_state = X.shape[1] * L if dense else 5
    theta = rng.normal(size=n_state + L * L)
    f, grad = crf.objective_and_gradient(theta, Xp, yp, packing, L, 0.3, state_pairs=pairs)
    h = 1e-6
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = h
        numeric = (crf.objective_and_gradient(theta + e, Xp, yp, packing, L, 0.3, state_pairs=pairs)[0]
                   - crf.objective_and_gradient(theta - e, Xp, yp, packing, L, 0.3, state_pairs=pairs)[0]) / (2 * h)
        assert abs(numeric - grad[i]) < 1e-6 * max(1.0, abs(numeric)), f"d f / d theta[{i}]: {numeric} vs {grad[i]}"


def test_objective_equals_negative_log_likelihood_plus_penalty():
    rng, X, packing, y, L = random_problem(2)
    theta = rng.normal(size=X.shape[1] * L + L * L)
    W, trans = theta[: -L * L].reshape(-1, L), theta[-L * L :].reshape(L, L)
    emit = X @ W
    starts = np.concatenate([[0], np.cumsum([5, 1, 3, 5, 2, 4])])
    nll = sum(crf.log_partition(emit[a:b], trans)[1] - crf.sequence_score(emit[a:b], trans, y[a:b]) for a, b in zip(starts[:-1], starts[1:]))
    f, _ = crf.objective_and_gradient(theta, X[packing.order], y[packing.order], packing, L, 0.5)
    np.testing.assert_allclose(f, nll + 0.5 * theta @ theta, rtol=1e-12)


def test_bad_input_raises():
    with pytest.raises(ValueError, match=r"trans must have shape \(L, L\) = \(3, 3\)"):
        crf.log_partition(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"emit is empty, got shape \(0, 3\)"):
        crf.marginals(np.zeros((0, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\), got \[3\]"):
        crf.sequence_score(np.zeros((2, 3)), np.zeros((3, 3)), [0, 3])
    with pytest.raises(ValueError, match="lengths must be a non-empty list of positive ints"):
        crf.Packing([3, 0])
    model = LinearChainCRF()
    with pytest.raises(ValueError, match="not fitted"):
        model.predict([[{"a": 1.0}]])
    with pytest.raises(ValueError, match=r"X\[1\] must be a non-empty list"):
        model.fit([[{"a": 1.0}], []], [["x"], []])
    with pytest.raises(ValueError, match="one label per token"):
        model.fit([[{"a": 1.0}, {"b": 1.0}]], [["x"]])


# ------------------------------------------------------------------ any dynamic range
def test_potential_differences_beyond_745_are_exact():
    # The review's case: exp(-1e4) and exp(-800) underflow. The true log Z is -800 (labels 0, 1
    # or 1, 0 pay one -800 transition; staying pays -1e4); it was -10000, with inverted
    # marginals, and -inf from the packed forward-backward used in training.
    emit, trans = np.array([[0.0, -1e4], [-1e4, 0.0]]), np.array([[0.0, -800.0], [-800.0, 0.0]])
    log_Z, node, best = crf.brute_force(emit, trans)
    np.testing.assert_allclose(log_Z, -800.0, rtol=1e-15)
    np.testing.assert_allclose(crf.log_partition(emit, trans)[1], log_Z, rtol=1e-15)
    ours_node, edge, _ = crf.marginals(emit, trans)
    np.testing.assert_allclose(ours_node, [[1.0, 0.0], [0.0, 1.0]], atol=1e-15)
    np.testing.assert_allclose(ours_node, node, atol=1e-15)
    np.testing.assert_allclose(edge[0], [[0.0, 1.0], [0.0, 0.0]], atol=1e-15)
    np.testing.assert_array_equal(crf.viterbi(emit, trans)[0], best)
    gamma, xi, packed_log_Z = crf.forward_backward_packed(emit, trans, crf.Packing([2]))
    np.testing.assert_allclose(packed_log_Z, -800.0, rtol=1e-15)
    np.testing.assert_allclose(gamma, [[1.0, 0.0], [0.0, 1.0]], atol=1e-15)
    np.testing.assert_allclose(xi, [[0.0, 1.0], [0.0, 0.0]], atol=1e-15)


@pytest.mark.parametrize("seed", range(6))
def test_potentials_up_to_1e4_equal_brute_force(seed):
    # several sequences packed together, each redone exactly where it needs to be, the others
    # not: the packed results equal brute force on every sequence
    rng = np.random.default_rng(700 + seed)
    L, lengths = 3, [5, 1, 3, 5, 2, 4]
    scale = [1.0, 30.0, 300.0, 1e3, 3e3, 1e4][seed]
    emit, trans = rng.normal(size=(sum(lengths), L)) * scale, rng.normal(size=(L, L)) * scale
    emit[:5] *= 1e4 / scale  # the first sequence always spans far more than 745
    starts = np.concatenate([[0], np.cumsum(lengths)])
    refs = [crf.brute_force(emit[a:b], trans) for a, b in zip(starts[:-1], starts[1:])]
    for (a, b), (log_Z, node, best) in zip(zip(starts[:-1], starts[1:]), refs):
        np.testing.assert_allclose(crf.log_partition(emit[a:b], trans)[1], log_Z, rtol=1e-13)
        np.testing.assert_allclose(crf.marginals(emit[a:b], trans)[0], node, atol=1e-12)
        np.testing.assert_allclose(crf.viterbi(emit[a:b], trans)[1], crf.sequence_score(emit[a:b], trans, best), rtol=1e-13)
    packing = crf.Packing(lengths)
    gamma, xi, log_Z = crf.forward_backward_packed(emit[packing.order], trans, packing)
    np.testing.assert_allclose(log_Z, sum(r[0] for r in refs), rtol=1e-13)
    np.testing.assert_allclose(gamma, np.concatenate([r[1] for r in refs])[packing.order], atol=1e-12)
    edges = sum(crf.marginals(emit[a:b], trans)[1].sum(0) for a, b in zip(starts[:-1], starts[1:]))
    np.testing.assert_allclose(xi, edges, atol=1e-12)
    flat = np.empty(len(emit), dtype=int)
    flat[packing.order] = crf.viterbi_packed(emit[packing.order], trans, packing)
    np.testing.assert_array_equal(flat, np.concatenate([r[2] for r in refs]))


def test_the_gradient_stays_exact_with_huge_weights():
    # expected minus empirical counts, with weights that put potentials thousands apart
    rng, X, packing, y, L = random_problem(3)
    theta = rng.normal(size=X.shape[1] * L + L * L) * 2e3
    f, grad = crf.objective_and_gradient(theta, X[packing.order], y[packing.order], packing, L, 0.0)
    W, trans = theta[: -L * L].reshape(-1, L), theta[-L * L:].reshape(L, L)
    emit = X @ W
    starts = np.concatenate([[0], np.cumsum([5, 1, 3, 5, 2, 4])])
    refs = [crf.brute_force(emit[a:b], trans) for a, b in zip(starts[:-1], starts[1:])]
    nll = sum(r[0] - crf.sequence_score(emit[a:b], trans, y[a:b]) for r, a, b in zip(refs, starts[:-1], starts[1:]))
    assert np.isfinite(f)
    np.testing.assert_allclose(f, nll, rtol=1e-12)
    gamma = np.concatenate([r[1] for r in refs])
    Y = np.eye(L)[y]
    np.testing.assert_allclose(grad[: -L * L], (X.T @ (gamma - Y)).ravel(), atol=1e-9)


def test_ordinary_potentials_take_the_fast_path(monkeypatch):
    # the exact redo is only for sequences that need it: ordinary ones keep the scaled pass
    def fail(*args, **kwargs):
        raise AssertionError("the exact fallback ran on ordinary input")

    monkeypatch.setattr(chain, "marginals", fail)
    rng, X, packing, y, L = random_problem(4)
    theta = rng.normal(size=X.shape[1] * L + L * L) * 5
    crf.objective_and_gradient(theta, X[packing.order], y[packing.order], packing, L, 0.1)


# ------------------------------------------------------------------------- validation
def test_packed_shapes_label_counts_and_lengths_are_checked():
    packing = crf.Packing([2, 1])
    with pytest.raises(ValueError, match=r"emit must have one row per packed token, shape \(3, L\) for this packing, got \(5, 2\)"):
        crf.viterbi_packed(np.zeros((5, 2)), np.zeros((2, 2)), packing)
    with pytest.raises(ValueError, match=r"emit must have one row per packed token.*got \(2, 2\)"):
        crf.forward_backward_packed(np.zeros((2, 2)), np.zeros((2, 2)), packing)
    with pytest.raises(ValueError, match=r"trans must have shape \(L, L\) = \(2, 2\)"):
        crf.viterbi_packed(np.zeros((3, 2)), np.zeros((3, 3)), packing)
    with pytest.raises(ValueError, match=r"y must have one label per row of emit \(3\), got 2 labels"):
        crf.sequence_score(np.zeros((3, 2)), np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match=r"y must have one label per row of emit \(3\), got 4 labels"):
        crf.sequence_score(np.zeros((3, 2)), np.zeros((2, 2)), [0, 1, 1, 0])
    with pytest.raises(TypeError, match=r"lengths must hold ints, got dtype float64"):
        crf.Packing([2.5])  # not truncated to 2
    with pytest.raises(TypeError, match=r"lengths must hold ints, got dtype float64"):
        crf.Packing([3, 2.5])
    with pytest.raises(TypeError, match="lengths must hold ints, got dtype bool"):
        crf.Packing([True])
    assert crf.Packing(np.array([3, 1], dtype=np.int32)).lengths.tolist() == [3, 1]


def test_brute_force_refuses_too_many_labelings():
    with pytest.raises(ValueError, match=r"emit: enumerating 1,073,741,824 labelings \(L\*\*T = 2\*\*30; max_paths\) exceeds the limit of 2,000,000"):
        crf.brute_force(np.zeros((30, 2)), np.zeros((2, 2)))
    np.testing.assert_allclose(crf.brute_force(np.zeros((4, 2)), np.zeros((2, 2)), max_paths=16)[0], 4 * np.log(2))
