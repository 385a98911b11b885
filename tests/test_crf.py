"""nnbook.crf against brute-force enumeration, finite differences and sklearn-crfsuite."""
import numpy as np
import pytest
from scipy import sparse

from nnbook import corpora, crf
from nnbook.crf import LinearChainCRF

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


@pytest.fixture(scope="module")
def hkcancor_small():
    data = corpora.load_hkcancor()
    def prepare(sentences):
        return [corpora.sentence_features([w for w, _ in s]) for s in sentences], [[t for _, t in s] for s in sentences]
    return prepare(data.train[:1000]), prepare(data.test[:1500])


@pytest.mark.parametrize("all_possible_states", [False, True])
def test_accuracy_within_one_point_of_sklearn_crfsuite(hkcancor_small, all_possible_states):
    import sklearn_crfsuite

    (X_train, y_train), (X_test, y_test) = hkcancor_small
    ours = LinearChainCRF(c2=0.1, max_iterations=60, all_possible_states=all_possible_states).fit(X_train, y_train)
    ref = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.0, c2=0.1, max_iterations=60,
                               all_possible_states=all_possible_states, all_possible_transitions=True).fit(X_train, y_train)
    gold = np.concatenate(y_test)
    ours_acc = np.mean(np.concatenate(ours.predict(X_test)) == gold)
    ref_acc = np.mean(np.concatenate(ref.predict(X_test)) == gold)
    assert ours_acc > 0.85
    assert abs(ours_acc - ref_acc) <= 0.01, (ours_acc, ref_acc)
    np.testing.assert_allclose(ours.score(X_test, y_test), ours_acc)
    marginals = ours.predict_marginals(X_test[:3])
    assert [m.shape for m in marginals] == [(len(s), len(ours.classes_)) for s in X_test[:3]]
    np.testing.assert_allclose(np.concatenate(marginals).sum(1), 1.0)
    assert all(np.diff(ours.loss_curve_) <= 1e-9)  # L-BFGS with a line search: the objective decreases


def test_bad_input_raises():
    with pytest.raises(ValueError, match=r"trans must have shape \(L, L\) = \(3, 3\)"):
        crf.log_partition(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"emit must have shape \(T, L\) with T >= 1"):
        crf.marginals(np.zeros((0, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="y has values outside the alphabet"):
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


def test_encode_packs_features_and_labels():
    X = [[{"w": "a"}, {"w": "b"}], [{"w": "b"}, {"w": "c"}, {"w": "a"}]]
    y = [["N", "V"], ["V", "N", "N"]]
    model = LinearChainCRF(c2=0.1, max_iterations=5).fit(X, y)
    features, labels, packing = model.encode(X, y)
    assert features.shape == (5, 3) and packing.lengths.tolist() == [3, 2]
    np.testing.assert_array_equal(labels, np.array([0, 1, 1, 0, 0])[packing.order])  # N=0, V=1
    assert model.encode(X)[1] is None
    with pytest.raises(ValueError, match="a label the model was not trained on: 'ADJ'"):
        model.encode(X, [["N", "V"], ["V", "N", "ADJ"]])
