"""load_edition: loading, re-loading, and refusing bad input whole."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reader.models import Edition, Part, Passage, PassageRevision
from tests.reader.test_edition_files import PART_ONE, PART_TWO, write_edition


def load(folder) -> str:
    out = StringIO()
    call_command("load_edition", str(folder), stdout=out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    return write_edition(tmp_path / "ed", {"01.md": PART_ONE, "02.md": PART_TWO})


def test_it_loads_an_edition_with_parts_and_passages(db, folder):
    output = load(folder)
    edition = Edition.objects.get(slug="demo")
    assert [p.slug for p in edition.parts.all()] == ["opening", "black"]
    assert list(
        Passage.objects.filter(edition=edition)
        .in_reading_order()
        .values_list("key", "order")
    ) == [("open-001", 1), ("open-002", 2), ("black-001", 1)]
    assert "3 passages added" in output


def test_loading_twice_changes_nothing(db, folder):
    load(folder)
    before = list(
        Passage.objects.values_list("pk", "key", "text", "revision", "modified")
    )
    parts_before = list(Part.objects.values_list("pk", "slug", "order", "title"))
    output = load(folder)
    assert (
        list(Passage.objects.values_list("pk", "key", "text", "revision", "modified"))
        == before
    )
    assert (
        list(Part.objects.values_list("pk", "slug", "order", "title")) == parts_before
    )
    assert PassageRevision.objects.count() == 0
    assert "0 passages added, 0 revised, 0 moved, 3 unchanged" in output


def test_a_changed_paragraph_is_revised_in_place_and_its_old_text_kept(db, folder):
    load(folder)
    original = Passage.objects.get(key="open-002")
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", "The second paragraph, revised."),
        encoding="utf-8",
    )
    output = load(folder)
    passage = Passage.objects.get(key="open-002")
    assert passage.pk == original.pk
    assert passage.text == "The second paragraph, revised."
    assert passage.revision == 2
    assert list(passage.revisions.values_list("revision", "text")) == [
        (1, "The second paragraph.")
    ]
    assert "1 revised" in output


def test_a_new_paragraph_is_added_without_shifting_other_keys(db, folder):
    load(folder)
    ids = dict(Passage.objects.values_list("key", "pk"))
    (folder / "01.md").write_text(
        PART_ONE.replace(
            "{#open-002}", "{#open-003}\nInserted between.\n\n{#open-002}"
        ),
        encoding="utf-8",
    )
    load(folder)
    opening = Part.objects.get(slug="opening")
    assert list(opening.passages.values_list("key", "order")) == [
        ("open-001", 1),
        ("open-003", 2),
        ("open-002", 3),
    ]
    assert Passage.objects.get(key="open-002").pk == ids["open-002"]


def test_a_paragraph_removed_from_the_source_is_kept_and_reported(db, folder):
    load(folder)
    (folder / "01.md").write_text(PART_ONE.split("{#open-002}")[0], encoding="utf-8")
    output = load(folder)
    assert Passage.objects.filter(key="open-002").exists()
    assert "kept" in output
    assert "open-002" in output


def test_parts_can_be_reordered(db, folder):
    load(folder)
    (folder / "01.md").write_text(
        PART_ONE.replace("order: 1", "order: 2"), encoding="utf-8"
    )
    (folder / "02.md").write_text(
        PART_TWO.replace("order: 2", "order: 1"), encoding="utf-8"
    )
    load(folder)
    assert list(Part.objects.values_list("slug", flat=True)) == ["black", "opening"]


@pytest.mark.parametrize(
    "broken",
    [
        PART_TWO.replace("---\norder", "order"),  # no front matter
        PART_TWO.replace("kind: notebook", "kind: diary"),
        PART_TWO.replace("{#black-001}", "{#Black 1}"),
        PART_TWO.replace("{#black-001}", "{#open-001}"),  # duplicate across files
        PART_TWO.replace("Black one.\n", ""),  # empty passage
    ],
)
def test_bad_input_writes_nothing_and_names_file_and_line(db, folder, broken):
    (folder / "02.md").write_text(broken, encoding="utf-8")
    with pytest.raises(CommandError) as info:
        load(folder)
    message = str(info.value)
    assert "02.md:" in message
    assert "\n" not in message
    assert "nothing was loaded" in message
    assert Edition.objects.count() == 0
    assert Passage.objects.count() == 0


def test_a_non_utf8_file_writes_nothing(db, folder):
    (folder / "02.md").write_bytes(PART_TWO.replace("one", "\u00e9").encode("cp1252"))
    with pytest.raises(CommandError, match=r"02\.md:10: the file is not UTF-8"):
        load(folder)
    assert Passage.objects.count() == 0


def test_bad_input_on_reload_leaves_the_loaded_edition_untouched(db, folder):
    load(folder)
    before = list(Passage.objects.values_list("key", "text", "revision"))
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", "Changed.") + "\n{#BAD}\nx\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        load(folder)
    assert list(Passage.objects.values_list("key", "text", "revision")) == before


# --- Curators' work is never undone ------------------------------------------

CURATED = "The second paragraph, corrected by a curator."


def load_forced(folder) -> str:
    out = StringIO()
    call_command("load_edition", str(folder), "--force", stdout=out)
    return out.getvalue()


def curator_revises(key: str, text: str) -> None:
    """The service behind admin's "Revise the text"."""
    from reader.revisions import revision_apply

    revision_apply({Passage.objects.get(key=key): text})


