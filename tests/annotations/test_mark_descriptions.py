"""What a screen reader hears of a highlight: its kind, its author and the
first words of its note, from elements that are always on the page (issue
#13: "Highlights don't carry their notes")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from annotations.selectors import CARDS_PER_PASSAGE
from reader.models import Passage
from tests.factories import make_annotation, make_user

from .test_part_page import _long_passages, _public_notes, part_url


class _Page(HTMLParser):
    """Every element's id and text (hidden ones too), and each mark's
    aria-describedby, as a browser's accessibility tree would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.texts: dict[str, str] = {}
        self.described: list[str | None] = []
        self.labelled: list[tuple[str, str | None, str | None]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "p" and self._open and self._open[-1] in self.texts:
            # An implied </p>: the next <p> closes the one before.
            self._open.pop()
        ident = attributes.get("id")
        if ident:
            self.ids.add(ident)
            self.texts[ident] = ""
        if tag == "mark":
            self.described.append(attributes.get("aria-describedby"))
        if tag == "article" and "card" in (attributes.get("class") or ""):
            self.labelled.append(
                (
                    ident or "",
                    attributes.get("aria-label"),
                    attributes.get("aria-labelledby"),
                )
            )
        self._open.append(ident or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._open and self._open[-1] in self.texts:
            self._open.pop()  # an implied </p> before its parent's end
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for ident in self._open:
            if ident:
                self.texts[ident] += data

    def description(self, refs: str) -> str:
        return " ".join(self.texts[i].strip() for i in refs.split())


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_every_mark_on_a_busy_part_is_described_by_elements_on_the_page(
    client, reader_user, other_reader, edition
):
    passages = _long_passages(edition, 4, 60)
    authors = [reader_user, other_reader, make_user("carol")]
    _public_notes(authors, passages, 300)
    client.force_login(reader_user)
    html = client.get(part_url(edition, "long")).content.decode()
    page = _page(html)
    assert len(page.described) > 100
    # Most annotations have no card on the page (3 per passage): before,
    # their marks named nothing, or cards that were not there.
    assert html.count('class="card ') == 4 * CARDS_PER_PASSAGE
    assert 'aria-describedby=""' not in html
    refs = [r for r in page.described if r is not None]
    assert refs
    for ref in refs:
        assert set(ref.split()) <= page.ids, ref
    # Every highlight is described where a screen reader first meets it.
    described = " | ".join(page.description(r) for r in refs)
    for number in range(300):
        if number % 3:  # notes and questions: "Note <number>"
            assert f": Note {number} " in described + " ", number


def test_a_highlight_is_described_by_its_kind_author_and_first_words(
    client, reader_user, other_reader, edition
):
    passage = Passage.objects.get(key="black-001")
    make_annotation(
        other_reader,
        passage,
        0,
        7,
        motivation="questioning",
        body="Why does **he** keep the mask in a drawer until the winter ends?",
        visibility="public",
    )
    client.force_login(reader_user)
    page = _page(client.get(part_url(edition)).content.decode())
    [ref] = [r for r in page.described if r]
    assert page.description(ref) == ("Question by bob: Why does he keep the mask in a…")


def test_a_card_is_named_by_its_byline_and_keeps_its_text_readable(
    client, reader_user, passage, edition
):
    note = make_annotation(
        reader_user, passage, 0, 7, motivation="commenting", body="Masks and faces."
    )
    client.force_login(reader_user)
    page = _page(client.get(part_url(edition)).content.decode())
    [(ident, label, labelled_by)] = page.labelled
    assert ident == f"card-{note.pk}"
    # An aria-label would replace the card's content for a screen reader.
    assert label is None
    assert labelled_by in page.ids
    assert re.sub(r"\s+", " ", page.texts[labelled_by]).strip() == "Note by alice"
    assert "Masks and faces." in page.texts[ident]


def test_a_notes_first_words_leave_out_markdown_and_say_when_there_is_more():
    from annotations.cards import first_words

    assert first_words("A *short* note") == "A short note"
    assert first_words("[a link](https://example.org) and `code`") == (
        "a link and code"
    )
    assert first_words("one two three four five six seven eight nine") == (
        "one two three four five six seven eight…"
    )
