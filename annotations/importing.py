"""Import W3C Web Annotations: our own exports, or another tool's annotations
of an edition we hold, matched by their quote.

Three promises:

* Importing never widens who sees a note. Every imported annotation arrives
  private to the importer, whatever the file says; one written by someone
  else stays credited to them (`Annotation.original_creator`).
* The same annotation is imported once. Its identity in the file (its W3C
  `canonical`, else its `id`; `via` names a copy's original) is kept in
  `Annotation.canonical`, and an annotation the importer already holds under
  any of those identities, or under our own id, is reported "already in your
  notebook" instead of copied again. So importing a file again is harmless,
  and finishes an import that stopped half-way.
* Nothing is half-written, and nobody else waits long. The file is taken
  in batches of `BATCH_SIZE`: each batch is checked and placed (reads only),
  then written in its own short transaction, each annotation inside it all
  or nothing (its row, tags, dates and provenance together). A batch that
  finds the database locked by other writers is retried; if it stays locked,
  or the import runs out of time before the server's request timeout, the
  import stops after the last whole batch and says how far it got:
  importing the same file again adds the rest. (So a file is no longer
  written all at once: an import that stops has written whole annotations,
  batch by batch, never half of one.)
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.json_input import character_not_text, text_only
from reader import anchoring
from reader.anchoring import AnchorState
from reader.models import Edition, Part, Passage

from .models import (
    MAX_BODY_LENGTH,
    MAX_CREATOR_LENGTH,
    MAX_IMPORTED_IRI_LENGTH,
    Annotation,
    Colour,
    Motivation,
    Visibility,
)
from .services import TargetInput, annotation_create, reply_create
from .w3c import COLOUR_CSS, TN_NAMESPACE, TN_PREFIX
from .w3c_validation import annotation_problems, collection_items

MAX_IMPORT_ITEMS = 5000
# Small enough that a batch holds SQLite's write lock for well under its
# busy timeout (5 s), so other readers' writes queue behind it, not fail.
BATCH_SIZE = 25
# SQLite's waiting writers poll for the lock (sleeping up to 100 ms between
# tries); a batch that started the moment the last one committed would
# starve them, so the import steps aside that long between batches.
SQLITE_PAUSE_BETWEEN_BATCHES = 0.1  # seconds
LOCK_RETRIES = 3
RETRY_PAUSE = 0.5  # seconds, doubled on each retry
# Stop starting new batches after this long: gunicorn kills a request at
# 30 s, and a stopped import is finished by importing the file again.
TIME_BUDGET = 20.0  # seconds
# Dates a note can really have: none before the web, none from the future
# (a day's margin for clocks and time zones). Beyond them lie dates the
# database cannot store (year 10000 once in UTC) or pages cannot show.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_MARGIN = timedelta(days=1)

OUR_MOTIVATIONS = {m.value for m in Motivation}
NO_PARENT = gettext_lazy(
    "a reply to an annotation that is neither here nor in the file"
)
SHARED_THREAD = gettext_lazy(
    "a reply in a thread that others can see here; imported notes stay "
    "private, so reply on the page instead"
)
# Selectors we cannot evaluate against our text: only a quote places them.
UNSUPPORTED = (
    "XPathSelector",
    "CssSelector",
    "SvgSelector",
    "DataPositionSelector",
)
# A relative id such as Annotorious and Recogito write ("#" and a UUID).
# JSON-LD resolves it against the file, so it is an id within the file.
_FRAGMENT_ID_RE = re.compile(r"#[A-Za-z0-9._~:@!$&'()*+,;=/?%-]+")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_CSS_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_COLOURS_BY_NAME = {
    **{c.value: c.value for c in Colour},
    **{css.lower(): c.value for c, css in COLOUR_CSS.items()},
}


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    already_here: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    # Progress: how many batches were written, and, when the import stopped
    # before the end, why and how many annotations it did not get to.
    batches: int = 0
    not_reached: int = 0
    stopped: str = ""

    @property
    def total(self) -> int:
        return (
            len(self.imported)
            + len(self.already_here)
            + len(self.rejected)
            + self.not_reached
        )


@dataclass
class _Plan:
    label: str
    keep_id: uuid.UUID | None
    motivation: str
    body: str
    tags: list[str]
    colour: str
    created: datetime | None
    modified: datetime | None
    canonical: str = ""
    original_creator: str = ""
    identities: set[str] = field(default_factory=set)
    edition: Edition | None = None
    target: TargetInput | None = None
    reply_to_label: str | None = None  # an id in this file
    reply_to_existing: Annotation | None = None
    # A tombstone: deleted by its author, kept for others' replies.
    deleted: datetime | None = None


class _Reject(Exception):
    pass


class _Stop(Exception):
    """The database stayed locked: stop after the last whole batch."""


def import_annotations(
    *, user: AbstractBaseUser, data: Any, request: HttpRequest
) -> ImportReport:
    started = time.monotonic()
    report = ImportReport()
    items = collection_items(data)
    if items is None:
        items = [data] if isinstance(data, dict) else None
    if items is None:
        report.rejected.append(
            ("file", _("This is not a W3C annotation, page or collection."))
        )
        return report
    if len(items) > MAX_IMPORT_ITEMS:
        report.rejected.append(
            ("file", _("At most %d annotations in one file.") % MAX_IMPORT_ITEMS)
        )
        return report

    _Import(user=user, items=items, report=report).run(started=started)
    return report


class _Import:
    """One file's import: each batch of items is checked, placed and then
    written in one short transaction before the next is read, so a long
    file makes steady progress and stops, when it must, after a whole batch.
    """

    def __init__(
        self, *, user: AbstractBaseUser, items: list[Any], report: ImportReport
    ) -> None:
        self.user = user
        self.report = report
        self.editions = list(Edition.objects.readable_by(user))
        self.held = _Holdings(user, items)
        # Labels of items now here (imported, or the importer's copy held
        # already), and of items repeating an earlier one, so that replies
        # find their parent.
        self.written: dict[str, Annotation] = {}
        self.aliases: dict[str, str] = {}
        # Roots first: a reply may come before the root it answers.
        numbered = list(enumerate(items, start=1))
        self.queue = [n for n in numbered if not _is_reply(n[1])] + [
            n for n in numbered if _is_reply(n[1])
        ]

    def run(self, *, started: float) -> None:
        report = self.report
        for start in range(0, len(self.queue), BATCH_SIZE):
            if start and time.monotonic() - started > TIME_BUDGET:
                report.not_reached = len(self.queue) - start
                report.stopped = _(
                    "The import stopped to keep within the server's time limit."
                )
                return
            chunk = self.queue[start : start + BATCH_SIZE]
            plans = [
                plan
                for index, item in chunk
                if (plan := self._plan(index, item)) is not None
            ]
            if not plans:
                continue
            try:
                imported, rejected, created = _write_batch_retrying(
                    plans, user=self.user, written=self.written
                )
            except _Stop:
                report.not_reached = len(plans) + len(self.queue) - start - len(chunk)
                report.stopped = _(
                    "The import stopped because the database stayed busy with "
                    "other readers' changes."
                )
                return
            report.imported += imported
            report.rejected += rejected
            self.written.update(created)
            report.batches += 1
            if connection.vendor == "sqlite":
                time.sleep(SQLITE_PAUSE_BETWEEN_BATCHES)

    def _plan(self, index: int, item: Any) -> _Plan | None:
        """Check and place one item, or report why it is not to be written."""
        report, held = self.report, self.held
        label = text_only(
            str(item.get("id"))
            if isinstance(item, dict) and item.get("id")
            else f"#{index}"
        )
        odd = character_not_text(item)
        if odd is not None:
            # Checked first: the other reasons may quote the file's words,
            # and no page or database takes these characters.
            report.rejected.append(
                (
                    label,
                    _(
                        "it contains the character %(char)s, which is not text "
                        "(a lone half of a surrogate pair, or NUL)"
                    )
                    % {"char": odd},
                )
            )
            return None
        problems = _problems(item)
        if problems:
            first = problems[0]
            report.rejected.append(
                (
                    label,
                    _("not a valid W3C annotation: %(where)s: %(what)s")
                    % {"where": first.path or "annotation", "what": first.message},
                )
            )
            return None
        identities = _identities(item)
        copy = held.find(identities)
        if copy is not None:
            report.already_here.append(label)
            if isinstance(copy, Annotation):
                self.written[label] = copy
            else:
                self.aliases[label] = copy
            return None
        try:
            plan = _plan(item, label=label, user=self.user, editions=self.editions)
        except _Reject as exc:
            report.rejected.append((label, str(exc)))
            return None
        if plan.target is None:
            plan.reply_to_label = self.aliases.get(
                plan.reply_to_label or "", plan.reply_to_label
            )
            # A reply to an annotation the importer holds a copy of goes to
            # that copy (their private thread), not to the original.
            parent = held.find({_identity(plan.reply_to_label) or ""})
            if isinstance(parent, Annotation):
                plan.reply_to_existing = parent
        plan.canonical = _canonical(item, held)
        held.claim(identities, label)
        return plan


def _is_reply(item: Any) -> bool:
    """A reply names the annotation it answers as its (first) target."""
    if not isinstance(item, dict):
        return False
    motivations = _strings(item.get("motivation"))
    if next((m for m in motivations if m in OUR_MOTIVATIONS), "") == "replying":
        return True
    targets = item.get("target")
    first = targets[0] if isinstance(targets, list) and targets else targets
    return isinstance(first, str)


# --- Identity ----------------------------------------------------------------


def _identity(value: Any) -> str | None:
    """An id, canonical or via as we compare and store it, or None.

    Our own annotation IRIs (from any host) and `urn:uuid:` ids become one
    form, `urn:uuid:<uuid>`; so does a "#<uuid>" fragment. Any other relative
    id names an annotation only within its file, and is no identity.
    """
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or not value:
        return None
    ours = _our_annotation_id(value)
    if ours is not None:
        return f"urn:uuid:{ours}"
    if value[:9].lower() == "urn:uuid:" and _UUID_RE.fullmatch(value[9:]):
        return f"urn:uuid:{value[9:].lower()}"
    if value.startswith("#") and _UUID_RE.fullmatch(value[1:]):
        return f"urn:uuid:{value[1:].lower()}"
    if value.startswith("#"):
        return None
    return value


def _identities(item: Any) -> set[str]:
    if not isinstance(item, dict):
        return set()
    found = {_identity(item.get(key)) for key in ("id", "canonical")}
    via = item.get("via")
    for value in via if isinstance(via, list) else [via]:
        found.add(_identity(value))
    return {i for i in found if i}


def _uuid_of(identity: str) -> uuid.UUID | None:
    if not identity.startswith("urn:uuid:"):
        return None
    try:
        return uuid.UUID(identity[9:])
    except ValueError:  # "urn:uuid:" and no UUID: an identity, not one of ours
        return None


class _Holdings:
    """What the importer already holds, read once for the whole file."""

    def __init__(self, user: AbstractBaseUser, items: list[Any]) -> None:
        wanted = set().union(*(_identities(i) for i in items)) if items else set()
        ids = [u for u in (_uuid_of(i) for i in wanted) if u is not None]
        # Our annotations the file names, and what they are copies of: an
        # export of someone's copy names the copy, not the original.
        self.originals: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            for pk, canonical in Annotation.objects.filter(
                pk__in=ids[start : start + 500]
            ).values_list("pk", "canonical"):
                if canonical:
                    self.originals[f"urn:uuid:{pk}"] = canonical
        self.mine: dict[str, Annotation] = {}
        for annotation in Annotation.objects.filter(author=user).only(
            "pk", "canonical", "author", "visibility", "reply_to", "course"
        ):
            self.mine[f"urn:uuid:{annotation.pk}"] = annotation
            if annotation.canonical:
                self.mine.setdefault(annotation.canonical, annotation)
        self.in_file: dict[str, str] = {}

    def expand(self, identities: set[str]) -> set[str]:
        return identities | {
            self.originals[i] for i in identities if i in self.originals
        }

    def find(self, identities: set[str]) -> Annotation | str | None:
        """The importer's copy of this annotation if they hold one, else the
        label of an earlier item of this file that is the same annotation."""
        for identity in self.expand(identities):
            if identity in self.mine:
                return self.mine[identity]
        for identity in self.expand(identities):
            if identity in self.in_file:
                return self.in_file[identity]
        return None

    def claim(self, identities: set[str], label: str) -> None:
        for identity in self.expand(identities):
            self.in_file[identity] = label


def _canonical(item: dict[str, Any], held: _Holdings) -> str:
    """The identity an imported copy keeps: the original's, when known."""
    for key in ("canonical", "id"):
        identity = _identity(item.get(key))
        if identity:
            identity = held.originals.get(identity, identity)
            return identity if len(identity) <= MAX_IMPORTED_IRI_LENGTH else ""
    return ""


