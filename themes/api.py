"""/api/motifs/: the atlas, read-only."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers, viewsets

from reader.models import Edition

from .models import Motif, MotifOccurrence


class OccurrenceSerializer(serializers.ModelSerializer):
    passage = serializers.CharField(source="passage.key")
    edition = serializers.CharField(source="passage.edition.slug")
    part = serializers.CharField(source="passage.part.slug")
    quote = serializers.CharField(source="exact")
    # None for the catalogue's own occurrences (nobody proposed them).
    proposed_by = serializers.CharField(
        source="proposed_by.get_username", default=None, allow_null=True
    )

    class Meta:
        model = MotifOccurrence
        fields = [
            "edition",
            "part",
            "passage",
            "start_offset",
            "end_offset",
            "quote",
            "weight",
            "note",
            "proposed_by",
        ]


class MotifSerializer(serializers.ModelSerializer):
    related = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    occurrence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Motif
        fields = [
            "slug",
            "name",
            "summary",
            "group",
            "colour",
            "occurrence_count",
            "related",
        ]


class MotifDetailSerializer(MotifSerializer):
    occurrences = OccurrenceSerializer(many=True, read_only=True)
    source = serializers.SerializerMethodField()

    class Meta(MotifSerializer.Meta):
        fields = [*MotifSerializer.Meta.fields, "description", "source", "occurrences"]

    def get_source(self, motif: Motif) -> dict | None:
        if not motif.has_source:
            return None
        return {
            "title": motif.source_title,
            "author": motif.source_author,
            "year": motif.source_year,
            "locator": motif.source_locator,
            "public_domain": motif.source_public_domain,
        }


class MotifViewSet(viewsets.ReadOnlyModelViewSet):
    """The motif atlas: motifs, and for one motif every passage it occurs in."""

    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Motif]:
        # Only editions the reader may read: a licensed text's passages and
        # quotes stay with its readers.
        readable = Edition.objects.readable_by(self.request.user)
        queryset = Motif.objects.with_counts(readable).prefetch_related("related")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "occurrences",
                    queryset=MotifOccurrence.objects.filter(
                        passage__edition__in=readable.values("pk")
                    )
                    .select_related("passage__part", "passage__edition", "proposed_by")
                    .in_reading_order(),
                )
            )
        return queryset

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return MotifDetailSerializer if self.action == "retrieve" else MotifSerializer
