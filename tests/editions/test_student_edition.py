"""The student edition, executed (``make student-check``).

Every notebook whose student copy differs from the book's (it has solution, stub or check cells)
runs top to bottom in a fresh kernel with the stubs untouched: no cell may raise, and every check
cell must answer "not yet" with the stub's message instead of a traceback. The book's side of the
contract (its solutions pass the same checks) is the stored output that nbval re-executes.
"""
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))
import editions  # noqa: E402
from book_checks import printed_text  # noqa: E402

pytestmark = pytest.mark.editions


def _has_exercises(path: Path) -> bool:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return any(editions.tags(c) & {editions.SOLUTION, editions.STUB, editions.CHECK} for c in cells)


WITH_EXERCISES = [p for p in editions.notebooks() if _has_exercises(p)]


def test_every_chapter_has_a_notebook_with_exercises():
    chapters = {p.relative_to(editions.BOOK).parts[0] for p in WITH_EXERCISES}
    assert chapters >= {p.name for p in editions.BOOK.glob("ch[0-9]*") if p.is_dir()}


@pytest.mark.parametrize("full", WITH_EXERCISES, ids=lambda p: p.relative_to(editions.BOOK).as_posix())
def test_the_student_notebook_runs_and_its_checks_say_not_yet(full, tmp_path):
    # through JSON, so that nbformat joins the source lines as nbclient expects
    student = nbformat.reads(json.dumps(editions.student_notebook(json.loads(full.read_text(encoding="utf-8")))),
                             as_version=4)
    NotebookClient(student, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # any error fails here
    checks = [c for c in student.cells if editions.CHECK in editions.tags(c)]
    assert checks, f"{full.name}: no check cell"
    for cell in checks:
        text = printed_text(cell)
        assert ": not yet: " in text and "still raises NotImplementedError" in text, (
            f"{full.name}: a check on the untouched stub printed {text!r}")
