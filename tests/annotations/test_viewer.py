"""A Viewer (a reader's classes and editions read once) answers the one
visibility rule exactly as the reader does."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation, Viewer
from annotations.services import reply_create
from tests.factories import make_annotation, make_edition, make_user

ROLES = ("stranger", "student", "teacher", "curator")


def visible(user, **options) -> set:
    return set(
        Annotation.objects.visible_to(user, **options).values_list("pk", flat=True)
    )


def _a_class_with_every_kind_of_note(licensed, passage):
    """Notes of every visibility on a class edition and an open one, hidden
    and draft ones, and replies under an "answer first" prompt."""
    student, teacher = licensed.student, licensed.teacher
    classmate = make_user("classmate")
    licensed.course.enrollments.create(student=classmate)
    course = licensed.course
    notes = [
        make_annotation(student, licensed.passage, visibility="private"),
        make_annotation(student, licensed.passage, visibility="public"),
        make_annotation(
            classmate, licensed.passage, visibility="course", course=course
        ),
        make_annotation(
            classmate, licensed.passage, visibility="teacher", course=course
        ),
        make_annotation(teacher, licensed.passage, visibility="course", course=course),
        make_annotation(classmate, passage, visibility="public"),
        make_annotation(licensed.stranger, passage, visibility="public"),
    ]
    hidden = make_annotation(classmate, passage, visibility="public")
    Annotation.objects.filter(pk=hidden.pk).update(moderation="hidden")
    draft = make_annotation(
        teacher, licensed.passage, visibility="course", course=course
    )
    Annotation.objects.filter(pk=draft.pk).update(draft=True)
    prompt = make_annotation(
        teacher,
        licensed.passage,
        motivation="questioning",
        visibility="course",
        course=course,
    )
    Annotation.objects.filter(pk=prompt.pk).update(answer_first=True)
    reply_create(author=classmate, parent=prompt, body="My answer")
    reply_create(author=student, parent=notes[1], body="A reply")
    return notes


def test_a_viewer_sees_exactly_what_the_reader_sees(licensed, passage, settings):
    _a_class_with_every_kind_of_note(licensed, passage)
    readers = [getattr(licensed, role) for role in ROLES]
    for user in readers:
        viewer = Viewer.of(user)
        assert isinstance(viewer, Viewer)
        assert visible(viewer) == visible(user)
        assert visible(viewer, roots=True) == set(
            Annotation.objects.visible_to(user).roots().values_list("pk", flat=True)
        )
    # The cast sees different things, so the comparison above compares.
    assert len({frozenset(visible(user)) for user in readers}) == len(readers)
    for allowed in (False, True):
        settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = allowed
        anonymous = Viewer.of(AnonymousUser())
        assert visible(anonymous) == visible(AnonymousUser())


def test_a_viewer_reads_the_readers_classes_and_editions_in_two_queries(
    licensed, django_assert_num_queries
):
    with django_assert_num_queries(2):
        viewer = Viewer.of(licensed.teacher)
    assert viewer.taught_courses == (licensed.course.pk,)
    assert viewer.member_courses == (licensed.course.pk,)
    assert licensed.edition.pk in viewer.readable_editions
    student = Viewer.of(licensed.student)
    assert student.taught_courses == ()
    assert student.member_courses == (licensed.course.pk,)


def test_a_viewer_of_one_readable_edition_sees_the_rule_on_that_edition(
    licensed, passage
):
    """What the part page asks: the reader's notes anywhere, and others' on
    the edition it found they may read."""
    from django.db.models import Q

    _a_class_with_every_kind_of_note(licensed, passage)
    for user in (licensed.student, licensed.teacher, licensed.curator):
        viewer = Viewer.of(user, readable=[licensed.edition.pk])
        expected = set(
            Annotation.objects.visible_to(user)
            .filter(Q(author=user) | Q(edition=licensed.edition))
            .values_list("pk", flat=True)
        )
        assert visible(viewer) == expected
        assert visible(viewer) != visible(user) or user == licensed.curator


def test_a_viewer_knows_each_class_once_and_which_of_them_it_teaches(
    licensed, django_assert_num_queries
):
    """Read from the link tables in one query: a class the reader both
    teaches and attends is one class, taught."""
    from datetime import timedelta

    from django.utils import timezone

    from classes.models import Course, Enrollment
    from classes.selectors import member_courses_teaching
    from classes.services import course_create

    teacher, today = licensed.teacher, timezone.localdate()
    open_edition = make_edition("open-to-all")

    def new_class(name):
        return course_create(
            teacher=teacher,
            name=name,
            edition=open_edition,
            term_start=today - timedelta(days=1),
            term_end=today + timedelta(days=1),
        )

    both = new_class("Taught and attended")
    Enrollment.objects.create(course=both, student=teacher)
    attended = new_class("Attended only")
    attended.teachers.set([licensed.student])
    Enrollment.objects.create(course=attended, student=teacher)
    new_class("Someone else's").teachers.set([licensed.student])
    with django_assert_num_queries(1):
        roles = member_courses_teaching(teacher)
    assert roles == {licensed.course.pk: True, both.pk: True, attended.pk: False}
    assert set(roles) == set(
        Course.objects.member(teacher).values_list("pk", flat=True)
    )
    viewer = Viewer.of(teacher, readable=[licensed.edition.pk])
    assert viewer.member_courses == tuple(sorted(roles))
    assert viewer.taught_courses == tuple(sorted([licensed.course.pk, both.pk]))
    assert member_courses_teaching(AnonymousUser()) == {}


def test_replies_read_in_threads_already_visible_are_those_the_rule_shows(
    licensed, passage, settings
):
    """The shortcut for a page of cards (`in_visible_threads`) leaves out
    only the check that the root is visible: for roots the reader sees, it
    shows exactly the replies the whole rule shows, answer-first included."""
    _a_class_with_every_kind_of_note(licensed, passage)
    replies_seen = set()
    for role in ROLES:
        user = getattr(licensed, role)
        for reader in (user, Viewer.of(user)):
            roots = Annotation.objects.visible_to(reader, roots=True).values("pk")
            shortcut = visible(reader, in_visible_threads=True) & set(
                Annotation.objects.filter(reply_to__in=roots).values_list(
                    "pk", flat=True
                )
            )
            rule = set(
                Annotation.objects.visible_to(reader)
                .filter(reply_to__in=roots)
                .values_list("pk", flat=True)
            )
            assert shortcut == rule
            replies_seen.add(frozenset(rule))
    # Readers see different replies (the answer-first prompt holds the
    # classmate's answer back from the student), so the comparison compares.
    assert len(replies_seen) > 1
