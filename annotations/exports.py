"""A reader's notebook as Markdown, CSV and W3C JSON-LD, streamed.

A notebook can hold tens of thousands of notes, so no export is built in
memory: rows are read in chunks (`CHUNK_SIZE`, tags and replies prefetched
per chunk), written as they come and sent in pieces of about `PIECE_SIZE`
characters. Everything that can fail (who asks, which format, the links'
patterns, the collection's total) is settled when the export is made, in
the view, before the first byte is sent: once a stream has started, an error
can no longer become an error page.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .models import Annotation, Motivation, Visibility
from .selectors import notebook_roots, replies_to_others
from .w3c import PartTexts, UrlPattern, W3CLinks, annotation_to_w3c, collection_to_w3c

# Rows read from the database at a time (and prefetches per chunk): memory
# holds one chunk, whatever the size of the notebook.
CHUNK_SIZE = 500
# Characters sent at a time: fewer, larger writes than one per line.
PIECE_SIZE = 64 * 1024

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formula injection (OWASP): prefix a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> Iterator[str]:
    """A CSV file line by line: our column names, then every cell made
    formula-safe. The one formula-safe writer of the codebase."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A (small) CSV file as one string."""
    return "".join(csv_lines(columns, rows))


def pieces(texts: Iterable[str], size: int | None = None) -> Iterator[bytes]:
    """Strings joined into pieces of about `size` (PIECE_SIZE) characters,
    as UTF-8."""
    size = size or PIECE_SIZE
    buffer: list[str] = []
    held = 0
    for text in texts:
        buffer.append(text)
        held += len(text)
        if held >= size:
            yield "".join(buffer).encode()
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer).encode()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


DELETED = "(deleted)"


def replies_in_reading_order(replies: QuerySet[Annotation]) -> QuerySet[Annotation]:
    """Replies in the reading order of the notes they answer."""
    return replies.order_by(
        "edition__title",
        "reply_to__start_passage__part__order",
        "reply_to__start_passage__order",
        "reply_to__start_offset",
        "reply_to__created",
        "created",
    )


