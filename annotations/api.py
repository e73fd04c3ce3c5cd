"""The annotations API: /api/annotations/, as JSON or W3C JSON-LD.

Thin: parse, check, call a service or the visibility queryset, render. Every
queryset starts from `Annotation.objects.visible_to(user)`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from classes.models import Course
from config.json_input import validation_errors
from reader.markdown import sanitise_html
from reader.models import Edition

from .inputs import (
    AnnotationChangeInputSerializer,
    AnnotationInputSerializer,
    NewAnnotationInputSerializer,
    ReplyInputSerializer,
    target_input,
)
from .models import Annotation, Colour, Motivation, Visibility
from .selectors import with_thread
from .services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    reply_create,
)
from .w3c import (
    PROFILE_MEDIA_TYPE,
    annotation_to_w3c,
    annotations_to_w3c,
    collection_to_w3c,
)


class W3CRenderer(JSONRenderer):
    """W3C Web Annotation JSON-LD, chosen with
    Accept: application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and not response.exception:
            response["Content-Type"] = PROFILE_MEDIA_TYPE
        return super().render(data, accepted_media_type, renderer_context)


def _wants_w3c(request: Request) -> bool:
    return getattr(request.accepted_renderer, "format", "") == "jsonld"


# --- Serializers (the plain JSON shape; what clients send is in inputs.py) ---


class AnnotationSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)
    edition = serializers.SlugField(source="edition.slug", read_only=True)
    target = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "author",
            "edition",
            "target",
            "reply_to",
            "motivation",
            "body",
            "body_html",
            "tags",
            "colour",
            "visibility",
            "anchor_state",
            "editorial",
            "moderation",
            "replies",
            "is_own",
            "deleted",
            "created",
            "modified",
        ]
        read_only_fields = fields

    def get_target(self, obj: Annotation) -> dict[str, Any] | None:
        if obj.is_reply:
            return None
        return {
            "start": {"passage": obj.start_passage.key, "offset": obj.start_offset},
            "end": {"passage": obj.end_passage.key, "offset": obj.end_offset},
            "exact": obj.exact,
            "prefix": obj.prefix,
            "suffix": obj.suffix,
        }

    def get_body_html(self, obj: Annotation) -> str:
        # Rendered once, when the note was written (services.py); a read
        # only cleans it again, which is cheap: no Markdown parsed per read.
        return str(sanitise_html(obj.body_html))

    def get_tags(self, obj: Annotation) -> list[str]:
        return [t.name for t in obj.tags_in_order()]

    def get_replies(self, obj: Annotation) -> list[str]:
        return [str(r.pk) for r in getattr(obj, "visible_replies", [])]

    def get_is_own(self, obj: Annotation) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.pk == obj.author_id)


# --- The viewset --------------------------------------------------------------


class AnnotationCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created", "id")


class IsAuthorOrReadOnly(permissions.BasePermission):
    message = "Only the author can change an annotation."

    def has_object_permission(
        self, request: Request, view: Any, obj: Annotation
    ) -> bool:
        return (
            request.method in permissions.SAFE_METHODS
            or obj.author_id == request.user.pk
        )


def _as_drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(validation_errors(exc))


# The W3C shapes, as the schema states them: what every annotation and
# collection we serve carries (annotations.w3c), open to the rest of the
# model. (Any JSON-LD @context; the values of type may be a list.)
W3C_ITEM: dict[str, Any] = {
    "type": "object",
    "description": (
        "A W3C Web Annotation (https://www.w3.org/TR/annotation-model/); in a "
        "collection, without the @context it inherits"
    ),
    "required": ["id", "type", "target"],
    "properties": {
        "@context": {},
        "id": {"type": "string", "format": "uri"},
        "type": {},
        "motivation": {"type": "string"},
        "created": {"type": "string", "format": "date-time"},
        "modified": {"type": "string", "format": "date-time"},
        "body": {},
        "target": {},
    },
}
W3C_ANNOTATION: dict[str, Any] = {
    **W3C_ITEM,
    "description": "A W3C Web Annotation (https://www.w3.org/TR/annotation-model/)",
    "required": ["@context", *W3C_ITEM["required"]],
}
W3C_COLLECTION: dict[str, Any] = {
    "type": "object",
    "description": "A W3C AnnotationCollection, its current page embedded",
    "required": ["@context", "id", "type", "total", "first"],
    "properties": {
        "@context": {},
        "id": {"type": "string", "format": "uri"},
        "type": {"type": "string", "enum": ["AnnotationCollection"]},
        "total": {"type": "integer", "minimum": 0},
        "first": {
            "type": "object",
            "required": ["id", "type", "items"],
            "properties": {
                "id": {"type": "string", "format": "uri"},
                "type": {"type": "string", "enum": ["AnnotationPage"]},
                "items": {"type": "array", "items": W3C_ITEM},
                "next": {"type": "string", "format": "uri"},
                "prev": {"type": "string", "format": "uri"},
            },
        },
    },
}


