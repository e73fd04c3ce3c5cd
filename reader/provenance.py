"""Whose words the database holds: the bundled files', or a curator's since.

The loaders (`load_edition`, `load_motifs`) write what the bundled files say,
and curators then change the database in admin. To re-load without undoing a
curator's work, each loaded row keeps a fingerprint (SHA-256) of the values the
loader last wrote to it. On the next load:

- the database equals the file: nothing to do (the fingerprint is refreshed);
- the database still matches the fingerprint: nobody has touched it since the
  loader wrote it, so the file's new values are written, as before;
- otherwise someone changed it since: the curator's values are kept and the
  load says so; `--force` is the only way to overwrite them.

A fingerprint rather than a "who edited it last" flag because it cannot miss a
write path: any change that did not come from the loader (admin, the shell, a
revision reverted, a path added next year) shows up as a difference, without
each of those places having to remember to mark it. A hash rather than a copy
of the text because only equality is ever asked.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping

Values = str | Mapping[str, object]


def fingerprint(values: Values) -> str:
    """A stable SHA-256 of a text, or of named field values."""
    if not isinstance(values, str):
        values = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(values.encode("utf-8")).hexdigest()


class Holder(enum.Enum):
    """Who wrote what the database holds, compared with the bundled file."""

    SAME = "same"  # the database already says what the file says
    LOADER = "loader"  # untouched since the loader wrote it: the file wins
    CURATOR = "curator"  # changed since the loader wrote it: the curator wins
    UNKNOWN = "unknown"  # written before fingerprints were kept: kept, to be safe


def holder(
    *,
    stored: str,
    current: Values,
    bundled: Values,
    unrecorded_is_loaders: bool = False,
) -> Holder:
    """Compare the database (`current`) with the file (`bundled`).

    `stored` is the fingerprint the loader recorded ("" if it never did);
    `unrecorded_is_loaders` says the caller knows that an unrecorded value
    can only have come from the loader.
    """
    if current == bundled:
        return Holder.SAME
    if stored:
        return Holder.LOADER if fingerprint(current) == stored else Holder.CURATOR
    return Holder.LOADER if unrecorded_is_loaders else Holder.UNKNOWN


def differing(current: Mapping[str, object], bundled: Mapping[str, object]) -> list:
    """The names of the fields whose values differ, in the file's order."""
    return [name for name in bundled if current.get(name) != bundled[name]]
