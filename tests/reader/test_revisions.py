"""Revising passages: preview and apply agree, anchors follow, nothing is lost."""

from __future__ import annotations

import pytest
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.models import Annotation
from reader import anchoring
from reader.models import Passage, PassageRevision
from reader.revisions import revision_apply, revision_preview, word_diff
from tests.factories import make_annotation
from themes.models import Motif, MotifOccurrence

TEXT = (
    "The antimony mould lay on the bench. He turned the lamp toward it. "
    "The mask had no expression yet. Outside, the rain kept falling."
)


@pytest.fixture
def passage(edition):
    passage = Passage.objects.get(key="black-002")
    passage.text = TEXT
    passage.save()
    return passage


@pytest.fixture
def five(reader_user, other_reader, passage):
    """Five annotations on one passage: some will stay, move, or be orphaned."""

    def on(words, user=reader_user):
        start = TEXT.index(words)
        return make_annotation(
            user, passage, start, start + len(words), visibility="public"
        )

    return {
        "mould": on("antimony mould lay on the bench"),
        "lamp": on("turned the lamp toward it"),
        "mask": on("The mask had no expression yet", other_reader),
        "rain": on("the rain kept falling"),
        "he": on("He turned"),
    }


REVISED = (
    "At dawn the antimony mould lay on the bench. He turned the lamp toward it. "
    "Outside, the rain kept falling."
)  # a sentence inserted before, the mask sentence deleted


def test_the_preview_predicts_and_writes_nothing(passage, five):
    (preview,) = revision_preview({passage: REVISED})
    annotations = next(e for e in preview.effects if e.label == "annotations")
    assert (annotations.exact, annotations.moved, annotations.orphaned) == (0, 4, 1)
    orphan = next(i for i in annotations.items if i.state == "orphaned")
    assert orphan.old == "The mask had no expression yet" and orphan.who == "bob"
    assert {piece.kind for piece in preview.diff} == {"same", "added", "removed"}
    passage.refresh_from_db()
    assert passage.text == TEXT
    assert all(a.anchor_state == "exact" for a in Annotation.objects.all())


def test_applying_moves_what_survives_orphans_the_rest_and_keeps_everything(
    passage, five
):
    count = Annotation.objects.count()
    revision_apply({passage: REVISED})
    passage.refresh_from_db()
    assert passage.revision == 2
    assert PassageRevision.objects.get(passage=passage).text == TEXT
    assert Annotation.objects.count() == count
    for name, annotation in five.items():
        annotation.refresh_from_db()
        if name == "mask":
            assert annotation.anchor_state == "orphaned"
            assert annotation.exact == "The mask had no expression yet"
            continue
        assert annotation.anchor_state == "moved"
        text = annotation.start_passage.text
        assert text[annotation.start_offset : annotation.end_offset] == annotation.exact
        assert annotation.passage_revision == 2


def test_preview_and_apply_agree(passage, five):
    (preview,) = revision_preview({passage: REVISED})
    predicted = next(e for e in preview.effects if e.label == "annotations")
    revision_apply({passage: REVISED})
    states = list(Annotation.objects.values_list("anchor_state", flat=True))
    assert states.count("moved") == predicted.moved
    assert states.count("orphaned") == predicted.orphaned


def test_an_unchanged_text_is_no_revision(passage, five):
    assert revision_preview({passage: TEXT}) == []
    assert revision_apply({passage: "  " + TEXT + " "}) == []
    passage.refresh_from_db()
    assert passage.revision == 1


def test_a_span_across_passages_follows_its_words(reader_user, edition):
    first, second = Passage.objects.filter(key__in=["black-001", "black-002"]).order_by(
        "order"
    )
    span = make_annotation(reader_user, first, 40, 10, end_passage=second)
    revision_apply({first: "New words first. " + first.text})
    span.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert span.anchor_state == "moved"
    assert (span.start_passage, span.end_passage) == (first, second)
    joined = first.text[span.start_offset :] + "\n" + second.text[: span.end_offset]
    assert joined == span.exact


