"""Import W3C Web Annotations: our own exports, or another tool's annotations
of an edition we hold, matched by their quote.

Every annotation in the file is checked and placed before anything is
written; then all that can be imported are written in one transaction. Each
one that cannot is reported with the reason, and nothing is half-written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reader.models import Edition, Part, Passage

from . import anchoring
from .models import MAX_BODY_LENGTH, Annotation, Colour, Motivation, Visibility
from .services import TargetInput, annotation_create, reply_create
from .w3c import TN_NAMESPACE, TN_PREFIX
from .w3c_validation import annotation_problems, collection_items

MAX_IMPORT_ITEMS = 5000
OUR_MOTIVATIONS = {m.value for m in Motivation}
NO_PARENT = gettext_lazy(
    "a reply to an annotation that is neither here nor in the file"
)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    already_here: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.already_here) + len(self.rejected)


@dataclass
class _Plan:
    label: str
    keep_id: uuid.UUID | None
    motivation: str
    body: str
    tags: list[str]
    colour: str
    visibility: str
    created: datetime | None
    modified: datetime | None
    edition: Edition | None = None
    target: TargetInput | None = None
    reply_to_label: str | None = None  # an id in this file
    reply_to_existing: Annotation | None = None
    # A tombstone: deleted by its author, kept for others' replies.
    deleted: datetime | None = None


class _Reject(Exception):
    pass


def import_annotations(
    *, user: AbstractBaseUser, data: Any, request: HttpRequest
) -> ImportReport:
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

    # Only editions the importer may read: nothing is placed in the others.
    editions = list(Edition.objects.readable_by(user))
    plans: list[_Plan] = []
    for index, item in enumerate(items, start=1):
        label = (
            str(item.get("id"))
            if isinstance(item, dict) and item.get("id")
            else f"#{index}"
        )
        problems = annotation_problems(item)
        if problems:
            first = problems[0]
            report.rejected.append(
                (
                    label,
                    _("not a valid W3C annotation: %(where)s: %(what)s")
                    % {"where": first.path or "annotation", "what": first.message},
                )
            )
            continue
        try:
            plan = _plan(item, label=label, user=user, editions=editions)
        except _Reject as exc:
            report.rejected.append((label, str(exc)))
            continue
        if plan is None:
            report.already_here.append(label)
            continue
        plans.append(plan)

    with transaction.atomic():
        created: dict[str, Annotation] = {}
        for plan in [p for p in plans if p.target is not None]:
            try:
                annotation = annotation_create(
                    author=user,
                    edition=plan.edition,
                    target=plan.target,
                    # A tombstone has no note to write; _restore marks it.
                    motivation=Motivation.HIGHLIGHTING
                    if plan.deleted
                    else plan.motivation,
                    body=plan.body,
                    tags=plan.tags,
                    colour=plan.colour,
                    visibility=plan.visibility,
                    annotation_id=_free_id(plan.keep_id),
                )
            except ValidationError as exc:
                report.rejected.append((plan.label, "; ".join(exc.messages)))
                continue
            _restore(annotation, plan)
            created[plan.label] = annotation
            report.imported.append(plan.label)
        for plan in [p for p in plans if p.target is None]:
            parent = plan.reply_to_existing or created.get(plan.reply_to_label or "")
            if parent is None:
                report.rejected.append((plan.label, NO_PARENT))
                continue
            try:
                reply = reply_create(
                    author=user,
                    parent=parent,
                    body=plan.body,
                    annotation_id=_free_id(plan.keep_id),
                )
            except ValidationError as exc:
                report.rejected.append((plan.label, "; ".join(exc.messages)))
                continue
            except PermissionDenied as exc:
                report.rejected.append((plan.label, str(exc)))
                continue
            _restore(reply, plan)
            report.imported.append(plan.label)
    return report


def _restore(annotation: Annotation, plan: _Plan) -> None:
    """Keep the file's dates (auto-set fields can only be changed by update)."""
    updates: dict[str, Any] = {}
    if plan.created:
        updates["created"] = plan.created
    if plan.modified:
        updates["modified"] = plan.modified
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
) -> _Plan | None:
    keep_id = _our_annotation_id(str(item.get("id", "")))
    if keep_id and Annotation.objects.filter(pk=keep_id, author=user).exists():
        return None
    motivations = item.get("motivation") or []
    if isinstance(motivations, str):
        motivations = [motivations]
    motivation = next((m for m in motivations if m in OUR_MOTIVATIONS), "")
    body, tags = _bodies(item)
    if len(body) > MAX_BODY_LENGTH:
        raise _Reject(_("the note is longer than %d characters") % MAX_BODY_LENGTH)
    if not motivation:
        motivation = Motivation.COMMENTING if body.strip() else Motivation.HIGHLIGHTING
    visibility = item.get(f"{TN_PREFIX}:visibility") or item.get(
        f"{TN_NAMESPACE}visibility"
    )
    if visibility not in (Visibility.PRIVATE, Visibility.PUBLIC):
        visibility = Visibility.PRIVATE
    plan = _Plan(
        label=label,
        keep_id=keep_id,
        motivation=motivation,
        body=body,
        tags=tags,
        colour=Colour.YELLOW,
        visibility=visibility,
        created=_when(item.get("created")),
        modified=_when(item.get("modified")),
        deleted=_when(
            item.get(f"{TN_PREFIX}:deleted") or item.get(f"{TN_NAMESPACE}deleted")
        ),
    )
    targets = item.get("target")
    targets = targets if isinstance(targets, list) else [targets]
    for target in targets:
        source = target if isinstance(target, str) else (target or {}).get("source")
        if isinstance(target, dict) and target.get("styleClass") in Colour.values:
            plan.colour = target["styleClass"]
        if motivation == Motivation.REPLYING or isinstance(target, str):
            parent_id = _our_annotation_id(str(source or ""))
            if parent_id is None and isinstance(source, str):
                plan.reply_to_label = source
                return plan
            existing = Annotation.objects.visible_to(user).filter(pk=parent_id).first()
            plan.reply_to_existing = existing
            plan.reply_to_label = str(source)
            return plan
        placed = _place(target, editions)
        if placed is not None:
            plan.edition, plan.target = placed
            return plan
    raise _Reject(_("not for this edition: its quote was not found in any passage"))


