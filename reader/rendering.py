"""A part's passages as HTML: the edition's share rendered once per revision
and cached, the reader's own layer composed on top.

A passage's markup (its element, permalink, citation button, text) is the
same for every reader until the passage is revised. It is rendered from
`reader/_passage.html` once and kept in Django's cache as static chunks with
named gaps; each request fills the gaps (read state, classes, highlights,
the contributions' slots) by joining strings, not with one template include
per passage. The cache holds the edition's text only, never anything of a
reader's: what a reader may see is composed afresh for every request.

The key names the passage's pk and revision, a checksum of its key and text
(so a cache shared with another database, where the same pk and revision
hold another text, cannot serve it), the language (the labels) and
RENDER_FORMAT with a checksum of the row's template (so a deploy that
changes the template never serves rows cached from the old one, even from a
cache the servers share). A revision is a new key, so no server can serve the old text;
`passage_html_forget` also drops the old entries when a passage is revised.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .markdown import format_escaped

if TYPE_CHECKING:
    from .contributions import PassageSlots
    from .models import Part, Passage

# Bump when the composition below changes: older entries are then never read
# again. A change to reader/_passage.html changes the key by itself.
RENDER_FORMAT = 1
ROW_TEMPLATE = "reader/_passage.html"
# A week: entries are small and only a revision makes them useless (and a
# revision changes the key).
CACHE_SECONDS = 7 * 24 * 3600
# Where a gap is, in the rendered shell: a passage's key is a slug and the
# labels are ours, so neither can hold this character.
GAP = "\x00"
GAPS = ("classes", "citation", "text", "number", "read", "meta", "after_meta", "aside")


@functools.lru_cache(maxsize=4)
def _checksum(source: str) -> str:
    return f"{zlib.crc32(source.encode()):08x}"


def _row_format() -> str:
    # The template is looked up for each page, not once per process: with
    # the development server's reloading loader an edited template is a new
    # key at once (with the cached loader it is a dictionary lookup).
    return f"{RENDER_FORMAT}:{_checksum(get_template(ROW_TEMPLATE).template.source)}"


def cache_key(
    passage: Passage, language: str | None = None, row_format: str | None = None
) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    row_format = row_format or _row_format()
    checksum = zlib.crc32(f"{passage.key}\n{passage.text}".encode())
    return (
        f"reader:passage:{row_format}:{language}:"
        f"{passage.pk}:{passage.revision}:{checksum:08x}"
    )


def _braces_doubled(html: str) -> str:
    return html.replace("{", "{{").replace("}", "}}")


def _shell(passage: Passage) -> tuple[str, str]:
    """The passage's row as a format string whose fields are the gaps, and
    its escaped text (as a format string too, without fields)."""
    html = get_template(ROW_TEMPLATE).render(
        {
            "passage": passage,
            **{name: format_escaped(GAP + name + GAP) for name in GAPS},
        }
    )
    chunks = html.split(GAP)
    # Static chunks at even places, gap names at odd ones.
    row = "".join(
        _braces_doubled(chunk) if i % 2 == 0 else "{" + chunk + "}"
        for i, chunk in enumerate(chunks)
    )
    return row, _braces_doubled(format_escaped("{}", passage.text))


def passage_shells(passages: Iterable[Passage]) -> dict[int, tuple[str, str]]:
    """Each passage's cached shell, by pk: one cache read for the part, one
    write for what was missing."""
    passages = list(passages)
    row_format = _row_format()
    keys = {cache_key(p, row_format=row_format): p for p in passages}
    found = cache.get_many(list(keys))
    missing = {key: _shell(p) for key, p in keys.items() if key not in found}
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return {p.pk: found.get(key) or missing[key] for key, p in keys.items()}


def passage_html_forget(passage: Passage) -> None:
    """Drop a passage's cached HTML (its current revision, in every
    language): called before its text changes."""
    languages = {code for code, _name in settings.LANGUAGES}
    languages.add(settings.LANGUAGE_CODE)
    row_format = _row_format()
    cache.delete_many(
        [cache_key(passage, language, row_format) for language in languages]
    )


def passage_rows(
    part: Part,
    passages: list[Passage],
    *,
    numbers: dict[int, int],
    slots: dict[str, PassageSlots],
    read_keys: set[str],
) -> list[SafeString]:
    """The rows of `passages` (`numbers`: each one's ¶ number by pk), the
    reader's layer composed onto the cached shells, in order."""
    from .contributions import PassageSlots

    empty = PassageSlots()
    shells = passage_shells(passages)
    read_label = format_escaped('<span class="visually-hidden"> ({})</span>', _("read"))
    rows: list[SafeString] = []
    for passage in passages:
        # The shell is ours: rendered from our template, every value escaped
        # when it was made (as Django's {% cache %} tag trusts its cache).
        row, text = shells[passage.pk]
        share = slots.get(passage.key, empty)
        read = passage.key in read_keys
        number = numbers[passage.pk]
        rows.append(
            format_escaped(
                row,
                classes=" ".join(("", *(("is-read",) if read else ()), *share.classes)),
                citation=f"{part.short_title}, ¶{number} ({passage.key})",
                text=format_escaped(text) if share.text is None else share.text,
                number=number,
                read=read_label if read else "",
                meta=share.meta,
                after_meta=share.after_meta,
                aside=share.aside,
            )
        )
    return rows
