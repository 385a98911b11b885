"""The built book in a real browser: headless Chromium visits every page of the site.

Per page (``test_page[...]``): every request answered 200 by our loopback server, none leaves
loopback, no console error, every ``<img>`` decoded, math typeset by MathJax (no raw ``$$`` or
``\\(`` left in the visible text, no MathJax error), every link target and ``#anchor`` exists,
one visible ``<h1>``, ``lang`` set, favicon and logo, copy buttons on code blocks, long outputs
scrollable rather than cut, figures with alt text or a caption and their own aspect ratio, previous/next links on chapter
pages, the notebook download button delivering the page's notebook, and no horizontal scroll at
a phone's 390 px width. Then: search, the light/dark toggle, copy to the clipboard, the sidebar,
and screenshots for people (desktop and phone) under ``<site>/../screenshots/``.

Run with ``make site`` after a build, or on another build with
``NNBOOK_SITE=/tmp/x/_build/html .venv/bin/pytest tests/site -rs``.
"""
from __future__ import annotations

import html
import re
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from sitecheck import (DESKTOP, PHONE, SCREENSHOTS, SITE, SKIP_NO_CHROMIUM, chromium_programs, home_page,
                       is_loopback, site_pages)

pytestmark = [pytest.mark.site, pytest.mark.browser]
if chromium_programs() is None:  # one line in the summary (pytest -rs), not one per test
    pytest.skip(SKIP_NO_CHROMIUM, allow_module_level=True)

CHAPTER = re.compile(r"^book/(ch\d+-[^/]+)/")
SEARCH_WORDS = {  # word -> the chapter folder whose pages must be among the results
    "glossary": "book/appendix/",  # always there: checks the search mechanism itself
    "backpropagation": "book/ch3-backprop/",
    "Viterbi": "book/ch6-sequence-models/",
}


# --------------------------------------------------------------------------------------------
# The pages of the site, found when the tests are collected


def _screenshot_pages(pages: list[str], home: str) -> dict[str, str]:
    """name -> page: the home page, the question map, one content page of each chapter."""
    shots = {"home": home}
    shots.update({"question-map": p for p in pages if p.endswith("/question-map.html")})
    for chapter in sorted({m.group(1) for p in pages if (m := CHAPTER.match(p))}):
        in_chapter = [p for p in pages if p.startswith(f"book/{chapter}/")]
        content = [p for p in in_chapter if re.match(r"\d", p.rsplit("/", 1)[1])]
        shots[chapter] = (content or in_chapter)[0]
    return shots


HOME = home_page(SITE)
PAGES = site_pages(SITE)
SHOTS = _screenshot_pages(PAGES, HOME)
SHOT_OF = {page: name for name, page in SHOTS.items()}


def _has_text_output(page: str) -> bool:
    text = (SITE / page).read_text(encoding="utf-8")
    return 'class="cell_output' in text and 'class="output stream' in text


NOTEBOOK_WITH_OUTPUT = next((p for p in PAGES if _has_text_output(p)), None)


@lru_cache(maxsize=None)
def _static_ids(path: Path) -> frozenset[str]:
    """The ids (and <a name>s) that an HTML file of the site defines."""
    text = path.read_text(encoding="utf-8", errors="replace")
    ids = re.findall(r'\sid="([^"]*)"', text) + re.findall(r'<a\s[^>]*\bname="([^"]*)"', text)
    return frozenset(html.unescape(i) for i in ids)


# --------------------------------------------------------------------------------------------
# What the browser reports about a loaded page

