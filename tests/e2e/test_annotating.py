"""The annotating journey in a real browser, as two students would make it."""

from __future__ import annotations

import json
import re

import pytest

from annotations.models import Annotation
from tests.e2e.browsing import words_of

pytestmark = pytest.mark.e2e

# Where a phrase sits on screen: the rectangles of a text range in a passage.
RECT_OF = """([key, phrase]) => {
  const p = document.querySelector(`#${key} .passage-text`);
  const at = p.textContent.indexOf(phrase);
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node, seen = 0, started = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!started && at < seen + len) {
      range.setStart(node, at - seen);
      started = true;
    }
    if (started && at + phrase.length <= seen + len) {
      range.setEnd(node, at + phrase.length - seen);
      break;
    }
    seen += len;
  }
  const rects = range.getClientRects();
  const first = rects[0], last = rects[rects.length - 1];
  return {
    x1: first.left + 1, y1: first.top + first.height / 2,
    x2: last.right - 1, y2: last.top + last.height / 2,
  };
}"""


def sign_up(page, base, username):
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password1").fill("a face of antimony")
    page.locator("#id_password2").fill("a face of antimony")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.get_by_role("button", name=re.compile("Log out")).click()


def snapshot(user):
    return sorted(
        (
            str(a.pk),
            a.start_passage.key if a.start_passage else None,
            a.start_offset,
            a.end_offset,
            a.exact,
            a.body,
            a.motivation,
            a.colour,
            a.visibility,
            tuple(t.name for t in a.tags_in_order()),
            str(a.reply_to_id),
            a.created.isoformat(),
        )
        for a in Annotation.objects.filter(author__username=user).select_related(
            "start_passage"
        )
    )


def test_highlight_note_reply_export_and_import(
    page, live_server, live_edition, tmp_path
):
    base = live_server.url
    sign_up(page, base, "kobo")
    page.goto(f"{base}/read/study/black-notebook/")

    # 1. Highlight a phrase with the mouse.
    phrase = words_of(page, "black-003", 3, 6)
    box = page.evaluate(RECT_OF, ["black-003", phrase])
    page.locator("#black-003").scroll_into_view_if_needed()
    box = page.evaluate(RECT_OF, ["black-003", phrase])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    toolbar.get_by_role("button", name="Highlight h").click()
    mark = page.locator("#black-003 mark.hl")
    mark.wait_for()
    assert mark.inner_text() == phrase

    # 2. A Markdown note on a sentence, with the keyboard only.
    seen = []
    while "black-005" not in seen and len(seen) < 10:
        page.keyboard.press("j")
        seen.append(page.evaluate("document.activeElement.id"))
    assert seen[-1] == "black-005", seen
    page.keyboard.press("s")  # its first sentence
    selected = page.evaluate("getSelection().toString()")
    assert selected and selected.endswith(".")
    page.keyboard.press("n")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.keyboard.type("**Bach** turns to *clay*: a face for music?")
    page.keyboard.press("Tab")  # tags
    page.keyboard.type("music")
    page.keyboard.press("Tab")  # colour
    page.keyboard.press("Tab")  # who can see it
    page.keyboard.press("ArrowDown")  # Public
    page.keyboard.press("Tab")  # Save
    page.keyboard.press("Enter")
    card = page.locator("#black-005 ~ .passage-notes .card-commenting").first
    card.wait_for()
    assert card.locator(".card-body strong").inner_text() == "Bach"
    assert "public" in card.inner_text()
    note = Annotation.objects.get(author__username="kobo", motivation="commenting")
    assert note.exact == selected.strip()
    assert note.visibility == "public"
    assert [t.name for t in note.tags_in_order()] == ["music"]

    # 3. A classmate replies once it is public.
    log_out(page)
    sign_up(page, base, "classmate")
    page.goto(f"{base}/read/study/black-notebook/#card-{note.pk}")
    card = page.locator(f"#card-{note.pk}")
    card.get_by_text("Reply", exact=True).click()
    card.get_by_label("Your reply").fill("Perhaps music has a face too.")
    card.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"black-notebook/"))
    # Posted in place: the card's passage is fetched again.
    card.locator(".reply").wait_for()
    assert (
        "Perhaps music has a face too." in page.locator(f"#card-{note.pk}").inner_text()
    )

    # 4. Export my notebook in all three formats.
    log_out(page)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("kobo")
    page.get_by_label("Password").fill("a face of antimony")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="My notebook").click()
    files = {}
    for name in ["Markdown", "CSV", "W3C Web Annotations (JSON-LD)"]:
        with page.expect_download() as info:
            page.get_by_role("link", name=name).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        files[name] = path
    markdown = files["Markdown"].read_text(encoding="utf-8")
    assert phrase in markdown and "**classmate** replied" in markdown
    assert files["CSV"].read_text(encoding="utf-8").count("\n") == 3  # header + 2
    exported = json.loads(
        files["W3C Web Annotations (JSON-LD)"].read_text(encoding="utf-8")
    )
    assert exported["total"] == 2

    # 5. Import the JSON-LD into a fresh database: nothing lost.
    before = snapshot("kobo")
    Annotation.objects.filter(reply_to__isnull=False).delete()
    Annotation.objects.all().delete()
    page.goto(f"{base}/notebook/import/")
    page.get_by_label(re.compile("W3C Web Annotation file")).set_input_files(
        files["W3C Web Annotations (JSON-LD)"]
    )
    page.get_by_role("button", name="Import").click()
    assert "2 annotations imported" in page.locator(".import-report").inner_text()
    # Nothing lost but sharing: an import never shows a note to anyone, so
    # the public note comes back private until its author shares it again.
    visibility = 8
    assert sorted(row[visibility] for row in before) == ["private", "public"]
    assert snapshot("kobo") == [
        (*row[:visibility], "private", *row[visibility + 1 :]) for row in before
    ]


def test_clicking_a_highlight_opens_its_card_or_the_passages_notes(
    page, live_server, live_edition
):
    """A mark names the cards on the page that describe it; one whose card
    is not on the page leads to the passage's own page of notes."""
    from django.contrib.auth import get_user_model

    from reader.models import Passage
    from tests.factories import make_annotation

    base = live_server.url
    sign_up(page, base, "kobo")
    reader = get_user_model().objects.get(username="kobo")
    passage = Passage.objects.get(edition__slug="study", key="black-003")
    mine = make_annotation(reader, passage, 0, 12, motivation="commenting")
    for start in (20, 40, 60, 80):  # the fourth is one link away
        make_annotation(reader, passage, start, start + 10, motivation="commenting")
    page.goto(f"{base}/read/study/black-notebook/")
    marks = page.locator("#black-003 mark.hl")
    assert marks.count() == 5
    marks.first.click()
    card = page.locator(f"#card-{mine.pk}")
    assert "is-active" in card.get_attribute("class")
    assert page.evaluate("document.activeElement.id") == f"card-{mine.pk}"
    marks.last.click()
    page.wait_for_url(re.compile(r"/notes/black-003/"))
