"""A small book of the tests' own words, and a class to share notes in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classes.models import Enrollment
from classes.services import course_create
from reader.models import Passage
from tests.factories import make_edition, make_part, make_user

# The tests' own sentences (never the novel's).
TEXTS = {
    "white-001": "The clockmaker wound the brass clocks every morning at dawn.",
    "white-002": (
        "Kōbō carved a Nō mask from cypress; the Noh masks of the old theatre "
        "hung in rows, and each mask kept a face that was not a face."
    ),
    "white-003": (
        "Rain fell on the harbour while the ferry waited, the gulls circled the "
        "pier, the fishmongers argued about prices, a child dropped an orange, "
        "the sailors mended their nets, and somewhere behind a shutter a mask "
        "lay forgotten on a shelf among the tins and jars of the chandler."
    ),
    "white-004": "Nothing moved in the noh-less town; no one answered the door.",
    "gray-001": "The gray envelope held a letter from a maskmaker about glue.",
}


@pytest.fixture
def book(db):
    """One edition open to everyone: a white notebook and a gray one."""
    edition = make_edition("book", title="The Book")
    white = make_part(edition, 1, slug="white")
    white.title, white.short_title = "The White Notebook", "White Notebook"
    white.save()
    gray = make_part(edition, 2, slug="gray")
    for key, text in TEXTS.items():
        part = white if key.startswith("white") else gray
        Passage.objects.create(
            edition=edition, part=part, order=int(key[-3:]), key=key, text=text
        )
    return edition


def passage(key: str) -> Passage:
    return Passage.objects.get(key=key)


@pytest.fixture
def classes(book):
    """Two classes reading the book: a teacher and two students in the
    first, one student in the second."""
    today = timezone.localdate()
    teacher = make_user("teacher", groups=("Teachers",))

    def course(name: str):
        return course_create(
            teacher=teacher,
            name=name,
            edition=book,
            term_start=today,
            term_end=today + timedelta(days=30),
        )

    first, second = course("First"), course("Second")
    students = {
        "ann": make_user("ann"),
        "ben": make_user("ben"),
        "cat": make_user("cat"),
    }
    Enrollment.objects.create(course=first, student=students["ann"])
    Enrollment.objects.create(course=first, student=students["ben"])
    Enrollment.objects.create(course=second, student=students["cat"])
    return {"teacher": teacher, "first": first, "second": second, **students}
