"""Checks of the book's structure, used by tests/test_book.py and by `make test`.

Run as a script to check the table of contents::

    python tests/book_checks.py toc

``python tests/book_checks.py tolerances`` lists every tolerance declared beside a cell.

It prints every problem (a page of ``book/`` missing from ``_toc.yml``, an entry of
``_toc.yml`` whose file does not exist, a malformed entry) and exits 1 if there is one.
"""
from __future__ import annotations

import glob
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE_SUFFIXES = (".md", ".ipynb")
LABEL = re.compile(r"^\((?P<label>[A-Za-z0-9_.:-]+)\)=\s*$", re.MULTILINE)
EXPECTED_IDS = (
    [f"FF{i}" for i in range(1, 7)] + [f"AC{i}" for i in range(1, 8)] + [f"BP{i}" for i in range(1, 5)]
    + [f"TR{i}" for i in range(1, 10)] + [f"CN{i}" for i in range(1, 8)] + [f"SQ{i}" for i in range(1, 5)]
)


def book_pages(root: Path = ROOT) -> set[str]:
    """Every page under book/, as a path relative to the root without suffix."""
    pages = set()
    for path in (root / "book").rglob("*"):
        rel = path.relative_to(root)
        if path.suffix not in PAGE_SUFFIXES or any(p.startswith((".", "_")) for p in rel.parts[1:]):
            continue
        if ".ipynb_checkpoints" in rel.parts:
            continue
        pages.add(str(rel.with_suffix("")))
    return pages


def _page_exists(root: Path, entry: str) -> bool:
    return any((root / (entry + s)).is_file() for s in PAGE_SUFFIXES) or (root / entry).is_file()


def toc_entries(toc: dict, where: str = "_toc.yml") -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Walk a parsed _toc.yml: (file entries with their location, glob patterns, problems)."""
    files, globs, problems = [], [], []

    def walk(node, path):
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            problems.append(f"{path}: expected a mapping, got {node!r}")
            return
        keys = set(node) & {"file", "glob", "url"}
        if path != where and not keys and not ({"parts", "chapters", "sections", "caption"} & set(node)):
            problems.append(f"{path}: entry {node!r} has none of file/glob/url")
        if "file" in node:
            if not isinstance(node["file"], str):
                problems.append(f"{path}: file must be a string, got {node['file']!r}")
            else:
                files.append((node["file"], path))
        if "glob" in node:
            globs.append(node["glob"])
        for key in ("parts", "chapters", "sections"):
            if key in node:
                walk(node[key], f"{path}.{key}")

    if not isinstance(toc, dict) or "root" not in toc:
        return [], [], [f"{where}: missing the 'root' entry"]
    files.append((toc["root"], f"{where}:root"))
    walk(toc, where)
    return files, globs, problems


def toc_problems(root: Path = ROOT, toc_path: Path | None = None) -> list[str]:
    """Every mismatch between the pages under book/ and the table of contents."""
    toc_path = toc_path or root / "_toc.yml"
    try:
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        return [f"{toc_path.name}: not valid YAML ({err})"]
    files, globs, problems = toc_entries(toc, toc_path.name)
    listed = set()
    for entry, where in files:
        entry_no_suffix = re.sub(r"\.(md|ipynb)$", "", entry)
        if not _page_exists(root, entry_no_suffix):
            problems.append(f"{where}: entry '{entry}' names no file")
        listed.add(entry_no_suffix)
    for pattern in globs:
        matches = [m for s in PAGE_SUFFIXES for m in glob.glob(str(root / (pattern + s)))]
        if not matches:
            problems.append(f"{toc_path.name}: glob '{pattern}' matches no page")
        listed.update(str(Path(m).relative_to(root).with_suffix("")) for m in matches)
    for page in sorted(book_pages(root) - listed):
        problems.append(f"{page}: page under book/ is not in {toc_path.name}")
    return problems


def page_text(path: Path) -> str:
    """The Markdown of a page (for a notebook: its markdown cells joined)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def defined_labels(root: Path = ROOT) -> dict[str, str]:
    """MyST labels ``(label)=`` defined in the pages of book/, mapped to their page."""
    labels = {}
    for page in book_pages(root):
        for suffix in PAGE_SUFFIXES:
            path = root / (page + suffix)
            if path.is_file():
                for m in LABEL.finditer(page_text(path)):
                    labels[m.group("label").lower()] = page
    return labels


