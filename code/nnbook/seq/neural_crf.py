r"""A neural linear-chain CRF: a BiLSTM supplies the emission scores, a CRF layer the sequence.

For a sentence :math:`x` of T tokens and tags :math:`y \in \{0..L-1\}^T`, a network computes
emission scores :math:`e_t(\ell) = [\mathbf W \mathbf h_t + \mathbf b]_\ell`, where
:math:`\mathbf h_t = [\overrightarrow{\mathbf h}_t; \overleftarrow{\mathbf h}_t]` are the states of a
bidirectional LSTM over the token embeddings, and the CRF layer adds start scores :math:`\phi`
(L,) and transition scores :math:`\tau` (L, L) :cite:p:`lample2016,huang2015`:

.. math:: s(x, y) = \phi_{y_1} + \sum_{t=1}^{T} e_t(y_t) + \sum_{t=2}^{T} \tau_{y_{t-1}y_t},
   \qquad p(y\mid x) = \frac{e^{s(x, y)}}{Z(x)}, \qquad Z(x) = \sum_{y'} e^{s(x, y')}.

It is the chain of :mod:`nnbook.seq.chain` with ``log_start`` = :math:`\phi`, ``log_trans`` =
:math:`\tau`, ``log_emit`` = :math:`e`; the difference from :mod:`nnbook.seq.crf` is only where
:math:`e_t` comes from (a network, not a sparse linear map of hand-made features), so the
recursions are rewritten here in torch, batched over padded sentences with a mask, and
autograd replaces the hand-written gradient:

* :func:`log_partition`: the forward algorithm, :math:`\log Z`;
* :func:`sequence_score`: :math:`s(x, y)`; the loss is :math:`\log Z(x) - s(x, y)`;
* :func:`marginals`: :math:`p(y_t{=}j\mid x) = \partial\log Z/\partial e_t(j)`, by autograd;
* :func:`viterbi`: the max-product recursion and backtracking.

``mask`` (B, T) is True on the tokens of each sentence: a prefix of every row (sentences are
left-aligned), the first column all True. Padded positions of ``emit`` and ``tags`` are
ignored (``tags`` must still hold valid indices there, e.g. 0). Scores may be ``-inf`` (a
forbidden tag or move); NaN and ``+inf`` are refused.

The tagger: :class:`BiLSTMCRF` (the network and the CRF parameters), :func:`encode` (sentences
to padded index tensors: words, the characters of each word, the mask), :func:`fit` (Adam on
the mean per-token loss, sentences batched by length) and :func:`predict` (Viterbi, or per-token
argmax of the marginals or of the emissions, for comparison).

Book chapter: ``book/ch6-sequence-models/07-neural-crf.ipynb``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from nnbook._validation import check_int, check_number, check_option, check_random_state, check_tensor
from nnbook.data import corpora

__all__ = ["log_partition", "sequence_score", "nll", "marginals", "viterbi",
           "BiLSTMCRF", "Vocabulary", "build_vocabulary", "encode", "fit", "predict"]


def _check_scores(name: str, value, ndim: int) -> torch.Tensor:
    """A floating tensor of ``ndim`` dimensions with no NaN and no ``+inf`` (``-inf`` allowed)."""
    value = check_tensor(name, value, ndim=ndim, finite=False)
    if bool(torch.isnan(value).any()) or bool((value == float("inf")).any()):
        raise ValueError(f"{name} must not contain NaN or +inf (-inf is allowed: a forbidden score)")
    return value


def _check_chain(emit, trans, mask, start):
    """The arguments checked against each other; ``start`` None becomes zeros."""
    emit = _check_scores("emit", emit, 3)
    B, T, L = emit.shape
    trans = _check_scores("trans", trans, 2)
    if tuple(trans.shape) != (L, L):
        raise ValueError(f"trans must have shape (L, L) = ({L}, {L}) to match emit (B, T, L), got {tuple(trans.shape)}")
    if start is None:
        start = emit.new_zeros(L)
    start = _check_scores("start", start, 1)
    if tuple(start.shape) != (L,):
        raise ValueError(f"start must have shape (L,) = ({L},) to match emit (B, T, L), got {tuple(start.shape)}")
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a torch.Tensor of bools, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a bool tensor, got dtype {mask.dtype}")
    if tuple(mask.shape) != (B, T):
        raise ValueError(f"mask must have shape (B, T) = ({B}, {T}) to match emit, got {tuple(mask.shape)}")
    if not bool(mask[:, 0].all()):
        raise ValueError("mask must be True at t = 0 for every sentence (no empty sentences)")
    if T > 1 and bool((mask[:, 1:] & ~mask[:, :-1]).any()):
        raise ValueError("mask must be a prefix of True values in every row (left-aligned sentences)")
    return emit, trans, mask, start


def _check_tags(tags, mask, L: int) -> torch.Tensor:
    if not isinstance(tags, torch.Tensor):
        raise TypeError(f"tags must be a torch.Tensor of ints, got {type(tags).__name__}")
    if tags.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"tags must be an int64 tensor, got dtype {tags.dtype}")
    if tags.shape != mask.shape:
        raise ValueError(f"tags must have shape (B, T) = {tuple(mask.shape)} like mask, got {tuple(tags.shape)}")
    if bool((tags < 0).any()) or bool((tags >= L).any()):
        raise ValueError(f"tags must lie in [0, {L - 1}] (padded positions too), got values "
                         f"{int(tags.min())}..{int(tags.max())}")
    return tags.long()


def log_partition(emit, trans, mask, start=None) -> torch.Tensor:
    r""":math:`\log Z(x)` of every sentence, (B,), by the forward algorithm in log space.

    .. math:: \log\alpha_1(j) = \phi_j + e_1(j), \qquad
       \log\alpha_t(j) = \log\sum_i e^{\log\alpha_{t-1}(i) + \tau_{ij}} + e_t(j),
       \qquad \log Z = \log\sum_j \alpha_{T}(j),

    with :math:`\alpha_t = \alpha_{t-1}` kept unchanged past the end of a sentence (the mask).
    Cost :math:`O(T L^2)`, one batched ``logsumexp`` per step; differentiable.

    Parameters
    ----------
    emit : tensor (B, T, L)
        Emission scores :math:`e_t(\ell)`.
    trans : tensor (L, L)
        :math:`\tau_{ij}`, the score of the move :math:`i \to j`.
    mask : bool tensor (B, T)
    start : tensor (L,), optional
        :math:`\phi`; zeros when None.
    """
    emit, trans, mask, start = _check_chain(emit, trans, mask, start)
    log_alpha = start + emit[:, 0]
    for t in range(1, emit.shape[1]):
        nxt = torch.logsumexp(log_alpha[:, :, None] + trans, dim=1) + emit[:, t]
        log_alpha = torch.where(mask[:, t, None], nxt, log_alpha)
    return torch.logsumexp(log_alpha, dim=1)


def sequence_score(emit, trans, tags, mask, start=None) -> torch.Tensor:
    r""":math:`s(x, y) = \phi_{y_1} + \sum_t e_t(y_t) + \sum_{t\ge2}\tau_{y_{t-1}y_t}` of every sentence, (B,).

    ``tags`` (B, T) int64: the label sequences :math:`y` (any valid index at padded positions).
    Other arguments as in :func:`log_partition`.
    """
    emit, trans, mask, start = _check_chain(emit, trans, mask, start)
    tags = _check_tags(tags, mask, emit.shape[2])
    on = mask.to(emit.dtype)
    score = start[tags[:, 0]] + (emit.gather(2, tags[:, :, None])[:, :, 0] * on).sum(1)
    if emit.shape[1] > 1:
        moves = trans[tags[:, :-1], tags[:, 1:]]
        score = score + torch.where(mask[:, 1:], moves, torch.zeros_like(moves)).sum(1)
    return score


def nll(emit, trans, tags, mask, start=None) -> torch.Tensor:
    r"""The negative log-likelihood :math:`-\log p(y\mid x) = \log Z(x) - s(x, y)` of every sentence, (B,).

    Its gradient with respect to :math:`e_t(j)` is :math:`p(y_t{=}j\mid x) - [y_t = j]` --
    expected minus observed, as for the feature CRF (:func:`nnbook.seq.crf.objective_and_gradient`).
    """
    return log_partition(emit, trans, mask, start) - sequence_score(emit, trans, tags, mask, start)


def marginals(emit, trans, mask, start=None) -> torch.Tensor:
    r"""Node marginals :math:`p(y_t{=}j\mid x) = \partial \log Z(x) / \partial e_t(j)`, (B, T, L), by autograd.

    Differentiating the forward algorithm is the backward algorithm: the gradient equals
    :math:`\alpha_t(j)\beta_t(j)/Z` (:func:`nnbook.seq.chain.marginals`). Zero at padded positions.
    Not differentiable itself (the result is detached).
    """
    emit, trans, mask, start = _check_chain(emit, trans, mask, start)
    with torch.enable_grad():
        e = emit.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(log_partition(e, trans.detach(), mask, start.detach()).sum(), e)
    return grad


def viterbi(emit, trans, mask, start=None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The best tag sequence of every sentence, :math:`\arg\max_y s(x, y)`, and its score.

    .. math:: \delta_1(j) = \phi_j + e_1(j), \qquad
       \delta_t(j) = \max_i\,[\delta_{t-1}(i) + \tau_{ij}] + e_t(j), \qquad
       \psi_t(j) = \arg\max_i\,[\delta_{t-1}(i) + \tau_{ij}],

    then :math:`y_T = \arg\max_j \delta_T(j)` and :math:`y_{t-1} = \psi_t(y_t)` (Viterbi 1967),
    each sentence from its own last token. Arguments as in :func:`log_partition`.

    Returns
    -------
    path : int64 tensor (B, T)
        The best tags (0 at padded positions).
    score : tensor (B,)
        :math:`\max_y s(x, y)`.
    """
    emit, trans, mask, start = _check_chain(emit, trans, mask, start)
    B, T, L = emit.shape
    with torch.no_grad():
        delta = start + emit[:, 0]
        back = torch.zeros(B, T, L, dtype=torch.long)
        for t in range(1, T):
            best, back[:, t] = (delta[:, :, None] + trans).max(dim=1)
            delta = torch.where(mask[:, t, None], best + emit[:, t], delta)
        score, cur = delta.max(dim=1)
        lengths = mask.sum(1)
        path = torch.zeros(B, T, dtype=torch.long)
        for t in range(T - 1, -1, -1):
            active = t < lengths
            path[:, t] = torch.where(active, cur, torch.zeros_like(cur))
            if t:
                cur = torch.where(active, back[:, t].gather(1, cur[:, None])[:, 0], cur)
    return path, score


