"""Reads for classes, assignments and the dashboard: fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from annotations.models import Annotation, Motivation
from annotations.selectors import with_thread
from classes.models import Course, Enrollment
from reader.models import Edition, Passage, PassageRead

from .models import Assignment, Completion


def visible_assignment(user: AbstractBaseUser, pk: object) -> Assignment | None:
    """An assignment its teachers may always see, and its students once
    published; nobody sees one on an edition they may not read."""
    if not user.is_authenticated:
        return None
    return (
        Assignment.objects.select_related(
            "course__edition", "start_passage__part", "end_passage__part"
        )
        .filter(pk=pk)
        .filter(
            Q(course__in=Course.objects.taught_by(user).values("pk"))
            | Q(
                course__in=Course.objects.attended_by(user).values("pk"),
                published=True,
            )
        )
        .filter(course__edition__in=Edition.objects.readable_by(user).values("pk"))
        .distinct()
        .first()
    )


def prompts(assignment: Assignment, user: AbstractBaseUser) -> list[Annotation]:
    """The assignment's prompts in reading order, with the answers this
    reader may see (answer-first is part of the visibility rule)."""
    return list(
        with_thread(
            Annotation.objects.visible_to(user).filter(
                assignment_item__assignment=assignment,
                motivation=Motivation.QUESTIONING,
            ),
            user,
        ).order_by("start_passage__part__order", "start_passage__order", "start_offset")
    )


@dataclass
class AssignmentStatus:
    assignment: Assignment
    read: int = 0
    total: int = 0
    done: datetime | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0

    @property
    def state(self) -> str:
        if self.done:
            return "done"
        return "overdue" if self.assignment.due < timezone.now() else "due"


def student_home(user: AbstractBaseUser) -> list[tuple[Course, list[AssignmentStatus]]]:
    courses = list(Course.objects.attended_by(user).select_related("edition"))
    assignments = list(
        Assignment.objects.filter(
            course__in=courses,
            published=True,
            course__edition__in=Edition.objects.readable_by(user).values("pk"),
        ).select_related("start_passage__part", "end_passage__part")
    )
    done = dict(
        Completion.objects.filter(student=user, assignment__in=assignments).values_list(
            "assignment_id", "done"
        )
    )
    reads = set(
        PassageRead.objects.filter(user=user).values_list("passage_id", flat=True)
    )
    ranges = _range_ids(assignments)
    by_course: dict[int, list[AssignmentStatus]] = defaultdict(list)
    for assignment in assignments:
        ids = ranges[assignment.pk]
        by_course[assignment.course_id].append(
            AssignmentStatus(
                assignment,
                read=len(ids & reads),
                total=len(ids),
                done=done.get(assignment.pk),
            )
        )
    return [(course, by_course.get(course.pk, [])) for course in courses]


def _range_ids(assignments: list[Assignment]) -> dict[int, set[int]]:
    """Passage ids of each assignment's range, from one query per edition."""
    result: dict[int, set[int]] = {}
    editions = {a.start_passage.edition_id for a in assignments}
    ordered = defaultdict(list)
    for pk, edition_id, part_order, order in Passage.objects.filter(
        edition_id__in=editions
    ).values_list("pk", "edition_id", "part__order", "order"):
        ordered[edition_id].append((part_order, order, pk))
    for assignment in assignments:
        start = (assignment.start_passage.part.order, assignment.start_passage.order)
        end = (assignment.end_passage.part.order, assignment.end_passage.order)
        result[assignment.pk] = {
            pk
            for part_order, order, pk in ordered[assignment.start_passage.edition_id]
            if start <= (part_order, order) <= end
        }
    return result


@dataclass
class StudentRow:
    student: AbstractBaseUser
    read: int = 0
    total: int = 0
    annotations: int = 0
    answers: int = 0
    replies_to_classmates: int = 0
    last_activity: datetime | None = None
    done: datetime | None = None
    status: str = "not done"

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


@dataclass
class Dashboard:
    rows: list[StudentRow]
    passages: list[Passage]
    heat: list[tuple[Passage, int, int]] = field(default_factory=list)
    maximum: int = 1


SORTS = {
    "name": lambda r: r.student.get_username().casefold(),
    "read": lambda r: r.read,
    "annotations": lambda r: r.annotations,
    "answers": lambda r: r.answers,
    "replies": lambda r: r.replies_to_classmates,
    "activity": lambda r: r.last_activity or datetime.min.replace(tzinfo=UTC),
    "status": lambda r: r.status,
}


