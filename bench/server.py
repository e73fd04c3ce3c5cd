"""Benchmark: the site served as `make serve` serves it, page by page.

Run with `make bench` (or `python bench/server.py`). It

1. builds a benchmark database once and reuses it while its seed matches
   (bench/seed.py: the study edition and motifs; readers who see 0, 1,000,
   5,000 and 20,000 annotations on /read/study/black-notebook/; a class of
   200 students × 25 annotations on an assignment; the 5,000-note reader's
   notebook; 95 more readers with 200 notes each on the other parts, some
   public: 300 users and 50,000 annotations, all in the search index, which
   the database's triggers fill as the rows are inserted). Reseeding takes
   a minute or two; it happens when bench/seed.py changes (its hash is the
   seed version) or the database is new;
2. counts each page's queries in-process (Django's test client and
   CaptureQueriesContext, second request, against the same database) and
   its HTML size, raw and with `Accept-Encoding: gzip`;
3. collects static files and starts gunicorn with the Makefile's
   GUNICORN_ARGS (what `make serve` runs, DJANGO_DEBUG=false) on a free port,
   waits for /healthz/, and signs readers in by writing their sessions
   (SessionStore with the auth keys) and sending the cookie;
4. measures interleaved rounds: each round visits every page in turn for a
   fixed time with a fixed number of client processes (plain http.client, a
   new connection per request, `Accept-Encoding: gzip`), so slow drift on a
   shared machine touches every page alike. Per page and round: req/s of
   200 answers, as a % of /healthz/'s in the same round; the gunicorn
   workers' CPU (user + sys, psutil) per request answered; every latency
   (p99 over all rounds); every answer that was not a 200, timeouts and
   resets included, counted and shown;
5. prints the medians as a Markdown table (ready for the README) with each
   goal of issue #11 met or NOT met, and writes it to var/bench/results.md.

/healthz/ is the reference. On a small machine the client processes share
the cores with the server, so /healthz/'s req/s may be bound by the client
rather than the server: the "CPU: % of /healthz/" column (healthz's CPU per
request over the page's) is the server-only ratio.

Knobs (environment variables):

- BENCH_QUICK=1: 2 rounds of 1.5 s per page instead of 5 of 4 s (a smoke
  run that still visits every page);
- BENCH_ROUNDS, BENCH_SECONDS: rounds, and seconds per page per round;
- BENCH_CONCURRENCY: client processes (default 4);
- BENCH_TIMEOUT: seconds a client waits for an answer (default 60; gunicorn
  kills a worker after 30 s, which shows as an error);
- BENCH_PAGES: comma-separated page keys to measure (healthz is always
  measured): healthz, readyz, part-anonymous, part-0, part-1000, part-5000,
  part-20000, dashboard, notebook, export, search-common, search-rare,
  search-phrase, search-filtered, search-none, search-own;
- BENCH_SEARCH_PATH: what the search rows ask, with their query strings
  (default /api/search/; /search/ for the search page). A student of the
  class searches for a common word, a rare one (a word of a single passage,
  chosen from the loaded text), a phrase, and the common word among their
  class's comments on the measured part; the 20,000-note reader searches
  their own notes. The API's throttles count every request as usual, at a
  rate the run never reaches (THREE_NOTEBOOKS_RATE_API_USER/ANON, unless
  set);
- BENCH_DATABASE_URL: a database for the benchmark (default: SQLite in
  var/bench/bench.sqlite3). It is flushed and reseeded when its seed does not
  match: never point it at data you keep;
- anything else in the environment reaches gunicorn as it would reach
  `make serve` (DJANGO_SECRET_KEY defaults to a random one per run).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import multiprocessing
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"
SQLITE_PATH = VAR / "bench.sqlite3"

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2" if QUICK else "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5" if QUICK else "4"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "60"))
HOST = "127.0.0.1"
SEARCH_PATH = os.environ.get("BENCH_SEARCH_PATH", "/api/search/")
COMMON_WORD = "mask"
PHRASE = '"the mask"'
# In no passage, motif or note of the bench's data.
ABSENT_WORD = "zyzzogeton"


# --------------------------------------------------------------------------
# The load: client processes that know nothing of Django


@dataclass(frozen=True)
class Job:
    port: int
    path: str
    cookie: str | None
    start_at: float  # time.monotonic(), the same clock in every process
    deadline: float


@dataclass(frozen=True)
class Sample:
    outcome: str  # the status ("200"), "timeout", or the exception's name
    seconds: float


def request(
    port: int, path: str, cookie: str | None, *, gzip_ok: bool = True
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    headers = {"Accept": "text/html,application/json,*/*", "Connection": "close"}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def run_job(job: Job) -> list[Sample]:
    """Request the page again and again until the deadline (at least once)."""
    samples: list[Sample] = []
    while time.monotonic() < job.start_at:
        time.sleep(0.001)
    while not samples or time.monotonic() < job.deadline:
        started = time.perf_counter()
        try:
            status, _headers, _body = request(job.port, job.path, job.cookie)
            outcome = str(status)
        except TimeoutError:
            outcome = "timeout"
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        samples.append(Sample(outcome, time.perf_counter() - started))
    return samples


def client_loop(jobs: Queue, results: Queue) -> None:
    while (job := jobs.get()) is not None:
        results.put((time.monotonic(), run_job(job), time.monotonic()))


class Clients:
    """CONCURRENCY processes, started once, each given every phase's job."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.jobs = [context.Queue() for _ in range(count)]
        self.results = context.Queue()
        self.processes = [
            context.Process(target=client_loop, args=(jobs, self.results), daemon=True)
            for jobs in self.jobs
        ]
        for process in self.processes:
            process.start()

    def run(self, job: Job) -> tuple[float, list[Sample]]:
        """Seconds from the start to the last answer, and every sample."""
        for jobs in self.jobs:
            jobs.put(job)
        samples, last = [], job.start_at
        for _ in self.jobs:
            _started, got, ended = self.results.get()
            samples += got
            last = max(last, ended)
        return last - job.start_at, samples

    def stop(self) -> None:
        for jobs in self.jobs:
            jobs.put(None)
        for process in self.processes:
            process.join(timeout=TIMEOUT)


