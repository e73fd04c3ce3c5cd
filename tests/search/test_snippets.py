"""A note's snippet: its words around the first hit, the hits marked."""

from __future__ import annotations

from search.query import parse_query
from search.snippets import ELLIPSIS, text_snippet


def marked(text: str, q: str, **options) -> str:
    """The snippet with hits in [brackets], for reading at a glance."""
    segments, _found = text_snippet(text, parse_query(q), **options)
    return "".join(f"[{piece}]" if hit else piece for piece, hit in segments)


def test_hits_are_marked_whatever_their_case_and_accents():
    assert marked("Kōbō wrote of KOBO.", "kobo") == "[Kōbō] wrote of [KOBO]."


def test_a_plural_marks_its_singular_and_back():
    assert marked("One mask, two masks.", "masks") == "One [mask], two [masks]."
    assert marked("One mask, two masks.", "mask") == "One [mask], two [masks]."


def test_a_prefix_marks_the_words_that_begin_so_and_only_those():
    assert marked("Maskmaker, unmask the mask.", "mask*") == (
        "[Maskmaker], unmask the [mask]."
    )


def test_a_word_is_marked_only_as_a_whole_word():
    assert marked("No one wore the Nō mask; nothing else.", "no") == (
        "[No] one wore the [Nō] mask; nothing else."
    )


def test_words_left_out_are_not_marked():
    assert marked("The mask and the face.", "mask -face") == (
        "The [mask] and the face."
    )


def test_a_long_text_is_cut_around_the_first_hit_with_ellipses():
    words = [f"w{i}" for i in range(100)]
    words[50] = "lantern"
    text = " ".join(words)
    snippet = marked(text, "lantern", words=10)
    assert (
        snippet == f"{ELLIPSIS}w42 w43 w44 w45 w46 w47 w48 w49 [lantern] w51{ELLIPSIS}"
    )


def test_without_a_hit_the_snippet_is_the_beginning_and_says_so():
    segments, found = text_snippet("Plain words here.", parse_query("lantern"))
    assert segments == (("Plain words here.", False),)
    assert found is False


def test_paragraphs_read_as_one_line():
    assert marked("First line.\n\n  The lantern.", "lantern") == (
        "First line. The [lantern]."
    )


def test_nothing_to_show_is_no_segments():
    assert text_snippet("", parse_query("mask")) == ((), False)


def test_a_phrase_is_marked_only_where_its_words_stand_together():
    assert marked("Mask the face, then the mask.", '"the mask"') == (
        "Mask the face, then [the mask]."
    )
