"""A teacher's assignment items with JSON a broken or hostile client sends:
a 400 naming the reason (deep JSON was a 500), nothing written."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from teaching.models import AssignmentItem

TOO_DEEP = "The JSON is nested more than 32 levels deep."
TARGET = {
    "start": {"passage": "black-001", "offset": 0},
    "end": {"passage": "black-001", "offset": 7},
}


def post_item(client, assignment, body: str):
    return client.post(
        reverse("teaching:assignment_items", args=[assignment.pk]),
        body,
        content_type="application/json",
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ("[" * 100_000 + "]" * 100_000, TOO_DEEP),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, TOO_DEEP),
        (
            '{"course": ' + "1" * 5000 + "}",
            "The JSON has a number longer than 50 characters.",
        ),
    ],
)
def test_an_item_in_json_beyond_the_limits_is_a_400(
    client, teacher, assignment, body, message
):
    before = AssignmentItem.objects.count()
    client.force_login(teacher)
    response = post_item(client, assignment, body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [message]}
    assert AssignmentItem.objects.count() == before


@pytest.mark.parametrize("body", [["a"], {"text": "a"}, True, 5])
def test_an_items_note_must_be_a_string_not_stored_as_its_repr(
    client, teacher, assignment, body
):
    """["a"] must never become the note "['a']" (nor 5 the note "5")."""
    before = AssignmentItem.objects.count()
    client.force_login(teacher)
    data = {"target": TARGET, "motivation": "questioning", "body": body}
    response = post_item(client, assignment, json.dumps(data))
    assert response.status_code == 400
    assert "body" in response.json()
    assert AssignmentItem.objects.count() == before
