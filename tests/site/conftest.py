"""Fixtures for the checks of the built site (the helpers live in sitecheck.py).

Environment variables
---------------------
NNBOOK_SITE
    The built HTML to check (default ``_build/html``, which ``make test`` builds). Screenshots go
    next to it, into ``<NNBOOK_SITE>/../screenshots``.
NNBOOK_CHROMIUM, NNBOOK_CHROMEDRIVER
    Paths of the browser and its driver (default: ``chromium`` and ``chromedriver`` on PATH,
    as Debian's ``apt-get install chromium chromium-driver`` installs them).

Without Chromium the browser tests are skipped with a one-line reason (``pytest -rs`` shows it).
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from sitecheck import DESKTOP, SCREENSHOTS, SITE, SKIP_NO_CHROMIUM, Browser, SiteServer, chromium_programs


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML under test (NNBOOK_SITE, default _build/html)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} holds no built site: build it first (make book), or set NNBOOK_SITE")
    return SITE


@pytest.fixture(scope="session")
def browser(site, request):
    """Headless Chromium on a fresh profile, with its own loopback server."""
    programs = chromium_programs()
    if programs is None:
        pytest.skip(SKIP_NO_CHROMIUM)
    chromium, chromedriver = programs
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="nnbook-chromium-") as tmp, SiteServer(site) as server:
        profile, downloads = Path(tmp) / "profile", Path(tmp) / "downloads"
        downloads.mkdir()
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
            "--dns-prefetch-disable", "--mute-audio", "--lang=en-US", "--force-device-scale-factor=1",
            f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
            # anything not on loopback goes to our server, which refuses it: nothing leaves
            f"--proxy-server=http://127.0.0.1:{server.port}",
        ):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
        })
        options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        start = time.perf_counter()
        driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        b = Browser(driver, server, downloads)
        request.config.stash[_STATS] = b
        try:
            # make the viewport (not the window) DESKTOP: headless windows count some browser frame
            inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
            driver.set_window_size(2 * DESKTOP[0] - inner[0], 2 * DESKTOP[1] - inner[1])
            driver.set_page_load_timeout(30)
            driver.set_script_timeout(30)
            driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(downloads)})
            yield b
        finally:
            driver.quit()
            b.total_seconds = time.perf_counter() - start


_STATS = pytest.StashKey()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    b = config.stash.get(_STATS, None)
    if b is None:
        return
    terminalreporter.write_line(
        f"browser check: {b.pages_checked} pages checked ({b.pages_visited} page loads in all) in "
        f"{getattr(b, 'total_seconds', 0.0):.1f} s, Chromium's start included; screenshots in {SCREENSHOTS}"
    )
