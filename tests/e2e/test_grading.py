"""A teacher scores a student's note on a rubric from its card, releases the
grades, and the student sees the feedback and the score on the card."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Profile
from annotations.models import Visibility
from classes.models import Enrollment
from classes.services import course_create
from reader.models import Passage
from teaching.models import Feedback
from teaching.services import assignment_save
from tests.e2e.browsing import log_in
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e


def test_a_teacher_scores_a_note_releases_and_the_student_sees_it_on_the_card(
    browser, live_server, live_edition, settings, mailoutbox
):
    # Mail is sent once the release commits (in a worker when deployed).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    base = live_server.url
    teacher_user = make_user("mrs-k", groups=("Teachers",))
    student_user = make_user("student1", email="student1@example.org")
    # The student followed the link mailed to that address (accounts).
    Profile.objects.create(
        user=student_user,
        verified_email=student_user.email,
        email_verified_at=timezone.now(),
    )
    make_user("student2")
    today = timezone.localdate()
    course = course_create(
        teacher=teacher_user,
        name="Y12 Literature",
        edition=live_edition,
        term_start=today - timedelta(days=10),
        term_end=today + timedelta(days=100),
    )
    Enrollment.objects.create(course=course, student=student_user)
    passages = {p.key: p for p in Passage.objects.filter(edition=live_edition)}
    assignment = assignment_save(
        teacher=teacher_user,
        course=course,
        title="The Noh masks",
        instructions="",
        start_passage=passages["white-007"],
        end_passage=passages["white-009"],
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    note = make_annotation(
        student_user,
        passages["white-008"],
        0,
        5,
        motivation="commenting",
        body="The mask is a second face.",
        visibility=Visibility.COURSE,
        course=course,
    )
    teacher = browser.new_context(viewport={"width": 1300, "height": 900})
    student = browser.new_context(viewport={"width": 1300, "height": 900})
    t, s = teacher.new_page(), student.new_page()
    for page in (t, s):
        page.set_default_timeout(10_000)

    # The teacher writes the rubric.
    log_in(t, base, "mrs-k")
    t.goto(f"{base}/classes/assignments/{assignment.pk}/grading/")
    t.get_by_role("textbox", name="Rubric").fill(
        "Textual evidence: none=0, some=1, strong=2\nMotif: missed=0, named=2"
    )
    t.get_by_role("button", name="Save the rubric").click()
    rubric = t.get_by_role("table", name="The criteria and their levels")
    assert "strong (2)" in rubric.inner_text()

    # Scores the note from its card in the reader.
    t.goto(
        f"{base}{assignment.start_passage.part.get_absolute_url()}"
        f"?assignment={assignment.pk}#white-008"
    )
    card = t.locator(f"#card-{note.pk}")
    card.get_by_text("Give feedback").click()
    card.get_by_label("Feedback (only the student").fill("Good: *quote* the text.")
    card.get_by_label("Textual evidence").select_option(label="strong (2)")
    card.get_by_label("Motif", exact=True).select_option(label="named (2)")
    card.get_by_role("button", name="Save feedback").click()
    t.wait_for_url(re.compile(rf"#card-{note.pk}$"))
    assert (
        "not released to the student yet" in t.locator(f"#card-{note.pk}").inner_text()
    )
    assert Feedback.objects.get().scores.count() == 2

    # The student sees nothing yet.
    log_in(s, base, "student1")
    part_url = f"{base}{assignment.start_passage.part.get_absolute_url()}#white-008"
    s.goto(part_url)
    assert "Good:" not in s.locator(f"#card-{note.pk}").inner_text()

    # The teacher releases, now.
    t.goto(f"{base}/classes/assignments/{assignment.pk}/grading/")
    t.get_by_label("now", exact=True).check()
    t.get_by_role("button", name="Save the release").click()
    assert "Released: students see" in t.locator("main").inner_text()

    # The student sees the feedback and the scores on the card (the page
    # loaded again: going to the same address with its #hash would not).
    s.reload()
    card = s.locator(f"#card-{note.pk}")
    text = card.locator(".card-feedback").inner_text()
    assert "Good: quote the text." in text
    assert "Textual evidence: strong (2)" in text
    assert "Motif: named (2)" in text
    assert card.locator(".card-feedback em", has_text="quote").count() == 1
    # And the score on the assignment page.
    s.goto(f"{base}/classes/assignments/{assignment.pk}/")
    assert "4 of 4" in s.locator(".grade-final").inner_text()

    # The student's inbox has the release, once, and so has their mail.
    # (It also told them of the assignment when it was published.)
    s.get_by_role("link", name="Inbox, 2 unread notifications").click()
    item = s.locator("main li", has_text=f"Your feedback on “{assignment.title}”")
    assert item.count() == 1
    released = [
        m
        for m in mailoutbox
        if m.to == ["student1@example.org"] and "Your feedback" in m.subject
    ]
    assert len(released) == 1, [m.subject for m in mailoutbox]
    assert assignment.title in released[0].subject
    assert "List-Unsubscribe" in released[0].extra_headers
