"""Wall-clock timing for the notebooks that compare implementations.

Timings vary from run to run, so notebooks print them only as ``wall time: …`` or
``time ratio: …×`` (the texts the nbval sanitizer masks) or show them in a figure.
The full benchmarks live in ``benchmarks/`` (``make bench``).

Book sections: ``book/ch5-cnn/01-convolution.ipynb``, ``book/ch6-sequence-models/02-hmm-inference.ipynb``.
"""
from __future__ import annotations

import time
from typing import Callable


def best_time(f: Callable[[], object], repeats: int = 5) -> float:
    """The shortest of ``repeats`` wall-clock durations of ``f()``, in seconds.

    The minimum is the least disturbed by other work on the machine.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)
