"""The Downloads page of the built site links to every zip, and every link opens a real zip
that holds notebooks, the nnbook wheel, requirements.txt and a README (HTML only, no browser)."""
import html
import posixpath
import re
import zipfile

import pytest
from sitecheck import SITE

pytestmark = pytest.mark.site

PAGE = "book/appendix/downloads.html"


def test_the_downloads_page_links_to_each_zip_and_each_is_shipped():
    text = (SITE / PAGE).read_text(encoding="utf-8")
    links = [html.unescape(h) for h in re.findall(r'<a class="nnbook-download" href="([^"]+)"', text)]
    names = sorted(posixpath.basename(h) for h in links)
    chapters = sorted(p.name for p in (SITE.parent.parent / "book").glob("ch[0-9]-*") if p.is_dir())
    assert names == sorted(["nnbook-book.zip", "nnbook-student.zip"] + [f"nnbook-student-{c}.zip" for c in chapters])
    for href in links:
        target = SITE / posixpath.normpath(posixpath.join(posixpath.dirname(PAGE), href))
        assert target.is_file(), f"{PAGE} links to {href}, which the site does not ship"
        with zipfile.ZipFile(target) as z:
            files = z.namelist()
        folder = target.stem
        assert {f"{folder}/README.md", f"{folder}/requirements.txt"} <= set(files), href
        assert any(f.startswith(f"{folder}/wheels/nnbook-") for f in files), href
        assert any(f.startswith(f"{folder}/notebooks/") and f.endswith(".ipynb") for f in files), href
