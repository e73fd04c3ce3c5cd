"""Feedback and grades in the export of all of a reader's data (offered
before deleting an account): what the student may see, released only; what
a teacher wrote."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from annotations.models import Visibility
from teaching.services import (
    CriterionInput,
    feedback_create,
    grades_release,
    rubric_set,
)
from tests.factories import make_annotation

EXPORT = reverse("accounts:export")
SECRET = "Quote the words, then argue."
OTHER = "For the classmate only."


@pytest.fixture
def scored(teacher, student, classmate, passage, course, assignment):
    rubric_set(
        teacher=teacher,
        assignment=assignment,
        criteria=[CriterionInput("Evidence", (("Some", 1), ("Strong", 3)))],
    )
    criterion = assignment.criteria.get()
    strong = criterion.levels.get(label="Strong")
    for author, words in ((student, SECRET), (classmate, OTHER)):
        note = make_annotation(
            author,
            passage,
            motivation="commenting",
            body="He hides.",
            visibility=Visibility.COURSE,
            course=course,
        )
        feedback_create(
            teacher=teacher,
            annotation=note,
            assignment=assignment,
            body=words,
            scores={criterion.pk: strong.pk},
        )
    return assignment


def exported(client, user) -> dict:
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_a_student_s_export_holds_their_feedback_and_grade_once_released(
    client, teacher, student, scored
):
    before = exported(client, student)["teaching"]
    assert before == {"feedback_received": [], "grades": [], "feedback_written": []}

    grades_release(teacher=teacher, assignment=scored, when=None)
    after = exported(client, student)["teaching"]
    [received] = after["feedback_received"]
    assert received["feedback"] == SECRET
    assert received["assignment"] == "The mask"
    assert received["quote"]
    assert received["scores"] == [
        {"criterion": "Evidence", "level": "Strong", "points": 3}
    ]
    assert "student" not in received
    assert after["grades"] == [
        {"assignment": "The mask", "class": scored.course.name, "grade": 3, "of": 3}
    ]
    # Never a classmate's.
    assert OTHER not in json.dumps(after)


def test_a_teacher_s_export_holds_the_feedback_they_wrote(
    client, teacher, student, classmate, scored
):
    written = exported(client, teacher)["teaching"]["feedback_written"]
    assert sorted((f["student"], f["feedback"]) for f in written) == sorted(
        [(student.username, SECRET), (classmate.username, OTHER)]
    )
