"""nnbook.seq.mixture against scikit-learn, scipy, the two-coin example and EM's guarantees."""
import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

from nnbook.seq import mixture as mx

pytestmark = pytest.mark.ch6


def blobs(seed=0, n=(120, 80, 60)):
    rng = np.random.default_rng(seed)
    centres, scales = np.array([[0, 0], [3, 3], [0, 4]]), (1.0, 0.5, 0.7)
    return np.concatenate([rng.normal(c, s, (k, 2)) for c, s, k in zip(centres, scales, n)])


def test_two_coins_textbook_numbers():
    # Do & Batzoglou (2008), Fig. 1b: 5 sets of 10 tosses, start 0.60 / 0.50
    thetas, _, lls = mx.coin_em([5, 9, 8, 4, 7], 10, [0.6, 0.5], n_iter=10)
    np.testing.assert_allclose(thetas[1], [0.71, 0.58], atol=0.005)
    np.testing.assert_allclose(thetas[10], [0.80, 0.52], atol=0.005)
    assert np.all(np.diff(lls) >= 0)


def test_gaussian_log_pdf_equals_scipy():
    X = blobs()
    w, means, covs = mx.random_init(X, 3, random_state=0)
    expected = np.stack([multivariate_normal(m, c).logpdf(X) for m, c in zip(means, covs)], axis=1)
    np.testing.assert_allclose(mx.gaussian_log_pdf(X, means, covs), expected, rtol=1e-12)


