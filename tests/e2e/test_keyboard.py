"""Keyboard only: no mouse calls. Every text box lets focus leave with Tab,
the annotate toolbar is one Tab stop next to the selection, and focus after
every change is on the thing just made (or the next sensible place)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from classes.services import course_create
from tests.e2e.browsing import log_in, wait_until
from tests.factories import make_user

pytestmark = pytest.mark.e2e

ACTIVE = "document.activeElement"


def active(page, expression: str = "id"):
    return page.evaluate(f"{ACTIVE}.{expression}")


@pytest.fixture
def course(live_edition):
    teacher = make_user("mrs-k", groups=("Teachers",))
    today = date.today()
    return course_create(
        teacher=teacher,
        name="Y12 Literature",
        edition=live_edition,
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=90),
    )


def typing_instructions(page, live_server, course, text: str):
    """The teacher's new-assignment form, `text` typed into Instructions."""
    log_in(page, live_server.url, "mrs-k")
    page.goto(f"{live_server.url}/classes/{course.pk}/assignments/new/")
    page.wait_for_load_state("load")
    instructions = page.get_by_label("Instructions")
    instructions.focus()
    page.keyboard.type(text)
    return instructions


def test_tab_leaves_the_assignment_instructions(page, live_server, course):
    """The Instructions box is a markdownx editor: Tab moves focus on rather
    than typing a tab character (it was a keyboard trap)."""
    instructions = typing_instructions(page, live_server, course, "Read slowly.")
    page.keyboard.press("Tab")
    assert instructions.input_value() == "Read slowly."
    assert active(page, "tagName") != "TEXTAREA"
    # Shift+Tab comes back, and Tab leaves again.
    page.keyboard.press("Shift+Tab")
    assert active(page, "tagName") == "TEXTAREA"
    page.keyboard.press("Tab")
    assert active(page, "tagName") != "TEXTAREA"
    assert "\t" not in instructions.input_value()


def test_escape_leaves_the_assignment_instructions_for_the_next_field(
    page, live_server, course
):
    text = "Read the *whole* passage."
    instructions = typing_instructions(page, live_server, course, text)
    page.keyboard.press("Escape")
    assert instructions.input_value() == "Read the *whole* passage."
    assert active(page, "tagName") != "TEXTAREA"
    # Where Tab would have gone.
    escaped_to = active(page, "name")
    instructions.focus()
    page.keyboard.press("Tab")
    assert active(page, "name") == escaped_to


# --- The annotate toolbar ------------------------------------------------------

PART = "/read/study/black-notebook/"
STATUS = "document.querySelector('[data-annotate-status]').textContent"
TOOLBAR = "document.querySelector('[data-annotate-toolbar]')"


@pytest.fixture
def reader_page(page, live_server, live_edition):
    make_user("kobo")
    log_in(page, live_server.url, "kobo")
    page.goto(f"{live_server.url}{PART}")
    page.wait_for_load_state("load")
    return page


def select_a_sentence_by_keys(page, passages: int = 3) -> str:
    """j to the `passages`-th passage, s to select its first sentence: the
    site's own keyboard selection. Returns the passage's id."""
    for _ in range(passages):
        page.keyboard.press("j")
    key = active(page)
    assert key.startswith("black-")
    page.keyboard.press("s")
    return key


def toolbar_button_focused(page) -> str | None:
    return page.evaluate(
        f"{TOOLBAR}.contains({ACTIVE}) ? "
        f"({ACTIVE}.getAttribute('aria-label') || {ACTIVE}.textContent.trim()) : null"
    )


def test_selecting_by_keys_opens_the_toolbar_next_to_the_words_with_focus(
    reader_page,
):
    page = reader_page
    key = select_a_sentence_by_keys(page)
    assert page.evaluate(f"!{TOOLBAR}.hidden")
    assert page.evaluate("getSelection().toString().length") > 0
    assert toolbar_button_focused(page) == "▍ Highlight h"
    # In the page right after the selected passage's row: the next Tab stop
    # after the words, not after every passage of the part.
    assert page.evaluate(
        f"{TOOLBAR}.previousElementSibling.contains(document.getElementById('{key}'))"
    )


