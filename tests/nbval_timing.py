"""pytest plugin for the nbval run: one progress line per notebook, and their times at the end.

Loaded by `make notebooks` with ``-p nbval_timing``; works with and without pytest-xdist (with
``-n N --dist loadfile`` each notebook runs whole on one worker, and the lines come from the
controller as the notebooks finish). A notebook's time sums the durations of its cells (setup
and call phases, so kernel start-up counts). Any notebook over the book's budget of 60 s on a
2-core machine is flagged; it reports, it does not fail the run, because a loaded CI machine can
be slower than the budget assumes (`make bench` measures the budget properly). The same table is
written to ``_build/reports/notebook-times-<lane>.txt`` (a CI artifact).
"""
from __future__ import annotations

import os
from pathlib import Path
from collections import Counter, defaultdict

BUDGET_S = 60.0
_durations: dict[str, float] = defaultdict(float)
_cells: Counter = Counter()
_done: Counter = Counter()
_failed: set[str] = set()
_finished: list[str] = []


def _notebook(nodeid: str) -> str | None:
    path = nodeid.split("::")[0]
    return path if path.endswith(".ipynb") else None


def _count(nodeids):
    if _cells:
        return
    for nodeid in nodeids:
        path = _notebook(nodeid)
        if path:
            _cells[path] += 1


def pytest_collection_modifyitems(session, config, items):
    _count(item.nodeid for item in items)


def pytest_xdist_node_collection_finished(node, ids):
    _count(ids)


def pytest_runtest_logreport(report):
    path = _notebook(report.nodeid)
    if path is None:
        return
    _durations[path] += report.duration
    if report.failed:
        _failed.add(path)
    if report.when != "teardown":
        return
    _done[path] += 1
    if _cells[path] and _done[path] == _cells[path]:
        _finished.append(path)
        reporter = _reporter()
        if reporter is not None:
            verdict = "FAILED" if path in _failed else "ok"
            lane = os.environ.get("NNBOOK_LANE", "")
            lane = f"[{lane}] " if lane else ""
            if getattr(reporter._tw, "width_of_current_line", 0):
                reporter._tw.line()  # end the line of progress dots first
            reporter.write_line(f"{lane}[{len(_finished):2d}/{len(_cells)}] "
                                f"{_durations[path]:5.1f} s  {verdict:6s} {path}")


_config = None


def pytest_configure(config):
    global _config
    _config = config


def _reporter():
    if _config is None:
        return None
    return _config.pluginmanager.get_plugin("terminalreporter")


def pytest_terminal_summary(terminalreporter):
    if not _durations or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    tr = terminalreporter
    tr.write_sep("-", "notebook execution times")
    for path, seconds in sorted(_durations.items()):
        flag = "  OVER BUDGET" if seconds > BUDGET_S else ""
        tr.write_line(f"{seconds:7.1f} s  {path}{flag}")
    tr.write_line(f"{sum(_durations.values()):7.1f} s  total ({len(_durations)} notebooks)")
    lines = [f"{seconds:7.1f} s  {'FAILED' if path in _failed else 'ok':6s} {path}" for path, seconds in sorted(_durations.items())]
    lines.append(f"{sum(_durations.values()):7.1f} s  total ({len(_durations)} notebooks)")
    try:
        reports = Path(_config.rootpath if _config is not None else ".") / "_build" / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        lane = os.environ.get("NNBOOK_LANE", "") or "all"
        (reports / f"notebook-times-{lane}.txt").write_text("\n".join(lines) + "\n")
    except OSError as err:  # a read-only checkout still gets the table on the terminal
        tr.write_line(f"(could not write the timing report: {err})")


# ------------------------------------------------------------------ kernel start-up, retried
# With pytest-xdist, two workers can start kernels at the same instant, and jupyter_client's
# choice of free ports races between them: the loser's kernel exits at once ("Kernel died
# before replying to kernel_info", seen on a clean CI clone). That is a start-up accident, not a
# result of the notebook, so a kernel that dies while starting is started again (three tries).
def _start_kernel_with_retry():
    import time

    from nbval import kernel

    start = kernel.RunningKernel.__init__
    if getattr(start, "retries", False):
        return

    def start_with_retry(self, *args, **kwargs):
        for attempt in range(3):
            try:
                return start(self, *args, **kwargs)
            except RuntimeError as error:
                if "Kernel died before replying" not in str(error) or attempt == 2:
                    raise
                time.sleep(1.0 + attempt)

    start_with_retry.retries = True
    kernel.RunningKernel.__init__ = start_with_retry


_start_kernel_with_retry()
