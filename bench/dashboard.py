"""Benchmark: a teacher's assignment dashboard for a whole year group.

Run with `.venv/bin/python bench/dashboard.py`. It builds a throw-away
SQLite file database in var/bench/, loads the study edition and the motif
catalogue, and makes a class with a teacher and BENCH_STUDENTS (default 200)
students who joined it, an assignment over the first BENCH_PASSAGES (default
40) passages of the Black Notebook with prompts, highlights and focus motifs,
and BENCH_PER_STUDENT (default 25) annotations per student in the range: a
mix of highlights, notes and questions (private, for the teachers, for the
class), answers to the prompts and replies to classmates; each student has
read part of the range, and most marked the assignment done, some late.

It then renders the dashboard (/classes/assignments/<pk>/dashboard/), the
per-student page, and, as the yardstick the goal names, a part page with 1,000
of the reader's annotations, through Django's test client (the whole request:
middleware, queries, templates), measuring CPU time (median of BENCH_ROUNDS,
default 15). Goal: the dashboard costs at most the part page with 1,000
annotations. BENCH_PROFILE=1 also prints the dashboard's cProfile top costs.

DEBUG is on, as in bench/part_page.py (no collected static files needed):
figures are for before/after comparisons in one run, not for production.
"""

from __future__ import annotations

import cProfile
import functools
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench" / "dashboard.sqlite3"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotations.models import Annotation  # noqa: E402
from annotations.services import TargetInput  # noqa: E402
from classes.models import Enrollment, JoinAttempt  # noqa: E402
from classes.services import course_create  # noqa: E402
from reader.edition_files import read_edition_folder  # noqa: E402
from reader.markdown import render_markdown  # noqa: E402
from reader.models import Edition, Passage, PassageRead  # noqa: E402
from reader.services import edition_load  # noqa: E402
from teaching.models import Completion  # noqa: E402
from teaching.services import assignment_item_create, assignment_save  # noqa: E402
from themes.models import Motif  # noqa: E402

