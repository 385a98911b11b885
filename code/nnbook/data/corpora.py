"""Chinese text data for chapter 6, all from installed packages (no download).

* :func:`load_jieba_hmm` -- the character-level B/M/E/S word-segmentation HMM that ships
  with ``jieba`` :cite:p:`sun2012jieba` (``jieba/finalseg/prob_*.py``), as plain arrays
  ``(pi, A, B)``. Running it -- encoding characters, Viterbi decoding, tags to words and
  back -- is the model's side: :mod:`nnbook.seq.segmentation`. Data never imports a model.
* :func:`load_hkcancor` -- the Hong Kong Cantonese Corpus :cite:p:`luke2015hkcancor`
  (CC BY 4.0) shipped in ``pycantonese`` :cite:p:`lee2022pycantonese` (MIT): word-segmented,
  part-of-speech-tagged conversations, mapped to Universal Dependencies tags and split
  into train/test *by file* (whole conversations), so no conversation is on both sides.
* :func:`pos_features` -- overlapping CRF features of a word in context;
  :func:`build_vocabulary` / :func:`encode` -- word indices for an HMM;
  :func:`word_f1` -- the word-level F1 of a segmentation.

Every public function checks its arguments on the validation floor (``nnbook._validation``):
a sentence is a non-empty list of non-empty strings, never one ``str`` read character by
character; bad input raises ``TypeError``/``ValueError`` naming the argument.

Book chapter: ``book/ch6-sequence-models/`` (pages 03, 04 and 05).
"""
from __future__ import annotations

import functools
import math
import os
import re
from collections import Counter
from typing import NamedTuple

import numpy as np

from nnbook._validation import check_int, check_same_length, check_sequence, check_string, check_strings

STATES = "BMES"
#: jieba's definition of a Chinese character run (``jieba.finalseg.re_han``).
HAN_RUN = re.compile("([\u4e00-\u9fd5]+)")
_PUNCT = set(",.?!-\"'…;:()、，。？！「」『』《》〈〉：；（）～~")


class JiebaHMM(NamedTuple):
    """jieba's segmentation HMM: states B, M, E, S (begin, middle, end of a word, single)."""

    pi: np.ndarray  # (4,)
    A: np.ndarray  # (4, 4)
    B: np.ndarray  # (4, n_chars + 2): the characters, then "unseen", then "never emitted"
    chars: dict  # character -> column of B
    end: np.ndarray  # (4,): 1 for E and S, the states a sentence may end in
    unseen: int  # column of B used for characters outside jieba's tables
    states: str = STATES  # the state of each row of A and B


def load_jieba_hmm() -> JiebaHMM:
    r"""Read jieba's start, transition and emission log-probability tables into ``(pi, A, B)``.

    The tables store :math:`\log` probabilities; missing entries are impossible events
    (jieba writes them as -3.14e100). Its emission rows are *not* normalised: they sum to
    1.15--1.35. Dividing every emission probability by the same constant :math:`Z` (the
    largest row sum) multiplies every path's probability by :math:`Z^{-T}` and so changes
    no Viterbi path; the rest of each row goes to two extra symbols: "unseen" (the same
    small probability in every state, so an unknown character favours no state) and a
    filler that is never observed. Then ``B`` is a proper stochastic matrix.
    """
    from jieba.finalseg import prob_emit, prob_start, prob_trans

    chars = sorted(set().union(*prob_emit.P.values()))
    index = {c: i for i, c in enumerate(chars)}
    pi = np.array([math.exp(prob_start.P[s]) for s in STATES])
    A = np.array([[math.exp(prob_trans.P[s].get(r, -math.inf)) for r in STATES] for s in STATES])
    B = np.zeros((4, len(chars) + 2))
    for k, s in enumerate(STATES):
        cols = [index[c] for c in prob_emit.P[s]]
        B[k, cols] = np.exp(np.fromiter(prob_emit.P[s].values(), dtype=float))
    B[:, :-2] /= B.sum(axis=1).max() * (1 + 1e-6)  # every row now sums to at most 1 - 1e-6
    B[:, -2] = 1e-8  # "unseen": any value equal for all states leaves the Viterbi path unchanged
    B[:, -1] = 1.0 - B[:, :-1].sum(axis=1)
    return JiebaHMM(pi, A, B, index, np.array([0.0, 0.0, 1.0, 1.0]), len(chars), STATES)


