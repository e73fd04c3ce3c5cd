"""Splitting a passage into highlight segments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.highlights import split_segments


def test_overlapping_ranges_split_into_segments_carrying_every_id():
    segments = split_segments("abcdefghij", [("a", 2, 6), ("b", 4, 8)])
    assert [(s.text, s.ids) for s in segments] == [
        ("ab", ()),
        ("cd", ("a",)),
        ("ef", ("a", "b")),
        ("gh", ("b",)),
        ("ij", ()),
    ]


def test_a_range_inside_another_and_touching_ranges():
    segments = split_segments(
        "abcdef", [("outer", 0, 6), ("inner", 2, 3), ("next", 3, 4)]
    )
    assert [(s.text, s.ids) for s in segments] == [
        ("ab", ("outer",)),
        ("c", ("outer", "inner")),
        ("d", ("outer", "next")),
        ("ef", ("outer",)),
    ]


def test_empty_and_out_of_range_ranges_are_clipped_or_ignored():
    segments = split_segments("abc", [("x", 2, 2), ("y", -5, 1), ("z", 2, 99)])
    assert [(s.text, s.ids) for s in segments] == [
        ("a", ("y",)),
        ("b", ()),
        ("c", ("z",)),
    ]


def test_text_without_ranges_is_one_plain_segment():
    assert [(s.text, s.ids) for s in split_segments("abc", [])] == [("abc", ())]
    assert split_segments("", []) == []


@given(
    text=st.text(min_size=0, max_size=60),
    raw=st.lists(
        st.tuples(st.integers(0, 9), st.integers(-5, 70), st.integers(-5, 70)),
        max_size=12,
    ),
)
def test_segments_rebuild_the_text_and_each_character_knows_its_ranges(text, raw):
    ranges = [(f"id{i}", a, b) for i, (_tag, a, b) in enumerate(raw)]
    segments = split_segments(text, ranges)
    assert "".join(s.text for s in segments) == text
    for segment in segments:
        assert segment.text
        for offset in range(segment.start, segment.start + len(segment.text)):
            covering = {
                i for i, a, b in ranges if max(0, a) <= offset < min(len(text), b)
            }
            assert set(segment.ids) == covering
