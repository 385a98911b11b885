"""The notebook check still fails when a change really moves a result.

Tolerances make the nbval check pass on machines that round differently; this test makes sure
they did not make it blind. It copies one notebook twice, leaves one copy as it is (the control,
which must pass) and changes a training setting in the other (30 epochs become 20, or the
learning rate 0.1 becomes 0.11), runs the same nbval command as ``make notebooks`` on the copies,
and asserts that exactly the changed copy fails, in the cell that prints the moved result, with
the comparator naming the number out of tolerance.
"""
import os
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.book

NOTEBOOK = "book/ch3-backprop/06-whole-loop.ipynb"
SETTINGS = "learning_rate=0.1, batch_size=32, epochs=30"
CHANGES = {
    "fewer_epochs": "learning_rate=0.1, batch_size=32, epochs=20",
    "other_lr": "learning_rate=0.11, batch_size=32, epochs=30",
}


def _copy(root, tmp_path, name, old=None, new=None):
    nb = nbformat.read(root / NOTEBOOK, as_version=4)
    if old is not None:
        cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        assert len(cells) == 1, f"the setting {old!r} is no longer in one cell of {NOTEBOOK}"
        cells[0].source = cells[0].source.replace(old, new)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_check_fails_on_a_real_change_and_names_the_cell(root, tmp_path):
    control = _copy(root, tmp_path, "control")
    changed = [_copy(root, tmp_path, name, SETTINGS, new) for name, new in CHANGES.items()]
    env = dict(os.environ, PYTHONPATH=str(root / "tests"))
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(root / "tests/nbval_sanitize.cfg"),
               "-p", "nbval_tolerance", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-q", "-rf", str(control), *map(str, changed)]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert not any("control.ipynb" in line for line in failed), out[-3000:]
    for name in CHANGES:
        # the cell that trains and prints the final loss and accuracy (code cell 2)
        assert any(f"{name}.ipynb::Cell 2" in line for line in failed), (name, out[-3000:])
    assert "nbval-tolerance: stdout: number" in out, out[-3000:]
