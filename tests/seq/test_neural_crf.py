"""nnbook.seq.neural_crf: the torch CRF layer against the NumPy chain engine and brute force;
the tagger's encoding, training and decoding; bad inputs (Hypothesis)."""
import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.seq import chain
from nnbook.seq import neural_crf as nc

pytestmark = pytest.mark.ch6
FAST = settings(max_examples=25, deadline=None, database=None)
ERRORS = (ValueError, TypeError)


def random_batch(B=3, T=5, L=4, seed=0, lengths=None):
    g = torch.Generator().manual_seed(seed)
    emit = torch.randn(B, T, L, generator=g, dtype=torch.float64) * 2
    trans = torch.randn(L, L, generator=g, dtype=torch.float64)
    start = torch.randn(L, generator=g, dtype=torch.float64)
    lengths = lengths or [T] + [max(1, T - 1 - b) for b in range(B - 1)]
    mask = torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]
    return emit, trans, start, mask


def brute(emit, trans, start, n):
    """All label sequences of length n: their scores and log Z."""
    L = emit.shape[1]
    paths = list(itertools.product(range(L), repeat=n))
    scores = np.array([start[p[0]] + sum(emit[t, p[t]] for t in range(n))
                       + sum(trans[p[t - 1], p[t]] for t in range(1, n)) for p in paths])
    return paths, scores, np.logaddexp.reduce(scores)


def test_log_partition_matches_chain_forward_and_brute_force():
    emit, trans, start, mask = random_batch()
    log_Z = nc.log_partition(emit, trans, mask, start)
    for b in range(emit.shape[0]):
        n = int(mask[b].sum())
        _, want = chain.forward(start.numpy(), trans.numpy(), emit[b, :n].numpy())
        _, _, brute_Z = brute(emit[b].numpy(), trans.numpy(), start.numpy(), n)
        np.testing.assert_allclose(log_Z[b].item(), want, rtol=1e-12)
        np.testing.assert_allclose(log_Z[b].item(), brute_Z, rtol=1e-12)


def test_start_defaults_to_zeros_and_padding_is_ignored():
    emit, trans, _, mask = random_batch()
    spoiled = emit.clone()
    spoiled[~mask] = 1e3  # padded positions must not matter
    np.testing.assert_allclose(nc.log_partition(spoiled, trans, mask).numpy(),
                               nc.log_partition(emit, trans, mask, torch.zeros(4, dtype=torch.float64)).numpy())


def test_sequence_score_and_nll_against_brute_force():
    emit, trans, start, mask = random_batch(seed=1)
    g = torch.Generator().manual_seed(2)
    tags = torch.randint(0, 4, mask.shape, generator=g) * mask
    score = nc.sequence_score(emit, trans, tags, mask, start)
    loss = nc.nll(emit, trans, tags, mask, start)
    for b in range(emit.shape[0]):
        n = int(mask[b].sum())
        paths, scores, log_Z = brute(emit[b].numpy(), trans.numpy(), start.numpy(), n)
        k = paths.index(tuple(tags[b, :n].tolist()))
        np.testing.assert_allclose(score[b].item(), scores[k], rtol=1e-12)
        np.testing.assert_allclose(loss[b].item(), log_Z - scores[k], rtol=1e-10)
    assert (loss > 0).all()


def test_marginals_by_autograd_match_forward_backward():
    emit, trans, start, mask = random_batch(seed=3, T=6)
    gamma = nc.marginals(emit, trans, mask, start)
    for b in range(emit.shape[0]):
        n = int(mask[b].sum())
        want, _, _ = chain.marginals(start.numpy(), trans.numpy(), emit[b, :n].numpy())
        np.testing.assert_allclose(gamma[b, :n].numpy(), want, atol=1e-12)
        np.testing.assert_allclose(gamma[b, n:].numpy(), 0.0)
    np.testing.assert_allclose(gamma.sum(2).numpy(), mask.double().numpy(), atol=1e-12)