# ----------------------------------------------------------------------------- the tagger
class BiLSTMCRF(torch.nn.Module):
    r"""Word and character embeddings, a one-layer BiLSTM, a linear map to emission scores, a CRF.

    The input of token t is :math:`[\mathbf E_w[w_t];\ \tfrac{1}{|c_t|}\sum_{c\in c_t}\mathbf E_c[c]]`:
    the word's embedding (index 0, ``<unk>``, for rare and unseen words) beside the mean
    embedding of its characters, which is all an unseen word brings. The transition scores
    :math:`\tau` and start scores :math:`\phi` start at 0 (a softmax tagger) and are learned
    with the rest.

    Parameters
    ----------
    n_words, n_chars, n_tags : int
        Vocabulary sizes (character index 0 is padding) and the number of tags L.
    embedding, char_embedding, hidden : int
        Widths of the word and character embeddings and of each LSTM direction.
    """

    def __init__(self, n_words: int, n_chars: int, n_tags: int, embedding: int = 32,
                 char_embedding: int = 16, hidden: int = 32):
        super().__init__()
        n_words, n_chars, n_tags = (check_int(k, v, low=2) for k, v in
                                    (("n_words", n_words), ("n_chars", n_chars), ("n_tags", n_tags)))
        embedding, char_embedding, hidden = (check_int(k, v, low=1) for k, v in (
            ("embedding", embedding), ("char_embedding", char_embedding), ("hidden", hidden)))
        self.words = torch.nn.Embedding(n_words, embedding)
        self.chars = torch.nn.Embedding(n_chars, char_embedding, padding_idx=0)
        self.lstm = torch.nn.LSTM(embedding + char_embedding, hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * hidden, n_tags)
        self.trans = torch.nn.Parameter(torch.zeros(n_tags, n_tags))
        self.start = torch.nn.Parameter(torch.zeros(n_tags))

    def emissions(self, words, chars, mask) -> torch.Tensor:
        """Emission scores (B, T, L) from ``words`` (B, T), ``chars`` (B, T, C) and ``mask`` (B, T), as from :func:`encode`."""
        n_chars = (chars > 0).sum(2, keepdim=True).clamp(min=1)
        x = torch.cat([self.words(words), self.chars(chars).sum(2) / n_chars], dim=2)
        lengths = mask.sum(1)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = torch.nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=words.shape[1])
        return self.out(h)


