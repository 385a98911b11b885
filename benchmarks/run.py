"""Run the book's benchmarks: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``).

Writes ``benchmarks/results.json`` (read by the appendix page ``book/appendix/benchmarks.ipynb``)
and prints a table. Environment variables:

``BENCH_QUICK=1``
    Fewer repeats, shorter scaling series, a smaller CRF run; the notebooks and the site build are
    skipped unless named in ``BENCH_ONLY``. The JSON goes to a temporary folder, so the committed
    ``results.json`` is never replaced by quick numbers.
``BENCH_ONLY=hmm,crf,layers,book``
    Run only these groups; a full (not quick) run merges them into the existing ``results.json``.
``BENCH_OUT=path``
    Write the JSON there instead.
``BENCH_THREADS=n``
    Threads for torch and BLAS (default 2, as in every notebook).

Timings are wall-clock medians, ours and the reference interleaved in one process, with 2 threads
for torch and BLAS (``nnbook.setup(threads=2)``). Targets are printed as met or missed, never asserted.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

GROUPS = ("hmm", "crf", "layers", "book")
RESULTS = HERE / "results.json"


def _round(value, digits: int = 6):
    """Floats to 6 significant digits (so re-runs do not rewrite every character of the JSON)."""
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0 else float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    if hasattr(value, "item"):  # NumPy scalars
        return _round(value.item(), digits)
    return value


def _report(rows) -> list[dict]:
    out = [r.to_json() for r in rows]
    for r in out:
        print(f"  {r['title']}: ratio {r['ratio']:.2f}")
    return out


def run_group(name: str, results: dict) -> None:
    if name == "hmm":
        import bench_hmm

        results["comparisons"] += _report(bench_hmm.comparisons())
        results["scaling"]["hmm"] = bench_hmm.scaling()
    elif name == "crf":
        import bench_crf

        results["comparisons"] += _report(bench_crf.comparisons())
        results["scaling"]["crf"] = bench_crf.scaling()
    elif name == "layers":
        import bench_layers

        for bench in (bench_layers.conv2d, bench_layers.batch_norm, bench_layers.mlp_epoch):
            try:
                results["comparisons"] += _report([bench()])
            except Exception as exc:  # a chapter's module may not exist yet: report, go on
                results["runs"][name].setdefault("errors", []).append(f"{bench.__name__}: {type(exc).__name__}: {exc}")
                print(f"  {bench.__name__} skipped: {type(exc).__name__}: {exc}")
    elif name == "book":
        import bench_book

        results["book"] = bench_book.measure()


def _status(row: dict) -> str:
    if row["target"] is None:
        return ""
    return "met" if row["met"] else "MISS"


def print_tables(results: dict) -> None:
    rows = results["comparisons"]
    if rows:
        print(f"\n{'benchmark':46} {'ours':>10} {'reference':>10} {'ratio':>7} {'target':>7}  status")
        for r in rows:
            target = "" if r["target"] is None else f"≤ {r['target']:g}"
            print(f"{r['title'][:46]:46} {r['ours_median_s']:9.4f}s {r['reference_median_s']:9.4f}s "
                  f"{r['ratio']:6.2f}× {target:>7}  {_status(r)}")
        for r in rows:
            if r["met"] is False:
                print(f"MISS: {r['title']}: ratio {r['ratio']:.2f} > target {r['target']:g} ({r['ours']} vs {r['reference']})")
    book = results.get("book")
    if book:
        print(f"\n{'notebook (fresh kernel)':52} {'wall':>8} {'cpu':>8} {'peak':>9}")
        for nb in book["notebooks"]:
            if nb["seconds"] is None or nb["error"]:
                print(f"{nb['path'][:52]:52} FAILED: {nb['error']}")
                continue
            flag = "  OVER BUDGET" if nb["over_budget"] else ""
            print(f"{nb['path'][:52]:52} {nb['seconds']:7.1f}s {nb['cpu_s']:7.1f}s {nb['peak_rss_mib']:6.0f} MiB{flag}")
        flag = "  OVER BUDGET" if book["total_over_budget"] else ""
        print(f"{'all notebooks':52} {book['total_notebook_s']:7.1f}s {book['total_notebook_cpu_s']:7.1f}s{flag}")
        b = book["build"]
        print(f"{'site build (make book, stored outputs)':52} {b['seconds']:7.1f}s {b['cpu_s']:7.1f}s"
              f"{'' if b['ok'] else '  BUILD FAILED: ' + str(b.get('error'))}")


def main(argv: list[str]) -> int:
    if argv:  # configuration is by environment variables only; print them for -h or anything else
        print(__doc__)
        return 0 if argv[0] in ("-h", "--help") else 2
    sys.stdout.reconfigure(line_buffering=True)  # progress shows up as it happens, also in a log file
    quick = common.QUICK
    only = [g.strip() for g in os.environ.get("BENCH_ONLY", "").split(",") if g.strip()]
    unknown = sorted(set(only) - set(GROUPS))
    if unknown:
        print(f"BENCH_ONLY: unknown group(s) {unknown}; choose from {list(GROUPS)}", file=sys.stderr)
        return 2
    groups = only or [g for g in GROUPS if not (quick and g == "book")]
    out = Path(os.environ.get("BENCH_OUT") or (Path(tempfile.gettempdir()) / "nnbook-bench-quick.json" if quick else RESULTS))

    import nnbook

    threads = int(os.environ.get("BENCH_THREADS", "2"))
    nnbook.setup(threads=threads, style=False)
    results = {"schema": 1, "mode": "quick" if quick else "full", "machine": common.machine(threads),
               "runs": {}, "comparisons": [], "scaling": {}, "book": None}
    if not quick and only and out.is_file():  # a partial full run updates the groups it ran
        previous = json.loads(out.read_text(encoding="utf-8"))
        keep = {"hmm": "HMM", "crf": "CRF", "layers": ("CNN", "MLP")}
        dropped = {v for g in groups for v in ([keep[g]] if isinstance(keep.get(g), str) else keep.get(g, ()))}
        results["comparisons"] = [r for r in previous.get("comparisons", []) if r["group"] not in dropped]
        results["scaling"] = {k: v for k, v in previous.get("scaling", {}).items() if k not in groups}
        results["book"] = None if "book" in groups else previous.get("book")
        results["runs"] = {k: v for k, v in previous.get("runs", {}).items() if k not in groups}
    load = common.load_average()
    if load and load[0] > results["machine"]["usable_cores"] - 1 and threads > 1:
        print(f"note: load average {load[0]} on {results['machine']['usable_cores']} cores: other programs are "
              "running. A multi-threaded library then waits at each parallel step for a thread that is not "
              "scheduled, and torch can be 100x slower than with one thread; consider BENCH_THREADS=1.")
    for name in groups:
        print(f"== {name}")
        run = results["runs"][name] = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
                                       "load_before": common.load_average()}
        start = time.perf_counter()
        try:
            run_group(name, results)
        except Exception as exc:
            run["error"] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        run["seconds"] = time.perf_counter() - start
        run["load_after"] = common.load_average()
    order = {"HMM": 0, "CRF": 1, "CNN": 2, "MLP": 3}
    results["comparisons"].sort(key=lambda r: order.get(r["group"], 9))
    out.write_text(json.dumps(_round(results), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print_tables(results)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