# --------------------------------------------------------------------------
# The server


def gunicorn_args() -> list[str]:
    """`make serve`'s gunicorn arguments, asked of the Makefile itself so the
    two cannot drift."""
    output = subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "-s", "--no-print-directory", "gunicorn-args"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return shlex.split(output)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.log = open(VAR / "gunicorn.log", "wb")  # noqa: SIM115 - closed in stop
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            *gunicorn_args(),
            "--bind",
            f"{HOST}:{self.port}",
        ]
        print("Serving: " + " ".join(command[1:]))
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log.name}")
            try:
                if request(self.port, "/healthz/", None)[0] == 200:
                    # Every worker up (each answers its first request late).
                    if len(self.workers()) >= 1:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz/: see {self.log.name}")

    def workers(self) -> list:
        import psutil

        return psutil.Process(self.process.pid).children()

    def cpu_seconds(self) -> dict[int, float]:
        import psutil

        seconds = {}
        for worker in self.workers():
            try:
                times = worker.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[worker.pid] = times.user + times.system
        return seconds

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --------------------------------------------------------------------------
# The database


def seed_version() -> str:
    """Changes whenever the seeding code does, so an old database is rebuilt."""
    source = (ROOT / "bench" / "seed.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:12]


def prepare_database():  # noqa: ANN201 - a bench.seed.Bench
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench import seed
    from reader.models import Edition, Part

    call_command("migrate", verbosity=0)
    marker = f"bench-seed-{seed_version()}"
    User = get_user_model()
    if not User.objects.filter(username=marker).exists():
        started = time.perf_counter()
        if User.objects.exists():
            print("The benchmark database's seed is out of date: rebuilding it.")
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)  # the groups' data migration
        edition = seed.load_study_edition()
        part = Part.objects.get(edition=edition, slug="black-notebook")
        seed.seed(edition=edition, part=part)
        User.objects.create(
            username=marker, password=seed.PASSWORDLESS, is_active=False
        )
        elapsed = time.perf_counter() - started
        print(f"Seeded the benchmark database in {elapsed:.0f} s.")
    search_index_check()
    connection.close()
    edition = Edition.objects.get(slug="study")
    bench = seed.find(
        edition=edition, part=Part.objects.get(edition=edition, slug="black-notebook")
    )
    for size, user in bench.readers.items():
        shown = seed.visible_on_part(user, bench.part)
        if shown != size:
            raise RuntimeError(f"{user} sees {shown} annotations, not {size}")
    return bench


