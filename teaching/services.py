"""Every write for assignments goes through here (classes: classes/services.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.models import Annotation, Motivation, Visibility
from annotations.services import TargetInput, annotation_create
from classes.models import Course
from classes.selectors import attends
from classes.services import check_teacher as _check_teacher
from classes.services import edition_problem_for_class
from reader.anchoring import AnchorState
from reader.markdown import MAX_MARKDOWN_LENGTH, render_markdown
from reader.models import Edition, Passage

from .models import (
    Assignment,
    AssignmentItem,
    Completion,
    Feedback,
    GradeOverride,
    RubricCriterion,
    RubricLevel,
    Score,
)
from .notices import assignment_published_notify, grades_released_notify
from .signals import feedback_released, feedback_written, grade_overridden


@transaction.atomic
def course_edition_change(
    *, course: Course, teacher: AbstractBaseUser, edition: Edition
) -> Course:
    """Move a class to another edition its members may all read.

    Only before its first assignment: assignments and the class's shared
    notes point at passages of the edition the class reads.
    """
    _check_teacher(teacher, course)
    if edition.pk == course.edition_id:
        return course
    problem = edition_problem_for_class(edition, course)
    if problem:
        raise ValidationError({"edition": problem})
    if course.assignments.exists():
        raise ValidationError(
            {
                "edition": _(
                    "This class already has assignments on its edition; it "
                    "keeps that edition."
                )
            }
        )
    course.edition = edition
    course.full_clean()
    course.save(update_fields=["edition"])
    return course


def _check_range(course: Course, start: Passage, end: Passage) -> None:
    if start.edition_id != course.edition_id or end.edition_id != course.edition_id:
        raise ValidationError(
            {"start_passage": _("The range must be in the edition this class reads.")}
        )
    if (start.part.order, start.order) > (end.part.order, end.order):
        raise ValidationError({"end_passage": _("The range ends before it starts.")})


@transaction.atomic
def assignment_save(
    *,
    teacher: AbstractBaseUser,
    course: Course,
    title: str,
    instructions: str,
    start_passage: Passage,
    end_passage: Passage,
    due: datetime,
    focus_motifs: list | None = None,
    published: bool = False,
    answer_first: bool = True,
    assignment: Assignment | None = None,
) -> Assignment:
    """Create or change an assignment. A due date in the past is allowed
    (the form warns about it)."""
    _check_teacher(teacher, course)
    _check_range(course, start_passage, end_passage)
    assignment = assignment or Assignment(course=course)
    if assignment.course_id != course.pk:
        raise PermissionDenied
    assignment.title = title.strip()
    if len(instructions) > MAX_MARKDOWN_LENGTH:
        raise ValidationError(
            {
                "instructions": _(
                    "The instructions are too long (at most %d characters)."
                )
                % MAX_MARKDOWN_LENGTH
            }
        )
    assignment.instructions = instructions
    assignment.instructions_html = render_markdown(instructions)
    assignment.start_passage = start_passage
    assignment.end_passage = end_passage
    assignment.due = due
    assignment.published = published
    assignment.answer_first = answer_first
    assignment.full_clean()
    assignment.save()
    assignment.focus_motifs.set(focus_motifs or [])
    items = Annotation.objects.filter(assignment_item__assignment=assignment)
    items.filter(motivation=Motivation.QUESTIONING).update(answer_first=answer_first)
    # Nothing of a draft reaches the students: its items are held back.
    items.update(draft=not published)
    assignment_published_notify(assignment=assignment, teacher=teacher)
    return assignment


@transaction.atomic
def assignment_item_create(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    target: TargetInput,
    motivation: str,
    body: str = "",
    colour: str = "yellow",
    tags: Sequence[str] = (),
    quote: str | None = None,
) -> AssignmentItem:
    """A teacher's highlight or prompt inside the assignment's range, shared
    with the class."""
    _check_teacher(teacher, assignment.course)
    in_range = set(assignment.passages().values_list("key", flat=True))
    if target.start_key not in in_range or target.end_key not in in_range:
        raise ValidationError(
            {
                "start_passage": _(
                    "Highlights and prompts stay inside the reading range."
                )
            }
        )
    annotation = annotation_create(
        author=teacher,
        edition=assignment.course.edition,
        target=target,
        motivation=motivation,
        body=body,
        colour=colour,
        tags=tags,
        quote=quote,
        visibility=Visibility.COURSE,
        course=assignment.course,
        answer_first=assignment.answer_first and motivation == Motivation.QUESTIONING,
    )
    if not assignment.published:
        annotation.draft = True
        annotation.save(update_fields=["draft"])
    return AssignmentItem.objects.create(assignment=assignment, annotation=annotation)


@transaction.atomic
def assignment_note_create(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    target: TargetInput,
    motivation: str,
    visibility: str = Visibility.COURSE,
    body: str = "",
    colour: str = "yellow",
    tags: Sequence[str] = (),
    quote: str | None = None,
    editorial: bool = False,
) -> Annotation:
    """What a teacher highlights or writes while reading in assignment mode,
    stored with the visibility they chose.

    Only what they share with the class becomes one of the assignment's
    highlights and prompts. Students answer a prompt by replying, and replies
    share their prompt's visibility: a public prompt would publish the
    students' answers, and a private or teachers-only one would be a prompt
    no student can see. Those stay the teacher's own notes, like any reader's.
    """
    _check_teacher(teacher, assignment.course)
    if visibility == Visibility.COURSE and not editorial:
        return assignment_item_create(
            teacher=teacher,
            assignment=assignment,
            target=target,
            motivation=motivation,
            body=body,
            colour=colour,
            tags=tags,
            quote=quote,
        ).annotation
    return annotation_create(
        author=teacher,
        edition=assignment.course.edition,
        target=target,
        motivation=motivation,
        body=body,
        colour=colour,
        tags=tags,
        quote=quote,
        visibility=visibility,
        # Kept only for the class levels (teachers only); ignored otherwise.
        course=assignment.course,
        editorial=editorial,
    )


@transaction.atomic
def assignment_copy(
    *, assignment: Assignment, teacher: AbstractBaseUser, course: Course
) -> Assignment:
    """Copy an assignment, with its highlights and prompts, into another class
    (as a draft). Deleted prompts, and those whose words a revision lost, are
    left behind: they have nothing to point at."""
    _check_teacher(teacher, assignment.course)
    copy = assignment_save(
        teacher=teacher,
        course=course,
        title=assignment.title,
        instructions=assignment.instructions,
        start_passage=assignment.start_passage,
        end_passage=assignment.end_passage,
        due=assignment.due,
        focus_motifs=list(assignment.focus_motifs.all()),
        published=False,
        answer_first=assignment.answer_first,
    )
    # The rubric and the participation rules go with it (not the release,
    # nor any feedback: those belong to the other class's students).
    _criteria_write(criteria_of(assignment), assignment=copy)
    participation_rules_set(
        teacher=teacher,
        assignment=copy,
        min_notes=assignment.min_notes,
        min_replies=assignment.min_replies,
        all_prompts=assignment.all_prompts,
        on_time=assignment.on_time,
        rule_points=assignment.rule_points,
    )
    items = (
        assignment.items.filter(annotation__deleted__isnull=True)
        .exclude(annotation__anchor_state=AnchorState.ORPHANED)
        .select_related("annotation__start_passage", "annotation__end_passage")
    )
    for item in items:
        source = item.annotation
        assignment_item_create(
            teacher=teacher,
            assignment=copy,
            target=TargetInput(
                source.start_passage.key,
                source.start_offset,
                source.end_passage.key,
                source.end_offset,
            ),
            motivation=source.motivation,
            body=source.body,
            colour=source.colour,
        )
    return copy


def completion_mark(
    *, assignment: Assignment, student: AbstractBaseUser, done: bool = True
) -> None:
    if not attends(student, assignment.course):
        raise PermissionDenied(_("You are not in this class."))
    if done:
        Completion.objects.get_or_create(assignment=assignment, student=student)
    else:
        Completion.objects.filter(assignment=assignment, student=student).delete()


# Feedback and grades ------------------------------------------------------

MAX_CRITERIA = 12
MAX_LEVELS = 8
MAX_LEVEL_POINTS = 100
MAX_OVERRIDE_SCORE = 10_000
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class CriterionInput:
    """A rubric criterion as a teacher typed it: a name and its levels, each
    a label and its points."""

    name: str
    levels: tuple[tuple[str, int], ...]


def _send(signal: object, **kwargs: object) -> None:
    transaction.on_commit(lambda: signal.send(**kwargs))


def _feedback_checks(
    teacher: AbstractBaseUser, annotation: Annotation, assignment: Assignment
) -> None:
    """Only a teacher of the assignment's class, on a note of one of its
    students in the assignment's range that the teacher may see."""
    _check_teacher(teacher, assignment.course)
    if (
        annotation.author_id == teacher.pk
        or annotation.is_deleted
        or not attends(annotation.author, assignment.course)
    ):
        raise PermissionDenied(_("Feedback is for the notes of this class's students."))
    in_range = (
        Annotation.objects.visible_to(teacher)
        .filter(pk=annotation.pk)
        .on_passages(assignment.passages().values("pk"))
        .exists()
    )
    if not in_range:
        raise PermissionDenied(
            _("Feedback is for notes in this assignment's reading that you can see.")
        )


