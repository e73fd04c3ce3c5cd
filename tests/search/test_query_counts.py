"""A search costs the same number of queries however much there is."""

from __future__ import annotations

from django.db import connection

from reader.models import Passage
from search.selectors import search
from tests.factories import make_annotation, make_part, make_passages, make_user
from themes.models import Motif

from .conftest import passage

# Who the reader is (their classes, the editions they may read: 2), then a
# count and a page for each kind (6; the notes' count is the index's
# candidates kept by the rule, on PostgreSQL two queries: search/engines.py).
# A key or citation adds one.
SEARCH_QUERIES = 8 + (connection.vendor == "postgresql")


def grow(book, author, n: int) -> None:
    """n more passages, notes and motifs that all match "mask"."""
    part = make_part(book, 10 + n, slug=f"more-{n}")
    passages = make_passages(part, n)
    for i, p in enumerate(passages):
        make_annotation(
            author,
            p,
            0,
            7,
            motivation="commenting",
            body=f"Mask note {i}.",
            visibility="public",
        )
        Motif.objects.create(
            name=f"Mask {n}-{i}", slug=f"mask-{n}-{i}", summary="A mask.", order=i
        )


def run(user, q: str = "mask", **filters):
    results = search(user, q, **filters)
    # Everything a results page shows is read: no query per hit.
    shown = []
    for hit in results.passages.hits:
        shown += [hit.passage.part.short_title, hit.passage.edition.slug, hit.snippet]
    for note in results.annotations.hits:
        target = note.start_passage or note.reply_to.start_passage
        shown += [note.author.get_username(), target.part.short_title]
    for motif in results.motifs.hits:
        shown += [motif.name, motif.summary, motif.search_terms]
    assert all(item is not None for item in shown)
    return results


def test_search_queries_do_not_grow_with_the_data(book, django_assert_num_queries):
    author, reader = make_user("author"), make_user("reader")
    grow(book, author, 2)
    with django_assert_num_queries(SEARCH_QUERIES):
        small = run(reader)
    grow(book, author, 30)
    with django_assert_num_queries(SEARCH_QUERIES):
        large = run(reader)
    assert large.passages.count > small.passages.count
    assert large.annotations.count > small.annotations.count
    assert large.motifs.count > small.motifs.count
    assert len(large.annotations.hits) == 20  # a page


def test_filtered_searches_cost_no_more(book, django_assert_max_num_queries):
    author, reader = make_user("author"), make_user("reader")
    grow(book, author, 5)
    Motif.objects.create(name="Clocks", slug="clocks", summary="Time.", order=99)
    for filters in (
        {"part": "white"},
        {"motif": "clocks"},
        {"tag": "x", "author_scope": "class"},
        {"annotation_kind": "commenting", "author_scope": "me"},
    ):
        # A kind with nothing found skips its page: fewer, never more.
        with django_assert_max_num_queries(SEARCH_QUERIES):
            run(reader, **filters)


def test_a_key_costs_one_query_more_at_most(book, django_assert_max_num_queries):
    reader = make_user("reader")
    with django_assert_max_num_queries(SEARCH_QUERIES + 1):
        results = run(reader, "white-002")
    assert results.jump == passage("white-002")
    assert Passage.objects.count() == 5
