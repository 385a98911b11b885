"""Sphinx extension of the book: pages generated from the data files in ``book/_data``.

Directives
----------
``question-map``
    The interview-question map: one row per question id (FF1 ... SQ4), our wording of the
    question, and a link to the section that answers it (or "planned").
``nnbook-glossary``
    The glossary: English term, Chinese term, one-line definition, link to the section.
``course-plan``
    The instructors' ten-lecture plan (``book/_data/course.yml``): each lecture's pages with the
    time each notebook took to execute in the last ``make bench`` (``benchmarks/results.json``),
    its optional pages and the exercises suited to homework.

Both read YAML with ``yaml.safe_load`` and fail the build (an ``ExtensionError``) when a file
is malformed, naming the file and the entry. Links are ordinary ``{ref}`` cross-references, so
a link to a label that no page defines is a Sphinx warning, and the strict build fails on it.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

DATA_DIR = Path("book") / "_data"


def _load_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ExtensionError(f"{path}: not valid YAML ({err})") from err


def load_questions(srcdir: Path) -> list[dict]:
    """All questions, in chapter order, each with its chapter title added."""
    rows = []
    for path in sorted((Path(srcdir) / DATA_DIR / "questions").glob("*.yml")):
        data = _load_yaml(path)
        if not isinstance(data, dict) or "questions" not in data or "chapter" not in data:
            raise ExtensionError(f"{path}: expected keys 'chapter' and 'questions'")
        for entry in data["questions"]:
            missing = {"id", "question", "answer"} - set(entry)
            if missing:
                raise ExtensionError(f"{path}: entry {entry!r} lacks {sorted(missing)}")
            also = entry.get("also", [])
            if not isinstance(also, list) or not all(isinstance(label, str) for label in also):
                raise ExtensionError(f"{path}: entry {entry['id']}: 'also' must be a list of section labels, got {also!r}")
            rows.append({**entry, "chapter": data["chapter"], "file": path})
    return rows


def load_glossary(srcdir: Path) -> list[dict]:
    """All glossary entries, sorted by English term (case-insensitive)."""
    rows = []
    for path in sorted((Path(srcdir) / DATA_DIR / "glossary").glob("*.yml")):
        data = _load_yaml(path) or []
        if not isinstance(data, list):
            raise ExtensionError(f"{path}: expected a list of entries")
        for entry in data:
            missing = {"term", "chinese", "definition", "section"} - set(entry)
            if missing:
                raise ExtensionError(f"{path}: entry {entry!r} lacks {sorted(missing)}")
            rows.append({**entry, "file": path})
    return sorted(rows, key=lambda e: e["term"].lower())


def _ref(label: str, text: str | None = None) -> addnodes.pending_xref:
    """A cross-reference to a section label, shown with the section's title (like {ref}) or ``text``."""
    node = addnodes.pending_xref(
        "", nodes.inline("", text or label), refdomain="std", reftype="ref", reftarget=label.lower(),
        refexplicit=text is not None, refwarn=True,
    )
    return node


def load_course(srcdir: Path) -> list[dict]:
    """The lectures of ``book/_data/course.yml``, each with ``topic``, ``pages``, ``optional``, ``homework``."""
    path = Path(srcdir) / DATA_DIR / "course.yml"
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("lectures"), list):
        raise ExtensionError(f"{path}: expected a key 'lectures' holding a list")
    for number, lecture in enumerate(data["lectures"], 1):
        if not isinstance(lecture, dict) or set(lecture) != {"topic", "pages", "optional", "homework"}:
            raise ExtensionError(f"{path}: lecture {number} must have exactly the keys topic, pages, optional, "
                                 f"homework; got {lecture!r}")
        for key in ("pages", "optional", "homework"):
            if not isinstance(lecture[key], list) or not all(isinstance(x, str) for x in lecture[key]):
                raise ExtensionError(f"{path}: lecture {number}: '{key}' must be a list of strings")
    return data["lectures"]


def load_notebook_times(srcdir: Path) -> dict[str, float]:
    """Seconds each notebook took in the last ``make bench``, by page (``book/ch1-feedforward/01-xor``)."""
    path = Path(srcdir) / "benchmarks" / "results.json"
    if not path.is_file():
        return {}
    import json

    book = json.loads(path.read_text(encoding="utf-8")).get("book", {})
    return {n["path"].removesuffix(".ipynb"): n["seconds"] for n in book.get("notebooks", []) if not n.get("error")}