def _scores_checked(
    assignment: Assignment, scores: Mapping[int, int | None]
) -> list[tuple[RubricCriterion, RubricLevel]]:
    criteria = {c.pk: c for c in assignment.criteria.prefetch_related("levels")}
    chosen = []
    for criterion_id, level_id in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ValidationError(
                {"scores": _("That criterion is not in this assignment's rubric.")}
            )
        if level_id is None:
            continue
        level = next((lv for lv in criterion.levels.all() if lv.pk == level_id), None)
        if level is None:
            raise ValidationError(
                {"scores": _("That level is not one of the criterion's levels.")}
            )
        chosen.append((criterion, level))
    return chosen


def _already_given() -> str:
    return _("This note already has feedback here; change that one.")


def _feedback_write(
    feedback: Feedback,
    *,
    teacher: AbstractBaseUser,
    body: str,
    scores: Mapping[int, int | None],
    created: bool,
) -> Feedback:
    if len(body) > MAX_MARKDOWN_LENGTH:
        raise ValidationError(
            {
                "body": _("The feedback is too long (at most %d characters).")
                % MAX_MARKDOWN_LENGTH
            }
        )
    chosen = _scores_checked(feedback.assignment, scores)
    kept = set()
    if feedback.pk:
        kept = set(feedback.scores.values_list("criterion_id", flat=True))
    kept = (kept - {pk for pk, level in scores.items() if level is None}) | {
        criterion.pk for criterion, _level in chosen
    }
    if not body.strip() and not kept:
        raise ValidationError({"body": _("Write some feedback or give a score.")})
    feedback.teacher = teacher
    feedback.body = body.strip()
    feedback.body_html = render_markdown(feedback.body)
    feedback.full_clean(exclude=["annotation", "student", "assignment"])
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        # Another teacher's feedback on the same note was saved between the
        # check and this insert (one per note and assignment).
        raise ValidationError({"body": _already_given()}) from None
    # Criteria sent without a level lose their score; others keep theirs.
    cleared = [pk for pk, level in scores.items() if level is None]
    feedback.scores.filter(criterion_id__in=cleared).delete()
    for criterion, level in chosen:
        Score.objects.update_or_create(
            feedback=feedback, criterion=criterion, defaults={"level": level}
        )
    _send(feedback_written, sender=Feedback, feedback=feedback, created=created)
    return feedback


