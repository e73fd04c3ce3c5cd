"""A reader's notebook as Markdown, CSV and W3C JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .models import Annotation
from .w3c import annotation_to_w3c, collection_to_w3c

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formula injection (OWASP): prefix a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _own_items(
    annotations: Iterable[Annotation], user: AbstractBaseUser
) -> list[tuple[Annotation, Annotation]]:
    """(item, its root) for each root and the reader's own replies to it.

    Other readers' replies are theirs: they appear in the Markdown for
    reading, but never in the files an import would attribute to this reader.
    """
    items: list[tuple[Annotation, Annotation]] = []
    for annotation in annotations:
        items.append((annotation, annotation))
        items.extend(
            (r, annotation)
            for r in annotation.visible_replies
            if r.author_id == user.pk
        )
    return items


def to_markdown(annotations: list[Annotation], *, user: AbstractBaseUser) -> str:
    lines = [
        f"# My notebook: {user.get_username()}",
        "",
        f"Exported from Three Notebooks on {timezone.now():%Y-%m-%d}.",
    ]
    edition = part = None
    for annotation in annotations:
        passage = annotation.start_passage
        if annotation.edition_id != edition:
            edition = annotation.edition_id
            lines += ["", f"# {annotation.edition.title}"]
            part = None
        if passage.part_id != part:
            part = passage.part_id
            lines += ["", f"## {passage.part.title}"]
        quote = " ".join(annotation.exact.split())
        where = passage.key
        if annotation.end_passage_id != passage.pk:
            where = f"{passage.key}–{annotation.end_passage.key}"
        meta = [
            annotation.get_motivation_display(),
            where,
            annotation.get_visibility_display(),
        ]
        tags = [t.name for t in annotation.tags_in_order()]
        if tags:
            meta.append(" ".join(f"#{t}" for t in tags))
        lines += ["", f"> {quote}", "", f"*{' · '.join(meta)}*"]
        if annotation.is_deleted:
            lines += ["", "(deleted)"]
        elif annotation.body:
            lines += ["", annotation.body.strip()]
        for reply in annotation.visible_replies:
            body = " ".join(reply.body.split())
            lines += ["", f"- **{reply.author.get_username()}** replied: {body}"]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "id",
    "edition",
    "part",
    "start_passage",
    "start_offset",
    "end_passage",
    "end_offset",
    "quote",
    "motivation",
    "note",
    "tags",
    "colour",
    "visibility",
    "reply_to",
    "created",
    "modified",
    "url",
]


def to_csv(annotations: list[Annotation], *, request: HttpRequest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item, root in _own_items(annotations, request.user):
        passage = root.start_passage
        row = [
            item.pk,
            root.edition.slug,
            passage.part.title,
            passage.key if not item.is_reply else "",
            item.start_offset if not item.is_reply else "",
            root.end_passage.key if not item.is_reply else "",
            item.end_offset if not item.is_reply else "",
            item.exact,
            item.motivation,
            item.body,
            ", ".join(t.name for t in item.tags_in_order())
            if not item.is_reply
            else "",
            item.colour if not item.is_reply else "",
            item.visibility,
            item.reply_to_id or "",
            item.created.isoformat(),
            item.modified.isoformat(),
            request.build_absolute_uri(
                f"{passage.part.get_absolute_url()}#{passage.key}"
            ),
        ]
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def to_jsonld(annotations: list[Annotation], *, request: HttpRequest) -> str:
    items = [
        annotation_to_w3c(a, request=request, embed_context=False)
        for a, _root in _own_items(annotations, request.user)
    ]
    url = request.build_absolute_uri(reverse("annotations:notebook"))
    collection = collection_to_w3c(
        items,
        collection_id=url,
        page_id=f"{url}#page-1",
        total=len(items),
        next_page=None,
        label=f"Three Notebooks: {request.user.get_username()}",
    )
    return json.dumps(collection, ensure_ascii=False, indent=2)
