"""annotations/exports.py as it was on main before exports streamed (#11),
with the notebook's read: everything in memory, then one string. Tests
compare the streamed exports with what this made for the same data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from annotations.models import Annotation
from annotations.selectors import with_thread

from .w3c import annotations_to_w3c, collection_to_w3c

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formula injection (OWASP): prefix a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file: our column names, then every cell made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


DELETED = "(deleted)"


def replies_in_reading_order(replies: QuerySet[Annotation]) -> list[Annotation]:
    """Replies in the reading order of the notes they answer."""
    return list(
        replies.order_by(
            "edition__title",
            "reply_to__start_passage__part__order",
            "reply_to__start_passage__order",
            "reply_to__start_offset",
            "reply_to__created",
            "created",
        )
    )


def _own_items(
    annotations: Iterable[Annotation],
    replies: Iterable[Annotation],
    user: AbstractBaseUser,
) -> list[tuple[Annotation, Annotation]]:
    """(item, its root) for each root, the reader's own replies to it, then
    the reader's replies in other readers' threads.

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
    items.extend((reply, reply.reply_to) for reply in replies)
    return items


def _roots_visible_to(user: AbstractBaseUser, replies: list[Annotation]) -> set:
    """Ids of the notes answered that the reader may still see: a thread
    made private, or hidden, since the reader replied shows only the reply."""
    return set(
        Annotation.objects.visible_to(user)
        .filter(pk__in={r.reply_to_id for r in replies})
        .values_list("pk", flat=True)
    )


def _quote_line(annotation: Annotation) -> str:
    return "> " + " ".join(annotation.exact.split())


def to_markdown(
    annotations: list[Annotation],
    replies: Sequence[Annotation] = (),
    *,
    user: AbstractBaseUser,
) -> str:
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
            lines += ["", DELETED]
        elif annotation.body:
            lines += ["", annotation.body.strip()]
        lines += [_reply_line(reply) for reply in annotation.visible_replies]
    if replies:
        lines += ["", "# My replies to others' notes"]
        visible = _roots_visible_to(user, list(replies))
        root = None
        for reply in replies:
            if reply.reply_to_id != root:
                root = reply.reply_to_id
                lines += ["", *_answered(reply.reply_to, visible)]
            lines.append(_reply_line(reply))
    return "\n".join(lines) + "\n"


def _reply_line(reply: Annotation) -> str:
    body = " ".join(reply.body.split())
    return f"\n- **{reply.author.get_username()}** replied: {body}"


def _answered(root: Annotation, visible: set) -> list[str]:
    """The note a reply answers, as far as the reader may still see it."""
    if root.pk not in visible:
        return ["## A note you can no longer see"]
    passage = root.start_passage
    lines = [
        f"## {passage.part.edition.title} · {passage.part.title} · {passage.key}",
        "",
        _quote_line(root),
        "",
        f"*{root.get_motivation_display()} by {root.author.get_username()}*",
        "",
    ]
    if root.is_deleted:
        lines.append(DELETED)
    elif root.body.strip():
        lines.append(root.body.strip())
    return lines


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
    "deleted",
]


def to_csv(
    annotations: list[Annotation],
    replies: Sequence[Annotation] = (),
    *,
    request: HttpRequest,
) -> str:
    return csv_text(CSV_COLUMNS, _csv_rows(annotations, replies, request=request))


def _csv_rows(
    annotations: list[Annotation],
    replies: Sequence[Annotation],
    *,
    request: HttpRequest,
) -> Iterator[list[object]]:
    visible = _roots_visible_to(request.user, list(replies)) if replies else set()
    for item, root in _own_items(annotations, replies, request.user):
        passage = root.start_passage
        # A thread the reader may no longer see keeps its place to itself.
        where = root.author_id == request.user.pk or root.pk in visible
        row = [
            item.pk,
            item.edition.slug,
            passage.part.title if where else "",
            passage.key if not item.is_reply else "",
            item.start_offset if not item.is_reply else "",
            root.end_passage.key if not item.is_reply else "",
            item.end_offset if not item.is_reply else "",
            item.exact,
            item.motivation,
            DELETED if item.is_deleted else item.body,
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
            )
            if where
            else "",
            item.deleted.isoformat() if item.is_deleted else "",
        ]
        yield row


def to_jsonld(
    annotations: list[Annotation],
    replies: Sequence[Annotation] = (),
    *,
    request: HttpRequest,
) -> str:
    """Every item is the reader's own: roots (tombstones too), their replies
    in their own threads and in others' (whose target is the note answered)."""
    items = annotations_to_w3c(
        [item for item, _root in _own_items(annotations, replies, request.user)],
        request=request,
    )
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


def notebook_annotations(user: AbstractBaseUser) -> list[Annotation]:
    """Every root annotation of a reader's, in reading order, with threads."""
    return list(
        with_thread(Annotation.objects.filter(author=user, reply_to__isnull=True), user)
        .select_related("edition")
        .order_by(
            "edition__title",
            "start_passage__part__order",
            "start_passage__order",
            "start_offset",
            "created",
        )
    )