def test_arrows_home_and_end_move_inside_the_toolbar_which_is_one_tab_stop(
    reader_page,
):
    page = reader_page
    select_a_sentence_by_keys(page)
    page.keyboard.press("ArrowRight")
    assert toolbar_button_focused(page) == "Highlight in Yellow"
    page.keyboard.press("End")
    assert toolbar_button_focused(page) == "Motif…"
    page.keyboard.press("ArrowRight")  # round to the first
    assert toolbar_button_focused(page) == "▍ Highlight h"
    page.keyboard.press("ArrowLeft")  # and back to the last
    assert toolbar_button_focused(page) == "Motif…"
    page.keyboard.press("Home")
    assert toolbar_button_focused(page) == "▍ Highlight h"
    page.keyboard.press("ArrowDown")
    # One Tab stop: only the button last moved to is in the Tab order.
    assert page.evaluate(
        f"Array.from({TOOLBAR}.querySelectorAll('button'))"
        ".filter((b) => b.tabIndex === 0).map((b) => b.getAttribute('aria-label'))"
    ) == ["Highlight in Yellow"]
    page.keyboard.press("Tab")
    assert toolbar_button_focused(page) is None
    page.keyboard.press("Shift+Tab")
    assert toolbar_button_focused(page) == "Highlight in Yellow"


