"""tools/editions.py: the student edition and the downloadable bundles."""
import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

pytestmark = pytest.mark.book


def _cell(kind, source, tags=(), outputs=()):
    cell = {"cell_type": kind, "source": source, "metadata": {"tags": list(tags)}}
    if kind == "code":
        cell.update(outputs=list(outputs), execution_count=1 if outputs else None)
    return cell


OUTPUT = {"output_type": "stream", "name": "stdout", "text": "ch3.x: passed\n"}


def test_student_copy_drops_solutions_and_clears_stubs_and_checks():
    nb = {"cells": [
        _cell("markdown", "## Exercise 1"),
        _cell("code", "def f(x):\n    raise NotImplementedError", ["stub"], [OUTPUT]),
        _cell("code", "def f(x):\n    return 2 * x", ["solution", "hide-cell"]),
        _cell("markdown", "The derivative is 2.", ["solution"]),
        _cell("code", "check('ch3.x', f)", ["exercise-check"], [OUTPUT]),
        _cell("code", "print(1)", [], [OUTPUT]),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    before = json.dumps(nb)
    student = editions.student_notebook(nb)
    assert json.dumps(nb) == before  # the full notebook is not changed
    sources = [c["source"] for c in student["cells"]]
    assert sources == ["## Exercise 1", "def f(x):\n    raise NotImplementedError", "check('ch3.x', f)", "print(1)"]
    assert student["cells"][1]["outputs"] == [] and student["cells"][2]["outputs"] == []
    assert student["cells"][3]["outputs"] == [OUTPUT]


def test_no_solution_survives_in_the_student_edition(tmp_path):
    written = editions.write_student(tmp_path)
    assert len(written) == len(editions.notebooks())
    for full in editions.notebooks():
        solutions = ["".join(c["source"]) for c in json.loads(full.read_text())["cells"] if "solution" in editions.tags(c)]
        student = (tmp_path / full.relative_to(editions.BOOK)).read_text()
        assert not any(editions.SOLUTION in editions.tags(c) for c in json.loads(student)["cells"])
        for source in solutions:
            assert json.dumps(source)[1:-1] not in student, f"{full.name}: a solution survived"


def test_reader_requirements_are_the_book_pins_of_what_a_reader_needs():
    lines = editions.reader_requirements().splitlines()
    pins = set(editions._pins().values())
    assert set(lines) <= pins and "-e ./code" not in lines
    names = {line.split("==")[0].lower() for line in lines}
    # the package's dependencies, what they need, and JupyterLab with its kernel ...
    assert {"torch", "numpy", "hmmlearn", "sklearn-crfsuite", "python-crfsuite", "mlxtend", "jupyterlab",
            "ipykernel", "jsonschema", "fqdn"} <= names  # fqdn: jsonschema[format-nongpl], an extra
    # ... and none of the book's build and test tools
    assert not names & {"jupyter-book", "sphinx", "pytest", "nbval", "selenium", "hypothesis", "myst-nb"}


def test_a_reader_requirement_the_book_does_not_pin_is_named(monkeypatch):
    monkeypatch.setattr(editions, "_pins", lambda: {"numpy": "numpy==2.4.6"})
    with pytest.raises(ValueError, match=r"requirements.txt pins no version of \[.*'torch'"):
        editions.reader_requirements()


def test_every_bundle_holds_notebooks_a_wheel_requirements_and_a_readme(tmp_path):
    made = editions.write_bundles(tmp_path)
    names = sorted(p.name for p in made)
    chapters = sorted(p.name for p in editions.BOOK.glob("ch[0-9]*") if p.is_dir())
    assert names == sorted(["nnbook-book.zip", "nnbook-student.zip"] + [f"nnbook-student-{c}.zip" for c in chapters])
    for path in made:
        with zipfile.ZipFile(path) as z:
            files = z.namelist()
            folder = path.stem
            assert f"{folder}/README.md" in files and f"{folder}/requirements.txt" in files
            assert any(f.startswith(f"{folder}/wheels/nnbook-") and f.endswith(".whl") for f in files)
            assert any(f.endswith(".ipynb") for f in files)
            assert not any("benchmarks" in f for f in files)
            readme = z.read(f"{folder}/README.md").decode()
            assert "pip install -r requirements.txt wheels/*.whl" in readme and "jupyter lab notebooks" in readme


def test_the_command_line_names_its_usage(capsys):
    assert editions.main([]) == 2
    assert "usage: python tools/editions.py {student|bundle}" in capsys.readouterr().err