PAGE_FACTS_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].slice(0, 3).join('.') : '');
  const nearHeading = (el) => {
    const sec = el.closest('section');
    const h = sec && sec.querySelector('h1, h2, h3, h4');
    return h ? h.textContent.replace('#', '').trim().slice(0, 60) : '';
  };
  const imgs = [...document.images];
  imgs.forEach((img) => { if (img.loading === 'lazy') img.loading = 'eager'; });
  const images = await Promise.all(imgs.map(async (img) => {
    let error = '';
    try { await img.decode(); } catch (e) { error = String(e); }
    const fig = img.closest('figure');
    const cap = fig && fig.querySelector('figcaption');
    return {
      src: img.getAttribute('src') || '', alt: (img.getAttribute('alt') || '').trim(), error,
      width: img.naturalWidth, caption: cap ? cap.textContent.trim() : '',
      natural: img.naturalHeight ? img.naturalWidth / img.naturalHeight : 0,
      shown: img.clientHeight ? img.clientWidth / img.clientHeight : 0,
      logo: img.classList.contains('logo__image'), heading: nearHeading(img),
    };
  }));

  // math: every .math element typeset, no MathJax error, no raw delimiters in visible text
  const maths = [...document.querySelectorAll('.math')];
  const untypeset = maths.filter((m) => !m.querySelector('mjx-container'))
      .map((m) => m.textContent.trim().slice(0, 60));
  const mathErrors = [...document.querySelectorAll('mjx-merror')]
      .map((e) => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 100));
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = 'pre, code, script, style, noscript, textarea, mjx-container, .highlight';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const m = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/.exec(n.textContent);
    if (m && parent.checkVisibility()) {
      raw.push(n.textContent.slice(Math.max(0, m.index - 30), m.index + 30).replace(/\s+/g, ' '));
    }
  }

  // long outputs: an output box whose content overflows must scroll, not clip
  const cut = [];
  let scrollBoxes = 0;
  const scrolls = (o) => o === 'auto' || o === 'scroll', clips = (o) => o === 'hidden' || o === 'clip';
  for (const el of document.querySelectorAll('div.cell_output, div.cell_output .output, div.cell_output pre')) {
    const cs = getComputedStyle(el);
    const overX = el.scrollWidth > el.clientWidth + 1, overY = el.scrollHeight > el.clientHeight + 1;
    if ((overX && scrolls(cs.overflowX)) || (overY && scrolls(cs.overflowY))) scrollBoxes++;
    if ((overX && clips(cs.overflowX)) || (overY && clips(cs.overflowY))) {
      cut.push(describe(el) + ' near "' + nearHeading(el) + '"');
    }
  }

  const highlights = [...document.querySelectorAll('.bd-article div.highlight')];
  const icon = document.querySelector('link[rel~="icon"]');
  const download = document.querySelector('.btn-download-source-button');
  const prev = document.querySelector('.prev-next-area a.left-prev');
  const next = document.querySelector('.prev-next-area a.right-next');
  done({
    lang: document.documentElement.lang,
    h1: [...document.querySelectorAll('h1')].filter((h) => h.checkVisibility())
        .map((h) => h.textContent.replace('#', '').trim()),
    images, untypeset, mathErrors, raw: raw.slice(0, 5), mathCount: maths.length,
    hasMathJax: !!(window.MathJax && window.MathJax.startup),
    cut, scrollBoxes,
    codeBlocks: highlights.length,
    withoutCopy: highlights.filter((h) => !h.querySelector(':scope > button.copybtn'))
        .map((h) => h.textContent.trim().slice(0, 40)),
    favicon: icon ? icon.href : '',
    download: download ? download.href : '',
    prev: prev ? prev.href : '', next: next ? next.href : '',
    links: [...document.querySelectorAll('a[href]')]
        .map((a) => [a.href, (a.textContent || a.title || '').trim().slice(0, 40)]),
    ids: [...document.querySelectorAll('[id]')].map((e) => e.id)
        .concat([...document.querySelectorAll('a[name]')].map((a) => a.name)),
  });
})().catch((e) => done({error: String(e)}));
"""

PHONE_SCROLL_JS = r"""
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => {
  const width = window.innerWidth;
  const root = document.scrollingElement || document.documentElement;
  window.scrollTo(100000, window.scrollY);
  const scrolled = window.scrollX;
  window.scrollTo(0, 0);
  const wide = [];
  if (scrolled > 0 || root.scrollWidth > width) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      let p = el.parentElement, contained = false;
      for (; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') { contained = true; break; }
      }
      if (!contained) {
        wide.push(el.tagName.toLowerCase() + '.' + [...el.classList].slice(0, 2).join('.') +
                  ' (right edge ' + Math.round(r.right) + ' px)');
      }
    }
  }
  done({width, scrollWidth: root.scrollWidth, scrolled, wide: wide.slice(0, 4)});
}));
"""


def _is_file_path(alt: str) -> bool:
    """myst-nb's alt for a figure without metadata is the image's file name: not alt text."""
    return bool(re.search(r"\.(png|jpe?g|svg|gif|webp)$", alt, re.I)) or "_images/" in alt


def _link_problems(page: str, facts: dict, base: str) -> list[str]:
    """Every link to the site points at a file that exists, and its #anchor exists there."""
    out, here = [], urlsplit(base + page).path
    for href, text in facts["links"]:
        parts = urlsplit(href)
        if not is_loopback(href) or parts.scheme not in ("http", "https"):
            continue  # external links (references, DOIs) and mailto: are not requests
        path = unquote(parts.path)
        target = SITE / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            out.append(f"broken link {href} ('{text}'): no file {target.relative_to(SITE)}")
            continue
        anchor = unquote(parts.fragment)
        if not anchor:
            continue
        ids = set(facts["ids"]) if parts.path == here else _static_ids(target)
        if anchor not in ids:
            out.append(f"link to a missing anchor: {href} ('{text}')")
    return list(dict.fromkeys(out))


