"""The annotations API with classes: the same rule, the same limits."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_annotation


def create(client, klass, **overrides):
    body = {
        "edition": "test",
        "target": {
            "start": {"passage": "black-001", "offset": 0},
            "end": {"passage": "black-001", "offset": 7},
        },
        "visibility": "course",
        "course": klass.pk,
    }
    body.update(overrides)
    return client.post(
        "/api/annotations/", data=json.dumps(body), content_type="application/json"
    )


def test_a_student_shares_a_note_with_the_class_through_the_api(
    client, student, course
):
    client.force_login(student)
    response = create(client, course)
    assert response.status_code == 201
    assert response.json()["visibility"] == "course"


@pytest.mark.parametrize("who", ["outsider", "other_teacher", "curator"])
def test_nobody_outside_the_class_shares_into_it(
    client, request, course, other_course, who
):
    client.force_login(request.getfixturevalue(who))
    response = create(client, course)
    assert response.status_code == 400
    assert "course" in response.json()


def test_an_unknown_class_is_a_400(client, student, course):
    client.force_login(student)
    assert "course" in create(client, course, course=99999).json()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("classmate", True),
        ("teacher", True),
        ("coteacher", True),
        ("outsider", False),
        ("other_teacher", False),
        ("curator", False),
    ],
)
def test_class_notes_in_the_api_follow_the_rule(
    client, request, student, course, other_course, passage, who, sees
):
    note = make_annotation(student, passage, visibility="course", course=course)
    client.force_login(request.getfixturevalue(who))
    ids = {a["id"] for a in client.get("/api/annotations/").json()["results"]}
    assert (str(note.pk) in ids) is sees
    assert (client.get(f"/api/annotations/{note.pk}/").status_code == 200) is sees
