"""Families of bad inputs for nnbook.seq.mixture, hmm_estimator and crf_estimator (Hypothesis).

Every public entry point must raise ``ValueError`` or ``TypeError`` naming the bad argument
(issue 14): wrong dtype, ndim or shape, NaN/inf, empty input, floats or bools for ints, strings
for numbers, complex numbers, unknown option letters, probability vectors that do not sum to 1,
non-symmetric covariances, symbols or labels out of range, bad ``random_state``. A few cheap
properties of good inputs close the file.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.seq import mixture as mx
from nnbook.seq.crf_estimator import LinearChainCRF
from nnbook.seq.hmm_estimator import CategoricalHMM

pytestmark = pytest.mark.ch6
FAST = settings(max_examples=25, deadline=None, database=None)
ERRORS = (ValueError, TypeError)

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(0, 1, (20, 2)), rng.normal(3, 0.5, (20, 2))])
W, M, C = mx.random_init(X, 2, random_state=0)
RESP, _ = mx.e_step(X, W, M, C)


# ----------------------------------------------------------------------- strategies
def bad_ints(low=1):
    """Values that are not ints >= low: floats (even 2.0), bools, strings, None, complex, too small."""
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.text(max_size=3), st.none(),
        st.complex_numbers(max_magnitude=5), st.integers(max_value=low - 1), st.just(np.float64(3.0)),
    )


def bad_numbers(low=0.0):
    """Not finite real numbers >= low: NaN, +-inf, below low, strings, bools, complex, None."""
    return st.one_of(
        st.just(np.nan), st.just(np.inf), st.just(-np.inf), st.floats(max_value=low, exclude_max=True, allow_nan=False),
        st.booleans(), st.text(max_size=3), st.none(), st.complex_numbers(min_magnitude=1, max_magnitude=5),
    )


bad_seeds = st.one_of(st.integers(max_value=-1), st.text(min_size=1, max_size=4), st.floats(allow_nan=False),
                      st.booleans(), st.complex_numbers(min_magnitude=1, max_magnitude=5))


@st.composite
def spoiled(draw, good):
    """``good`` (an array) spoiled one way: NaN/inf, complex, bool, strings, empty, an extra or a missing axis."""
    good = np.asarray(good, dtype=np.float64)
    how = draw(st.sampled_from(["nan", "inf", "complex", "bool", "str", "empty", "extra_axis", "fewer_axes", "object"]))
    if how in ("nan", "inf"):
        out = good.copy()
        out[tuple(draw(st.integers(0, s - 1)) for s in good.shape)] = np.nan if how == "nan" else -np.inf
        return out
    if how == "complex":
        return good + 1j
    if how == "bool":
        return good > good.mean()
    if how == "str":
        return good.astype(str)
    if how == "empty":
        return np.empty((0,) + good.shape[1:])
    if how == "extra_axis":
        return good[..., None]
    if how == "object":
        return good.astype(object)
    return good.reshape(-1) if good.ndim > 1 else np.float64(good[0])


@st.composite
def bad_probabilities(draw, good):
    """A probability vector (or row-stochastic matrix) that is negative somewhere or does not sum to 1."""
    p = np.array(good, dtype=np.float64)
    if draw(st.booleans()):
        p = p * draw(st.floats(1.01, 3.0) | st.floats(0.0, 0.99))
    else:
        idx = tuple(draw(st.integers(0, s - 1)) for s in p.shape)
        p[idx] = -draw(st.floats(0.01, 1.0))
    return p


# ------------------------------------------------------------------------- mixture
MIXTURE_X = {
    "log_likelihood": lambda X_: mx.log_likelihood(X_, W, M, C),
    "e_step": lambda X_: mx.e_step(X_, W, M, C),
    "m_step": lambda X_: mx.m_step(X_, RESP),
    "gaussian_log_pdf": lambda X_: mx.gaussian_log_pdf(X_, M, C),
    "lower_bound": lambda X_: mx.lower_bound(X_, RESP, W, M, C),
    "em": lambda X_: mx.em(X_, W, M, C, n_iter=1),
    "random_init": lambda X_: mx.random_init(X_, 2),
    "GaussianMixture.fit": lambda X_: mx.GaussianMixture(2).fit(X_),
}


@pytest.mark.parametrize("name", MIXTURE_X)
@FAST
@given(data=st.data())
def test_mixture_bad_X(name, data):
    bad = data.draw(spoiled(X))
    with pytest.raises(ERRORS, match="X"):
        MIXTURE_X[name](bad)


MIXTURE_PARAMS = [mx.log_likelihood, mx.e_step, lambda X_, w, m, c: mx.lower_bound(X_, RESP, w, m, c),
                  lambda X_, w, m, c: mx.em(X_, w, m, c, n_iter=1)]


@pytest.mark.parametrize("fn", MIXTURE_PARAMS)
@FAST
@given(data=st.data())
def test_mixture_bad_parameters(fn, data):
    which = data.draw(st.sampled_from(["weights", "means", "covariances"]))
    params = {"weights": W, "means": M, "covariances": C}
    special = {"weights": "probabilities", "covariances": "asymmetric", "means": "shape"}[which]
    kind = data.draw(st.sampled_from(["spoil", special]))
    if kind == "spoil":
        params[which] = data.draw(spoiled(params[which]))
    elif kind == "probabilities":
        params[which] = data.draw(bad_probabilities(W))
    elif kind == "asymmetric":
        c = C.copy()
        c[data.draw(st.integers(0, 1)), 0, 1] += data.draw(st.floats(0.01, 10.0))
        params[which] = c
    else:
        params[which] = np.zeros((data.draw(st.sampled_from([1, 3])), 2))
    with pytest.raises(ERRORS, match=which):
        fn(X, params["weights"], params["means"], params["covariances"])


@FAST
@given(data=st.data())
def test_mixture_bad_sizes_and_seeds(data):
    case = data.draw(st.sampled_from(["n_iter", "tol", "reg_covar", "n_components", "random_state"]))
    if case == "n_iter":
        call = lambda v: mx.em(X, W, M, C, n_iter=v)  # noqa: E731
        value = data.draw(bad_ints(low=0))
    elif case == "tol":
        call = lambda v: mx.em(X, W, M, C, tol=v)  # noqa: E731
        value = data.draw(bad_numbers(low=0.0).filter(lambda v: v is not None))
    elif case == "reg_covar":
        call = lambda v: mx.em(X, W, M, C, reg_covar=v)  # noqa: E731
        value = data.draw(bad_numbers(low=0.0))
    elif case == "n_components":
        call = lambda v: mx.random_init(X, v)  # noqa: E731
        value = data.draw(bad_ints(low=1) | st.integers(len(X) + 1, 10**6))
    else:
        call = lambda v: mx.random_init(X, 2, random_state=v)  # noqa: E731
        value = data.draw(bad_seeds)
    with pytest.raises(ERRORS, match=case):
        call(value)


@FAST
@given(data=st.data())
def test_coin_em_bad_inputs(data):
    args = {"heads": [5, 9, 8], "n_tosses": 10, "theta": [0.6, 0.5], "weights": None, "n_iter": 3, "learn_weights": False}
    which = data.draw(st.sampled_from(sorted(args)))
    args[which] = data.draw({
        "heads": st.sampled_from([[-1, 2, 3], [11, 2, 3], [10.5, 2, 3], [], [[5, 9, 8]], ["5", "9"], [True, False], [np.nan, 1, 2]]),
        "n_tosses": st.one_of(bad_numbers(low=0.0), st.just(0), st.sampled_from([[10, 10], [np.nan, 10, 10], [0, 10, 10], "10"])),
        "theta": st.sampled_from([[0.0, 0.5], [1.0, 0.5], [np.nan, 0.5], [[0.6, 0.5]], [], [1.5, 0.5]]),
        "weights": st.sampled_from([[0.7, 0.7], [1.0], [-0.5, 1.5], [np.nan, 1.0], "ab"]),
        "n_iter": bad_ints(low=0),
        "learn_weights": st.sampled_from([0, 1, "yes", None, 1.0]),
    }[which])
    with pytest.raises(ERRORS, match=which):
        mx.coin_em(**args)


@FAST
@given(data=st.data())
def test_gaussian_mixture_bad_settings_at_fit(data):
    which = data.draw(st.sampled_from(["n_components", "tol", "reg_covar", "max_iter", "random_state",
                                       "weights_init", "means_init", "covariances_init"]))
    value = data.draw({
        "n_components": bad_ints(low=1) | st.integers(len(X) + 1, 10**4),
        "tol": bad_numbers(low=0.0),
        "reg_covar": bad_numbers(low=0.0),
        "max_iter": bad_ints(low=1),
        "random_state": bad_seeds,
        "weights_init": bad_probabilities(W) | st.just(np.array([1.0])),
        "means_init": spoiled(M) | st.just(np.zeros((3, 2))),
        "covariances_init": spoiled(C) | st.just(np.stack([np.eye(2), [[1.0, 2.0], [0.0, 1.0]]])),
    }[which])
    model = mx.GaussianMixture(**{"n_components": 2, which: value})  # __init__ only stores
    assert getattr(model, which) is value
    with pytest.raises(ERRORS, match=which.replace("_init", "") if which == "covariances_init" else which):
        model.fit(X)


# ------------------------------------------------------------------ CategoricalHMM
HMM_X = np.array([[0], [1], [2], [1], [0], [2]])


@FAST
@given(data=st.data())
def test_hmm_bad_observations(data):
    method = data.draw(st.sampled_from(["fit", "score", "predict", "predict_proba", "decode"]))
    model = CategoricalHMM(2, 3, random_state=0, n_iter=1)
    if method != "fit":
        model.fit(HMM_X)
    bad = data.draw(st.one_of(
        st.sampled_from([HMM_X + 0.5, HMM_X.astype(float), -HMM_X - 1, HMM_X + 3, np.hstack([HMM_X, HMM_X]),
                         HMM_X[None], HMM_X > 0, HMM_X.astype(str), np.empty((0, 1), dtype=int), HMM_X + 0j]),
        spoiled(HMM_X),
    ))
    with pytest.raises(ERRORS, match="X"):
        getattr(model, method)(bad)


@FAST
@given(lengths=st.one_of(
    st.lists(st.integers(-3, 7), min_size=1, max_size=4).filter(lambda v: sum(v) != 6 or min(v) < 1),
    st.sampled_from([[3.0, 3.0], [3, 3.5], [[3, 3]], [True, True], "33", []]),
))
def test_hmm_bad_lengths(lengths):
    with pytest.raises(ERRORS, match="lengths"):
        CategoricalHMM(2, 3, random_state=0).fit(HMM_X, lengths)


@FAST
@given(data=st.data())
def test_hmm_bad_settings_at_fit(data):
    which = data.draw(st.sampled_from(["n_components", "n_features", "n_iter", "tol", "init_params", "params", "random_state"]))
    value = data.draw({
        "n_components": bad_ints(low=1),
        "n_features": bad_ints(low=1).filter(lambda v: v is not None),
        "n_iter": bad_ints(low=1),
        "tol": bad_numbers(low=0.0).filter(lambda v: v is not None),
        "init_params": st.one_of(st.text(min_size=1, max_size=5).filter(lambda s: set(s) - set("ste")), st.none(), st.integers()),
        "params": st.one_of(st.text(min_size=1, max_size=5).filter(lambda s: set(s) - set("ste")), st.none(), st.lists(st.just("s"))),
        "random_state": bad_seeds,
    }[which])
    model = CategoricalHMM(**{"n_components": 2, which: value})
    with pytest.raises(ERRORS, match=which):
        model.fit(HMM_X)


def test_hmm_sample_bad_sizes():
    model = CategoricalHMM(2, 3, random_state=0, n_iter=1).fit(HMM_X)
    for bad in (0, -1, 2.5, True, "3", None):
        with pytest.raises(ERRORS, match="n_samples"):
            model.sample(bad)
    for bad in (-1, "abc", 1.5):
        with pytest.raises(ERRORS, match="random_state"):
            model.sample(3, random_state=bad)


# ------------------------------------------------------------------ LinearChainCRF
CRF_X = [[{"w": "a", "bias": 1.0}, {"w": "b", "bias": 1.0}], [{"w": "b", "bias": 1.0}]]
CRF_y = [["N", "V"], ["V"]]
FITTED_CRF = LinearChainCRF(c2=0.1, max_iterations=5).fit(CRF_X, CRF_y)

bad_values = st.one_of(st.just(np.nan), st.just(np.inf), st.booleans(), st.none(), st.lists(st.text(max_size=2), max_size=2),
                       st.complex_numbers(min_magnitude=1, max_magnitude=2), st.just({"a": 1}))


@st.composite
def bad_sentences(draw):
    """Sentences spoiled one way: an empty sentence, a token that is not a dict, a bad feature value or name."""
    X_ = [[dict(t) for t in s] for s in CRF_X]
    how = draw(st.sampled_from(["empty_sentence", "no_sentences", "token", "value", "key", "not_a_list"]))
    if how == "empty_sentence":
        X_[draw(st.integers(0, 1))] = []
    elif how == "no_sentences":
        X_ = []
    elif how == "token":
        X_[0][0] = draw(st.one_of(st.text(max_size=3), st.integers(), st.none(), st.lists(st.text(max_size=1), max_size=2)))
    elif how == "value":
        X_[0][0]["bias"] = draw(bad_values)
    elif how == "key":
        X_[0][0][draw(st.one_of(st.integers(), st.none(), st.just(("a",))))] = 1.0
    else:
        X_ = draw(st.sampled_from(["abc", None, 3, {"a": 1.0}]))
    return X_


@FAST
@given(data=st.data())
def test_crf_bad_sentences(data):
    method = data.draw(st.sampled_from(["fit", "predict", "predict_marginals", "score", "encode"]))
    bad = data.draw(bad_sentences())
    with pytest.raises(ERRORS, match="X"):
        if method == "fit":
            LinearChainCRF(max_iterations=2).fit(bad, CRF_y)
        elif method == "score":
            FITTED_CRF.score(bad, CRF_y)
        else:
            getattr(FITTED_CRF, method)(bad)


@FAST
@given(data=st.data())
def test_crf_bad_labels(data):
    method = data.draw(st.sampled_from(["fit", "score", "encode"]))
    bad = data.draw(st.sampled_from([
        [["N", "V"]], [["N"], ["V"]], [["N", "V"], ["V", "N"]], [["N", 1], ["V"]], [["N", None], ["V"]], "NV",
        [["N", "V"], "V"],
    ] + ([None] if method != "encode" else []) + ([] if method == "fit" else [[["N", "ADJ"], ["V"]]])))
    with pytest.raises(ERRORS, match="y"):
        if method == "fit":
            LinearChainCRF(max_iterations=2).fit(CRF_X, bad)
        else:
            getattr(FITTED_CRF, method)(CRF_X, bad)


@FAST
@given(data=st.data())
def test_crf_bad_settings_at_fit(data):
    which = data.draw(st.sampled_from(["c2", "max_iterations", "all_possible_states", "num_memories", "init_scale", "random_state"]))
    value = data.draw({
        "c2": bad_numbers(low=0.0),
        "max_iterations": bad_ints(low=1),
        "all_possible_states": st.one_of(st.integers(), st.text(max_size=3), st.none()),
        "num_memories": bad_ints(low=1),
        "init_scale": bad_numbers(low=0.0),
        "random_state": bad_seeds,
    }[which])
    with pytest.raises(ERRORS, match=which):
        LinearChainCRF(**{which: value}).fit(CRF_X, CRF_y)


# --------------------------------------------------------- properties of good inputs
@FAST
@given(seed=st.integers(0, 2**16), K=st.integers(1, 4))
def test_gaussian_mixture_probabilities_and_scores_agree(seed, K):
    model = mx.GaussianMixture(K, max_iter=5, random_state=seed).fit(X)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(1))
    np.testing.assert_allclose(model.score(X) * len(X), mx.log_likelihood(X, model.weights_, model.means_, model.covariances_),
                               rtol=1e-12)
    assert np.all(np.diff(model.log_likelihoods_) >= -1e-9)


@FAST
@given(perm=st.permutations(range(3)), seed=st.integers(0, 100))
def test_log_likelihood_ignores_the_order_of_the_components(perm, seed):
    w, m, c = mx.random_init(X, 3, random_state=seed)
    perm = list(perm)
    np.testing.assert_allclose(mx.log_likelihood(X, w[perm], m[perm], c[perm]), mx.log_likelihood(X, w, m, c), rtol=1e-12)


@FAST
@given(cuts=st.lists(st.integers(1, 5), min_size=1, max_size=4), seed=st.integers(0, 100))
def test_hmm_score_adds_over_sequences(cuts, seed):
    obs = np.random.default_rng(seed).integers(0, 3, sum(cuts))[:, None]
    model = CategoricalHMM(2, 3, random_state=seed, n_iter=2).fit(HMM_X)
    parts = np.split(obs, np.cumsum(cuts)[:-1])
    np.testing.assert_allclose(model.score(obs, cuts), sum(model.score(p) for p in parts), rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba(obs, cuts).sum(1), 1.0, atol=1e-12)
