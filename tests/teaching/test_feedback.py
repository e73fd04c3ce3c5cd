"""Private feedback on a student's note: who may write it, who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from annotations.models import Visibility
from annotations.services import reply_create
from reader.markdown import MAX_MARKDOWN_LENGTH
from teaching.models import Feedback
from teaching.services import (
    CriterionInput,
    feedback_create,
    feedback_update,
    grades_release,
    grades_withhold,
    rubric_set,
)
from tests.factories import make_annotation

CAST = [
    "teacher",
    "coteacher",
    "other_teacher",
    "student",
    "classmate",
    "outsider",
    "curator",
    "other_reader",
    "anonymous",
]


@pytest.fixture
def note(student, passage, course):
    return make_annotation(
        student,
        passage,
        motivation="commenting",
        body="He hides.",
        visibility=Visibility.COURSE,
        course=course,
    )


@pytest.fixture
def feedback(teacher, note, assignment):
    return feedback_create(
        teacher=teacher, annotation=note, assignment=assignment, body="*Good* reading."
    )


def _who(request, who):
    return AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)


def test_feedback_is_rendered_once_when_written(feedback):
    assert feedback.body_html.strip() == "<p><em>Good</em> reading.</p>"


@pytest.mark.parametrize("who", CAST)
def test_before_release_only_the_class_teachers_read_feedback(
    request, feedback, other_course, who
):
    seen = Feedback.objects.visible_to(_who(request, who)).filter(pk=feedback.pk)
    assert seen.exists() == (who in {"teacher", "coteacher"})


@pytest.mark.parametrize("who", CAST)
def test_after_release_the_student_author_reads_it_too_and_nobody_else(
    request, teacher, feedback, assignment, other_course, who
):
    grades_release(teacher=teacher, assignment=assignment, when=None)
    seen = Feedback.objects.visible_to(_who(request, who)).filter(pk=feedback.pk)
    assert seen.exists() == (who in {"teacher", "coteacher", "student"})


def test_a_public_note_s_feedback_is_as_private_as_any(
    teacher, student, classmate, passage, assignment
):
    public = make_annotation(
        student, passage, motivation="commenting", visibility=Visibility.PUBLIC
    )
    feedback = feedback_create(
        teacher=teacher, annotation=public, assignment=assignment, body="Fine."
    )
    grades_release(teacher=teacher, assignment=assignment, when=None)
    assert not Feedback.objects.visible_to(classmate).filter(pk=feedback.pk).exists()
    assert Feedback.objects.visible_to(student).filter(pk=feedback.pk).exists()


def test_a_release_on_a_later_date_shows_nothing_until_then(
    teacher, student, feedback, assignment
):
    later = timezone.now() + timedelta(days=2)
    grades_release(teacher=teacher, assignment=assignment, when=later)
    assert not Feedback.objects.visible_to(student).exists()
    assignment.grades_release = timezone.now() - timedelta(seconds=1)
    assignment.save()
    assert Feedback.objects.visible_to(student).exists()


def test_withholding_a_release_hides_it_again(teacher, student, feedback, assignment):
    grades_release(teacher=teacher, assignment=assignment, when=None)
    grades_withhold(teacher=teacher, assignment=assignment)
    assert not Feedback.objects.visible_to(student).exists()


def test_a_draft_assignment_s_feedback_stays_hidden_even_released(
    teacher, student, feedback, assignment
):
    grades_release(teacher=teacher, assignment=assignment, when=None)
    assignment.published = False
    assignment.save()
    assert not Feedback.objects.visible_to(student).exists()


def test_a_coteacher_may_write_and_change_feedback(coteacher, feedback):
    changed = feedback_update(teacher=coteacher, feedback=feedback, body="Better.")
    assert changed.teacher == coteacher
    assert "Better." in changed.body_html


def test_a_prompt_answer_takes_feedback(teacher, student, assignment):
    answer = reply_create(
        author=student, parent=assignment.prompt, body="He sees a stranger."
    )
    made = feedback_create(
        teacher=teacher, annotation=answer, assignment=assignment, body="Yes."
    )
    assert made.annotation == answer


@pytest.mark.parametrize("who", ["other_teacher", "student", "classmate", "curator"])
def test_only_the_class_teachers_write_feedback(request, note, assignment, who):
    with pytest.raises(PermissionDenied):
        feedback_create(
            teacher=request.getfixturevalue(who),
            annotation=note,
            assignment=assignment,
            body="Mine.",
        )
    assert not Feedback.objects.exists()


def test_no_feedback_on_a_private_note_the_teacher_cannot_see(
    teacher, student, passage, assignment
):
    private = make_annotation(student, passage, motivation="commenting")
    with pytest.raises(PermissionDenied):
        feedback_create(
            teacher=teacher, annotation=private, assignment=assignment, body="Hm."
        )


def test_no_feedback_on_a_note_of_someone_outside_the_class(
    teacher, outsider, passage, assignment
):
    public = make_annotation(
        outsider, passage, motivation="commenting", visibility=Visibility.PUBLIC
    )
    with pytest.raises(PermissionDenied):
        feedback_create(
            teacher=teacher, annotation=public, assignment=assignment, body="Hm."
        )


def test_no_feedback_on_a_note_outside_the_assignment_s_reading(
    teacher, student, edition, course, assignment
):
    elsewhere = make_annotation(
        student,
        edition.passages.get(key="letter-001"),
        motivation="commenting",
        visibility=Visibility.COURSE,
        course=course,
    )
    with pytest.raises(PermissionDenied):
        feedback_create(
            teacher=teacher, annotation=elsewhere, assignment=assignment, body="Hm."
        )


def test_feedback_is_bounded_and_not_empty(teacher, note, assignment):
    with pytest.raises(ValidationError):
        feedback_create(
            teacher=teacher,
            annotation=note,
            assignment=assignment,
            body="x" * (MAX_MARKDOWN_LENGTH + 1),
        )
    with pytest.raises(ValidationError):
        feedback_create(teacher=teacher, annotation=note, assignment=assignment)
    assert not Feedback.objects.exists()


def test_scores_must_be_levels_of_the_assignment_s_rubric(
    teacher, note, assignment, other_course
):
    rubric_set(
        teacher=teacher,
        assignment=assignment,
        criteria=[CriterionInput("Evidence", (("None", 0), ("Strong", 2)))],
    )
    criterion = assignment.criteria.get()
    strong = criterion.levels.get(label="Strong")
    with pytest.raises(ValidationError):
        feedback_create(
            teacher=teacher,
            annotation=note,
            assignment=assignment,
            scores={criterion.pk + 1000: strong.pk},
        )
    with pytest.raises(ValidationError):
        feedback_create(
            teacher=teacher,
            annotation=note,
            assignment=assignment,
            scores={criterion.pk: strong.pk + 1000},
        )
    assert not Feedback.objects.exists()
    made = feedback_create(
        teacher=teacher,
        annotation=note,
        assignment=assignment,
        scores={criterion.pk: strong.pk},
    )
    assert [s.level for s in made.scores.all()] == [strong]


def test_feedback_cannot_be_emptied_of_words_and_scores(teacher, feedback):
    with pytest.raises(ValidationError):
        feedback_update(teacher=teacher, feedback=feedback, body="  ")
    feedback.refresh_from_db()
    assert feedback.body == "*Good* reading."


def test_feedback_saved_meanwhile_by_another_teacher_is_a_message_not_an_error(
    teacher, coteacher, note, assignment
):
    """Two teachers send feedback on the same note at once: both pass the
    check, one insert wins; the other is told (a ValidationError, which the
    pages and the API answer as a 400, not an IntegrityError's 500)."""
    from django.db.models.signals import pre_save

    def the_other_teacher_first(sender, instance, **kwargs):
        if instance.pk is None and instance.body == "Late.":
            Feedback.objects.bulk_create(
                [
                    Feedback(
                        annotation=note,
                        student=note.author,
                        assignment=assignment,
                        teacher=coteacher,
                        body="Mine first.",
                        body_html="<p>Mine first.</p>",
                    )
                ]
            )

    pre_save.connect(the_other_teacher_first, sender=Feedback)
    try:
        with pytest.raises(ValidationError) as refused:
            feedback_create(
                teacher=teacher, annotation=note, assignment=assignment, body="Late."
            )
    finally:
        pre_save.disconnect(the_other_teacher_first, sender=Feedback)
    assert "already has feedback" in str(refused.value)
    assert not Feedback.objects.filter(body="Late.").exists()
