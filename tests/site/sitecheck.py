"""Helpers of the browser check: a loopback web server with a request log, headless Chromium.

Used by tests/site/conftest.py (fixtures) and tests/site/test_browser.py. See conftest.py for
the environment variables (NNBOOK_SITE, NNBOOK_CHROMIUM, NNBOOK_CHROMEDRIVER).
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("NNBOOK_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"

SKIP_NO_CHROMIUM = (
    "headless-browser check skipped: Chromium not found; enable it with "
    "`sudo apt-get install chromium chromium-driver` (Debian/Ubuntu), then `make site`"
)

DESKTOP = (1280, 900)
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


# --------------------------------------------------------------------------------------------
# The pages of the site


def home_page(site: Path) -> str:
    """The page that the site's index.html redirects to (Jupyter Book writes a redirect)."""
    text = (site / "index.html").read_text(encoding="utf-8") if (site / "index.html").is_file() else ""
    match = re.search(r'url=([^"\'>\s]+)', text)
    return match.group(1) if match else "index.html"


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site except assets and the root redirect, relative paths."""
    if not (site / "index.html").is_file():
        return []
    skip = ("_static/", "_sources/", "_images/")
    return sorted(
        rel for rel in (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        if not rel.startswith(skip) and rel != "index.html"
    )


# --------------------------------------------------------------------------------------------
# The web server: serves SITE on 127.0.0.1 and logs every request with its status.
# It is also the browser's proxy, so a request for any other host reaches it (and is refused)
# instead of leaving the machine.


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: fewer connections, faster page loads

    def _proxied(self) -> bool:
        return self.command == "CONNECT" or self.path.startswith(("http://", "https://"))

    def send_head(self):
        if "If-Modified-Since" in self.headers:  # always answer 200, never 304
            del self.headers["If-Modified-Since"]
        if self._proxied():
            self.send_error(403, "the browser check allows loopback requests only")
            return None
        return super().send_head()

    def do_CONNECT(self):  # noqa: N802 (http.server naming)
        self.send_error(403, "the browser check allows loopback requests only")

    def log_request(self, code="-", size="-"):
        entry = {
            "method": self.command,
            "path": self.path,
            "status": int(code) if str(code).isdigit() or hasattr(code, "value") else 0,
            "referer": self.headers.get("Referer", "") if self.headers else "",
        }
        if self._proxied():
            self.server.proxied.append(entry)
        else:
            self.server.requests.append(entry)

    def log_message(self, format, *args):  # noqa: A002 - quiet: the log is kept in memory
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a browser closing a socket is normal
        pass


class SiteServer:
    """``http.server`` on a free loopback port serving ``root``; ``requests`` is its log."""

    def __init__(self, root: Path):
        self.httpd = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
        self.httpd.requests = []  # page requests: dicts with method, path, status, referer
        self.httpd.proxied = []  # requests for other hosts, refused (browser internals included)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> list[dict]:
        return self.httpd.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------------
# The browser


def find_program(env: str, *names: str) -> str | None:
    """The program named by the environment variable ``env``, else the first of ``names`` found."""
    candidates = [os.environ[env]] if os.environ.get(env) else [
        shutil.which(name) or f"/usr/bin/{name}" for name in names]
    return next((c for c in candidates if Path(c).is_file() and os.access(c, os.X_OK)), None)


def chromium_programs() -> tuple[str, str] | None:
    """(chromium, chromedriver), or None when either is missing."""
    chromium = find_program("NNBOOK_CHROMIUM", "chromium", "chromium-browser")
    chromedriver = find_program("NNBOOK_CHROMEDRIVER", "chromedriver")
    return (chromium, chromedriver) if chromium and chromedriver else None


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (loopback http/ws, data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOOPBACK_HOSTS


class Browser:
    """Headless Chromium driven by Selenium, with the logs a page visit needs.

    ``visit(path)`` loads a page of the site, waits for MathJax and fonts, and returns a
    :class:`Visit`: the requests the server saw, Chrome's network events (performance log)
    and its console messages during the visit. The viewport is the desktop's or, after
    ``set_phone(True)``, a phone's; switching costs a full layout of a long page.
    """

    def __init__(self, driver, server: SiteServer, downloads: Path):
        self.driver = driver
        self.server = server
        self.downloads = downloads
        self.pages_checked = 0  # pages of the site that test_page went through
        self.pages_visited = 0  # page loads, all tests together
        self.phone = False  # the viewport now: phone (390 px) or desktop
        self.sharp = False  # phone at its real pixel density (for screenshots)

    def url(self, path: str) -> str:
        return self.server.base + path.lstrip("/")

    def drain_logs(self) -> tuple[list, list]:
        return self.driver.get_log("performance"), self.driver.get_log("browser")

    def wait_ready(self):
        """Wait for MathJax's typesetting and web fonts; stop CSS transitions (the sidebars
        slide when the width changes) so that layout checks and screenshots see the end state."""
        return self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const still = document.createElement('style');
            still.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
            document.head.appendChild(still);
            const mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
            Promise.resolve(mj)
              .then(() => document.fonts.ready)
              .then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))
              .then(() => done(''), e => done('MathJax failed: ' + e));
            """
        )

    def visit(self, path: str, phone: bool | None = False) -> "Visit":
        """Load ``path`` at desktop width, at a phone's (``phone=True``), or as now (``None``)."""
        if phone is not None and phone != self.phone:
            self.driver.get("about:blank")  # switch on an empty page: no long relayout
            self.set_phone(phone)
        self.drain_logs()
        first = len(self.server.requests)
        self.driver.get(self.url(path))
        problem = self.wait_ready()
        visit = self.collect(path, first)
        if problem:
            visit.problems.append(problem)
        self.pages_visited += 1
        return visit

    def collect(self, path: str, first_request: int) -> "Visit":
        perf, console = self.drain_logs()
        return Visit(path, self.server.requests[first_request:], perf, console)

    def cdp(self, cmd: str, **params):
        return self.driver.execute_cdp_cmd(cmd, params)

    def set_phone(self, on: bool, sharp: bool = False):
        """Emulate a phone's viewport (390 px); ``sharp``: at its pixel density, for screenshots."""
        if on == self.phone and (not on or sharp == self.sharp):
            return
        if on:
            density = PHONE["deviceScaleFactor"] if sharp else 1  # 1 is quicker to paint
            self.cdp("Emulation.setDeviceMetricsOverride", **{**PHONE, "deviceScaleFactor": density})
        else:
            self.cdp("Emulation.clearDeviceMetricsOverride")
        self.phone, self.sharp = on, on and sharp

    def screenshot(self, name: str, max_height: int):
        """Save the top of the page (up to ``max_height`` CSS px) as SCREENSHOTS/name.png."""
        import base64

        width, height = self.driver.execute_script(
            "window.scrollTo(0, 0); return [window.innerWidth, document.documentElement.scrollHeight];"
        )
        tall = min(height, max_height) > self.driver.execute_script("return window.innerHeight")
        shot = self.cdp(
            "Page.captureScreenshot", format="png", captureBeyondViewport=tall,
            clip={"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1},
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


class Visit:
    """What happened while a page loaded: server log entries, network events, console messages."""

    def __init__(self, path, requests, perf, console):
        self.path = path
        self.requests = requests
        self.console = console
        self.problems: list[str] = []
        self.network = [json.loads(entry["message"])["message"] for entry in perf]

    def request_problems(self) -> list[str]:
        """Statuses other than 200, requests leaving loopback, failed loads, console errors."""
        out = []
        for r in self.requests:
            if r["status"] != 200:
                out.append(f"HTTP {r['status']} for {r['method']} {r['path']}")
        urls = {}
        for event in self.network:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                urls[params["requestId"]] = url
                if not is_loopback(url):
                    out.append(f"request leaves loopback: {url}")
            elif method == "Network.webSocketCreated" and not is_loopback(params.get("url", "")):
                out.append(f"websocket leaves loopback: {params['url']}")
            elif method == "Network.responseReceived":
                status = params["response"].get("status", 0)
                if status >= 400:
                    out.append(f"HTTP {status} for {params['response']['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                url = urls.get(params["requestId"], "?")
                out.append(f"load failed ({params.get('errorText')}): {url}")
        for entry in self.console:
            if entry["level"] == "SEVERE":
                out.append(f"console error: {entry['message']}")
        return list(dict.fromkeys(out))  # one line per distinct problem


