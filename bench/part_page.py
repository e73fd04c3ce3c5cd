"""Benchmark: server time of a part page with 0, 1,000 and 5,000 annotations.

Run with `make bench`. It builds a throw-away in-memory SQLite database, loads
the study edition, and renders /read/study/black-notebook/ for a signed-in
reader through Django's test client (the whole request: middleware, queries,
highlight splitting, templates), measuring CPU time. It prints medians and the
ratio to the empty page. Goal: 1,000 annotations cost at most 3x an empty page.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from annotations.models import Annotation  # noqa: E402
from reader.edition_files import read_edition_folder  # noqa: E402
from reader.models import Passage  # noqa: E402
from reader.services import edition_load  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
SIZES = (0, 1000, 5000)
GOAL_RATIO_AT_1000 = 3.0
URL = "/read/study/black-notebook/"


def add_annotations(n: int, users: list, passages: list[Passage]) -> None:
    rows = []
    for i in range(n):
        passage = passages[i % len(passages)]
        start = (i * 7) % max(1, len(passage.text) - 40)
        end = start + 12 + (i % 25)
        rows.append(
            Annotation(
                author=users[i % len(users)],
                edition=passage.edition,
                start_passage=passage,
                start_offset=start,
                end_passage=passage,
                end_offset=end,
                exact=passage.text[start:end],
                passage_revision=passage.revision,
                motivation=("highlighting", "commenting", "questioning")[i % 3],
                body="" if i % 3 == 0 else f"Note {i} with *Markdown*",
                visibility="public",
                colour=("yellow", "green", "blue", "pink", "purple")[i % 5],
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=1000)


def time_page(client: Client) -> float:
    timings = []
    client.get(URL)  # warm up
    gc.collect()
    for _ in range(ROUNDS):
        # CPU time of this process: the request runs in this thread, and CPU
        # time is not inflated by whatever else the machine is doing.
        started = time.process_time()
        response = client.get(URL)
        timings.append(time.process_time() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{URL} answered {response.status_code}")
    return statistics.median(timings)


def main() -> int:
    call_command("migrate", verbosity=0)
    edition_load(source=read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    users = [get_user_model().objects.create_user(f"bench{i}") for i in range(20)]
    passages = list(Passage.objects.filter(part__slug="black-notebook"))
    client = Client()
    client.force_login(users[0])

    results: dict[int, float] = {}
    present = 0
    for size in SIZES:
        add_annotations(size - present, users, passages)
        present = size
        results[size] = time_page(client)

    base = results[0]
    print(f"Part page {URL} ({len(passages)} passages), median of {ROUNDS}:")
    for size, seconds in results.items():
        ms, ratio = seconds * 1000, seconds / base
        print(f"  {size:>5} annotations: {ms:8.1f} ms   {ratio:5.2f}x")
    ratio = results[1000] / base
    verdict = "met" if ratio <= GOAL_RATIO_AT_1000 else "NOT met"
    print(f"Goal (1,000 annotations <= {GOAL_RATIO_AT_1000:.0f}x empty): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
