"""Every teaching page against the whole cast."""

from __future__ import annotations

import pytest
from django.urls import reverse

CAST = [
    "teacher",
    "coteacher",
    "other_teacher",
    "student",
    "outsider",
    "anonymous",
    "curator",
]
TEACHERS = {"teacher", "coteacher"}
CLASS = TEACHERS | {"student"}


def pages(course, assignment, student):
    """(url, who may open it)."""
    return [
        (reverse("teaching:home"), set(CAST) - {"anonymous"}),
        (reverse("teaching:join"), set(CAST) - {"anonymous"}),
        (course.get_absolute_url(), CLASS),
        (reverse("teaching:assignment_new", args=[course.pk]), TEACHERS),
        (assignment.get_absolute_url(), CLASS),
        (reverse("teaching:assignment_edit", args=[assignment.pk]), TEACHERS),
        (reverse("teaching:handout", args=[assignment.pk]), CLASS),
        (reverse("teaching:dashboard", args=[assignment.pk]), TEACHERS),
        (reverse("teaching:dashboard_csv", args=[assignment.pk]), TEACHERS),
        (reverse("teaching:annotations_csv", args=[assignment.pk]), TEACHERS),
        (reverse("teaching:student", args=[assignment.pk, student.pk]), TEACHERS),
    ]


@pytest.mark.parametrize("who", CAST)
def test_each_page_opens_for_exactly_its_people(
    client, request, course, other_course, assignment, student, who
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url, allowed in pages(course, assignment, student):
        status = client.get(url).status_code
        if who in allowed:
            assert status == 200, (url, who, status)
        elif who == "anonymous":
            assert status == 302, (url, who, status)
        else:
            assert status in (403, 404), (url, who, status)


@pytest.mark.parametrize("who", CAST)
def test_each_write_is_refused_to_everyone_outside_its_people(
    client, request, course, other_course, assignment, student, classmate, who
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    writes = [
        (
            reverse("teaching:course_code", args=[course.pk]),
            {"action": "close"},
            TEACHERS,
        ),
        (
            reverse("teaching:course_coteacher", args=[course.pk]),
            {"username": "otherteacher"},
            TEACHERS,
        ),
        (
            reverse("teaching:roster_remove", args=[course.pk, classmate.pk]),
            {},
            TEACHERS,
        ),
        (
            reverse("teaching:assignment_copy", args=[assignment.pk]),
            {"course": other_course.pk},
            TEACHERS,
        ),
    ]
    for url, data, allowed in writes:
        status = client.post(url, data).status_code
        if who in allowed:
            assert status == 302, (url, who, status)
        elif who == "anonymous":
            assert status == 302, (url, who, status)
        else:
            assert status in (403, 404), (url, who, status)
    course.refresh_from_db()
    assert course.join_enabled is (who not in TEACHERS)
