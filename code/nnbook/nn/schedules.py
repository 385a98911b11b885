r"""Learning-rate schedules: the learning rate :math:`\eta_t` at step :math:`t = 0, 1, 2, \dots`.

Each schedule is a small object; ``schedule(t)`` is the learning rate used by the optimiser's
step number ``t`` (counting from 0), and ``schedule.values(n)`` the first ``n`` of them. Every
one is written as a closed formula and matches its ``torch.optim.lr_scheduler`` counterpart,
read after ``t`` calls of ``scheduler.step()``, to rounding (the tests compare all steps to 1e-12):

=========================  ========================  ==============================================================
schedule                   torch                     :math:`\eta_t`
=========================  ========================  ==============================================================
:class:`StepSchedule`      ``StepLR``                :math:`\eta_0\,\gamma^{\lfloor t/s\rfloor}`
:class:`CosineSchedule`    ``CosineAnnealingLR``     :math:`\eta_{min} + (\eta_0-\eta_{min})\,\frac{1+\cos(\pi t/T)}{2}`
:class:`LinearSchedule`    ``LinearLR``              :math:`\eta_0\,\big(a + (b-a)\min(t, T)/T\big)`
:class:`OneCycleSchedule`  ``OneCycleLR``            rise from :math:`\eta_{max}/d` to :math:`\eta_{max}`, then anneal to :math:`\eta_{max}/(d f)`
:class:`SequentialSchedule` ``SequentialLR``         schedule :math:`k` at :math:`t - m_k` for :math:`m_k \le t < m_{k+1}`
=========================  ========================  ==============================================================

:func:`warmup_cosine` builds the usual "linear warm-up, then cosine decay" as a
:class:`SequentialSchedule`. To drive a ``torch.optim`` optimiser with one of these, wrap it:
``torch.optim.lr_scheduler.LambdaLR(opt, lambda t: schedule(t) / schedule.base_lr)`` with the
optimiser built at ``lr=schedule.base_lr``.

Papers: cosine annealing, Loshchilov & Hutter (2017, SGDR); one-cycle, Smith & Topin (2019);
linear warm-up, Goyal et al. (2017).
Book section: "Learning-rate schedules" (``book/ch4-training/12-schedules.ipynb``).
"""
from __future__ import annotations

import bisect
import math

import numpy as np

from nnbook._validation import check_bool, check_int, check_number, check_option, check_sequence

__all__ = ["Schedule", "StepSchedule", "CosineSchedule", "LinearSchedule", "OneCycleSchedule",
           "SequentialSchedule", "warmup_cosine"]


def _lr(name: str, value) -> float:
    return check_number(name, value, low=0.0, low_open=True)