@pytest.mark.parametrize("seed, n_iter", [(0, 1), (1, 10), (2, 25)])
def test_em_equals_sklearn_from_the_same_start(seed, n_iter):
    X = blobs(seed)
    w0, m0, c0 = mx.random_init(X, 3, random_state=seed)
    ours = mx.em(X, w0, m0, c0, n_iter=n_iter)
    ref = GaussianMixture(3, weights_init=w0, means_init=m0, precisions_init=np.linalg.inv(c0), max_iter=n_iter, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never converges, as intended
        ref.fit(X)
    np.testing.assert_allclose(ours.weights, ref.weights_, atol=1e-10)
    np.testing.assert_allclose(ours.means, ref.means_, atol=1e-10)
    np.testing.assert_allclose(ours.covariances, ref.covariances_, atol=1e-10)
    # sklearn's lower_bound_ is the mean log-likelihood at the start of its last iteration
    np.testing.assert_allclose(ours.log_likelihoods[-2], ref.lower_bound_ * len(X), rtol=1e-10)
    np.testing.assert_allclose(ours.log_likelihoods[-1], ref.score(X) * len(X), rtol=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_log_likelihood_never_decreases(seed):
    X = blobs(seed % 3)
    result = mx.em(X, *mx.random_init(X, 4, random_state=seed), n_iter=40)
    assert np.all(np.diff(result.log_likelihoods) >= -1e-9), np.diff(result.log_likelihoods).min()
    rng = np.random.default_rng(seed)
    _, _, lls = mx.coin_em(rng.integers(0, 11, 8), 10, rng.uniform(0.1, 0.9, 3), n_iter=30, learn_weights=True)
    assert np.all(np.diff(lls) >= -1e-9)


def test_jensen_bound_is_below_and_tight_at_the_posterior():
    X = blobs()
    params = mx.random_init(X, 3, random_state=1)
    ll = mx.log_likelihood(X, *params)
    rng = np.random.default_rng(0)
    for _ in range(5):
        q = rng.dirichlet(np.ones(3), len(X))
        assert mx.lower_bound(X, q, *params) < ll
    resp, ll_e = mx.e_step(X, *params)
    np.testing.assert_allclose(mx.lower_bound(X, resp, *params), ll, rtol=1e-12)
    np.testing.assert_allclose(ll_e, ll, rtol=1e-12)


def test_m_step_maximises_the_bound():
    X = blobs()
    params = mx.random_init(X, 3, random_state=2)
    resp, _ = mx.e_step(X, *params)
    best = mx.m_step(X, resp, reg_covar=0.0)
    top = mx.lower_bound(X, resp, *best)
    rng = np.random.default_rng(1)
    for _ in range(10):
        w = best[0] * np.exp(0.05 * rng.normal(size=3))
        means = best[1] + 0.05 * rng.normal(size=best[1].shape)
        assert mx.lower_bound(X, resp, w / w.sum(), means, best[2]) < top


def test_symmetric_start_is_a_fixed_point():
    X = blobs()
    cov = np.cov(X.T, bias=True)
    start = (np.array([0.5, 0.5]), np.repeat(X.mean(0)[None], 2, axis=0), np.stack([cov, cov]))
    result = mx.em(X, *start, n_iter=20, reg_covar=0.0)
    np.testing.assert_allclose(result.means[0], result.means[1])
    np.testing.assert_allclose(np.diff(result.log_likelihoods), 0.0, atol=1e-9)


def test_bad_input_raises():
    X = blobs()
    w, m, c = mx.random_init(X, 2, random_state=0)
    with pytest.raises(ValueError, match=r"weights must sum to 1, got sums \[1\.4\]"):
        mx.e_step(X, [0.7, 0.7], m, c)
    with pytest.raises(ValueError, match=r"means must have shape \(K, d\) = \(2, 2\) to match weights \(K = 2\) and X "
                                         r"\(d = 2\), got \(2, 1\)"):
        mx.e_step(X, w, m[:, :1], c)
    with pytest.raises(ValueError, match=r"covariances\[0\] is not positive definite"):
        mx.e_step(X, w, m, np.stack([-np.eye(2), np.eye(2)]))
    with pytest.raises(ValueError, match=r"X must be finite, got X\[0, 0\] = nan"):
        mx.e_step(np.array([[np.nan, 0.0]]), w, m, c)
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(5,\)"):
        mx.em(np.zeros(5), w, m, c)
    with pytest.raises(ValueError, match="theta must lie in"):
        mx.coin_em([1, 2], 10, [0.0, 0.5])
    with pytest.raises(ValueError, match="heads must lie in"):
        mx.coin_em([11], 10, [0.4, 0.5])
    with pytest.raises(ValueError, match="n_components must be an int >= 1, got 0"):
        mx.random_init(X, 0)


# ------------------------------------------------------------------ issue 14: the floor
def test_a_non_symmetric_covariance_is_refused():
    # before issue 14 the Cholesky factor read only the lower triangle: [[1, 5], [0, 1]] was
    # silently taken for the identity
    X = blobs()
    w, m, c = mx.random_init(X, 2, random_state=0)
    c = c.copy()
    c[1] = [[1.0, 5.0], [0.0, 1.0]]
    for fn in (mx.log_likelihood, mx.e_step):
        with pytest.raises(ValueError, match=r"covariances\[1\] must be symmetric, got max \|C - C\^T\| = 5"):
            fn(X, w, m, c)
    with pytest.raises(ValueError, match=r"covariances\[1\] must be symmetric"):
        mx.gaussian_log_pdf(X, m, c)
    with pytest.raises(ValueError, match=r"covariances\[0\] is not positive definite"):
        mx.log_likelihood(X, w, m, np.stack([np.diag([1.0, -1.0]), np.eye(2)]))
    # rounding-level asymmetry (a covariance computed by a matrix product) is accepted
    c[1] = c[0] + 1e-15 * np.array([[0.0, 1.0], [0.0, 0.0]])
    assert np.isfinite(mx.log_likelihood(X, w, m, c))


def test_shapes_that_would_broadcast_are_refused():
    X = blobs()
    w, m, c = mx.random_init(X, 2, random_state=0)
    resp, _ = mx.e_step(X, w, m, c)
    with pytest.raises(ValueError, match=r"q must be 2-D, got shape \(2,\)"):
        mx.lower_bound(X, [0.5, 0.5], w, m, c)  # before: broadcast to every row
    with pytest.raises(ValueError, match=r"q must have shape \(n_samples, K\) = \(260, 2\), got \(259, 2\)"):
        mx.lower_bound(X, resp[1:], w, m, c)
    with pytest.raises(ValueError, match=r"rows of q must sum to 1"):
        mx.lower_bound(X, 2 * resp, w, m, c)
    with pytest.raises(ValueError, match=r"n_tosses must be a number or have the shape of heads \(5,\), got \(3,\)"):
        mx.coin_em([5, 9, 8, 4, 7], [10, 10, 10], [0.6, 0.5])
    with pytest.raises(ValueError, match=r"weights must have shape \(K,\) = \(2,\)"):
        mx.coin_em([5, 9], 10, [0.6, 0.5], weights=[1.0])


def test_floats_bools_and_bad_seeds_are_refused():
    X = blobs()
    start = mx.random_init(X, 2, random_state=0)
    with pytest.raises(ValueError, match=r"n_tosses must be > 0.0, got 0.0"):
        mx.coin_em([0, 0], 0, [0.6, 0.5])
    with pytest.raises(TypeError, match=r"heads must hold real numbers, got dtype bool"):
        mx.coin_em([True, False], 10, [0.6, 0.5])
    with pytest.raises(ValueError, match=r"tol must be >= 0.0, got -1.0"):
        mx.em(X, *start, tol=-1.0)
    with pytest.raises(ValueError, match=r"reg_covar must be a finite number, got nan"):
        mx.m_step(X, mx.e_step(X, *start)[0], reg_covar=np.nan)  # before: NaN covariances
    with pytest.raises(TypeError, match=r"resp must hold real numbers, got dtype complex128"):
        mx.m_step(X, mx.e_step(X, *start)[0] + 0j)  # before: the imaginary part dropped with a warning
    with pytest.raises(ValueError, match=r"X and resp must have the same length, got 260 and 259"):
        mx.m_step(X, mx.e_step(X, *start)[0][1:])
    with pytest.raises(TypeError, match=r"n_iter must be an int, got float"):
        mx.em(X, *start, n_iter=2.5)
    with pytest.raises(ValueError, match=r"reg_covar must be >= 0.0, got -1.0"):
        mx.em(X, *start, reg_covar=-1.0)
    with pytest.raises(ValueError, match=r"tol must be a finite number, got nan"):
        mx.em(X, *start, tol=np.nan)
    with pytest.raises(TypeError, match=r"learn_weights must be True or False"):
        mx.coin_em([5, 9], 10, [0.6, 0.5], learn_weights=1)
    with pytest.raises(ValueError, match=r"random_state must be an int >= 0, got -1"):
        mx.random_init(X, 2, random_state=-1)
    with pytest.raises(TypeError, match=r"random_state must be None, an int or a numpy Generator"):
        mx.random_init(X, 2, random_state="abc")
    with pytest.raises(TypeError, match=r"X must hold real numbers, got dtype complex128"):
        mx.log_likelihood(X + 0j, *start)


# ------------------------------------------------------------- the GaussianMixture estimator
@pytest.mark.parametrize("seed, max_iter, tol", [(0, 5, 0.0), (1, 100, 1e-3), (2, 100, 1e-6)])
def test_estimator_equals_sklearn_from_the_same_start(seed, max_iter, tol):
    X = blobs(seed)
    w0, m0, c0 = mx.random_init(X, 3, random_state=seed)
    ours = mx.GaussianMixture(3, tol=tol, max_iter=max_iter, weights_init=w0, means_init=m0, covariances_init=c0).fit(X)
    ref = GaussianMixture(3, tol=tol, max_iter=max_iter, weights_init=w0, means_init=m0, precisions_init=np.linalg.inv(c0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X)
    assert (ours.n_iter_, ours.converged_) == (ref.n_iter_, ref.converged_)
    for attr in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(ours, attr), getattr(ref, attr), atol=1e-9)
    np.testing.assert_allclose(ours.lower_bound_, ref.lower_bound_, rtol=1e-10)
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(ours.score(X), ref.score(X), rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert np.all(np.diff(ours.log_likelihoods_) >= -1e-9)


def test_estimator_equals_the_functions():
    X = blobs(1)
    model = mx.GaussianMixture(3, tol=0.0, max_iter=12, random_state=4).fit(X)
    result = mx.em(X, *mx.random_init(X, 3, random_state=4), n_iter=12)
    for ours, theirs in zip((model.weights_, model.means_, model.covariances_, model.log_likelihoods_), result):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(model.score(X) * len(X), mx.log_likelihood(X, *result[:3]), rtol=1e-12)


def test_estimator_sample_is_reproducible():
    model = mx.GaussianMixture(3, random_state=0).fit(blobs())
    (X1, y1), (X2, y2) = model.sample(500), model.sample(500)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape == (500, 2) and set(np.unique(y1)) <= {0, 1, 2}
    np.testing.assert_allclose(np.bincount(y1, minlength=3) / 500, model.weights_, atol=0.08)


def test_estimator_checks_at_fit_and_before_fit():
    from nnbook.base import NotFittedError

    X = blobs()
    with pytest.raises(NotFittedError, match="not fitted"):
        mx.GaussianMixture(2).predict(X)
    mx.GaussianMixture(n_components=0)  # __init__ only stores
    with pytest.raises(ValueError, match="n_components must be an int >= 1, got 0"):
        mx.GaussianMixture(n_components=0).fit(X)
    with pytest.raises(ValueError, match=r"n_components must be <= n_samples = 3, got 4"):
        mx.GaussianMixture(4).fit(X[:3])
    with pytest.raises(ValueError, match=r"X must have shape \(\?, 2\), got \(4, 3\)"):
        mx.GaussianMixture(2, random_state=0).fit(X).predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"means_init must have shape \(2, 2\)"):
        mx.GaussianMixture(2, means_init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match=r"weights_init must have shape \(n_components,\) = \(2,\)"):
        mx.GaussianMixture(2, weights_init=[1.0]).fit(X)