def _fact_problems(page: str, facts: dict, base: str) -> list[str]:
    if "error" in facts:
        return [f"page script failed: {facts['error']}"]
    out = []
    if not facts["lang"]:
        out.append("<html> has no lang attribute")
    if len(facts["h1"]) != 1:
        out.append(f"expected one visible <h1>, found {len(facts['h1'])}: {facts['h1']}")
    for img in facts["images"]:
        if img["error"] or img["width"] == 0:
            out.append(f"image not decoded: {img['src']} {img['error']}")
        if not img["logo"] and (not img["alt"] or _is_file_path(img["alt"])) and not img["caption"]:
            out.append(f"figure without alt text or caption: {img['src']} (in section "
                       f"'{img['heading']}'; give the cell metadata mystnb.image.alt)")
        if img["natural"] and img["shown"] and abs(img["shown"] / img["natural"] - 1) > 0.03:
            out.append(f"figure distorted: drawn {img['natural']:.2f}:1, shown {img['shown']:.2f}:1 ({img['src']})")
    if not any(img["logo"] and img["width"] > 0 for img in facts["images"]):
        out.append("the logo is missing or not decoded")
    if not facts["favicon"] or not (SITE / unquote(urlsplit(facts["favicon"]).path).lstrip("/")).is_file():
        out.append(f"favicon missing: '{facts['favicon']}'")
    if facts["mathCount"] and not facts["hasMathJax"]:
        out.append(f"{facts['mathCount']} math elements but MathJax is not loaded")
    out += [f"math not typeset: {m}" for m in facts["untypeset"]]
    out += [f"MathJax error: {m}" for m in facts["mathErrors"]]
    out += [f"raw TeX delimiters in the visible text: ...{m}..." for m in facts["raw"]]
    out += [f"output cut off (overflow hidden): {c}" for c in facts["cut"]]
    if facts["withoutCopy"]:
        out.append(f"{len(facts['withoutCopy'])} of {facts['codeBlocks']} code blocks lack a copy "
                   f"button, e.g. '{facts['withoutCopy'][0]}'")
    if CHAPTER.match(page) and not (facts["prev"] and facts["next"]):
        out.append(f"chapter page lacks previous/next links (prev='{facts['prev']}', next='{facts['next']}')")
    return out + _link_problems(page, facts, base)


