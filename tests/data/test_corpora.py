"""nnbook.data.corpora: jieba's HMM tables as arrays, HKCanCor split and features.

(Tags, words and decoding with the HMM are tested in tests/seq/test_segmentation.py.)
"""
import math

import numpy as np
import pytest

from nnbook._validation import check_probabilities
from nnbook.data import corpora

pytestmark = pytest.mark.ch6

@pytest.fixture(scope="module")
def model():
    return corpora.load_jieba_hmm()


def test_jieba_tables_become_a_valid_hmm(model):
    from jieba.finalseg import prob_emit, prob_start, prob_trans

    check_probabilities("pi", model.pi)  # each raises if not stochastic
    check_probabilities("A", model.A, ndim=2)
    check_probabilities("B", model.B, ndim=2)
    np.testing.assert_array_equal(model.pi[[1, 2]], 0.0)  # a sentence cannot start inside a word
    assert model.A[0, 0] == 0.0 and model.A[2, 2] == 0.0 and model.A[3, 1] == 0.0  # B->B, E->E, S->M impossible
    np.testing.assert_allclose(np.log(model.A[0, 2]), prob_trans.P["B"]["E"], rtol=1e-12)
    np.testing.assert_allclose(np.log(model.pi[0]), prob_start.P["B"], rtol=1e-12)
    # emission ratios between characters are jieba's exactly (one common scale factor)
    a, b = model.chars["中"], model.chars["国"]
    np.testing.assert_allclose(np.log(model.B[0, a] / model.B[0, b]), prob_emit.P["B"]["中"] - prob_emit.P["B"]["国"], rtol=1e-9)
    assert math.isclose(model.B[1, model.unseen], model.B[3, model.unseen])  # unseen: no state favoured
    assert model.states == corpora.STATES == "BMES"


def test_hkcancor_split_is_by_file_and_fixed():
    data = corpora.load_hkcancor()
    assert len(data.test_files) == 11
    assert (len(data.train), len(data.test)) == (12392, 3770)
    assert sum(map(len, data.train)) + sum(map(len, data.test)) == 153656  # every token of the corpus
    tags = {t for s in data.train for _, t in s}
    assert {"NOUN", "VERB", "PART", "PUNCT"} <= tags and len(tags) <= 17
    assert data.train[0][0] == ("喂", "INTJ")
    with pytest.raises(ValueError, match="test_every must be an int >= 2"):
        corpora.load_hkcancor(test_every=1)
    with pytest.raises(ValueError, match="test_every must be an int <= 58"):  # used to give an empty test set
        corpora.load_hkcancor(test_every=59)


def test_features_runs_and_vocabulary():
    f = corpora.pos_features(["我", "去", "Orlando"], 2)
    assert f["word"] == "Orlando" and f["type"] == "latin" and f["prev_word"] == "去" and f["EOS"] == 1.0
    assert corpora.pos_features(["我"], 0)["BOS"] == 1.0
    assert corpora.char_type("，") == "punct" and corpora.char_type("2000") == "digit" and corpora.char_type("A貨") == "mixed"
    assert corpora.han_runs(["我", "去", "Orlando", "迪士尼", "呢", "?"]) == [["我", "去"], ["迪士尼", "呢"]]
    vocab = corpora.build_vocabulary([["a", "b", "a"], ["a", "c", "b"]], min_count=2)
    assert vocab == {"<unk>": 0, "a": 1, "b": 2}
    np.testing.assert_array_equal(corpora.encode(["b", "z", "a"], vocab), [2, 0, 1])


def test_word_f1():
    gold = [["香港", "人"], ["好", "靚"]]
    assert corpora.word_f1(gold, gold) == 1.0
    # predicted 香 / 港人 + 好 / 靚: 2 of 4 predicted and 2 of 4 gold words correct
    assert corpora.word_f1(gold, [["香", "港人"], ["好", "靚"]]) == 0.5
    with pytest.raises(ValueError, match="other characters"):
        corpora.word_f1(gold, [["香港"], ["好", "靚"]])