class Schedule:
    """Base class: ``schedule(t)`` for a step ``t >= 0``; ``values(n_steps)`` for ``t = 0, ..., n_steps - 1``.

    ``base_lr`` is the learning rate the optimiser is built with (the peak of a one-cycle schedule).
    """

    base_lr: float
    #: The last step the schedule is defined for (``None``: every step).
    last_step: int | None = None

    def __call__(self, t: int) -> float:
        t = check_int("t", t, low=0)
        if self.last_step is not None and t > self.last_step:
            raise ValueError(f"t must be an int <= {self.last_step} for this schedule, got {t}")
        return float(self._lr(t))

    def values(self, n_steps: int) -> np.ndarray:
        """``np.array([self(t) for t in range(n_steps)])``, shape (n_steps,)."""
        n_steps = check_int("n_steps", n_steps, low=1)
        return np.array([self(t) for t in range(n_steps)])

    def _lr(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class StepSchedule(Schedule):
    r"""Step decay, like ``torch.optim.lr_scheduler.StepLR``: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}`.

    Parameters
    ----------
    base_lr : float
        :math:`\eta_0 > 0`.
    step_size : int
        :math:`s \ge 1`, the number of steps between two decays.
    gamma : float, default 0.1
        The factor :math:`0 < \gamma \le 1` of each decay.
    """

    def __init__(self, base_lr: float, step_size: int, gamma: float = 0.1):
        self.base_lr = _lr("base_lr", base_lr)
        self.step_size = check_int("step_size", step_size, low=1)
        self.gamma = check_number("gamma", gamma, low=0.0, high=1.0, low_open=True)

    def _lr(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class CosineSchedule(Schedule):
    r"""Cosine annealing, like ``torch.optim.lr_scheduler.CosineAnnealingLR``.

    .. math:: \eta_t = \eta_{min} + (\eta_0 - \eta_{min})\,\tfrac12\big(1 + \cos(\pi t / T)\big),

    from :math:`\eta_0` at :math:`t = 0` down to :math:`\eta_{min}` at :math:`t = T` (past :math:`T`
    the formula, like torch, rises again). Loshchilov & Hutter (2017).

    Parameters
    ----------
    base_lr : float
        :math:`\eta_0 > 0`.
    T_max : int
        :math:`T \ge 1`, the step at which the minimum is reached.
    eta_min : float, default 0
        :math:`0 \le \eta_{min} \le \eta_0`.
    """

    def __init__(self, base_lr: float, T_max: int, eta_min: float = 0.0):
        self.base_lr = _lr("base_lr", base_lr)
        self.T_max = check_int("T_max", T_max, low=1)
        self.eta_min = check_number("eta_min", eta_min, low=0.0, high=self.base_lr)

    def _lr(self, t):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearSchedule(Schedule):
    r"""A linear ramp of the factor, like ``torch.optim.lr_scheduler.LinearLR`` (linear warm-up).

    .. math:: \eta_t = \eta_0\,\Big(a + (b - a)\,\frac{\min(t, T)}{T}\Big),

    from :math:`a\eta_0` at :math:`t = 0` to :math:`b\eta_0` at :math:`t = T`, constant afterwards.

    Parameters
    ----------
    base_lr : float
        :math:`\eta_0 > 0`.
    start_factor : float, default 1/3
        :math:`0 < a \le 1`.
    end_factor : float, default 1
        :math:`0 \le b \le 1`.
    total_iters : int, default 5
        :math:`T \ge 1`.
    """

    def __init__(self, base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5):
        self.base_lr = _lr("base_lr", base_lr)
        self.start_factor = check_number("start_factor", start_factor, low=0.0, high=1.0, low_open=True)
        self.end_factor = check_number("end_factor", end_factor, low=0.0, high=1.0)
        self.total_iters = check_int("total_iters", total_iters, low=1)

    def _lr(self, t):
        a, b, T = self.start_factor, self.end_factor, self.total_iters
        return self.base_lr * (a + (b - a) * min(T, t) / T)


class OneCycleSchedule(Schedule):
    r"""The one-cycle policy (Smith & Topin, 2019), like ``torch.optim.lr_scheduler.OneCycleLR``.

    With :math:`\eta_{max}` = ``max_lr``, :math:`\eta_{start} = \eta_{max}/d`, :math:`\eta_{end} =
    \eta_{start}/f` and :math:`N` = ``total_steps``, the rate rises from :math:`\eta_{start}` to
    :math:`\eta_{max}` over the first phase, which ends at step :math:`p N - 1`, then falls to
    :math:`\eta_{end}` at step :math:`N - 1`. Within a phase from step :math:`s_0` (rate :math:`u`)
    to :math:`s_1` (rate :math:`w`), with :math:`q = (t - s_0)/(s_1 - s_0)`,

    .. math::
        \eta_t = w + \tfrac12 (u - w)\big(1 + \cos(\pi q)\big) \quad\text{(cos)}, \qquad
        \eta_t = u + (w - u)\,q \quad\text{(linear)}.

    ``three_phase=True`` rises until :math:`pN - 1`, falls back to :math:`\eta_{start}` at
    :math:`2pN - 2`, then anneals to :math:`\eta_{end}` at :math:`N - 1`. Only the learning rate is
    modelled (torch also cycles the momentum). Defined for :math:`0 \le t \le N` (torch refuses
    later steps; step :math:`N` extrapolates the last phase).

    Parameters
    ----------
    max_lr : float
        :math:`\eta_{max} > 0` (also ``base_lr``).
    total_steps : int
        :math:`N \ge 2`.
    pct_start : float, default 0.3
        :math:`p`, the fraction of the steps spent rising; the first phase must end after step 0
        and before the last one (:math:`1 < pN < N`; with ``three_phase``, :math:`2pN - 2 < N - 1`).
    anneal_strategy : {"cos", "linear"}, default "cos"
    div_factor : float, default 25
        :math:`d \ge 1`.
    final_div_factor : float, default 1e4
        :math:`f \ge 1`.
    three_phase : bool, default False
    """

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False):
        self.base_lr = self.max_lr = _lr("max_lr", max_lr)
        self.total_steps = check_int("total_steps", total_steps, low=2)
        self.pct_start = check_number("pct_start", pct_start, low=0.0, high=1.0, low_open=True, high_open=True)
        self.anneal_strategy = check_option("anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.div_factor = check_number("div_factor", div_factor, low=1.0)
        self.final_div_factor = check_number("final_div_factor", final_div_factor, low=1.0)
        self.three_phase = check_bool("three_phase", three_phase)
        self.last_step = self.total_steps
        initial = self.max_lr / self.div_factor
        minimum = initial / self.final_div_factor
        N, p = self.total_steps, self.pct_start
        if three_phase:
            self.phases = [(float(p * N) - 1, initial, self.max_lr), (float(2 * p * N) - 2, self.max_lr, initial),
                           (N - 1, initial, minimum)]
        else:
            self.phases = [(float(p * N) - 1, initial, self.max_lr), (N - 1, self.max_lr, minimum)]
        ends = [0.0] + [end for end, _, _ in self.phases]
        if any(b <= a for a, b in zip(ends, ends[1:])):
            raise ValueError(f"pct_start={pct_start} with total_steps={total_steps} gives a phase of no steps "
                             f"(phase ends {ends[1:]}); need 1 < pct_start * total_steps"
                             f"{' and 2 pct_start total_steps - 2 < total_steps - 1' if three_phase else ' < total_steps'}")

    def _lr(self, t):
        start = 0.0
        for i, (end, u, w) in enumerate(self.phases):
            if t <= end or i == len(self.phases) - 1:
                q = (t - start) / (end - start)
                if self.anneal_strategy == "cos":
                    return w + (u - w) / 2.0 * (math.cos(math.pi * q) + 1)
                return (w - u) * q + u
            start = end
        raise AssertionError("unreachable")  # pragma: no cover


class SequentialSchedule(Schedule):
    r"""Schedules one after the other, like ``torch.optim.lr_scheduler.SequentialLR``.

    With milestones :math:`m_1 < m_2 < \dots` (and :math:`m_0 = 0`), step :math:`t` with
    :math:`m_k \le t < m_{k+1}` uses schedule :math:`k` at its own step :math:`t - m_k`: each
    schedule restarts from its beginning at its milestone.

    Parameters
    ----------
    schedules : sequence of Schedule
        At least one; ``base_lr`` is the first one's.
    milestones : sequence of int
        One fewer than ``schedules``, strictly increasing, each >= 1.
    """

    def __init__(self, schedules, milestones):
        schedules = check_sequence("schedules", schedules)
        for i, s in enumerate(schedules):
            if not isinstance(s, Schedule):
                raise TypeError(f"schedules[{i}] must be a Schedule, got {type(s).__name__} ({s!r:.60})")
        milestones = [check_int(f"milestones[{i}]", m, low=1)
                      for i, m in enumerate(check_sequence("milestones", milestones, allow_empty=True))]
        if len(milestones) != len(schedules) - 1:
            raise ValueError(f"milestones must have one entry fewer than schedules ({len(schedules) - 1}), "
                             f"got {len(milestones)}: {milestones}")
        if any(b <= a for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"milestones must be strictly increasing, got {milestones}")
        self.schedules, self.milestones = schedules, milestones
        self.base_lr = schedules[0].base_lr
        last = schedules[-1].last_step
        self.last_step = None if last is None else last + (milestones[-1] if milestones else 0)

    def _lr(self, t):
        k = bisect.bisect_right(self.milestones, t)
        start = self.milestones[k - 1] if k > 0 else 0
        return self.schedules[k](t - start)


def warmup_cosine(base_lr: float, warmup_steps: int, total_steps: int, start_factor: float = 0.01,
                  eta_min: float = 0.0) -> SequentialSchedule:
    r"""Linear warm-up for ``warmup_steps`` steps, then cosine decay until ``total_steps``.

    .. math::
        \eta_t = \eta_0\big(a + (1-a)\,t/W\big) \ (t < W), \qquad
        \eta_t = \eta_{min} + (\eta_0 - \eta_{min})\,\tfrac12\big(1 + \cos(\pi (t - W)/(N - W))\big) \ (t \ge W),

    the ``SequentialLR([LinearLR(start_factor=a, total_iters=W), CosineAnnealingLR(T_max=N - W)],
    milestones=[W])`` of torch. Goyal et al. (2017) for the warm-up.

    Parameters
    ----------
    base_lr : float
        :math:`\eta_0 > 0`, the peak.
    warmup_steps : int
        :math:`W \ge 1`.
    total_steps : int
        :math:`N > W`; the rate reaches :math:`\eta_{min}` at step :math:`N`.
    start_factor : float, default 0.01
        :math:`0 < a \le 1`.
    eta_min : float, default 0
    """
    warmup_steps = check_int("warmup_steps", warmup_steps, low=1)
    total_steps = check_int("total_steps", total_steps, low=warmup_steps + 1)
    return SequentialSchedule([LinearSchedule(base_lr, start_factor, 1.0, warmup_steps),
                               CosineSchedule(base_lr, total_steps - warmup_steps, eta_min)], [warmup_steps])