@transaction.atomic
def feedback_create(
    *,
    teacher: AbstractBaseUser,
    annotation: Annotation,
    assignment: Assignment,
    body: str = "",
    scores: Mapping[int, int | None] | None = None,
) -> Feedback:
    """A teacher's private feedback on a student's note or prompt answer,
    with optional scores: {criterion id: level id}. Seen by the student
    once the assignment's feedback is released, and by the class's
    teachers."""
    _feedback_checks(teacher, annotation, assignment)
    if Feedback.objects.filter(annotation=annotation, assignment=assignment).exists():
        raise ValidationError({"body": _already_given()})
    scores = scores or {}
    feedback = Feedback(
        annotation=annotation, student=annotation.author, assignment=assignment
    )
    return _feedback_write(
        feedback, teacher=teacher, body=body, scores=scores, created=True
    )


@transaction.atomic
def feedback_update(
    *,
    teacher: AbstractBaseUser,
    feedback: Feedback,
    body: str,
    scores: Mapping[int, int | None] | None = None,
) -> Feedback:
    """Change feedback (any teacher of the class may: they share the class)."""
    if feedback.annotation is None:
        raise ValidationError(
            {"body": _("The student deleted this note; its feedback is kept as it is.")}
        )
    _feedback_checks(teacher, feedback.annotation, feedback.assignment)
    return _feedback_write(
        feedback, teacher=teacher, body=body, scores=scores or {}, created=False
    )