@pytest.fixture
def two(edition):
    """black-001 and black-002 with known texts, in reading order."""
    first, second = Passage.objects.filter(key__in=["black-001", "black-002"]).order_by(
        "order"
    )
    first.text = "He wrote at night. The bandages itched under the lamp."
    second.text = "Morning came late. He did not go out."
    first.save()
    second.save()
    return first, second


def _across(author, first, second):
    """A highlight from 'under the lamp.' over the break to 'Morning came'."""
    start = first.text.index("under the lamp.")
    return make_annotation(
        author, first, start, len("Morning came"), end_passage=second
    )


def test_a_span_over_merged_passages_follows_onto_the_merged_one(reader_user, two):
    first, second = two
    span = _across(reader_user, first, second)
    revision_apply({first: first.text + " " + second.text})  # second is kept as is
    span.refresh_from_db()
    first.refresh_from_db()
    assert span.anchor_state == "moved"
    assert (span.start_passage, span.end_passage) == (first, first)
    assert first.text[span.start_offset : span.end_offset] == (
        "under the lamp. Morning came"
    )


def _split_off(first, head: str) -> Passage:
    """Split `first` after `head`: the rest becomes a new passage after it."""
    rest = first.text[len(head) :].strip()
    Passage.objects.filter(part=first.part, order__gt=first.order).update(
        order=models.F("order") + 1
    )
    return Passage.objects.create(
        edition=first.edition,
        part=first.part,
        order=first.order + 1,
        key="black-001-b",
        text=rest,
    )


def test_a_span_follows_its_words_into_a_passage_split_off(reader_user, two):
    first, second = two
    span = _across(reader_user, first, second)
    new = _split_off(first, "He wrote at night.")
    revision_apply({first: "He wrote at night."})
    span.refresh_from_db()
    assert span.anchor_state == "moved"
    assert (span.start_passage, span.end_passage) == (new, second)
    assert new.text[span.start_offset :] + "\n" + second.text[: span.end_offset] == (
        span.exact
    )


def test_words_inserted_inside_a_span_beside_a_split_orphan_it(reader_user, two):
    """Not a fuzzy match onto the inserted words: the quote was interrupted."""
    first, second = two
    long = (
        "The bandages itched under the lamp, and every night he promised himself "
        "that the mask would be finished before the rains."
    )
    first.text = "He wrote at night. " + long
    first.save()
    span = make_annotation(
        reader_user,
        first,
        first.text.index(long),
        len("Morning came"),
        end_passage=second,
    )
    _split_off(first, "He wrote at night.")
    revision_apply(
        {
            first: "He wrote at night.",
            second: "Then more. " + second.text,
        }
    )
    span.refresh_from_db()
    assert span.anchor_state == "orphaned"
    assert span.exact == long + "\nMorning came"  # kept, as it was


def test_motif_quotes_follow_or_are_kept_as_orphans(passage):
    motif = Motif.objects.create(name="M", slug="m", summary="s")
    quote = anchoring.build_quote(TEXT, 4, 18)
    kept = MotifOccurrence.objects.create(
        motif=motif,
        passage=passage,
        start_offset=4,
        end_offset=18,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
    )
    other = Motif.objects.create(name="N", slug="n", summary="s")
    at = TEXT.index("no expression")
    quote = anchoring.build_quote(TEXT, at, at + 13)
    lost = MotifOccurrence.objects.create(
        motif=other,
        passage=passage,
        start_offset=at,
        end_offset=at + 13,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
    )
    revision_apply({passage: REVISED})
    kept.refresh_from_db()
    lost.refresh_from_db()
    passage.refresh_from_db()
    assert passage.text[kept.start_offset : kept.end_offset] == "antimony mould"
    assert kept.anchor_state == "moved"
    assert lost.anchor_state == "orphaned" and lost.exact == "no expression"
    assert MotifOccurrence.objects.count() == 2