# --------------------------------------------------------------------------- HKCanCor
class TaggedCorpus(NamedTuple):
    """Utterances as lists of ``(word, tag)``; ``test_files`` names the held-out files."""

    train: list
    test: list
    test_files: tuple


@functools.lru_cache(maxsize=1)
def _hkcancor_tagset() -> frozenset:
    from pycantonese.pos_tagging.hkcancor_to_ud import hkcancor_to_ud

    return frozenset(hkcancor_to_ud())  # without a tag it returns the whole HKCanCor -> UD mapping


def ud_tag(word: str, hkcancor_pos: str) -> str:
    """Universal Dependencies tag of an HKCanCor token (untagged tokens are punctuation).

    ``hkcancor_pos`` is one of HKCanCor's tags (``"v"``, ``"n"``, ``"d"``...) or empty (or
    ``None``) for an untagged token, whose ``word`` must then be a punctuation mark of the
    mapping. An unknown tag raises ``ValueError``, where pycantonese would return ``"X"``.
    """
    from pycantonese.pos_tagging.hkcancor_to_ud import hkcancor_to_ud

    check_string("word", word)
    if hkcancor_pos is None:
        hkcancor_pos = ""
    if not isinstance(hkcancor_pos, str):
        raise TypeError(f"hkcancor_pos must be a str, got {type(hkcancor_pos).__name__} ({hkcancor_pos!r:.60})")
    tag = (hkcancor_pos or word).strip()
    if tag not in _hkcancor_tagset():
        if hkcancor_pos:
            raise ValueError(f"hkcancor_pos must be an HKCanCor tag such as 'v', 'n' or 'd', got {hkcancor_pos!r}")
        raise ValueError(f"word {word!r} has no hkcancor_pos and is not an HKCanCor punctuation mark")
    return hkcancor_to_ud(tag)


@functools.lru_cache(maxsize=1)
def _hkcancor_by_file():
    import pycantonese

    corpus = pycantonese.hkcancor()
    names = [os.path.basename(p) for p in corpus.file_paths]
    files = corpus.tokens(by_utterance=True, by_file=True)
    return tuple(sorted(
        (name, tuple(tuple((t.word, ud_tag(t.word, t.pos)) for t in utt) for utt in utts if utt))
        for name, utts in zip(names, files)
    ))


def load_hkcancor(test_every: int = 5) -> TaggedCorpus:
    """HKCanCor with UD tags; every ``test_every``-th file (sorted by name) is the test set.

    ``test_every`` is an int in [2, 58]: the corpus has 58 files, and a larger value would
    leave the test set empty.
    """
    check_int("test_every", test_every, low=2)
    files = _hkcancor_by_file()
    check_int("test_every", test_every, high=len(files))
    train, test, names = [], [], []
    for i, (name, utterances) in enumerate(files):
        if i % test_every == test_every - 1:
            test.extend(list(u) for u in utterances)
            names.append(name)
        else:
            train.extend(list(u) for u in utterances)
    return TaggedCorpus(train, test, tuple(names))


def han_runs(words) -> list[list[str]]:
    """Maximal runs of consecutive words made only of Chinese characters (gold segmentations).

    ``words`` is a list of non-empty strings; it may be empty, and so may the result.
    """
    runs, current = [], []
    for w in check_strings("words", words, allow_empty=True):
        if HAN_RUN.fullmatch(w):
            current.append(w)
        elif current:
            runs.append(current)
            current = []
    return runs + [current] if current else runs


def char_type(word: str) -> str:
    """'han', 'latin', 'digit', 'punct' or 'mixed' (``word`` a non-empty ``str``)."""
    return _char_type(check_string("word", word))


def _char_type(word: str) -> str:
    if HAN_RUN.fullmatch(word):
        return "han"
    if word.isascii() and word.isalpha():
        return "latin"
    if word.isdigit():
        return "digit"
    return "punct" if all(c in _PUNCT for c in word) else "mixed"


