"""nnbook.seq.hmm_estimator.CategoricalHMM against hmmlearn, and its input checks.

(Moved here from ``test_hmm.py`` in issue 14; the contract all estimators share is in
``tests/test_base.py``, the Hypothesis bad-input families in ``test_seq_estimators_bad_inputs.py``.)
"""
import warnings

import numpy as np
import pytest

from nnbook.base import NotFittedError
from nnbook.seq import hmm
from nnbook.seq.hmm_estimator import MAX_INFERRED_FEATURES, CategoricalHMM

from hmm_cases import random_model, reference, ten_iteration_case

pytestmark = pytest.mark.ch6


@pytest.mark.parametrize("seed", range(4))
def test_score_decode_predict_proba_equal_hmmlearn(seed):
    rng = np.random.default_rng(100 + seed)
    N, M = 3 + seed % 2, 5
    pi, A, B = random_model(rng, N, M)
    lengths = [30, 1, 17]
    X = np.concatenate([hmm.sample(pi, A, B, n, random_state=seed + i)[0] for i, n in enumerate(lengths)])[:, None]
    ours, ref = CategoricalHMM(N, M), reference(pi, A, B)
    ours.startprob_, ours.transmat_, ours.emissionprob_ = pi, A, B
    np.testing.assert_allclose(ours.score(X, lengths), ref.score(X, lengths), rtol=1e-10)
    log_prob, states = ours.decode(X, lengths)
    ref_log_prob, ref_states = ref.decode(X, lengths)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-10)
    # the paths may differ only between exact ties (two paths of equal probability)
    splits = np.cumsum(lengths)[:-1]
    for o, ours_path, ref_path in zip(np.split(X[:, 0], splits), np.split(states, splits), np.split(ref_states, splits)):
        np.testing.assert_allclose(hmm.path_log_prob(pi, A, B, o, ours_path), hmm.path_log_prob(pi, A, B, o, ref_path), rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(X, lengths), states)
    np.testing.assert_allclose(ours.predict_proba(X, lengths), ref.predict_proba(X, lengths), atol=1e-10)



def test_the_inferred_alphabet_has_a_limit():
    with pytest.raises(ValueError, match=r"symbols up to 1000000000.*MAX_INFERRED_FEATURES = 100000.*pass n_features"):
        CategoricalHMM(2).fit([[0], [10**9]])
    assert MAX_INFERRED_FEATURES == 100_000
    model = CategoricalHMM(2, random_state=0, n_iter=1).fit([[0], [MAX_INFERRED_FEATURES - 1]])
    assert model.emissionprob_.shape == (2, MAX_INFERRED_FEATURES)
    with pytest.raises(TypeError, match="X must hold ints"):
        CategoricalHMM(2).fit([[0.5], [1.0]])
    with pytest.raises(ValueError, match="n_components must be an int >= 1, got 0"):
        CategoricalHMM(0).fit([[0]])  # at fit: __init__ only stores


@pytest.mark.parametrize("seed", range(3))
def test_fit_equals_hmmlearn_after_ten_iterations(seed):
    # (the estimator half of test_hmm.py::test_baum_welch_equals_hmmlearn_fit_after_ten_iterations)
    seqs, lengths, init = ten_iteration_case(seed)
    N, M = init[2].shape
    ref = reference(*init, n_iter=10, tol=-np.inf)  # tol=-inf: no early stop, exactly 10 updates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(np.concatenate(seqs)[:, None], lengths)
    est = CategoricalHMM(N, M, n_iter=10, tol=None, init_params="")  # None: no early stop
    est.startprob_, est.transmat_, est.emissionprob_ = init
    assert est.fit(np.concatenate(seqs)[:, None], lengths) is est
    for ours, theirs in ((est.startprob_, ref.startprob_), (est.transmat_, ref.transmat_), (est.emissionprob_, ref.emissionprob_)):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    np.testing.assert_allclose(est.log_likelihoods_[:-1], ref.monitor_.history, rtol=1e-10)
    assert est.n_iter_ == 10 and est.n_features_ == M


def test_fit_learns_n_features_and_leaves_the_argument_alone():
    X = np.array([[0], [3], [1], [2], [3]])
    model = CategoricalHMM(2, random_state=0, n_iter=2)
    model.fit(X)
    assert model.n_features is None and model.n_features_ == 4  # before issue 14: n_features overwritten with 4
    assert model.get_params()["n_features"] is None
    model.fit(np.array([[0], [5]]))  # a refit infers afresh (before: refused, the first alphabet was kept)
    assert model.n_features_ == 6 and model.emissionprob_.shape == (2, 6)
    assert CategoricalHMM(2, n_features=7, random_state=0).fit(X).n_features_ == 7


