"""What a search finds: case, accents, stems, phrases, prefixes, whole words.

The same assertions hold on SQLite (FTS5) and PostgreSQL (tsvector): the
suite runs on PostgreSQL when DATABASE_URL points at it.
"""

from __future__ import annotations

import pytest

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
