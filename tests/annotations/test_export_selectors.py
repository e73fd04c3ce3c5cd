"""Every selector of an export selects its quote in the resource it names.

The test is a W3C consumer that knows nothing of our models: it GETs each
target's `source` and applies each selector to the text it gets back,
counting code points as the Web Annotation model does.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import annotation_delete, reply_create
from annotations.w3c_validation import annotation_problems
from reader.models import Passage
from reader.revisions import revision_apply
from tests.annotations.w3c_suite import must_schema_failures, require_suite
from tests.factories import make_annotation, make_edition, make_part, make_passages

# Beyond the Basic Multilingual Plane: one code point, two UTF-16 units,
# four UTF-8 bytes. A consumer counting anything but code points is off.
MASK = "\U0001f3ad"
TEXTS = [
    f"The {MASK} first line: a grey mould, cast in wax.",
    f"Second {MASK}{MASK} line, where a face is drawn in ink.",
    "Third line \u00e9t\u00e9, with the letter the reader kept.",
    f"Fourth line ends here {MASK}",
]


@pytest.fixture
def part(db):
    edition = make_edition("emoji")
    part = make_part(edition, 1, slug="grey", kind="notebook")
    passages = make_passages(part, len(TEXTS))
    for passage, text in zip(passages, TEXTS, strict=True):
        passage.text = text
        passage.save()
    return part


def p(key: str) -> Passage:
    return Passage.objects.get(key=key)


def words(passage: Passage, quote: str) -> tuple[int, int]:
    start = passage.text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def exported(part, reader_user, other_reader) -> dict:
    """An export with every kind of target: within one passage (at its start,
    in its middle, at its end), across two and three passages, moved by a
    revision, a tombstone, an orphan, and replies."""
    first, second, third, fourth = (p(f"grey-{i:03d}") for i in range(1, 5))
    make_annotation(reader_user, first, *words(first, f"The {MASK} first"))
    make_annotation(reader_user, second, *words(second, f"{MASK}{MASK} line"))
    make_annotation(reader_user, fourth, *words(fourth, f"here {MASK}"))
    make_annotation(
        reader_user,
        first,
        first.text.index("cast"),
        second.text.index(" line"),
        end_passage=second,
        motivation="commenting",
        body="Across two",
    )
    make_annotation(
        reader_user,
        second,
        second.text.index("drawn"),
        fourth.text.index("ends"),
        end_passage=fourth,
        colour="green",
    )
    moved = make_annotation(reader_user, third, *words(third, "the letter"))
    # Shared, so that Bob can answer it; then deleted, so a tombstone.
    tombstone = make_annotation(
        reader_user,
        third,
        *words(third, "\u00e9t\u00e9"),
        motivation="commenting",
        body="Gone",
        visibility="public",
    )
    reply_create(author=other_reader, parent=tombstone, body="Kept")
    annotation_delete(annotation=tombstone, user=reader_user)
    orphan = make_annotation(reader_user, first, *words(first, "grey mould"))
    revision_apply(
        {
            third: f"A {MASK} new start. " + third.text,
            first: first.text.replace("a grey mould, ", ""),
        }
    )
    assert Annotation.objects.get(pk=moved.pk).anchor_state == "moved"
    assert Annotation.objects.get(pk=orphan.pk).anchor_state == "orphaned"
    theirs = make_annotation(
        other_reader, second, *words(second, "ink"), visibility="public"
    )
    reply_create(author=reader_user, parent=theirs, body="My reply")

    client = Client()
    client.force_login(reader_user)
    response = client.get(reverse("annotations:export", args=["jsonld"]))
    return json.loads(response.getvalue())


def dereference(source: str) -> str:
    """GET a source as any client would (anonymously; the edition is public)."""
    response = Client().get(urlparse(source).path)
    assert response.status_code == 200, source
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode("utf-8")


def quote_matches(text: str, selector: dict) -> list[int]:
    """Where a TextQuoteSelector selects: each `exact` with `prefix` just
    before it and `suffix` just after."""
    exact = selector["exact"]
    prefix, suffix = selector.get("prefix", ""), selector.get("suffix", "")
    found, at = [], text.find(exact)
    while at != -1:
        if text[:at].endswith(prefix) and text[at + len(exact) :].startswith(suffix):
            found.append(at)
        at = text.find(exact, at + 1)
    return found


def test_every_selector_of_an_export_selects_its_quote_in_its_source(exported):
    items = exported["first"]["items"]
    targets = [i["target"] for i in items if isinstance(i["target"], dict)]
    applied = {"TextQuoteSelector": 0, "TextPositionSelector": 0}
    for target in targets:
        text = dereference(target["source"])
        selectors = target["selector"]
        quote = next(s for s in selectors if s["type"] == "TextQuoteSelector")
        exact = quote["exact"]
        matches = quote_matches(text, quote)
        position = [s for s in selectors if s["type"] == "TextPositionSelector"]
        if not position:
            # Only an orphan keeps a bare quote: its words are gone.
            assert matches == [], exact
            continue
        assert len(position) == 1 and len(selectors) == 2, selectors
        start, end = position[0]["start"], position[0]["end"]
        assert text[start:end] == exact
        applied["TextPositionSelector"] += 1
        assert matches == [start], (exact, matches)
        applied["TextQuoteSelector"] += 1
    # Three in one passage, two across passages, the moved one, the tombstone.
    assert applied == {"TextQuoteSelector": 7, "TextPositionSelector": 7}
    assert len(targets) == 8


def test_a_range_across_passages_selects_the_words_the_reader_sees(exported):
    """Across passages the source is the part, a line per passage, and the
    quote runs over the line break as the passages do on the page."""
    items = exported["first"]["items"]
    spans = [
        i["target"]
        for i in items
        if isinstance(i["target"], dict) and i["target"]["source"].endswith("/text")
        if "/p/" not in i["target"]["source"]
    ]
    assert len(spans) == 2
    for target in spans:
        assert urlparse(target["source"]).path == "/read/emoji/grey/text"
        exact = target["selector"][0]["exact"]
        assert "\n" in exact
        assert exact in dereference(target["source"])


def test_the_moved_annotation_is_exported_where_it_is_now(exported):
    moved = next(
        i
        for i in exported["first"]["items"]
        if isinstance(i["target"], dict)
        and i["target"]["selector"][0]["exact"] == "the letter"
    )
    position = moved["target"]["selector"][1]
    # The revision put a sentence with an emoji before it.
    assert position["start"] == p("grey-003").text.index("the letter")


def test_an_export_with_every_kind_of_target_meets_the_w3c_musts(exported):
    require_suite()
    for item in exported["first"]["items"]:
        document = {"@context": exported["@context"], **item}
        assert must_schema_failures(document) == [], item["id"]
        assert annotation_problems(document) == [], item["id"]


def test_passage_and_part_text_are_exactly_the_passages(part, client):
    passage = p("grey-002")
    assert dereference(
        reverse("reader:passage_text", kwargs={"edition": "emoji", "key": passage.key})
    ) == (passage.text)
    assert dereference(
        reverse("reader:part_text", kwargs={"edition": "emoji", "part": "grey"})
    ) == "\n".join(TEXTS)