def test_nll_gradient_is_expected_minus_observed():
    emit, trans, start, mask = random_batch(seed=4)
    tags = torch.zeros(mask.shape, dtype=torch.long)
    e = emit.clone().requires_grad_(True)
    nc.nll(e, trans, tags, mask, start).sum().backward()
    observed = torch.nn.functional.one_hot(tags, 4).double() * mask[:, :, None]
    torch.testing.assert_close(e.grad, nc.marginals(emit, trans, mask, start) - observed)
    assert torch.autograd.gradcheck(lambda x: nc.log_partition(x, trans, mask, start), (emit.clone().requires_grad_(),))


def test_viterbi_matches_chain_viterbi_and_brute_force():
    emit, trans, start, mask = random_batch(B=4, T=6, seed=5)
    path, score = nc.viterbi(emit, trans, mask, start)
    for b in range(emit.shape[0]):
        n = int(mask[b].sum())
        want_path, want_score = chain.viterbi(start.numpy(), trans.numpy(), emit[b, :n].numpy())
        paths, scores, _ = brute(emit[b].numpy(), trans.numpy(), start.numpy(), n)
        np.testing.assert_array_equal(path[b, :n].numpy(), want_path)
        assert tuple(want_path) == paths[int(np.argmax(scores))]
        np.testing.assert_allclose(score[b].item(), scores.max(), rtol=1e-12)
        assert (path[b, n:] == 0).all()
    torch.testing.assert_close(nc.sequence_score(emit, trans, path, mask, start), score)


def test_forbidden_transitions():
    # O=0, B=1, I=2; O -> I forbidden: Viterbi never uses it, marginal decoding can
    emit = torch.tensor([[[1.0, 0.8, -5.0], [0.0, 0.0, 0.5]]])
    trans = torch.zeros(3, 3)
    trans[0, 2] = -float("inf")
    start = torch.tensor([0.0, 0.0, -float("inf")])
    mask = torch.ones(1, 2, dtype=torch.bool)
    path, score = nc.viterbi(emit, trans, mask, start)
    assert torch.isfinite(score).all() and path.tolist() != [[0, 2]]
    assert torch.isfinite(nc.log_partition(emit, trans, mask, start)).all()


# ------------------------------------------------------------------------------ the tagger
SENTENCES = [["我", "食", "飯"], ["佢", "食", "麵"], ["我", "去", "街"], ["你", "去", "學校"]] * 3
TAGS = [["PRON", "VERB", "NOUN"]] * 12


def test_encode_shapes_and_unknowns():
    voc = nc.build_vocabulary(SENTENCES, TAGS, min_count=2)
    words, chars, mask = nc.encode([["我", "食"], ["陌生字", "去", "飯"]], voc, max_chars=2)
    assert words.shape == (2, 3) and chars.shape == (2, 3, 2) and mask.tolist() == [[1, 1, 0], [1, 1, 1]]
    assert words[1, 0] == 0 and chars[1, 0].tolist() == [1, 1]  # unseen word, unseen characters
    assert voc.tags == ("NOUN", "PRON", "VERB")


def test_fit_lowers_the_loss_and_predicts_the_training_tags():
    model, voc, losses = nc.fit(SENTENCES, TAGS, epochs=15, batch_size=4, lr=0.05, embedding=8,
                                char_embedding=4, hidden=8, random_state=0)
    assert losses[-1] < 0.5 * losses[0]
    for decoder in nc.DECODERS:
        assert nc.predict(model, voc, SENTENCES[:4], decoder=decoder) == TAGS[:4]
    again = nc.fit(SENTENCES, TAGS, epochs=15, batch_size=4, lr=0.05, embedding=8, char_embedding=4,
                   hidden=8, random_state=0)[2]
    np.testing.assert_array_equal(losses, again)  # one seed, one result


def test_emissions_do_not_depend_on_padding():
    voc = nc.build_vocabulary(SENTENCES, TAGS)
    torch.manual_seed(0)
    model = nc.BiLSTMCRF(len(voc.words), len(voc.chars), len(voc.tags), 4, 4, 4)
    alone = model.emissions(*nc.encode([["我", "食"]], voc))
    batched = model.emissions(*nc.encode([["我", "食"], ["你", "去", "學校", "飯"]], voc))
    torch.testing.assert_close(batched[0, :2], alone[0], atol=1e-6, rtol=1e-6)


