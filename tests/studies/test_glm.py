"""nnbook.studies.glm: one-neuron GLMs against scikit-learn and float64 torch autograd."""
import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.preprocessing import StandardScaler

from nnbook.studies import glm

pytestmark = pytest.mark.ch1


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("C", [0.1, 1.0])
def test_sigmoid_neuron_matches_sklearn_logistic_regression(cancer, C):
    X, y = cancer
    ours = glm.GLMNeuron("bernoulli", alpha=1.0 / (C * len(X))).fit(X, y)
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_[0], atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_[0], atol=1e-5)
    np.testing.assert_allclose(ours.predict_mean(X), ref.predict_proba(X)[:, 1], atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_loss_curve_decreases_monotonically(cancer):
    X, y = cancer
    curve = np.array(glm.GLMNeuron("bernoulli", alpha=1e-3, max_iter=300).fit(X, y).loss_curve_)
    assert np.all(np.diff(curve) <= 1e-15)
    assert curve[0] < np.log(2)  # the first step already beats w = 0


def test_softmax_neuron_matches_multinomial_logistic_regression():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = glm.GLMNeuron("categorical", alpha=10.0 / len(X), tol=1e-8).fit(X, y)
    ref = LogisticRegression(C=0.1, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_poisson_and_gaussian_neurons_match_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    counts = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.5))
    ours = glm.GLMNeuron("poisson", alpha=0.01).fit(X, counts)
    ref = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10000).fit(X, counts)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
    target = X @ [1.0, 2.0, 3.0, 4.0] + rng.normal(size=300)
    ours = glm.GLMNeuron("gaussian", alpha=2.0 / 300).fit(X, target)
    ref = Ridge(alpha=2.0).fit(X, target)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)


@pytest.mark.parametrize("family", glm.FAMILIES)
def test_canonical_link_gradient_is_mean_minus_target(family):
    rng = np.random.default_rng(1)
    m = 7
    eta = rng.normal(size=(m, 3) if family == "categorical" else m)
    y = {"gaussian": rng.normal(size=m), "bernoulli": rng.integers(0, 2, m).astype(float),
         "poisson": rng.poisson(2.0, m).astype(float), "categorical": rng.integers(0, 3, m)}[family]
    t = torch.tensor(eta, requires_grad=True)
    yt = torch.tensor(y)
    ref = {"gaussian": lambda: 0.5 * torch.nn.functional.mse_loss(t, yt),
           "bernoulli": lambda: torch.nn.functional.binary_cross_entropy_with_logits(t, yt),
           "poisson": lambda: torch.nn.functional.poisson_nll_loss(t, yt, log_input=True),
           "categorical": lambda: torch.nn.functional.cross_entropy(t, yt)}[family]()
    ref.backward()
    assert glm.negative_log_likelihood(family, eta, y) == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(glm.nll_gradient(family, eta, y), t.grad.numpy(), rtol=1e-12, atol=1e-15)
    mu = glm.inverse_link(family, eta)
    expected = {"gaussian": lambda: t, "bernoulli": lambda: torch.sigmoid(t), "poisson": lambda: torch.exp(t),
                "categorical": lambda: torch.softmax(t, dim=1)}[family]()
    np.testing.assert_allclose(mu, expected.detach().numpy(), rtol=1e-12)


def test_sigmoid_link_is_stable_for_large_pre_activations():
    with np.errstate(over="raise"):
        mu = glm.inverse_link("bernoulli", np.array([-1000.0, 0.0, 1000.0]))
        assert glm.negative_log_likelihood("bernoulli", np.array([-1000.0]), np.array([1.0])) == pytest.approx(1000.0)
    np.testing.assert_allclose(mu, [0.0, 0.5, 1.0])


def test_link_table_lists_every_family_with_its_torch_loss():
    assert glm.FAMILIES == ("gaussian", "bernoulli", "categorical", "poisson")
    for row in glm.LINK_TABLE:
        assert hasattr(torch.nn, row["PyTorch loss"].split("(")[0])


