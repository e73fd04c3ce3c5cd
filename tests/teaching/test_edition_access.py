"""Classes and assignments on an edition restricted to chosen classes: a
class reads only an edition all its members may read, and nothing of an
assignment on an edition someone may not read reaches them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classes.models import Course, Enrollment
from classes.services import course_create
from reader.models import Audience, Passage
from reader.services import edition_publish
from teaching.services import assignment_save
from tests.factories import make_edition, make_part, make_passages, make_user


def new_assignment(course, teacher, title="Read it"):
    passages = {p.key: p for p in Passage.objects.filter(edition=course.edition)}
    return assignment_save(
        teacher=teacher,
        course=course,
        title=title,
        instructions="",
        start_passage=passages["black-001"],
        end_passage=passages["black-003"],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )


@pytest.fixture
def left_out(licensed):
    """A class that read the edition before a curator opened it to another
    class only: its teacher and student no longer may read it."""
    edition = licensed.edition
    edition_publish(edition=edition, audience=Audience.SIGNED_IN)
    teacher = make_user("leftoutteacher", groups=("Teachers",))
    student = make_user("leftoutstudent")
    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="Left out",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=60),
    )
    Enrollment.objects.create(course=course, student=student)
    assignment = new_assignment(course, teacher, "Their reading")
    edition_publish(
        edition=edition, audience=Audience.CLASSES, classes=[licensed.course]
    )
    return type(
        "LeftOut",
        (),
        {
            "course": course,
            "teacher": teacher,
            "student": student,
            "assignment": assignment,
        },
    )


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_the_chosen_class_opens_its_assignment(client, licensed, who):
    assignment = new_assignment(licensed.course, licensed.teacher)
    as_user(client, getattr(licensed, who))
    assert client.get(assignment.get_absolute_url()).status_code == 200
    handout = reverse("teaching:handout", args=[assignment.pk])
    assert client.get(handout).status_code == 200


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_a_class_left_out_meets_404_on_its_assignment(client, left_out, who):
    as_user(client, getattr(left_out, who))
    pk = left_out.assignment.pk
    for name in ("assignment", "handout"):
        assert client.get(reverse(f"teaching:{name}", args=[pk])).status_code == 404
    if who == "teacher":
        for name in (
            "dashboard",
            "dashboard_csv",
            "annotations_csv",
            "assignment_edit",
        ):
            url = reverse(f"teaching:{name}", args=[pk])
            assert client.get(url).status_code == 404, name
        new = reverse("teaching:assignment_new", args=[left_out.course.pk])
        assert client.get(new).status_code == 404
        items = client.post(
            reverse("teaching:assignment_items", args=[pk]),
            "{}",
            content_type="application/json",
        )
        assert items.status_code == 404


def test_a_class_left_out_does_not_list_the_assignment_on_the_students_home(
    client, left_out
):
    as_user(client, left_out.student)
    html = client.get(reverse("teaching:home")).content.decode()
    assert "Their reading" not in html


def test_the_assignment_is_404_once_the_edition_is_unpublished(client, licensed):
    assignment = new_assignment(licensed.course, licensed.teacher)
    edition_publish(edition=licensed.edition, audience=Audience.CURATORS)
    for user in (licensed.student, licensed.teacher):
        as_user(client, user)
        assert client.get(assignment.get_absolute_url()).status_code == 404


# --- Which editions a class may read -----------------------------------------------


def create_class(client, edition_slug):
    today = timezone.localdate()
    return client.post(
        reverse("teaching:course_new"),
        {
            "name": "New class",
            "edition": edition_slug,
            "term_start": today,
            "term_end": today + timedelta(days=60),
        },
    )


def test_the_class_form_offers_only_editions_the_teacher_may_read(client, licensed):
    make_edition("open", title="An Open Edition")
    stranger = make_user("otherteacher", groups=("Teachers",))
    as_user(client, stranger)
    choices = client.get(reverse("teaching:course_new")).context["form"]
    offered = [e.slug for e in choices.fields["edition"].queryset]
    assert offered == ["open"]
    response = create_class(client, "licensed")
    assert response.status_code == 400
    assert not Course.objects.filter(name="New class").exists()


def test_a_new_class_on_an_edition_restricted_to_other_classes_is_refused(
    client, licensed
):
    # The class's own teacher may read the edition, but a new class is not
    # among those the curator chose: its students could not read it.
    as_user(client, licensed.teacher)
    response = create_class(client, "licensed")
    assert response.status_code == 400
    assert "open only to the classes a curator chose" in response.content.decode()
    assert not Course.objects.filter(name="New class").exists()


@pytest.mark.parametrize(
    "audience, accepted",
    [
        (Audience.EVERYONE, True),
        (Audience.SIGNED_IN, True),
        (Audience.CURATORS, False),
    ],
)
def test_a_new_class_reads_an_edition_all_may_read(client, db, audience, accepted):
    make_edition("e", audience=audience)
    # A teacher who is also a curator reads an unpublished edition; their
    # students would not.
    teacher = make_user(groups=("Teachers", "Curators"), is_staff=True)
    as_user(client, teacher)
    response = create_class(client, "e")
    assert (response.status_code == 302) == accepted
    assert Course.objects.filter(name="New class").exists() == accepted


def test_a_class_switches_to_an_edition_opened_to_it(client, licensed):
    """How a class comes to read a licensed text: made on another edition,
    opened to by a curator, then switched by its teacher."""
    edition = make_edition("study", title="Study")
    make_passages(make_part(edition, 1, slug="black"), 3)
    today = timezone.localdate()
    course = course_create(
        teacher=licensed.teacher,
        name="Second class",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=60),
    )
    as_user(client, licensed.teacher)
    url = reverse("teaching:course_edition", args=[course.pk])
    client.post(url, {"edition": "licensed"})
    course.refresh_from_db()
    assert course.edition == edition  # not opened to this class yet
    edition_publish(
        edition=licensed.edition,
        audience=Audience.CLASSES,
        classes=[licensed.course, course],
    )
    client.post(url, {"edition": "licensed"})
    course.refresh_from_db()
    assert course.edition == licensed.edition


def test_a_class_with_assignments_keeps_its_edition(client, licensed):
    new_assignment(licensed.course, licensed.teacher)
    make_edition("open")
    as_user(client, licensed.teacher)
    client.post(
        reverse("teaching:course_edition", args=[licensed.course.pk]),
        {"edition": "open"},
    )
    licensed.course.refresh_from_db()
    assert licensed.course.edition == licensed.edition


def test_only_the_class_teachers_switch_its_edition(client, licensed):
    make_edition("open")
    as_user(client, licensed.student)
    response = client.post(
        reverse("teaching:course_edition", args=[licensed.course.pk]),
        {"edition": "open"},
    )
    assert response.status_code == 403
    licensed.course.refresh_from_db()
    assert licensed.course.edition == licensed.edition


def test_the_edition_switch_offers_no_empty_choice(client, licensed):
    as_user(client, licensed.teacher)
    page = client.get(licensed.course.get_absolute_url()).content.decode()
    assert 'name="edition"' in page
    assert "---------" not in page
