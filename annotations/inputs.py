"""What clients may send about annotations, as DRF serializers.

The API (`annotations.api`) and the plain JSON views (a note re-attached,
a teacher's assignment items) validate with these, so a target is read one
way everywhere, and `target_input` turns it into the services' TargetInput.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.json_input import StringField

from .models import MAX_BODY_LENGTH, Colour, Motivation, Visibility
from .services import TargetInput


class EndpointSerializer(serializers.Serializer):
    passage = StringField(max_length=64, help_text="Passage key, e.g. black-014")
    offset = serializers.IntegerField(min_value=0, help_text="Unicode code points")


class TargetSerializer(serializers.Serializer):
    start = EndpointSerializer()
    end = EndpointSerializer()
    exact = StringField(
        required=False, trim_whitespace=False, help_text="The quote, checked if given"
    )
    quote = StringField(
        required=False,
        trim_whitespace=False,
        help_text=(
            "The words the reader selected, checked if given: refused (400) "
            "unless they are the text at these offsets, whitespace aside"
        ),
    )


class AnnotationInputSerializer(serializers.Serializer):
    edition = serializers.SlugField(required=False, help_text="Edition slug")
    target = TargetSerializer(required=False)
    reply_to = serializers.UUIDField(required=False)
    motivation = serializers.ChoiceField(
        choices=[m.value for m in Motivation if m != Motivation.REPLYING],
        required=False,
    )
    body = StringField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY_LENGTH,
    )
    tags = serializers.ListField(
        child=StringField(max_length=40), required=False, max_length=20
    )
    colour = serializers.ChoiceField(choices=Colour.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    course = serializers.IntegerField(
        required=False, help_text="Class id, for teacher or course visibility"
    )
    editorial = serializers.BooleanField(
        required=False, help_text="An editor's note (curators only; public)"
    )


class NewAnnotationInputSerializer(AnnotationInputSerializer):
    """What creating a note takes (the schema's first kind of POST): its
    edition and its words are required."""

    edition = serializers.SlugField(help_text="Edition slug")
    target = TargetSerializer()
    reply_to = None


class ReplyInputSerializer(serializers.Serializer):
    """What replying takes (the schema's second kind of POST): the note
    answered and the reply's words; the thread decides the rest."""

    reply_to = serializers.UUIDField(help_text="The annotation answered")
    body = StringField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY_LENGTH,
    )


class AnnotationChangeInputSerializer(AnnotationInputSerializer):
    """What an update may change (PUT and PATCH alike take any of these):
    sending the edition, target or reply_to is refused, since a note's
    place is not changed by editing it."""

    edition = None
    target = None
    reply_to = None
    course = None
    editorial = None


class ReattachInputSerializer(serializers.Serializer):
    """New words for a note whose words a revision removed."""

    target = TargetSerializer()


def target_input(target: dict[str, Any]) -> TargetInput:
    """A target validated by `TargetSerializer`, as the services take it."""
    return TargetInput(
        start_key=target["start"]["passage"],
        start_offset=target["start"]["offset"],
        end_key=target["end"]["passage"],
        end_offset=target["end"]["offset"],
    )