def search_index_check() -> int:
    """Every annotation in the search index, or the index rebuilt: the
    database's triggers index each row a bulk insert writes, and this says
    so (a database restored from elsewhere may lack them). The count."""
    from django.db import connection

    from annotations.models import Annotation
    from search.models import AnnotationText, AnnotationVector
    from search.services import search_index_rebuild

    words = AnnotationVector if connection.vendor == "postgresql" else AnnotationText
    notes = Annotation.objects.count()
    if words.objects.count() != notes:
        print("The search index is not complete: rebuilding it.")
        search_index_rebuild()
    return words.objects.count()


def session_for(user: object) -> str:
    """A signed-in session, written as django.contrib.auth.login writes it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The last backend logs users in (the first, django-axes', only watches).
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


# --------------------------------------------------------------------------
# The pages


@dataclass(frozen=True)
class Page:
    key: str
    name: str
    path: str
    cookie: str | None


def pages(bench: object) -> list[tuple[Page, object]]:
    from bench.table import Goal

    notebook_reader = bench.notebook_reader
    part_url = bench.part.get_absolute_url()
    notes = [size for size, user in bench.readers.items() if user == notebook_reader]
    listed: list[tuple[Page, object]] = [
        (Page("healthz", "/healthz/ (reference)", "/healthz/", None), None),
        (Page("readyz", "/readyz/", "/readyz/", None), None),
        (
            Page("part-anonymous", "part page, anonymous", part_url, None),
            Goal(min_share=20),
        ),
    ]
    part_goals = {
        0: Goal(min_share=10),
        1000: Goal(min_share=5),
        5000: Goal(min_share=2),
    }
    for size, user in bench.readers.items():
        listed.append(
            (
                Page(
                    f"part-{size}",
                    f"part page, {size:,} visible",
                    part_url,
                    session_for(user),
                ),
                part_goals.get(size, Goal()),
            )
        )
    dashboard = f"/classes/assignments/{bench.assignment.pk}/dashboard/"
    students = bench.assignment.course.enrollments.count()
    listed.append(
        (
            Page(
                "dashboard",
                f"teacher dashboard, {students} students",
                dashboard,
                session_for(bench.teacher),
            ),
            Goal(cpu_not_above="part-1000"),
        )
    )
    cookie = session_for(notebook_reader)
    listed += [
        (
            Page("notebook", f"My notebook, {notes[0]:,} notes", "/notebook/", cookie),
            Goal(min_share=5),
        ),
        (
            Page(
                "export",
                f"W3C export, {notes[0]:,} notes",
                "/notebook/export.jsonld",
                cookie,
            ),
            Goal(),
        ),
    ]
    listed += search_pages(bench)
    wanted = os.environ.get("BENCH_PAGES", "")
    if wanted:
        keys = {"healthz", *(key.strip() for key in wanted.split(","))}
        listed = [(page, goal) for page, goal in listed if page.key in keys]
    return listed


def rare_word(edition: object) -> str:
    """A word of a single passage of `edition` (seven letters or more, the
    first such in alphabetical order): read from the loaded text, so no
    text is written here."""
    import re

    from reader.models import Passage

    counts: Counter[str] = Counter()
    for text in Passage.objects.filter(edition=edition).values_list("text", flat=True):
        counts.update({word.casefold() for word in re.findall(r"[^\W\d_]{7,}", text)})
    single = sorted(word for word, n in counts.items() if n == 1)
    return single[0] if single else COMMON_WORD


def search_pages(bench: object) -> list[tuple[Page, object]]:
    """The searches: a student of the class looking for a common word, a
    rare word, a phrase and, filtered, the common word among their class's
    comments on the part; the reader with the most notes, in their own."""
    from urllib.parse import urlencode

    from bench.table import Goal

    label = "search API" if SEARCH_PATH.startswith("/api/") else "search page"
    student = session_for(bench.student)
    most = max(bench.readers)

    def url(**params: str) -> str:
        return f"{SEARCH_PATH}?{urlencode(params)}"

    goal = Goal(min_share=10)
    return [
        (
            Page(
                "search-common",
                f"{label}, common word, a student",
                url(q=COMMON_WORD),
                student,
            ),
            goal,
        ),
        (
            Page(
                "search-rare",
                f"{label}, rare word, a student",
                url(q=rare_word(bench.edition)),
                student,
            ),
            goal,
        ),
        (
            Page(
                "search-phrase", f"{label}, phrase, a student", url(q=PHRASE), student
            ),
            goal,
        ),
        (
            Page(
                "search-filtered",
                f"{label}, filtered (class, comments, part), a student",
                url(
                    q=COMMON_WORD,
                    whose="class",
                    kind="commenting",
                    part=bench.part.slug,
                ),
                student,
            ),
            goal,
        ),
        (
            # The fixed cost of a search: the request, the reader's classes
            # and editions, the rule built, every kind asked, nothing found.
            Page(
                "search-none",
                f"{label}, a word found nowhere, a student",
                url(q=ABSENT_WORD),
                student,
            ),
            Goal(),
        ),
        (
            Page(
                "search-own",
                f"{label}, common word in {most:,} own notes",
                url(q=COMMON_WORD, whose="me"),
                session_for(bench.readers[most]),
            ),
            Goal(),
        ),
    ]


def search_findings(page: Page) -> str | None:
    """What a search row found, per kind (the API's counts for its query
    string, in-process), or None for another page."""
    from django.test import Client

    if not page.key.startswith("search-"):
        return None
    client = Client(SERVER_NAME=HOST)
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    query = page.path.split("?", 1)[1]
    answer = client.get(f"/api/search/?{query}").json()
    counts = [
        f"{answer[kind]['count']:,} {kind}"
        for kind in ("passages", "motifs", "annotations")
        if answer.get(kind) is not None
    ]
    return f"{page.name} (`{query}`) found " + ", ".join(counts)


def count_queries(page: Page) -> tuple[int | None, int]:
    """Queries of the page's second request in-process (the first warms
    whatever the page caches), and the status it answered."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME=HOST)
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    client.get(page.path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries), response.status_code