class Vocabulary(NamedTuple):
    """Word -> index (0: ``<unk>``), character -> index (0: padding, 1: unknown), the tag names."""

    words: dict
    chars: dict
    tags: tuple


def build_vocabulary(sentences, tags, min_count: int = 2) -> Vocabulary:
    """Words seen ``min_count`` times or more (:func:`nnbook.data.corpora.build_vocabulary`), every
    character of the training words, and the sorted tag names of ``tags`` (lists of str)."""
    words = corpora.build_vocabulary(sentences, min_count=min_count)
    chars = sorted({c for s in sentences for w in s for c in w})
    names = sorted({t for s in tags for t in s})
    if len(names) < 2:
        raise ValueError(f"tags must contain at least two distinct tags, got {names}")
    return Vocabulary(words, {"<pad>": 0, "<unk>": 1, **{c: i + 2 for i, c in enumerate(chars)}}, tuple(names))


def encode(sentences, vocabulary: Vocabulary, max_chars: int = 4):
    """``(words (B, T), chars (B, T, C), mask (B, T))`` of a list of sentences (lists of words).

    Sentences are left-aligned and padded with 0; each word keeps its first ``max_chars``
    characters (C = the longest word, at most ``max_chars``).
    """
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(f"vocabulary must be a Vocabulary from build_vocabulary, got {type(vocabulary).__name__}")
    max_chars = check_int("max_chars", max_chars, low=1)
    if not isinstance(sentences, (list, tuple)) or len(sentences) == 0:
        raise ValueError(f"sentences must be a non-empty list of sentences, got {sentences!r:.60}")
    ids = [corpora.encode(s, vocabulary.words) for s in sentences]  # checks every sentence
    B, T = len(ids), max(len(s) for s in ids)
    C = min(max_chars, max(len(w) for s in sentences for w in s))
    words, chars = torch.zeros(B, T, dtype=torch.long), torch.zeros(B, T, C, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.bool)
    for b, (s, i) in enumerate(zip(sentences, ids)):
        words[b, :len(s)], mask[b, :len(s)] = torch.from_numpy(i), True
        for t, w in enumerate(s):
            cs = [vocabulary.chars.get(c, 1) for c in w[:C]]
            chars[b, t, :len(cs)] = torch.tensor(cs)
    return words, chars, mask


