"""annotations/w3c.py as it was on main before exports streamed (#11): a
reverse() per IRI. Tests compare the streamed exports with what this made."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from annotations.models import Annotation, Colour, Motivation
from reader import anchoring
from reader.models import Passage

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


def annotation_iri(request: HttpRequest, annotation_id: object) -> str:
    return request.build_absolute_uri(
        reverse("api:annotation-detail", kwargs={"pk": annotation_id})
    )


def passage_text_iri(request: HttpRequest, edition_slug: str, key: str) -> str:
    return request.build_absolute_uri(
        reverse("reader:passage_text", kwargs={"edition": edition_slug, "key": key})
    )


def part_text_iri(request: HttpRequest, edition_slug: str, part_slug: str) -> str:
    return request.build_absolute_uri(
        reverse("reader:part_text", kwargs={"edition": edition_slug, "part": part_slug})
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
    return [
        annotation_to_w3c(a, request=request, embed_context=False, texts=texts)
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
) -> dict[str, Any]:
    """One annotation (a root, a reply or a tombstone) as a W3C annotation."""
    data: dict[str, Any] = {}
    if embed_context:
        data["@context"] = CONTEXT
    data.update(
        {
            "id": annotation_iri(request, annotation.pk),
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
        data["target"] = annotation_iri(request, annotation.reply_to_id)
        return data

    colour = annotation.colour
    data["stylesheet"] = {
        "type": "CssStylesheet",
        "value": f".{colour} {{ background-color: {COLOUR_CSS[colour]} }}",
    }
    data["target"] = _target(annotation, request, texts or PartTexts([annotation]))
    return data


def _target(
    annotation: Annotation, request: HttpRequest, texts: PartTexts
) -> dict[str, Any]:
    start, end = annotation.start_passage, annotation.end_passage
    edition_slug = annotation.edition.slug
    if start.pk == end.pk:
        source = passage_text_iri(request, edition_slug, start.key)
    else:
        source = part_text_iri(request, edition_slug, start.part.slug)
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
