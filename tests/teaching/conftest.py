"""The teaching cast: a class with a teacher, a co-teacher and a student;
another class with its own teacher and student; a curator; anonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.services import TargetInput
from classes.models import Enrollment
from classes.services import course_create
from reader.models import Passage
from teaching.services import assignment_item_create, assignment_save
from tests.factories import make_user


@pytest.fixture
def coteacher(db):
    return make_user("coteacher", groups=("Teachers",))


@pytest.fixture
def other_teacher(db):
    return make_user("otherteacher", groups=("Teachers",))


@pytest.fixture
def student(reader_user):
    return reader_user  # alice


@pytest.fixture
def classmate(db):
    return make_user("carol")


@pytest.fixture
def outsider(db):
    """A student in another class."""
    return make_user("dave")


def _course(teacher, edition, name):
    today = timezone.localdate()
    return course_create(
        teacher=teacher,
        name=name,
        edition=edition,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )


@pytest.fixture
def course(teacher, coteacher, student, classmate, edition):
    course = _course(teacher, edition, "Year 12 Literature")
    course.teachers.add(coteacher)
    Enrollment.objects.create(course=course, student=student)
    Enrollment.objects.create(course=course, student=classmate)
    return course


@pytest.fixture
def other_course(other_teacher, outsider, edition):
    course = _course(other_teacher, edition, "Another class")
    Enrollment.objects.create(course=course, student=outsider)
    return course


@pytest.fixture
def assignment(course, teacher, edition):
    passages = {p.key: p for p in Passage.objects.filter(edition=edition)}
    assignment = assignment_save(
        teacher=teacher,
        course=course,
        title="The mask",
        instructions="Read *closely*.",
        start_passage=passages["black-001"],
        end_passage=passages["black-003"],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    assignment.highlight = assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput("black-001", 0, "black-001", 7),
        motivation="highlighting",
    ).annotation
    assignment.prompt = assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput("black-002", 0, "black-002", 9),
        motivation="questioning",
        body="What does he see?",
    ).annotation
    return assignment
