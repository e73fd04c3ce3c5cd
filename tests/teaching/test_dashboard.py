"""The teacher's dashboard: right numbers, fixed queries, CSV, permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.services import reply_create
from classes.models import Enrollment
from reader.models import Passage
from reader.services import passage_reads_record
from teaching import exports as teaching_exports
from teaching.models import Completion
from tests.factories import make_annotation, make_user


@pytest.fixture
def work(student, classmate, assignment, course):
    """Alice read two passages, made a class note, answered the prompt, replied
    to Carol and finished on time; Carol made a private note (unseen by the
    teacher) and a class question."""
    passages = {p.key: p for p in Passage.objects.filter(edition=course.edition)}
    passage_reads_record(
        user=student, passages=[passages["black-001"], passages["black-002"]]
    )
    make_annotation(student, passages["black-001"], visibility="course", course=course)
    make_annotation(
        classmate, passages["black-002"], body="secret", motivation="commenting"
    )
    question = make_annotation(
        classmate,
        passages["black-003"],
        motivation="questioning",
        body="?",
        visibility="course",
        course=course,
    )
    reply_create(author=student, parent=assignment.prompt, body="He sees the light.")
    reply_create(author=student, parent=question, body="Maybe the light?")
    Completion.objects.create(
        assignment=assignment, student=student, done=timezone.now()
    )
    return passages


def test_the_dashboard_counts_what_each_student_did(client, teacher, assignment, work):
    client.force_login(teacher)
    response = client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    rows = {r.student.get_username(): r for r in response.context["data"].rows}
    alice, carol = rows["alice"], rows["carol"]
    assert (alice.read, alice.total, alice.percent) == (2, 3, 67)
    assert (alice.annotations, alice.answers, alice.replies_to_classmates) == (1, 1, 1)
    assert alice.status == "on time" and alice.last_activity is not None
    assert (carol.annotations, carol.answers, carol.status) == (1, 0, "not done")
    heat = {p.key: (a, q) for p, a, q in response.context["data"].heat}
    assert heat == {"black-001": (1, 0), "black-002": (0, 0), "black-003": (0, 1)}


def test_a_late_finish_is_marked_late(client, teacher, student, assignment):
    Completion.objects.create(
        assignment=assignment, student=student, done=assignment.due + timedelta(hours=1)
    )
    client.force_login(teacher)
    rows = (
        client.get(reverse("teaching:dashboard", args=[assignment.pk]))
        .context["data"]
        .rows
    )
    assert next(r for r in rows if r.student == student).status == "late"


def test_the_roster_sorts(client, teacher, assignment, work):
    client.force_login(teacher)
    by_read = client.get(
        reverse("teaching:dashboard", args=[assignment.pk]) + "?sort=read"
    )
    assert [r.student.get_username() for r in by_read.context["data"].rows] == [
        "alice",
        "carol",
    ]
    by_name = client.get(
        reverse("teaching:dashboard", args=[assignment.pk]) + "?sort=name"
    )
    assert [r.student.get_username() for r in by_name.context["data"].rows] == [
        "alice",
        "carol",
    ]


@pytest.mark.parametrize("n", [5, 50])
def test_the_dashboard_makes_the_same_queries_for_5_and_50_students(
    client, teacher, assignment, course, n, django_assert_num_queries
):
    client.force_login(teacher)
    client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    passages = list(assignment.passages())
    for i in range(n):
        user = make_user(f"s{n}-{i}")
        Enrollment.objects.create(course=course, student=user)
        passage_reads_record(user=user, passages=passages[: i % 3 + 1])
        make_annotation(user, passages[i % 3], visibility="course", course=course)
        reply_create(author=user, parent=assignment.prompt, body="answer")
    with django_assert_num_queries(len(baseline)):
        response = client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    assert len(response.context["data"].rows) == n + 2


@pytest.mark.parametrize(
    "who", ["student", "other_teacher", "outsider", "curator", "anonymous"]
)
def test_only_the_class_teachers_see_the_dashboard_and_csvs(
    client, request, assignment, other_course, who
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for name in ("dashboard", "dashboard_csv", "annotations_csv"):
        response = client.get(reverse(f"teaching:{name}", args=[assignment.pk]))
        assert response.status_code in (302, 403, 404), name
        assert b"alice" not in response.content


def test_the_roster_csv_matches_and_is_formula_safe(
    client, coteacher, assignment, work, student
):
    student.username = "=cmd|calc"
    student.save()
    client.force_login(coteacher)
    response = client.get(reverse("teaching:dashboard_csv", args=[assignment.pk]))
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    alice = next(r for r in rows if r["student"] == "'=cmd|calc")
    assert (alice["passages read"], alice["prompt answers"], alice["status"]) == (
        "2",
        "1",
        "on time",
    )


def test_the_annotations_csv_holds_the_class_work_the_teacher_may_see(
    client, teacher, assignment, work
):
    client.force_login(teacher)
    text = (
        client.get(reverse("teaching:annotations_csv", args=[assignment.pk]))
        .getvalue()
        .decode()
    )
    assert "He sees the light." in text
    assert "secret" not in text


def test_the_drill_down_lists_one_students_work_in_reading_order(
    client, teacher, assignment, work, student, classmate
):
    client.force_login(teacher)
    html = client.get(
        reverse("teaching:student", args=[assignment.pk, student.pk])
    ).content.decode()
    assert "He sees the light." in html and "Maybe the light?" in html
    other = client.get(
        reverse("teaching:student", args=[assignment.pk, classmate.pk])
    ).content.decode()
    assert "secret" not in other


def test_the_class_annotations_csv_streams_in_chunks(
    client, teacher, assignment, course, student, monkeypatch
):
    monkeypatch.setattr(teaching_exports, "CHUNK_SIZE", 3, raising=False)
    passage = assignment.passages().first()
    made = [
        make_annotation(
            student,
            passage,
            motivation="commenting",
            body=f"=cmd {i}",
            visibility="course",
            course=course,
        )
        for i in range(7)
    ]
    client.force_login(teacher)
    response = client.get(reverse("teaching:annotations_csv", args=[assignment.pk]))
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    by_id = {r["id"]: r for r in rows}
    assert {str(a.pk) for a in made} <= set(by_id)
    assert by_id[str(made[0].pk)]["note"] == "'=cmd 0"
