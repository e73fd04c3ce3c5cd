"""Assignments: creating, ranges, items, students' view, done, handout, copy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reader.models import Passage
from teaching.contributions import AssignmentContribution
from teaching.models import Assignment, Completion
from tests.factories import make_edition, make_part, make_passages


def assignment_share(response, page):
    """Teaching's share of a part page or of the contents."""
    return response.context[page].contribution(AssignmentContribution)


def form(course, **overrides):
    data = {
        "title": "Noh masks",
        "instructions": "Look at **light**.",
        "start_passage": "black-002",
        "end_passage": "letter-001",
        "due": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "answer_first": "on",
        "published": "on",
    }
    data.update(overrides)
    return data


def test_a_teacher_creates_an_assignment_across_parts(client, teacher, course):
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:assignment_new", args=[course.pk]), form(course)
    )
    assignment = Assignment.objects.get()
    assert response["Location"] == assignment.get_absolute_url()
    assert [p.key for p in assignment.passages()] == [
        "black-002",
        "black-003",
        "letter-001",
    ]
    assert assignment.published and assignment.answer_first


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_passage": "letter-001", "end_passage": "black-002"},
            "end_passage",
            "ends before it starts",
        ),
        ({"start_passage": "nope-001"}, "start_passage", "no passage with this key"),
        ({"start_passage": "x-001"}, "start_passage", "another edition"),
        ({"due": "tomorrow"}, "due", ""),
    ],
)
def test_bad_ranges_and_dates_are_refused_and_nothing_saved(
    client, teacher, course, overrides, field, message
):
    other = make_edition("other")
    make_passages(make_part(other, 1, slug="x"), 1, prefix="x")
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:assignment_new", args=[course.pk]), form(course, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Assignment.objects.exists()


def test_a_due_date_in_the_past_warns_but_saves(client, teacher, course):
    client.force_login(teacher)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("teaching:assignment_new", args=[course.pk]),
        form(course, due=past),
        follow=True,
    )
    assert Assignment.objects.exists()
    assert "due date is in the past" in response.content.decode()


