"""Two app servers over one PostgreSQL and one Redis: does what one does, the
other sees at once?

Run by .ci/run after the PostgreSQL pass, and locally with `make two-servers`.
It creates a fresh PostgreSQL database (dropped again at the end), migrates,
loads the study edition, collects static files, starts two gunicorn instances
on two ports with debug off (as `make serve` runs them), and checks over plain
HTTP:

- a note written through A is visible through B at once, to the same session;
- a revision applied through A makes the anonymous part page new on both
  (B's cached copy is warmed first);
- an edition upload previewed on A is confirmed on B (uploads wait in the
  shared MEDIA folder);
- wrong passwords tried on A and on B count together (django-axes): the
  right password is then refused on both.

It prints a table of the checks, exits 1 if any failed, and stops both
servers on the way out, whatever happened.

Knobs (environment):
- TWO_SERVERS_DATABASE_URL: the database to create and drop; its name must
  contain "two_servers" (default
  postgres://notebooks:notebooks@127.0.0.1:5432/notebooks_two_servers).
- TWO_SERVERS_REDIS_URL: the Redis the servers share
  (default redis://127.0.0.1:6379/3).
- TWO_SERVERS_PORTS: two ports, e.g. "8311,8312" (the default).
- TWO_SERVERS_B_ENV: a JSON object of variables for server B only, to see a
  check fail, e.g. '{"REDIS_URL": "redis://127.0.0.1:6379/8"}' (B no longer
  shares the cache) or '{"DJANGO_MEDIA_ROOT": "/tmp/elsewhere"}'.
- anything else reaches manage.py and gunicorn as it would in production
  (e.g. the settings that turn the SSL redirect off for plain HTTP).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = (
    "postgres://notebooks:notebooks@127.0.0.1:5432/notebooks_two_servers"
)
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
DEFAULT_PORTS = "8311,8312"
PASSWORD = secrets.token_urlsafe(18)
STARTUP_SECONDS = 60
REQUEST_SECONDS = 30

PASSED, FAILED = "passed", "FAILED"


# --- Pure parts (tests/test_two_servers.py) ----------------------------------------


@dataclass
class Check:
    name: str
    status: str
    detail: str = ""


def table(checks: list[Check]) -> str:
    """The checks as a small text table."""
    rows = [("check", "result", "detail")] + [
        (c.name, c.status, c.detail) for c in checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip()
        for row in rows
    ]
    lines.insert(1, f"{'-' * widths[0]}  {'-' * widths[1]}  ------")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    """1 if any check failed (or none ran), else 0."""
    if not checks or any(c.status == FAILED for c in checks):
        return 1
    return 0


def database_to_create(url: str) -> tuple[str, str]:
    """The database's name and the URL of the server's maintenance database
    (to create and drop it from). Refuses a name that is not clearly this
    check's own: it is dropped at the end."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]*two_servers[a-z0-9_]*", name):
        raise SystemExit(
            f"TWO_SERVERS_DATABASE_URL names {name!r}: this check creates and "
            "drops its database, so the name must contain 'two_servers' "
            "(lower-case letters, digits and _ only)."
        )
    return name, urlunsplit(parts._replace(path="/postgres"))


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name")
        if tag == "input" and name and named.get("type") in ("hidden", "text"):
            self.fields[name] = named.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form_fields(page: str) -> dict[str, str]:
    """The hidden and text inputs and the textareas of a page, by name, as a
    browser would send them back."""
    parser = _Fields()
    parser.feed(page)
    fields = parser.fields
    # Browsers drop one newline that starts a textarea's content.
    return {k: v[1:] if v.startswith("\n") else v for k, v in fields.items()}


def shows(page: str, words: str) -> bool:
    """Whether a page shows these words (as text, escaped or not)."""
    return words in html.unescape(page)


# --- The servers ---------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


SETUP_CODE = """
import json
from django.conf import settings
from django.contrib.auth.models import User
from reader.models import Passage
password = {password!r}
User.objects.create_user("reader", password=password)
User.objects.create_superuser("curator", "curator@example.org", password)
passages = Passage.objects.filter(edition__slug="study")
passage = passages.order_by("part__order", "order").first()
print(json.dumps({{
    "passage": passage.key,
    "passage_pk": passage.pk,
    "length": len(passage.text),
    "part_url": passage.part.get_absolute_url(),
    "axes": "axes" in settings.INSTALLED_APPS
    and getattr(settings, "AXES_ENABLED", True),
    "failure_limit": getattr(settings, "AXES_FAILURE_LIMIT", 3),
}}))
"""