class W3CShape(serializers.Serializer):
    """Documents a W3C shape in the schema (never used to serialize:
    annotations.w3c builds the JSON-LD); `shape` is its OpenAPI schema."""

    shape: dict[str, Any] = {}


@extend_schema_serializer(many=False)  # a collection is one object, unpaginated
class W3CAnnotationCollection(W3CShape):
    shape = W3C_COLLECTION


@extend_schema_serializer(many=False)
class W3CAnnotation(W3CShape):
    shape = W3C_ANNOTATION


class W3CShapeExtension(OpenApiSerializerExtension):
    target_class = W3CShape
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return self.target.shape


FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "jsonld"],
    description=(
        "jsonld: answer as W3C Web Annotations, as the Accept header "
        f"{PROFILE_MEDIA_TYPE} asks"
    ),
)
CREATE_INPUT = PolymorphicProxySerializer(
    component_name="AnnotationCreate",
    serializers=[NewAnnotationInputSerializer, ReplyInputSerializer],
    resource_type_field_name=None,
)


def _answers(status_code: int, json_shape: Any, w3c_shape: type[W3CShape]) -> dict:
    """A success in both representations: plain JSON, or W3C JSON-LD."""
    return {
        (status_code, "application/json"): json_shape,
        (status_code, "application/ld+json"): OpenApiResponse(
            w3c_shape, description="W3C JSON-LD (format=jsonld or Accept)"
        ),
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("edition", OpenApiTypes.STR, description="Edition slug"),
            OpenApiParameter("part", OpenApiTypes.STR, description="Part slug"),
            OpenApiParameter("passage", OpenApiTypes.STR, description="Passage key"),
            OpenApiParameter("author", OpenApiTypes.STR, enum=["me"]),
            OpenApiParameter("tag", OpenApiTypes.STR),
            OpenApiParameter(
                "motivation", OpenApiTypes.STR, enum=list(Motivation.values)
            ),
            FORMAT,
        ],
        responses=_answers(
            200, AnnotationSerializer(many=True), W3CAnnotationCollection
        ),
    ),
    retrieve=extend_schema(
        parameters=[FORMAT],
        responses=_answers(200, AnnotationSerializer, W3CAnnotation),
    ),
    create=extend_schema(
        parameters=[FORMAT],
        request=CREATE_INPUT,
        responses=_answers(201, AnnotationSerializer, W3CAnnotation),
    ),
    partial_update=extend_schema(
        parameters=[FORMAT],
        request=AnnotationChangeInputSerializer,
        responses=_answers(200, AnnotationSerializer, W3CAnnotation),
    ),
    update=extend_schema(
        parameters=[FORMAT],
        request=AnnotationChangeInputSerializer,
        responses=_answers(200, AnnotationSerializer, W3CAnnotation),
    ),
    destroy=extend_schema(
        parameters=[FORMAT],
        description=(
            "Delete one of your notes. A note others replied to is kept as a "
            "tombstone for their replies; deleting it again answers 204 and "
            "changes nothing. A note gone altogether is a 404."
        ),
    ),
)
class AnnotationViewSet(viewsets.ModelViewSet):
    """Highlights, notes, questions and replies on the edition's passages.

    Send `Accept: application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`
    to get W3C Web Annotations; lists then come as an AnnotationCollection.
    """

    serializer_class = AnnotationSerializer
    pagination_class = AnnotationCursorPagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    renderer_classes = [JSONRenderer, W3CRenderer, BrowsableAPIRenderer]
    content_negotiation_class = DefaultContentNegotiation
    lookup_value_converter = "uuid"

    def get_queryset(self) -> QuerySet[Annotation]:
        user = self.request.user
        queryset = with_thread(
            Annotation.objects.visible_to(user), user
        ).select_related("edition")
        params = self.request.query_params
        if params.get("edition"):
            queryset = queryset.filter(edition__slug=params["edition"])
        if params.get("part"):
            queryset = queryset.filter(start_passage__part__slug=params["part"])
        if params.get("passage"):
            queryset = queryset.filter(start_passage__key=params["passage"])
        if params.get("author") == "me":
            if not user.is_authenticated:
                return queryset.none()
            queryset = queryset.filter(author=user)
        if params.get("tag"):
            queryset = queryset.filter(tags__name=params["tag"])
        if params.get("motivation"):
            queryset = queryset.filter(motivation=params["motivation"])
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if not _wants_w3c(request):
            data = self.get_serializer(page, many=True).data
            return self.get_paginated_response(data)
        items = annotations_to_w3c(list(page), request=request)
        collection_url = request.build_absolute_uri(request.path)
        return Response(
            collection_to_w3c(
                items,
                collection_id=collection_url,
                page_id=request.build_absolute_uri(),
                total=queryset.count(),
                next_page=self.paginator.get_next_link(),
                previous_page=self.paginator.get_previous_link(),
            )
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        annotation = self.get_object()
        if _wants_w3c(request):
            return Response(annotation_to_w3c(annotation, request=request))
        return Response(self.get_serializer(annotation).data)

    def _input(self, request: Request, partial: bool = False) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": ["Send a JSON object."]}
            )
        serializer = AnnotationInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, annotation: Annotation, request: Request, code: int) -> Response:
        annotation = self.get_queryset().get(pk=annotation.pk)
        if _wants_w3c(request):
            return Response(annotation_to_w3c(annotation, request=request), status=code)
        return Response(self.get_serializer(annotation).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(request)
        try:
            if "reply_to" in data:
                parent = get_object_or_404(
                    Annotation.objects.visible_to(request.user), pk=data["reply_to"]
                )
                annotation = reply_create(
                    author=request.user, parent=parent, body=data.get("body", "")
                )
            else:
                if "target" not in data:
                    raise exceptions.ValidationError(
                        {"target": ["This field is required."]}
                    )
                edition = (
                    Edition.objects.readable_by(request.user)
                    .filter(slug=data.get("edition", ""))
                    .first()
                )
                if edition is None:
                    raise exceptions.ValidationError({"edition": ["Unknown edition."]})
                target = data["target"]
                course = None
                if "course" in data:
                    course = Course.objects.filter(pk=data["course"]).first()
                    if course is None:
                        raise exceptions.ValidationError({"course": ["Unknown class."]})
                annotation = annotation_create(
                    course=course,
                    editorial=data.get("editorial", False),
                    author=request.user,
                    edition=edition,
                    target=target_input(target),
                    exact=target.get("exact"),
                    quote=target.get("quote"),
                    motivation=data.get("motivation", Motivation.HIGHLIGHTING),
                    body=data.get("body", ""),
                    tags=data.get("tags", []),
                    colour=data.get("colour", Colour.YELLOW),
                    visibility=data.get("visibility", Visibility.PRIVATE),
                )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return self._respond(annotation, request, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        annotation = self.get_object()
        data = self._input(request, partial=True)
        unchangeable = {"target", "edition", "reply_to"} & set(data)
        if unchangeable:
            raise exceptions.ValidationError(
                {name: ["This cannot be changed."] for name in sorted(unchangeable)}
            )
        try:
            annotation = annotation_update(
                annotation=annotation,
                editor=request.user,
                body=data.get("body"),
                tags=data.get("tags"),
                colour=data.get("colour"),
                visibility=data.get("visibility"),
                motivation=data.get("motivation"),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._respond(annotation, request, status.HTTP_200_OK)

    def perform_destroy(self, instance: Annotation) -> None:
        annotation_delete(annotation=instance, user=self.request.user)