def test_a_revision_made_in_admin_survives_a_reload_and_is_named(
    client, curator, folder
):
    from django.urls import reverse

    load(folder)
    passage = Passage.objects.get(key="open-002")
    client.force_login(curator)
    client.post(
        reverse("admin:reader_passage_revise", args=[passage.pk]),
        {"text": CURATED, "action": "apply"},
    )
    passage.refresh_from_db()
    assert (passage.text, passage.revision) == (CURATED, 2)

    output = load(folder)
    passage.refresh_from_db()
    assert (passage.text, passage.revision) == (CURATED, 2)
    assert "0 revised" in output
    assert "1 kept as a curator revised them" in output
    assert "open-002: kept the curator's revision of " in output
    assert "the bundled text differs (use --force to replace it)" in output
    # Every later load keeps it too.
    load(folder)
    passage.refresh_from_db()
    assert passage.text == CURATED


def test_a_curators_revision_is_kept_when_the_bundled_file_changed_too(db, folder):
    load(folder)
    curator_revises("open-002", CURATED)
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", "The second paragraph, upstream."),
        encoding="utf-8",
    )
    output = load(folder)
    assert Passage.objects.get(key="open-002").text == CURATED
    assert "has itself changed since it was last loaded" in output


def test_force_replaces_a_curators_revision_as_a_revision_after_a_preview(
    db, folder, reader_user
):
    from tests.factories import make_annotation

    load(folder)
    curator_revises("open-002", "Now " + CURATED)
    passage = Passage.objects.get(key="open-002")
    start = passage.text.index("second paragraph")
    note = make_annotation(reader_user, passage, start, start + len("second paragraph"))

    output = load_forced(folder)

    passage.refresh_from_db()
    note.refresh_from_db()
    assert (passage.text, passage.revision) == ("The second paragraph.", 3)
    # Old texts are kept; the note followed its words to where they are now.
    assert list(passage.revisions.values_list("revision", "text")) == [
        (1, "The second paragraph."),
        (2, "Now " + CURATED),
    ]
    assert passage.text[note.start_offset : note.end_offset] == "second paragraph"
    assert note.passage_revision == 3
    # The admin's preview, as text: the diff and what happens to each anchor.
    assert "open-002: replaced the curator's revision of " in output
    assert "(--force)" in output
    assert "text: [-Now-] The second [-paragraph, corrected by a curator.-] " in output
    assert "{+paragraph.+}" in output
    effects = re.search(
        r"annotations: (\d+) stay exact, (\d+) move, (\d+) would be orphaned", output
    )
    assert effects and sum(map(int, effects.groups())) == 1
    assert "motif occurrences: 0 stay exact, 0 move, 0 would be orphaned" in output
    # Once replaced, the text is the loader's again: a later change of the
    # file is loaded as before.
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", "The second paragraph, again."),
        encoding="utf-8",
    )
    assert "1 revised" in load(folder)
    passage.refresh_from_db()
    assert passage.text == "The second paragraph, again."