# ----------------------------------------------------------------------------- bad inputs
GOOD = random_batch()


@FAST
@given(st.sampled_from(["nan", "+inf", "ndim", "int", "numpy", "shape"]), st.sampled_from(["emit", "trans", "start"]))
def test_bad_scores_are_refused(how, name):
    args = dict(zip(["emit", "trans", "start"], [GOOD[0], GOOD[1], GOOD[2]]))
    x = args[name].clone()
    if how == "nan":
        x.view(-1)[0] = float("nan")
    elif how == "+inf":
        x.view(-1)[0] = float("inf")
    elif how == "ndim":
        x = x[None]
    elif how == "int":
        x = x.long()
    elif how == "numpy":
        x = x.numpy()
    else:
        x = x[..., :-1]
    args[name] = x
    with pytest.raises(ERRORS, match=name):
        nc.log_partition(args["emit"], args["trans"], GOOD[3], args["start"])
    with pytest.raises(ERRORS, match=name):
        nc.viterbi(args["emit"], args["trans"], GOOD[3], args["start"])


@FAST
@given(st.sampled_from(["float", "shape", "first", "gap", "list"]))
def test_bad_masks_are_refused(how):
    mask = GOOD[3].clone()
    if how == "float":
        mask = mask.double()
    elif how == "shape":
        mask = mask[:, :-1]
    elif how == "first":
        mask[1, 0] = False
    elif how == "gap":
        mask[0, 2] = False
    else:
        mask = mask.tolist()
    with pytest.raises(ERRORS, match="mask"):
        nc.log_partition(GOOD[0], GOOD[1], mask, GOOD[2])
    with pytest.raises(ERRORS, match="mask"):
        nc.marginals(GOOD[0], GOOD[1], mask, GOOD[2])


@FAST
@given(st.one_of(st.integers(min_value=4, max_value=100), st.integers(max_value=-1)), st.sampled_from(["value", "float", "shape"]))
def test_bad_tags_are_refused(value, how):
    tags = torch.zeros(GOOD[3].shape, dtype=torch.long)
    if how == "value":
        tags[0, 0] = value
    elif how == "float":
        tags = tags.double()
    else:
        tags = tags[:, :2]
    with pytest.raises(ERRORS, match="tags"):
        nc.sequence_score(GOOD[0], GOOD[1], tags, GOOD[3], GOOD[2])


@FAST
@given(st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none(), st.integers(max_value=0)),
       st.sampled_from(["epochs", "batch_size", "hidden", "lr"]))
def test_bad_training_settings_are_refused(value, name):
    if name == "lr" and isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and np.isfinite(value):
        value = -1.0
    with pytest.raises(ERRORS, match=name):
        nc.fit(SENTENCES, TAGS, **{name: value})


@FAST
@given(st.one_of(st.text(max_size=5).filter(lambda s: s not in nc.DECODERS), st.none(), st.integers()))
def test_bad_decoder_is_refused(decoder):
    model, voc, _ = FITTED
    with pytest.raises(ERRORS, match="decoder"):
        nc.predict(model, voc, SENTENCES[:1], decoder=decoder)


def test_bad_sentences_and_tags_are_refused():
    with pytest.raises(ERRORS, match="tags"):
        nc.fit(SENTENCES, TAGS[:-1])
    with pytest.raises(ERRORS, match=r"tags\[0\]"):
        nc.fit(SENTENCES, [["PRON"]] + TAGS[1:])
    with pytest.raises(ERRORS, match=r"sentences\[0\]"):
        nc.fit([["我", ""]] + SENTENCES[1:], [["PRON", "VERB"]] + TAGS[1:])
    with pytest.raises(ERRORS, match="vocabulary"):
        nc.encode(SENTENCES, {"<unk>": 0})
    with pytest.raises(ERRORS, match="model"):
        nc.predict("model", FITTED[1], SENTENCES)


FITTED = nc.fit(SENTENCES, TAGS, epochs=1, embedding=4, char_embedding=4, hidden=4)