SEED = int(os.environ.get("BENCH_SEED", "1964"))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "200"))
PER_STUDENT = int(os.environ.get("BENCH_PER_STUDENT", "25"))
RANGE_PASSAGES = int(os.environ.get("BENCH_PASSAGES", "40"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
PART_PAGE_ANNOTATIONS = 1000
PART_URL = "/read/study/white-notebook/"

# Of every 25 annotations a student makes: what kind, shared with whom.
MIX = (
    [("highlighting", "private")] * 5
    + [("highlighting", "course")] * 3
    + [("commenting", "course")] * 4
    + [("commenting", "teacher")] * 2
    + [("commenting", "private")] * 2
    + [("questioning", "course")] * 2
    + [("prompt answer", "")] * 4
    + [("classmate reply", "")] * 3
)


@functools.cache
def notes_html(body: str) -> str:
    return render_markdown(body)


def build() -> dict[str, object]:
    """The class, its assignment and its work; returns what the timings need."""
    rng = random.Random(SEED)  # noqa: S311 - a reproducible benchmark
    DB.parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    edition_load(source=read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    call_command("load_motifs", verbosity=0, stdout=io.StringIO())
    edition = Edition.objects.get(slug="study")
    users = get_user_model().objects

    teacher = users.create_user("teacher")
    teacher.groups.add(Group.objects.get_or_create(name="Teachers")[0])
    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="Year 12 Literature",
        edition=edition,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )
    # What course_join writes for each student, in bulk.
    students = users.bulk_create(
        [get_user_model()(username=f"student{i:03}") for i in range(STUDENTS)]
    )
    students = list(users.filter(username__startswith="student").order_by("pk"))
    Enrollment.objects.bulk_create(
        [Enrollment(course=course, student=s) for s in students]
    )
    JoinAttempt.objects.bulk_create(
        [JoinAttempt(user=s, code=course.join_code, succeeded=True) for s in students]
    )

    passages = list(
        Passage.objects.filter(edition=edition, part__slug="black-notebook")
        .select_related("part")
        .order_by("order")[:RANGE_PASSAGES]
    )
    now = timezone.now()
    assignment = assignment_save(
        teacher=teacher,
        course=course,
        title="The mask",
        instructions="Read *closely*.",
        start_passage=passages[0],
        end_passage=passages[-1],
        due=now + timedelta(days=2),
        focus_motifs=list(Motif.objects.order_by("pk")[:3]),
        published=True,
    )
    prompts = []
    for i, passage in enumerate(passages[:: max(1, len(passages) // 8)]):
        end = min(len(passage.text), 30)
        item = assignment_item_create(
            teacher=teacher,
            assignment=assignment,
            target=TargetInput(passage.key, 0, passage.key, end),
            motivation="questioning" if i % 2 else "highlighting",
            body=f"Prompt {i}: what changes here?" if i % 2 else "",
        )
        if i % 2:
            prompts.append(item.annotation)

    roots: list[Annotation] = []
    replies: list[tuple[Annotation, str]] = []
    for n, student in enumerate(students):
        kinds = [MIX[i % len(MIX)] for i in range(PER_STUDENT)]
        for kind, visibility in kinds:
            if kind in ("prompt answer", "classmate reply"):
                replies.append((student, kind))
                continue
            passage = rng.choice(passages)
            start = rng.randrange(max(1, len(passage.text) - 60))
            end = start + rng.randrange(8, 50)
            body = "" if kind == "highlighting" else f"Note by {n}: *why* this?"
            roots.append(
                Annotation(
                    author=student,
                    edition=edition,
                    start_passage=passage,
                    start_offset=start,
                    end_passage=passage,
                    end_offset=end,
                    exact=passage.text[start:end],
                    passage_revision=passage.revision,
                    motivation=kind,
                    body=body,
                    body_html=notes_html(body) if body else "",
                    visibility=visibility,
                    course=course if visibility != "private" else None,
                )
            )
    Annotation.objects.bulk_create(roots, batch_size=1000)
    shared = [a for a in roots if a.visibility == "course"]
    rows = []
    for student, kind in replies:
        if kind == "prompt answer":
            parent = rng.choice(prompts)
        else:
            parent = rng.choice(shared)
            while parent.author_id == student.pk:
                parent = rng.choice(shared)
        rows.append(
            Annotation(
                id=uuid.uuid4(),
                author=student,
                edition=edition,
                reply_to=parent,
                motivation="replying",
                body="An *answer*.",
                body_html=notes_html("An *answer*."),
                visibility=parent.visibility,
                course=course,
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=1000)

    reads = []
    for student in students:
        for passage in passages[: rng.randrange(len(passages) + 1)]:
            when = now - timedelta(minutes=rng.randrange(10_000))
            reads.append(
                PassageRead(
                    user=student, passage=passage, first_seen=when, last_seen=when
                )
            )
    PassageRead.objects.bulk_create(reads, batch_size=1000)
    completions = []
    for i, student in enumerate(students):
        if i % 5 == 4:
            continue  # not done
        late = i % 7 == 0
        done = assignment.due + timedelta(hours=3) if late else now
        completions.append(
            Completion(assignment=assignment, student=student, done=done)
        )
    Completion.objects.bulk_create(completions)

    # The yardstick: a reader's part page with 1,000 of their own notes.
    reader = users.create_user("reader")
    part_passages = list(Passage.objects.filter(part__slug="white-notebook"))
    mine = []
    for i in range(PART_PAGE_ANNOTATIONS):
        passage = part_passages[i % len(part_passages)]
        start = (i * 7) % max(1, len(passage.text) - 40)
        end = start + 12 + (i % 25)
        mine.append(
            Annotation(
                author=reader,
                edition=edition,
                start_passage=passage,
                start_offset=start,
                end_passage=passage,
                end_offset=end,
                exact=passage.text[start:end],
                passage_revision=passage.revision,
                motivation=("highlighting", "commenting", "questioning")[i % 3],
                body="" if i % 3 == 0 else f"Note {i}",
                body_html="" if i % 3 == 0 else f"<p>Note {i}</p>",
                visibility="public",
            )
        )
    Annotation.objects.bulk_create(mine, batch_size=1000)
    return {
        "teacher": teacher,
        "reader": reader,
        "assignment": assignment,
        "student": students[0],
    }


def cpu_ms(client: Client, url: str) -> tuple[float, int, int]:
    """Median CPU ms of GET url, its query count and its size in bytes."""
    response = client.get(url)  # warm up
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    # The log keeps the last 9,000 queries (the build made more).
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)
    gc.collect()
    timings = []
    for _ in range(ROUNDS):
        # CPU time of this process: the request runs in this thread, and CPU
        # time is not inflated by whatever else the machine is doing.
        started = time.process_time()
        client.get(url)
        timings.append(time.process_time() - started)
    return statistics.median(timings) * 1000, queries, len(response.content)


def profile(client: Client, url: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
        print(out.getvalue())


def main() -> int:
    DB.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    data = build()
    built = time.monotonic() - started
    assignment = data["assignment"]
    print(
        f"Built in {built:.0f} s: {STUDENTS} students x {PER_STUDENT} annotations, "
        f"{RANGE_PASSAGES} passages, {Annotation.objects.count()} annotations "
        f"in all ({DB.relative_to(ROOT)})"
    )

    teacher, reader = Client(), Client()
    teacher.force_login(data["teacher"])
    reader.force_login(data["reader"])
    dashboard = reverse("teaching:dashboard", args=[assignment.pk])
    pages = [
        ("dashboard", teacher, dashboard),
        ("dashboard, sorted by activity", teacher, dashboard + "?sort=activity"),
        (
            "one student's work",
            teacher,
            reverse("teaching:student", args=[assignment.pk, data["student"].pk]),
        ),
        ("part page, 1,000 annotations", reader, PART_URL),
    ]
    results = {}
    print(f"CPU per request, median of {ROUNDS} (ms), queries, bytes:")
    for name, client, url in pages:
        ms, queries, size = cpu_ms(client, url)
        results[name] = ms
        print(f"  {name:<32} {ms:8.1f} ms  {queries:3} queries  {size:>8,} B")
    ratio = results["dashboard"] / results["part page, 1,000 annotations"]
    verdict = "met" if ratio <= 1 else "NOT met"
    print(
        f"Goal (dashboard <= part page with 1,000 annotations): {verdict} "
        f"({ratio:.2f}x)"
    )
    if PROFILE:
        profile(teacher, dashboard)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
