"""A teacher's private note, written while reading an assignment, stays private."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.models import Annotation
from classes.models import Enrollment
from classes.services import course_create
from reader.models import Passage
from teaching.models import AssignmentItem
from teaching.services import assignment_save
from tests.e2e.browsing import log_in, select
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_a_teachers_private_note_in_an_assignment_is_not_shown_to_students(
    browser, live_server, live_edition
):
    base = live_server.url
    teacher = make_user("mrs-k", groups=("Teachers",))
    student = make_user("student1")
    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="Y12",
        edition=live_edition,
        term_start=today - timedelta(days=1),
        term_end=today + timedelta(days=90),
    )
    Enrollment.objects.create(course=course, student=student)
    passages = {p.key: p for p in Passage.objects.filter(edition=live_edition)}
    assignment = assignment_save(
        teacher=teacher,
        course=course,
        title="The masks",
        instructions="",
        start_passage=passages["white-007"],
        end_passage=passages["white-009"],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    url = f"{base}/read/study/white-notebook/?assignment={assignment.pk}"
    words = " ".join(passages["white-008"].text.split()[:4])

    t_context = browser.new_context(viewport={"width": 1300, "height": 900})
    t = t_context.new_page()
    t.set_default_timeout(10_000)
    log_in(t, base, "mrs-k")
    t.goto(url)
    select(t, "white-008", words)
    t.get_by_role("button", name="Note n").click()
    dialog = t.get_by_role("dialog")
    dialog.get_by_label("Who can see it").select_option("private")
    t.locator("#annotate-body").fill("Remember to ask about the light.")
    dialog.get_by_role("button", name="Save").click()
    t.locator("#white-008 ~ .passage-notes .card").first.wait_for()
    note = Annotation.objects.get(author=teacher)
    assert (note.visibility, note.course) == ("private", None)
    assert not AssignmentItem.objects.filter(annotation=note).exists()
    t_context.close()

    s_context = browser.new_context(viewport={"width": 1300, "height": 900})
    s = s_context.new_page()
    s.set_default_timeout(10_000)
    log_in(s, base, "student1")
    s.goto(url)
    s.locator("#white-008").wait_for()
    assert "Remember to ask about the light." not in s.content()
    assert s.locator(f"#card-{note.pk}").count() == 0
    s_context.close()