# --- Checking and placing ------------------------------------------------------


def _problems(item: Any) -> list[Any]:
    problems = annotation_problems(item)
    if isinstance(item, dict) and _is_fragment_id(item.get("id")):
        # A relative "#..." id is taken (see _FRAGMENT_ID_RE); the model's
        # rule for an absolute IRI is the only one it breaks.
        problems = [p for p in problems if p.path != "id"]
    return problems


def _is_fragment_id(value: Any) -> bool:
    return isinstance(value, str) and _FRAGMENT_ID_RE.fullmatch(value) is not None


def _our_annotation_id(value: str) -> uuid.UUID | None:
    try:
        match = resolve(urlparse(value).path)
    except Resolver404:
        return None
    if match.view_name != "api:annotation-detail":
        return None
    try:
        return uuid.UUID(str(match.kwargs["pk"]))
    except ValueError:
        return None


def _plan(
    item: dict[str, Any],
    *,
    label: str,
    user: AbstractBaseUser,
    editions: list[Edition],
) -> _Plan:
    for key in ("id", "canonical"):
        value = item.get(key)
        if isinstance(value, str) and len(value) > MAX_IMPORTED_IRI_LENGTH:
            raise _Reject(
                _("its “%(key)s” is longer than %(n)d characters")
                % {"key": key, "n": MAX_IMPORTED_IRI_LENGTH}
            )
    keep_id = _our_annotation_id(str(item.get("id", "")))
    motivations = _strings(item.get("motivation"))
    motivation = next((m for m in motivations if m in OUR_MOTIVATIONS), "")
    body, tags, colour = _bodies(item, motivations)
    if len(body) > MAX_BODY_LENGTH:
        raise _Reject(_("the note is longer than %d characters") % MAX_BODY_LENGTH)
    if not motivation:
        motivation = Motivation.COMMENTING if body.strip() else Motivation.HIGHLIGHTING
    plan = _Plan(
        label=label,
        keep_id=keep_id,
        motivation=motivation,
        body=body,
        tags=tags,
        colour=colour or Colour.YELLOW,
        created=_date(item, "created"),
        modified=_date(item, "modified"),
        deleted=_date(item, f"{TN_PREFIX}:deleted")
        or _date(item, f"{TN_NAMESPACE}deleted"),
        original_creator=_creator(item, user),
    )
    targets = item.get("target")
    targets = targets if isinstance(targets, list) else [targets]
    if _is_reply(item):
        target = targets[0] if targets else None
        source = target if isinstance(target, str) else (target or {}).get("source")
        plan.reply_to_label = str(source or "")
        parent_id = _our_annotation_id(plan.reply_to_label)
        if parent_id is not None:
            plan.reply_to_existing = (
                Annotation.objects.visible_to(user).filter(pk=parent_id).first()
            )
        return plan
    reasons: list[str] = []
    for target in targets:
        if (
            not colour
            and isinstance(target, dict)
            and target.get("styleClass") in Colour.values
        ):
            plan.colour = target["styleClass"]
        try:
            plan.edition, plan.target = _place(target, editions)
        except _Reject as exc:
            reasons.append(str(exc))
            continue
        return plan
    raise _Reject(
        reasons[0]
        if reasons
        else _("not for this edition: its quote was not found in any passage")
    )


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _bodies(item: dict[str, Any], motivations: list[str]) -> tuple[str, list[str], str]:
    """The note's text, its tags, and the colour a highlighting body names.

    A body's role is its `purpose`, else the annotation's one motivation (the
    model's rule). A highlighting body that is a colour ("yellow", "#fff3a3")
    is the highlight's colour, not text to show as a note. Any other text is
    kept as the note, whatever its purpose: nothing written is dropped.
    """
    notes: list[str] = []
    tags: list[str] = []
    colour = ""
    if isinstance(item.get("bodyValue"), str):
        notes.append(item["bodyValue"])
    inherited = motivations if len(motivations) == 1 else []
    bodies = item.get("body") or []
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        value = body["value"]
        purposes = _strings(body.get("purpose")) or inherited
        if "tagging" in purposes:
            tags.append(value)
        elif "highlighting" in purposes and _is_colour(value):
            colour = colour or _COLOURS_BY_NAME.get(value.strip().lower(), "")
        else:
            notes.append(value)
    return "\n\n".join(notes), tags, colour


