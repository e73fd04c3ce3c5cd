"""A teacher's CSV files for an assignment: the roster and the class's notes.

Cells go through the notebook export's formula-safe writer
(`annotations.exports.csv_lines`): one formula-safe cell in the codebase.
Both are streamed: a class's notes can run to tens of thousands of rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from annotations.exports import CHUNK_SIZE, csv_lines, pieces, safe_cell
from annotations.models import Annotation
from classes.models import Course

from .grading import grades
from .models import Assignment, Feedback
from .selectors import Dashboard

ROSTER_COLUMNS = [
    "student",
    "passages read",
    "of",
    "percent",
    "annotations",
    "prompt answers",
    "replies to classmates",
    "last activity",
    "status",
    "done",
]

ANNOTATION_COLUMNS = [
    "id",
    "author",
    "passage",
    "quote",
    "motivation",
    "note",
    "reply_to",
    "visibility",
    "created",
]


def roster_csv(data: Dashboard) -> Iterator[bytes]:
    """The dashboard's rows, one student a line."""
    return pieces(
        csv_lines(
            ROSTER_COLUMNS,
            (
                (
                    row.student.get_username(),
                    row.read,
                    row.total,
                    row.percent,
                    row.annotations,
                    row.answers,
                    row.replies_to_classmates,
                    row.last_activity.isoformat() if row.last_activity else "",
                    row.status,
                    row.done.isoformat() if row.done else "",
                )
                for row in data.rows
            ),
        )
    )


def annotations_csv(
    assignment: Assignment, *, teacher: AbstractBaseUser
) -> Iterator[bytes]:
    """All the class's annotations in the range that the teacher may see,
    read a chunk at a time as the file is sent."""
    return pieces(csv_lines(ANNOTATION_COLUMNS, _annotation_rows(assignment, teacher)))


def _annotation_rows(
    assignment: Assignment, teacher: AbstractBaseUser
) -> Iterator[tuple[object, ...]]:
    rows = (
        Annotation.objects.visible_to(teacher)
        .filter(course=assignment.course)
        .on_passages(assignment.passages().values("pk"))
        .select_related(
            "author", "start_passage", "end_passage", "reply_to__start_passage"
        )
        .order_by("created")
    )
    for a in rows.iterator(chunk_size=CHUNK_SIZE):
        passage = a.start_passage or (a.reply_to.start_passage if a.reply_to else None)
        yield (
            a.pk,
            a.author.get_username(),
            passage.key if passage else "",
            a.exact,
            a.motivation,
            a.body,
            a.reply_to_id or "",
            a.visibility,
            a.created.isoformat(),
        )


def grades_csv(assignment: Assignment, *, teacher: AbstractBaseUser) -> Iterator[bytes]:
    """One student a line: the best level's points per criterion, the
    participation points, the score reached, and any override."""
    found = grades(assignment, teacher=teacher)
    students = dict(
        assignment.course.enrollments.values_list("student_id", "student__username")
    )
    criteria = list(assignment.criteria.values_list("name", flat=True))
    # Column names a teacher typed are cells like any other: formula-safe.
    columns = [
        "student",
        *(safe_cell(name) for name in criteria),
        "rubric points",
        "rubric maximum",
        "participation points",
        "participation maximum",
        "computed",
        "score",
        "maximum",
        "overridden by",
        "override reason",
    ]
    rows = []
    for student_id, username in sorted(students.items(), key=lambda s: s[1]):
        grade = found.get(student_id)
        if grade is None:
            continue
        override = grade.override
        rows.append(
            (
                username,
                *(c.points for c in grade.criteria),
                grade.rubric_points,
                grade.rubric_maximum,
                grade.participation_points,
                grade.participation_maximum,
                grade.computed,
                grade.final,
                grade.maximum,
                override.teacher.get_username()
                if override and override.teacher
                else "",
                override.reason if override else "",
            )
        )
    return pieces(csv_lines(columns, rows))


def gradebook_csv(course: Course, *, teacher: AbstractBaseUser) -> Iterator[bytes]:
    """The class's students × its assignments, each cell the score.

    A fixed number of queries per assignment (teaching.grading.grades),
    however many students.
    """
    assignments = list(course.assignments.all())
    students = sorted(
        course.enrollments.values_list("student_id", "student__username"),
        key=lambda s: s[1],
    )
    by_assignment = [grades(a, teacher=teacher) for a in assignments]
    columns = ["student"]
    for assignment, found in zip(assignments, by_assignment, strict=True):
        maximum = next(iter(found.values())).maximum if found else 0
        columns.append(safe_cell(f"{assignment.title} (of {maximum})"))
    rows = [
        (
            username,
            *(
                found[student_id].final if student_id in found else ""
                for found in by_assignment
            ),
        )
        for student_id, username in students
    ]
    return pieces(csv_lines(columns, rows))


def _feedback_entry(feedback: Feedback, *, student: bool) -> dict[str, object]:
    note = feedback.annotation
    entry: dict[str, object] = {
        "assignment": feedback.assignment.title,
        "class": feedback.assignment.course.name,
        "note": str(note.pk) if note else None,
        "quote": note.exact if note else None,
        "feedback": feedback.body,
        "scores": [
            {
                "criterion": score.criterion.name,
                "level": score.level.label,
                "points": score.level.points,
            }
            for score in feedback.scores.all()
        ],
        "written": feedback.modified.isoformat(),
    }
    if not student:
        entry["student"] = feedback.student.get_username()
    return entry


def account_section(user: AbstractBaseUser) -> tuple[str, dict[str, object]]:
    """A reader's feedback and grades for their account's export (see
    THREE_NOTEBOOKS_ACCOUNT_EXPORT_SECTIONS): what they have been given, as
    they may see it (released only), and the feedback they wrote as a
    teacher."""
    related = ("assignment__course", "annotation", "student")
    scores = ("scores__criterion", "scores__level")
    received = (
        Feedback.objects.visible_to(user)
        .filter(student=user)
        .select_related(*related)
        .prefetch_related(*scores)
        .order_by("created")
    )
    written = (
        Feedback.objects.filter(teacher=user)
        .select_related(*related)
        .prefetch_related(*scores)
        .order_by("created")
    )
    released = (
        Assignment.objects.filter(
            course__in=Course.objects.attended_by(user),
            published=True,
            grades_release__lte=timezone.now(),
        )
        .select_related("course")
        .order_by("due", "pk")
    )
    marks = []
    for assignment in released:
        grade = grades(assignment, student_ids=[user.pk]).get(user.pk)
        if grade is not None:
            marks.append(
                {
                    "assignment": assignment.title,
                    "class": assignment.course.name,
                    "grade": grade.final,
                    "of": grade.maximum,
                }
            )
    return "teaching", {
        "feedback_received": [_feedback_entry(f, student=True) for f in received],
        "grades": marks,
        "feedback_written": [_feedback_entry(f, student=False) for f in written],
    }
