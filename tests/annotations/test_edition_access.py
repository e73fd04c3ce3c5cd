"""Notes on an edition restricted to one class: seen, answered, listed and
imported only by those who may read the edition. A reader's own notes stay
theirs (My notebook, exports) even after they lose the edition."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from classes.models import Enrollment
from tests.factories import make_annotation

# (role, may read the edition); the student wrote the note.
CAST = [
    ("anonymous", False),
    ("stranger", False),
    ("student", True),
    ("teacher", True),
    ("curator", True),
]


@pytest.fixture
def note(licensed, settings):
    # Anonymous visitors see public notes here, so the edition alone decides.
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    return make_annotation(
        licensed.student,
        licensed.passage,
        21,
        41,
        motivation="commenting",
        body="A public note on the licensed text",
        visibility="public",
    )


def user_of(licensed, role):
    return AnonymousUser() if role == "anonymous" else getattr(licensed, role)


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_visibility_rule_asks_the_edition(licensed, note, role, may_read):
    visible = Annotation.objects.visible_to(user_of(licensed, role))
    assert visible.filter(pk=note.pk).exists() == may_read


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_passage_annotations_page(licensed, note, role, may_read):
    url = reverse(
        "annotations:passage", kwargs={"edition": "licensed", "key": "black-001"}
    )
    response = licensed.client(role).get(url)
    assert response.status_code == (200 if may_read else 404)
    assert (note.body in response.content.decode()) == may_read


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_api_lists_the_note_only_to_readers(licensed, note, role, may_read):
    for query in ("", "?edition=licensed"):
        response = licensed.client(role).get(f"/api/annotations/{query}")
        assert response.status_code == 200
        ids = [a["id"] for a in response.json()["results"]]
        assert (str(note.pk) in ids) == may_read


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_api_detail(licensed, note, role, may_read):
    response = licensed.client(role).get(f"/api/annotations/{note.pk}/")
    assert response.status_code == (200 if may_read else 404)
    w3c = licensed.client(role).get(
        f"/api/annotations/{note.pk}/", HTTP_ACCEPT="application/ld+json"
    )
    assert w3c.status_code == (200 if may_read else 404)


@pytest.mark.parametrize("role, may_read", [c for c in CAST if c[0] != "anonymous"])
def test_the_api_creates_only_on_a_readable_edition(licensed, role, may_read):
    data = {
        "edition": "licensed",
        "target": {
            "start": {"passage": "black-001", "offset": 21},
            "end": {"passage": "black-001", "offset": 41},
        },
        "motivation": "highlighting",
    }
    response = licensed.client(role).post(
        "/api/annotations/", json.dumps(data), content_type="application/json"
    )
    if may_read:
        assert response.status_code == 201
    else:
        # The same answer as for an edition that does not exist.
        assert response.status_code == 400
        assert response.json() == {"edition": ["Unknown edition."]}
        assert not Annotation.objects.filter(author=licensed.stranger).exists()


def test_a_stranger_cannot_reply_to_or_flag_a_note_on_it(licensed, note):
    stranger = licensed.client("stranger")
    api = stranger.post(
        "/api/annotations/",
        json.dumps({"reply_to": str(note.pk), "body": "Hello"}),
        content_type="application/json",
    )
    assert api.status_code == 404
    reply = stranger.post(
        reverse("annotations:reply", args=[note.pk]), {"body": "Hello"}
    )
    flag = stranger.post(reverse("annotations:flag", args=[note.pk]), {"reason": "x"})
    assert reply.status_code == flag.status_code == 404
    assert not note.replies.exists()
    assert not note.flags.exists()


def test_a_reader_keeps_their_own_notes_after_losing_the_edition(licensed, note):
    Enrollment.objects.filter(student=licensed.student).delete()
    client = licensed.client("student")
    # The text is gone for them ...
    assert client.get(licensed.edition.get_absolute_url()).status_code == 404
    # ... their own notes are not: My notebook, the exports, the API.
    assert note.body in client.get(reverse("annotations:notebook")).content.decode()
    for fmt in ("md", "csv", "jsonld"):
        export = client.get(reverse("annotations:export", args=[fmt]))
        assert note.body in export.getvalue().decode()
    mine = client.get("/api/annotations/?author=me").json()["results"]
    assert [a["id"] for a in mine] == [str(note.pk)]


def w3c_note_on(licensed) -> bytes:
    source = "http://testserver" + reverse(
        "reader:passage", kwargs={"edition": "licensed", "key": "black-001"}
    )
    return json.dumps(
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "urn:uuid:0b7a4a02-7d8e-4a55-9f3c-2b0e4c1d9e11",
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": "Imported"},
            "target": {
                "source": source,
                "selector": {
                    "type": "TextQuoteSelector",
                    "exact": "looked at the mask",
                },
            },
        }
    ).encode()


@pytest.mark.parametrize("role, may_read", [("stranger", False), ("student", True)])
def test_the_w3c_import_places_notes_only_in_a_readable_edition(
    licensed, role, may_read
):
    response = licensed.client(role).post(
        reverse("annotations:import"),
        {"file": SimpleUploadedFile("notes.jsonld", w3c_note_on(licensed))},
    )
    assert response.status_code == 200
    user = getattr(licensed, role)
    imported = Annotation.objects.filter(author=user, edition=licensed.edition)
    assert imported.exists() == may_read
    assert bool(response.context["report"].rejected) != may_read