def _is_colour(value: str) -> bool:
    """One of our colours by name or CSS, or any CSS hex colour (one we do
    not have is dropped for the default: it is a colour, not words)."""
    word = value.strip().lower()
    return word in _COLOURS_BY_NAME or _CSS_HEX_RE.fullmatch(word) is not None


def _date(item: dict[str, Any], key: str) -> datetime | None:
    """The file's date, if it has one we can keep; a date outside the range
    a note can have (see EARLIEST_DATE) refuses the whole annotation."""
    value = item.get(key)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    latest = timezone.now() + FUTURE_MARGIN
    if not EARLIEST_DATE <= parsed <= latest:
        raise _Reject(
            _(
                "its “%(key)s” date %(value)s is outside the dates a note can "
                "have (%(earliest)s to %(latest)s)"
            )
            % {
                "key": key,
                "value": value,
                "earliest": f"{EARLIEST_DATE:%Y-%m-%d}",
                "latest": f"{latest:%Y-%m-%d}",
            }
        )
    return parsed


def _creator(item: dict[str, Any], user: AbstractBaseUser) -> str:
    """Whom the file credits, when that is someone other than the importer.

    The first creator's name, else nickname, else its IRI. A credit naming
    the importer's own username is their own note coming home.
    """
    creators = item.get("creator")
    first = (creators or [None])[0] if isinstance(creators, list) else creators
    if isinstance(first, dict):
        names = _strings(first.get("name")) or _strings(first.get("nickname"))
        name = names[0] if names else str(first.get("id") or "")
        nicknames = _strings(first.get("nickname"))
    elif isinstance(first, str):
        name, nicknames = first, []
    else:
        return ""
    name = " ".join(name.split())
    username = user.get_username()
    if not name or name == username or username in nicknames:
        return ""
    if len(name) > MAX_CREATOR_LENGTH:
        name = name[: MAX_CREATOR_LENGTH - 1] + "…"
    return name


