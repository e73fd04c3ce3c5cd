"""Shared fixtures: the cast of users and small editions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from reader.edition_files import read_edition_folder
from reader.models import Passage
from reader.services import edition_load
from tests.factories import make_edition, make_part, make_passages, make_user

# The suite draws the same Hypothesis examples on every run, here and in CI, so
# `make test` passes or fails on the code, not on the draw. To explore anew,
# run with THREE_NOTEBOOKS_HYPOTHESIS_EXPLORE=true (and --hypothesis-seed=N);
# add what exploring finds as an example test beside the property.
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
if os.environ.get("THREE_NOTEBOOKS_HYPOTHESIS_EXPLORE", "").lower() != "true":
    hypothesis_settings.load_profile("repeatable")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path):
    """Tests make many users; real hashing is slow by design. Uploads kept
    between steps go to a temporary folder, not var/."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts with empty caches: a page one test cached (keyed on
    the content generation, reader/page_cache.py) is not another's."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from reader import page_cache

    for cache in caches.all():
        # The throttles' table is in the test database: rolled back after
        # each test, and keyed per test (`throttles_apart`) where it is not.
        if isinstance(cache, DatabaseCache):
            continue
        # Never a shared Redis's (other runs use it): its keys name the
        # database, which is this run's own.
        if "redis" not in type(cache).__module__:
            cache.clear()
    # On a shared Redis: a generation of this test's own (the data of the
    # test before was rolled back, which sent no signal).
    page_cache._new_generation()


# Rates no test reaches by accident: a test that means to be refused sets its
# own (see `throttle_rates`).
UNTHROTTLED = "1000000/s"


@pytest.fixture(autouse=True)
def throttles_apart(settings):
    """The suite makes many requests from one address: throttles allow them
    all unless a test lowers a rate. Every test counts under a key prefix of
    its own, so counts on a shared Redis (not emptied between tests, nor
    between runs) are never another test's."""
    import uuid

    settings.THREE_NOTEBOOKS_THROTTLE_RATES = dict.fromkeys(
        settings.THREE_NOTEBOOKS_THROTTLE_RATES, UNTHROTTLED
    )
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test-{uuid.uuid4().hex}:"


@pytest.fixture
def throttle_rates(settings):
    """Set some rates low for one test: `throttle_rates(signup_address="2/h")`."""

    def lower(**rates: str) -> None:
        settings.THREE_NOTEBOOKS_THROTTLE_RATES = {
            **settings.THREE_NOTEBOOKS_THROTTLE_RATES,
            **rates,
        }

    return lower


@pytest.fixture
def reader_user(db):
    """Alice, a signed-in reader (a student)."""
    return make_user("alice")


@pytest.fixture
def other_reader(db):
    """Bob, another reader."""
    return make_user("bob")


@pytest.fixture
def teacher(db):
    return make_user("teacher", groups=("Teachers",))


@pytest.fixture
def curator(db):
    return make_user("curator", groups=("Curators",), is_staff=True)


@pytest.fixture
def edition(db):
    """A small edition: three parts (frame, notebook, letter) of 3 passages."""
    edition = make_edition("test")
    for order, (slug, kind) in enumerate(
        [("opening", "frame"), ("black", "notebook"), ("letter", "letter")], start=1
    ):
        part = make_part(edition, order, slug=slug, kind=kind)
        make_passages(part, 3)
    return edition


@pytest.fixture
def passage(edition) -> Passage:
    """black-001: 'Passage 1 of Part 2: he looked at the mask again.'"""
    return Passage.objects.get(edition=edition, key="black-001")


@pytest.fixture
def next_passage(edition) -> Passage:
    return Passage.objects.get(edition=edition, key="black-002")


@pytest.fixture
def study_edition(db):
    """The bundled study edition, loaded as `make run` loads it."""
    source = read_edition_folder(Path(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    return edition_load(source=source).edition


def pytest_report_header(config) -> str:
    """Say which database the run uses (CI runs SQLite, then PostgreSQL)."""
    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def licensed(db):
    """A licensed edition a curator opened to one class only, and the cast
    that meets it: anonymous, a signed-in stranger, a student and a teacher
    of the class, and a curator. `licensed.client(role)` is signed in as one.

    Same shape as `edition` (opening, black, letter; three passages each).
    """
    from datetime import timedelta
    from types import SimpleNamespace

    from django.test import Client
    from django.utils import timezone

    from classes.models import Enrollment
    from classes.services import course_create
    from reader.services import edition_publish

    edition = make_edition("licensed", title="A Licensed Translation")
    for order, (slug, kind) in enumerate(
        [("opening", "frame"), ("black", "notebook"), ("letter", "letter")], start=1
    ):
        make_passages(make_part(edition, order, slug=slug, kind=kind), 3)
    users = {
        "stranger": make_user("stranger"),
        "student": make_user("member"),
        "teacher": make_user("classteacher", groups=("Teachers",)),
        "curator": make_user("licensecurator", groups=("Curators",), is_staff=True),
    }
    today = timezone.localdate()
    course = course_create(
        teacher=users["teacher"],
        name="Licensed class",
        edition=edition,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )
    Enrollment.objects.create(course=course, student=users["student"])
    edition_publish(edition=edition, audience="classes", classes=[course])

    def client(role: str) -> Client:
        browser = Client()
        if role != "anonymous":
            browser.force_login(users[role])
        return browser

    return SimpleNamespace(
        edition=edition,
        course=course,
        passage=Passage.objects.get(edition=edition, key="black-001"),
        client=client,
        **users,
    )


@pytest.fixture
def settled_connection():
    """The test database's connection with no transaction open, for a test
    that runs migrations (SQLite's schema editor cannot turn foreign-key
    checks off inside one). A browser test's last request (a page's
    reading-progress beacon as its tab closes) may still be finishing on the
    live server's thread, which shares the in-memory database's connection:
    wait for it, briefly."""
    import time

    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + 5
    while getattr(raw, "in_transaction", False) and time.monotonic() < deadline:
        time.sleep(0.05)
    return connection
