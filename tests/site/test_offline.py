"""The built site loads nothing from third-party hosts, and renders math with its own MathJax.

Run after the build (`make test` does): it reads the HTML under _build/html.
"""
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("NNBOOK_SITE", ROOT / "_build" / "html"))  # as in sitecheck.py


class _Resources(HTMLParser):
    """Collects the URLs a page loads: script src, stylesheet/icon link href, img/iframe src."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.urls.append((tag, attrs["src"]))
        if tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "icon", "preload", "shortcut icon"):
            self.urls.append((tag, attrs["href"]))


def _pages():
    if not SITE.is_dir():
        pytest.fail(f"{SITE} does not exist: build the site first (make book)")
    return sorted(SITE.rglob("*.html"))


def _is_off_site(url: str) -> bool:
    return url.startswith(("http://", "https://", "//")) or url.startswith("data:text/javascript")


def test_no_page_loads_anything_off_site():
    offenders = []
    for page in _pages():
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        offenders += [f"{page.relative_to(SITE)}: <{tag}> {url}" for tag, url in parser.urls if _is_off_site(url)]
    assert offenders == []


def test_stylesheets_load_nothing_off_site():
    offenders = []
    for css in SITE.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="ignore")
        for marker in ("@import url(http", "url(http", "url(//", "fonts.googleapis"):
            if marker in text:
                offenders.append(f"{css.relative_to(SITE)}: {marker}")
    assert offenders == []


def test_mathjax_is_served_by_the_site():
    assert (SITE / "_static" / "mathjax" / "tex-chtml.js").is_file()
    page = (SITE / "book" / "code-organisation.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in page
