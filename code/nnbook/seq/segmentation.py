r"""Chinese word segmentation as HMM decoding: B/M/E/S tags, and jieba's model decoded by Viterbi.

Each character is tagged B, M, E or S (begin, middle or end of a word, single-character word),
so a segmentation and its tag string determine each other (:func:`bmes_tags`,
:func:`words_from_tags`). :func:`segment` reads the words off the most probable tag path

.. math::

    \hat s_{1:T} = \arg\max_{s_{1:T}} \pi_{s_1} B_{s_1 x_1} \prod_{t=2}^{T} A_{s_{t-1} s_t} B_{s_t x_t}
    \quad\text{with } s_T \in \{E, S\},

computed by :func:`nnbook.seq.hmm.viterbi` (Rabiner 1989) on the tables that ship with ``jieba``
:cite:p:`sun2012jieba`, which :func:`nnbook.data.corpora.load_jieba_hmm` reads as plain arrays.
The data stay in ``nnbook.data``; this module, the model's side, does not import it (nor the
other way round).

Book section: ``book/ch6-sequence-models/03-hmm-learning.ipynb`` ("A real HMM: jieba's word
segmenter").
"""
from __future__ import annotations

import re

import numpy as np

from nnbook._validation import check_same_length, check_string, check_strings
from nnbook.seq import chain, hmm

#: jieba's score for an emission missing from its tables (``jieba.finalseg.MIN_FLOAT``).
JIEBA_MIN_FLOAT = -3.14e100

__all__ = ["STATES", "bmes_tags", "words_from_tags", "encode_chars", "segment"]

#: The tags: Begin, Middle, End of a word, Single-character word.
STATES = "BMES"
#: A tag string reads as words, each ``S`` or ``B M* E``.
_WORDS = re.compile("(?:S|BM*E)*")
_MODEL_FIELDS = ("pi", "A", "B", "chars", "end", "unseen", "states")


def bmes_tags(words) -> str:
    """The B/M/E/S tag of every character of a segmented sentence, e.g. ["香港", "人"] -> "BES".

    ``words`` is a non-empty list of non-empty strings (one ``str`` is not a list of words).
    """
    if isinstance(words, str):
        raise TypeError(f"words must be a list of words, not one string ({words!r:.60})")
    words = check_strings("words", words)
    return "".join("S" if len(w) == 1 else "B" + "M" * (len(w) - 2) + "E" for w in words)


def words_from_tags(text: str, tags) -> list[str]:
    """Cut ``text`` after every E or S tag: the inverse of :func:`bmes_tags`.

    ``tags`` (a string, or a sequence of one-letter strings) has one tag per character of
    ``text`` and must read as words, each ``S`` or ``B M* E``. Anything else -- an unknown
    letter, ``"BB"``, a word still open at the end, too few or too many tags -- raises
    ``ValueError`` rather than silently dropping or gluing characters.
    """
    check_string("text", text)
    if not isinstance(tags, str):
        tags = "".join(check_strings("tags", tags))
    check_same_length(("text", "tags"), text, tags)
    unknown = sorted(set(tags) - set(STATES))
    if unknown:
        raise ValueError(f"tags must be letters of {STATES!r}, got {unknown[:5]}")
    if not _WORDS.fullmatch(tags):
        raise ValueError(f"tags must read as words, each S or B M* E, got {tags!r:.60}")
    words, begin = [], 0
    for i, tag in enumerate(tags):
        if tag == "B":
            begin = i
        elif tag in "ES":
            words.append(text[begin : i + 1] if tag == "E" else text[i])
            begin = i + 1
    return words


def _check_model(model):
    """The fields of ``nnbook.data.corpora.JiebaHMM`` (checked by name: seq does not import data)."""
    missing = [f for f in _MODEL_FIELDS if not hasattr(model, f)]
    if missing:
        raise TypeError(f"model must be a JiebaHMM from nnbook.data.corpora.load_jieba_hmm(), got "
                        f"{type(model).__name__} (no {', '.join(missing)})")
    if sorted(model.states) != sorted(STATES):
        raise ValueError(f"model.states must be an order of {STATES!r}, got {model.states!r}")
    return model


def encode_chars(text: str, model) -> np.ndarray:
    """Character indices of ``text``, shape (len(text),), into the columns of ``model.B``.

    Characters outside jieba's tables get the "unseen" symbol ``model.unseen`` (the same
    probability in every state): an unknown character is encoded by design, not refused.
    ``model`` is a :class:`nnbook.data.corpora.JiebaHMM`.
    """
    check_string("text", text)
    model = _check_model(model)
    return np.array([model.chars.get(c, model.unseen) for c in text], dtype=np.int64)


def segment(text: str, model) -> list[str]:
    """Segment a run of Chinese characters with :func:`nnbook.seq.hmm.viterbi` on jieba's HMM.

    Parameters
    ----------
    text : str
        A non-empty run of Chinese characters, in jieba's range U+4E00..U+9FD5
        (``jieba.finalseg.re_han``); split mixed text first, as ``jieba.finalseg.cut`` does
        (:func:`nnbook.data.corpora.han_runs`). Characters of that range missing from the
        tables are decoded as the "unseen" symbol.
    model : JiebaHMM
        From :func:`nnbook.data.corpora.load_jieba_hmm`.

    Returns
    -------
    list of str
        The words, which concatenate to ``text``.
    """
    from jieba.finalseg import re_han

    check_string("text", text)
    if not re_han.fullmatch(text):
        where = next(i for i, c in enumerate(text) if not re_han.fullmatch(c))
        raise ValueError(f"text must be a run of Chinese characters (U+4E00..U+9FD5), got {text[where]!r} "
                         f"at position {where} of {text!r:.60}")
    model = _check_model(model)
    log_start, log_trans, log_emit = hmm.log_potentials(model.pi, model.A, model.B, encode_chars(text, model))
    # jieba scores an emission missing from its tables as MIN_FLOAT = -3.14e100, not -inf: a
    # character no state emits still gets a tag (so every text has a segmentation), while the
    # start, transition and end constraints stay hard (-inf), as in jieba.finalseg.viterbi.
    log_emit = np.where(np.isneginf(log_emit), JIEBA_MIN_FLOAT, log_emit)
    with np.errstate(divide="ignore"):
        log_end = np.log(model.end)
    path, _ = chain.viterbi(log_start, log_trans, log_emit, log_end)
    return words_from_tags(text, "".join(model.states[s] for s in path))
