"""What a search finds: case, accents, stems, phrases, prefixes, whole words.

The same assertions hold on SQLite (FTS5) and PostgreSQL (tsvector): the
suite runs on PostgreSQL when DATABASE_URL points at it.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from search.selectors import search
from tests.factories import make_user


def keys(results) -> list[str]:
    return [hit.passage.key for hit in results.passages.hits]


@pytest.fixture
def reader(book):
    return make_user("reader")


def test_case_and_accents_do_not_count(reader):
    assert keys(search(reader, "kobo")) == ["white-002"]
    assert keys(search(reader, "KŌBŌ")) == ["white-002"]


def test_no_finds_no_with_a_macron_only_as_a_whole_word(reader):
    found = keys(search(reader, "no"))
    assert "white-002" in found  # "Nō"
    assert "white-004" in found  # "no one"
    # "Noh", "Nothing" and "noh-less" are other words.
    assert sorted(keys(search(reader, "nothing"))) == ["white-004"]
    assert "white-001" not in found


def test_english_words_are_stemmed(reader):
    # "masks" finds the passage that has only "mask" (white-003) too.
    assert set(keys(search(reader, "masks"))) == {"white-002", "white-003"}
    assert set(keys(search(reader, "clock"))) == {"white-001"}


def test_a_phrase_in_quotes_needs_its_words_in_order(reader):
    assert keys(search(reader, '"noh masks"')) == ["white-002"]
    assert keys(search(reader, '"masks noh"')) == []
    # Unquoted, the words may be anywhere in the passage.
    assert keys(search(reader, "masks noh")) == ["white-002"]


def test_an_unclosed_quote_is_a_phrase_to_the_end(reader):
    assert keys(search(reader, '"brass clocks')) == ["white-001"]


def test_a_star_matches_words_that_begin_so(reader):
    assert keys(search(reader, "clockm*")) == ["white-001"]
    assert keys(search(reader, "clockm")) == []
    assert set(keys(search(reader, "mask*"))) == {"white-002", "white-003", "gray-001"}


def test_a_minus_leaves_out_what_has_the_word(reader):
    assert set(keys(search(reader, "mask -noh"))) == {"white-003"}


def test_every_word_must_be_there(reader):
    assert keys(search(reader, "harbour ferry")) == ["white-003"]
    assert keys(search(reader, "harbour clockmaker")) == []


def test_a_snippet_marks_the_words_found(reader):
    (hit,) = search(reader, "clockmaker").passages.hits
    marked = [text for text, is_hit in hit.snippet if is_hit]
    assert [m.casefold() for m in marked] == ["clockmaker"]
    assert "".join(text for text, _ in hit.snippet).startswith("The clockmaker")


def test_motifs_are_found_by_name_terms_and_summary(reader):
    from themes.models import Motif

    Motif.objects.create(
        name="Masks", slug="masks", summary="Faces worn over faces.", order=1
    )
    Motif.objects.create(
        name="Letters",
        slug="letters",
        summary="Envelopes and what they hold.",
        search_terms="envelope, postage",
        order=2,
    )
    assert [m.slug for m in search(reader, "mask").motifs.hits] == ["masks"]
    assert [m.slug for m in search(reader, "postage").motifs.hits] == ["letters"]
    assert [m.slug for m in search(reader, "worn faces").motifs.hits] == ["masks"]


def test_a_prefix_folds_accents_too(reader):
    assert keys(search(reader, "kōb*")) == ["white-002"]
    assert keys(search(reader, "KOB*")) == ["white-002"]


def test_the_edition_filter_keeps_to_one_edition(reader, book):
    from tests.factories import make_edition, make_part

    other = make_edition("other")
    part = make_part(other, 1, slug="white")
    from reader.models import Passage

    Passage.objects.create(
        edition=other, part=part, order=1, key="white-001", text="A brass clock."
    )
    assert len(keys(search(reader, "brass"))) == 2
    hits = search(reader, "brass", edition="other").passages.hits
    assert [(h.passage.edition.slug, h.passage.key) for h in hits] == [
        ("other", "white-001")
    ]
    assert search(reader, "white-001", edition="other").jump.edition == other


def test_paging_reads_any_page_number_a_client_sends(reader):
    for page in (0, -3, "2", "x", None, 10**30, 3.5):
        results = search(reader, "the", page=page, per_page="x")
        assert results.passages.page >= 1
    second = search(reader, "the", page=2, per_page=2)
    first = search(reader, "the", page=1, per_page=2)
    assert second.passages.count == first.passages.count == 5
    assert not {h.passage.key for h in first.passages.hits} & {
        h.passage.key for h in second.passages.hits
    }
    assert len(search(reader, "the", page=99, per_page=2).passages.hits) == 0


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL's fallback without unaccent",
)
def test_without_unaccent_postgresql_still_searches_but_accents_count(reader):
    from django.db import connection

    from search import schema

    schema.install(connection, unaccent=False)
    assert set(keys(search(reader, "masks"))) == {"white-002", "white-003"}
    assert keys(search(reader, "kobo")) == []
    assert keys(search(reader, "kōbō")) == ["white-002"]
    schema.install(connection)
    assert keys(search(reader, "kobo")) == ["white-002"]


def test_a_note_found_carries_its_words_with_the_hits_marked(reader, book):
    from reader.models import Passage
    from tests.factories import make_annotation

    note = make_annotation(
        reader,
        Passage.objects.get(key="white-001"),
        0,
        3,
        motivation="commenting",
        body="Brass, *again*: the clocks are masks.",
    )
    (hit,) = search(reader, "masks").annotations.hits
    assert hit == note
    assert [text.casefold() for text, is_hit in hit.snippet if is_hit] == ["masks"]
    assert "".join(text for text, _ in hit.snippet).startswith("Brass")
