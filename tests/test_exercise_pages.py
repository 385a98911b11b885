"""The exercise pages keep the course edition's contract (issue 15).

Every chapter ends with an exercise notebook of at least eight exercises, each headed
``(chN-exK)=`` / ``## Exercise K ★★: Title`` with one to three stars. Each exercise has its
reasoning written out in a ``solution`` dropdown. At least three per chapter are coding
exercises: a ``stub`` cell, solution cells, and a one-line ``exercise-check`` cell naming a
registered grader, whose stored output says "passed". tools/editions.py builds the student
edition from these tags; tests/editions runs it.
"""
import ast
import json
import re
from pathlib import Path

import pytest

from book_checks import printed_text
from nnbook.exercises import exercise_names

pytestmark = pytest.mark.book

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(p for p in BOOK.glob("ch[0-9]-*") if p.is_dir())
HEADING = re.compile(r"\A\((ch\d)-ex(\d+)\)=\n## Exercise (\d+) (★{1,3}): \S")
CHECK = re.compile(r'\Acheck\("(ch\d\.[a-z0-9_]+)", ([A-Za-z_][A-Za-z0-9_]*)\)\Z')


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _exercises(chapter: Path) -> list[dict]:
    """The chapter's exercises: heading match, stars, and the cells up to the next heading."""
    (path,) = chapter.glob("[0-9][0-9]-exercises.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        source = "".join(cell["source"])
        match = HEADING.match(source) if cell["cell_type"] == "markdown" else None
        if match:
            found.append({"match": match, "stars": len(match.group(4)), "cells": [], "path": path})
        elif found:
            found[-1]["cells"].append(cell)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_eight_exercises_numbered_and_starred(chapter):
    exercises = _exercises(chapter)
    number = chapter.name[2]
    assert len(exercises) >= 8, f"{chapter.name}: {len(exercises)} exercises, at least 8 wanted"
    for k, ex in enumerate(exercises, 1):
        m = ex["match"]
        assert (m.group(1), int(m.group(2)), int(m.group(3))) == (f"ch{number}", k, k), m.group(0)
    assert {ex["stars"] for ex in exercises} == {1, 2, 3}, f"{chapter.name}: use all three difficulties"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_has_its_reasoning_in_a_solution_dropdown(chapter):
    for ex in _exercises(chapter):
        prose = [c for c in ex["cells"] if c["cell_type"] == "markdown" and "solution" in _tags(c)]
        assert prose, f"{ex['match'].group(0)!r}: no written-out solution"
        for cell in prose:
            assert "".join(cell["source"]).lstrip().startswith(":::{dropdown} Solution"), (
                f"{ex['match'].group(0)!r}: solution prose must sit in a dropdown")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_hidden_code_in_an_exercise_page_is_solution_code(chapter):
    for ex in _exercises(chapter):
        for cell in ex["cells"]:
            if cell["cell_type"] == "code" and "hide-cell" in _tags(cell):
                assert "solution" in _tags(cell), f"{ex['match'].group(0)!r}: a hidden cell not tagged solution"
            if cell["cell_type"] == "markdown" and "solution" not in _tags(cell):
                assert not HEADING.match("".join(cell["source"]))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_three_coding_exercises_with_a_stub_and_a_passing_check(chapter):
    coding = 0
    for ex in _exercises(chapter):
        stubs = [c for c in ex["cells"] if "stub" in _tags(c)]
        checks = [c for c in ex["cells"] if "exercise-check" in _tags(c)]
        if not stubs and not checks:
            continue
        title = ex["match"].group(0)
        assert stubs and checks, f"{title!r}: a stub needs a check cell and a check a stub"
        defined = set()
        for stub in stubs:
            source = "".join(stub["source"])
            assert "raise NotImplementedError" in source, f"{title!r}: the stub must raise NotImplementedError"
            assert not stub.get("outputs"), f"{title!r}: a stub prints nothing"
            defined |= {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
        order = [c for c in ex["cells"] if _tags(c) & {"stub", "exercise-check", "solution"}]
        assert "stub" in _tags(order[0]) and "exercise-check" in _tags(order[-1]), (
            f"{title!r}: the stub comes first and the check last, the solution between them")
        for check in checks:
            match = CHECK.match("".join(check["source"]).strip())
            assert match, f"{title!r}: a check cell is one line, check(\"chN.name\", function)"
            name, function = match.groups()
            assert name in exercise_names() and name.startswith(chapter.name[:3] + "."), name
            assert function in defined, f"{title!r}: the check grades {function}, which no stub defines"
            assert printed_text(check).startswith(f"{name}: passed: "), f"{title!r}: the stored check says {printed_text(check)!r}"
        coding += 1
    assert coding >= 3, f"{chapter.name}: {coding} coding exercises, at least 3 wanted"


def test_every_grader_is_used_by_one_exercise():
    used = []
    for chapter in CHAPTERS:
        for ex in _exercises(chapter):
            used += [CHECK.match("".join(c["source"]).strip()).group(1)
                     for c in ex["cells"] if "exercise-check" in _tags(c)]
    assert sorted(used) == exercise_names()