def test_reloading_the_edition_is_a_revision_too(tmp_path, db):
    from django.core.management import call_command

    from tests.reader.test_edition_files import PART_ONE, PART_TWO, write_edition

    folder = write_edition(tmp_path / "ed", {"01.md": PART_ONE, "02.md": PART_TWO})
    call_command("load_edition", str(folder), stdout=None)
    passage = Passage.objects.get(key="open-001")
    from tests.factories import make_user

    note = make_annotation(make_user(), passage, 4, 19)  # "first paragraph"
    (folder / "01.md").write_text(
        PART_ONE.replace("The first paragraph", "Now the first paragraph"),
        encoding="utf-8",
    )
    call_command("load_edition", str(folder), stdout=None)
    note.refresh_from_db()
    passage.refresh_from_db()
    assert note.anchor_state == "moved"
    assert passage.text[note.start_offset : note.end_offset] == "first paragraph"


def test_word_diff_marks_removed_and_added_words():
    pieces = word_diff("a b c d", "a x c d e")
    assert [(p.kind, p.text) for p in pieces] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "x"),
        ("same", "c d"),
        ("added", "e"),
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    before=st.lists(
        st.sampled_from(["Alpha beta.", "Gamma delta.", "Rain fell.", "Then dusk."]),
        max_size=3,
    ),
    after=st.lists(
        st.sampled_from(["Lamp light.", "Cold glass.", "Noon came."]), max_size=3
    ),
)
def test_surviving_words_always_reanchor_exactly_onto_themselves(
    reader_user, passage, before, after
):
    """Whatever is inserted around it, a quote whose words survive is found
    again, and never anchored to other words."""
    Annotation.objects.all().delete()
    passage.refresh_from_db()
    quote = "turned the lamp toward it"
    start = passage.text.index(quote)
    note = make_annotation(reader_user, passage, start, start + len(quote))
    revision_apply({passage: " ".join([*before, passage.text, *after])})
    note.refresh_from_db()
    passage.refresh_from_db()
    assert note.anchor_state in ("exact", "moved")
    assert passage.text[note.start_offset : note.end_offset] == quote


NEAR_MISSES = [
    "He turned the lamp toward him.",
    "She turned the lamp toward it.",
    "He turned the lamp away from it.",
    "He turned the lamp.",
    "The lamp was turned toward it.",
    "Rain fell.",
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    before=st.lists(st.sampled_from(NEAR_MISSES), max_size=2),
    after=st.lists(st.sampled_from(NEAR_MISSES), max_size=2),
)
def test_a_deleted_quote_is_orphaned_never_moved_onto_look_alikes(
    reader_user, passage, before, after
):
    """The quoted sentence is deleted while words like it are added elsewhere:
    the note is kept and orphaned, not anchored to words it did not quote."""
    Annotation.objects.all().delete()
    passage.text = TEXT
    passage.save()
    quote = "turned the lamp toward it"
    start = TEXT.index(quote)
    note = make_annotation(reader_user, passage, start, start + len(quote))
    kept = TEXT.replace("He turned the lamp toward it. ", "")
    revision_apply({passage: " ".join([*before, kept, *after])})
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"
    assert note.exact == quote


# Reverting a revision: words that come back take their notes back.


def test_an_orphan_whose_words_come_back_is_anchored_on_them_again(passage, five):
    revision_apply({passage: REVISED})
    five["mask"].refresh_from_db()
    assert five["mask"].anchor_state == "orphaned"
    revision_apply({passage: TEXT})  # the curator's revision is reverted
    passage.refresh_from_db()
    for name, note in five.items():
        note.refresh_from_db()
        start = TEXT.index(note.exact)
        assert (note.start_offset, note.end_offset) == (start, start + len(note.exact))
        assert passage.text[note.start_offset : note.end_offset] == note.exact
        assert note.passage_revision == 3
        if name == "mask":
            assert note.anchor_state == "exact"


