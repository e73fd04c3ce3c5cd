"""Read an edition from a folder of Markdown files. Pure Python, no Django.

The folder holds `edition.toml` (the edition's metadata) and one Markdown file
per part::

    ---
    order: 2
    slug: black-notebook
    title: The Black Notebook
    short_title: Black Notebook
    kind: notebook
    summary: One line on what happens.
    ---

    {#black-001}
    A paragraph of plain text, which may wrap over
    several lines; a blank line ends it.

Every passage's key is written in the file, so adding a paragraph never shifts
the keys of the others. Any problem raises `EditionSourceError` naming the file
and line, before anything is written anywhere.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PART_KINDS = ("frame", "notebook", "letter")
PART_FIELDS = ("order", "slug", "title", "short_title", "kind", "summary")
EDITION_FIELDS = ("slug", "title", "author", "language", "translator", "rights_note")
REQUIRED_EDITION_FIELDS = ("slug", "title", "author")

KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_RE = KEY_RE
KEY_LINE_RE = re.compile(r"^\{#(?P<key>[^}]*)\}\s*$")
MAX_KEY_LENGTH = 64


class EditionSourceError(ValueError):
    """A problem in the source files, located by file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PassageSource:
    key: str
    text: str
    line: int


@dataclass(frozen=True)
class PartSource:
    path: Path
    order: int
    slug: str
    title: str
    short_title: str
    kind: str
    summary: str
    passages: tuple[PassageSource, ...]


@dataclass(frozen=True)
class EditionSource:
    path: Path
    slug: str
    title: str
    author: str
    language: str = "en"
    translator: str = ""
    rights_note: str = ""
    parts: tuple[PartSource, ...] = field(default_factory=tuple)

    @property
    def passage_count(self) -> int:
        return sum(len(part.passages) for part in self.parts)


