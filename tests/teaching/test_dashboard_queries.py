"""The dashboard and one student's page make the same queries whatever the
class's size and however much its students wrote."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.services import reply_create
from classes.models import Enrollment
from reader.services import passage_reads_record
from teaching.models import Completion
from tests.factories import make_annotation, make_user

MOTIVATIONS = ("highlighting", "commenting", "questioning")
VISIBILITIES = ("course", "teacher", "private")


def _class_work(course, assignment, students: int, per_student: int) -> list:
    """`students` students who each read, wrote `per_student` annotations of
    every kind (notes, questions, answers, replies to classmates) and most
    finished."""
    passages = list(assignment.passages())
    users, shared = [], []
    for i in range(students):
        user = make_user(f"q{students}-{per_student}-{i}")
        Enrollment.objects.create(course=course, student=user)
        passage_reads_record(user=user, passages=passages[: i % 3 + 1])
        for j in range(per_student):
            if j % 4 == 2:
                reply_create(author=user, parent=assignment.prompt, body="answer")
            elif j % 4 == 3 and shared:
                reply_create(author=user, parent=shared[-1], body="reply")
            else:
                visibility = VISIBILITIES[j % 3]
                note = make_annotation(
                    user,
                    passages[j % len(passages)],
                    motivation=MOTIVATIONS[j % 3],
                    visibility=visibility,
                    course=course if visibility != "private" else None,
                )
                if visibility == "course":
                    shared.append(note)
        if i % 2:
            Completion.objects.create(
                assignment=assignment, student=user, done=timezone.now()
            )
        users.append(user)
    return users


def _queries(client, url: str) -> int:
    client.get(url)  # the session and caches settle on the first request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("sort", ["name", "activity"])
def test_the_dashboard_makes_the_same_queries_for_2_students_and_for_12(
    client, teacher, course, assignment, sort
):
    client.force_login(teacher)
    url = reverse("teaching:dashboard", args=[assignment.pk]) + f"?sort={sort}"
    _class_work(course, assignment, students=2, per_student=1)
    few = _queries(client, url)
    _class_work(course, assignment, students=12, per_student=5)
    many = _queries(client, url)
    assert len(client.get(url).context["data"].rows) == 2 + 2 + 12
    assert many == few


def test_the_roster_csv_makes_the_same_queries_for_2_students_and_for_12(
    client, teacher, course, assignment
):
    client.force_login(teacher)
    url = reverse("teaching:dashboard_csv", args=[assignment.pk])
    _class_work(course, assignment, students=2, per_student=1)
    few = _queries(client, url)
    _class_work(course, assignment, students=12, per_student=5)
    assert _queries(client, url) == few


def test_a_students_page_makes_the_same_queries_for_1_annotation_and_for_12(
    client, teacher, course, assignment
):
    client.force_login(teacher)
    light = _class_work(course, assignment, students=2, per_student=1)[1]
    heavy = _class_work(course, assignment, students=2, per_student=12)[1]
    few = _queries(client, reverse("teaching:student", args=[assignment.pk, light.pk]))
    many = _queries(client, reverse("teaching:student", args=[assignment.pk, heavy.pk]))
    page = client.get(reverse("teaching:student", args=[assignment.pk, heavy.pk]))
    # All twelve but the two private notes, which are not the teacher's.
    assert len(page.context["work"]) == 10
    assert many == few