def _selectors(target: dict[str, Any]) -> list[dict[str, Any]]:
    selectors = target.get("selector") or []
    return [
        s
        for s in (selectors if isinstance(selectors, list) else [selectors])
        if isinstance(s, dict)
    ]


def _refinements(selector: dict[str, Any]) -> list[dict[str, Any]]:
    """A selector and the chain of selectors that refine it."""
    chain: list[dict[str, Any]] = []
    while isinstance(selector, dict) and len(chain) < 8:
        chain.append(selector)
        selector = selector.get("refinedBy")
    return chain


def _resolve_source(source: Any) -> Any:
    if not isinstance(source, str):
        return None
    try:
        return resolve(urlparse(source).path)
    except Resolver404:
        return None


def _place(target: Any, editions: list[Edition]) -> tuple[Edition, TargetInput]:
    """Where a target points in one of our editions, or _Reject saying why not."""
    if not isinstance(target, dict):
        raise _Reject(_("not for this edition: its target is not a passage here"))
    selectors = _selectors(target)
    everything = [s for top in selectors for s in _refinements(top)]
    quote = next((s for s in everything if s.get("type") == "TextQuoteSelector"), None)
    if quote is not None and not isinstance(quote.get("exact"), str):
        quote = None
    # A RangeSelector's ends are selectors too (XPath, CSS ...).
    everything += [
        s
        for r in everything
        if r.get("type") == "RangeSelector"
        for end in (r.get("startSelector"), r.get("endSelector"))
        if isinstance(end, dict)
        for s in _refinements(end)
    ]
    position = next(
        (s for s in selectors if s.get("type") == "TextPositionSelector"), None
    )
    range_selector = next(
        (s for s in selectors if s.get("type") == "RangeSelector"), None
    )
    fragment = next((s for s in selectors if s.get("type") == "FragmentSelector"), None)
    match = _resolve_source(target.get("source"))
    edition_by_slug = {e.slug: e for e in editions}
    source_edition = (
        edition_by_slug.get(match.kwargs.get("edition", "")) if match else None
    )

    # A passage's page (older exports) or its plain text: the same offsets.
    passage_views = ("reader:passage", "reader:passage_text")
    if match and match.view_name in passage_views and source_edition:
        passage = _passages_by_key(source_edition).get(match.kwargs["key"])
        if passage is not None:
            placed = _in_passages([passage], quote, position)
            if placed:
                return source_edition, placed
    if match and match.view_name == "reader:part_text" and source_edition:
        # Offsets count in the part's passages joined by line breaks.
        part = Part.objects.filter(
            edition=source_edition, slug=match.kwargs["part"]
        ).first()
        passages = list(part.passages.all()) if part else []
        placed = _in_passages(passages, quote, position) if passages else None
        if placed:
            return source_edition, placed
    if match and match.view_name == "reader:part" and range_selector and source_edition:
        part = Part.objects.filter(
            edition=source_edition, slug=match.kwargs["part"]
        ).first()
        placed = _from_range(part, range_selector, quote) if part else None
        if placed:
            return source_edition, placed
    if fragment is not None:
        placed_in = _from_fragment(fragment, quote, source_edition, editions)
        if placed_in is not None:
            return placed_in
    if quote is not None:
        # Another tool's annotation, or a text that moved: search by quote.
        return _search_editions(editions, quote)
    if fragment is not None:
        raise _Reject(
            _("not for this edition: the FragmentSelector “%s” names no passage here")
            % str(fragment.get("value", ""))[:60]
        )
    if range_selector is not None and match and match.view_name == "reader:part":
        raise _Reject(
            _(
                "not placed: its RangeSelector does not select text in that "
                "part; add a TextQuoteSelector"
            )
        )
    unsupported = sorted(
        {str(s.get("type")) for s in everything if s.get("type") in UNSUPPORTED}
    )
    if unsupported:
        raise _Reject(
            _("not placed: %(types)s is not supported; add a TextQuoteSelector")
            % {"types": ", ".join(unsupported)}
        )
    if position is not None:
        raise _Reject(
            _(
                "not placed: a TextPositionSelector counts characters in its "
                "source, which is not a passage here; add a TextQuoteSelector"
            )
        )
    raise _Reject(
        _("not for this edition: it names no passage here and quotes no words")
    )


