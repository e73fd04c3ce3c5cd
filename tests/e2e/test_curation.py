"""A curator revises a passage; its reader sees what followed and re-attaches
what could not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q

from annotations.models import Annotation, Flag, ModerationLog
from reader.models import Passage
from tests.e2e.browsing import log_in, select, wait_until
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.e2e

TEXT = (
    "The antimony mould lay on the bench. He turned the lamp toward it. "
    "The mask had no expression yet. Outside, the rain kept falling."
)
REVISED = (
    "The antimony mold lay on the bench. He turned the lamp toward it. "
    "Outside, the rain kept falling."
)  # 'mould' spelt 'mold'; the mask sentence is gone


def make_curator():
    keeper = make_user("keeper", groups=("Curators",), is_staff=True)
    # Browser tests flush the database, the curators' permissions with it.
    keeper.groups.get().permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="reader", codename__endswith="_passage")
            | Q(content_type__app_label="annotations")
        )
    )
    return keeper


def admin_page(context, base):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "keeper")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def test_revise_preview_apply_then_the_reader_reattaches(
    browser, live_server, live_edition
):
    base = live_server.url
    make_curator()
    reader = make_user("student1")
    passage = Passage.objects.get(key="black-002")
    passage.text = TEXT
    passage.save()

    def note_on(words):
        start = TEXT.index(words)
        return make_annotation(
            reader, passage, start, start + len(words), motivation="commenting"
        )

    moves = note_on("antimony mould lay on the bench")
    orphan = note_on("The mask had no expression yet")

    curator = browser.new_context(viewport={"width": 1300, "height": 900})
    c = admin_page(curator, base)
    c.goto(f"{base}/admin/reader/passage/{passage.pk}/change/")
    c.get_by_role("link", name="Revise the text").click()
    c.get_by_label("New text").fill(REVISED)
    c.get_by_role("button", name="Preview the effect").click()
    assert c.locator("del.diff-removed").first.inner_text().strip()
    assert "mold" in c.locator("ins.diff-added").all_inner_texts()[0]
    effects = c.locator(".effect-table tbody tr").first.locator("td").all_inner_texts()
    assert effects == ["0", "1", "1"]  # stay exact, move, orphaned
    passage.refresh_from_db()
    assert passage.text == TEXT  # a preview writes nothing
    c.get_by_role("button", name="Apply this revision").click()
    c.wait_for_url(f"{base}/admin/reader/passage/{passage.pk}/change/")
    passage.refresh_from_db()
    assert passage.text == REVISED
    assert Annotation.objects.get(pk=orphan.pk).anchor_state == "orphaned"

    student = browser.new_context(viewport={"width": 1300, "height": 900})
    s = student.new_page()
    s.set_default_timeout(10_000)
    log_in(s, base, "student1")
    s.goto(f"{base}/notebook/")
    orphans = s.locator("section", has_text="no longer there")
    assert "The mask had no expression yet" in orphans.inner_text()
    orphans.get_by_role("link", name="Re-attach").click()
    s.wait_for_selector("text=Re-attaching your note")
    select(s, "black-002", "the rain kept falling")
    s.get_by_role("button", name="Attach my note here").click()
    wait_until(s, "() => !document.body.innerText.includes('Re-attaching your note')")

    orphan.refresh_from_db()
    assert orphan.anchor_state != "orphaned"
    assert orphan.exact == "the rain kept falling"
    moves.refresh_from_db()
    assert moves.anchor_state == "moved"
    assert (
        REVISED[moves.start_offset : moves.end_offset]
        == "antimony mold lay on the bench"
    )
    s.goto(f"{base}/notebook/")
    assert s.locator("text=no longer there").count() == 0
    s.goto(f"{base}{passage.part.get_absolute_url()}#card-{moves.pk}")
    card = s.locator(f"#card-{moves.pk}")
    notice = card.locator(".card-anchor-moved").inner_text()
    assert "highlight followed" in notice
    assert "antimony mould lay" in notice and "antimony mold lay" in notice
    curator.close()
    student.close()


def test_a_flagged_note_is_hidden_and_restored(browser, live_server, live_edition):
    base = live_server.url
    make_curator()
    writer, _flagger = make_user("writer"), make_user("flagger")
    passage = Passage.objects.get(key="black-002")
    start = passage.text.index(" ") + 1
    note = make_annotation(
        writer,
        passage,
        start,
        start + 12,
        motivation="commenting",
        body="Off-topic advertising.",
        visibility="public",
    )
    part_url = f"{base}{passage.part.get_absolute_url()}"
    contexts = [browser.new_context(viewport={"width": 1300, "height": 900})]

    def reader_page(username):
        contexts.append(browser.new_context(viewport={"width": 1300, "height": 900}))
        page = contexts[-1].new_page()
        page.set_default_timeout(10_000)
        log_in(page, base, username)
        return page

    f = reader_page("flagger")
    f.goto(part_url)
    card = f.locator(f"#card-{note.pk}")
    card.locator("summary", has_text="Flag").click()
    card.get_by_label("What is wrong with it?").fill("An advertisement.")
    card.get_by_role("button", name="Send to a moderator").click()
    f.wait_for_load_state()
    assert Flag.objects.filter(annotation=note, reason="An advertisement.").exists()

    c = admin_page(contexts[0], base)

    def act(action):
        c.goto(f"{base}/admin/annotations/annotation/")
        c.check(f"input[name=_selected_action][value='{note.pk}']")
        c.select_option("select[name=action]", action)
        c.click("button[name=index]")
        c.wait_for_selector(".messagelist")

    act("hide")
    note.refresh_from_db()
    assert note.moderation == "hidden"

    w = reader_page("writer")
    w.goto(part_url)
    assert "only you can see it" in w.locator(f"#card-{note.pk}").inner_text()
    f.goto(part_url)
    assert f.locator(f"#card-{note.pk}").count() == 0

    act("restore")
    f.goto(part_url)
    assert "Off-topic advertising." in f.locator(f"#card-{note.pk}").inner_text()
    assert list(
        ModerationLog.objects.filter(annotation_id=note.pk)
        .order_by("created")
        .values_list("action", flat=True)
    ) == ["hide", "restore"]
    for context in contexts:
        context.close()
