"""Checks of the PDF edition built by ``make pdf`` (run by that target; skipped without the PDF).

LaTeX's log reports no undefined references or citations and no missing glyphs; every chapter
title is in the PDF's outline (hyperref's bookmarks file); three pages are rendered to PNG
(pdftoppm) into ``_build/screenshots/`` beside the browser check's screenshots.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
LATEX = ROOT / "_build" / "latex"
PDF = ROOT / "_build" / "pdf" / "nnbook.pdf"
sys.path.insert(0, str(ROOT / "tests"))
import book_checks  # noqa: E402

if not PDF.is_file():
    pytest.skip("no PDF: run `make pdf` (needs TeX Live) first", allow_module_level=True)


def _log() -> str:
    return (LATEX / "nnbook.log").read_text(errors="replace")


def test_no_undefined_references_or_citations():
    log = _log()
    undefined = re.findall(r"(?:Reference|Citation) `[^']*' on page \d+ undefined", log)
    assert not undefined, "\n".join(sorted(set(undefined)))
    assert "There were undefined references" not in log


def test_no_missing_glyphs():
    missing = sorted(set(re.findall(r"Missing character: There is no (.) \((U\+[0-9A-F]+)\)", _log())))
    assert not missing, f"characters without a glyph in the PDF's fonts: {missing}"


def chapter_titles() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    titles = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            page = ROOT / (chapter["file"] + (".md" if (ROOT / (chapter["file"] + ".md")).exists() else ".ipynb"))
            text = book_checks.page_text(page)
            title = next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))
            titles.append(title)
    return titles


def _plain(text: str) -> str:
    text = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)  # hyperref writes \040 for a space
    text = re.sub(r"\\[a-zA-Z]+\s*", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_every_chapter_is_in_the_outline():
    outline = (LATEX / "nnbook.out").read_text(errors="replace")
    entries = [_plain(m) for m in re.findall(r"\\BOOKMARK \[-?\d\]\[-\]\{[^}]*\}\{(.*)\}\{[^}]*\}%", outline)]
    titles = chapter_titles()
    assert len(titles) >= 6
    missing = [t for t in titles if _plain(t) not in entries]
    assert not missing, f"chapter titles missing from the PDF outline: {missing}"


def test_three_pages_render_to_png():
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 100
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for page in (1, pages // 3, 2 * pages // 3):
        out = shots / f"pdf-page-{page:03d}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile",
                        str(PDF), str(out)], check=True, timeout=120)
        assert out.with_suffix(".png").stat().st_size > 5_000
    print(f"PDF: {pages} pages")