def test_the_preview_of_a_revert_predicts_the_orphan_comes_back(passage, five):
    revision_apply({passage: REVISED})
    passage.refresh_from_db()
    (preview,) = revision_preview({passage: TEXT})
    annotations = next(e for e in preview.effects if e.label == "annotations")
    assert annotations.orphaned == 0


def test_a_word_changed_and_changed_back_puts_the_note_back_on_its_words(
    reader_user, passage
):
    quoted = "He turned the lamp toward it."
    start = TEXT.index(quoted)
    note = make_annotation(reader_user, passage, start, start + len(quoted))
    revision_apply({passage: TEXT.replace("the lamp", "the candle")})
    note.refresh_from_db()
    passage.refresh_from_db()
    assert note.anchor_state == "moved"
    now = passage.text[note.start_offset : note.end_offset]
    assert now == "He turned the candle toward it."
    revision_apply({passage: TEXT})
    note.refresh_from_db()
    assert note.anchor_state == "moved"  # its end moved back
    assert (note.start_offset, note.end_offset) == (start, start + len(quoted))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    near=st.lists(st.sampled_from(NEAR_MISSES), min_size=1, max_size=2),
    later=st.sampled_from(["Dusk came.", "The mask was finished."]),
)
def test_an_orphan_stays_orphaned_when_later_revisions_bring_only_look_alikes(
    reader_user, passage, near, later
):
    """Deleted, then near copies of it arrive in later revisions: an orphan
    is followed only from where its words were, never onto a look-alike."""
    Annotation.objects.all().delete()
    passage.text = TEXT
    passage.save()
    quote = "turned the lamp toward it"
    start = TEXT.index(quote)
    note = make_annotation(reader_user, passage, start, start + len(quote))
    kept = TEXT.replace("He turned the lamp toward it. ", "")
    revision_apply({passage: kept})
    revision_apply({passage: " ".join([later, kept, *near])})
    revision_apply({passage: " ".join([*near, kept])})
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"


def test_a_motif_phrase_that_comes_back_is_anchored_on_it_again(passage):
    motif = Motif.objects.create(name="M", slug="m", summary="s")
    at = TEXT.index("no expression")
    quote = anchoring.build_quote(TEXT, at, at + 13)
    occurrence = MotifOccurrence.objects.create(
        motif=motif,
        passage=passage,
        start_offset=at,
        end_offset=at + 13,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
    )
    revision_apply({passage: REVISED})
    occurrence.refresh_from_db()
    assert occurrence.anchor_state == "orphaned"
    revision_apply({passage: TEXT})
    occurrence.refresh_from_db()
    passage.refresh_from_db()
    assert occurrence.anchor_state == "exact"
    assert (occurrence.start_offset, occurrence.end_offset) == (at, at + 13)
    assert occurrence.passage_revision == passage.revision == 3


def test_a_motif_phrase_orphaned_before_its_revision_was_kept_comes_back(passage):
    """Occurrences orphaned by earlier code recorded the revision that lost
    their phrase; the text before it is tried too."""
    motif = Motif.objects.create(name="M", slug="m", summary="s")
    at = TEXT.index("no expression")
    quote = anchoring.build_quote(TEXT, at, at + 13)
    revision_apply({passage: REVISED})
    passage.refresh_from_db()
    occurrence = MotifOccurrence.objects.create(
        motif=motif,
        passage=passage,
        start_offset=at,
        end_offset=at + 13,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
        passage_revision=2,
        anchor_state="orphaned",
    )
    revision_apply({passage: TEXT})
    occurrence.refresh_from_db()
    assert occurrence.anchor_state == "exact"
    assert (occurrence.start_offset, occurrence.end_offset) == (at, at + 13)