def read_edition_folder(folder: Path | str) -> EditionSource:
    """Parse and check a whole edition folder; raise on the first problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EditionSourceError(folder, None, "not a folder")
    meta = _read_edition_meta(folder / "edition.toml")
    part_files = sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")
    if not part_files:
        raise EditionSourceError(folder, None, "no part files (*.md) found")
    parts = [read_part_file(path) for path in part_files]
    _check_across_parts(parts)
    return EditionSource(
        path=folder, parts=tuple(sorted(parts, key=lambda p: p.order)), **meta
    )


@lru_cache(maxsize=8)
def edition_folder_slug(folder: Path) -> str:
    """The slug in a folder's edition.toml, or "" when it has none.

    Pages ask it to tell the bundled study edition from a school's imported
    one; the file changes only with a deploy, so it is read once per process.
    """
    try:
        return _read_edition_meta(Path(folder) / "edition.toml")["slug"]
    except (EditionSourceError, OSError):
        return ""


def _read_edition_meta(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise EditionSourceError(path, None, "edition.toml is missing")
    try:
        data = tomllib.loads(read_utf8(path))
    except tomllib.TOMLDecodeError as exc:
        raise EditionSourceError(path, None, f"not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(EDITION_FIELDS))
    if unknown:
        raise EditionSourceError(path, None, f"unknown field {unknown[0]!r}")
    for name in REQUIRED_EDITION_FIELDS:
        if not str(data.get(name, "")).strip():
            raise EditionSourceError(path, None, f"missing field {name!r}")
    for name, value in data.items():
        if not isinstance(value, str):
            raise EditionSourceError(path, None, f"field {name!r} must be a string")
    if not SLUG_RE.match(data["slug"]):
        raise EditionSourceError(path, None, f"malformed slug {data['slug']!r}")
    return {name: data[name].strip() for name in data}


def read_utf8(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EditionSourceError(path, line, "the file is not UTF-8 text") from exc
    return text.removeprefix("\ufeff")


def read_part_file(path: Path) -> PartSource:
    """Parse one part file: front matter, then keyed paragraphs."""
    lines = read_utf8(path).splitlines()
    meta, body_start = _read_front_matter(path, lines)
    passages = _read_passages(path, lines, body_start)
    if not passages:
        raise EditionSourceError(path, body_start + 1, "the part has no passages")
    return PartSource(path=path, passages=tuple(passages), **meta)


def read_front_matter(
    path: Path,
    lines: list[str],
    *,
    allowed: tuple[str, ...],
    required: tuple[str, ...],
) -> tuple[dict[str, str], dict[str, int], int]:
    """Parse `---`-delimited `name: value` lines at the top of a file.

    Returns the values, the line number of each, and the index of the first
    line after the front matter. Shared by the edition and motif loaders.
    """
    if not lines or lines[0].strip() != "---":
        raise EditionSourceError(path, 1, "missing front matter (a first line '---')")
    meta: dict[str, str] = {}
    where: dict[str, int] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        number = index + 1
        if line.strip() == "---":
            break
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or not name:
            raise EditionSourceError(
                path, number, "front matter lines read 'name: value'"
            )
        if name not in allowed:
            raise EditionSourceError(
                path, number, f"unknown front matter field {name!r}"
            )
        if name in meta:
            raise EditionSourceError(path, number, f"field {name!r} given twice")
        meta[name] = value.strip()
        where[name] = number
    else:
        raise EditionSourceError(path, 1, "front matter is not closed with '---'")
    missing = [name for name in required if name not in meta]
    if missing:
        raise EditionSourceError(path, 1, f"front matter lacks {missing[0]!r}")
    return meta, where, index + 1


def _read_front_matter(path: Path, lines: list[str]) -> tuple[dict, int]:
    meta, where, body_start = read_front_matter(
        path,
        lines,
        allowed=PART_FIELDS,
        required=tuple(name for name in PART_FIELDS if name != "summary"),
    )
    if meta["kind"] not in PART_KINDS:
        raise EditionSourceError(
            path,
            where["kind"],
            f"unknown part kind {meta['kind']!r} (use {', '.join(PART_KINDS)})",
        )
    if not meta["order"].isdigit():
        raise EditionSourceError(path, where["order"], "order must be a whole number")
    if not SLUG_RE.match(meta["slug"]):
        raise EditionSourceError(
            path, where["slug"], f"malformed slug {meta['slug']!r}"
        )
    meta.setdefault("summary", "")
    meta["order"] = int(meta["order"])
    return meta, body_start


def _read_passages(path: Path, lines: list[str], start: int) -> list[PassageSource]:
    passages: list[PassageSource] = []
    seen: dict[str, int] = {}
    key: str | None = None
    key_line = 0
    paragraph: list[str] = []

    def close() -> None:
        nonlocal key, paragraph
        if key is None:
            return
        # Whitespace is folded: a paragraph's text is one line of single spaces.
        text = " ".join(" ".join(paragraph).split())
        if not text:
            raise EditionSourceError(path, key_line, f"passage {key} is empty")
        passages.append(PassageSource(key=key, text=text, line=key_line))
        key, paragraph = None, []

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if line.lstrip().startswith("{#"):
            match = KEY_LINE_RE.match(line.strip())
            candidate = match.group("key") if match else line.strip()
            if (
                not match
                or not KEY_RE.match(candidate)
                or len(candidate) > MAX_KEY_LENGTH
            ):
                raise EditionSourceError(
                    path,
                    number,
                    f"malformed key line {line.strip()!r} "
                    "(write {#part-001}: lower-case letters, digits and hyphens)",
                )
            if candidate in seen:
                raise EditionSourceError(
                    path,
                    number,
                    f"duplicate key {candidate} (first at line {seen[candidate]})",
                )
            close()
            key, key_line = candidate, number
            seen[candidate] = number
        elif not line.strip():
            if key is not None and paragraph:
                close()
        elif key is None:
            raise EditionSourceError(
                path, number, "text without a key: start each passage with {#key}"
            )
        else:
            paragraph.append(line)
    close()
    return passages


def _check_across_parts(parts: list[PartSource]) -> None:
    """Slugs, orders and passage keys must be unique in the whole edition."""
    orders: dict[int, Path] = {}
    slugs: dict[str, Path] = {}
    keys: dict[str, tuple[Path, int]] = {}
    for part in parts:
        if part.order in orders:
            raise EditionSourceError(
                part.path,
                None,
                f"order {part.order} is also used by {orders[part.order].name}",
            )
        orders[part.order] = part.path
        if part.slug in slugs:
            raise EditionSourceError(
                part.path,
                None,
                f"slug {part.slug} is also used by {slugs[part.slug].name}",
            )
        slugs[part.slug] = part.path
        for passage in part.passages:
            if passage.key in keys:
                other, line = keys[passage.key]
                raise EditionSourceError(
                    part.path,
                    passage.line,
                    f"duplicate key {passage.key} (also {other.name}:{line})",
                )
            keys[passage.key] = (part.path, passage.line)