def _from_fragment(
    fragment: dict[str, Any],
    quote: dict[str, Any] | None,
    source_edition: Edition | None,
    editions: list[Edition],
) -> tuple[Edition, TargetInput] | None:
    """A FragmentSelector naming a passage (`black-007`): the quote in that
    passage when there is one, else the whole passage."""
    key = str(fragment.get("value", "")).lstrip("#")
    if not key:
        return None
    passages = list(
        Passage.objects.filter(
            edition__in=[source_edition] if source_edition else editions, key=key
        ).select_related("edition")
    )
    if not passages:
        return None
    if len(passages) > 1:
        raise _Reject(
            _(
                "not placed: passage “%s” is in several editions and the "
                "target's source does not say which"
            )
            % key
        )
    passage = passages[0]
    refined = [
        s for s in _refinements(fragment)[1:] if s.get("type") == "TextPositionSelector"
    ]
    if quote is not None and passage.text.count(quote["exact"]) == 1:
        # The fragment has already said where: a quote found once in that
        # passage is the place, however short (re-anchoring's rules for
        # short quotes guard against guessing in a whole text).
        start = passage.text.index(quote["exact"])
        return passage.edition, TargetInput(
            key, start, key, start + len(quote["exact"])
        )
    if quote is not None or refined:
        placed = _in_passages([passage], quote, refined[0] if refined else None)
        if placed is None:
            raise _Reject(
                _("not placed: its quote was not found in passage “%s”") % key
            )
        return passage.edition, placed
    if not passage.text.strip():
        raise _Reject(_("not placed: passage “%s” has no text") % key)
    return passage.edition, TargetInput(key, 0, key, len(passage.text))


