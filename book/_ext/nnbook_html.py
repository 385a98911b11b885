"""Sphinx extension: small fixes to the HTML pages that the browser check (tests/site) found.

``html-page-context``
    Drops repeated inline scripts. With Jupyter Book 1, sphinx-thebe's and sphinx-togglebutton's
    inline configuration scripts are emitted twice on every page (once with filename ``None``,
    once with ``""``, so Sphinx's own de-duplication misses them); the second
    ``const THEBE_JS_URL = ...`` is a JavaScript ``SyntaxError`` in the reader's console.
    Only exact repeats (same file, or same inline body) are dropped; the order is kept.
"""
from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
