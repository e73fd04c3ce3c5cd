"""An assignment's part page, fragment by fragment: ?assignment= is carried."""

from __future__ import annotations

import re

from django.urls import reverse

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def test_a_fragment_in_an_assignment_marks_its_passages_and_lists_its_prompts(
    client, student, assignment, edition
):
    client.force_login(student)
    url = reverse("reader:part_passages", args=[edition.slug, "black"])
    query = {"keys": "black-002", "assignment": assignment.pk}
    data = client.get(url, query).json()
    row = data["passages"]["black-002"]
    assert "in-assignment" in row
    assert f"card-{assignment.prompt.pk}" in row
    assert "What does he see?" in data["fragments"]["before_passages"]
    page = client.get(
        reverse("reader:part", args=[edition.slug, "black"]),
        {"assignment": assignment.pk},
    ).content.decode()
    bar = CSRF_INPUT.sub("", data["fragments"]["before_passages"])
    assert bar and bar in CSRF_INPUT.sub("", page)
    # Without the assignment, the same passage is plain reading.
    plain = client.get(url, {"keys": "black-002"}).json()
    assert "in-assignment" not in plain["passages"]["black-002"]
    assert plain["fragments"]["before_passages"].strip() == ""
