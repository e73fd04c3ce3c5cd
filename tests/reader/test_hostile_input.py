"""Reading-progress beacons with JSON an attacker sends: a 400 that says
why (each was a 500), and nothing recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reader.models import PassageRead

TOO_DEEP = "The JSON is nested more than 32 levels deep."


@pytest.mark.parametrize(
    "body, message",
    [
        ("[" * 100_000 + "]" * 100_000, TOO_DEEP),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, TOO_DEEP),
        (
            '{"keys": [' + "1" * 5000 + "]}",
            "The JSON has a number longer than 50 characters.",
        ),
    ],
)
def test_progress_refuses_json_beyond_the_limits_with_a_400(
    client, reader_user, edition, body, message
):
    client.force_login(reader_user)
    response = client.post(
        reverse("reader:progress", args=[edition.slug]),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not PassageRead.objects.exists()
