"""Benchmark: time and peak memory of a reader's exports, and My notebook.

Run with `python bench/exports.py` (not part of `make test`). For each size
(BENCH_EXPORT_SIZES, default "5000,50000") it seeds a throw-away SQLite file
under var/bench/ with bulk_create: one reader with that many notes on the
study edition (a tenth across two passages, a quarter tagged, a tenth with a
classmate's reply, one in twenty with the reader's own reply) and the
reader's replies in others' threads (one per twenty notes). Then, for each
format (Markdown, CSV, W3C JSON-LD), a fresh Python process opens that
database, warms up on a small export (imports, caches), notes its peak RSS,
asks for the reader's export through Django's test client and writes it to
/dev/null. It reports wall and CPU time, the growth of peak RSS over the
warmed-up baseline (`ru_maxrss`), bytes and queries.

Goal: memory bounded, i.e. the peak growth at 50,000 about what it is at
5,000, not ten times as much.

`python bench/exports.py notebook` also times My notebook's first view at
5,000 notes in-process (CPU, median of BENCH_ROUNDS, default 10).

Figures taken while other work runs on the machine are noisy: compare runs
taken back to back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SIZES = [int(s) for s in os.environ.get("BENCH_EXPORT_SIZES", "5000,50000").split(",")]
FORMATS = ("md", "csv", "jsonld")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
WARM_NOTES = 20
READER, OTHER, WARM = "bench-reader", "bench-other", "bench-warm"


def _database(size: int) -> Path:
    return BENCH_DIR / f"exports-{size}.sqlite3"


def _setup_django(database: Path, *, debug: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "true" if debug else "false"
    # Debug off is what a server runs (no query log kept in memory); it needs
    # a key, and this one signs nothing but the benchmark's own sessions.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    # The test client asks over plain http: no redirect to https.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


# --------------------------------------------------------------------------
# Seeding (a subprocess per size)


def seed(size: int) -> None:
    database = _database(size)
    database.unlink(missing_ok=True)
    _setup_django(database, debug=True)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotations.models import Annotation, Tag
    from reader.edition_files import read_edition_folder
    from reader.models import Passage
    from reader.services import edition_load

    call_command("migrate", verbosity=0)
    edition_load(source=read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    users = get_user_model().objects
    reader = users.create_user(READER)
    other = users.create_user(OTHER)
    warm = users.create_user(WARM)
    passages = list(
        Passage.objects.select_related("part").order_by("part__order", "order")
    )
    following = {
        a.pk: b
        for a, b in zip(passages, passages[1:], strict=False)
        if a.part_id == b.part_id
    }

    def notes(author, count: int, visibility: str) -> list:
        rows = []
        for i in range(count):
            passage = passages[(i * 7) % len(passages)]
            start = (i * 11) % max(1, len(passage.text) - 40)
            end_passage, end = passage, start + 12 + (i % 25)
            if i % 10 == 3 and passage.pk in following:
                end_passage = following[passage.pk]
                end = min(20, len(end_passage.text))
            body = "" if i % 3 == 0 else f"Note {i} with *Markdown*, = and , in it"
            rows.append(
                Annotation(
                    author=author,
                    edition=passage.edition,
                    start_passage=passage,
                    start_offset=start,
                    end_passage=end_passage,
                    end_offset=end,
                    exact=passage.text[start:end] if end_passage == passage else "",
                    passage_revision=passage.revision,
                    motivation=("highlighting", "commenting", "questioning")[i % 3],
                    body=body,
                    body_html=f"<p>Note {i} with <em>Markdown</em>, = and , in it</p>"
                    if body
                    else "",
                    visibility=visibility,
                    colour=("yellow", "green", "blue", "pink", "purple")[i % 5],
                )
            )
        return Annotation.objects.bulk_create(rows, batch_size=1000)

    def replies(author, roots: list) -> None:
        Annotation.objects.bulk_create(
            (
                Annotation(
                    author=author,
                    edition=root.edition,
                    reply_to=root,
                    motivation="replying",
                    body=f"Reply {n} to a note",
                    body_html=f"<p>Reply {n} to a note</p>",
                    visibility=root.visibility,
                )
                for n, root in enumerate(roots)
            ),
            batch_size=1000,
        )

    mine = notes(reader, size, "public")
    tags = Tag.objects.bulk_create(Tag(owner=reader, name=f"tag{i}") for i in range(8))
    Through = Annotation.tags.through
    Through.objects.bulk_create(
        (
            Through(annotation_id=a.pk, tag_id=tags[i % len(tags)].pk)
            for i, a in enumerate(mine)
            if i % 4 == 0
        ),
        batch_size=1000,
    )
    replies(other, mine[::10])
    replies(reader, mine[1::20])
    replies(reader, notes(other, size // 20, "public"))
    notes(warm, WARM_NOTES, "private")


# --------------------------------------------------------------------------
# Measuring (a fresh subprocess per size and format)


def measure(size: int, fmt: str) -> dict[str, object]:
    import gc
    import resource
    import time

    _setup_django(_database(size), debug=False)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    url = reverse("annotations:export", args=[fmt])
    users = get_user_model().objects
    client = Client()

    def download() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        written = 0
        with open(os.devnull, "wb") as sink:
            chunks = (
                response.streaming_content if response.streaming else [response.content]
            )
            for chunk in chunks:
                written += sink.write(chunk)
        response.close()
        return written

    client.force_login(users.get(username=WARM))
    download()  # imports, URL resolvers, template and translation caches
    client.force_login(users.get(username=READER))
    gc.collect()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        wall, cpu = time.perf_counter(), time.process_time()
        written = download()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "size": size,
        "format": fmt,
        "bytes": written,
        "queries": queries,
        "wall": wall,
        "cpu": cpu,
        # Linux reports kilobytes.
        "rss_mb": (peak - baseline) / 1024,
    }


def notebook(size: int) -> dict[str, object]:
    import gc
    import statistics
    import time

    # Templates need the plain static storage of a debug run.
    _setup_django(_database(size), debug=True)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username=READER))
    url = reverse("annotations:notebook")
    client.get(url)  # warm up
    gc.collect()
    timings = []
    for _ in range(ROUNDS):
        started = time.process_time()
        response = client.get(url)
        timings.append(time.process_time() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return {
        "size": size,
        "cpu_ms": statistics.median(timings) * 1000,
        "bytes": len(response.content),
    }


# --------------------------------------------------------------------------


def _run(*args: str) -> str:
    # Our own script, with arguments of our own.
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return done.stdout


def main(argv: list[str]) -> int:
    if argv[:1] == ["seed"]:
        seed(int(argv[1]))
        return 0
    if argv[:1] == ["measure"]:
        print(json.dumps(measure(int(argv[1]), argv[2])))
        return 0
    if argv[:1] == ["notebook-one"]:
        print(json.dumps(notebook(int(argv[1]))))
        return 0
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if argv[:1] == ["notebook"]:
        size = 5000
        if not _database(size).exists():
            _run("seed", str(size))
        result = json.loads(_run("notebook-one", str(size)))
        print(
            f"My notebook first view, {size} notes: "
            f"{result['cpu_ms']:.1f} ms CPU (median of {ROUNDS}), "
            f"{result['bytes']:,} bytes of HTML"
        )
        return 0
    rows = []
    for size in SIZES:
        _run("seed", str(size))
        for fmt in FORMATS:
            rows.append(json.loads(_run("measure", str(size), fmt)))
    print("| notes | format | bytes | queries | wall s | CPU s | peak RSS growth MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['format']} | {row['bytes']:,} | "
            f"{row['queries']} | {row['wall']:.2f} | {row['cpu']:.2f} | "
            f"{row['rss_mb']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
