"""Browser tests: Playwright driving Debian's chromium against the live server.

Locally, without chromium (or Playwright), they skip and say why. With CI=true
they fail instead: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from reader.edition_files import read_edition_folder
from reader.services import edition_load

# Playwright's sync API runs an event loop in this thread; the ORM calls our
# fixtures make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
# The flags a root, network-less machine needs (see the README).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests must run in CI, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "Playwright is not installed (pip install -r requirements-dev.txt)"
        )
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium is not at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_edition(transactional_db):
    source = read_edition_folder(Path(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    return edition_load(source=source).edition


@pytest.fixture
def live_atlas(live_edition):
    """The study edition with the bundled motif catalogue on it."""
    from themes.catalogue import read_catalogue
    from themes.services import catalogue_load

    catalogue_load(
        motifs=read_catalogue(settings.THREE_NOTEBOOKS_MOTIF_DIR), edition=live_edition
    )
    return live_edition


class RequestsInFlight:
    """The live server's WSGI application, counting the requests it is still
    answering: a request is done once its response is closed (Django closes
    the request's database connection then)."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.done()
            raise
        return _Closing(result, self.done)

    def done(self):
        with self.lock:
            self.count -= 1

    def settle(self, timeout: float = 5.0) -> int:
        """Wait until no request is being answered (twice in a row, a moment
        apart, for one accepted just now); the number still in flight."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            quiet = quiet + 1 if self.count == 0 else 0
            if quiet == 2:
                return 0
            time.sleep(0.01)
        return self.count


class _Closing:
    def __init__(self, result, done):
        self.result = result
        self.finished = done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.finished()


@pytest.fixture(scope="session")
def live_requests(live_server):
    """The live server's requests in flight (installed once per session)."""
    httpd = live_server.thread.httpd
    counting = RequestsInFlight(httpd.get_app())
    httpd.set_app(counting)
    return counting


@pytest.fixture(autouse=True)
def _requests_settle_before_the_flush(request):
    """A browser test's last requests (a reading-progress beacon sent as its
    tab closes, a fetch the test did not wait for) may still be writing on
    the live server's threads when the test's database is flushed: on
    PostgreSQL, TRUNCATE and such an insert deadlock. This fixture is set up
    after the database and before the browser page, so it is torn down after
    the page is closed and before the flush: it waits for those requests."""
    if "live_server" not in request.fixturenames:
        yield
        return
    counting = request.getfixturevalue("live_requests")
    yield
    still = counting.settle()
    assert still == 0, f"{still} live-server requests still running after 5 s"
