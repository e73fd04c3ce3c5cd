"""Read the motif catalogue from a folder of Markdown files. Pure Python.

One file per motif, `<slug>.md`::

    ---
    name: The Noh masks
    slug: noh-masks
    summary: One line.
    group: Faces and masks
    order: 10
    colour: #7a4b9c
    related: light-blindness, mirror
    search: mask, Noh
    source_title: …            (optional, with the other source_* fields)
    ---

    The description, in Markdown.

    ## Occurrences

    - white-007 central "exhibition of Noh masks": Why it matters here.
    - white-008 passing: A whole-passage link.

Every problem raises `EditionSourceError` naming the file and line. Whether
passage keys exist and quotes match their passages is checked by the loader
(`themes.services.catalogue_load`) against the database, with the same lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reader.edition_files import (
    SLUG_RE,
    EditionSourceError,
    read_front_matter,
    read_utf8,
)

FIELDS = (
    "name",
    "slug",
    "summary",
    "group",
    "order",
    "colour",
    "related",
    "search",
    "source_title",
    "source_author",
    "source_year",
    "source_locator",
    "source_public_domain",
)
REQUIRED = ("name", "slug", "summary", "group", "order", "colour")
OCCURRENCES_HEADING = "## Occurrences"
OCCURRENCE_RE = re.compile(
    r"^- (?P<key>[a-z][a-z0-9-]*) (?P<weight>central|passing)"
    r'(?: "(?P<quote>[^"]+)")?: (?P<note>\S.*)$'
)
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class OccurrenceSource:
    passage_key: str
    weight: str
    quote: str
    note: str
    line: int


@dataclass(frozen=True)
class MotifSource:
    path: Path
    slug: str
    name: str
    summary: str
    group: str
    order: int
    colour: str
    related: tuple[str, ...]
    search_terms: tuple[str, ...]
    description: str
    source: dict[str, str]
    source_public_domain: bool
    occurrences: tuple[OccurrenceSource, ...]
    related_line: int


def read_catalogue(folder: Path | str) -> list[MotifSource]:
    """Parse and check every motif file; raise on the first problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EditionSourceError(folder, None, "not a folder")
    files = sorted(folder.glob("*.md"))
    if not files:
        raise EditionSourceError(folder, None, "no motif files (*.md) found")
    motifs = [read_motif_file(path) for path in files]
    slugs = {m.slug: m for m in motifs}
    for motif in motifs:
        for other in motif.related:
            if other not in slugs:
                raise EditionSourceError(
                    motif.path,
                    motif.related_line,
                    f"unknown motif {other!r} in related",
                )
            if other == motif.slug:
                raise EditionSourceError(
                    motif.path,
                    motif.related_line,
                    "a motif cannot be related to itself",
                )
    return sorted(motifs, key=lambda m: (m.order, m.name))


def read_motif_file(path: Path) -> MotifSource:
    lines = read_utf8(path).splitlines()
    meta, where, body_start = read_front_matter(
        path, lines, allowed=FIELDS, required=REQUIRED
    )
    if not SLUG_RE.match(meta["slug"]):
        raise EditionSourceError(
            path, where["slug"], f"malformed slug {meta['slug']!r}"
        )
    if meta["slug"] != path.stem:
        raise EditionSourceError(
            path, where["slug"], f"slug {meta['slug']!r} differs from the file name"
        )
    if not meta["order"].isdigit():
        raise EditionSourceError(path, where["order"], "order must be a whole number")
    if not COLOUR_RE.match(meta["colour"]):
        raise EditionSourceError(path, where["colour"], "colour must read #rrggbb")
    public_domain = meta.get("source_public_domain", "no")
    if public_domain not in ("yes", "no"):
        raise EditionSourceError(
            path, where["source_public_domain"], "source_public_domain is yes or no"
        )
    source = {
        name: meta.get(f"source_{name}", "")
        for name in ("title", "author", "year", "locator")
    }
    description, occurrences = _read_body(path, lines, body_start)
    return MotifSource(
        path=path,
        slug=meta["slug"],
        name=meta["name"],
        summary=meta["summary"],
        group=meta["group"],
        order=int(meta["order"]),
        colour=meta["colour"].lower(),
        related=_words(meta.get("related", "")),
        search_terms=_words(meta.get("search", "")),
        description=description,
        source=source,
        source_public_domain=public_domain == "yes",
        occurrences=occurrences,
        related_line=where.get("related", 1),
    )


def _words(value: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in value.split(",") if word.strip())


def _read_body(
    path: Path, lines: list[str], start: int
) -> tuple[str, tuple[OccurrenceSource, ...]]:
    try:
        heading = next(
            i
            for i in range(start, len(lines))
            if lines[i].strip() == OCCURRENCES_HEADING
        )
    except StopIteration as exc:
        raise EditionSourceError(
            path, None, f"no '{OCCURRENCES_HEADING}' section"
        ) from exc
    description = "\n".join(lines[start:heading]).strip()
    occurrences: list[OccurrenceSource] = []
    seen: dict[str, int] = {}
    for index in range(heading + 1, len(lines)):
        line = lines[index].rstrip()
        number = index + 1
        if not line.strip():
            continue
        match = OCCURRENCE_RE.match(line)
        if not match:
            raise EditionSourceError(
                path,
                number,
                'an occurrence reads: - <key> <central|passing> "<quote>": <note>',
            )
        key = match["key"]
        if key in seen:
            raise EditionSourceError(
                path, number, f"passage {key} is listed twice (line {seen[key]})"
            )
        seen[key] = number
        occurrences.append(
            OccurrenceSource(
                passage_key=key,
                weight=match["weight"],
                quote=match["quote"] or "",
                note=match["note"].strip(),
                line=number,
            )
        )
    return description, tuple(occurrences)
