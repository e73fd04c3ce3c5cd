"""The best match first, on both engines."""

from __future__ import annotations

from reader.models import Passage
from search.selectors import search
from tests.factories import make_annotation, make_user


def test_a_passage_about_the_masks_ranks_above_one_that_names_a_mask_in_passing(
    book,
):
    # white-002 names the Noh masks three times and is about them; the
    # first passage (read first, the lowest key) becomes a long one that
    # mentions a mask once, in passing, among the Noh theatre's other things.
    Passage.objects.filter(key="white-001").update(
        text="The Noh theatre had a roof of cedar, a pine painted on the back "
        "wall, a bridge for the actors, drums and a flute, an audience in "
        "rows on the gravel, and, carried past on a tray, a mask."
    )
    reader = make_user("reader")
    for text in ("masks", "noh mask", "mask"):
        keys = [hit.passage.key for hit in search(reader, text).passages.hits]
        assert keys.index("white-002") < keys.index("white-001"), text


def test_more_mentions_rank_higher_in_passages_of_the_same_length(book):
    white = Passage.objects.get(key="white-001").part
    # The one that names it once comes first in the book.
    Passage.objects.create(
        edition=book,
        part=white,
        order=10,
        key="white-010",
        text="Candle oil, candle wick, candle glass: the lantern shop.",
    )
    Passage.objects.create(
        edition=book,
        part=white,
        order=11,
        key="white-011",
        text="Lantern oil, lantern wick, lantern glass: the lantern shop.",
    )
    reader = make_user("reader")
    keys = [hit.passage.key for hit in search(reader, "lantern").passages.hits]
    assert keys == ["white-011", "white-010"]


def test_a_note_that_says_the_word_ranks_above_one_that_only_quotes_it(book):
    reader = make_user("reader")
    quoting = make_annotation(
        reader,
        Passage.objects.get(key="white-002"),
        0,
        30,
        motivation="commenting",
        body="Cypress is a soft wood.",
    )  # quotes "… a Nō mask …"
    saying = make_annotation(
        reader,
        Passage.objects.get(key="white-001"),
        0,
        10,
        motivation="commenting",
        body="The mask again: every mask here is a clock.",
    )
    hits = list(search(reader, "mask").annotations.hits)
    assert hits == [saying, quoting]
    scores = {hit.pk: hit.search_score for hit in hits}
    assert scores[saying.pk] > scores[quoting.pk]


def test_a_motif_named_so_ranks_above_one_that_mentions_it_in_its_description(book):
    from themes.models import Motif

    reader = make_user("reader")
    Motif.objects.create(
        name="Clocks",
        slug="clocks",
        summary="Time kept.",
        description="Brass and springs, and once a mask.",
        order=1,
    )
    Motif.objects.create(
        name="Masks", slug="masks", summary="Faces over faces.", order=2
    )
    assert [m.slug for m in search(reader, "mask").motifs.hits] == ["masks", "clocks"]
