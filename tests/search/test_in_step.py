"""A revision, a load, an edit or a deletion is searchable at once.

The database keeps the index in step (search/schema.py), whatever writes the
words: the services, a revision, the loader, admin, a bulk insert.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from annotations.services import (
    annotation_delete,
    annotation_delete_by_curator,
    annotation_update,
)
from reader.edition_files import EditionSource, PartSource, PassageSource
from reader.models import Passage
from reader.revisions import passage_revise, revision_apply
from reader.services import edition_load
from search import schema
from search.selectors import search
from tests.factories import make_annotation, make_part, make_passages, make_user
from themes.catalogue import MotifSource
from themes.models import Motif
from themes.services import catalogue_load

from .conftest import passage


def passage_keys(user, q: str) -> set[str]:
    return {hit.passage.key for hit in search(user, q).passages.hits}


def note_ids(user, q: str) -> set:
    return {a.pk for a in search(user, q).annotations.hits}


def test_a_revised_passage_is_found_by_its_new_words_not_its_old(book):
    reader = make_user("reader")
    passage_revise(passage=passage("white-001"), text="The tinsmith slept.")
    assert passage_keys(reader, "tinsmith") == {"white-001"}
    assert passage_keys(reader, "clockmaker") == set()


def test_a_revision_with_re_anchoring_is_searchable_at_once(book):
    reader = make_user("reader")
    revision_apply({passage("white-003"): "Snow on the harbour; the ferry gone."})
    assert passage_keys(reader, "snow") == {"white-003"}
    assert passage_keys(reader, "gulls") == set()


def test_passages_written_in_bulk_are_indexed(book):
    reader = make_user("reader")
    part = make_part(book, 3, slug="extra")
    make_passages(part, 3)  # bulk_create: no model signals
    assert passage_keys(reader, "looked") == {"extra-001", "extra-002", "extra-003"}


def test_loading_an_edition_indexes_it_and_a_reload_follows_the_new_text(db):
    reader = make_user("reader")

    def source(text: str) -> EditionSource:
        passages = (PassageSource(key="one-001", text=text, line=1),)
        part = PartSource(
            path=Path("one.md"),
            order=1,
            slug="one",
            title="One",
            short_title="One",
            kind="notebook",
            summary="",
            passages=passages,
        )
        return EditionSource(
            path=Path("."), slug="loaded", title="Loaded", author="A", parts=(part,)
        )

    edition_load(source=source("A heron stood in the reeds."))
    assert passage_keys(reader, "heron") == {"one-001"}
    edition_load(source=source("A crane stood in the reeds."))
    assert passage_keys(reader, "crane") == {"one-001"}
    assert passage_keys(reader, "heron") == set()


def test_an_edited_note_is_found_by_its_new_words(book):
    author = make_user("author")
    note = make_annotation(
        author, passage("white-001"), 0, 3, motivation="commenting", body="Walnut."
    )
    assert note_ids(author, "walnut") == {note.pk}
    annotation_update(annotation=note, editor=author, body="Chestnut.")
    assert note_ids(author, "chestnut") == {note.pk}
    assert note_ids(author, "walnut") == set()


def test_a_deleted_note_is_no_longer_found(book):
    author = make_user("author")
    curator = make_user("curator", groups=("Curators",), is_staff=True)
    first = make_annotation(
        author, passage("white-001"), 0, 3, motivation="commenting", body="Walnut."
    )
    second = make_annotation(
        author, passage("white-001"), 4, 9, motivation="commenting", body="Walnut!"
    )
    annotation_delete(annotation=first, user=author)
    assert note_ids(author, "walnut") == {second.pk}
    annotation_delete_by_curator(annotation=second, curator=curator)
    assert note_ids(author, "walnut") == set()


def test_a_motif_loaded_edited_and_deleted_stays_in_step(book):
    reader = make_user("reader")
    motif = MotifSource(
        path=Path("masks.md"),
        slug="masks",
        name="Masks",
        summary="Faces over faces.",
        group="",
        order=1,
        colour="#336699",
        related=(),
        search_terms=("visor", "domino"),
        description="",
        source={"title": "", "author": "", "year": "", "locator": ""},
        source_public_domain=False,
        occurrences=(),
        related_line=0,
    )
    catalogue_load(motifs=[motif], edition=book)
    assert [m.slug for m in search(reader, "domino").motifs.hits] == ["masks"]
    # A curator's edit in admin saves the model.
    saved = Motif.objects.get(slug="masks")
    saved.summary = "Veils and visors."
    saved.save()
    assert [m.slug for m in search(reader, "veils").motifs.hits] == ["masks"]
    assert search(reader, "faces").motifs.count == 0
    saved.delete()
    assert search(reader, "visor").motifs.count == 0


def test_rebuilding_the_index_is_idempotent_and_repairs_a_lost_one(book):
    reader = make_user("reader")
    make_annotation(
        reader, passage("white-001"), 0, 3, motivation="commenting", body="Walnut."
    )
    before = (passage_keys(reader, "mask*"), note_ids(reader, "walnut"))
    call_command("rebuild_search_index", stdout=StringIO())
    call_command("rebuild_search_index", stdout=StringIO())
    assert (passage_keys(reader, "mask*"), note_ids(reader, "walnut")) == before
    # The index lost (a restore from elsewhere): rebuilt from the tables.
    schema.uninstall(connection)
    call_command("rebuild_search_index", stdout=StringIO())
    assert (passage_keys(reader, "mask*"), note_ids(reader, "walnut")) == before


def test_a_migration_that_drops_the_triggers_is_followed_by_a_rebuild(book):
    # On SQLite a migration that remakes reader_passage drops its triggers;
    # on either database, losing them must not go unnoticed.
    reader = make_user("reader")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER search_passage_au")
        else:
            cursor.execute("DROP TRIGGER search_passage_vector ON reader_passage")
    assert not schema.is_installed(connection)
    call_command("migrate", verbosity=0)
    assert schema.is_installed(connection)
    passage_revise(passage=passage("white-001"), text="The tinsmith slept.")
    assert passage_keys(reader, "tinsmith") == {"white-001"}
    assert passage_keys(reader, "cypress") == {"white-002"}


def test_passages_text_is_unchanged_by_indexing(book):
    # The index reads the text; it never writes it.
    texts = dict(Passage.objects.values_list("key", "text"))
    call_command("rebuild_search_index", stdout=StringIO())
    assert dict(Passage.objects.values_list("key", "text")) == texts
