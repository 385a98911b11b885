"""nnbook.seq.gaussian_hmm against hmmlearn's GaussianHMM (diag), brute force, and its input checks."""
import itertools
import warnings

import numpy as np
import pytest
from hmmlearn.hmm import GaussianHMM as ReferenceHMM
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.base import NotFittedError
from nnbook.seq import gaussian_hmm as gh
from nnbook.seq.gaussian_hmm import GaussianHMM

pytestmark = pytest.mark.ch6
FAST = settings(max_examples=25, deadline=None, database=None)
ERRORS = (ValueError, TypeError)


def random_model(rng, N, d):
    pi, A = rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), N)
    means = rng.normal(0, 2, (N, d))
    covars = rng.uniform(0.3, 2.0, (N, d))
    return pi, A, means, covars


def reference(pi, A, means, covars, **kwargs):
    ref = ReferenceHMM(n_components=len(pi), covariance_type="diag", init_params="", **kwargs)
    ref.startprob_, ref.transmat_, ref.means_, ref.covars_ = pi.copy(), A.copy(), means.copy(), covars.copy()
    return ref


def case(seed, lengths=(60, 25, 40)):
    rng = np.random.default_rng(300 + seed)
    N, d = 2 + seed % 3, 1 + seed % 2
    truth = random_model(rng, N, d)
    X = np.concatenate([gh.sample(*truth, n, random_state=seed * 10 + i)[0] for i, n in enumerate(lengths)])
    return X, list(lengths), random_model(rng, N, d)


# ------------------------------------------------------------------ textbook / brute force
def test_log_emission_is_the_diagonal_gaussian_density():
    from scipy.stats import multivariate_normal
    rng = np.random.default_rng(0)
    X, means, covars = rng.normal(size=(7, 3)), rng.normal(size=(2, 3)), rng.uniform(0.5, 2, (2, 3))
    ref = np.stack([multivariate_normal(means[j], np.diag(covars[j])).logpdf(X) for j in range(2)], axis=1)
    np.testing.assert_allclose(gh.log_emission(X, means, covars), ref, rtol=1e-12)


def test_forward_and_viterbi_equal_brute_force():
    rng = np.random.default_rng(1)
    pi, A, means, covars = random_model(rng, 3, 2)
    X, _ = gh.sample(pi, A, means, covars, 6, random_state=0)
    log_b = gh.log_emission(X, means, covars)
    scores = {}
    for path in itertools.product(range(3), repeat=6):
        s = np.array(path)
        scores[path] = np.log(pi[s[0]]) + np.log(A[s[:-1], s[1:]]).sum() + log_b[np.arange(6), s].sum()
    values = np.array(list(scores.values()))
    _, log_lik = gh.forward_log(pi, A, means, covars, X)
    np.testing.assert_allclose(log_lik, np.log(np.exp(values - values.max()).sum()) + values.max(), rtol=1e-12)
    path, score = gh.viterbi(pi, A, means, covars, X)
    best = max(scores, key=scores.get)
    np.testing.assert_array_equal(path, best)
    np.testing.assert_allclose(score, scores[best], rtol=1e-12)


# ---------------------------------------------------------------------------- hmmlearn
@pytest.mark.parametrize("seed", range(4))
def test_score_decode_posterior_equal_hmmlearn(seed):
    X, lengths, params = case(seed)
    ours, ref = GaussianHMM(len(params[0])), reference(*params)
    ours.startprob_, ours.transmat_, ours.means_, ours.covars_ = params
    np.testing.assert_allclose(ours.score(X, lengths), ref.score(X, lengths), rtol=1e-10)
    log_prob, states = ours.decode(X, lengths)
    ref_log_prob, ref_states = ref.decode(X, lengths)
    np.testing.assert_allclose(log_prob, ref_log_prob, rtol=1e-10)
    np.testing.assert_array_equal(states, ref_states)
    np.testing.assert_allclose(ours.predict_proba(X, lengths), ref.predict_proba(X, lengths), atol=1e-10)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("covars_prior", [1e-2, 0.0])
def test_fit_equals_hmmlearn_after_ten_iterations(seed, covars_prior):
    X, lengths, init = case(seed)
    ref = reference(*init, n_iter=10, tol=-np.inf, covars_prior=covars_prior)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X, lengths)
    est = GaussianHMM(len(init[0]), n_iter=10, tol=None, covars_prior=covars_prior, init_params="")
    est.startprob_, est.transmat_, est.means_, est.covars_ = init
    assert est.fit(X, lengths) is est and est.n_iter_ == 10
    for ours, theirs in ((est.startprob_, ref.startprob_), (est.transmat_, ref.transmat_),
                         (est.means_, ref.means_), (est.covars_, ref._covars_)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.log_likelihoods_[:-1], ref.monitor_.history, rtol=1e-10)
    np.testing.assert_array_equal(est.predict(X, lengths), ref.predict(X, lengths))


