"""The book's own budget: every notebook executed from a fresh kernel, and the site build.

Budget on the reference machine (2 cores): each notebook <= 60 s and <= 2 GiB peak memory,
the whole book <= 10 min. ``make book`` only renders the stored outputs; its time is measured
as a fresh build of the whole site into a temporary folder (the shared ``_build`` is left alone).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_BUDGET_S = 60.0
NOTEBOOK_BUDGET_MIB = 2048.0
BOOK_BUDGET_S = 600.0


def notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def run_notebook(path: Path) -> dict:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "execute_notebook.py"), str(path)],
                          cwd=ROOT, capture_output=True, text=True)
    rel = str(path.relative_to(ROOT))
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"path": rel, "seconds": None, "cpu_s": None, "peak_rss_mib": None, "error": tail[0][:300]}
    row = {"path": rel, **json.loads(proc.stdout.strip().splitlines()[-1])}
    row["over_budget"] = bool(row["seconds"] > NOTEBOOK_BUDGET_S or row["peak_rss_mib"] > NOTEBOOK_BUDGET_MIB)
    return row


def build_site() -> dict:
    """Wall and CPU time of ``jupyter-book build .`` (what ``make book`` runs) into a fresh folder."""
    jb = Path(sys.executable).parent / "jupyter-book"
    with tempfile.TemporaryDirectory(prefix="nnbook-bench-build-") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(jb), "build", ".", "--path-output", out], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stderr = proc.stderr.read()
        proc.stderr.close()
        ok = os.waitstatus_to_exitcode(status) == 0 and (Path(out) / "_build" / "html" / "index.html").is_file()
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", stderr).splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and not line.startswith(("File ", "raise "))]
    return {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024,
            "ok": ok, "error": None if ok else (errors[-1] if errors else lines[-1] if lines else "no output")[:300],
            "warnings": sum("WARNING" in line for line in lines), "command": "jupyter-book build . (fresh output folder)"}


def measure(progress=print) -> dict:
    rows = []
    for path in notebooks():
        row = run_notebook(path)
        rows.append(row)
        shown = "failed: " + row["error"] if row["seconds"] is None or row["error"] else f"{row['seconds']:.1f} s"
        progress(f"  {row['path']}: {shown}")
    done = [r for r in rows if r["seconds"] is not None]
    total = sum(r["seconds"] for r in done)
    progress("  building the site ...")
    return {
        "notebooks": rows,
        "total_notebook_s": total,
        "total_notebook_cpu_s": sum(r["cpu_s"] for r in done),
        "budget": {"notebook_s": NOTEBOOK_BUDGET_S, "notebook_mib": NOTEBOOK_BUDGET_MIB, "book_s": BOOK_BUDGET_S},
        "total_over_budget": total > BOOK_BUDGET_S,
        "build": build_site(),
    }