def _search_editions(
    editions: list[Edition], quote: dict[str, Any]
) -> tuple[Edition, TargetInput]:
    ambiguous = False
    for edition in editions:
        placed, several = _search_edition(edition, quote)
        if placed:
            return edition, placed
        ambiguous = ambiguous or several
    if ambiguous:
        raise _Reject(
            _(
                "not placed: its quote is in several places and its context "
                "does not tell which"
            )
        )
    raise _Reject(_("not for this edition: its quote was not found in any passage"))


def _edition_documents(
    edition: Edition,
) -> list[tuple[list[Passage], anchoring.Document]]:
    """Each part's passages and joined text, read once per import (an import
    may search the same edition for thousands of quotes)."""
    cached = getattr(edition, "_import_documents", None)
    if cached is None:
        cached = []
        for part in edition.parts.prefetch_related("passages"):
            passages = list(part.passages.all())
            cached.append(
                (passages, anchoring.join_passages([p.text for p in passages]))
            )
        edition._import_documents = cached
    return cached


def _passages_by_key(edition: Edition) -> dict[str, Passage]:
    cached = getattr(edition, "_import_passages", None)
    if cached is None:
        cached = {
            p.key: p for passages, _doc in _edition_documents(edition) for p in passages
        }
        edition._import_passages = cached
    return cached


