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
"""
from __future__ import annotations

from pathlib import Path

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


def setup(app):
    app.connect("config-inited", ship_pdf)
    app.connect("builder-inited", add_stylesheet)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", link_pdf)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