def _phone_problems(browser, page: str) -> list[str]:
    """At 390 px (a phone) the page must not scroll sideways; screenshot it if wanted."""
    browser.set_phone(True, sharp=page in SHOT_OF)
    r = browser.driver.execute_async_script(PHONE_SCROLL_JS)
    if page in SHOT_OF:
        browser.screenshot(f"{SHOT_OF[page]}-phone", max_height=2 * PHONE["height"])
    if r["scrolled"] > 0 or r["scrollWidth"] > r["width"]:
        return [f"at {r['width']} px the page scrolls sideways (content {r['scrollWidth']} px wide; "
                f"widest: {', '.join(r['wide']) or '?'})"]
    return []


def _download_problems(browser, page: str, facts: dict) -> list[str]:
    """Click the download button, then the .ipynb entry: the file must be this page's notebook."""
    from selenium.webdriver.common.by import By

    driver, folder = browser.driver, browser.downloads
    for old in folder.iterdir():
        old.unlink()
    name = Path(unquote(urlsplit(facts["download"]).path)).name
    handles = set(driver.window_handles)
    main = driver.current_window_handle
    try:
        driver.find_element(By.CSS_SELECTOR, ".dropdown-download-buttons button.dropdown-toggle").click()
        driver.find_element(By.CSS_SELECTOR, ".dropdown-download-buttons .btn-download-source-button").click()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = [f for f in folder.iterdir() if not f.name.endswith((".crdownload", ".tmp"))]
            if done:
                break
            time.sleep(0.05)
        else:
            return [f"the download button delivered no file within 10 s (expected {name})"]
    finally:
        for handle in set(driver.window_handles) - handles:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(main)
    got = done[0]
    if got.name != name:
        return [f"the download button delivered {got.name}, expected {name}"]
    try:
        nb = nbformat.read(got, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # noqa: BLE001 - any failure to open is the finding
        return [f"the downloaded {name} does not open with nbformat: {err}"]
    # the title's words are in the notebook's markdown (math in a title renders differently)
    title = facts["h1"][0] if facts["h1"] else ""
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    words = re.findall(r"[A-Za-z]{4,}", title)
    if not nb.cells or sum(w.lower() not in markdown for w in words) > len(words) / 2:
        return [f"the downloaded {name} is not this page's notebook (its title '{title}' is not in it)"]
    return []


# --------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("page", PAGES)
def test_page(browser, page):
    # the page loads at the width the last page ended with, and switches once (a relayout of a
    # long page with math costs as much as loading it): phone, desktop / desktop, phone / ...
    visit = browser.visit(page, phone=None)
    checked_from = len(browser.server.requests)
    facts = browser.driver.execute_async_script(PAGE_FACTS_JS)
    problems = visit.problems + _fact_problems(page, facts, browser.server.base)
    for phone in (browser.phone, not browser.phone):
        if phone:
            problems += _phone_problems(browser, page)
            continue
        browser.set_phone(False)
        if page in SHOT_OF:
            browser.screenshot(f"{SHOT_OF[page]}-desktop", max_height=DESKTOP[1])
        if facts.get("download", "").endswith(".ipynb"):
            problems += _download_problems(browser, page, facts)
    # requests made while checking (downloads included) are checked too
    problems += visit.request_problems() + browser.collect(page, checked_from).request_problems()
    browser.pages_checked += 1
    if problems:
        pytest.fail(f"{page}: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems), pytrace=False)


def test_the_check_sees_bad_requests(browser):
    """The checker itself: a 404, an off-site image and a console error on a page are all reported."""
    browser.visit(HOME)
    first = len(browser.server.requests)
    browser.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const img = new Image(); img.src = 'https://example.org/nnbook-probe.png';
        document.body.appendChild(img);
        console.error('nnbook probe error');
        fetch('../no-such-page.html').finally(() => setTimeout(done, 300));""")
    problems = "\n".join(browser.collect(HOME, first).request_problems())
    for expected in ("HTTP 404 for GET /no-such-page.html", "request leaves loopback: https://example.org/nnbook-probe.png",
                     "console error", "nnbook probe error"):
        assert expected in problems, f"the check missed '{expected}'; it reported:\n{problems}"


def test_root_redirects_to_home_page(browser):
    browser.visit("")
    assert browser.driver.current_url.endswith("/" + HOME), browser.driver.current_url


@pytest.mark.parametrize("word", list(SEARCH_WORDS))
def test_search_finds(browser, word):
    """Type the word into the theme's search dialog and press Enter, as a reader does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.visit(HOME)
    driver = browser.driver
    first = len(browser.server.requests)
    button = next(b for b in driver.find_elements(By.CSS_SELECTOR, "button.search-button__button") if b.is_displayed())
    button.click()
    field = WebDriverWait(driver, 5).until(
        lambda d: next((f for f in d.find_elements(By.CSS_SELECTOR, "#pst-search-dialog input[name=q]")
                        if f.is_displayed()), None))
    field.send_keys(word, Keys.ENTER)
    WebDriverWait(driver, 15).until(
        lambda d: "search.html" in d.current_url and d.execute_script(
            "const s = document.querySelector('#search-results .search-summary');"
            "return s && /finished|did not match/i.test(s.textContent);"))
    browser.wait_ready()
    results = driver.execute_script(
        "return [...document.querySelectorAll('#search-results ul.search li > a')].map(a => a.href)")
    problems = browser.collect("search.html", first).request_problems()
    assert not problems, "\n".join(problems)
    expected = SEARCH_WORDS[word]
    hits = [r for r in results if expected in r]
    assert hits, f"search for '{word}' found no page under {expected}; results: {results}"


def test_theme_toggle_switches_light_and_dark(browser):
    from selenium.webdriver.common.by import By

    page = SHOTS.get("ch1-feedforward", HOME)
    browser.visit(page)
    driver = browser.driver

    def state():
        return driver.execute_script(
            "const bg = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number);"
            "return [document.documentElement.dataset.theme, document.documentElement.dataset.mode,"
            " (0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]) / 255];")

    def click_until(theme):
        for _ in range(3):
            if state()[0] == theme:
                return
            next(b for b in driver.find_elements(By.CSS_SELECTOR, ".theme-switch-button") if b.is_displayed()).click()
        assert state()[0] == theme, f"the theme button never switched to {theme}: {state()}"

    start_mode = state()[1]
    click_until("dark")
    theme, _, luminance = state()
    assert luminance < 0.3, f"dark theme but the page background is light (luminance {luminance:.2f})"
    browser.visit(page)  # the choice persists across pages
    assert state()[0] == "dark"
    browser.screenshot("dark-mode-desktop", max_height=DESKTOP[1])
    click_until("light")
    assert state()[2] > 0.7, f"light theme but the page background is dark: {state()}"
    for _ in range(3):  # leave the reader's default (follow the system) for later tests
        if state()[1] == start_mode:
            break
        next(b for b in driver.find_elements(By.CSS_SELECTOR, ".theme-switch-button") if b.is_displayed()).click()
    assert state()[1] == start_mode


@pytest.mark.skipif(NOTEBOOK_WITH_OUTPUT is None, reason="no notebook page with a text output in the site")
def test_copy_button_copies_the_code(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.visit(NOTEBOOK_WITH_OUTPUT)
    driver = browser.driver
    browser.cdp("Browser.grantPermissions", origin=browser.server.base.rstrip("/"),
                permissions=["clipboardReadWrite", "clipboardSanitizedWrite"])
    block = next(b for b in driver.find_elements(By.CSS_SELECTOR, ".cell_input div.highlight") if b.is_displayed())
    code = block.find_element(By.TAG_NAME, "pre").get_attribute("textContent")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
    button = block.find_element(By.CSS_SELECTOR, "button.copybtn")
    ActionChains(driver).move_to_element(block).pause(0.4).click(button).perform()
    WebDriverWait(driver, 5).until(lambda d: "success" in button.get_attribute("class"))
    copied = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, (e) => done('clipboard error: ' + e));")
    assert copied.strip() == code.strip()


@pytest.mark.skipif(NOTEBOOK_WITH_OUTPUT is None, reason="no notebook page with a text output in the site")
def test_long_outputs_scroll_inside_a_box(browser):
    """A cell with 300 long output lines (a copy of a real cell of the book) scrolls both ways."""
    browser.visit(NOTEBOOK_WITH_OUTPUT)
    r = browser.driver.execute_script(r"""
        const cell = document.querySelector('div.cell:not(:has(details)):has(div.cell_output .output.stream pre)')
            .cloneNode(true);
        const lines = Array.from({length: 300}, (_, i) => 'line ' + i + ' ' + 'x'.repeat(i % 10 ? 20 : 400));
        cell.querySelector('div.cell_output .output.stream pre').textContent = lines.join('\n');
        document.querySelector('article').appendChild(cell);
        cell.scrollIntoView();
        const out = cell.querySelector('div.cell_output');
        const inner = cell.querySelector('div.cell_output .output.stream');
        const page = document.documentElement.scrollHeight;
        const pre = inner.querySelector('pre');
        out.scrollTop = 1e6;
        for (const el of [out, inner, pre]) el.scrollLeft = 1e6;  // whichever box scrolls sideways
        const result = {height: out.clientHeight, content: out.scrollHeight, top: out.scrollTop,
                        left: Math.max(out.scrollLeft, inner.scrollLeft, pre.scrollLeft),
                        overflowY: getComputedStyle(out).overflowY, page};
        cell.remove();
        return result;""")
    assert r["overflowY"] in ("auto", "scroll") and r["content"] > r["height"] and r["top"] > 0, r
    assert r["height"] < 0.8 * browser.driver.execute_script("return window.innerHeight"), r
    assert r["left"] > 0, f"a wide output line cannot be scrolled sideways: {r}"


def test_question_map_and_glossary_in_sidebar(browser):
    from selenium.webdriver.common.by import By

    for page in (HOME, SHOTS.get("ch1-feedforward", HOME)):
        browser.visit(page)
        links = {a.get_attribute("href").split("#")[0]: a for a in
                 browser.driver.find_elements(By.CSS_SELECTOR, ".bd-sidebar-primary nav a")}
        found = {name: next((a for href, a in links.items() if href.endswith("/" + name)), None)
                 for name in ("question-map.html", "glossary.html")}
        missing = [name for name, a in found.items() if a is None]
        assert not missing, f"{page}: no sidebar link to {missing}; sidebar links: {sorted(links)}"
    found["glossary.html"].click()  # from a chapter page, as a reader would
    browser.wait_ready()
    assert browser.driver.current_url.split("#")[0].endswith("/glossary.html")


def test_screenshots_for_people(browser):
    """Desktop and phone screenshots of the home page, the question map and each chapter."""
    for name, page in SHOTS.items():
        if not (SCREENSHOTS / f"{name}-desktop.png").is_file():  # e.g. when run with -k
            browser.visit(page, phone=False)
            browser.screenshot(f"{name}-desktop", max_height=DESKTOP[1])
            _phone_problems(browser, page)
    browser.set_phone(False)
    wanted = {f"{name}-{kind}.png" for name in SHOTS for kind in ("desktop", "phone")}
    for stale in SCREENSHOTS.glob("*.png"):  # e.g. of a page that was renamed
        if stale.name not in wanted | {"dark-mode-desktop.png"}:
            stale.unlink()
    missing = sorted(name for name in wanted if not (SCREENSHOTS / name).is_file())
    assert not missing, f"screenshots missing in {SCREENSHOTS}: {missing}"
    for png in SCREENSHOTS.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000, png
    assert {"home", "question-map"} <= set(SHOTS), f"home page or question map not found: {SHOTS}"