@contextlib.contextmanager
def fresh_database(url: str) -> Iterator[None]:
    import psycopg

    name, maintenance = database_to_create(url)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def servers(
    env: dict[str, str], ports: list[int], b_env: dict[str, str]
) -> Iterator[list[str]]:
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    processes = []
    try:
        for index, port in enumerate(ports):
            processes.append(
                subprocess.Popen(  # noqa: S603 - gunicorn from our venv
                    [gunicorn, "config.wsgi", "--workers", "2", "--no-control-socket"]
                    + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                    cwd=ROOT,
                    env=env if index == 0 else {**env, **b_env},
                    start_new_session=True,
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            wait_until_ready(url, process)
        yield urls
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_ready(url: str, process: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on {url} exited ({process.returncode})")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/readyz/", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url}/readyz/ did not answer 200 in {STARTUP_SECONDS} s")


# --- The checks ------------------------------------------------------------------


def logged_in(url: str, username: str, password: str = PASSWORD):  # noqa: ANN201
    import requests

    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=REQUEST_SECONDS)
    answer = session.post(
        f"{url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        allow_redirects=False,
        timeout=REQUEST_SECONDS,
    )
    return session, answer


def csrf(session, url: str) -> dict[str, str]:  # noqa: ANN001
    return {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": url}


def check_note(a: str, b: str, probe: dict) -> Check:
    name = "note written on A, read on B"
    session, answer = logged_in(a, "reader")
    if answer.status_code != 302:
        return Check(name, FAILED, f"login on A answered {answer.status_code}")
    marker = f"two-server note {secrets.token_hex(4)}"
    end = min(probe["length"], 12)
    created = session.post(
        f"{a}/api/annotations/",
        json={
            "edition": "study",
            "target": {
                "start": {"passage": probe["passage"], "offset": 0},
                "end": {"passage": probe["passage"], "offset": end},
            },
            "motivation": "commenting",
            "body": marker,
            "visibility": "private",
        },
        headers=csrf(session, a),
        timeout=REQUEST_SECONDS,
    )
    if created.status_code != 201:
        return Check(name, FAILED, f"POST on A answered {created.status_code}")
    note = created.json()["id"]
    # The same session cookie, on the other server.
    read = session.get(f"{b}/api/annotations/{note}/", timeout=REQUEST_SECONDS)
    if read.status_code != 200 or marker not in read.text:
        return Check(name, FAILED, f"GET on B answered {read.status_code}")
    return Check(name, PASSED, "B's session and API see it at once")


def check_revision(a: str, b: str, probe: dict, redis_url: str) -> Check:
    import redis
    import requests

    name = "revision on A renews the cached part page on A and B"
    part = probe["part_url"]
    marker = f"two-server revision {secrets.token_hex(4)}"
    for url in (a, b, b):  # B twice: its cached copy is the one served
        page = requests.get(f"{url}{part}", timeout=REQUEST_SECONDS)
        if page.status_code != 200 or shows(page.text, marker):
            return Check(name, FAILED, f"part page on {url}: {page.status_code}")
    cached = redis.Redis.from_url(redis_url).keys("*reader:page:*")
    if not cached:
        return Check(name, FAILED, "no anonymous page in the shared cache")
    session, answer = logged_in(a, "curator")
    if answer.status_code != 302:
        return Check(name, FAILED, f"curator login on A answered {answer.status_code}")
    revise = f"{a}/admin/reader/passage/{probe['passage_pk']}/revise/"
    text = form_fields(session.get(revise, timeout=REQUEST_SECONDS).text)["text"]
    applied = session.post(
        revise,
        data={
            "text": f"{text} {marker}",
            "action": "apply",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": revise},
        allow_redirects=False,
        timeout=REQUEST_SECONDS,
    )
    if applied.status_code != 302:
        return Check(name, FAILED, f"apply on A answered {applied.status_code}")
    for label, url in (("B", b), ("A", a)):
        page = requests.get(f"{url}{part}", timeout=REQUEST_SECONDS)
        if not shows(page.text, marker):
            return Check(name, FAILED, f"{label} still serves the old text")
    return Check(name, PASSED, "B's warm cached page was replaced at once")


UPLOAD = "\n\n".join(
    [
        "# The Black Notebook",
        "A lamp was lit early in the evening.",
        "# The White Notebook",
        "A cast lay drying on the bench.",
        "# The Gray Notebook",
        "The rain stopped at four.",
    ]
).encode()


def check_upload(a: str, b: str) -> Check:
    name = "edition upload previewed on A, confirmed on B"
    session, answer = logged_in(a, "curator")
    if answer.status_code != 302:
        return Check(name, FAILED, f"curator login on A answered {answer.status_code}")
    url = "/admin/reader/edition/import/"
    session.get(f"{a}{url}", timeout=REQUEST_SECONDS)
    slug = f"two-servers-{secrets.token_hex(3)}"
    preview = session.post(
        f"{a}{url}",
        data={
            "slug": slug,
            "title": "Two servers",
            "author": "A",
            "language": "en",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        files={"file": ("book.md", UPLOAD, "text/markdown")},
        headers={"Referer": f"{a}{url}"},
        timeout=REQUEST_SECONDS,
    )
    fields = form_fields(preview.text)
    if preview.status_code != 200 or "token" not in fields:
        return Check(name, FAILED, f"preview on A answered {preview.status_code}")
    confirmed = session.post(
        f"{b}{url}",
        data={**fields, "step": "confirm"},
        headers={"Referer": f"{b}{url}"},
        allow_redirects=False,
        timeout=REQUEST_SECONDS,
    )
    location = confirmed.headers.get("Location", "")
    if confirmed.status_code != 302 or "/admin/reader/edition/" not in location:
        return Check(name, FAILED, f"confirm on B answered {confirmed.status_code}")
    if url in location:  # sent back to the upload: "the upload has expired"
        return Check(name, FAILED, "B did not find the upload A kept")
    return Check(name, PASSED, f"edition {slug} imported")


def check_throttle(a: str, b: str, probe: dict) -> Check:
    name = "login throttle counts attempts on A and B together"
    if not probe["axes"]:
        return Check(name, FAILED, "no login throttle configured (django-axes)")
    limit = int(probe["failure_limit"])
    for attempt in range(limit):
        logged_in((a, b)[attempt % 2], "reader", password="wrong-" + PASSWORD)
    # The right password, on each server: both must still refuse.
    for label, url in (("A", a), ("B", b)):
        _session, answer = logged_in(url, "reader")
        if answer.status_code == 302:
            return Check(
                name, FAILED, f"{label} let the right password in after {limit}"
            )
    return Check(name, PASSED, f"locked out after {limit} wrong, split over A and B")


def run_checks(env: dict[str, str], ports: list[int], redis_url: str) -> list[Check]:
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_edition", "content/study-edition")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    setup = SETUP_CODE.format(password=PASSWORD)
    # The last line: the shell may first say what it imported.
    probe = json.loads(manage(env, "shell", "-c", setup).strip().splitlines()[-1])
    checks: list[Check] = []
    b_env = json.loads(os.environ.get("TWO_SERVERS_B_ENV") or "{}")
    with servers(env, ports, b_env) as (a, b):
        checks.append(Check("both servers ready (/readyz/)", PASSED, f"{a}, {b}"))
        steps: list[Callable[[], Check]] = [
            lambda: check_note(a, b, probe),
            lambda: check_revision(a, b, probe, redis_url),
            lambda: check_upload(a, b),
            lambda: check_throttle(a, b, probe),
        ]
        for step in steps:
            try:
                checks.append(step())
            except Exception as exc:  # one broken check must not hide the others
                checks.append(Check(step.__name__, FAILED, repr(exc)[:200]))
    return checks


def main() -> int:
    database_url = os.environ.get("TWO_SERVERS_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("TWO_SERVERS_REDIS_URL", DEFAULT_REDIS_URL)
    ports = os.environ.get("TWO_SERVERS_PORTS", DEFAULT_PORTS).split(",")
    with tempfile.TemporaryDirectory(prefix="two-servers-media-") as media:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Plain HTTP on 127.0.0.1: cookies without the Secure flag, no
            # redirect to https and no HSTS.
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The folder both servers share, as an NFS mount would be.
            "DJANGO_MEDIA_ROOT": media,
        }
        with fresh_database(database_url):
            checks = run_checks(env, [int(p) for p in ports], redis_url)
    print(table(checks))
    return exit_code(checks)


if __name__ == "__main__":
    sys.exit(main())
