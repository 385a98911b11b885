"""nnbook.runtime: setup() makes runs reproducible; device() picks a torch device."""
import random

import numpy as np
import pytest
import torch

import nnbook

pytestmark = pytest.mark.book


def _draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_setup_makes_every_generator_reproducible():
    nnbook.setup(seed=123, style=False)
    first = _draw()
    nnbook.setup(seed=123, style=False)
    assert _draw() == first
    nnbook.setup(seed=124, style=False)
    assert _draw() != first


def test_setup_fixes_threads_and_determinism():
    nnbook.setup(threads=1, style=False)
    assert torch.get_num_threads() == 1
    assert torch.are_deterministic_algorithms_enabled()
    nnbook.setup(style=False)
    assert torch.get_num_threads() == 2


def test_setup_returns_nothing_and_applies_style():
    import matplotlib as mpl

    assert nnbook.setup() is None
    assert mpl.rcParams["axes.spines.top"] is False


@pytest.mark.parametrize("kwargs, error, name", [
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"threads": 0}, ValueError, "threads"),
    ({"threads": "2"}, TypeError, "threads"),
    ({"style": "yes"}, TypeError, "style"),
])
def test_setup_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        nnbook.setup(**kwargs)


def test_device_is_cpu_without_a_gpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert nnbook.device().type == expected


def test_one_blas_thread_limits_blas_and_restores_it():
    from threadpoolctl import threadpool_info
    from nnbook.runtime import one_blas_thread

    blas = lambda: [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    before = blas()
    with one_blas_thread():
        assert all(n == 1 for n in blas())
    assert blas() == before
