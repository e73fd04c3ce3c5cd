"""Whatever is typed in the box, a search answers: never an error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import MAX_QUERY_LENGTH, MAX_TERMS, parse_query
from search.selectors import search
from tests.factories import make_user

NASTY = [
    '"',
    '""',
    '"""',
    "*",
    "mask*",
    "*mask",
    "-",
    "--mask",
    "-mask",
    "NEAR(mask clock)",
    "NEAR",
    "mask NEAR/2 clock",
    "AND",
    "mask AND",
    "OR mask OR",
    "NOT",
    "NOT mask",
    "mask NOT",
    "(",
    ")",
    "((mask)",
    "text:mask",
    "text : mask",
    "^mask",
    "mask:*",
    "'mask'",
    "mask & clock | !face",
    "mask <-> clock",
    "{text}: mask",
    "\\",
    "%",
    "_",
    "mask;DROP TABLE reader_passage;--",
    "\x00mask",
    "ma\x00sk",
    "\u200b",
    "🙂 mask",
    "能面",
    "Ko\u0304bo\u0304",
]


@pytest.fixture
def reader(book):
    return make_user("reader")


@pytest.mark.parametrize("text", NASTY)
def test_syntax_characters_are_searched_literally_never_an_error(reader, text):
    results = search(reader, text)
    assert results.query.error or results.query, text
    # Nothing outside the words typed is searched for.
    for term in results.query.terms:
        assert all(word.isalnum() for word in term.words)


def test_operators_of_the_engines_are_words(reader):
    # "not" and "near" are looked for as words, not obeyed.
    results = search(reader, "NOT clockmaker")
    assert [t.words for t in results.query.terms] == [("not",), ("clockmaker",)]
    assert results.passages.count == 0
    # Both words: "Nō ... not" (white-002), not "no one" alone (white-004).
    assert [h.passage.key for h in search(reader, "no NOT").passages.hits] == [
        "white-002"
    ]
    assert search(reader, "clockmaker AND").passages.count == 0


def test_a_combining_macron_is_the_letter_it_makes(reader):
    assert [
        h.passage.key for h in search(reader, "Ko\u0304bo\u0304").passages.hits
    ] == ["white-002"]


def test_empty_input_is_no_search(reader):
    for text in ("", "   ", None, 42, ["mask"]):
        results = search(reader, text)
        assert not results.query
        assert results.query.error == ""
        assert results.total == 0


def test_input_without_words_says_so(reader):
    results = search(reader, '"*()-')
    assert not results.query
    assert results.query.error
    assert results.total == 0


def test_only_leaving_out_is_refused_in_words(reader):
    results = search(reader, "-mask")
    assert not results.query
    assert "leave out" in results.query.error
    assert results.total == 0


def test_long_input_is_cut_at_the_documented_length_and_says_so(reader):
    long = "clockmaker " + "x" * (MAX_QUERY_LENGTH * 5)
    results = search(reader, long)
    assert results.query.truncated
    assert len(results.query.text) == MAX_QUERY_LENGTH
    assert results.passages.count == 0  # "clockmaker" and a cut "xxx…"
    short = search(reader, "clockmaker")
    assert not short.query.truncated
    assert short.passages.count == 1


def test_too_many_terms_are_dropped_and_flagged(reader):
    results = search(reader, " ".join(f"w{i}" for i in range(MAX_TERMS + 10)))
    assert len(results.query.terms) == MAX_TERMS
    assert results.query.truncated


@given(st.text(max_size=80))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_parses_without_raising(text):
    parsed = parse_query(text)
    assert len(parsed.text) <= MAX_QUERY_LENGTH
    for term in parsed.terms:
        assert term.words and all(w.isalnum() for w in term.words)


@given(
    st.text(
        alphabet=st.sampled_from(
            list("abcmsk\"*-()NEARORNOT:^ ōŌ'&|!<>{}\\_0123能面ßÆ\u0304\u00a0")
        ),
        max_size=40,
    )
)
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_mix_of_syntax_runs_on_the_database(reader, text):
    search(reader, text)  # raises nothing, on either engine