def unexecuted_cells(root: Path = ROOT) -> list[str]:
    """Code cells (non-empty) of notebooks under book/ that were never executed and stored."""
    problems = []
    for page in sorted(book_pages(root)):
        path = root / (page + ".ipynb")
        if not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip() and cell.get("execution_count") is None:
                problems.append(f"{path.relative_to(root)}: cell {i} was never executed")
    return problems


def declared_tolerances(root: Path = ROOT) -> list[tuple[str, int, str]]:
    """Every ``# nbval-tolerance:`` line of the book: (notebook, nbval code-cell number, line)."""
    found = []
    for page in sorted(book_pages(root)):
        path = root / (page + ".ipynb")
        if not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        for number, cell in enumerate(code):
            for line in "".join(cell["source"]).splitlines():
                if re.match(r"\s*#\s*nbval-tolerance:", line):
                    found.append((str(path.relative_to(root)), number, line.strip()))
    return found


def tolerance_report() -> list[str]:
    """Prints the declared tolerances (a listing, not a check: it never fails)."""
    for path, number, line in declared_tolerances():
        print(f"{path}  code cell {number}:  {line}")
    return []


def main(argv: list[str]) -> int:
    checks = {"toc": toc_problems, "executed": unexecuted_cells, "tolerances": tolerance_report}
    if len(argv) != 1 or argv[0] not in checks:
        print(f"usage: python tests/book_checks.py {{{'|'.join(checks)}}}", file=sys.stderr)
        return 2
    problems = checks[argv[0]]()
    for p in problems:
        print(p)
    if not problems:
        print(f"{argv[0]}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# The text column of the site is about 90 characters of code font; a wider printed line scrolls.
MAX_OUTPUT_WIDTH = 90
# Figures are stored as "retina" PNGs: twice as many pixels as their displayed size (200 dpi).
MIN_PIXELS_PER_DISPLAY_PIXEL = 2


def printed_text(cell) -> str:
    """What a code cell printed: its streams and plain-text results joined (nbformat stores each
    as a string or as a list of lines)."""
    parts = [o["text"] if "text" in o else o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def _stored_outputs(root: Path = ROOT):
    """(notebook path, code-cell number, output) for every stored output of every notebook."""
    for page in sorted(book_pages(root)):
        path = root / (page + ".ipynb")
        if not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        for number, cell in enumerate(code, start=1):
            for output in cell.get("outputs", []):
                yield path.relative_to(root), number, output


def wide_output_lines(root: Path = ROOT, width: int = MAX_OUTPUT_WIDTH) -> list[str]:
    """Printed lines wider than ``width`` (streams and plain-text results that have no HTML form)."""
    problems = []
    for path, number, output in _stored_outputs(root):
        if output["output_type"] == "stream":
            text = "".join(output["text"])
        elif "text/plain" in output.get("data", {}) and "text/html" not in output["data"]:
            text = "".join(output["data"]["text/plain"])
        else:
            continue
        for line in text.splitlines():
            if len(line) > width:
                problems.append(f"{path} code cell {number}: {len(line)} characters: {line[:60]}...")
    return problems


def low_resolution_figures(root: Path = ROOT) -> list[str]:
    """Stored PNG figures drawn at fewer than 2 pixels per displayed pixel (under 200 dpi)."""
    import base64
    import struct

    problems = []
    for path, number, output in _stored_outputs(root):
        png = output.get("data", {}).get("image/png")
        if png is None:
            continue
        header = base64.b64decode("".join(png)[:64])
        pixel_width = struct.unpack(">I", header[16:20])[0]  # the IHDR chunk: width, then height
        shown = output.get("metadata", {}).get("image/png", {}).get("width")
        if shown is None or pixel_width < MIN_PIXELS_PER_DISPLAY_PIXEL * shown:
            problems.append(f"{path} code cell {number}: {pixel_width} px shown at {shown or pixel_width} px")
    return problems


def figures_without_alt_text(root: Path = ROOT) -> list[str]:
    """Code cells that display a figure without ``mystnb.image.alt`` (or ``mystnb.figure.caption``)
    in their metadata: the site would show an image that a screen reader cannot describe."""
    problems = []
    for page in sorted(book_pages(root)):
        path = root / (page + ".ipynb")
        if not path.is_file():
            continue
        code = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        for number, cell in enumerate(code, start=1):
            if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                continue
            mystnb = cell.get("metadata", {}).get("mystnb", {})
            alt = mystnb.get("image", {}).get("alt") or mystnb.get("figure", {}).get("caption")
            if not (isinstance(alt, str) and alt.strip()):
                problems.append(f"{path.relative_to(root)} code cell {number}: a figure without "
                                "metadata mystnb.image.alt")
    return problems
