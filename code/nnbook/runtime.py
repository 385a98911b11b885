"""Reproducibility and device selection for every notebook of the book.

``setup()`` is the one call a notebook makes in its first cell. It is what makes
``pytest --nbval`` able to compare re-executed outputs with the stored ones:

* Python's ``random``, NumPy's global generator and torch are seeded with one seed;
* torch and the BLAS libraries behind NumPy use a fixed number of threads
  (the result of a parallel reduction can depend on how many threads share it);
* torch is asked for deterministic algorithms;
* matplotlib gets the book's style (:func:`nnbook.plotting.use_book_style`).

It also holds the two other chores every page shares: the BLAS thread policy
(:func:`one_blas_thread`) and wall-clock timing (:func:`best_time`). Timings vary from run to
run, so notebooks print them only as ``wall time: …`` or ``time ratio: …×`` (the texts the nbval
sanitizer masks) or show them in a figure; the full benchmarks live in ``benchmarks/``.

Book section: "How the code is organised" (``book/code-organisation.ipynb``).
"""
from __future__ import annotations

import os
import random
import time
from typing import Callable

import numpy as np

from nnbook._validation import check_bool, check_callable, check_int

DEFAULT_SEED = 0
DEFAULT_THREADS = 2


def setup(seed: int = DEFAULT_SEED, threads: int = DEFAULT_THREADS, style: bool = True) -> None:
    """Seed everything, fix the thread count and apply the plotting style.

    Parameters
    ----------
    seed : int, default 0
        Seed for ``random``, ``numpy.random`` (the legacy global generator) and ``torch``:
        an int in [0, 2**32 - 1], the range NumPy's global generator accepts.
        Functions of ``nnbook`` that draw random numbers take their own ``random_state``;
        this call only covers code that uses the global generators.
    threads : int, default 2
        Number of threads, at least 1, for torch (intra-op) and for the BLAS/OpenMP pools used by NumPy.
        The book's outputs were stored with 2 threads; another count may change the last
        digits of some floating-point sums.
    style : bool, default True
        Apply :func:`nnbook.plotting.use_book_style`.

    Returns
    -------
    None
        Nothing, so that the first cell of a notebook prints nothing.
    """
    seed = check_int("seed", seed, low=0, high=2**32 - 1)
    threads = check_int("threads", threads, low=1)
    style = check_bool("style", style)

    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses only; kept for them
    random.seed(seed)
    np.random.seed(seed)

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    else:
        threadpool_limits(limits=threads)

    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)

    if style:
        from nnbook.plotting import use_book_style

        use_book_style()


_CONTROLLER = None


def one_blas_thread():
    """A context in which the BLAS behind NumPy/SciPy uses one thread.

    For many small matrix or vector products (an HMM step, an L-BFGS iteration on a few
    parameters) two threads synchronise at every call, which costs more than it saves, and on a
    busy machine a waiting thread can stall each step for a whole time slice. The results are
    the same; only the speed changes.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def device():
    """The torch device to train on: ``cuda`` when a GPU is present, otherwise ``cpu``.

    The book's stored outputs were produced on the CPU; every notebook runs there in
    under a minute, so a GPU is never needed.
    """
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def best_time(f: Callable[[], object], repeats: int = 5) -> float:
    """The shortest of ``repeats`` wall-clock durations of ``f()``, in seconds.

    The minimum is the least disturbed by other work on the machine. Used by
    ``book/ch5-cnn/01-convolution.ipynb`` and ``book/ch6-sequence-models/02-hmm-inference.ipynb``.
    """
    check_callable("f", f)
    repeats = check_int("repeats", repeats, low=1)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)