def _tag_tensor(tags, vocabulary: Vocabulary, T: int) -> torch.Tensor:
    out = torch.zeros(len(tags), T, dtype=torch.long)
    index = {t: i for i, t in enumerate(vocabulary.tags)}
    for b, s in enumerate(tags):
        try:
            out[b, :len(s)] = torch.tensor([index[t] for t in s])
        except KeyError as err:
            raise ValueError(f"tags[{b}] has a tag outside the training tags {vocabulary.tags}: {err}") from None
    return out


def _batches(lengths, batch_size: int) -> list:
    """Sentence indices sorted by length (stable), cut into batches of similar length."""
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def fit(sentences, tags, *, epochs: int = 3, batch_size: int = 64, lr: float = 0.02,
        embedding: int = 32, char_embedding: int = 16, hidden: int = 32, min_count: int = 2,
        word_dropout: float = 0.0, random_state=0):
    r"""Train a :class:`BiLSTMCRF` tagger; returns ``(model, vocabulary, losses)``.

    Minimises the mean over tokens of :func:`nll`, :math:`\sum_n(\log Z(x^{(n)}) - s(x^{(n)},
    y^{(n)})) / \sum_n T_n`, with Adam :cite:p:`kingma2015` on batches of sentences of similar
    length (little padding), encoded once and visited in a random order each epoch. ``losses`` (epochs,): the mean
    training loss of each epoch (nats per token). ``word_dropout``: the probability that a
    training word is replaced by ``<unk>`` at each step, so that the ``<unk>`` embedding also
    learns from frequent words :cite:p:`lample2016`. ``random_state`` seeds torch, the batch
    order and the dropout.

    Parameters
    ----------
    sentences : list of list of str
        The words of each training sentence.
    tags : list of list of str
        One tag per word.
    """
    epochs, batch_size = check_int("epochs", epochs, low=1), check_int("batch_size", batch_size, low=1)
    lr = check_number("lr", lr, low=0.0, low_open=True)
    word_dropout = check_number("word_dropout", word_dropout, low=0.0, high=1.0, high_open=True)
    if not isinstance(tags, (list, tuple)) or len(tags) != len(sentences):
        raise ValueError(f"tags must be a list with one tag list per sentence ({len(sentences)}), got "
                         f"{len(tags) if isinstance(tags, (list, tuple)) else type(tags).__name__}")
    for i, (s, y) in enumerate(zip(sentences, tags)):
        if not isinstance(y, (list, tuple)) or len(y) != len(s):
            raise ValueError(f"tags[{i}] must have one tag per word ({len(s)}), got {y!r:.60}")
    rng = check_random_state(random_state)
    vocabulary = build_vocabulary(sentences, tags, min_count=min_count)
    torch.manual_seed(int(rng.integers(2**31)))
    model = BiLSTMCRF(len(vocabulary.words), len(vocabulary.chars), len(vocabulary.tags),
                      embedding=embedding, char_embedding=char_embedding, hidden=hidden)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    lengths = np.array([len(s) for s in sentences])
    losses = np.zeros(epochs)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors: a second thread costs more than it saves
    try:
        _train(model, optimiser, sentences, tags, vocabulary, lengths, batch_size, rng, losses, word_dropout)
    finally:
        torch.set_num_threads(threads)
    return model, vocabulary, losses


