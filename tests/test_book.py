"""The book's frame: table of contents, question map, glossary, bibliography, notebooks."""
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from book_checks import (EXPECTED_IDS, ROOT, book_pages, declared_tolerances, defined_labels,
                         figures_without_alt_text, low_resolution_figures, toc_problems, unexecuted_cells, wide_output_lines)
from nbval_tolerance import parse_tolerance

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import nnbook_book  # noqa: E402  (the Sphinx extension that renders the map and the glossary)

pytestmark = pytest.mark.book


def test_every_page_is_in_the_toc_and_every_entry_exists():
    assert toc_problems() == []


def test_malformed_toc_names_the_entry(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "orphan.md").write_text("# Orphan\n")
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/missing\n  - title: no file\n")
    problems = toc_problems(tmp_path, toc)
    assert any("book/missing" in p and "names no file" in p for p in problems), problems
    assert any("none of file/glob/url" in p for p in problems), problems
    assert any("book/orphan" in p and "not in _toc.yml" in p for p in problems), problems
    toc.write_text("root: [unclosed\n")
    assert "not valid YAML" in toc_problems(tmp_path, toc)[0]


def test_every_notebook_cell_was_executed_and_stored():
    # nbval skips the comparison for a cell whose stored execution_count is null.
    assert unexecuted_cells() == []


def test_no_printed_line_is_wider_than_the_text_column():
    # Wider lines scroll sideways on the site and overflow the PDF page; tables go in DataFrames.
    assert wide_output_lines() == []


def test_every_stored_figure_is_drawn_at_200_dpi():
    # nnbook.setup() switches the inline backend to retina PNGs (twice figure.dpi).
    assert low_resolution_figures() == []


def test_every_figure_has_alt_text():
    assert figures_without_alt_text() == []


def test_the_output_checks_find_wide_lines_and_low_resolution_figures(tmp_path):
    import base64
    import struct

    (tmp_path / "book").mkdir()
    ihdr = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 640, 400)
    png = base64.b64encode(ihdr + bytes(8)).decode()
    cells = [{"cell_type": "code", "source": [], "metadata": {}, "execution_count": 1, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["x" * 91 + "\n", "short\n"]},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": ["<Figure>"]}},
        {"output_type": "display_data", "metadata": {"image/png": {"width": 320}},
         "data": {"image/png": png, "text/plain": ["<Figure>"]}},
    ]}]
    (tmp_path / "book" / "page.ipynb").write_text(json.dumps({"cells": cells}))
    wide = wide_output_lines(tmp_path)
    assert len(wide) == 1 and "book/page.ipynb code cell 1: 91 characters" in wide[0]
    low = low_resolution_figures(tmp_path)
    assert low == ["book/page.ipynb code cell 1: 640 px shown at 640 px"]


def test_every_declared_tolerance_is_well_formed():
    # A malformed marker would fail the nbval run of its cell; this says so before it runs.
    for path, number, line in declared_tolerances():
        try:
            parse_tolerance(line)
        except ValueError as error:
            pytest.fail(f"{path} code cell {number}: {error}")


def test_every_notebook_starts_with_nnbook_setup():
    for page in sorted(book_pages()):
        path = ROOT / (page + ".ipynb")
        if not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first_code = next(("".join(c["source"]) for c in cells if c["cell_type"] == "code"), "")
        assert "nnbook.setup(" in first_code, f"{path.name}: the first code cell must call nnbook.setup()"


def test_question_map_lists_every_id_once_with_existing_targets():
    questions = nnbook_book.load_questions(ROOT)
    ids = [q["id"] for q in questions]
    assert sorted(ids) == sorted(EXPECTED_IDS), f"missing: {set(EXPECTED_IDS) - set(ids)}, extra: {set(ids) - set(EXPECTED_IDS)}"
    assert len(ids) == len(set(ids)) == 37
    labels = defined_labels()
    for q in questions:
        assert q["question"].strip(), f"{q['id']}: empty question"
        if q["answer"] is not None:
            assert q["answer"].lower() in labels, f"{q['id']}: answer label '{q['answer']}' is defined on no page"
        for extra in q.get("also", []):
            assert extra.lower() in labels, f"{q['id']}: 'also' label '{extra}' is defined on no page"


def test_glossary_entries_are_complete_and_link_to_existing_sections():
    entries = nnbook_book.load_glossary(ROOT)
    assert entries, "the glossary is empty"
    labels = defined_labels()
    terms = [e["term"].lower() for e in entries]
    assert len(terms) == len(set(terms)), "a glossary term appears twice"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for e in entries:
        assert cjk.search(e["chinese"]), f"{e['term']}: the Chinese term has no Chinese characters"
        assert e["definition"].strip()
        if e["section"] is not None:
            assert e["section"].lower() in labels, f"{e['term']}: section '{e['section']}' is defined on no page"


def test_malformed_data_files_are_rejected(tmp_path):
    data = tmp_path / "book" / "_data" / "questions"
    data.mkdir(parents=True)
    (data / "bad.yml").write_text("chapter: X\nquestions:\n  - id: FF1\n    question: q\n")
    with pytest.raises(Exception, match="lacks"):
        nnbook_book.load_questions(tmp_path)


def test_bibliography_keys_are_unique():
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M)
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"duplicate bibliography keys: {duplicates}"


def test_every_citation_has_an_entry():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M))
    cite = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
    for page in book_pages():
        for suffix in (".md", ".ipynb"):
            path = ROOT / (page + suffix)
            if path.is_file():
                for group in cite.findall(path.read_text(encoding="utf-8")):
                    for key in group.split(","):
                        assert key.strip() in keys, f"{path.name} cites '{key.strip()}', which references.bib lacks"


def test_project_reads_nothing_outside_itself():
    # A reader's clone has no ../shared folder: no file of the project may refer to it.
    offenders = []
    for folder in ("book", "code", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".md", ".ipynb", ".yml", ".cfg"} and path.name != "test_book.py":
                if "shared/seeds" in path.read_text(encoding="utf-8", errors="ignore"):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
