"""A generated corpus of short film reviews in which word order matters, and count-based embeddings.

The label of a review is the polarity of its adjective, flipped by a negation just before it::

    "the plot was not very good"  -> negative       "the film felt awful overall" -> negative
    "i did not expect much but the acting was great" -> positive

Negations also occur in an opening clause where they negate nothing, so the bag of words of a
review does not determine its label: a classifier has to look at which words are next to which.

Word vectors for the frozen channel of a TextCNN are learned beforehand from *unlabeled*
reviews (:func:`generate_reviews` with ``follow_up=True``), as the truncated SVD of the positive
pointwise mutual information (PPMI) of co-occurrence counts:

.. math::

    \\mathrm{PPMI}_{wc} = \\max\\Bigl(0, \\log \\frac{n_{wc}\\, n}{n_w\\, n_c}\\Bigr), \\qquad
    \\mathrm{PPMI} \\approx U_k \\Sigma_k V_k^\\top, \\qquad E = U_k \\Sigma_k^{1/2}.

Book section: ``book/ch5-cnn/06-text.ipynb``.
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import (check_array, check_bool, check_int, check_number, check_random_state, check_sequence,
                                check_strings)
from nnbook.base import Estimator

__all__ = ["POSITIVE", "NEGATIVE", "generate_reviews", "Vocabulary", "cooccurrence_counts", "ppmi",
           "svd_embeddings"]

POSITIVE = ("good", "great", "excellent", "wonderful", "superb", "brilliant")
NEGATIVE = ("bad", "awful", "terrible", "boring", "dreadful", "dull")
SUBJECTS = ("the movie", "the film", "the plot", "the acting", "the music", "the ending", "this show")
VERBS = ("was", "is", "seemed", "felt")
NEGATIONS = ("not", "never")
INTENSIFIERS = ("very", "really", "quite", "so")
OPENINGS = ("i had not read the book but", "i did not expect much but", "to be honest", "i never watch films but",
            "we saw it on friday and", "after a long week")
ENDINGS = ("overall", "to me", "at times", "for sure")
FOLLOW_UPS = {1: ("and i loved it", "i would watch it again", "i recommend it"),
              0: ("and i hated it", "what a waste of time", "i want my money back")}


def generate_reviews(n: int, random_state: int = 0, p_negation: float = 0.5, positive=POSITIVE, negative=NEGATIVE,
                     follow_up: bool = False):
    """Draw ``n`` reviews and their labels (1 positive, 0 negative).

    Parameters
    ----------
    n : int
        Number of reviews, at least 1.
    random_state : None, int >= 0 or numpy Generator, default 0
    p_negation : float, default 0.5
        Probability in [0, 1] that the adjective is negated ("not", "never").
    positive, negative : sequences of str
        The adjectives to draw from (half the reviews use each list); each a non-empty list of
        non-empty strings (one ``str`` is refused).
    follow_up : bool, default False
        Append a clause that states the sentiment ("and i loved it"), as unlabeled text often does.

    Returns
    -------
    reviews : list of list of str
    labels : ndarray of int64, shape (n,)
    """
    n = check_int("n", n, low=1)
    rng = check_random_state(random_state)
    p_negation = check_number("p_negation", p_negation, low=0, high=1)
    positive, negative = check_strings("positive", positive), check_strings("negative", negative)
    follow_up = check_bool("follow_up", follow_up)
    reviews, labels = [], np.empty(n, dtype=np.int64)
    for k in range(n):
        polarity = int(rng.random() < 0.5)
        negated = rng.random() < p_negation
        words = []
        if rng.random() < 0.5:
            words += str(rng.choice(OPENINGS)).split()
        words += str(rng.choice(SUBJECTS)).split() + [str(rng.choice(VERBS))]
        if negated:
            words.append(str(rng.choice(NEGATIONS)))
        if rng.random() < 0.4:
            words.append(str(rng.choice(INTENSIFIERS)))
        words.append(str(rng.choice(positive if polarity else negative)))
        if rng.random() < 0.4:
            words += str(rng.choice(ENDINGS)).split()
        label = polarity ^ int(negated)
        if follow_up:
            words += str(rng.choice(FOLLOW_UPS[label])).split()
        reviews.append(words)
        labels[k] = label
    return reviews, labels


class Vocabulary(Estimator):
    """Word <-> index, with index 0 reserved for padding and 1 for unknown words.

    ``Vocabulary().fit(reviews)`` collects the words in order of first appearance (``words_``);
    ``index_`` maps them back. ``reviews`` is a non-empty list of reviews, each a non-empty list of
    non-empty words; the tokens ``"<pad>"`` and ``"<unk>"`` are reserved. Using a vocabulary
    before ``fit`` raises :class:`nnbook.base.NotFittedError`.
    """

    PAD, UNK = "<pad>", "<unk>"

    def fit(self, reviews) -> "Vocabulary":
        reviews = [check_strings(f"reviews[{i}]", r) for i, r in enumerate(check_sequence("reviews", reviews))]
        reserved = {self.PAD, self.UNK}.intersection(w for r in reviews for w in r)
        if reserved:
            raise ValueError(f"reviews contain the reserved token(s) {sorted(reserved)}")
        self.words_ = [self.PAD, self.UNK]
        self.index_ = {self.PAD: 0, self.UNK: 1}
        for review in reviews:
            for word in review:
                if word not in self.index_:
                    self.index_[word] = len(self.words_)
                    self.words_.append(word)
        return self

    def __len__(self) -> int:
        self._check_fitted("words_")
        return len(self.words_)

    def encode(self, reviews, length: int) -> np.ndarray:
        """Integer matrix (n_reviews, length): indices, right-padded with 0 (longer reviews raise).

        ``reviews`` as in :meth:`fit`; ``length`` an int >= 1. Unknown words get index 1.
        """
        self._check_fitted("index_")
        length = check_int("length", length, low=1)
        reviews = [check_strings(f"reviews[{i}]", r) for i, r in enumerate(check_sequence("reviews", reviews))]
        out = np.zeros((len(reviews), length), dtype=np.int64)
        for row, review in enumerate(reviews):
            if len(review) > length:
                raise ValueError(f"review {row} has {len(review)} words, more than length={length}")
            out[row, :len(review)] = [self.index_.get(word, 1) for word in review]
        return out


def cooccurrence_counts(reviews, vocabulary: Vocabulary, window: int = 2) -> np.ndarray:
    """Symmetric counts :math:`n_{wc}` of word c within ``window`` positions of word w.

    ``reviews`` is a non-empty list of reviews (non-empty lists of non-empty words),
    ``vocabulary`` a fitted :class:`Vocabulary` (words outside it count as ``"<unk>"``) and
    ``window`` an int >= 1. Returns an ndarray of shape (len(vocabulary), len(vocabulary)).
    """
    window = check_int("window", window, low=1)
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    vocabulary._check_fitted("index_")
    reviews = [check_strings(f"reviews[{i}]", r) for i, r in enumerate(check_sequence("reviews", reviews))]
    counts = np.zeros((len(vocabulary), len(vocabulary)))
    for review in reviews:
        ids = [vocabulary.index_.get(word, 1) for word in review]
        for i, w in enumerate(ids):
            for c in ids[max(0, i - window):i]:
                counts[w, c] += 1
                counts[c, w] += 1
    return counts


def ppmi(counts: np.ndarray) -> np.ndarray:
    """Positive pointwise mutual information of a co-occurrence matrix (zero rows stay zero).

    ``counts`` is a square (n_words, n_words) array of finite, non-negative numbers.
    """
    counts = check_array("counts", counts, ndim=2)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be a square non-negative matrix, got shape {counts.shape}")
    if np.any(counts < 0):
        raise ValueError(f"counts must be a square non-negative matrix, got a negative count {counts.min():g}")
    total = counts.sum()
    row, col = counts.sum(axis=1, keepdims=True), counts.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (row * col))
    return np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)


def svd_embeddings(counts: np.ndarray, dim: int) -> np.ndarray:
    """Word vectors :math:`U_k \\Sigma_k^{1/2}` from the truncated SVD of the PPMI of ``counts``.

    Each row is then scaled to unit length (rows that are all zero, such as padding, stay zero).
    ``counts`` as in :func:`ppmi`; ``dim`` an int in ``[1, n_words]``.
    Returns an ndarray of shape (n_words, dim).
    """
    M = ppmi(counts)
    dim = check_int("dim", dim, low=1, high=M.shape[0])
    U, S, _ = np.linalg.svd(M)
    E = U[:, :dim] * np.sqrt(S[:dim])
    E *= np.sign(E[np.abs(E).argmax(axis=0), np.arange(dim)])  # fix the sign of each column
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return np.divide(E, norms, out=np.zeros_like(E), where=norms > 0)
