"""Browser tests: Playwright driving Debian's chromium against the live server.

Locally, without chromium (or Playwright), they skip and say why. With CI=true
they fail instead: CI must run them.
"""

from __future__ import annotations

import os
import shutil
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
