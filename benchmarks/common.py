"""Timing helpers shared by the benchmark groups: medians of interleaved repeats, machine facts.

A comparison times our function and the reference in the same process, alternately
(ours, reference, ours, reference, ...), after one untimed warm-up call of each, so that both
see the same machine load; it reports the median of each and the ratio of the medians.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
REPEATS = 3 if QUICK else 7


def seconds(fn, repeats: int = 1) -> list[float]:
    """Wall-clock durations of ``repeats`` calls of ``fn()`` (time.perf_counter)."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


@dataclass
class Comparison:
    """One row of the results table: ours vs a reference, ratio = median(ours) / median(reference)."""

    id: str
    group: str
    title: str
    ours: str
    reference: str
    target: float | None
    ours_s: list[float] = field(default_factory=list)
    reference_s: list[float] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours_s) / statistics.median(self.reference_s)

    def to_json(self) -> dict:
        row = asdict(self)
        row["ours_median_s"] = statistics.median(self.ours_s)
        row["reference_median_s"] = statistics.median(self.reference_s)
        row["ratio"] = self.ratio
        row["met"] = None if self.target is None else bool(self.ratio <= self.target)
        return row


def compare(row: Comparison, ours, reference, repeats: int = REPEATS) -> Comparison:
    """Fill ``row`` with interleaved timings of ``ours()`` and ``reference()``."""
    ours()  # warm-up: imports, caches, first-touch allocations
    reference()
    for _ in range(repeats):
        row.ours_s += seconds(ours)
        row.reference_s += seconds(reference)
    return row


def median_time(fn, repeats: int = REPEATS) -> float:
    fn()
    return statistics.median(seconds(fn, repeats))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


PACKAGES = ["numpy", "scipy", "torch", "hmmlearn", "sklearn-crfsuite", "python-crfsuite", "scikit-learn",
            "nbclient", "jupyter-book"]


def machine(threads: int) -> dict:
    """The facts that explain the timings: CPU, cores, memory, library versions, BLAS, load."""
    from threadpoolctl import threadpool_info

    return {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "blas": sorted({f"{i['internal_api']} {i.get('version') or ''}".strip() for i in threadpool_info()}),
        "threads": threads,
    }


def load_average() -> list[float]:
    """1-, 5- and 15-minute load averages (other processes competing for the cores)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []
