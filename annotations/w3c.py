"""Annotations as W3C Web Annotations (JSON-LD): our export and API shape.

A single-passage annotation targets the passage's permalink with a
TextQuoteSelector and a TextPositionSelector (code points, as the model
counts). A range across passages targets the part's page with a
RangeSelector whose ends are CSS selectors for the passages' ids refined by
text positions, plus a TextQuoteSelector over the whole quote (passages
joined by a newline). A reply targets the annotation it answers.

What the W3C model has no term for (visibility) goes under our own prefix,
declared in the @context, so a round trip through a file loses nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

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


def annotation_iri(request: HttpRequest, annotation_id: object) -> str:
    return request.build_absolute_uri(
        reverse("api:annotation-detail", kwargs={"pk": annotation_id})
    )


def passage_iri(request: HttpRequest, edition_slug: str, key: str) -> str:
    return request.build_absolute_uri(
        reverse("reader:passage", kwargs={"edition": edition_slug, "key": key})
    )


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def annotation_to_w3c(
    annotation: Annotation, *, request: HttpRequest, embed_context: bool = True
) -> dict[str, Any]:
    """One annotation (a root or a reply) as a W3C Web Annotation."""
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
            "creator": {"type": "Person", "nickname": annotation.author.get_username()},
            f"{TN_PREFIX}:visibility": annotation.visibility,
        }
    )
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
    data["target"] = _target(annotation, request)
    return data


def _target(annotation: Annotation, request: HttpRequest) -> dict[str, Any]:
    start, end = annotation.start_passage, annotation.end_passage
    edition_slug = annotation.edition.slug
    quote = {
        "type": "TextQuoteSelector",
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
    }
    if start.pk == end.pk:
        return {
            "type": "SpecificResource",
            "source": passage_iri(request, edition_slug, start.key),
            "styleClass": annotation.colour,
            "selector": [
                quote,
                {
                    "type": "TextPositionSelector",
                    "start": annotation.start_offset,
                    "end": annotation.end_offset,
                },
            ],
        }
    return {
        "type": "SpecificResource",
        "source": request.build_absolute_uri(start.part.get_absolute_url()),
        "styleClass": annotation.colour,
        "selector": [
            {
                "type": "RangeSelector",
                "startSelector": {
                    "type": "CssSelector",
                    "value": f"#{start.key}",
                    "refinedBy": {
                        "type": "TextPositionSelector",
                        "start": annotation.start_offset,
                        "end": annotation.start_offset,
                    },
                },
                "endSelector": {
                    "type": "CssSelector",
                    "value": f"#{end.key}",
                    "refinedBy": {
                        "type": "TextPositionSelector",
                        "start": annotation.end_offset,
                        "end": annotation.end_offset,
                    },
                },
            },
            quote,
        ],
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
