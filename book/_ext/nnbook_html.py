"""Sphinx extension: small fixes to the HTML pages that the browser check (tests/site) found.

``html-page-context``
    Drops repeated inline scripts. With Jupyter Book 1, sphinx-thebe's and sphinx-togglebutton's
    inline configuration scripts are emitted twice on every page (once with filename ``None``,
    once with ``""``, so Sphinx's own de-duplication misses them); the second
    ``const THEBE_JS_URL = ...`` is a JavaScript ``SyntaxError`` in the reader's console.
    Only exact repeats (same file, or same inline body) are dropped; the order is kept.

``builder-inited``
    The book's stylesheet, ``book/_static/nnbook.css``: stored figures (200-dpi PNGs with their
    displayed size) shrink to the text column and keep their aspect ratio.

``config-inited`` and ``html-page-context``
    The PDF edition. When ``make pdf`` has built ``_build/pdf/nnbook.pdf``, the site ships it
    (``html_extra_path``) and every page's footer links to it, with the path relative to that
    page. Without a PDF (no TeX Live) the site has no such link, so it never links to a missing file.

``config-inited`` and the ``nnbook-downloads`` directive
    The downloads (``make bundle`` writes them to ``_build/downloads``: the book's zip, the
    student edition's, one per chapter). The site ships them at its root, like the PDF, and the
    directive lists them with their sizes and links relative to the page. Without them the
    directive is a warning (the strict build fails), because the Downloads page would be empty.
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

DOWNLOADS = Path("_build") / "downloads"
PDF = Path("_build") / "pdf" / "nnbook.pdf"
STATIC = Path(__file__).resolve().parent.parent / "_static"


def add_stylesheet(app):
    if app.builder.format != "html":
        return
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
    app.add_css_file("nnbook.css")


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # an inline script's filename is None in one copy and "" in the other
    return (str(getattr(script, "filename", script) or ""), attributes.get("body"))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the builder keeps using this list for the page


def _pdf(app) -> Path:
    return Path(app.confdir) / PDF


def ship_pdf(app, config):
    if _pdf(app).is_file():
        config.html_extra_path = list(config.html_extra_path) + [str(_pdf(app).parent)]


def link_pdf(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or not _pdf(app).is_file():
        return
    href = context["pathto"](PDF.name, 1)
    footer = context.get("theme_extra_footer") or ""
    context["theme_extra_footer"] = f'{footer} <a class="nnbook-pdf" href="{href}">The whole book as a PDF</a>.'


def _zips(app) -> list[Path]:
    return sorted((Path(app.confdir) / DOWNLOADS).glob("nnbook-*.zip"))


def ship_downloads(app, config):
    if _zips(app):
        config.html_extra_path = list(config.html_extra_path) + [str(Path(app.confdir) / DOWNLOADS)]


def _describe(name: str) -> str:
    stem = name.removesuffix(".zip").removeprefix("nnbook-")
    if stem == "book":
        return "The whole book, full edition (solutions included)"
    if stem == "student":
        return "The whole book, student edition"
    chapter = stem.removeprefix("student-")
    number, _, topic = chapter.partition("-")
    return f"Chapter {number.removeprefix('ch')} ({topic.replace('-', ' ')}), student edition"


class Downloads(SphinxDirective):
    """A table of the zips in ``_build/downloads``: what each holds, its size, a link."""

    def run(self):
        latex = r"\emph{The downloads are offered on the book's website, on this page.}"
        if self.env.app.builder.format != "html":
            return [nodes.raw("", latex, format="latex")]
        zips = _zips(self.env.app)
        if not zips:
            logger.warning(f"nnbook-downloads: no zips in {DOWNLOADS} (run make bundle before the build)",
                           location=(self.env.docname, self.lineno))
            return []
        # the zips lie at the site's root; this page lies docname's depth below it
        root = "../" * self.env.docname.count("/")
        order = sorted(zips, key=lambda p: (p.name != "nnbook-book.zip", p.name != "nnbook-student.zip", p.name))
        rows = "".join(
            f'<tr><td>{_describe(p.name)}</td><td><a class="nnbook-download" href="{root}{p.name}">{p.name}</a></td>'
            f'<td>{p.stat().st_size / 1e6:.1f} MB</td></tr>' for p in order)
        html = (f'<table class="table nnbook-downloads"><thead><tr><th>What</th><th>File</th><th>Size</th></tr>'
                f"</thead><tbody>{rows}</tbody></table>")
        return [nodes.raw("", html, format="html")]


def setup(app):
    app.add_directive("nnbook-downloads", Downloads)
    app.connect("config-inited", ship_downloads)
    app.connect("config-inited", ship_pdf)
    app.connect("builder-inited", add_stylesheet)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", link_pdf)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
