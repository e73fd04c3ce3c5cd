"""Parsing an edition folder: every bad input is named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.edition_files import EditionSourceError, read_edition_folder

EDITION_TOML = 'slug = "demo"\ntitle = "Demo"\nauthor = "Someone"\n'

PART_ONE = """---
order: 1
slug: opening
title: The Opening
short_title: Opening
kind: frame
summary: It begins.
---

{#open-001}
The first paragraph
wraps over two lines.

{#open-002}
The second paragraph.
"""

PART_TWO = """---
order: 2
slug: black
title: The Black Notebook
short_title: Black Notebook
kind: notebook
---

{#black-001}
Black one.
"""


def write_edition(
    folder: Path, parts: dict[str, str], toml: str = EDITION_TOML
) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "edition.toml").write_text(toml, encoding="utf-8")
    for name, text in parts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def error_for(folder: Path) -> EditionSourceError:
    with pytest.raises(EditionSourceError) as info:
        read_edition_folder(folder)
    return info.value


def test_it_reads_parts_in_order_with_keys_and_joined_paragraphs(tmp_path):
    folder = write_edition(tmp_path, {"b.md": PART_TWO, "a.md": PART_ONE})
    source = read_edition_folder(folder)
    assert source.slug == "demo"
    assert [p.slug for p in source.parts] == ["opening", "black"]
    opening = source.parts[0]
    assert opening.kind == "frame"
    assert opening.summary == "It begins."
    assert [(p.key, p.text) for p in opening.passages] == [
        ("open-001", "The first paragraph wraps over two lines."),
        ("open-002", "The second paragraph."),
    ]
    assert source.parts[1].summary == ""
    assert source.passage_count == 3


def test_missing_front_matter_is_reported_at_line_one(tmp_path):
    folder = write_edition(tmp_path, {"a.md": "{#open-001}\nText.\n"})
    error = error_for(folder)
    assert error.path.name == "a.md"
    assert error.line == 1
    assert "front matter" in str(error)


def test_unclosed_front_matter_is_reported(tmp_path):
    folder = write_edition(tmp_path, {"a.md": "---\norder: 1\nslug: a\n"})
    assert "not closed" in str(error_for(folder))


def test_missing_front_matter_field_is_named(tmp_path):
    folder = write_edition(tmp_path, {"a.md": PART_ONE.replace("kind: frame\n", "")})
    assert "'kind'" in str(error_for(folder))


def test_unknown_part_kind_names_file_and_line(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE.replace("kind: frame", "kind: diary")}
    )
    error = error_for(folder)
    assert (error.path.name, error.line) == ("a.md", 6)
    assert "unknown part kind 'diary'" in str(error)
    assert str(error).startswith(f"{folder / 'a.md'}:6: ")


def test_unknown_front_matter_field_is_refused(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE.replace("summary:", "colour: red\nsummary:")}
    )
    error = error_for(folder)
    assert error.line == 7
    assert "colour" in str(error)


def test_duplicate_key_in_one_file_points_at_both_lines(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE.replace("{#open-002}", "{#open-001}")}
    )
    error = error_for(folder)
    assert error.line == 14
    assert "duplicate key open-001 (first at line 10)" in str(error)


def test_duplicate_key_across_files_is_refused(tmp_path):
    folder = write_edition(
        tmp_path,
        {"a.md": PART_ONE, "b.md": PART_TWO.replace("{#black-001}", "{#open-002}")},
    )
    error = error_for(folder)
    assert error.path.name == "b.md"
    assert "also a.md:14" in str(error)


@pytest.mark.parametrize(
    "line",
    [
        "{#Open-003}",
        "{#open 003}",
        "{#}",
        "{#open-003",
        "{#-open}",
        "{#x" + "y" * 70 + "}",
    ],
)
def test_malformed_key_is_refused(tmp_path, line):
    folder = write_edition(tmp_path, {"a.md": PART_ONE + f"\n{line}\nMore.\n"})
    error = error_for(folder)
    assert error.line == 17
    assert "malformed key" in str(error)


def test_empty_passage_is_refused(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE.replace("The second paragraph.\n", "")}
    )
    error = error_for(folder)
    assert error.line == 14
    assert "passage open-002 is empty" in str(error)


def test_text_before_any_key_is_refused(tmp_path):
    folder = write_edition(
        tmp_path,
        {"a.md": PART_ONE.replace("---\n\n{#open-001}", "---\nStray.\n{#open-001}")},
    )
    error = error_for(folder)
    assert error.line == 9
    assert "without a key" in str(error)


def test_second_paragraph_under_one_key_is_refused(tmp_path):
    folder = write_edition(tmp_path, {"a.md": PART_ONE + "\nAn unkeyed paragraph.\n"})
    assert "without a key" in str(error_for(folder))


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    folder = write_edition(tmp_path, {})
    (folder / "a.md").write_bytes(
        PART_ONE.replace("The second", "Das Gr\u00fcne").encode("latin-1")
    )
    error = error_for(folder)
    assert (error.path.name, error.line) == ("a.md", 15)
    assert "not UTF-8" in str(error)


def test_duplicate_part_order_is_refused(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE, "b.md": PART_TWO.replace("order: 2", "order: 1")}
    )
    assert "order 1 is also used by a.md" in str(error_for(folder))


def test_missing_edition_toml_is_refused(tmp_path):
    (tmp_path / "a.md").write_text(PART_ONE, encoding="utf-8")
    assert "edition.toml is missing" in str(error_for(tmp_path))


def test_edition_toml_without_title_is_refused(tmp_path):
    folder = write_edition(
        tmp_path, {"a.md": PART_ONE}, toml='slug = "demo"\nauthor = "X"\n'
    )
    assert "missing field 'title'" in str(error_for(folder))


def test_a_folder_without_parts_is_refused(tmp_path):
    folder = write_edition(tmp_path, {})
    assert "no part files" in str(error_for(folder))


def test_a_missing_folder_is_refused(tmp_path):
    assert "not a folder" in str(error_for(tmp_path / "nowhere"))
