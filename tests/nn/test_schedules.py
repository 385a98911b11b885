"""nnbook.nn.schedules: every step of every schedule against torch.optim.lr_scheduler, closed forms, bad inputs."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.nn import schedules as S

pytestmark = pytest.mark.ch4

L = torch.optim.lr_scheduler
SETTINGS = settings(max_examples=15, deadline=None, database=None)


def torch_lrs(make, n_steps, lr, optimizer=torch.optim.SGD, **opt_kwargs):
    """The learning rate of step t = 0, ..., n_steps - 1: read after t calls of scheduler.step()."""
    p = torch.zeros(1, requires_grad=True)
    opt = optimizer([p], lr=lr, **opt_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "scheduler.step() before optimizer.step()" and no deprecations
        scheduler = make(opt)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(n_steps - 1):
            opt.step()
            scheduler.step()
            lrs.append(opt.param_groups[0]["lr"])
    return np.array(lrs, dtype=float)


CASES = [
    ("step", S.StepSchedule(0.1, 7, 0.5), lambda o: L.StepLR(o, 7, 0.5), 0.1, 100),
    ("step_one", S.StepSchedule(0.3, 1, 0.9), lambda o: L.StepLR(o, 1, 0.9), 0.3, 60),
    ("cosine", S.CosineSchedule(0.1, 50), lambda o: L.CosineAnnealingLR(o, 50), 0.1, 51),
    ("cosine_past_T", S.CosineSchedule(0.1, 30, 0.001), lambda o: L.CosineAnnealingLR(o, 30, 0.001), 0.1, 150),
    ("linear_warmup", S.LinearSchedule(0.1, 0.1, 1.0, 10), lambda o: L.LinearLR(o, 0.1, 1.0, 10), 0.1, 40),
    ("linear_default", S.LinearSchedule(0.02), lambda o: L.LinearLR(o), 0.02, 20),
    ("linear_decay", S.LinearSchedule(0.1, 1.0, 0.2, 13), lambda o: L.LinearLR(o, 1.0, 0.2, 13), 0.1, 40),
    ("one_cycle", S.OneCycleSchedule(0.1, 100), lambda o: L.OneCycleLR(o, 0.1, 100), 0.1, 101),
    ("one_cycle_linear_3", S.OneCycleSchedule(0.05, 77, 0.25, "linear", 10.0, 100.0, three_phase=True),
     lambda o: L.OneCycleLR(o, 0.05, 77, pct_start=0.25, anneal_strategy="linear", div_factor=10.0,
                            final_div_factor=100.0, three_phase=True), 0.05, 78),
    ("one_cycle_cos_3", S.OneCycleSchedule(0.2, 50, 0.4, three_phase=True),
     lambda o: L.OneCycleLR(o, 0.2, 50, pct_start=0.4, three_phase=True), 0.2, 51),
    ("warmup_cosine", S.warmup_cosine(0.1, 10, 100),
     lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.01, 1.0, 10), L.CosineAnnealingLR(o, 90)], [10]), 0.1, 100),
    ("warmup_cosine_min", S.warmup_cosine(0.03, 5, 40, start_factor=0.2, eta_min=1e-4),
     lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.2, 1.0, 5), L.CosineAnnealingLR(o, 35, 1e-4)], [5]), 0.03, 60),
    ("three_in_a_row", S.SequentialSchedule([S.LinearSchedule(0.1, 0.5, 1.0, 4), S.StepSchedule(0.1, 5, 0.5),
                                             S.CosineSchedule(0.1, 20)], [4, 19]),
     lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.5, 1.0, 4), L.StepLR(o, 5, 0.5), L.CosineAnnealingLR(o, 20)],
                              [4, 19]), 0.1, 50),
]


@pytest.mark.parametrize("name, ours, make, lr, n", CASES, ids=[c[0] for c in CASES])
def test_every_step_matches_torch(name, ours, make, lr, n):
    np.testing.assert_allclose(ours.values(n), torch_lrs(make, n, lr), rtol=0, atol=1e-12)
    assert ours.base_lr == lr


def test_one_cycle_with_adam_matches_torch_too():
    # with Adam torch cycles beta1 instead of the momentum; the learning rates are the same
    ours = S.OneCycleSchedule(1e-2, 30, 0.3)
    theirs = torch_lrs(lambda o: L.OneCycleLR(o, 1e-2, 30), 31, 1e-2, torch.optim.Adam)
    np.testing.assert_allclose(ours.values(31), theirs, rtol=0, atol=1e-12)


def test_textbook_values():
    cos = S.CosineSchedule(1.0, 10, eta_min=0.2)
    assert cos(0) == 1.0 and cos(10) == pytest.approx(0.2, abs=1e-15) and cos(5) == pytest.approx(0.6)
    step = S.StepSchedule(1.0, 3, 0.5)
    np.testing.assert_allclose(step.values(7), [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    lin = S.LinearSchedule(2.0, 0.25, 1.0, 4)
    np.testing.assert_allclose(lin.values(6), [0.5, 0.875, 1.25, 1.625, 2.0, 2.0])
    one = S.OneCycleSchedule(1.0, 101, pct_start=0.5, div_factor=10.0, final_div_factor=10.0)
    assert one(0) == pytest.approx(0.1) and one(49) < 1.0 and one(50) < 1.0  # the peak, at step pN - 1 = 49.5, falls between steps and one(100) == pytest.approx(0.01)
    assert max(one.values(101)) == pytest.approx(1.0, rel=1e-3)


def test_warmup_cosine_is_linear_then_cosine():
    s = S.warmup_cosine(0.5, 4, 14, start_factor=0.1)
    np.testing.assert_allclose(s.values(4), 0.5 * (0.1 + 0.9 * np.arange(4) / 4))
    np.testing.assert_allclose([s(t) for t in range(4, 15)], 0.25 * (1 + np.cos(np.pi * np.arange(11) / 10)),
                               atol=1e-15)
    assert s(14) == pytest.approx(0.0, abs=1e-15)


@given(st.integers(1, 50), st.floats(0.01, 1.0), st.integers(0, 200))
@SETTINGS
def test_properties(step_size, gamma, t):
    # step decay is non-increasing; cosine stays within [eta_min, eta_0]; a warm-up never exceeds its peak
    s = S.StepSchedule(0.1, step_size, gamma)
    assert s(t + 1) <= s(t) <= 0.1
    c = S.CosineSchedule(0.1, step_size, eta_min=0.01)
    assert 0.01 - 1e-15 <= c(t) <= 0.1 + 1e-15
    w = S.warmup_cosine(0.1, step_size, step_size + 20)
    assert 0 <= w(min(t, step_size + 20)) <= 0.1 + 1e-15


# --- bad inputs ----------------------------------------------------------------------------
def bad_ints(low=1):
    return st.one_of(st.integers(max_value=low - 1), st.floats(0.5, 9.5).filter(lambda x: x != int(x)),
                     st.booleans(), st.just("3"), st.just(None), st.just(2.0))


def bad_reals(low=None, high=None, low_open=False, high_open=False):
    kinds = [st.just(math.nan), st.just(math.inf), st.just("0.1"), st.just(1 + 2j), st.just(True), st.just(None)]
    if low is not None:
        kinds.append(st.floats(low - 10, low, exclude_max=not low_open))
    if high is not None:
        kinds.append(st.floats(high, high + 10, exclude_min=not high_open))
    return st.one_of(*kinds)


BAD = [
    ("base_lr", bad_reals(low=0.0, low_open=True), lambda b: S.StepSchedule(b, 3)),
    ("step_size", bad_ints(), lambda b: S.StepSchedule(0.1, b)),
    ("gamma", bad_reals(low=0.0, high=1.0, low_open=True), lambda b: S.StepSchedule(0.1, 3, b)),
    ("T_max", bad_ints(), lambda b: S.CosineSchedule(0.1, b)),
    ("eta_min", bad_reals(low=0.0, high=0.1), lambda b: S.CosineSchedule(0.1, 10, b)),
    ("start_factor", bad_reals(low=0.0, high=1.0, low_open=True), lambda b: S.LinearSchedule(0.1, b)),
    ("end_factor", bad_reals(low=0.0, high=1.0), lambda b: S.LinearSchedule(0.1, 0.5, b)),
    ("total_iters", bad_ints(), lambda b: S.LinearSchedule(0.1, 0.5, 1.0, b)),
    ("max_lr", bad_reals(low=0.0, low_open=True), lambda b: S.OneCycleSchedule(b, 100)),
    ("total_steps", bad_ints(low=2), lambda b: S.OneCycleSchedule(0.1, b)),
    ("pct_start", bad_reals(low=0.0, high=1.0, low_open=True, high_open=True), lambda b: S.OneCycleSchedule(0.1, 100, b)),
    ("anneal_strategy", st.one_of(st.text(max_size=5).filter(lambda s: s not in ("cos", "linear")), st.just(None)),
     lambda b: S.OneCycleSchedule(0.1, 100, anneal_strategy=b)),
    ("div_factor", bad_reals(low=1.0), lambda b: S.OneCycleSchedule(0.1, 100, div_factor=b)),
    ("final_div_factor", bad_reals(low=1.0), lambda b: S.OneCycleSchedule(0.1, 100, final_div_factor=b)),
    ("three_phase", st.sampled_from([0, 1, "yes", None]), lambda b: S.OneCycleSchedule(0.1, 100, three_phase=b)),
    ("t", bad_ints(low=0), lambda b: S.CosineSchedule(0.1, 10)(b)),
    ("n_steps", bad_ints(), lambda b: S.StepSchedule(0.1, 3).values(b)),
    ("warmup_steps", bad_ints(), lambda b: S.warmup_cosine(0.1, b, 100)),
    ("schedules", st.sampled_from([[], "abc", None, [0.1], [S.StepSchedule(0.1, 2), "x"]]),
     lambda b: S.SequentialSchedule(b, [3] * max(0, len(b) - 1) if isinstance(b, list) else [])),
    ("milestones", st.sampled_from([[0], [2.0], ["3"], [None], [5, 5], [1, 2, 3], "5"]),
     lambda b: S.SequentialSchedule([S.StepSchedule(0.1, 2), S.StepSchedule(0.1, 2)], b)),
]


@pytest.mark.parametrize("arg, strategy, call", BAD, ids=[b[0] for b in BAD])
def test_bad_inputs_raise_naming_the_argument(arg, strategy, call):
    @given(strategy)
    @SETTINGS
    def check(bad):
        with pytest.raises((ValueError, TypeError), match=arg):
            call(bad)

    check()


def test_specific_messages():
    with pytest.raises(ValueError, match="total_steps must be an int >= 11, got 10"):
        S.warmup_cosine(0.1, 10, 10)
    with pytest.raises(ValueError, match="phase of no steps"):
        S.OneCycleSchedule(0.1, 10, pct_start=0.1)  # the rise would end at step 0
    with pytest.raises(ValueError, match="phase of no steps"):
        S.OneCycleSchedule(0.1, 10, pct_start=0.6, three_phase=True)  # phases end at 5, 10, 9
    with pytest.raises(ValueError, match="t must be an int <= 100 for this schedule, got 101"):
        S.OneCycleSchedule(0.1, 100)(101)
    with pytest.raises(ValueError, match="t must be an int <= 120"):
        S.SequentialSchedule([S.StepSchedule(0.1, 5), S.OneCycleSchedule(0.1, 100)], [20])(121)
    with pytest.raises(ValueError, match="eta_min must be <= 0.1"):
        S.CosineSchedule(0.1, 10, eta_min=0.2)
    with pytest.raises(ValueError, match=r"milestones must have one entry fewer than schedules \(1\), got 0"):
        S.SequentialSchedule([S.StepSchedule(0.1, 5), S.StepSchedule(0.1, 5)], [])
