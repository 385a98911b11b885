"""nnbook.data.text: the generated review corpus, co-occurrence counts, PPMI and SVD embeddings."""
import numpy as np
import pytest

from nnbook.data.text import NEGATIONS, NEGATIVE, POSITIVE, Vocabulary, cooccurrence_counts, generate_reviews, ppmi, svd_embeddings

pytestmark = pytest.mark.ch5


def _label_by_rule(review):
    # a review has one adjective; a negation right before it, or before "very"/"really"/...,
    # flips it ("not good", "not very good")
    k = next(i for i, w in enumerate(review) if w in POSITIVE + NEGATIVE)
    negated = review[k - 1] in NEGATIONS or review[k - 2] in NEGATIONS
    return int((review[k] in POSITIVE) != negated)


def test_labels_follow_polarity_and_negation():
    reviews, labels = generate_reviews(500, random_state=3)
    assert [_label_by_rule(r) for r in reviews] == labels.tolist()
    assert 0.4 < labels.mean() < 0.6
    again, labels_again = generate_reviews(500, random_state=3)
    assert again == reviews and np.array_equal(labels, labels_again)


def test_bag_of_words_does_not_determine_the_label():
    reviews, labels = generate_reviews(2000, random_state=0)
    by_bag = {}
    for review, label in zip(reviews, labels):
        by_bag.setdefault(frozenset(review), set()).add(int(label))
    assert any(len(v) == 2 for v in by_bag.values())  # same set of words, both labels


def test_vocabulary_encoding():
    vocab = Vocabulary().fit([["the", "film"], ["the", "end"]])
    assert vocab.words_ == ["<pad>", "<unk>", "the", "film", "end"] and len(vocab) == 5
    np.testing.assert_array_equal(vocab.encode([["the", "plot"]], 4), [[2, 1, 0, 0]])
    with pytest.raises(ValueError, match="length"):
        vocab.encode([["the", "film", "end"]], 2)


def test_cooccurrence_and_ppmi_by_hand():
    vocab = Vocabulary().fit([["a", "b", "c"]])
    counts = cooccurrence_counts([["a", "b", "c"]], vocab, window=1)
    a, b, c = 2, 3, 4
    assert counts[a, b] == counts[b, a] == 1 and counts[b, c] == 1 and counts[a, c] == 0
    M = ppmi(counts)
    # n = 4, n_a = 1, n_b = 2: PMI(a, b) = log(1 * 4 / (1 * 2))
    assert M[a, b] == pytest.approx(np.log(2)) and M[a, c] == 0 and np.all(M[0] == 0)
    with pytest.raises(ValueError, match="window"):
        cooccurrence_counts([["a"]], vocab, window=0)
    with pytest.raises(ValueError, match="square"):
        ppmi(np.ones((2, 3)))


def test_svd_embeddings_put_words_of_the_same_polarity_together():
    reviews, _ = generate_reviews(3000, random_state=1, p_negation=0.2, follow_up=True)
    vocab = Vocabulary().fit(reviews)
    E = svd_embeddings(cooccurrence_counts(reviews, vocab, window=4), dim=12)
    assert E.shape == (len(vocab), 12) and np.all(E[0] == 0)
    np.testing.assert_allclose(np.linalg.norm(E[2:], axis=1), 1.0)
    ids = lambda words: [vocab.index_[w] for w in words]  # noqa: E731
    pos, neg = E[ids(POSITIVE)], E[ids(NEGATIVE)]
    same = (pos @ pos.T).mean() + (neg @ neg.T).mean()
    across = 2 * (pos @ neg.T).mean()
    assert same > across
    with pytest.raises(ValueError, match="dim"):
        svd_embeddings(np.ones((3, 3)), dim=4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be"):
        generate_reviews(0)
    with pytest.raises(ValueError, match="p_negation"):
        generate_reviews(5, p_negation=1.5)