def dashboard(
    assignment: Assignment, teacher: AbstractBaseUser, sort: str = "name"
) -> Dashboard:
    """Per student: reading, annotations, answers, replies, activity, status.

    Six queries, however many students and annotations; the database counts
    (one pass over the class's annotations for every column), and the class
    and the range go into each query as subqueries, not as lists of ids.
    Counts only what the teacher may see (the one visibility rule): private
    notes stay private.
    """
    passages = list(assignment.passages().select_related("part__edition"))
    enrolled = Enrollment.objects.filter(course=assignment.course_id)
    student_ids = enrolled.values("student_id")
    # A student is shown by name only (and linked by id).
    students = (
        get_user_model()
        .objects.filter(pk__in=student_ids)
        .only(get_user_model().USERNAME_FIELD)
    )
    # The roster's order before sorting, as the enrolments list it: sorts
    # are stable, so ties keep it.
    rows = {
        s.pk: StudentRow(s, total=len(passages)) for s in students.order_by("username")
    }
    in_range = Passage.objects.in_range(
        assignment.start_passage, assignment.end_passage
    ).values("pk")

    for user_id, n, last in (
        PassageRead.objects.filter(user_id__in=student_ids, passage__in=in_range)
        .values_list("user_id")
        .annotate(n=Count("pk"), last=Max("last_seen"))
    ):
        rows[user_id].read = n
        rows[user_id].last_activity = last

    # What each column counts, among the students' annotations the teacher
    # may see: notes and highlights starting in the range; answers to the
    # assignment's prompts; replies to a classmate's note in the range.
    note = Q(reply_to__isnull=True, start_passage__in=in_range)
    answer = Q(
        reply_to__in=Annotation.objects.filter(
            assignment_item__assignment=assignment,
            motivation=Motivation.QUESTIONING,
        ).values("pk")
    )
    classmate_reply = Q(
        reply_to__author_id__in=student_ids,
        reply_to__start_passage__in=in_range,
    ) & ~Q(reply_to__author_id=F("author_id"))
    # Built once (the rule takes a while to build) and narrowed twice.
    work = Annotation.objects.visible_to(teacher).filter(author_id__in=student_ids)
    for user_id, notes, last_note, answers, last_answer, replies in (
        work.filter(note | answer | classmate_reply)
        .values_list("author_id")
        .annotate(
            notes=Count("pk", filter=note),
            last_note=Max("created", filter=note),
            answers=Count("pk", filter=answer),
            last_answer=Max("created", filter=answer),
            replies=Count("pk", filter=classmate_reply),
        )
    ):
        row = rows[user_id]
        row.annotations, row.answers, row.replies_to_classmates = (
            notes,
            answers,
            replies,
        )
        # Replies to classmates are conversation, not activity on the reading.
        _later(row, last_note)
        _later(row, last_answer)

    for user_id, done in Completion.objects.filter(
        assignment=assignment, student_id__in=student_ids
    ).values_list("student_id", "done"):
        row = rows[user_id]
        row.done = done
        row.status = "on time" if done <= assignment.due else "late"

    heat_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for passage_id, motivation, n in (
        work.filter(note)
        .values_list("start_passage_id", "motivation")
        .annotate(n=Count("pk"))
    ):
        slot = 1 if motivation == Motivation.QUESTIONING else 0
        heat_counts[passage_id][slot] += n
    heat = [(p, *heat_counts.get(p.pk, [0, 0])) for p in passages]
    maximum = max([a + q for _p, a, q in heat] + [1])

    ordered = sorted(rows.values(), key=SORTS.get(sort, SORTS["name"]))
    if sort in ("read", "annotations", "answers", "replies", "activity"):
        ordered.reverse()
    return Dashboard(ordered, passages, heat, maximum)


def _later(row: StudentRow, when: datetime | None) -> None:
    if when and (row.last_activity is None or when > row.last_activity):
        row.last_activity = when


def student_work(
    assignment: Assignment, teacher: AbstractBaseUser, student_id: int
) -> list[Annotation]:
    """One student's annotations and answers in the range, in reading order."""
    in_range = Passage.objects.in_range(
        assignment.start_passage, assignment.end_passage
    )
    visible = Annotation.objects.visible_to(teacher).filter(author_id=student_id)
    work = list(
        visible.on_passages(in_range.values("pk")).select_related(
            "start_passage__part__edition", "reply_to__start_passage__part__edition"
        )
    )
    for annotation in work:
        annotation.place = annotation.start_passage or annotation.reply_to.start_passage
    # Reading order: where each note (or the note it answers) sits, then time.
    work.sort(key=lambda a: (a.place.part.order, a.place.order, a.created))
    return work
