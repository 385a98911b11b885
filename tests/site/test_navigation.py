"""Reading order of the built site: the previous/next links walk every page of the book once.

Reads the HTML only (no browser), so it also runs where Chromium is missing.
"""
import html
import posixpath
import re

import pytest
from sitecheck import SITE, home_page, site_pages

pytestmark = pytest.mark.site

HOME = home_page(SITE)
PAGES = site_pages(SITE)


def _link(page: str, cls: str) -> str | None:
    """The page that the previous ('left-prev') or next ('right-next') link of ``page`` opens."""
    match = re.search(rf'<a class="{cls}"\s+href="([^"#]+)', (SITE / page).read_text(encoding="utf-8"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), html.unescape(match.group(1)))) if match else None


def test_site_has_pages():
    assert PAGES, f"no pages under {SITE}: build the site first (make book), or set NNBOOK_SITE"


def test_previous_next_links_walk_the_book_in_order():
    """From the home page, 'next' visits every page once; 'previous' walks back the same way."""
    wanted = {p for p in PAGES if p not in ("genindex.html", "search.html")}
    order, page = [], HOME
    while page and page not in order:
        order.append(page)
        page = _link(page, "right-next")
    assert page is None, f"the next links loop back to {page}"
    assert set(order) == wanted, f"pages the next links never reach: {sorted(wanted - set(order))}"
    for before, after in zip(order, order[1:]):
        assert _link(after, "left-prev") == before, f"{after}: 'previous' is not {before}"
    assert _link(HOME, "left-prev") is None