def _train(model, optimiser, sentences, tags, vocabulary, lengths, batch_size, rng, losses, word_dropout) -> None:
    data = []  # each batch encoded once; the order of the batches is shuffled every epoch
    for batch in _batches(lengths, batch_size):
        words, chars, mask = encode([sentences[i] for i in batch], vocabulary)
        data.append((words, chars, mask, _tag_tensor([tags[i] for i in batch], vocabulary, mask.shape[1])))
    for epoch in range(len(losses)):
        total = 0.0
        for k in rng.permutation(len(data)):
            words, chars, mask, y = data[k]
            if word_dropout:
                words = torch.where(torch.from_numpy(rng.random(words.shape) < word_dropout), 0, words)
            loss = nll(model.emissions(words, chars, mask), model.trans, y, mask, model.start).sum()
            optimiser.zero_grad()
            (loss / mask.sum()).backward()
            optimiser.step()
            total += float(loss.detach())
        losses[epoch] = total / lengths.sum()


DECODERS = ("viterbi", "marginal", "emission")


def predict(model: BiLSTMCRF, vocabulary: Vocabulary, sentences, decoder: str = "viterbi",
            batch_size: int = 256) -> list:
    r"""Tag lists of ``sentences``: ``"viterbi"`` (the best sequence, :func:`viterbi`),
    ``"marginal"`` (per token, the most probable tag, argmax of :func:`marginals`) or
    ``"emission"`` (per token, argmax of the emission scores alone, ignoring :math:`\tau`, :math:`\phi`)."""
    if not isinstance(model, BiLSTMCRF):
        raise TypeError(f"model must be a BiLSTMCRF, got {type(model).__name__}")
    decoder = check_option("decoder", decoder, DECODERS)
    batch_size = check_int("batch_size", batch_size, low=1)
    out = [None] * len(sentences)
    order = np.argsort([len(s) for s in sentences], kind="stable")
    model.eval()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _decode(model, vocabulary, sentences, decoder, batch_size, order, out)
    finally:
        torch.set_num_threads(threads)
        model.train()
    return out


def _decode(model, vocabulary, sentences, decoder, batch_size, order, out) -> None:
    with torch.no_grad():
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            words, chars, mask = encode([sentences[i] for i in idx], vocabulary)
            emit = model.emissions(words, chars, mask)
            if decoder == "viterbi":
                path = viterbi(emit, model.trans, mask, model.start)[0]
            elif decoder == "marginal":
                path = marginals(emit, model.trans, mask, model.start).argmax(2)
            else:
                path = emit.argmax(2)
            for b, i in enumerate(idx):
                out[i] = [vocabulary.tags[j] for j in path[b, :len(sentences[i])].tolist()]
