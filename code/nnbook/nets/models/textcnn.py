"""TextCNN (Kim 2014): convolutions over word windows, 1-max pooling over time, a dense layer.

A review of :math:`L` words becomes an :math:`L \\times K` matrix of word vectors (one per
embedding *channel*). A filter of window :math:`h` is a :math:`h \\times K` weight matrix per
channel; at every position it computes

.. math:: c_i = \\mathrm{ReLU}\\Bigl(b + \\sum_{\\text{channels}} \\langle W, X_{i:i+h-1} \\rangle\\Bigr),
          \\qquad i = 1, \\dots, L - h + 1,

and 1-max pooling keeps :math:`\\max_i c_i`: whether, not where, the n-gram occurred. The pooled
features of all filters and windows are concatenated and classified by a dense layer with
dropout. Kim's four variants (``mode``): "rand" (one trainable channel, random start),
"static" (one frozen pretrained channel), "non-static" (one trainable channel started from
the pretrained vectors) and "multichannel" (a frozen and a trainable copy; each filter sees
both).

Book section: ``book/ch5-cnn/06-text.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_array, check_int, check_number, check_option

__all__ = ["TextCNN", "top_ngrams"]

MODES = ("rand", "static", "non-static", "multichannel")


class TextCNN(nn.Module):
    """Convolutional sentence classifier.

    Parameters
    ----------
    vocab_size : int
    embed_dim : int
    n_classes : int
    windows : sequence of int, default (3, 4, 5)
        Window sizes h; each gets ``n_filters`` filters.
    n_filters : int, default 100
    embeddings : Tensor or ndarray, shape (vocab_size, embed_dim), optional
        Pretrained vectors; required unless ``mode="rand"``.
    mode : {"rand", "static", "non-static", "multichannel"}, default "multichannel"
    dropout : float, default 0.5

    Input: int64 word indices (N, L) with L >= max(windows), 0 for padding; output logits (N, n_classes).
    """

    def __init__(self, vocab_size: int, embed_dim: int, n_classes: int, windows=(3, 4, 5), n_filters: int = 100,
                 embeddings=None, mode: str = "multichannel", dropout: float = 0.5):
        super().__init__()
        check_option("mode", mode, MODES)
        vocab_size = check_int("vocab_size", vocab_size, low=1)
        embed_dim = check_int("embed_dim", embed_dim, low=1)
        n_classes = check_int("n_classes", n_classes, low=1)
        n_filters = check_int("n_filters", n_filters, low=1)
        dropout = check_number("dropout", dropout, low=0.0, high=1.0)
        if isinstance(windows, (str, bytes)) or not hasattr(windows, "__iter__"):
            raise ValueError(f"windows must be positive ints, got {windows!r}")
        windows = tuple(windows)
        if not windows:
            raise ValueError(f"windows must be positive ints, got {windows!r}")
        windows = tuple(check_int(f"windows[{i}]", h, low=1) for i, h in enumerate(windows))
        if mode != "rand":
            if embeddings is None:
                raise ValueError(f"mode={mode!r} needs pretrained embeddings")
            if not isinstance(embeddings, torch.Tensor):
                check_array("embeddings", embeddings, ndim=2, dtype="any")
            elif not bool(torch.isfinite(embeddings).all()):
                raise ValueError("embeddings must be finite; it contains NaN or infinite values")
            embeddings = torch.as_tensor(embeddings, dtype=torch.float32)
            if embeddings.shape != (vocab_size, embed_dim):
                raise ValueError(f"embeddings must have shape ({vocab_size}, {embed_dim}), got {tuple(embeddings.shape)}")
        self.mode, self.windows, self.vocab_size = mode, windows, vocab_size
        self.static = nn.Embedding.from_pretrained(embeddings, freeze=True) if mode in ("static", "multichannel") else None
        if mode == "rand":
            self.trainable = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        elif mode in ("non-static", "multichannel"):
            self.trainable = nn.Embedding.from_pretrained(embeddings.clone(), freeze=False, padding_idx=0)
        else:
            self.trainable = None
        n_channels = 2 if mode == "multichannel" else 1
        self.convs = nn.ModuleList(nn.Conv2d(n_channels, n_filters, (h, embed_dim)) for h in windows)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(n_filters * len(windows), n_classes)

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """(N, L) indices -> (N, channels, L, embed_dim)."""
        if not isinstance(tokens, torch.Tensor):
            raise TypeError(f"tokens must be an int64 torch.Tensor of shape (N, L), got {type(tokens).__name__}")
        if tokens.ndim != 2 or tokens.dtype != torch.int64:
            raise ValueError(f"tokens must be an int64 tensor of shape (N, L), got {tokens.dtype} {tuple(tokens.shape)}")
        if tokens.numel() == 0:
            raise ValueError(f"tokens is empty, got shape {tuple(tokens.shape)}")
        if int(tokens.min()) < 0 or int(tokens.max()) >= self.vocab_size:
            raise ValueError(f"tokens must hold word indices in [0, {self.vocab_size}) (vocab_size), got "
                             f"[{int(tokens.min())}, {int(tokens.max())}]")
        if tokens.shape[1] < max(self.windows):
            raise ValueError(f"tokens has length {tokens.shape[1]}, shorter than the largest window {max(self.windows)}")
        channels = [e(tokens) for e in (self.static, self.trainable) if e is not None]
        return torch.stack(channels, dim=1)

    def feature_maps(self, tokens: torch.Tensor) -> list[torch.Tensor]:
        """One (N, n_filters, L - h + 1) map of ReLU activations per window size h."""
        X = self.embed(tokens)
        return [torch.relu(conv(X)).squeeze(3) for conv in self.convs]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pooled = [fmap.amax(dim=2) for fmap in self.feature_maps(tokens)]  # 1-max pooling over time
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


@torch.no_grad()
def top_ngrams(model: TextCNN, tokens: torch.Tensor, words, per_filter: int = 3) -> list[tuple[int, int, list[tuple[str, float]]]]:
    """The distinct n-grams of ``tokens`` that excite each filter most.

    Parameters
    ----------
    model : TextCNN
    tokens : int64 Tensor, shape (N, L)
    words : sequence of str
        ``words[i]`` is the word of index i (e.g. ``Vocabulary().words_``).
    per_filter : int, default 3

    Returns
    -------
    list of (h, filter index, [(n-gram, activation), ...]), one entry per filter, in the order of
    the features that 1-max pooling concatenates (windows in ``model.windows`` order).
    """
    if not isinstance(model, TextCNN):
        raise TypeError(f"model must be a TextCNN, got {type(model).__name__}")
    per_filter = check_int("per_filter", per_filter, low=1)
    if isinstance(words, (str, bytes)) or not hasattr(words, "__getitem__"):
        raise TypeError(f"words must be a sequence of str, got {type(words).__name__}")
    if isinstance(tokens, torch.Tensor) and tokens.ndim == 2 and tokens.dtype == torch.int64 and tokens.numel():
        if int(tokens.min()) < 0 or int(tokens.max()) >= len(words):
            raise ValueError(f"tokens must be indices into words, in [0, {len(words)}), got "
                             f"[{int(tokens.min())}, {int(tokens.max())}]")
    model.eval()
    result = []
    for h, fmap in zip(model.windows, model.feature_maps(tokens)):
        N, F, P = fmap.shape
        for f in range(F):
            flat = fmap[:, f, :].reshape(-1)
            best: list[tuple[str, float]] = []
            for index in torch.argsort(flat, descending=True, stable=True).tolist():
                n, i = divmod(index, P)
                gram = " ".join(words[t] for t in tokens[n, i:i + h].tolist())
                if all(gram != g for g, _ in best):
                    best.append((gram, float(flat[index])))
                if len(best) == per_filter:
                    break
            result.append((h, f, best))
    return result
