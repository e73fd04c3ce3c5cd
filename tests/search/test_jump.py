"""Passage keys and citations go straight to the passage."""

from __future__ import annotations

from search.selectors import search
from tests.factories import make_edition, make_part, make_user


def jump(user, q: str, **filters) -> str | None:
    target = search(user, q, **filters).jump
    return target.key if target else None


def test_a_passage_key_jumps_to_the_passage(book):
    reader = make_user("reader")
    assert jump(reader, "white-003") == "white-003"
    assert jump(reader, "  WHITE-003 ") == "white-003"
    assert jump(reader, "white-099") is None


def test_a_citation_by_part_and_paragraph_jumps_to_the_passage(book):
    reader = make_user("reader")
    assert jump(reader, "White Notebook ¶3") == "white-003"
    assert jump(reader, "White Notebook, ¶ 2") == "white-002"
    assert jump(reader, "white notebook ¶1") == "white-001"
    assert jump(reader, "The White Notebook ¶4") == "white-004"  # the title
    assert jump(reader, "White Notebook ¶9") is None
    assert jump(reader, "White Notebook ¶0") is None


def test_a_paragraph_alone_jumps_within_the_part_filtered_to(book):
    reader = make_user("reader")
    assert jump(reader, "¶2", part="white") == "white-002"
    assert jump(reader, "¶1", part="gray") == "gray-001"
    assert jump(reader, "¶2") is None  # which part?


def test_the_paragraph_number_counts_passages_in_reading_order(book):
    # ¶n is the n-th passage of the part as the reader numbers them, not
    # the number in its key.
    from reader.models import Passage

    Passage.objects.filter(key="white-001").delete()
    assert jump(make_user("reader"), "White Notebook ¶1") == "white-002"


def test_a_key_in_an_edition_the_reader_may_not_read_goes_nowhere(book):
    licensed = make_edition("licensed", audience="curators")
    part = make_part(licensed, 1, slug="hidden")
    part.short_title = "Hidden Notebook"
    part.save()
    from reader.models import Passage

    Passage.objects.create(
        edition=licensed, part=part, order=1, key="hidden-001", text="Secret."
    )
    reader = make_user("reader")
    assert jump(reader, "hidden-001") is None
    assert jump(reader, "Hidden Notebook ¶1") is None
    curator = make_user("curator", groups=("Curators",), is_staff=True)
    assert jump(curator, "hidden-001") == "hidden-001"


def test_a_key_is_also_searched_as_words(book):
    results = search(make_user("reader"), "white-002")
    assert results.jump.key == "white-002"
    assert results.query  # "white 002" as a phrase: found nowhere here
    assert results.passages.count == 0


def test_a_passage_found_carries_its_citation(book):
    from reader.models import Passage

    Passage.objects.filter(key="white-001").delete()  # ¶ numbers follow
    results = search(make_user("reader"), "harbour")
    (hit,) = results.passages.hits
    assert hit.passage.key == "white-003"
    assert hit.number == 2
    assert hit.citation == "White Notebook, ¶2"
    # The citation jumps back to the passage.
    assert jump(make_user("other"), hit.citation) == "white-003"