def measure_size(port: int, page: Page) -> tuple[int, int, bool]:
    """Bytes raw, bytes compressed, and whether the server compressed them
    (else they are gzip's at level 6, computed here)."""
    _status, _headers, raw = request(port, page.path, page.cookie, gzip_ok=False)
    _status, headers, body = request(port, page.path, page.cookie, gzip_ok=True)
    if headers.get("content-encoding") == "gzip":
        return len(raw), len(body), True
    return len(raw), len(gzip.compress(raw, compresslevel=6)), False


def configure() -> None:
    """The environment of this process and of gunicorn: the server runs as
    `make serve` runs it (debug off, a secret key), on the bench database."""
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    # Plain http on 127.0.0.1: no redirect to https (on by default with debug
    # off), and no HSTS for the browser benchmark's chromium to remember.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The API's throttles still count every request (their cost is the
    # API's), at a rate the run never reaches: a one-second window, so the
    # history each count reads stays as short as a real client's.
    os.environ.setdefault("THREE_NOTEBOOKS_RATE_API_USER", "100000/s")
    os.environ.setdefault("THREE_NOTEBOOKS_RATE_API_ANON", "100000/s")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{SQLITE_PATH}"
    )


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.table import PageStats, format_table

    # As `make serve` does before it starts gunicorn.
    call_command("collectstatic", interactive=False, verbosity=0)
    bench = prepare_database()
    listed = pages(bench)
    stats = {
        page.key: PageStats(page.key, page.name, page.path, goal)
        for page, goal in listed
    }
    findings = []
    for page, _goal in listed:
        stats[page.key].queries, status = count_queries(page)
        if status != 200:
            stats[page.key].outcomes[f"{status} (in-process)"] += 1
        found = search_findings(page)
        if found:
            findings.append(found)
    connection.close()

    clients = Clients(CONCURRENCY)
    server = Server()
    try:
        for page, _goal in listed:
            stats[page.key].raw_bytes, compressed, by_server = measure_size(
                server.port, page
            )
            stats[page.key].compressed_bytes = compressed
            stats[page.key].compressed_by_server = by_server
        for round_number in range(1, ROUNDS + 1):
            reference = None
            for page, _goal in listed:
                rps = run_phase(server, clients, page, stats[page.key])
                if page.key == "healthz":
                    reference = rps
                if reference:
                    stats[page.key].share.append(100 * rps / reference)
            print(f"  round {round_number} of {ROUNDS} done", flush=True)
    finally:
        server.stop()
        clients.stop()

    table = format_table(list(stats.values()))
    workers = " ".join(gunicorn_args())
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    notes = [
        f"Measured by `make bench` (bench/server.py): `gunicorn {workers}`, "
        f"DJANGO_DEBUG=false, {engine}; {CONCURRENCY} client processes, "
        f"{ROUNDS} interleaved rounds of {SECONDS:g} s per page, medians; "
        f"{os.cpu_count()} CPU cores shared by server and clients.",
        "req/s counts 200 answers; % of /healthz/ is against /healthz/ in the "
        "same round. /healthz/ may be bound by the client processes, not the "
        'server: "CPU: % of /healthz/" (its CPU per request over the page\'s) '
        "is the server-only ratio. CPU is the gunicorn workers' user + sys time "
        "per request answered. p99 is over every request of every round.",
        "gzip bytes: the server's answer to `Accept-Encoding: gzip`; \\* marks "
        "a page the server sent uncompressed, sized here by gzip -6. Queries: "
        "the page's second request in-process (Django's test client).",
        "Errors: every answer that was not a 200 (status, timeout, or reset), "
        "counted, never dropped; a page with any error misses its goal.",
        *(f"{line}." for line in findings),
    ]
    text = table + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    print()
    print(text)
    (VAR / "results.md").write_text(text)
    print(f"(written to {VAR / 'results.md'})")
    return 0


def run_phase(server: Server, clients: Clients, page: Page, stats: object) -> float:
    """One page for SECONDS: its req/s, with CPU, latencies and outcomes
    added to `stats`."""
    before = server.cpu_seconds()
    start_at = time.monotonic() + 0.05
    elapsed, samples = clients.run(
        Job(server.port, page.path, page.cookie, start_at, start_at + SECONDS)
    )
    after = server.cpu_seconds()
    from bench.table import RESTARTED

    # A worker that is gone (killed on timeout) took its CPU time with it;
    # its replacement counts from zero.
    gone = set(before) - set(after)
    for _pid in gone:
        stats.outcomes[RESTARTED] += 1
    cpu = sum(after[pid] - before.get(pid, 0.0) for pid in after)
    outcomes = Counter(sample.outcome for sample in samples)
    stats.outcomes.update(outcomes)
    stats.latencies_ms += [1000 * sample.seconds for sample in samples]
    answered = sum(n for outcome, n in outcomes.items() if outcome.isdigit())
    rps = outcomes["200"] / elapsed if elapsed > 0 else 0.0
    stats.rps.append(rps)
    if answered:
        stats.cpu_ms.append(1000 * cpu / answered)
    return rps


if __name__ == "__main__":
    raise SystemExit(main())