def test_escape_closes_the_toolbar_and_returns_focus_to_the_passage(reader_page):
    page = reader_page
    key = select_a_sentence_by_keys(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    assert page.evaluate(f"{TOOLBAR}.hidden")
    assert active(page) == key


def test_a_highlight_chosen_in_the_toolbar_by_keys_focuses_its_card(reader_page):
    from annotations.models import Annotation

    page = reader_page
    select_a_sentence_by_keys(page)
    page.keyboard.press("Enter")
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    note = Annotation.objects.get(author__username="kobo")
    assert active(page) == f"card-{note.pk}"


@pytest.mark.parametrize("width", [320, 390])
def test_the_toolbar_stays_inside_a_narrow_window(
    browser, live_server, live_edition, width
):
    make_user("kobo")
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server.url, "kobo")
        page.goto(f"{live_server.url}{PART}")
        page.wait_for_load_state("load")
        select_a_sentence_by_keys(page)
        box = page.locator("[data-annotate-toolbar]").bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
        for name in ("▍ Highlight h", "Note n", "Question q"):
            button = page.locator("[data-annotate-toolbar] button", has_text=name[-6:])
            inner = button.first.bounding_box()
            assert 0 <= inner["x"] and inner["x"] + inner["width"] <= width
    finally:
        context.close()


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    import re

    def rgb(colour: str) -> tuple[float, float, float]:
        numbers = [float(n) for n in re.findall(r"[\d.]+", colour)[:3]]
        return numbers[0], numbers[1], numbers[2]

    la, lb = sorted((_luminance(rgb(a)), _luminance(rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("theme", ["light", "sepia", "dark"])
def test_focus_rings_show_at_three_to_one_on_what_they_sit_on(reader_page, theme):
    page = reader_page
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    select_a_sentence_by_keys(page)
    assert toolbar_button_focused(page) == "▍ Highlight h"
    ring, ground = page.evaluate(
        f"""[getComputedStyle({ACTIVE}).outlineColor,
             getComputedStyle({TOOLBAR}).backgroundColor]"""
    )
    assert contrast(ring, ground) >= 3, (theme, ring, ground)
    assert page.evaluate(f"getComputedStyle({ACTIVE}).outlineStyle") == "solid"
    # The card a highlight focuses: its ring sits on the page.
    page.keyboard.press("Enter")
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    ring, width, ground = page.evaluate(
        f"""[getComputedStyle({ACTIVE}).outlineColor,
             getComputedStyle({ACTIVE}).outlineWidth,
             getComputedStyle(document.body).backgroundColor]"""
    )
    assert active(page).startswith("card-")
    assert contrast(ring, ground) >= 3, (theme, ring, ground)
    assert float(width.removesuffix("px")) >= 2


# --- Journeys, keys only ------------------------------------------------------


def tab_to(page, predicate: str, *, backwards: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until `predicate`, JavaScript about `el`
    (the focused element), holds."""
    key = "Shift+Tab" if backwards else "Tab"
    check = f"(() => {{ const el = {ACTIVE}; return Boolean({predicate}); }})()"
    for _ in range(limit):
        if page.evaluate(check):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} never reached: {predicate}")


def test_a_reader_reads_annotates_replies_edits_deletes_and_exports_by_keys(
    reader_page, live_server
):
    from annotations.models import Annotation

    page = reader_page
    mine = Annotation.objects.filter(author__username="kobo")

    # Read: j moves from passage to passage, each focused.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert active(page) == "black-002"

    # Highlight: s selects a sentence and puts focus in the toolbar; h saves.
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.press("h")
    wait_until(page, f"{STATUS} === 'Highlighted.'")
    highlight = mine.get()
    assert active(page) == f"card-{highlight.pk}"

    # A note with Markdown, saved with Ctrl+Enter from its text box.
    page.keyboard.press("j")
    assert active(page) == "black-004"
    page.keyboard.press("s")
    page.keyboard.press("n")
    page.get_by_role("dialog").wait_for()
    assert active(page) == "annotate-body"
    page.keyboard.type("A note with **firm** words.")
    page.keyboard.press("Control+Enter")
    wait_until(page, f"{STATUS} === 'Saved.'")
    note = mine.get(motivation="commenting")
    assert active(page) == f"card-{note.pk}"
    assert page.evaluate(f"{ACTIVE}.querySelector('strong').textContent") == "firm"

    # A question.
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.press("q")
    page.get_by_role("dialog").wait_for()
    page.keyboard.type("Why here?")
    page.keyboard.press("Control+Enter")
    wait_until(page, f"{STATUS} === 'Saved.'")
    question = mine.get(motivation="questioning")
    assert active(page) == f"card-{question.pk}"

    # A reply to it: Tab to the card's Reply, open it, write, post.
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.trim() === 'Reply'")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page, "tagName") == "TEXTAREA"
    page.keyboard.type("Because the light changes.")
    tab_to(page, "el.textContent.trim() === 'Post reply'")
    page.keyboard.press("Enter")
    wait_until(page, f"{STATUS} === 'Your reply is posted.'")
    reply = Annotation.objects.get(reply_to=question)
    assert active(page) == f"card-{reply.pk}"

    # Delete the reply: focus goes to the question it answered.
    tab_to(
        page, f"el.closest('#card-{reply.pk}') && el.textContent.trim() === 'Delete'"
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    wait_until(page, f"{STATUS} === 'Deleted.'")
    assert not Annotation.objects.filter(pk=reply.pk).exists()
    assert active(page) == f"card-{question.pk}"

    # Edit the note: back to its card's Edit link, change it, save.
    tab_to(
        page,
        f"el.closest('#card-{note.pk}') && el.textContent.trim() === 'Edit'",
        backwards=True,
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/annotations/{note.pk}/edit/")
    tab_to(page, "el.tagName === 'TEXTAREA'")
    page.keyboard.press("End")
    page.keyboard.type(" Edited.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**{PART}#card-{note.pk}")
    page.wait_for_load_state("load")
    note.refresh_from_db()
    assert note.body.endswith("Edited.")
    # Back on the reading page, on the card just edited.
    assert active(page) == f"card-{note.pk}"

    # Delete it: its Delete link, then the confirmation.
    tab_to(page, f"el.closest('#card-{note.pk}') && el.textContent.trim() === 'Delete'")
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    wait_until(page, f"{STATUS} === 'Deleted.'")
    assert not mine.filter(pk=note.pk).exists()
    # The card is gone: its passage has the focus.
    assert active(page) == "black-004"

    # My notebook, from the header.
    tab_to(page, "el.textContent.trim() === 'My notebook'", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/notebook/**")
    # Export as Markdown.
    tab_to(page, "el.textContent.trim() === 'Markdown'")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    exported = download.value.path().read_text()
    assert "Why here?" in exported


def test_a_teacher_assigns_and_prompts_and_a_student_joins_and_answers_by_keys(
    browser, live_server, course
):
    from annotations.models import Annotation

    base = live_server.url
    teacher = browser.new_context(viewport={"width": 1300, "height": 900})
    t = teacher.new_page()
    t.set_default_timeout(10_000)
    try:
        # The teacher creates an assignment from the class page.
        log_in(t, base, "mrs-k")
        t.goto(f"{base}/classes/{course.pk}/")
        tab_to(t, "el.textContent.trim() === 'New assignment'")
        t.keyboard.press("Enter")
        t.wait_for_url(f"**/classes/{course.pk}/assignments/new/")
        tab_to(t, "el.id === 'id_title'")
        t.keyboard.type("The masks")
        t.keyboard.press("Tab")
        assert active(t, "tagName") == "TEXTAREA"
        t.keyboard.type("Read slowly.")
        t.keyboard.press("Tab")  # out of Instructions: no trap
        tab_to(t, "el.id === 'id_start_passage'")
        t.keyboard.type("white-007")
        tab_to(t, "el.id === 'id_end_passage'")
        t.keyboard.type("white-009")
        tab_to(t, "el.id === 'id_due'")
        # Chromium's datetime-local field: month and day move on as they
        # fill; the year (up to six digits) with the right arrow.
        t.keyboard.type("01012030")
        t.keyboard.press("ArrowRight")
        t.keyboard.type("1200PM")
        tab_to(t, "el.id === 'id_published'")
        t.keyboard.press("Space")
        tab_to(t, "el.type === 'submit'")
        t.keyboard.press("Enter")
        t.wait_for_url("**/classes/assignments/*/")
        assignment = course.assignments.get()
        assert assignment.title == "The masks"
        assert assignment.instructions == "Read slowly."
        assert (assignment.due.year, assignment.published) == (2030, True)

        # In the reader, a highlight and a prompt, by keys.
        tab_to(t, "el.textContent.trim() === 'Start reading'")
        t.keyboard.press("Enter")
        t.wait_for_url("**#white-007")
        t.wait_for_load_state("load")
        assert active(t) == "white-007"
        t.keyboard.press("s")
        t.keyboard.press("h")
        wait_until(t, f"{STATUS} === 'Highlighted.'")
        highlight = Annotation.objects.get(author__username="mrs-k")
        assert active(t) == f"card-{highlight.pk}"
        t.keyboard.press("j")
        assert active(t) == "white-008"
        t.keyboard.press("s")
        t.keyboard.press("q")
        t.get_by_role("dialog").wait_for()
        t.keyboard.type("What moves: the mask, or the light?")
        t.keyboard.press("Control+Enter")
        wait_until(t, f"{STATUS} === 'Saved.'")
        prompt = Annotation.objects.get(
            author__username="mrs-k", motivation="questioning"
        )
        assert active(t) == f"card-{prompt.pk}"
        assert assignment.items.count() == 2

        make_user("student1")
        student = browser.new_context(viewport={"width": 1300, "height": 900})
        s = student.new_page()
        s.set_default_timeout(10_000)
        try:
            # The student joins with the code, typed.
            log_in(s, base, "student1")
            s.goto(f"{base}/classes/join/")
            tab_to(s, "el.name === 'code'")
            s.keyboard.type(course.join_code.lower())
            s.keyboard.press("Enter")
            s.wait_for_url(f"**/classes/{course.pk}/")
            tab_to(s, "el.textContent.trim() === 'The masks'")
            s.keyboard.press("Enter")
            s.wait_for_url(f"**/classes/assignments/{assignment.pk}/")
            # Answers the prompt from the assignment page.
            tab_to(s, "el.tagName === 'TEXTAREA'")
            s.keyboard.type("The light.")
            tab_to(s, "el.textContent.trim() === 'Post answer'")
            with s.expect_navigation():
                s.keyboard.press("Enter")
            s.wait_for_load_state("load")
            answer = Annotation.objects.get(author__username="student1")
            assert answer.reply_to == prompt
            # Focus is on what was just made, or the prompt it answers.
            assert active(s) in (f"card-{answer.pk}", f"card-{prompt.pk}")
        finally:
            student.close()

        # The dashboard, from the assignment bar's link to the assignment.
        tab_to(t, "el.textContent.trim() === 'The masks'", backwards=True)
        t.keyboard.press("Enter")
        t.wait_for_url(f"**/classes/assignments/{assignment.pk}/")
        tab_to(t, "el.textContent.trim() === 'Dashboard'")
        t.keyboard.press("Enter")
        t.wait_for_url(f"**/classes/assignments/{assignment.pk}/dashboard/")
        # Reading it by keys: the student's row, with their answer counted.
        tab_to(t, "el.textContent.trim() === 'student1'")
        row = t.evaluate(f"{ACTIVE}.closest('tr').innerText")
        assert row.split("\t")[3] == "1"  # prompt answers
    finally:
        teacher.close()


def test_a_curator_revises_a_passage_by_keys(browser, live_server, live_edition):
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from reader.models import Passage

    base = live_server.url
    keeper = make_user("keeper", groups=("Curators",), is_staff=True)
    keeper.groups.get().permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reader", codename__endswith="_passage"
        )
        | Permission.objects.filter(Q(content_type__app_label="annotations"))
    )
    passage = Passage.objects.get(key="black-002")
    revised = "A revised text. It has two sentences."
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    c = context.new_page()
    c.set_default_timeout(10_000)
    try:
        c.goto(f"{base}/admin/login/")
        tab_to(c, "el.id === 'id_username'")
        c.keyboard.type("keeper")
        c.keyboard.press("Tab")
        c.keyboard.type("correct horse battery")
        c.keyboard.press("Enter")
        c.wait_for_url(f"{base}/admin/")
        c.goto(f"{base}/admin/reader/passage/{passage.pk}/change/")
        tab_to(c, "el.textContent.trim().startsWith('Revise the text')")
        c.keyboard.press("Enter")
        c.wait_for_url("**/revise/**")
        tab_to(c, "el.tagName === 'TEXTAREA'")
        c.keyboard.press("Control+A")
        c.keyboard.type(revised)
        tab_to(c, "el.textContent.trim() === 'Preview the effect'")
        with c.expect_navigation():
            c.keyboard.press("Enter")
        passage.refresh_from_db()
        assert passage.text != revised  # a preview writes nothing
        # Focus is on the preview just asked for, not the top of the page.
        assert active(c) == "revise-preview"
        tab_to(c, "el.textContent.trim() === 'Apply this revision'")
        c.keyboard.press("Enter")
        c.wait_for_url(f"{base}/admin/reader/passage/{passage.pk}/change/")
        passage.refresh_from_db()
        assert passage.text == revised
    finally:
        context.close()