def pos_features(words, t: int) -> dict:
    """Overlapping features of ``words[t]``: the word, its first/last character, length,
    character type, and the neighbouring words (sklearn-crfsuite's dict format).

    ``words`` is a non-empty list of non-empty strings and ``t`` an int in
    ``[0, len(words) - 1]`` (a negative ``t`` is refused, not counted from the end).
    """
    words = check_strings("words", words)
    return _pos_features(words, check_int("t", t, low=0, high=len(words) - 1))


def _pos_features(words: list, t: int) -> dict:
    w = words[t]
    f = {"bias": 1.0, "word": w, "first": w[0], "last": w[-1], "len": str(min(len(w), 4)), "type": _char_type(w)}
    if t > 0:
        f.update(prev_word=words[t - 1], prev_last=words[t - 1][-1])
    else:
        f["BOS"] = 1.0
    if t + 1 < len(words):
        f.update(next_word=words[t + 1], next_first=words[t + 1][0])
    else:
        f["EOS"] = 1.0
    return f


def sentence_features(words) -> list[dict]:
    """:func:`pos_features` of every position of a sentence (a non-empty list of non-empty strings)."""
    words = check_strings("words", words)
    return [_pos_features(words, t) for t in range(len(words))]


def build_vocabulary(sentences, min_count: int = 2) -> dict:
    """Word -> index for words seen at least ``min_count`` times; index 0 is ``"<unk>"``.

    Parameters
    ----------
    sentences : list of list of str
        Non-empty; each sentence a non-empty list of non-empty words (for characters pass
        ``list(text)``; one ``str`` is refused). The word ``"<unk>"`` is reserved.
    min_count : int, default 2
        At least 1.
    """
    min_count = check_int("min_count", min_count, low=1)
    sentences = [check_strings(f"sentences[{i}]", s) for i, s in enumerate(check_sequence("sentences", sentences))]
    counts = Counter(w for s in sentences for w in s)
    if "<unk>" in counts:
        raise ValueError("sentences contain the reserved word '<unk>' (index 0 of the vocabulary)")
    kept = sorted(w for w, c in counts.items() if c >= min_count)
    return {"<unk>": 0, **{w: i + 1 for i, w in enumerate(kept)}}


def encode(words, vocabulary: dict) -> np.ndarray:
    """Indices of ``words``, shape (len(words),), int64; 0 (``"<unk>"``) for words outside ``vocabulary``.

    ``words`` is a non-empty list of non-empty strings; ``vocabulary`` a dict from
    :func:`build_vocabulary` (``"<unk>"`` maps to 0).
    """
    words = check_strings("words", words)
    if not isinstance(vocabulary, dict):
        raise TypeError(f"vocabulary must be a dict from build_vocabulary, got {type(vocabulary).__name__}")
    if vocabulary.get("<unk>") != 0:
        raise ValueError(f"vocabulary must map '<unk>' to 0 (as build_vocabulary does), got {vocabulary.get('<unk>')!r}")
    return np.array([vocabulary.get(w, 0) for w in words], dtype=np.int64)


def word_f1(gold, predicted) -> float:
    """Word-level F1 of a segmentation: ``gold`` and ``predicted`` are lists of sentences, each a
    list of words with the same characters; a word counts as correct when its character span
    (start, end) is a gold span. F1 = 2 |correct| / (|predicted words| + |gold words|).

    Both lists are non-empty, of the same length, and every sentence is a non-empty list of
    non-empty strings whose characters equal those of its gold sentence.
    """
    gold, predicted = check_sequence("gold", gold), check_sequence("predicted", predicted)
    check_same_length(("gold", "predicted"), gold, predicted)

    def spans(words):
        ends = np.cumsum([len(w) for w in words])
        return set(zip(ends - [len(w) for w in words], ends))

    correct = n_pred = n_gold = 0
    for i, (g, p) in enumerate(zip(gold, predicted)):
        g, p = check_strings(f"gold[{i}]", g), check_strings(f"predicted[{i}]", p)
        if "".join(g) != "".join(p):
            raise ValueError(f"a predicted sentence has other characters than its gold sentence: {p!r} vs {g!r}")
        sg, sp = spans(g), spans(p)
        correct, n_pred, n_gold = correct + len(sg & sp), n_pred + len(sp), n_gold + len(sg)
    return 2 * correct / (n_pred + n_gold)