def _search_edition(
    edition: Edition, quote: dict[str, Any]
) -> tuple[TargetInput | None, bool]:
    """Place a quote anywhere in an edition, or refuse to guess (and say
    whether it was found more than once).

    A quote found exactly once in the whole edition is taken; one found in
    several places must be singled out by its context (in exactly one part).
    """
    exact = quote["exact"]
    parts = [
        (passages, document, document.text.count(exact))
        for passages, document in _edition_documents(edition)
    ]
    found = [(passages, document) for passages, document, n in parts if n]
    if len(found) == 1 and sum(n for *_, n in parts) == 1:
        passages, document = found[0]
        start = document.text.index(exact)
        found_once = anchoring.local_placement(
            document, AnchorState.MOVED, start, start + len(exact)
        )
        return _target(passages, found_once), False
    candidates = [
        placed
        for passages, _document, _n in parts
        if (placed := _in_passages(passages, quote, None)) is not None
    ]
    if len(candidates) == 1:
        return candidates[0], False
    return None, len(candidates) > 1 or sum(n for *_, n in parts) > 1


def _target(
    passages: list[Passage], placement: anchoring.Placement
) -> TargetInput | None:
    """The target a placement over `passages` gives, None for an orphan."""
    if placement.is_orphaned:
        return None
    return TargetInput(
        passages[placement.first].key,
        placement.start_offset,
        passages[placement.last].key,
        placement.end_offset,
    )


def _in_passages(
    passages: list[Passage],
    quote: dict[str, Any] | None,
    position: dict[str, Any] | None,
) -> TargetInput | None:
    if quote is None or not isinstance(quote.get("exact"), str):
        if position is None or len(passages) != 1:
            return None
        start, end = position.get("start"), position.get("end")
        text = passages[0].text
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and 0 <= start < end <= len(text)
        ):
            return TargetInput(passages[0].key, start, passages[0].key, end)
        return None
    start = position.get("start") if position else 0
    end = position.get("end") if position else 0
    if not (isinstance(start, int) and isinstance(end, int)):
        start = end = 0
    placement = anchoring.resolve_in_document(
        anchoring.join_passages([p.text for p in passages]),
        anchoring.Anchor(
            start=start,
            end=end,
            quote=anchoring.Quote(
                exact=quote["exact"],
                prefix=str(quote.get("prefix") or ""),
                suffix=str(quote.get("suffix") or ""),
            ),
        ),
    )
    return _target(passages, placement)


def _from_range(
    part: Part, range_selector: dict[str, Any], quote: dict[str, Any] | None
) -> TargetInput | None:
    passages = list(part.passages.all())
    keys = {p.key: p for p in passages}

    def end_of(selector: Any, which: str) -> tuple[str, int] | None:
        if not isinstance(selector, dict) or selector.get("type") != "CssSelector":
            return None
        key = str(selector.get("value", "")).lstrip("#")
        refined = selector.get("refinedBy") or {}
        offset = refined.get(which) if isinstance(refined, dict) else None
        if key in keys and isinstance(offset, int):
            return key, offset
        return None

    start = end_of(range_selector.get("startSelector"), "start")
    end = end_of(range_selector.get("endSelector"), "end")
    if start and end and _range_is_text(keys[start[0]], start[1], keys[end[0]], end[1]):
        first, last = keys[start[0]], keys[end[0]]
        span = [p for p in passages if first.order <= p.order <= last.order]
        document = anchoring.join_passages([p.text for p in span])
        g_start = document.to_global(0, start[1])
        g_end = document.to_global(len(span) - 1, end[1])
        if quote is None or document.text[g_start:g_end] == quote.get("exact"):
            return TargetInput(start[0], start[1], end[0], end[1])
    return _in_passages(passages, quote, None) if quote else None


