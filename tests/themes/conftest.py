from __future__ import annotations

from pathlib import Path

import pytest

from reader.models import Passage

MASKS = """---
name: The masks
slug: masks
summary: Faces that others read.
group: Faces and masks
order: 1
colour: #7a4b9c
related: bandages
search: mask
---

What masks do in the book, in **Markdown**.

## Occurrences

- black-001 central "looked at the mask": He looks at it again.
- black-003 passing: A passing mention.
- letter-002 passing "the mask": The letter returns to it.
"""

BANDAGES = """---
name: The bandages
slug: bandages
summary: The blank face he wears.
group: The body and its materials
order: 2
colour: #888888
related: masks
search:
source_title: Sartor Resartus
source_author: Thomas Carlyle
source_year: 1836
source_locator: Book I
source_public_domain: yes
---

Bandages.

## Occurrences

- opening-001 central: The first sight of them.
"""


def write_catalogue(folder: Path, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {"masks.md": MASKS, "bandages.md": BANDAGES}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def distinct_texts(edition):
    """Fixture passages all read alike; give a few distinct texts."""
    Passage.objects.filter(key="black-001").update(
        text="He looked at the mask again, and the mask looked back."
    )
    Passage.objects.filter(key="letter-002").update(
        text="She wrote that the mask had never fooled her."
    )
    return edition


@pytest.fixture
def catalogue(tmp_path, distinct_texts):
    return write_catalogue(tmp_path / "motifs")
