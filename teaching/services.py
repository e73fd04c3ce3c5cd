"""Every write for assignments goes through here (classes: classes/services.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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

from .models import Assignment, AssignmentItem, Completion
from .notices import assignment_published_notify


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