def _range_is_text(first: Passage, start: int, last: Passage, end: int) -> bool:
    """Whether a range's ends select some text: each inside its passage, the
    end after the start. Anything else is no place (the quote may still be)."""
    if not (0 <= start <= len(first.text) and 0 <= end <= len(last.text)):
        return False
    return first.order < last.order or (first.order == last.order and start < end)


# --- Writing -------------------------------------------------------------------


def _write_batch_retrying(
    batch: list[_Plan], *, user: AbstractBaseUser, written: dict[str, Annotation]
) -> tuple[list[str], list[tuple[str, str]], dict[str, Annotation]]:
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return _write_batch(batch, user=user, written=written)
        except OperationalError as exc:
            # SQLite's "database is locked": other writers hold it; worth
            # waiting for. Any other error is a fault to report, not retry.
            if "locked" not in str(exc):
                raise
            if attempt == LOCK_RETRIES:
                raise _Stop from exc
            time.sleep(RETRY_PAUSE * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _write_batch(
    batch: list[_Plan], *, user: AbstractBaseUser, written: dict[str, Annotation]
) -> tuple[list[str], list[tuple[str, str]], dict[str, Annotation]]:
    """One transaction; what it reports counts only once it commits."""
    imported: list[str] = []
    rejected: list[tuple[str, str]] = []
    created: dict[str, Annotation] = {}
    for plan in batch:
        try:
            with transaction.atomic():
                if plan.target is not None:
                    annotation = _create_root(plan, user=user)
                else:
                    # The parent as imported from this file first: a copy
                    # of someone's note is answered in the importer's copy.
                    label = plan.reply_to_label or ""
                    parent = (
                        created.get(label)
                        or written.get(label)
                        or plan.reply_to_existing
                    )
                    annotation = _create_reply(plan, user=user, parent=parent)
                _restore(annotation, plan)
        except _Reject as exc:
            rejected.append((plan.label, str(exc)))
            continue
        except ValidationError as exc:
            rejected.append((plan.label, "; ".join(exc.messages)))
            continue
        except PermissionDenied as exc:
            rejected.append((plan.label, str(exc)))
            continue
        created[plan.label] = annotation
        imported.append(plan.label)
    return imported, rejected, created


def _create_root(plan: _Plan, *, user: AbstractBaseUser) -> Annotation:
    return annotation_create(
        author=user,
        edition=plan.edition,
        target=plan.target,
        # A tombstone has no note to write; _restore marks it deleted.
        motivation=Motivation.HIGHLIGHTING if plan.deleted else plan.motivation,
        body=plan.body,
        tags=plan.tags,
        colour=plan.colour,
        # Whatever the file says: an import never shows a note to anyone.
        visibility=Visibility.PRIVATE,
        annotation_id=_free_id(plan.keep_id),
    )


def _create_reply(
    plan: _Plan, *, user: AbstractBaseUser, parent: Annotation | None
) -> Annotation:
    if parent is None:
        raise _Reject(NO_PARENT)
    root = parent.reply_to if parent.reply_to_id else parent
    # A reply is seen by whoever sees its thread: only a thread private to
    # the importer keeps the imported reply private.
    if root.author_id != user.pk or root.visibility != Visibility.PRIVATE:
        raise _Reject(SHARED_THREAD)
    return reply_create(
        author=user,
        parent=parent,
        body=plan.body,
        annotation_id=_free_id(plan.keep_id),
    )


def _restore(annotation: Annotation, plan: _Plan) -> None:
    """Keep the file's dates and provenance (auto-set fields can only be
    changed by update)."""
    updates: dict[str, Any] = {}
    if plan.created:
        updates["created"] = plan.created
    if plan.modified:
        updates["modified"] = plan.modified
    if plan.canonical and plan.canonical != f"urn:uuid:{annotation.pk}":
        updates["canonical"] = plan.canonical
    if plan.original_creator:
        updates["original_creator"] = plan.original_creator
    if plan.deleted and not annotation.is_reply:
        updates["deleted"] = plan.deleted
        updates["motivation"] = plan.motivation
    if updates:
        Annotation.objects.filter(pk=annotation.pk).update(**updates)


def _free_id(wanted: uuid.UUID | None) -> uuid.UUID | None:
    """Keep an exported id when nobody here uses it (a round trip)."""
    if wanted and not Annotation.objects.filter(pk=wanted).exists():
        return wanted
    return None
