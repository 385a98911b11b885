"""nnbook.seq.segmentation: B/M/E/S tags and words, and jieba's HMM decoded by nnbook.seq.hmm.viterbi,
which segments exactly as jieba does."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.data import corpora
from nnbook.seq import segmentation

pytestmark = pytest.mark.ch6
FAST = settings(max_examples=25, deadline=None)
ERRORS = (TypeError, ValueError)

SENTENCES = ["我来到北京清华大学", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所", "香港中文大学"]
CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5), min_size=1, max_size=30)


@pytest.fixture(scope="module")
def model():
    return corpora.load_jieba_hmm()


# ------------------------------------------------------------------------------ the segmenter
def test_viterbi_segmentation_equals_jieba_finalseg(model):
    from jieba import finalseg

    data = corpora.load_hkcancor()
    runs = ["".join(r) for u in data.test[:400] for r in corpora.han_runs([w for w, _ in u])]
    checked = 0
    for text in SENTENCES + runs:
        score, _ = finalseg.viterbi(text, "BMES", finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
        if score > -1e99:  # jieba's tables give the sentence a finite score
            assert segmentation.segment(text, model) == list(finalseg.cut(text)), text
            checked += 1
    assert checked > 250


def test_segment_textbook_sentence(model):
    assert segmentation.segment(SENTENCES[0], model) == ["我来", "到", "北京", "清华大学"]


@pytest.mark.parametrize("text, error, match", [
    ("", ValueError, "text is an empty string"),
    (None, TypeError, "text must be a str"),
    (["我", "来"], TypeError, "text must be a str"),
    ("我来abc", ValueError, r"text must be a run of Chinese characters.*'a' at position 2"),
    ("我来 到", ValueError, "text must be a run of Chinese characters"),
])
def test_segment_refuses_bad_text(model, text, error, match):
    with pytest.raises(error, match=match):
        segmentation.segment(text, model)


@pytest.mark.parametrize("bad", ["abc", None, (1, 2, 3), {"pi": 1}])
def test_segment_and_encode_chars_refuse_a_model_that_is_not_jieba_hmm(bad):
    with pytest.raises(TypeError, match="model must be a JiebaHMM"):
        segmentation.segment("我来", bad)
    with pytest.raises(TypeError, match="model must be a JiebaHMM"):
        segmentation.encode_chars("我来", bad)


def test_model_states_must_be_the_four_tags(model):
    with pytest.raises(ValueError, match="model.states"):
        segmentation.segment("我来", model._replace(states="BMEX"))


@FAST
@given(CHINESE)
def test_property_words_concatenate_to_the_text(model, text):
    words = segmentation.segment(text, model)
    assert "".join(words) == text and all(words)
    assert segmentation.words_from_tags(text, segmentation.bmes_tags(words)) == words


@FAST
@given(st.text(min_size=1, max_size=10).filter(lambda t: not corpora.HAN_RUN.fullmatch(t)))
def test_property_non_chinese_text_is_refused(model, text):
    with pytest.raises(ValueError, match="text must be a run of Chinese characters"):
        segmentation.segment(text, model)


# -------------------------------------------------------------------------- tags and words
def test_tags_and_words_round_trip():
    words = ["香港", "中文大學", "好", "靚"]
    tags = segmentation.bmes_tags(words)
    assert tags == "BEBMMESS"
    assert segmentation.words_from_tags("".join(words), tags) == words
    assert segmentation.words_from_tags("香港", ["B", "E"]) == ["香港"]
    with pytest.raises(TypeError, match="a list of words"):
        segmentation.bmes_tags("香港")
    with pytest.raises(ValueError, match="text is an empty string"):
        segmentation.words_from_tags("", "")


@pytest.mark.parametrize("text, tags", [("ab", "BB"), ("ab", "B"), ("abc", "BE"), ("ab", "SM"), ("ab", "BX"), ("a", "M")])
def test_words_from_tags_refuses_tags_that_are_not_words(text, tags):
    # "BB" used to return ["b"] (a character lost) and ("abc", "BE") ["ab", "c"]: now both raise
    with pytest.raises(ValueError, match="tags"):
        segmentation.words_from_tags(text, tags)


def test_encode_chars_maps_unknown_characters_to_unseen(model):
    ids = segmentation.encode_chars("中\U00020000", model)
    assert ids.dtype == np.int64 and ids[0] == model.chars["中"] and ids[1] == model.unseen


@FAST
@given(st.text(alphabet="BMESX", max_size=8))
def test_property_words_from_tags_accepts_exactly_the_word_grammar(tags):
    text = "字" * len(tags)
    valid = all(c in "BMES" for c in tags) and segmentation._WORDS.fullmatch(tags)
    if tags and valid:
        assert "".join(segmentation.words_from_tags(text, tags)) == text
    elif tags:
        with pytest.raises(ValueError, match="tags"):
            segmentation.words_from_tags(text, tags)


@FAST
@given(st.text(alphabet="BMES", min_size=1, max_size=6), st.integers(1, 3))
def test_property_words_from_tags_refuses_tags_of_another_length(tags, extra):
    with pytest.raises(ValueError, match="tags"):
        segmentation.words_from_tags("字" * (len(tags) + extra), tags)


@FAST
@given(st.one_of(st.just(""), st.none(), st.integers(), st.lists(st.text(min_size=1), min_size=1, max_size=2)))
def test_property_text_must_be_a_non_empty_string(model, value):
    for f in (lambda: segmentation.encode_chars(value, model), lambda: segmentation.words_from_tags(value, "S")):
        with pytest.raises(ERRORS, match="text"):
            f()


@FAST
@given(st.one_of(
    st.text(min_size=1, max_size=5),
    st.lists(st.text(min_size=1, max_size=3), max_size=3).map(lambda ws: ws + [7]),
    st.lists(st.text(min_size=1, max_size=3), max_size=3).map(lambda ws: ws + [""]),
    st.just([]), st.none(), st.integers(), st.just({"a": 1}),
))
def test_property_bmes_tags_refuses_bad_word_lists(value):
    with pytest.raises(ERRORS, match="words"):
        segmentation.bmes_tags(value)


@FAST
@given(st.lists(st.text(alphabet="abc香港人", min_size=1, max_size=4), min_size=1, max_size=6))
def test_property_tags_round_trip(words):
    tags = segmentation.bmes_tags(words)
    assert len(tags) == len("".join(words)) and tags.count("S") + tags.count("E") == len(words)
    assert segmentation.words_from_tags("".join(words), tags) == words
    assert not math.isnan(len(tags))


def test_a_character_no_state_emits_still_gets_a_tag_as_in_jieba(model):
    # found by the property test above: jieba's tables give '炓' no emission from S, M or E, so
    # with -inf scores no path may end the text; jieba scores missing emissions MIN_FLOAT instead
    import jieba.finalseg

    assert segmentation.JIEBA_MIN_FLOAT == jieba.finalseg.MIN_FLOAT
    assert segmentation.segment("炓", model) == list(jieba.finalseg.cut("炓")) == ["炓"]