@pytest.mark.parametrize("who", ["student", "other_teacher", "curator"])
def test_only_the_class_teachers_create_assignments(client, request, course, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("teaching:assignment_new", args=[course.pk]), form(course)
    )
    assert response.status_code in (403, 404)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("coteacher", 200),
        ("student", 200),
        ("other_teacher", 404),
        ("outsider", 404),
        ("curator", 404),
        ("anonymous", 302),
    ],
)
def test_who_sees_an_assignment(client, request, assignment, other_course, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(assignment.get_absolute_url()).status_code == status


def test_students_do_not_see_drafts(client, student, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(published=False)
    client.force_login(student)
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert assignment.title not in client.get(reverse("teaching:home")).content.decode()


def test_the_assignment_page_lists_prompts_and_opens_the_reader_at_the_start(
    client, student, assignment
):
    client.force_login(student)
    html = client.get(assignment.get_absolute_url()).content.decode()
    assert "What does he see?" in html
    assert f"?assignment={assignment.pk}#black-001" in html
    assert "Classmates’ answers appear once you have answered" in html


def test_the_reader_marks_the_range_and_shows_the_prompts(client, student, assignment):
    client.force_login(student)
    url = (
        reverse("reader:part", kwargs={"edition": "test", "part": "black"})
        + f"?assignment={assignment.pk}"
    )
    response = client.get(url)
    share = assignment_share(response, "part_page")
    marked = [
        p.key for p in response.context["passages"] if share.passage_in_assignment(p)
    ]
    assert marked == ["black-001", "black-002", "black-003"]
    html = response.content.decode()
    assert "What does he see?" in html
    assert f'data-course="{assignment.course_id}"' in html
    assert "hl-teacher" in html


def test_another_students_assignment_link_shows_nothing(client, outsider, assignment):
    client.force_login(outsider)
    url = (
        reverse("reader:part", kwargs={"edition": "test", "part": "black"})
        + f"?assignment={assignment.pk}"
    )
    response = client.get(url)
    assert (
        "assignment" not in response.context
        or response.context.get("assignment") is None
    )
    assert "What does he see?" not in response.content.decode()


def item(client, assignment, **overrides):
    body = {
        "edition": "test",
        "target": {
            "start": {"passage": "black-003", "offset": 0},
            "end": {"passage": "black-003", "offset": 7},
        },
        "motivation": "questioning",
        "body": "Why?",
    }
    body.update(overrides)
    return client.post(
        reverse("teaching:assignment_items", args=[assignment.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_teachers_add_prompts_inside_the_range(client, coteacher, assignment):
    client.force_login(coteacher)
    response = item(client, assignment)
    assert response.status_code == 201
    assert assignment.items.count() == 3


def test_prompts_outside_the_range_are_refused(client, teacher, assignment):
    client.force_login(teacher)
    response = item(
        client,
        assignment,
        target={
            "start": {"passage": "letter-001", "offset": 0},
            "end": {"passage": "letter-001", "offset": 5},
        },
    )
    assert response.status_code == 400
    assert "start_passage" in response.json()
    assert assignment.items.count() == 2


@pytest.mark.parametrize("who", ["student", "other_teacher"])
def test_students_and_other_teachers_cannot_add_prompts(
    client, request, assignment, who
):
    client.force_login(request.getfixturevalue(who))
    assert item(client, assignment).status_code in (403, 404)
    assert assignment.items.count() == 2


def test_malformed_item_requests_get_a_400(client, teacher, assignment):
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:assignment_items", args=[assignment.pk]),
        data="nope",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_malformed_item_is_refused_naming_the_field(client, teacher, assignment):
    client.force_login(teacher)
    response = item(
        client,
        assignment,
        target={
            "start": {"passage": "black-003", "offset": 0},
            "end": {"passage": "black-003", "offset": [7]},
        },
    )
    assert response.status_code == 400
    assert list(response.json()["target"]["end"]) == ["offset"]
    assert assignment.items.count() == 2


def test_a_bug_while_adding_an_item_is_not_passed_off_as_bad_input(
    client, teacher, assignment, monkeypatch
):
    def broken(**kwargs):
        raise KeyError("a bug in the service")

    monkeypatch.setattr("teaching.views.assignment_note_create", broken)
    client.force_login(teacher)
    with pytest.raises(KeyError, match="a bug in the service"):
        item(client, assignment)


def test_a_student_marks_done_and_the_teacher_cannot(
    client, student, teacher, assignment
):
    client.force_login(student)
    client.post(reverse("teaching:assignment_done", args=[assignment.pk]))
    assert Completion.objects.filter(assignment=assignment, student=student).exists()
    client.post(
        reverse("teaching:assignment_done", args=[assignment.pk]), {"done": "0"}
    )
    assert not Completion.objects.exists()
    client.force_login(teacher)
    client.post(reverse("teaching:assignment_done", args=[assignment.pk]))
    assert not Completion.objects.exists()


def test_the_students_home_shows_due_overdue_done_and_progress(
    client, student, assignment
):
    from reader.services import passage_reads_record

    passage_reads_record(
        user=student,
        passages=Passage.objects.filter(key__in=["black-001", "black-002"]),
    )
    client.force_login(student)
    response = client.get(reverse("teaching:home"))
    ((course, statuses),) = response.context["attended"]
    assert statuses[0].percent == 67 and statuses[0].state == "due"
    Assignment.objects.filter(pk=assignment.pk).update(
        due=timezone.now() - timedelta(days=1)
    )
    assert (
        client.get(reverse("teaching:home")).context["attended"][0][1][0].state
        == "overdue"
    )
    Completion.objects.create(assignment=assignment, student=student)
    assert (
        client.get(reverse("teaching:home")).context["attended"][0][1][0].state
        == "done"
    )


def test_the_handout_prints_the_range_with_highlights_and_prompts(
    client, student, assignment
):
    client.force_login(student)
    html = client.get(
        reverse("teaching:handout", args=[assignment.pk])
    ).content.decode()
    assert 'class="hl hl-assignment"' in html
    assert "What does he see?" in html
    assert "black-003" in html and "letter-001" not in html


def test_the_handout_leaves_out_a_deleted_prompt(client, teacher, student, assignment):
    from annotations.services import annotation_delete, reply_create

    prompt = assignment.items.get(annotation__body="What does he see?").annotation
    reply_create(author=student, parent=prompt, body="His own face.")
    annotation_delete(annotation=prompt, user=teacher)  # kept as a tombstone
    client.force_login(student)
    response = client.get(reverse("teaching:handout", args=[assignment.pk]))
    assert response.context["prompts"] == []
    assert "What does he see?" not in response.content.decode()


def test_copying_an_assignment_takes_its_highlights_and_prompts(
    client, teacher, assignment, edition
):
    from classes.services import course_create

    today = timezone.localdate()
    next_year = course_create(
        teacher=teacher,
        name="Next year",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=300),
    )
    client.force_login(teacher)
    client.post(
        reverse("teaching:assignment_copy", args=[assignment.pk]),
        {"course": next_year.pk},
    )
    copy = Assignment.objects.get(course=next_year)
    assert not copy.published
    assert sorted(i.annotation.body for i in copy.items.all()) == [
        "",
        "What does he see?",
    ]
    assert all(i.annotation.course_id == next_year.pk for i in copy.items.all())


def test_a_deleted_prompt_that_was_answered_is_not_copied(
    client, teacher, student, assignment, edition
):
    from annotations.services import annotation_delete, reply_create
    from classes.services import course_create

    prompt = assignment.items.get(annotation__body="What does he see?").annotation
    reply_create(author=student, parent=prompt, body="His own face.")
    assert annotation_delete(annotation=prompt, user=teacher) is False  # tombstone
    today = timezone.localdate()
    next_year = course_create(
        teacher=teacher,
        name="Next year",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=300),
    )
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:assignment_copy", args=[assignment.pk]),
        {"course": next_year.pk},
    )
    assert response.status_code == 302
    copy = Assignment.objects.get(course=next_year)
    assert [i.annotation.body for i in copy.items.all()] == [""]


def test_nobody_copies_into_a_class_they_do_not_teach(
    client, teacher, assignment, other_course
):
    client.force_login(teacher)
    client.post(
        reverse("teaching:assignment_copy", args=[assignment.pk]),
        {"course": other_course.pk},
    )
    assert not Assignment.objects.filter(course=other_course).exists()


def test_a_teacher_picks_the_range_in_the_reader(client, teacher, course):
    client.force_login(teacher)
    url = (
        reverse("reader:part", kwargs={"edition": "test", "part": "black"})
        + f"?pick={course.pk}&start_passage=black-001"
    )
    html = client.get(url).content.decode()
    new = reverse("teaching:assignment_new", args=[course.pk])
    assert f"{new}?end_passage=black-002&amp;start_passage=black-001" in html
    form_page = client.get(f"{new}?start_passage=black-001&end_passage=black-002")
    assert form_page.context["form"].initial["end_passage"] == "black-002"


def test_the_contents_mark_the_parts_of_the_range(
    client, student, assignment, outsider
):
    client.force_login(student)
    response = client.get(
        reverse("reader:edition", kwargs={"edition": "test"})
        + f"?assignment={assignment.pk}"
    )
    share = assignment_share(response, "contents_page")
    marked = [p.slug for p in response.context["parts"] if share.part_in_assignment(p)]
    assert marked == ["black"]
    client.force_login(outsider)
    response = client.get(
        reverse("reader:edition", kwargs={"edition": "test"})
        + f"?assignment={assignment.pk}"
    )
    share = assignment_share(response, "contents_page")
    assert not any(share.part_in_assignment(p) for p in response.context["parts"])
