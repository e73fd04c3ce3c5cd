"""Every write for classes and assignments goes through here."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TEACHERS_GROUP
from annotations.models import Annotation, Motivation, Visibility
from annotations.services import TargetInput, annotation_create
from reader.anchoring import AnchorState
from reader.models import Audience, Edition, Passage

from .models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Assignment,
    AssignmentItem,
    Completion,
    Course,
    Enrollment,
    JoinAttempt,
)

# Wrong join codes allowed per account per hour before joining pauses.
MAX_FAILED_JOINS_PER_HOUR = 10


def is_teacher(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and user.groups.filter(name=TEACHERS_GROUP).exists()


def teaches(user: AbstractBaseUser, course: Course) -> bool:
    return user.is_authenticated and course.teachers.filter(pk=user.pk).exists()


def edition_problem_for_class(
    edition: Edition, course: Course | None = None
) -> str | None:
    """Why a class cannot read this edition, or None if all its members may.

    A class reads an edition open to everyone or to signed-in readers, or
    one a curator opened to this very class; a new class is never among an
    edition's chosen classes, so it cannot start on one.
    """
    if edition.audience in (Audience.EVERYONE, Audience.SIGNED_IN):
        return None
    if edition.audience == Audience.CLASSES:
        if course is not None and course.pk is not None:
            if course.licensed_editions.filter(pk=edition.pk).exists():
                return None
        return _(
            "This edition is open only to the classes a curator chose, and "
            "this class is not one of them: its students could not read it. "
            "Choose another edition, or ask a curator to open this one to "
            "the class, then switch the class to it."
        )
    return _("This edition is not published yet; its students could not read it.")


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _check_teacher(user: AbstractBaseUser, course: Course) -> None:
    if not teaches(user, course):
        raise PermissionDenied(_("Only this class's teachers can do that."))


@transaction.atomic
def course_create(
    *,
    teacher: AbstractBaseUser,
    name: str,
    edition: Edition,
    term_start: date,
    term_end: date,
) -> Course:
    if not is_teacher(teacher):
        raise PermissionDenied(_("Only teachers can create classes."))
    if term_end < term_start:
        raise ValidationError({"term_end": _("The term ends before it starts.")})
    problem = edition_problem_for_class(edition)
    if problem:
        raise ValidationError({"edition": problem})
    for _attempt in range(10):
        course = Course(
            name=name.strip(),
            edition=edition,
            term_start=term_start,
            term_end=term_end,
            join_code=new_join_code(),
        )
        course.full_clean()
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError:
            continue  # the code was taken: draw another
        course.teachers.add(teacher)
        return course
    raise RuntimeError("could not find a free join code")


@transaction.atomic
def join_code_regenerate(*, course: Course, teacher: AbstractBaseUser) -> Course:
    _check_teacher(teacher, course)
    while True:
        code = new_join_code()
        if not Course.objects.filter(join_code=code).exists():
            break
    course.join_code = code
    course.join_enabled = True
    course.save(update_fields=["join_code", "join_enabled"])
    return course


def join_code_switch(
    *, course: Course, teacher: AbstractBaseUser, enabled: bool
) -> Course:
    _check_teacher(teacher, course)
    course.join_enabled = enabled
    course.save(update_fields=["join_enabled"])
    return course


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


def coteacher_add(*, course: Course, teacher: AbstractBaseUser, username: str) -> None:
    _check_teacher(teacher, course)
    other = get_user_model().objects.filter(username=username.strip()).first()
    if other is None or not is_teacher(other):
        raise ValidationError({"username": _("No teacher with this user name.")})
    course.teachers.add(other)


def course_join(*, student: AbstractBaseUser, code: str) -> Course:
    """Join a class by its code; wrong guesses are limited per hour.

    Not one transaction on purpose: a refused attempt must stay recorded."""
    code = "".join(code.split()).upper()
    since = timezone.now() - timedelta(hours=1)
    failed = JoinAttempt.objects.filter(
        user=student, succeeded=False, created__gte=since
    ).count()
    if failed >= MAX_FAILED_JOINS_PER_HOUR:
        raise ValidationError(
            {
                "code": _(
                    "Too many wrong codes in the last hour. Check the code with "
                    "your teacher and try again later."
                )
            }
        )
    course = Course.objects.filter(join_code=code).first()
    problem = None
    if course is None:
        problem = _("There is no class with this code. Check it with your teacher.")
    elif not course.join_enabled:
        problem = _("Joining this class is switched off. Ask your teacher.")
    elif course.term_over:
        problem = _("This class's term has ended.")
    if problem:
        JoinAttempt.objects.create(user=student, code=code[:40], succeeded=False)
        raise ValidationError({"code": problem})
    Enrollment.objects.get_or_create(course=course, student=student)
    JoinAttempt.objects.create(user=student, code=code, succeeded=True)
    return course


def enrollment_remove(
    *, course: Course, student: AbstractBaseUser, by: AbstractBaseUser
) -> None:
    """A teacher removes a student, or a student leaves. Nothing they wrote
    is deleted: their class notes stay theirs."""
    if by.pk != student.pk:
        _check_teacher(by, course)
    Enrollment.objects.filter(course=course, student=student).delete()


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
    assignment.instructions = instructions
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
    if not Enrollment.objects.filter(
        course=assignment.course, student=student
    ).exists():
        raise PermissionDenied(_("You are not in this class."))
    if done:
        Completion.objects.get_or_create(assignment=assignment, student=student)
    else:
        Completion.objects.filter(assignment=assignment, student=student).delete()