def _criteria_checked(criteria: Sequence[CriterionInput]) -> None:
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError({"rubric": _("At most %d criteria.") % MAX_CRITERIA})
    for criterion in criteria:
        name = criterion.name.strip()
        if not name or len(name) > 80:
            raise ValidationError(
                {"rubric": _("Each criterion needs a name of at most 80 characters.")}
            )
        if not 1 <= len(criterion.levels) <= MAX_LEVELS:
            raise ValidationError(
                {
                    "rubric": _("“%(name)s” needs between 1 and %(n)d levels.")
                    % {"name": name, "n": MAX_LEVELS}
                }
            )
        for label, points in criterion.levels:
            if not label.strip() or len(label.strip()) > 80:
                raise ValidationError(
                    {"rubric": _("Each level needs a label of at most 80 characters.")}
                )
            if not 0 <= points <= MAX_LEVEL_POINTS:
                raise ValidationError(
                    {"rubric": _("Points go from 0 to %d.") % MAX_LEVEL_POINTS}
                )


def _criteria_write(
    criteria: Sequence[CriterionInput],
    *,
    assignment: Assignment | None = None,
    course: Course | None = None,
) -> None:
    for order, criterion in enumerate(criteria):
        made = RubricCriterion.objects.create(
            assignment=assignment,
            course=course,
            name=criterion.name.strip(),
            order=order,
        )
        RubricLevel.objects.bulk_create(
            RubricLevel(criterion=made, label=label.strip(), points=points, order=i)
            for i, (label, points) in enumerate(criterion.levels)
        )


def criteria_of(source: Assignment | Course) -> list[CriterionInput]:
    """A rubric (an assignment's, or a class's default) as inputs."""
    found = (
        source.criteria if isinstance(source, Assignment) else source.default_criteria
    ).prefetch_related("levels")
    return [
        CriterionInput(c.name, tuple((lv.label, lv.points) for lv in c.levels.all()))
        for c in found
    ]


@transaction.atomic
def rubric_set(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    criteria: Sequence[CriterionInput],
) -> None:
    """Replace the assignment's rubric. Refused once a note has been scored
    on it: the scores would lose their meaning (or be deleted)."""
    _check_teacher(teacher, assignment.course)
    _criteria_checked(criteria)
    if Score.objects.filter(feedback__assignment=assignment).exists():
        raise ValidationError(
            {
                "rubric": _(
                    "Notes have been scored on this rubric; it can no longer change."
                )
            }
        )
    assignment.criteria.all().delete()
    _criteria_write(criteria, assignment=assignment)


@transaction.atomic
def rubric_copy(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    source: Assignment | Course,
) -> None:
    """Give the assignment the rubric of another assignment the teacher
    teaches, or of its class's default."""
    _check_teacher(teacher, source if isinstance(source, Course) else source.course)
    criteria = criteria_of(source)
    if not criteria:
        # Copying nothing would only erase the rubric the assignment has.
        raise ValidationError({"rubric": _("There is no rubric there to copy.")})
    rubric_set(teacher=teacher, assignment=assignment, criteria=criteria)