def test_preset_parameters_must_match_n_components():
    model = CategoricalHMM(3, 2, init_params="")
    model.startprob_, model.transmat_, model.emissionprob_ = (np.array([0.5, 0.5]), np.eye(2), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match=r"emissionprob_ must have shape \(n_components, n_features\) = \(3, 2\), got \(2, 2\)"):
        model.fit(np.array([[0], [1]]))  # before: ran with 2 states, ignoring n_components=3


def test_sample_is_reproducible_and_in_range():
    rng = np.random.default_rng(9)
    pi, A, B = random_model(rng, 3, 4)
    o1, _ = hmm.sample(pi, A, B, 500, random_state=1)
    model = CategoricalHMM(3, 4, random_state=0).fit(o1[:, None])
    X, states = model.sample(50)
    assert X.shape == (50, 1) and states.shape == (50,)
    np.testing.assert_array_equal(model.sample(50)[0], X)  # the model's seed, afresh
    assert X.min() >= 0 and X.max() < 4 and states.max() < 3
    with pytest.raises(ValueError, match="n_samples must be an int >= 1, got 0"):
        model.sample(0)
    with pytest.raises(ValueError, match="random_state must be an int >= 0, got -1"):
        model.sample(5, random_state=-1)


def test_hmm_input_checks():
    model = CategoricalHMM(2, 2)
    with pytest.raises(NotFittedError, match="not fitted"):
        model.score(np.zeros((3, 1), dtype=int))
    with pytest.raises(ValueError, match="lengths sum to 4 but X has 3 samples"):
        model.fit(np.zeros((3, 1), dtype=int), lengths=[2, 2])
    with pytest.raises(TypeError, match="lengths must hold ints, got dtype float64"):
        model.fit(np.zeros((3, 1), dtype=int), lengths=[1.5, 1.5])
    with pytest.raises(ValueError, match=r"lengths must be positive ints, got \[3 0\]"):
        model.fit(np.zeros((3, 1), dtype=int), lengths=[3, 0])
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 1\) or \(n_samples,\), got \(3, 2\)"):
        model.fit(np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match=r"X must hold labels in \[0, 2\), got \[2\]"):
        model.fit(np.array([[0], [2]]))
    with pytest.raises(ValueError, match=r"X must hold labels in \[0, 3\), got \[-1\]"):
        CategoricalHMM(2).fit(np.array([[-1], [2]]))
    with pytest.raises(ValueError, match="X is empty"):
        model.fit([])
    with pytest.raises(TypeError, match="X must hold ints, got dtype bool"):
        model.fit(np.array([[True], [False]]))


def test_options_are_checked_at_fit():
    X = np.zeros((3, 1), dtype=int)
    for kwargs, error, message in [
        (dict(params="q"), ValueError, r"params must be a string of the letters 's'.*got 'q'"),
        (dict(init_params="x"), ValueError, r"init_params must be a string of the letters 's'.*got 'x'"),
        (dict(params=None), TypeError, r"params must be a string"),
        (dict(n_components=0), ValueError, r"n_components must be an int >= 1, got 0"),
        (dict(n_components=2.0), TypeError, r"n_components must be an int, got float"),
        (dict(n_features=0), ValueError, r"n_features must be an int >= 1, got 0"),
        (dict(n_iter=0), ValueError, r"n_iter must be an int >= 1, got 0"),
        (dict(tol=-np.inf), ValueError, r"tol must be a finite number, got -inf"),
        (dict(tol=-0.5), ValueError, r"tol must be >= 0.0, got -0.5"),
        (dict(n_iter=True), TypeError, r"n_iter must be an int, got bool"),
        (dict(tol=np.nan), ValueError, r"tol must be a finite number, got nan"),
        (dict(tol="0.1"), TypeError, r"tol must be a real number, got str"),
        (dict(random_state=-1), ValueError, r"random_state must be an int >= 0, got -1"),
        (dict(random_state="abc"), TypeError, r"random_state must be None, an int or a numpy Generator"),
    ]:
        model = CategoricalHMM(**kwargs)  # __init__ only stores
        with pytest.raises(error, match=message):
            model.fit(X)
    model = CategoricalHMM(2, 2)
    model.params = "se!"  # set after construction: fit checks again
    with pytest.raises(ValueError, match=r"params .*unknown: '!'"):
        model.fit(X)
