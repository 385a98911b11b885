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
    with pytest.raises(ValueError, match=r"weights must be K non-negative numbers summing to 1"):
        mx.e_step(X, [0.7, 0.7], m, c)
    with pytest.raises(ValueError, match=r"means must have shape \(K, d\) = \(2, 2\)"):
        mx.e_step(X, w, m[:, :1], c)
    with pytest.raises(ValueError, match=r"covariances\[0\] is not positive definite"):
        mx.e_step(X, w, m, np.stack([-np.eye(2), np.eye(2)]))
    with pytest.raises(ValueError, match="X contains NaN"):
        mx.e_step(np.array([[np.nan, 0.0]]), w, m, c)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, n_features\)"):
        mx.em(np.zeros(5), w, m, c)
    with pytest.raises(ValueError, match="theta must lie in"):
        mx.coin_em([1, 2], 10, [0.0, 0.5])
    with pytest.raises(ValueError, match="heads must lie in"):
        mx.coin_em([11], 10, [0.4, 0.5])
    with pytest.raises(ValueError, match="n_components must be in"):
        mx.random_init(X, 0)