def test_a_passage_revised_only_by_the_loader_follows_the_file_again(db, folder):
    load(folder)
    for text in ("The second paragraph, take two.", "The second paragraph, three."):
        (folder / "01.md").write_text(
            PART_ONE.replace("The second paragraph.", text), encoding="utf-8"
        )
        output = load(folder)
        assert "1 revised" in output and "kept" not in output
        assert Passage.objects.get(key="open-002").text == text


def test_once_the_file_agrees_with_the_curator_its_next_change_is_loaded(db, folder):
    load(folder)
    curator_revises("open-002", CURATED)
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", CURATED), encoding="utf-8"
    )
    assert "3 unchanged" in load(folder)
    (folder / "01.md").write_text(
        PART_ONE.replace("The second paragraph.", "Later still."), encoding="utf-8"
    )
    assert "1 revised" in load(folder)
    assert Passage.objects.get(key="open-002").text == "Later still."


def test_texts_loaded_before_fingerprints_were_kept(db, folder):
    """Rows loaded by an older version carry no fingerprint: a text never
    revised is the loader's; a revised one might be a curator's, so it is kept."""
    load(folder)
    curator_revises("open-002", CURATED)
    Passage.objects.update(loaded_fingerprint="")
    (folder / "01.md").write_text(
        PART_ONE.replace("The first paragraph", "The very first paragraph"),
        encoding="utf-8",
    )
    output = load(folder)
    assert Passage.objects.get(key="open-001").text.startswith("The very first")
    assert Passage.objects.get(key="open-002").text == CURATED
    assert "open-002: kept revision 2 of " in output
    assert "made before loads recorded their texts" in output


def test_a_part_title_a_curator_changed_is_kept_unless_forced(db, folder):
    load(folder)
    Part.objects.filter(slug="opening").update(title="The Opening, retitled")
    output = load(folder)
    assert Part.objects.get(slug="opening").title == "The Opening, retitled"
    assert "part opening: kept the curator's title" in output
    output = load_forced(folder)
    assert Part.objects.get(slug="opening").title == "The Opening"
    assert "part opening: replaced the curator's title" in output


def test_a_reload_prints_what_its_revisions_did_to_the_notes_and_keeps_them(db, folder):
    from annotations.models import Annotation
    from tests.factories import make_annotation, make_user

    load(folder)
    opening = Passage.objects.get(key="open-001")
    reader = make_user("reader")
    follows = make_annotation(reader, opening, 4, 19)  # "first paragraph"
    loses = make_annotation(reader, opening, 20, 40)  # "wraps over two lines"
    untouched = make_annotation(reader, Passage.objects.get(key="open-002"), 4, 10)
    (folder / "01.md").write_text(
        PART_ONE.replace("The first paragraph", "Now the first paragraph").replace(
            "wraps over two lines.", "is shorter."
        ),
        encoding="utf-8",
    )
    out = load(folder)
    assert "What the revised texts did to what is anchored on them" in out
    row = next(line for line in out.splitlines() if line.startswith("  open-001 "))
    assert re.search(r"open-001\s+0 / 1 / 1", row), row
    assert "annotations 0 exact, 1 moved, 1 orphaned" in out
    assert "open-001 · annotations · moved · reader · “first paragraph”" in out
    assert (
        "open-001 · annotations · orphaned (kept, marked) · reader · "
        "“wraps over two lines”"
    ) in out
    # Only revised passages are listed; every note is still there.
    assert "open-002" not in out
    assert (
        Annotation.objects.filter(pk__in=[follows.pk, loses.pk, untouched.pk]).count()
        == 3
    )
    loses.refresh_from_db()
    assert loses.anchor_state == "orphaned"