@transaction.atomic
def rubric_make_class_default(
    *, teacher: AbstractBaseUser, assignment: Assignment
) -> None:
    """The assignment's rubric becomes its class's default (nothing is
    scored on a default: it is only copied)."""
    course = assignment.course
    _check_teacher(teacher, course)
    course.default_criteria.all().delete()
    _criteria_write(criteria_of(assignment), course=course)


@transaction.atomic
def participation_rules_set(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    min_notes: int = 0,
    min_replies: int = 0,
    all_prompts: bool = False,
    on_time: bool = False,
    rule_points: int = 0,
) -> Assignment:
    _check_teacher(teacher, assignment.course)
    for name, value in (
        ("min_notes", min_notes),
        ("min_replies", min_replies),
        ("rule_points", rule_points),
    ):
        if not 0 <= value <= MAX_LEVEL_POINTS:
            raise ValidationError(
                {name: _("Give a number from 0 to %d.") % MAX_LEVEL_POINTS}
            )
    assignment.min_notes = min_notes
    assignment.min_replies = min_replies
    assignment.all_prompts = all_prompts
    assignment.on_time = on_time
    assignment.rule_points = rule_points
    assignment.full_clean()
    assignment.save(
        update_fields=[
            "min_notes",
            "min_replies",
            "all_prompts",
            "on_time",
            "rule_points",
        ]
    )
    return assignment


@transaction.atomic
def grades_release(
    *, teacher: AbstractBaseUser, assignment: Assignment, when: datetime | None
) -> Assignment:
    """Students see their feedback and grades from `when` on (now if
    None). Sends `feedback_released`."""
    _check_teacher(teacher, assignment.course)
    assignment.grades_release = when or timezone.now()
    assignment.save(update_fields=["grades_release"])
    feedback_released_hook(assignment)
    grades_released_notify(assignment=assignment, teacher=teacher)
    return assignment


@transaction.atomic
def grades_withhold(*, teacher: AbstractBaseUser, assignment: Assignment) -> Assignment:
    """Take a release back (before its date, or after: students no longer
    see them until released again)."""
    _check_teacher(teacher, assignment.course)
    assignment.grades_release = None
    assignment.save(update_fields=["grades_release"])
    return assignment


def feedback_released_hook(assignment: Assignment) -> None:
    """The event point for notifications: tells `feedback_released`
    receivers (once committed) which students have something to see."""
    students = set(
        Feedback.objects.filter(assignment=assignment).values_list(
            "student_id", flat=True
        )
    ) | set(assignment.overrides.values_list("student_id", flat=True))
    _send(
        feedback_released,
        sender=Assignment,
        assignment=assignment,
        release_at=assignment.grades_release,
        students=sorted(students),
    )


@transaction.atomic
def grade_override(
    *,
    teacher: AbstractBaseUser,
    assignment: Assignment,
    student: AbstractBaseUser,
    score: int,
    reason: str,
) -> GradeOverride:
    """Set a student's score by hand, recorded with the score it replaces
    (never silent: a reason is required)."""
    from .grading import grades

    _check_teacher(teacher, assignment.course)
    if not attends(student, assignment.course):
        raise PermissionDenied(_("Not a student of this class."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the score changes.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("At most %d characters.") % MAX_REASON_LENGTH}
        )
    if not 0 <= score <= MAX_OVERRIDE_SCORE:
        raise ValidationError(
            {"score": _("Give a score from 0 to %d.") % MAX_OVERRIDE_SCORE}
        )
    current = grades(assignment, student_ids=[student.pk])[student.pk]
    override = GradeOverride(
        assignment=assignment,
        student=student,
        teacher=teacher,
        old_score=current.final,
        new_score=score,
        reason=reason,
    )
    override.full_clean()
    override.save()
    _send(grade_overridden, sender=GradeOverride, override=override)
    return override
