"""`teacher` and `course` visibility and answer-first, in the one rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from annotations.models import Annotation
from annotations.services import reply_create
from tests.factories import make_annotation


def visible(user) -> set:
    return set(Annotation.objects.visible_to(user).values_list("pk", flat=True))


def test_a_class_note_is_seen_by_the_class_and_its_teachers_only(
    student,
    classmate,
    teacher,
    coteacher,
    other_teacher,
    outsider,
    curator,
    course,
    passage,
):
    note = make_annotation(student, passage, visibility="course", course=course)
    for user in (student, classmate, teacher, coteacher):
        assert note.pk in visible(user)
    for user in (other_teacher, outsider, curator, AnonymousUser()):
        assert note.pk not in visible(user)


def test_a_note_for_my_teachers_is_seen_by_them_only(
    student, classmate, teacher, coteacher, outsider, course, passage
):
    note = make_annotation(student, passage, visibility="teacher", course=course)
    assert note.pk in visible(teacher) and note.pk in visible(coteacher)
    assert note.pk not in visible(classmate) and note.pk not in visible(outsider)


def test_class_levels_need_a_class_i_am_in(student, outsider, course, passage):
    with pytest.raises(ValidationError) as info:
        make_annotation(outsider, passage, visibility="course", course=course)
    assert "course" in info.value.message_dict
    with pytest.raises(ValidationError):
        make_annotation(student, passage, visibility="course")


def test_answers_to_an_answer_first_prompt_appear_once_you_have_answered(
    student, classmate, teacher, assignment
):
    prompt = assignment.prompt
    assert prompt.answer_first
    theirs = reply_create(author=classmate, parent=prompt, body="The light.")
    assert theirs.pk not in visible(student)
    assert theirs.pk in visible(teacher)
    mine = reply_create(author=student, parent=prompt, body="The viewer.")
    assert theirs.pk in visible(student)
    assert mine.pk in visible(classmate)


def test_without_answer_first_answers_are_open_to_the_class(
    student, classmate, teacher, assignment
):
    from teaching.services import assignment_save

    assignment_save(
        teacher=teacher,
        course=assignment.course,
        assignment=assignment,
        title=assignment.title,
        instructions="",
        start_passage=assignment.start_passage,
        end_passage=assignment.end_passage,
        due=assignment.due,
        published=True,
        answer_first=False,
    )
    theirs = reply_create(author=classmate, parent=assignment.prompt, body="The light.")
    assert theirs.pk in visible(student)


def test_nobody_outside_the_class_sees_the_assignments_highlights_or_answers(
    outsider, other_teacher, classmate, assignment
):
    answer = reply_create(author=classmate, parent=assignment.prompt, body="Mine")
    for user in (outsider, other_teacher):
        seen = visible(user)
        assert assignment.highlight.pk not in seen
        assert assignment.prompt.pk not in seen
        assert answer.pk not in seen


def _resave(assignment, teacher, *, published: bool):
    from teaching.services import assignment_save

    return assignment_save(
        teacher=teacher,
        course=assignment.course,
        assignment=assignment,
        title=assignment.title,
        instructions=assignment.instructions,
        start_passage=assignment.start_passage,
        end_passage=assignment.end_passage,
        due=assignment.due,
        published=published,
    )


def test_a_draft_assignments_highlights_and_prompts_are_seen_by_its_teachers_only(
    student, classmate, teacher, coteacher, outsider, assignment
):
    _resave(assignment, teacher, published=False)
    items = {assignment.highlight.pk, assignment.prompt.pk}
    for user in (student, classmate, outsider, AnonymousUser()):
        assert not items & visible(user)
    for user in (teacher, coteacher):
        assert items <= visible(user)


def test_publishing_shows_the_items_and_unpublishing_hides_them_again(
    student, teacher, assignment
):
    items = {assignment.highlight.pk, assignment.prompt.pk}
    assert items <= visible(student)
    _resave(assignment, teacher, published=False)
    assert not items & visible(student)
    _resave(assignment, teacher, published=True)
    assert items <= visible(student)


def test_a_prompt_added_to_a_draft_stays_hidden_until_it_is_published(
    student, teacher, assignment
):
    from annotations.services import TargetInput
    from teaching.services import assignment_item_create

    _resave(assignment, teacher, published=False)
    prompt = assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput("black-003", 0, "black-003", 7),
        motivation="questioning",
        body="Why here?",
    ).annotation
    assert prompt.pk not in visible(student)
    _resave(assignment, teacher, published=True)
    assert prompt.pk in visible(student)


def test_a_copy_into_another_class_is_a_draft_its_students_do_not_see(
    teacher, other_teacher, outsider, assignment, other_course
):
    from teaching.services import assignment_copy

    other_course.teachers.add(teacher)
    copy = assignment_copy(assignment=assignment, teacher=teacher, course=other_course)
    copied = set(copy.items.values_list("annotation_id", flat=True))
    assert len(copied) == 2
    assert not copied & visible(outsider)
    assert copied <= visible(other_teacher)


def test_nobody_can_reply_to_a_draft_prompt(student, teacher, assignment):
    from django.core.exceptions import PermissionDenied

    _resave(assignment, teacher, published=False)
    with pytest.raises(PermissionDenied):
        reply_create(author=student, parent=assignment.prompt, body="Early.")