def test_maximum_likelihood_em_never_decreases_and_the_variances_start_as_hmmlearn():
    X, lengths, _ = case(2)
    est = GaussianHMM(3, n_iter=40, tol=None, covars_prior=0.0, random_state=0).fit(X, lengths)
    assert (np.diff(est.log_likelihoods_) >= -1e-9).all()
    ref = ReferenceHMM(3, covariance_type="diag", init_params="stc")  # its means: k-means
    ref._init(X, lengths)
    pi, A, means, covars = gh.random_init(X, 3, random_state=0)
    np.testing.assert_allclose(covars, ref._covars_, rtol=1e-12)
    np.testing.assert_allclose(pi.sum(), 1.0)
    np.testing.assert_allclose(A.sum(1), 1.0)
    assert len({tuple(m) for m in means}) == 3 and all((X == m).all(1).any() for m in means)
    fitted = GaussianHMM(3, n_iter=1, tol=None, random_state=0, params="").fit(X, lengths)  # no update
    for ours, drawn in zip((fitted.startprob_, fitted.transmat_, fitted.means_, fitted.covars_), (pi, A, means, covars)):
        np.testing.assert_array_equal(ours, drawn)


def test_sample_and_recovery():
    truth = (np.array([1.0, 0.0]), np.array([[0.95, 0.05], [0.1, 0.9]]), np.array([[-2.0], [2.0]]),
             np.array([[0.5], [0.5]]))
    X, states = gh.sample(*truth, 2000, random_state=0)
    assert X.shape == (2000, 1) and set(np.unique(states)) <= {0, 1}
    np.testing.assert_array_equal(gh.sample(*truth, 50, random_state=3)[0], gh.sample(*truth, 50, random_state=3)[0])
    model = GaussianHMM(2, n_iter=50, tol=None, random_state=0).fit(X)
    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(model.means_[order, 0], [-2, 2], atol=0.1)
    np.testing.assert_allclose(model.transmat_[np.ix_(order, order)], truth[1], atol=0.03)


# -------------------------------------------------------------------------- bad inputs
GOOD = random_model(np.random.default_rng(5), 2, 2)
GX = gh.sample(*GOOD, 20, random_state=0)[0]


def test_not_fitted_and_bad_options():
    with pytest.raises(NotFittedError):
        GaussianHMM(2).score(GX)
    with pytest.raises(ValueError, match="init_params"):
        GaussianHMM(2, init_params="sx").fit(GX)
    with pytest.raises(ValueError, match="lengths"):
        GaussianHMM(2).fit(GX, [5, 5])
    with pytest.raises(ValueError, match="n_components"):
        GaussianHMM(0).fit(GX)
    with pytest.raises(ValueError, match="covars"):
        gh.forward_log(GOOD[0], GOOD[1], GOOD[2], -GOOD[3], GX)
    with pytest.raises(ValueError, match="X"):
        gh.forward_log(*GOOD, GX[:, :1])


@FAST
@given(which=st.sampled_from(["pi", "A", "means", "covars", "X"]),
       how=st.sampled_from(["nan", "inf", "str", "extra_axis", "empty", "negative", "rows"]))
def test_bad_arrays_name_the_argument(which, how):
    args = dict(zip(["pi", "A", "means", "covars"], [a.copy() for a in GOOD]), X=GX.copy())
    a = args[which]
    if how in ("nan", "inf"):
        a.flat[0] = np.nan if how == "nan" else np.inf
    elif how == "str":
        a = a.astype(str)
    elif how == "extra_axis":
        a = a[..., None, None]
    elif how == "empty":
        a = np.empty((0,) + a.shape[1:])
    elif how == "negative":
        a.flat[0] = -abs(a.flat[0]) - 0.5 if which != "means" else a.flat[0]
        if which in ("means", "X"):  # a shape mismatch instead: fewer states, fewer features
            a = a[:1] if which == "means" else a[:, :1]
    else:
        a = a * 1.5 if which in ("pi", "A") else a[:1]
        if which == "X":
            a = a[:, :1]
    args[which] = a
    with pytest.raises(ERRORS, match=which):
        gh.forward_log(args["pi"], args["A"], args["means"], args["covars"], args["X"])


@FAST
@given(name=st.sampled_from(["n_components", "n_iter", "tol", "covars_prior", "min_covar", "random_state"]),
       value=st.one_of(st.just(np.nan), st.just(-1), st.text(max_size=2), st.just(2.5j), st.just(-0.5)))
def test_bad_estimator_arguments(name, value):
    model = GaussianHMM(**{"n_components": 2, name: value})
    with pytest.raises(ERRORS, match=name):
        model.fit(GX)


def test_estimator_contract():
    from sklearn.base import clone
    model = GaussianHMM(3, n_iter=5, covars_prior=0.0)
    assert repr(model) == "GaussianHMM(n_components=3, n_iter=5, covars_prior=0.0)"
    twin = clone(model)
    assert twin.get_params() == model.get_params() and twin is not model
    assert model.set_params(tol=None) is model and model.tol is None
    with pytest.raises(ValueError, match="no parameter"):
        model.set_params(n_mix=2)
    fitted = GaussianHMM(2, n_iter=2, random_state=0).fit(GX)
    assert not hasattr(model, "means_") and fitted.means_.shape == (2, 2)
    X, states = fitted.sample(30, random_state=1)
    assert X.shape == (30, 2) and states.shape == (30,)