class NotebookExport:
    """One reader's notebook, ready to stream in any of the three formats.

    Made in the view: it reads nothing yet but settles everything that
    could fail (labels, links), so the stream itself only reads and writes.
    """

    def __init__(self, request: HttpRequest) -> None:
        self.user: AbstractBaseUser = request.user
        self.now: datetime = timezone.now()
        self.roots = notebook_roots(self.user)
        self.replies = replies_in_reading_order(replies_to_others(self.user))
        # Labels once, not two get_FOO_display() calls per note.
        self.motivations = {value: str(label) for value, label in Motivation.choices}
        self.visibilities = {value: str(label) for value, label in Visibility.choices}
        self.request = request

    # -- reading -----------------------------------------------------------

    def _root_batches(self) -> Iterator[list[Annotation]]:
        return batched(self.roots.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE)

    def _reply_batches(self) -> Iterator[tuple[list[Annotation], set]]:
        """Replies in others' threads, a chunk at a time, each with the
        threads the reader may still see (one query a chunk)."""
        for batch in batched(self.replies.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            yield batch, _roots_visible_to(self.user, batch)

    def _own_items(self) -> Iterator[tuple[Annotation, Annotation, set | None]]:
        """(item, its root, threads still visible or None for the reader's
        own) for each root, the reader's own replies to it, then the
        reader's replies in other readers' threads.

        Other readers' replies are theirs: they appear in the Markdown for
        reading, but never in the files an import would attribute to this
        reader.
        """
        for batch in self._root_batches():
            yield from self._own_items_of(batch)
        for batch, visible in self._reply_batches():
            for reply in batch:
                yield reply, reply.reply_to, visible

    def _own_items_of(
        self, roots: list[Annotation]
    ) -> Iterator[tuple[Annotation, Annotation, set | None]]:
        for annotation in roots:
            yield annotation, annotation, None
            for reply in annotation.visible_replies:
                if reply.author_id == self.user.pk:
                    yield reply, annotation, None

    # -- Markdown ----------------------------------------------------------

    def markdown(self) -> Iterator[bytes]:
        return pieces(f"{line}\n" for line in self._markdown_lines())

    def _markdown_lines(self) -> Iterator[str]:
        yield f"# My notebook: {self.user.get_username()}"
        yield ""
        yield f"Exported from Three Notebooks on {self.now:%Y-%m-%d}."
        edition = part = None
        for batch in self._root_batches():
            for annotation in batch:
                passage = annotation.start_passage
                if annotation.edition_id != edition:
                    edition = annotation.edition_id
                    yield from ("", f"# {annotation.edition.title}")
                    part = None
                if passage.part_id != part:
                    part = passage.part_id
                    yield from ("", f"## {passage.part.title}")
                yield from self._markdown_note(annotation)
        first, root = True, None
        for batch, visible in self._reply_batches():
            if first:
                yield from ("", "# My replies to others' notes")
                first = False
            for reply in batch:
                if reply.reply_to_id != root:
                    root = reply.reply_to_id
                    yield from ("", *self._answered(reply.reply_to, visible))
                yield _reply_line(reply)

    def _markdown_note(self, annotation: Annotation) -> Iterator[str]:
        passage = annotation.start_passage
        quote = " ".join(annotation.exact.split())
        where = passage.key
        if annotation.end_passage_id != passage.pk:
            where = f"{passage.key}–{annotation.end_passage.key}"
        meta = [
            self.motivations[annotation.motivation],
            where,
            self.visibilities[annotation.visibility],
        ]
        tags = [t.name for t in annotation.tags_in_order()]
        if tags:
            meta.append(" ".join(f"#{t}" for t in tags))
        yield from ("", f"> {quote}", "", f"*{' · '.join(meta)}*")
        if annotation.is_deleted:
            yield from ("", DELETED)
        elif annotation.body:
            yield from ("", annotation.body.strip())
        for reply in annotation.visible_replies:
            yield _reply_line(reply)

    def _answered(self, root: Annotation, visible: set) -> list[str]:
        """The note a reply answers, as far as the reader may still see it."""
        if root.pk not in visible:
            return ["## A note you can no longer see"]
        passage = root.start_passage
        lines = [
            f"## {passage.part.edition.title} · {passage.part.title} · {passage.key}",
            "",
            _quote_line(root),
            "",
            f"*{self.motivations[root.motivation]} by {root.author.get_username()}*",
            "",
        ]
        if root.is_deleted:
            lines.append(DELETED)
        elif root.body.strip():
            lines.append(root.body.strip())
        return lines

    # -- CSV ---------------------------------------------------------------

    def csv(self) -> Iterator[bytes]:
        return pieces(csv_lines(CSV_COLUMNS, self._csv_rows()))

    def _csv_rows(self) -> Iterator[list[object]]:
        part_url = UrlPattern(
            self.request, "reader:part", edition="tn-edition-mark", part="tn-part-mark"
        )
        for item, root, visible in self._own_items():
            passage = root.start_passage
            # A thread the reader may no longer see keeps its place to itself.
            where = visible is None or root.pk in visible
            reply = item.is_reply
            # A reply in the reader's own thread is on its root's edition (read
            # with the root); a reply in another's thread comes with its own.
            own_thread = visible is None and item.edition_id == root.edition_id
            edition = root.edition if own_thread else item.edition
            yield [
                item.pk,
                edition.slug,
                passage.part.title if where else "",
                passage.key if not reply else "",
                item.start_offset if not reply else "",
                root.end_passage.key if not reply else "",
                item.end_offset if not reply else "",
                item.exact,
                item.motivation,
                DELETED if item.is_deleted else item.body,
                ", ".join(t.name for t in item.tags_in_order()) if not reply else "",
                item.colour if not reply else "",
                item.visibility,
                item.reply_to_id or "",
                item.created.isoformat(),
                item.modified.isoformat(),
                part_url(edition=passage.part.edition.slug, part=passage.part.slug)
                + f"#{passage.key}"
                if where
                else "",
                item.deleted.isoformat() if item.is_deleted else "",
            ]

    # -- W3C JSON-LD -------------------------------------------------------

    def jsonld_total(self) -> int:
        """How many items the collection holds: the reader's roots, their
        own replies in their own threads and in others' (what `_own_items`
        yields), counted before the stream starts."""
        user = self.user
        return (
            Annotation.objects.filter(author=user)
            .filter(
                Q(reply_to__isnull=True)
                | Q(reply_to__author=user, reply_to__reply_to__isnull=True)
                | (Q(reply_to__isnull=False) & ~Q(reply_to__author=user))
            )
            .count()
        )

    def jsonld(self, total: int) -> Iterator[bytes]:
        """Every item is the reader's own: roots (tombstones too), their
        replies in their own threads and in others' (whose target is the
        note answered). One AnnotationCollection, its items written one by
        one between the collection's head and tail."""
        url = self.request.build_absolute_uri(reverse("annotations:notebook"))
        marker = "tn-items-go-here"
        collection = collection_to_w3c(
            [marker],
            collection_id=url,
            page_id=f"{url}#page-1",
            total=total,
            next_page=None,
            label=f"Three Notebooks: {self.user.get_username()}",
        )
        head, tail = json.dumps(collection, ensure_ascii=False).split(
            json.dumps(marker)
        )
        return pieces([head, *self._jsonld_items(), tail])

    def _jsonld_items(self) -> Iterator[str]:
        links = W3CLinks(self.request)
        separator = ""
        for batch in self._root_batches():
            texts = PartTexts(batch)
            for item, _root, _visible in self._own_items_of(batch):
                yield separator + _jsonld_item(item, self.request, links, texts)
                separator = ", "
        for batch, _visible in self._reply_batches():
            for reply in batch:
                yield separator + _jsonld_item(reply, self.request, links, None)
                separator = ", "


def _jsonld_item(
    annotation: Annotation,
    request: HttpRequest,
    links: W3CLinks,
    texts: PartTexts | None,
) -> str:
    data: dict[str, Any] = annotation_to_w3c(
        annotation, request=request, embed_context=False, texts=texts, links=links
    )
    return json.dumps(data, ensure_ascii=False)


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


def _reply_line(reply: Annotation) -> str:
    body = " ".join(reply.body.split())
    return f"\n- **{reply.author.get_username()}** replied: {body}"


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