def _doc(page: str) -> addnodes.pending_xref:
    """A link to a page of the book (``ch1-feedforward/01-xor``), shown with its title."""
    return addnodes.pending_xref("", nodes.inline("", page), refdomain="std", reftype="doc",
                                 reftarget=f"/book/{page}", refexplicit=False, refwarn=True)


def _table(headers: list[str], widths: list[int], rows: list[list[nodes.Node]], classes: list[str]):
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for text in headers:
        row += nodes.entry("", nodes.paragraph(text=text))
    head += row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.paragraph) else nodes.paragraph("", "", cell)
            row += entry
        body += row
    group += body
    return table


class QuestionMap(SphinxDirective):
    """Render the interview-question map from ``book/_data/questions/*.yml``."""

    def run(self):
        srcdir = Path(self.env.srcdir)
        for path in (srcdir / DATA_DIR / "questions").glob("*.yml"):
            self.env.note_dependency(str(path))
        rows = []
        for q in load_questions(srcdir):
            anchor = nodes.target("", "", ids=[f"question-{q['id'].lower()}"])
            id_cell = nodes.paragraph("", "", anchor, nodes.strong(text=q["id"]))
            if q["answer"]:
                answer = nodes.inline("", "", _ref(q["answer"]))
                for extra in q.get("also", []):  # further sections that answer part of the question
                    answer += [nodes.Text("; also "), _ref(extra)]
            else:
                answer = nodes.emphasis(text="planned")
            rows.append([id_cell, nodes.Text(q["question"]), nodes.Text(q["chapter"]), answer])
        return [_table(["Id", "Question (in our words)", "Chapter", "Answered in"], [6, 54, 18, 22], rows,
                       ["question-map"])]


class Glossary(SphinxDirective):
    """Render the glossary from ``book/_data/glossary/*.yml``."""

    def run(self):
        srcdir = Path(self.env.srcdir)
        for path in (srcdir / DATA_DIR / "glossary").glob("*.yml"):
            self.env.note_dependency(str(path))
        rows = []
        for e in load_glossary(srcdir):
            term_id = "term-" + "-".join(e["term"].lower().split())
            term = nodes.paragraph("", "", nodes.target("", "", ids=[term_id]), nodes.strong(text=e["term"]))
            section = _ref(e["section"]) if e["section"] else nodes.Text("")
            rows.append([term, nodes.Text(e["chinese"]), nodes.Text(e["definition"]), section])
        return [_table(["Term", "Chinese", "Definition", "Explained in"], [18, 16, 44, 22], rows, ["glossary-table"])]


class CoursePlan(SphinxDirective):
    """Render the lecture plan from ``book/_data/course.yml`` and ``benchmarks/results.json``."""

    def run(self):
        srcdir = Path(self.env.srcdir)
        self.env.note_dependency(str(srcdir / DATA_DIR / "course.yml"))
        self.env.note_dependency(str(srcdir / "benchmarks" / "results.json"))
        times = load_notebook_times(srcdir)

        def pages(names: list[str]) -> nodes.paragraph:
            para = nodes.paragraph()
            for i, page in enumerate(names):
                if i:
                    para += nodes.Text("; ")
                para += _doc(page)
                seconds = times.get(f"book/{page}")
                para += nodes.Text(f" ({seconds:.0f} s)" if seconds is not None else " (not measured)")
            return para

        rows = []
        for number, lecture in enumerate(load_course(srcdir), 1):
            total = sum(times.get(f"book/{p}", 0.0) for p in lecture["pages"])
            topic = nodes.paragraph("", "", nodes.Text(lecture["topic"]), nodes.emphasis(text=f" ({total:.0f} s)"))
            homework = nodes.paragraph()
            for i, label in enumerate(lecture["homework"]):
                chapter, k = re.fullmatch(r"ch(\d)-ex(\d+)", label).groups()
                if i:
                    homework += nodes.Text(", ")
                homework += _ref(label, f"{chapter}.{k}")
            rows.append([nodes.strong(text=str(number)), topic, pages(lecture["pages"]), pages(lecture["optional"]),
                         homework])
        return [_table(["#", "Lecture (total run time)", "Pages (notebook run time)", "Optional pages",
                        "Homework (exercise)"], [4, 22, 36, 24, 14], rows, ["course-plan"])]


def setup(app):
    app.add_directive("question-map", QuestionMap)
    app.add_directive("course-plan", CoursePlan)
    app.add_directive("nnbook-glossary", Glossary)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
