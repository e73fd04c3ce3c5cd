"""Annotations as W3C Web Annotations (JSON-LD): our export and API shape.

Selectors must select the quote in the resource they name, so targets name
plain-text resources whose code points our offsets count, never the HTML
pages (whose text also holds headings, menus and cards):

* on one passage: the passage as plain text (`reader:passage_text`, exactly
  `Passage.text`) with a TextQuoteSelector and a TextPositionSelector;
* across passages: the part as plain text (`reader:part_text`, its passages
  joined by a line break, the document `anchoring` counts ranges in) with the
  same two selectors. A RangeSelector cannot do this: its two ends must lie
  in one source, and a passage's text holds only one end.

Both selectors are built from the text as it is now, where the annotation
sits now (a revision may have moved it). An orphan's words are no longer in
the text: it keeps only the TextQuoteSelector of what it quoted.

A reply targets the annotation it answers, by IRI. A deleted annotation kept
for others' replies (a tombstone) keeps its target, has no body, and says
when it was deleted under our own prefix. What the W3C model has no term for
(visibility, deletion) goes under that prefix, declared in the @context, so a
round trip through a file loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse

from reader import anchoring
from reader.models import Passage

from .models import Annotation, Colour, Motivation

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TN_PREFIX = "tn"
TN_NAMESPACE = "https://three-notebooks.github.io/ns#"
CONTEXT: list[Any] = [ANNO_CONTEXT, {TN_PREFIX: TN_NAMESPACE}]
PROFILE_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

COLOUR_CSS = {
    Colour.YELLOW: "#fff3a3",
    Colour.GREEN: "#c9f2c7",
    Colour.BLUE: "#c7e3ff",
    Colour.PINK: "#ffd0e4",
    Colour.PURPLE: "#e3d4ff",
}


# What reverse() leaves unquoted in a path (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


class UrlPattern:
    """An absolute URL reversed once, with a marker in place of each argument,
    then filled in for every row: a reverse() per row is most of the time of
    an export of thousands of annotations.

    Each marker must be a value the URL's converter accepts (a UUID for a
    `uuid` argument); values are quoted as reverse() quotes them.
    """

    def __init__(self, request: HttpRequest, viewname: str, **markers: str) -> None:
        url = request.build_absolute_uri(reverse(viewname, kwargs=markers))
        pattern = url.replace("{", "{{").replace("}", "}}")
        for name, marker in markers.items():
            if pattern.count(marker) != 1:
                raise ValueError(f"{viewname}: marker for {name} is not unique")
            pattern = pattern.replace(marker, "{" + name + "}")
        self._pattern = pattern

    def __call__(self, **values: object) -> str:
        # quote() leaves only ASCII, which build_absolute_uri's iri_to_uri
        # would leave as it is.
        return self._pattern.format(
            **{
                name: quote(str(value), safe=_PATH_SAFE)
                for name, value in values.items()
            }
        )


class W3CLinks:
    """The IRIs an export names (annotations, passages and parts as plain
    text), each URL reversed once for all rows."""

    def __init__(self, request: HttpRequest) -> None:
        self.annotation = UrlPattern(
            request, "api:annotation-detail", pk="00000000-0000-4000-8000-0000000a0001"
        )
        self.passage_text = UrlPattern(
            request, "reader:passage_text", edition="tn-edition-mark", key="tn-key-mark"
        )
        self.part_text = UrlPattern(
            request, "reader:part_text", edition="tn-edition-mark", part="tn-part-mark"
        )


class PartTexts:
    """The parts' current texts that ranges across passages are counted in.

    Read once for a list of annotations (one query, and none when no
    annotation spans passages), never once per annotation.
    """

    def __init__(self, annotations: Iterable[Annotation]) -> None:
        part_ids = {
            a.start_passage.part_id
            for a in annotations
            if a.reply_to_id is None and a.start_passage_id != a.end_passage_id
        }
        rows: dict[int, list[tuple[int, str]]] = {}
        if part_ids:
            for part_id, pk, text in (
                Passage.objects.filter(part_id__in=part_ids)
                .order_by("part_id", "order")
                .values_list("part_id", "pk", "text")
            ):
                rows.setdefault(part_id, []).append((pk, text))
        self._parts = {
            part_id: (
                [pk for pk, _text in passages],
                anchoring.join_passages([text for _pk, text in passages]),
            )
            for part_id, passages in rows.items()
        }

    def span(self, annotation: Annotation) -> tuple[str, int, int]:
        """The part's text and the annotation's range in it (global offsets).

        Raises ValueError when the stored range no longer fits the text."""
        start, end = annotation.start_passage, annotation.end_passage
        keys, document = self._parts[start.part_id]
        return (
            document.text,
            document.to_global(keys.index(start.pk), annotation.start_offset),
            document.to_global(keys.index(end.pk), annotation.end_offset),
        )


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def annotations_to_w3c(
    annotations: list[Annotation], *, request: HttpRequest
) -> list[dict[str, Any]]:
    """Many annotations, for a collection (their @context is the page's)."""
    texts = PartTexts(annotations)
    links = W3CLinks(request)
    return [
        annotation_to_w3c(
            a, request=request, embed_context=False, texts=texts, links=links
        )
        for a in annotations
    ]


def _creator(annotation: Annotation) -> dict[str, str]:
    """Who wrote it: an imported copy keeps crediting its original author."""
    if annotation.original_creator:
        return {"type": "Person", "name": annotation.original_creator}
    return {"type": "Person", "nickname": annotation.author.get_username()}


def annotation_to_w3c(
    annotation: Annotation,
    *,
    request: HttpRequest,
    embed_context: bool = True,
    texts: PartTexts | None = None,
    links: W3CLinks | None = None,
) -> dict[str, Any]:
    """One annotation (a root, a reply or a tombstone) as a W3C annotation."""
    links = links or W3CLinks(request)
    data: dict[str, Any] = {}
    if embed_context:
        data["@context"] = CONTEXT
    data.update(
        {
            "id": links.annotation(pk=annotation.pk),
            "type": "Annotation",
            "motivation": annotation.motivation,
            "created": _iso(annotation.created),
            "modified": _iso(annotation.modified),
            # One identity across every copy of it, so that no importer, here
            # or elsewhere, takes in the same annotation twice.
            "canonical": annotation.canonical or f"urn:uuid:{annotation.pk}",
            "creator": _creator(annotation),
            f"{TN_PREFIX}:visibility": annotation.visibility,
        }
    )
    if annotation.is_deleted:
        # Not an empty note: a marker that keeps its place for the replies.
        data[f"{TN_PREFIX}:deleted"] = _iso(annotation.deleted)
    bodies: list[dict[str, Any]] = []
    if annotation.body:
        bodies.append(
            {
                "type": "TextualBody",
                "value": annotation.body,
                "format": "text/markdown",
                "purpose": (
                    annotation.motivation
                    if annotation.motivation != Motivation.HIGHLIGHTING
                    else "describing"
                ),
            }
        )
    # Replies carry no tags (asking would cost a query per reply).
    for tag in () if annotation.is_reply else annotation.tags_in_order():
        bodies.append({"type": "TextualBody", "value": tag.name, "purpose": "tagging"})
    if bodies:
        data["body"] = bodies if len(bodies) > 1 else bodies[0]

    if annotation.reply_to_id is not None:
        data["target"] = links.annotation(pk=annotation.reply_to_id)
        return data

    colour = annotation.colour
    data["stylesheet"] = {
        "type": "CssStylesheet",
        "value": f".{colour} {{ background-color: {COLOUR_CSS[colour]} }}",
    }
    data["target"] = _target(annotation, links, texts or PartTexts([annotation]))
    return data


def _target(
    annotation: Annotation, links: W3CLinks, texts: PartTexts
) -> dict[str, Any]:
    start, end = annotation.start_passage, annotation.end_passage
    edition_slug = annotation.edition.slug
    if start.pk == end.pk:
        source = links.passage_text(edition=edition_slug, key=start.key)
    else:
        source = links.part_text(edition=edition_slug, part=start.part.slug)
    quote: anchoring.Quote | None = None
    if not annotation.is_orphaned:
        try:
            if start.pk == end.pk:
                text, first, last = (
                    start.text,
                    annotation.start_offset,
                    annotation.end_offset,
                )
            else:
                text, first, last = texts.span(annotation)
            # Where it sits now, in the text as it is now.
            quote = anchoring.build_quote(text, first, last)
        except ValueError:
            quote = None  # a stored range that no longer fits the text
    if quote is None:
        selectors = [_quote_selector(annotation.quote)]
    else:
        selectors = [
            _quote_selector(quote),
            {"type": "TextPositionSelector", "start": first, "end": last},
        ]
    return {
        "type": "SpecificResource",
        "source": source,
        "styleClass": annotation.colour,
        "selector": selectors,
    }


def _quote_selector(quote: anchoring.Quote) -> dict[str, Any]:
    return {
        "type": "TextQuoteSelector",
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
    }


def collection_to_w3c(
    items: list[dict[str, Any]],
    *,
    collection_id: str,
    page_id: str,
    total: int,
    next_page: str | None,
    previous_page: str | None = None,
    label: str = "",
) -> dict[str, Any]:
    """An AnnotationCollection with its first (or current) page embedded."""
    page: dict[str, Any] = {"id": page_id, "type": "AnnotationPage", "items": items}
    if next_page:
        page["next"] = next_page
    if previous_page:
        page["prev"] = previous_page
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "total": total,
        "first": page,
    }
    if label:
        collection["label"] = label
    return collection
