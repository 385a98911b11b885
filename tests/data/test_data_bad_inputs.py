"""Bad inputs to every public entry point of nnbook.data raise TypeError/ValueError naming the argument.

Families of bad values are drawn with Hypothesis (wrong types, NaN/inf, empty sequences, one
``str`` where a list of words is expected, out-of-range ints, bad seeds); a few good-input
properties close each section.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.base import NotFittedError
from nnbook.data import corpora, datasets, text

pytestmark = pytest.mark.book
FAST = settings(max_examples=25, deadline=None)
ERRORS = (TypeError, ValueError)

# ----------------------------------------------------------------------------- strategies
not_numbers = st.one_of(st.text(max_size=3), st.none(), st.booleans(), st.complex_numbers(allow_nan=False).filter(lambda z: z.imag),
                        st.lists(st.integers(), max_size=2))
bad_fraction = st.one_of(not_numbers, st.sampled_from([math.nan, math.inf, -math.inf, 0, 0.0, 1, 1.0, -0.5, 1.5]))
bad_seed = st.one_of(st.integers(max_value=-1), st.integers(min_value=2**32), st.floats(allow_nan=True), st.booleans(),
                     st.text(max_size=3), st.none())
not_bool = st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.none())


def non_int(min_value=None):
    """Values that are not ints: floats (also 2.0), bools, strings, None, complex."""
    return st.one_of(st.floats(), st.booleans(), st.text(max_size=3), st.none(), st.just(1j))


def int_below(low):
    return st.integers(max_value=low - 1)


# one str where a list of words is expected; lists with a non-str or an empty word; empty lists
bad_words = st.one_of(
    st.text(min_size=1, max_size=5),
    st.lists(st.text(min_size=1, max_size=3), max_size=3).map(lambda ws: ws + [7]),
    st.lists(st.text(min_size=1, max_size=3), max_size=3).map(lambda ws: ws + [""]),
    st.lists(st.text(min_size=1, max_size=3), max_size=3).map(lambda ws: [None] + ws),
    st.just([]), st.none(), st.integers(), st.just({"a": 1}),
)
words = st.lists(st.text(alphabet="abc香港人", min_size=1, max_size=4), min_size=1, max_size=6)


def raises(name, f, *args, **kwargs):
    with pytest.raises(ERRORS, match=name):
        f(*args, **kwargs)


# ------------------------------------------------------------------------------- datasets
@FAST
@given(bad_fraction)
def test_loaders_refuse_bad_test_size(value):
    raises("test_size", datasets.load_digits, test_size=value)
    raises("test_size", datasets.load_mnist_subset, test_size=value)


@FAST
@given(bad_seed)
def test_loaders_refuse_bad_random_state(value):
    raises("random_state", datasets.load_digits, random_state=value)
    raises("random_state", datasets.load_mnist_subset, random_state=value)


@FAST
@given(not_bool)
def test_loaders_refuse_non_bool_images(value):
    raises("images", datasets.load_digits, images=value)
    raises("images", datasets.load_mnist_subset, images=value)


@FAST
@given(st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]).map(lambda v: np.array([[0.0, v]])),
    st.integers(0, 5).map(np.zeros),  # 1-D
    st.just(np.zeros((0, 3))), st.just(np.array([["a", "b"]])), st.just(np.array([[1j, 0]])), st.none(), st.text(max_size=3),
))
def test_to_tensor_dataset_refuses_bad_X(X):
    y = np.zeros(len(X) if isinstance(X, np.ndarray) and X.ndim else 1, dtype=int)
    raises("X", datasets.to_tensor_dataset, X, y)


@FAST
@given(st.one_of(
    st.integers(0, 6).filter(lambda n: n != 3).map(lambda n: np.zeros(n, dtype=int)),  # wrong length
    st.just(np.zeros(3)), st.just(np.array([0.0, 1.7, 2.0])), st.just(np.array([0, -1, 2])),
    st.just(np.zeros((3, 1), dtype=int)), st.just(np.array(["a", "b", "c"])), st.none(),
))
def test_to_tensor_dataset_refuses_bad_y(y):
    raises("y", datasets.to_tensor_dataset, np.zeros((3, 2)), y)


@FAST
@given(not_bool)
def test_to_tensor_dataset_refuses_non_bool_image_channels(value):
    raises("image_channels", datasets.to_tensor_dataset, np.zeros((3, 4, 4)), np.arange(3), image_channels=value)


# -------------------------------------------------------------------------------- corpora
@FAST
@given(bad_words)
def test_word_lists_are_checked(value):
    raises("words", corpora.sentence_features, value)
    raises("words", corpora.pos_features, value, 0)
    raises("words", corpora.encode, value, {"<unk>": 0})
    if value != []:  # han_runs of no words is no runs
        raises("words", corpora.han_runs, value)


@FAST
@given(words, st.one_of(st.integers(max_value=-1), st.integers(min_value=6), non_int()))
def test_pos_features_refuses_positions_outside_the_sentence(ws, t):
    if isinstance(t, int) and not isinstance(t, bool) and 0 <= t < len(ws):
        return
    raises("t", corpora.pos_features, ws, t)


@FAST
@given(st.one_of(st.just(""), st.none(), st.integers(), st.just(["a"])))
def test_char_type_refuses_non_words(value):
    raises("word", corpora.char_type, value)


def _hkcancor_tags():
    from pycantonese.pos_tagging.hkcancor_to_ud import hkcancor_to_ud

    return set(hkcancor_to_ud())


@FAST
@given(st.text(alphabet="qzZw", min_size=1, max_size=4).filter(lambda t: t not in _hkcancor_tags()))
def test_ud_tag_refuses_unknown_tags_instead_of_mapping_them_to_X(tag):
    raises("hkcancor_pos", corpora.ud_tag, "好", tag)
    raises("word", corpora.ud_tag, "好", "")  # untagged and not punctuation
    raises("hkcancor_pos", corpora.ud_tag, "好", 3)
    assert corpora.ud_tag("好", "a") == "ADJ" and corpora.ud_tag(",", "") == "PUNCT"


@FAST
@given(st.one_of(int_below(2), non_int()))
def test_load_hkcancor_refuses_bad_test_every(value):
    raises("test_every", corpora.load_hkcancor, value)


def test_load_hkcancor_refuses_a_test_every_that_leaves_no_test_file():
    raises("test_every", corpora.load_hkcancor, 59)
    assert len(corpora.load_hkcancor(58).test_files) == 1


@FAST
@given(st.one_of(st.just([]), st.text(min_size=1, max_size=3), st.none(), st.integers(),
                 bad_words.filter(lambda v: isinstance(v, list) and v != []).map(lambda v: [["a"], v]),
                 st.just([["a", "<unk>"]])))
def test_build_vocabulary_refuses_bad_sentences(value):
    raises("sentences", corpora.build_vocabulary, value)


@FAST
@given(st.one_of(int_below(1), non_int()))
def test_build_vocabulary_refuses_bad_min_count(value):
    raises("min_count", corpora.build_vocabulary, [["a"]], min_count=value)


@FAST
@given(st.one_of(st.none(), st.just([("<unk>", 0)]), st.just({}), st.just({"<unk>": 1})))
def test_encode_refuses_a_bad_vocabulary(value):
    raises("vocabulary", corpora.encode, ["a"], value)


@FAST
@given(st.one_of(st.just([]), st.text(min_size=1, max_size=3), st.none(), st.just([["香港"], "人"]), st.just([[""]])))
def test_word_f1_refuses_bad_sentence_lists(value):
    raises("gold", corpora.word_f1, value, [["香港"]])
    raises("predicted", corpora.word_f1, [["香港"]], value)


def test_word_f1_refuses_lists_of_different_lengths():
    raises("gold and predicted", corpora.word_f1, [["a"], ["b"]], [["a"]])


@FAST
@given(st.lists(words, min_size=1, max_size=5), st.integers(1, 3))
def test_property_vocabulary_indices_and_tags_round_trip(sentences, min_count):
    vocab = corpora.build_vocabulary(sentences, min_count=min_count)
    assert vocab["<unk>"] == 0 and sorted(vocab.values()) == list(range(len(vocab)))
    for s in sentences:
        ids = corpora.encode(s, vocab)
        assert ids.shape == (len(s),) and ids.min() >= 0 and ids.max() < len(vocab)
        assert len(corpora.sentence_features(s)) == len(s)


# ----------------------------------------------------------------------------------- text
@FAST
@given(st.one_of(int_below(1), non_int()))
def test_generate_reviews_refuses_bad_n(value):
    raises("n", text.generate_reviews, value)


@FAST
@given(st.one_of(st.integers(max_value=-1), st.floats(), st.booleans(), st.text(max_size=3)))
def test_generate_reviews_refuses_bad_random_state(value):
    raises("random_state", text.generate_reviews, 3, random_state=value)


@FAST
@given(st.one_of(not_numbers, st.sampled_from([math.nan, math.inf, -0.1, 1.1])))
def test_generate_reviews_refuses_bad_p_negation(value):
    raises("p_negation", text.generate_reviews, 3, p_negation=value)


@FAST
@given(bad_words)
def test_generate_reviews_refuses_bad_adjectives(value):
    raises("positive", text.generate_reviews, 3, positive=value)
    raises("negative", text.generate_reviews, 3, negative=value)


@FAST
@given(not_bool)
def test_generate_reviews_refuses_non_bool_follow_up(value):
    raises("follow_up", text.generate_reviews, 3, follow_up=value)


bad_reviews = st.one_of(st.just([]), st.none(), st.text(min_size=1, max_size=4), st.integers(),
                        bad_words.filter(lambda v: v != []).map(lambda v: [["the", "film"], v]))


@FAST
@given(bad_reviews)
def test_reviews_are_checked(value):
    vocab = text.Vocabulary().fit([["the", "film"]])
    raises("reviews", text.Vocabulary().fit, value)
    raises("reviews", vocab.encode, value, 5)
    raises("reviews", text.cooccurrence_counts, value, vocab)


def test_vocabulary_refuses_reserved_tokens_and_use_before_fit():
    raises("reserved", text.Vocabulary().fit, [["the", "<pad>"]])
    with pytest.raises(NotFittedError, match="fit"):
        text.Vocabulary().encode([["a"]], 3)
    with pytest.raises(NotFittedError):
        len(text.Vocabulary())
    raises("vocabulary", text.cooccurrence_counts, [["a"]], {"a": 2})
    with pytest.raises(NotFittedError):
        text.cooccurrence_counts([["a"]], text.Vocabulary())


@FAST
@given(st.one_of(int_below(1), non_int()))
def test_encode_length_and_window_are_checked(value):
    vocab = text.Vocabulary().fit([["the", "film"]])
    raises("length", vocab.encode, [["the"]], value)
    raises("window", text.cooccurrence_counts, [["the"]], vocab, window=value)


@FAST
@given(st.one_of(
    st.sampled_from([math.nan, math.inf]).map(lambda v: np.array([[1.0, v], [v, 0.0]])),
    st.just(np.ones((2, 3))), st.just(np.ones(3)), st.just(np.zeros((0, 0))), st.just(-np.eye(2)),
    st.just(np.array([["a"]])), st.none(), st.text(max_size=2), st.just(np.eye(2, dtype=complex)),
))
def test_ppmi_and_svd_embeddings_refuse_bad_counts(counts):
    raises("counts", text.ppmi, counts)
    raises("counts", text.svd_embeddings, counts, 1)


@FAST
@given(st.one_of(int_below(1), st.integers(min_value=4), non_int()))
def test_svd_embeddings_refuses_bad_dim(value):
    raises("dim", text.svd_embeddings, np.ones((3, 3)), value)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(1, 30))
def test_property_reviews_are_reproducible_and_labels_binary(seed, n):
    reviews, labels = text.generate_reviews(n, random_state=seed)
    again, labels_again = text.generate_reviews(n, random_state=seed)
    assert reviews == again and np.array_equal(labels, labels_again) and set(labels.tolist()) <= {0, 1}
    counts = text.cooccurrence_counts(reviews, text.Vocabulary().fit(reviews))
    M = text.ppmi(counts)
    np.testing.assert_array_equal(counts, counts.T)
    assert np.all(M >= 0) and np.allclose(M, M.T)