def _bodies(item: dict[str, Any]) -> tuple[str, list[str]]:
    notes: list[str] = []
    tags: list[str] = []
    if isinstance(item.get("bodyValue"), str):
        notes.append(item["bodyValue"])
    bodies = item.get("body") or []
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        if body.get("purpose") == "tagging":
            tags.append(body["value"])
        else:
            notes.append(body["value"])
    return "\n\n".join(notes), tags


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _selectors(target: dict[str, Any]) -> list[dict[str, Any]]:
    selectors = target.get("selector") or []
    return [
        s
        for s in (selectors if isinstance(selectors, list) else [selectors])
        if isinstance(s, dict)
    ]


def _place(target: Any, editions: list[Edition]) -> tuple[Edition, TargetInput] | None:
    """Find where a target points in one of our editions, or None."""
    if not isinstance(target, dict):
        return None
    selectors = _selectors(target)
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
    position = next(
        (s for s in selectors if s.get("type") == "TextPositionSelector"), None
    )
    range_selector = next(
        (s for s in selectors if s.get("type") == "RangeSelector"), None
    )
    source = target.get("source")
    match = None
    if isinstance(source, str):
        try:
            match = resolve(urlparse(source).path)
        except Resolver404:
            match = None
    edition_by_slug = {e.slug: e for e in editions}

    # A passage's page (older exports) or its plain text: the same offsets.
    if match and match.view_name in ("reader:passage", "reader:passage_text"):
        edition = edition_by_slug.get(match.kwargs["edition"])
        passage = (
            Passage.objects.filter(edition=edition, key=match.kwargs["key"]).first()
            if edition
            else None
        )
        if passage is not None:
            placed = _in_passages([passage], quote, position)
            if placed:
                return edition, placed
    if match and match.view_name == "reader:part_text":
        # Offsets count in the part's passages joined by line breaks.
        edition = edition_by_slug.get(match.kwargs["edition"])
        part = Part.objects.filter(edition=edition, slug=match.kwargs["part"]).first()
        passages = list(part.passages.all()) if part else []
        placed = _in_passages(passages, quote, position) if passages else None
        if placed:
            return edition, placed
    if match and match.view_name == "reader:part" and range_selector:
        edition = edition_by_slug.get(match.kwargs["edition"])
        part = Part.objects.filter(edition=edition, slug=match.kwargs["part"]).first()
        placed = _from_range(part, range_selector, quote) if part else None
        if placed:
            return edition, placed
    if quote is None or not isinstance(quote.get("exact"), str):
        return None
    # Another tool's annotation, or a text that moved: search by quote.
    for edition in editions:
        placed = _search_edition(edition, quote)
        if placed:
            return edition, placed
    return None


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


def _search_edition(edition: Edition, quote: dict[str, Any]) -> TargetInput | None:
    """Place a quote anywhere in an edition, or refuse to guess.

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
        return _target_in(passages, document, start, start + len(exact))
    candidates = [
        placed
        for passages, _document, _n in parts
        if (placed := _in_passages(passages, quote, None)) is not None
    ]
    return candidates[0] if len(candidates) == 1 else None


def _target_in(
    passages: list[Passage], document: anchoring.Document, start: int, end: int
) -> TargetInput:
    first_index, first_offset = document.to_local(start)
    last_index, last_offset = document.to_local_end(end)
    return TargetInput(
        passages[first_index].key, first_offset, passages[last_index].key, last_offset
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
    document = anchoring.join_passages([p.text for p in passages])
    start = position.get("start") if position else 0
    end = position.get("end") if position else 0
    if not (isinstance(start, int) and isinstance(end, int)):
        start = end = 0
    anchor = anchoring.Anchor(
        start=start,
        end=end,
        quote=anchoring.Quote(
            exact=quote["exact"],
            prefix=str(quote.get("prefix") or ""),
            suffix=str(quote.get("suffix") or ""),
        ),
    )
    resolution = anchoring.resolve(document.text, anchor)
    if resolution.state == anchoring.AnchorState.ORPHANED:
        return None
    return _target_in(passages, document, resolution.start, resolution.end)


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
    if start and end:
        first, last = keys[start[0]], keys[end[0]]
        span = [p for p in passages if first.order <= p.order <= last.order]
        document = anchoring.join_passages([p.text for p in span])
        g_start = document.to_global(0, start[1])
        g_end = document.to_global(len(span) - 1, end[1])
        if quote is None or document.text[g_start:g_end] == quote.get("exact"):
            return TargetInput(start[0], start[1], end[0], end[1])
    return _in_passages(passages, quote, None) if quote else None