@pytest.mark.parametrize("kwargs, X, y, match", [
    ({"family": "gamma"}, np.zeros((2, 1)), np.zeros(2), "family must be one of"),
    ({}, np.zeros((2, 1)), np.array([0.0, 2.0]), "0 or 1"),
    ({}, np.zeros((2, 1)), np.zeros(3), r"y must have shape \(2,\)"),
    ({}, np.zeros(2), np.zeros(2), r"X must be 2-D, got shape \(2,\)"),
    ({}, np.array([[np.nan], [0.0]]), np.zeros(2), r"X must be finite, got X\[0, 0\] = nan"),
    ({"family": "poisson"}, np.zeros((2, 1)), np.array([1.5, 0.0]), "counts"),
    ({"alpha": -1.0}, np.zeros((2, 1)), np.zeros(2), "alpha"),
])
def test_bad_input_is_rejected(kwargs, X, y, match):
    with pytest.raises(ValueError, match=match):
        glm.GLMNeuron(**kwargs).fit(X, y)


# ----------------------------------------------------------------------------- issue 14: no broadcasting, no wrapping
@pytest.mark.parametrize("call, match", [
    (lambda: glm.negative_log_likelihood("gaussian", np.zeros(4), np.ones((4, 1))), r"y must be 1-D"),  # was 4x4
    (lambda: glm.negative_log_likelihood("gaussian", np.zeros(4), np.ones(3)), r"y must have shape \(4,\)"),
    (lambda: glm.nll_gradient("bernoulli", np.zeros(4), np.ones((4, 1))), r"y must be 1-D"),
    (lambda: glm.nll_gradient("poisson", np.zeros((4, 1)), np.ones(4)), r"eta must be 1-D"),
    (lambda: glm.negative_log_likelihood("categorical", np.zeros((3, 2)), [0, 1, -1]), r"labels in \[0, 2\), got \[-1\]"),
    (lambda: glm.nll_gradient("categorical", np.zeros((3, 2)), [0, 1, 2]), r"labels in \[0, 2\), got \[2\]"),
    (lambda: glm.negative_log_likelihood("bernoulli", np.zeros(2), [0.0, 2.0]), r"0 or 1"),
    (lambda: glm.negative_log_likelihood("poisson", np.zeros(2), [0.0, -1.0]), r"non-negative whole counts"),
    (lambda: glm.inverse_link("categorical", np.zeros(3)), r"eta must be 2-D"),
    (lambda: glm.inverse_link("gamma", np.zeros(3)), r"family must be one of"),
])
def test_mismatched_shapes_and_out_of_range_targets_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_glm_neuron_follows_the_estimator_contract():
    from nnbook.base import Estimator, NotFittedError

    neuron = glm.GLMNeuron("poisson", alpha=-1.0, max_iter=2.5)  # __init__ only stores
    assert isinstance(neuron, Estimator) and neuron.get_params() == {"family": "poisson", "alpha": -1.0,
                                                                     "max_iter": 2.5, "tol": 1e-9}
    with pytest.raises(NotFittedError, match="not fitted"):
        neuron.predict(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="alpha must be >= 0.0"):
        neuron.fit(np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(TypeError, match="max_iter must be an int"):
        neuron.set_params(alpha=0.0).fit(np.zeros((2, 1)), np.zeros(2))
    fitted = neuron.set_params(max_iter=5).fit(np.ones((3, 2)), [0, 1, 2])
    assert fitted is neuron and neuron.n_features_in_ == 2 and neuron.n_iter_ <= 5
    with pytest.raises(ValueError, match=r"X must have shape \(\?, 2\), got \(3, 1\)"):
        neuron.predict(np.ones((3, 1)))
    assert repr(glm.GLMNeuron("categorical")) == "GLMNeuron(family='categorical')"
