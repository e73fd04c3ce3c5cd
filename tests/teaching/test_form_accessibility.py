"""Help and errors a screen reader reads with their fields (issue #13:
"Unlinked help and errors")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.urls import reverse

from .test_assignments import form


class _Fields(HTMLParser):
    """The page's ids, and the form controls' ARIA attributes by name."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.controls: dict[str, dict[str, str | None]] = {}
        self.texts: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
            self.texts[attributes["id"]] = ""
        if tag in ("input", "textarea", "select") and attributes.get("name"):
            self.controls[attributes["name"]] = attributes
        if tag not in ("input", "br", "img", "meta", "link", "option"):
            self._open.append(attributes.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("input", "br", "img", "meta", "link", "option") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for ident in self._open:
            if ident:
                self.texts[ident] += data


def _fields(html: str) -> _Fields:
    parsed = _Fields()
    parsed.feed(html)
    return parsed


def test_the_assignment_forms_errors_are_read_with_their_fields(
    client, teacher, course
):
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:assignment_new", args=[course.pk]),
        form(course, start_passage="nope-001", due="tomorrow"),
    )
    assert response.status_code == 400
    page = _fields(response.content.decode())
    for name in ("start_passage", "due"):
        control = page.controls[name]
        assert control.get("aria-invalid") == "true", name
        described = (control.get("aria-describedby") or "").split()
        assert f"id_{name}_error" in described, name
    assert "no passage with this key" in page.texts["id_start_passage_error"]
    # Every reference on the page names an element that is there.
    for control in page.controls.values():
        for ident in (control.get("aria-describedby") or "").split():
            assert ident in page.ids, ident
    # A field without errors is not marked invalid.
    assert "aria-invalid" not in page.controls["title"]


def test_the_note_dialogs_text_box_points_at_help_that_is_there(
    client, reader_user, edition
):
    client.force_login(reader_user)
    html = client.get(
        reverse("reader:part", args=[edition.slug, "black"])
    ).content.decode()
    page = _fields(html)
    described = page.controls["body"]["aria-describedby"].split()
    assert described
    assert set(described) <= page.ids
    assert "Ctrl+Enter saves." in " ".join(page.texts[i] for i in described)


def test_the_join_code_is_named_by_its_sections_heading_not_an_ignored_label(
    client, teacher, course
):
    client.force_login(teacher)
    html = client.get(reverse("teaching:course", args=[course.pk])).content.decode()
    [code] = re.findall(r'<p class="join-code"[^>]*>[^<]*</p>', html)
    # aria-label on a <p> (no role that takes a name) is not read.
    assert "aria-label" not in code
    assert course.join_code in code
    section = html[html.index('aria-labelledby="code-heading"') :]
    assert section.index('id="code-heading">Join code</h2>') < section.index(code)
