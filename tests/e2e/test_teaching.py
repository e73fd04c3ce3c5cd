"""A teacher assigns a highlighted reading; a student does it; the dashboard knows."""

from __future__ import annotations

import re

import pytest

from classes.models import Course
from tests.e2e.browsing import first_words, log_in, select
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_assign_read_answer_and_follow_on_the_dashboard(
    browser, live_server, live_edition, tmp_path
):
    base = live_server.url
    make_user("mrs-k", groups=("Teachers",))
    make_user("student1")
    teacher = browser.new_context(viewport={"width": 1300, "height": 900})
    student = browser.new_context(viewport={"width": 1300, "height": 900})
    t, s = teacher.new_page(), student.new_page()
    for page in (t, s):
        page.set_default_timeout(10_000)

    # The teacher creates a class and an assignment.
    log_in(t, base, "mrs-k")
    t.goto(f"{base}/classes/")
    t.get_by_role("link", name="Create a class").click()
    t.get_by_label("Name").fill("Y12 Literature")
    t.get_by_label("Term starts").fill("2026-09-01")
    t.get_by_label("Term ends").fill("2027-07-01")
    t.get_by_role("button", name="Create").click()
    code = t.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    t.get_by_role("link", name="New assignment").click()
    t.get_by_label("Title").fill("The Noh masks")
    t.get_by_label("From passage (key)").fill("white-007")
    t.get_by_label("To passage (key)").fill("white-009")
    t.get_by_label("Due").fill("2030-01-01T12:00")
    t.get_by_label("Published (students can see it)").check()
    t.get_by_role("button", name="Save").click()
    t.get_by_role("link", name="Start reading").click()
    t.wait_for_url(re.compile(r"assignment=\d+#white-007$"))

    # Two highlights and a prompt.
    for key in ("white-007", "white-008"):
        select(t, key, first_words(t, key))
        t.get_by_role("button", name="Highlight h").click()
        t.locator(f"#{key} mark.hl-teacher").first.wait_for()
    select(t, "white-009", first_words(t, "white-009"))
    t.get_by_role("button", name="Question q").click()
    t.locator("#annotate-body").fill("What moves: the mask, or the light?")
    t.get_by_role("button", name="Save").click()
    t.locator("#white-009 mark.hl-teacher").first.wait_for()
    course = Course.objects.get()
    assert course.assignments.get().items.count() == 3

    # A student joins by code, reads the range, answers, marks it done.
    log_in(s, base, "student1")
    s.goto(f"{base}/classes/join/")
    s.get_by_label("Class code").fill(code.lower())
    s.get_by_role("button", name="Join").click()
    s.get_by_role("link", name="The Noh masks").click()
    s.get_by_role("link", name="Start reading").click()
    s.wait_for_url(re.compile(r"assignment=\d+#white-007$"))
    for key in ("white-007", "white-008", "white-009"):
        s.locator(f"#{key}").scroll_into_view_if_needed()
        s.wait_for_timeout(1300)
    s.evaluate("window.dispatchEvent(new Event('pagehide'))")
    bar = s.locator(".assignment-bar")
    assert "What moves: the mask, or the light?" in bar.inner_text()
    bar.get_by_label("Your answer").fill("The light, and whoever is looking.")
    bar.get_by_role("button", name="Post answer").click()
    s.goto(f"{base}/classes/assignments/{course.assignments.get().pk}/")
    s.get_by_role("button", name="Mark as done").click()
    assert "Marked as done" in s.locator("main").inner_text()

    # A second student sees the first one's answer only after answering.
    make_user("student2")
    second = browser.new_context(viewport={"width": 1300, "height": 900})
    s2 = second.new_page()
    s2.set_default_timeout(10_000)
    log_in(s2, base, "student2")
    s2.goto(f"{base}/classes/join/?code={code}")
    s2.get_by_role("button", name="Join").click()
    assignment_url = f"{base}/classes/assignments/{course.assignments.get().pk}/"
    s2.goto(assignment_url)
    prompts = s2.locator("#prompts-heading + .prompt-list")
    assert "The light, and whoever is looking." not in prompts.inner_text()
    assert "answers appear once you have answered" in prompts.inner_text()
    prompts.get_by_label("Your answer").fill("The mask never moves.")
    prompts.get_by_role("button", name="Post answer").click()
    s2.goto(assignment_url)
    answers = s2.locator("#prompts-heading + .prompt-list").inner_text()
    assert "The light, and whoever is looking." in answers
    assert "The mask never moves." in answers
    second.close()

    # The dashboard shows the student's progress and answer; the CSV downloads.
    t.goto(f"{base}/classes/assignments/{course.assignments.get().pk}/dashboard/")
    row = t.locator("tr", has_text="student1")
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith(("33%", "67%", "100%"))
    assert cells[2] == "1"  # prompt answers
    assert cells[5] == "on time"
    row.get_by_role("link", name="student1").click()
    assert "The light, and whoever is looking." in t.locator("main").inner_text()
    t.go_back()
    with t.expect_download() as info:
        t.get_by_role("link", name="Roster as CSV").click()
    path = tmp_path / "roster.csv"
    info.value.save_as(path)
    assert "student1" in path.read_text(encoding="utf-8")
    teacher.close()
    student.close()
