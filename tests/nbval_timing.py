"""pytest plugin for the nbval run: prints each notebook's execution time at the end.

Loaded by `make test` with ``-p nbval_timing``. It sums the durations of a notebook's cells
(setup and call phases, so kernel start-up counts) and flags any notebook over the book's
budget of 60 s on a 2-core machine. It reports; it does not fail the run, because a loaded
CI machine can be slower than the budget assumes (`make bench` measures the budget properly).
"""
from collections import defaultdict

BUDGET_S = 60.0
_durations: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _durations[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _durations:
        return
    tr = terminalreporter
    tr.write_sep("-", "notebook execution times")
    for path, seconds in sorted(_durations.items()):
        flag = "  OVER BUDGET" if seconds > BUDGET_S else ""
        tr.write_line(f"{seconds:7.1f} s  {path}{flag}")
    tr.write_line(f"{sum(_durations.values()):7.1f} s  total ({len(_durations)} notebooks)")
