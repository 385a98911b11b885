"""nnbook.seq.crf_estimator.LinearChainCRF against sklearn-crfsuite, and its input checks.

(Moved here from ``test_crf.py`` in issue 14; the contract all estimators share is in
``tests/test_base.py``, the Hypothesis bad-input families in ``test_seq_estimators_bad_inputs.py``.)
"""
import numpy as np
import pytest

from nnbook.base import NotFittedError
from nnbook.data import corpora
from nnbook.seq.crf_estimator import LinearChainCRF

pytestmark = pytest.mark.ch6


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


def test_crf_input_checks():
    model = LinearChainCRF()
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict([[{"a": 1.0}]])
    with pytest.raises(NotFittedError, match="not fitted"):
        model.encode([[{"a": 1.0}]])
    with pytest.raises(ValueError, match=r"X\[1\] must be a non-empty list"):
        model.fit([[{"a": 1.0}], []], [["x"], []])
    with pytest.raises(ValueError, match=r"one label per token of X: y\[0\] has 1 labels, X\[0\] has 2 tokens"):
        model.fit([[{"a": 1.0}, {"b": 1.0}]], [["x"]])
    with pytest.raises(ValueError, match=r"X and y must have the same length, got 2 and 1"):
        model.fit([[{"a": 1.0}], [{"a": 1.0}]], [["x"]])
    with pytest.raises(ValueError, match=r"X must be a non-empty list of sentences"):
        model.fit([], [])
    with pytest.raises(TypeError, match=r"X must be a list of sentences"):
        model.fit("abc", [["x"]])
    with pytest.raises(TypeError, match=r"X\[0\]\[1\] must be a dict of features, got str"):
        model.fit([[{"a": 1.0}, "word"]], [["x", "y"]])
    with pytest.raises(ValueError, match=r"X\[0\]\[0\]\['a'\] must be finite, got nan"):
        model.fit([[{"a": float("nan")}]], [["x"]])  # before: NaN weights after the first step
    with pytest.raises(TypeError, match=r"X\[0\]\[0\]\['a'\] must be a str or a real number, got bool"):
        model.fit([[{"a": True}]], [["x"]])
    with pytest.raises(TypeError, match=r"y must hold str labels, got int"):
        model.fit([[{"a": 1.0}]], [[1]])


def test_crf_options_are_checked_at_fit():
    X, y = [[{"w": "a"}, {"w": "b"}]], [["N", "V"]]
    for kwargs, error, message in [
        (dict(c2=-1.0), ValueError, r"c2 must be >= 0.0, got -1.0"),
        (dict(c2=np.inf), ValueError, r"c2 must be a finite number, got inf"),
        (dict(max_iterations=0), ValueError, r"max_iterations must be an int >= 1, got 0"),
        (dict(max_iterations=2.5), TypeError, r"max_iterations must be an int, got float"),
        (dict(all_possible_states="yes"), TypeError, r"all_possible_states must be True or False"),
        (dict(num_memories=0), ValueError, r"num_memories must be an int >= 1, got 0"),
        (dict(init_scale=-0.1), ValueError, r"init_scale must be >= 0.0, got -0.1"),
        (dict(random_state=-1), ValueError, r"random_state must be an int >= 0, got -1"),
    ]:
        with pytest.raises(error, match=message):
            LinearChainCRF(**kwargs).fit(X, y)


def test_crf_score_checks_the_gold_labels():
    X = [[{"w": "a"}, {"w": "b"}], [{"w": "b"}, {"w": "c"}, {"w": "a"}]]
    y = [["N", "V"], ["V", "N", "N"]]
    model = LinearChainCRF(c2=0.1, max_iterations=20).fit(X, y)
    assert model.score(X, y) == 1.0
    with pytest.raises(ValueError, match=r"a label the model was not trained on: 'ADJ'"):
        model.score(X, [["N", "V"], ["V", "N", "ADJ"]])  # before: counted as an error
    with pytest.raises(ValueError, match=r"one label per token of X: y\[1\] has 2 labels, X\[1\] has 3 tokens"):
        model.score(X, [["N", "V"], ["V", "N"]])  # before: numpy compared ragged arrays
    with pytest.raises(ValueError, match=r"X\[0\] must be a non-empty list"):
        model.predict([[]])
    with pytest.raises(ValueError, match=r"X\[0\] must be a non-empty list"):
        model.predict_marginals([[], [{"w": "a"}]])
