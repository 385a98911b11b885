"""Execute one notebook in a fresh kernel; print its wall time, kernel CPU time and peak memory.

Run by ``bench_book.py`` in a subprocess of its own, so that every notebook gets a new kernel
and ``getrusage(RUSAGE_CHILDREN)`` sees that kernel alone (it is this process's only child and
is waited for when it shuts down). The notebook file is not modified: it runs from memory, in
its own folder, as ``make refresh`` would run it.

Usage: ``python benchmarks/execute_notebook.py book/ch3-backprop/01-losses.ipynb``
"""
from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # a failing notebook is reported, not fatal to the benchmark
        lines = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()  # drop terminal colours
        error = f"{type(exc).__name__}: {lines[-1] if lines else ''}"[:300]
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel, after it was shut down and reaped
    return {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024, "error": error}


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_file():
        sys.exit("usage: python benchmarks/execute_notebook.py path/to/notebook.ipynb")
    print(json.dumps(main(Path(sys.argv[1]))))
