"""Rubrics, participation rules, overrides: a student's score and how it
was reached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from annotations.models import Visibility
from annotations.services import reply_create
from teaching.grading import best_levels, grades
from teaching.models import GradeOverride, RubricCriterion
from teaching.services import (
    MAX_CRITERIA,
    CriterionInput,
    assignment_copy,
    completion_mark,
    criteria_of,
    feedback_create,
    grade_override,
    participation_rules_set,
    rubric_copy,
    rubric_make_class_default,
    rubric_set,
)
from tests.factories import make_annotation

RUBRIC = [
    CriterionInput("Evidence", (("None", 0), ("Some", 1), ("Strong", 3))),
    CriterionInput("Motif", (("Missed", 0), ("Named", 2))),
]


@pytest.fixture
def rubric(teacher, assignment):
    rubric_set(teacher=teacher, assignment=assignment, criteria=RUBRIC)
    return {
        (c.name, lv.label): (c.pk, lv.pk)
        for c in assignment.criteria.all()
        for lv in c.levels.all()
    }


def _note(student, passage, course, body="A note."):
    return make_annotation(
        student,
        passage,
        motivation="commenting",
        body=body,
        visibility=Visibility.COURSE,
        course=course,
    )


def _score(teacher, assignment, note, rubric, *levels):
    scores = dict(rubric[level] for level in levels)
    return feedback_create(
        teacher=teacher, annotation=note, assignment=assignment, scores=scores
    )


def test_best_levels_takes_each_criterion_s_best_level_across_notes():
    criteria = [(1, "Evidence", 3), (2, "Motif", 2), (3, "Language", 4)]
    scores = [(1, "Some", 1), (1, "Strong", 3), (1, "None", 0), (2, "Named", 2)]
    results = best_levels(criteria, scores)
    assert [(r.name, r.level, r.points, r.maximum) for r in results] == [
        ("Evidence", "Strong", 3, 3),
        ("Motif", "Named", 2, 2),
        ("Language", "", 0, 4),
    ]


def test_a_student_s_rubric_points_are_the_best_per_criterion_out_of_the_tops(
    teacher, student, classmate, passage, next_passage, course, assignment, rubric
):
    first = _note(student, passage, course)
    second = _note(student, next_passage, course)
    _score(teacher, assignment, first, rubric, ("Evidence", "Some"), ("Motif", "Named"))
    _score(teacher, assignment, second, rubric, ("Evidence", "Strong"))
    grade = grades(assignment)[student.pk]
    assert (grade.rubric_points, grade.rubric_maximum) == (3 + 2, 3 + 2)
    assert grade.computed == grade.final == 5
    untouched = grades(assignment)[classmate.pk]
    assert (untouched.rubric_points, untouched.rubric_maximum) == (0, 5)


def test_participation_rules_each_earn_their_points(
    teacher, student, classmate, passage, course, assignment
):
    participation_rules_set(
        teacher=teacher,
        assignment=assignment,
        min_notes=2,
        min_replies=1,
        all_prompts=True,
        on_time=True,
        rule_points=5,
    )
    theirs = _note(classmate, passage, course)
    _note(student, passage, course)
    _note(student, passage, course)
    reply_create(author=student, parent=theirs, body="I agree.")
    reply_create(author=student, parent=assignment.prompt, body="A stranger.")
    completion_mark(assignment=assignment, student=student)
    grade = grades(assignment)[student.pk]
    assert [r.met for r in grade.rules] == [True, True, True, True]
    assert (grade.participation_points, grade.participation_maximum) == (20, 20)
    other = grades(assignment)[classmate.pk]
    assert [r.met for r in other.rules] == [False, False, False, False]
    assert (other.computed, other.maximum) == (0, 20)


def test_private_notes_do_not_count_for_participation(
    teacher, student, passage, assignment
):
    participation_rules_set(
        teacher=teacher, assignment=assignment, min_notes=1, rule_points=4
    )
    make_annotation(student, passage, motivation="commenting")
    assert grades(assignment)[student.pk].participation_points == 0


def test_late_is_not_on_time(teacher, student, assignment):
    participation_rules_set(
        teacher=teacher, assignment=assignment, on_time=True, rule_points=4
    )
    assignment.due = timezone.now() - timedelta(days=1)
    assignment.save()
    completion_mark(assignment=assignment, student=student)
    assert grades(assignment)[student.pk].rules[0].met is False


def test_rubric_and_participation_add_up(
    teacher, student, passage, course, assignment, rubric
):
    participation_rules_set(
        teacher=teacher, assignment=assignment, min_notes=1, rule_points=4
    )
    note = _note(student, passage, course)
    _score(teacher, assignment, note, rubric, ("Evidence", "Some"))
    grade = grades(assignment)[student.pk]
    assert (grade.computed, grade.maximum) == (1 + 4, 5 + 4)


def test_an_override_is_recorded_with_who_when_old_new_and_why(
    teacher, coteacher, student, passage, course, assignment, rubric
):
    note = _score(
        teacher, assignment, _note(student, passage, course), rubric, ("Motif", "Named")
    )
    assert note
    first = grade_override(
        teacher=teacher, assignment=assignment, student=student, score=4, reason="Oral"
    )
    second = grade_override(
        teacher=coteacher,
        assignment=assignment,
        student=student,
        score=3,
        reason="Recount",
    )
    assert (first.old_score, first.new_score, first.teacher) == (2, 4, teacher)
    assert (second.old_score, second.new_score, second.teacher) == (4, 3, coteacher)
    assert first.created <= second.created
    grade = grades(assignment)[student.pk]
    assert (grade.computed, grade.final) == (2, 3)
    assert [o.reason for o in grade.overrides] == ["Oral", "Recount"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_an_override_needs_a_reason_of_bounded_length(
    teacher, student, assignment, reason
):
    with pytest.raises(ValidationError):
        grade_override(
            teacher=teacher,
            assignment=assignment,
            student=student,
            score=3,
            reason=reason,
        )
    assert not GradeOverride.objects.exists()


@pytest.mark.parametrize("score", [-1, 10_001])
def test_an_override_score_is_bounded(teacher, student, assignment, score):
    with pytest.raises(ValidationError):
        grade_override(
            teacher=teacher,
            assignment=assignment,
            student=student,
            score=score,
            reason="x",
        )


def test_only_the_class_teachers_override_and_only_for_its_students(
    teacher, other_teacher, student, outsider, assignment
):
    with pytest.raises(PermissionDenied):
        grade_override(
            teacher=other_teacher,
            assignment=assignment,
            student=student,
            score=1,
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        grade_override(
            teacher=teacher,
            assignment=assignment,
            student=outsider,
            score=1,
            reason="x",
        )


def test_a_rubric_cannot_change_once_notes_are_scored_on_it(
    teacher, student, passage, course, assignment, rubric
):
    _score(
        teacher, assignment, _note(student, passage, course), rubric, ("Motif", "Named")
    )
    with pytest.raises(ValidationError):
        rubric_set(teacher=teacher, assignment=assignment, criteria=RUBRIC[:1])
    assert assignment.criteria.count() == 2


@pytest.mark.parametrize(
    "criteria",
    [
        [CriterionInput("", (("A", 1),))],
        [CriterionInput("x" * 81, (("A", 1),))],
        [CriterionInput("Evidence", ())],
        [CriterionInput("Evidence", tuple((f"L{i}", i) for i in range(9)))],
        [CriterionInput("Evidence", (("", 1),))],
        [CriterionInput("Evidence", (("A", 101),))],
        [CriterionInput("Evidence", (("A", -1),))],
        [CriterionInput(f"C{i}", (("A", 1),)) for i in range(MAX_CRITERIA + 1)],
    ],
)
def test_a_rubric_is_bounded(teacher, assignment, rubric, criteria):
    with pytest.raises(ValidationError):
        rubric_set(teacher=teacher, assignment=assignment, criteria=criteria)
    assert criteria_of(assignment) == RUBRIC


def test_a_class_default_rubric_is_copied_into_another_assignment(
    teacher, course, assignment, rubric
):
    rubric_make_class_default(teacher=teacher, assignment=assignment)
    second = assignment_copy(assignment=assignment, teacher=teacher, course=course)
    rubric_set(teacher=teacher, assignment=second, criteria=[])
    rubric_copy(teacher=teacher, assignment=second, source=course)
    assert criteria_of(second) == RUBRIC
    assert criteria_of(course) == RUBRIC


def test_a_rubric_is_copied_from_another_assignment_the_teacher_teaches(
    teacher, other_teacher, course, other_course, assignment, rubric
):
    second = assignment_copy(assignment=assignment, teacher=teacher, course=course)
    rubric_set(teacher=teacher, assignment=second, criteria=[])
    rubric_copy(teacher=teacher, assignment=second, source=assignment)
    assert criteria_of(second) == RUBRIC
    with pytest.raises(PermissionDenied):
        rubric_copy(teacher=other_teacher, assignment=second, source=assignment)


def test_copying_an_assignment_copies_its_rubric_and_rules_not_its_grades(
    teacher, student, passage, course, assignment, rubric
):
    participation_rules_set(
        teacher=teacher, assignment=assignment, min_notes=3, rule_points=2
    )
    _score(
        teacher, assignment, _note(student, passage, course), rubric, ("Motif", "Named")
    )
    assignment.grades_release = timezone.now()
    assignment.save()
    copy = assignment_copy(assignment=assignment, teacher=teacher, course=course)
    assert criteria_of(copy) == RUBRIC
    assert (copy.min_notes, copy.rule_points) == (3, 2)
    assert copy.grades_release is None
    assert not copy.feedback.exists()
    # The copy has criteria of its own: the original's stay where they were.
    assert RubricCriterion.objects.filter(assignment=assignment).count() == 2


def test_grades_read_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
    teacher,
    student,
    classmate,
    passage,
    course,
    assignment,
    rubric,
):
    participation_rules_set(
        teacher=teacher,
        assignment=assignment,
        min_notes=1,
        all_prompts=True,
        rule_points=1,
    )
    for who in (student, classmate):
        _score(
            teacher, assignment, _note(who, passage, course), rubric, ("Motif", "Named")
        )
        grade_override(
            teacher=teacher, assignment=assignment, student=who, score=1, reason="x"
        )
    with django_assert_max_num_queries(16):
        assert len(grades(assignment, teacher=teacher)) == 2


def test_copying_an_empty_class_default_leaves_the_rubric_alone(
    teacher, course, assignment, rubric
):
    with pytest.raises(ValidationError):
        rubric_copy(teacher=teacher, assignment=assignment, source=course)
    assert criteria_of(assignment) == RUBRIC
