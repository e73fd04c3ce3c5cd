"""load_edition: loading, re-loading, and refusing bad input whole."""

from __future__ import annotations

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
