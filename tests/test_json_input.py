"""JSON input, read one way: the body parsed and validated by a serializer,
refusals answered in JSON, and a service's bugs left to surface."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from rest_framework import serializers

from config.json_input import (
    MAX_JSON_DEPTH,
    JsonLimitError,
    character_not_text,
    in_one_line,
    json_body,
    json_endpoint,
    json_loads,
)


class PointSerializer(serializers.Serializer):
    x = serializers.IntegerField()
    y = serializers.IntegerField()


class ShapeSerializer(serializers.Serializer):
    name = serializers.CharField()
    corner = PointSerializer()


def post(rf, body):
    return rf.post("/", body, content_type="application/json")


@json_endpoint
def shape_view(request, outcome=None):
    data = json_body(request, ShapeSerializer)
    if outcome is not None:
        raise outcome
    return JsonResponse({"name": data["name"], "x": data["corner"]["x"]})


@json_endpoint(errors=in_one_line)
def beacon_view(request):
    data = json_body(request, ShapeSerializer)
    return JsonResponse({"name": data["name"]})


GOOD = json.dumps({"name": "mask", "corner": {"x": 1, "y": 2}})


def test_a_valid_body_reaches_the_view_validated(rf):
    response = shape_view(post(rf, GOOD))
    assert response.status_code == 200
    assert json.loads(response.content) == {"name": "mask", "x": 1}


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "The request body is not JSON."),
        (b"\xff\xfe\x00", "The request body is not JSON."),
        ("", "Send a JSON object."),
        ("[1, 2]", "Send a JSON object."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_with_a_reason(rf, body, message):
    response = shape_view(post(rf, body))
    assert response.status_code == 400
    assert json.loads(response.content) == {"non_field_errors": [message]}


def test_an_invalid_body_is_refused_naming_each_field_as_nested(rf):
    body = json.dumps({"corner": {"x": "left", "y": 2}})
    response = shape_view(post(rf, body))
    assert response.status_code == 400
    errors = json.loads(response.content)
    assert set(errors) == {"name", "corner"}
    assert list(errors["corner"]) == ["x"]


def test_a_services_validation_error_is_a_400_with_its_messages(rf):
    refusal = ValidationError({"quote": "Not the words at these offsets."})
    response = shape_view(post(rf, GOOD), outcome=refusal)
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "quote": ["Not the words at these offsets."]
    }


def test_a_validation_error_without_fields_is_a_400_too(rf):
    response = shape_view(post(rf, GOOD), outcome=ValidationError("Too late."))
    assert response.status_code == 400
    assert json.loads(response.content) == {"non_field_errors": ["Too late."]}


def test_a_services_permission_denied_is_a_403_with_its_reason(rf):
    response = shape_view(post(rf, GOOD), outcome=PermissionDenied("Not yours."))
    assert response.status_code == 403
    assert json.loads(response.content) == {"detail": "Not yours."}


@pytest.mark.parametrize("bug", [KeyError("x"), TypeError("y"), ValueError("z")])
def test_anything_else_a_service_raises_surfaces(rf, bug):
    with pytest.raises(type(bug)):
        shape_view(post(rf, GOOD), outcome=bug)


def test_in_one_line_the_refusal_names_the_fields_by_path(rf):
    body = json.dumps({"name": "mask", "corner": {"x": "left"}})
    response = beacon_view(post(rf, body))
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "error": "corner.x: A valid integer is required. "
        "corner.y: This field is required."
    }


def test_in_one_line_a_body_that_is_not_json_says_so(rf):
    response = beacon_view(post(rf, "{"))
    assert json.loads(response.content) == {"error": "The request body is not JSON."}


# --- The bounded parser: one for every JSON a client sends ----------------------

DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("text", [DEEP_ARRAYS, DEEP_OBJECTS, nested(1000)])
def test_json_nested_far_too_deep_is_refused_without_recursing(text):
    with pytest.raises(JsonLimitError, match="nested more than 32 levels"):
        json_loads(text)


def test_json_is_taken_up_to_the_depth_limit_and_no_deeper():
    assert json_loads(nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(JsonLimitError):
        json_loads(nested(MAX_JSON_DEPTH + 1))
    deepest_objects = '{"a":' * MAX_JSON_DEPTH + "1" + "}" * MAX_JSON_DEPTH
    assert json_loads(deepest_objects)


@pytest.mark.parametrize(
    "number", ["1" * 5000, "-" + "9" * 60, "1." + "0" * 60, "1e" + "9" * 60]
)
def test_a_number_longer_than_the_limit_is_refused(number):
    with pytest.raises(JsonLimitError, match="number longer than 50"):
        json_loads(f'{{"keys": [{number}]}}')


def test_ordinary_numbers_parse_as_numbers():
    assert json_loads("[12, -3, 1.5, 2e3, 18446744073709551616]") == [
        12,
        -3,
        1.5,
        2000.0,
        2**64,
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant):
    with pytest.raises(JsonLimitError, match="not a JSON number"):
        json_loads(f"[{constant}]")


def test_more_values_than_the_limit_are_refused():
    text = json.dumps(list(range(20)))
    assert json_loads(text, max_values=21) == list(range(20))
    with pytest.raises(JsonLimitError, match="more than 20 values"):
        json_loads(text, max_values=20)


@pytest.mark.parametrize(
    "body, message",
    [
        (DEEP_ARRAYS, "The JSON is nested more than 32 levels deep."),
        (DEEP_OBJECTS, "The JSON is nested more than 32 levels deep."),
        (
            '{"x": %s}' % ("1" * 5000),
            "The JSON has a number longer than 50 characters.",
        ),
    ],
)
def test_a_view_refuses_json_beyond_the_limits_with_a_reason(rf, body, message):
    response = shape_view(post(rf, body))
    assert response.status_code == 400
    assert json.loads(response.content) == {"non_field_errors": [message]}


@pytest.mark.parametrize(
    "value, found",
    [
        ({"a": ["ok", "\ud800"]}, "U+D800"),
        ({"\udfff": 1}, "U+DFFF"),
        (["nul\x00"], "U+0000"),
        ({"a": ["fine \U0001f600 text"]}, None),
    ],
)
def test_characters_that_are_not_text_are_found_anywhere_in_a_value(value, found):
    assert character_not_text(value) == found
