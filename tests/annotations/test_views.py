"""Reply, edit, delete and the notebook: who may do what, through pages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import annotation_delete, reply_create
from tests.factories import make_annotation, make_user


@pytest.fixture
def shared_note(reader_user, passage):
    return make_annotation(
        reader_user,
        passage,
        21,
        35,
        motivation="commenting",
        body="Mine",
        visibility="public",
    )


# --- Reply --------------------------------------------------------------------


def test_another_reader_replies_to_a_public_note(client, other_reader, shared_note):
    client.force_login(other_reader)
    response = client.post(
        reverse("annotations:reply", args=[shared_note.pk]), {"body": "Yes!"}
    )
    assert response.status_code == 302
    assert shared_note.replies.get().body == "Yes!"


def test_nobody_replies_to_a_private_note_they_cannot_see(
    client, other_reader, reader_user, passage
):
    private = make_annotation(reader_user, passage, motivation="commenting")
    client.force_login(other_reader)
    response = client.post(
        reverse("annotations:reply", args=[private.pk]), {"body": "Hi"}
    )
    assert response.status_code == 404
    assert not private.replies.exists()


def test_anonymous_visitors_cannot_reply(client, shared_note):
    response = client.post(
        reverse("annotations:reply", args=[shared_note.pk]), {"body": "x"}
    )
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not shared_note.replies.exists()


def test_an_empty_reply_writes_nothing(client, other_reader, shared_note):
    client.force_login(other_reader)
    client.post(reverse("annotations:reply", args=[shared_note.pk]), {"body": ""})
    assert not shared_note.replies.exists()


# --- Edit ---------------------------------------------------------------------


def test_the_author_edits_through_the_form(client, reader_user, shared_note):
    client.force_login(reader_user)
    url = reverse("annotations:edit", args=[shared_note.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "motivation": "questioning",
            "body": "Why?",
            "tags": "mask, light",
            "colour": "pink",
            "visibility": "private",
        },
    )
    assert response.status_code == 302
    shared_note.refresh_from_db()
    assert (shared_note.motivation, shared_note.body, shared_note.colour) == (
        "questioning",
        "Why?",
        "pink",
    )
    assert [t.name for t in shared_note.tags_in_order()] == ["light", "mask"]


@pytest.mark.parametrize("who", ["other", "curator"])
def test_nobody_else_edits(client, shared_note, other_reader, curator, who):
    client.force_login(other_reader if who == "other" else curator)
    url = reverse("annotations:edit", args=[shared_note.pk])
    assert client.get(url).status_code == 403
    assert (
        client.post(
            url,
            {
                "motivation": "commenting",
                "body": "Hijacked",
                "colour": "yellow",
                "visibility": "public",
            },
        ).status_code
        == 403
    )
    shared_note.refresh_from_db()
    assert shared_note.body == "Mine"


def test_an_invalid_edit_shows_the_form_again_and_saves_nothing(
    client, reader_user, shared_note
):
    client.force_login(reader_user)
    response = client.post(
        reverse("annotations:edit", args=[shared_note.pk]),
        {
            "motivation": "commenting",
            "body": "",
            "colour": "yellow",
            "visibility": "public",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    shared_note.refresh_from_db()
    assert shared_note.body == "Mine"


# --- Delete -------------------------------------------------------------------


def test_delete_asks_once_then_deletes(client, reader_user, shared_note):
    client.force_login(reader_user)
    url = reverse("annotations:delete", args=[shared_note.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete this annotation?" in page.content.decode()
    assert Annotation.objects.filter(pk=shared_note.pk).exists()
    assert client.post(url).status_code == 302
    assert not Annotation.objects.filter(pk=shared_note.pk).exists()


def test_delete_warns_that_others_replies_are_kept(
    client, reader_user, other_reader, shared_note
):
    reply_create(author=other_reader, parent=shared_note, body="Keep me")
    client.force_login(reader_user)
    page = client.get(reverse("annotations:delete", args=[shared_note.pk]))
    assert "1 reply by another reader is kept" in page.content.decode()


@pytest.mark.parametrize("who", ["other", "curator", "anonymous"])
def test_nobody_else_deletes(client, shared_note, other_reader, curator, who):
    if who != "anonymous":
        client.force_login(other_reader if who == "other" else curator)
    response = client.post(reverse("annotations:delete", args=[shared_note.pk]))
    assert response.status_code in (302, 403)
    if who != "anonymous":
        assert response.status_code == 403
    assert Annotation.objects.filter(pk=shared_note.pk).exists()


# --- Notebook and exports -------------------------------------------------------


def notebook_pages(client):
    """Every page of My notebook, following its part and page links."""
    first = client.get(reverse("annotations:notebook"))
    pages = []
    for section in first.context["sections"]:
        url = section["url"]
        while url:
            response = client.get(url)
            pages.append(response)
            url = response.context["next_url"]
    return pages or [first]


def notebook_listed(client):
    return [
        a.pk
        for page in notebook_pages(client)
        for g in page.context["groups"]
        for a in g["annotations"]
    ]


def test_the_notebook_lists_my_annotations_in_reading_order(
    client, reader_user, other_reader, edition
):
    from reader.models import Passage

    later = make_annotation(
        reader_user,
        Passage.objects.get(key="letter-001"),
        motivation="commenting",
        body="Later",
    )
    earlier = make_annotation(reader_user, Passage.objects.get(key="opening-002"))
    theirs = make_annotation(
        other_reader, Passage.objects.get(key="black-001"), visibility="public"
    )
    client.force_login(reader_user)
    listed = notebook_listed(client)
    assert listed == [earlier.pk, later.pk]
    assert theirs.pk not in listed
    html = "".join(page.content.decode() for page in notebook_pages(client))
    assert f"#card-{later.pk}" in html


def test_the_notebook_makes_the_same_queries_for_2_and_8_notes(
    client, reader_user, other_reader, edition, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reader.models import Passage

    passages = list(Passage.objects.filter(edition=edition).order_by("pk"))

    def add(n):
        for i in range(n):
            mine = make_annotation(
                reader_user,
                passages[i % len(passages)],
                motivation="commenting",
                body=f"Note {i}",
                visibility="public",
            )
            theirs = make_annotation(
                other_reader, passages[i % len(passages)], visibility="public"
            )
            reply_create(author=other_reader, parent=mine, body="A reply.")
            reply_create(author=reader_user, parent=theirs, body="My reply.")

    client.force_login(reader_user)
    add(2)
    client.get(reverse("annotations:notebook"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("annotations:notebook"))
    add(6)
    with django_assert_num_queries(len(baseline)):
        client.get(reverse("annotations:notebook"))
    assert len(notebook_listed(client)) == 8


def test_the_notebook_needs_an_account(client, db):
    response = client.get(reverse("annotations:notebook"))
    assert response.status_code == 302


@pytest.fixture
def notebook(reader_user, other_reader, passage, next_passage):
    note = make_annotation(
        reader_user,
        passage,
        21,
        35,
        motivation="commenting",
        body='=HYPERLINK("x")',
        visibility="public",
        tags=("mask",),
    )
    span = make_annotation(
        reader_user, passage, 40, 10, end_passage=next_passage, colour="blue"
    )
    reply_create(author=other_reader, parent=note, body="Their reply")
    mine = reply_create(author=reader_user, parent=note, body="+my own reply")
    return note, span, mine


def test_markdown_export_reads_like_a_notebook(client, reader_user, notebook):
    client.force_login(reader_user)
    response = client.get(reverse("annotations:export", args=["md"]))
    text = response.getvalue().decode()
    assert response["Content-Disposition"].endswith('.md"')
    assert "## Part 2" in text
    assert "> he looked at th" in text or "> " in text
    assert "#mask" in text
    assert "**bob** replied: Their reply" in text


def test_csv_export_neutralises_formulas_and_holds_only_my_items(
    client, reader_user, notebook
):
    note, span, mine = notebook
    client.force_login(reader_user)
    response = client.get(reverse("annotations:export", args=["csv"]))
    text = response.getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [str(note.pk), str(mine.pk), str(span.pk)] or {
        r["id"] for r in rows
    } == {str(note.pk), str(mine.pk), str(span.pk)}
    by_id = {r["id"]: r for r in rows}
    assert by_id[str(note.pk)]["note"] == '\'=HYPERLINK("x")'
    assert by_id[str(mine.pk)]["note"] == "'+my own reply"
    assert by_id[str(span.pk)]["end_passage"] == "black-002"
    assert "Their reply" not in text


def test_jsonld_export_is_a_w3c_collection_of_my_items(client, reader_user, notebook):
    client.force_login(reader_user)
    response = client.get(reverse("annotations:export", args=["jsonld"]))
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(response.getvalue())
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 3
    assert {i["motivation"] for i in data["first"]["items"]} == {
        "commenting",
        "highlighting",
        "replying",
    }


@pytest.fixture
def my_reply_to_theirs(reader_user, other_reader, passage):
    """Bob's shared note and Alice's reply to it: Alice's to export."""
    theirs = make_annotation(
        other_reader,
        passage,
        21,
        35,
        motivation="questioning",
        body="Bob asks",
        visibility="public",
    )
    return theirs, reply_create(author=reader_user, parent=theirs, body="Alice answers")


def export(client, fmt):
    return client.get(reverse("annotations:export", args=[fmt])).getvalue().decode()


def test_my_replies_in_others_threads_are_in_every_export(
    client, reader_user, my_reply_to_theirs
):
    theirs, mine = my_reply_to_theirs
    client.force_login(reader_user)
    markdown = export(client, "md")
    assert "# My replies to others' notes" in markdown
    assert f"> {theirs.exact}" in markdown and "Bob asks" in markdown
    assert "**alice** replied: Alice answers" in markdown
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export(client, "csv")))}
    assert rows[str(mine.pk)]["reply_to"] == str(theirs.pk)
    assert rows[str(mine.pk)]["note"] == "Alice answers"
    assert str(theirs.pk) not in rows
    items = json.loads(export(client, "jsonld"))["first"]["items"]
    assert len(items) == 1
    assert items[0]["id"].endswith(f"/api/annotations/{mine.pk}/")
    assert items[0]["motivation"] == "replying"
    assert items[0]["target"].endswith(f"/api/annotations/{theirs.pk}/")


def test_a_thread_i_can_no_longer_see_is_not_shown_with_my_reply(
    client, reader_user, other_reader, my_reply_to_theirs
):
    theirs, mine = my_reply_to_theirs
    Annotation.objects.filter(pk=theirs.pk).update(visibility="private")
    client.force_login(reader_user)
    markdown = export(client, "md")
    assert "Alice answers" in markdown
    assert "Bob asks" not in markdown and theirs.exact not in markdown
    row = next(csv.DictReader(io.StringIO(export(client, "csv"))))
    assert row["id"] == str(mine.pk)
    assert (row["part"], row["url"]) == ("", "")


def test_my_exported_reply_in_a_shared_thread_is_not_imported_and_says_why(
    client, reader_user, my_reply_to_theirs
):
    """Imported notes stay private, and a reply is seen by whoever sees its
    thread: a reply into someone's public thread is refused, not widened."""
    theirs, mine = my_reply_to_theirs
    client.force_login(reader_user)
    exported = export(client, "jsonld").encode()
    mine_id = mine.pk
    mine.delete()
    report = upload(client, exported).context["report"]
    assert report.imported == []
    assert report.rejected[0][0].endswith(f"/api/annotations/{mine_id}/")
    assert "imported notes stay private" in report.rejected[0][1]
    assert not Annotation.objects.filter(pk=mine_id).exists()
    assert not theirs.replies.exists()


def test_a_reply_to_a_note_that_is_not_here_is_rejected_with_the_reason(
    client, reader_user, my_reply_to_theirs
):
    theirs, mine = my_reply_to_theirs
    client.force_login(reader_user)
    exported = export(client, "jsonld").encode()
    mine_id = mine.pk
    mine.delete()
    theirs.delete()
    report = upload(client, exported).context["report"]
    assert report.imported == []
    assert report.rejected[0][0].endswith(f"/api/annotations/{mine_id}/")
    assert "neither here nor in the file" in report.rejected[0][1]
    assert not Annotation.objects.exists()


def test_a_reply_to_a_note_deleted_since_is_rejected_with_a_readable_reason(
    client, reader_user, other_reader, my_reply_to_theirs
):
    """Its author deleted the note: the thread takes no new replies, even
    ones a file says were written before."""
    theirs, mine = my_reply_to_theirs
    reply_create(author=reader_user, parent=theirs, body="Kept: Bob's thread")
    client.force_login(reader_user)
    exported = export(client, "jsonld").encode()
    mine.delete()
    annotation_delete(annotation=theirs, user=other_reader)
    report = upload(client, exported).context["report"]
    assert report.imported == []
    reasons = [reason for _label, reason in report.rejected]
    assert len(reasons) == 1
    assert "{" not in reasons[0] and "imported notes stay private" in reasons[0]


@pytest.fixture
def tombstone(reader_user, other_reader, passage):
    """Alice's shared note, answered by Bob, then deleted by Alice."""
    note = make_annotation(
        reader_user,
        passage,
        21,
        35,
        motivation="questioning",
        body="Alice asks",
        visibility="public",
        tags=("mask",),
    )
    reply_create(author=other_reader, parent=note, body="Bob answers")
    annotation_delete(annotation=note, user=reader_user)
    note.refresh_from_db()
    assert note.is_deleted
    return note


def test_a_deleted_note_with_replies_exports_as_deleted_not_as_an_empty_note(
    client, reader_user, tombstone
):
    client.force_login(reader_user)
    assert "\n(deleted)\n" in export(client, "md")
    row = next(csv.DictReader(io.StringIO(export(client, "csv"))))
    assert (row["id"], row["note"]) == (str(tombstone.pk), "(deleted)")
    assert row["deleted"] == tombstone.deleted.isoformat()
    (item,) = json.loads(export(client, "jsonld"))["first"]["items"]
    assert item["tn:deleted"] == tombstone.deleted.isoformat().replace("+00:00", "Z")
    assert "body" not in item
    assert item["motivation"] == "questioning"
    assert item["target"]["selector"][0]["exact"] == tombstone.exact


def test_a_deleted_note_imports_again_as_deleted(client, reader_user, tombstone):
    client.force_login(reader_user)
    exported = export(client, "jsonld").encode()
    # A fresh database.
    Annotation.objects.filter(reply_to__isnull=False).delete()
    Annotation.objects.all().delete()
    report = upload(client, exported).context["report"]
    assert len(report.imported) == 1, report.rejected
    back = Annotation.objects.get()
    assert back.pk == tombstone.pk
    assert back.deleted == tombstone.deleted
    assert (back.body, back.motivation, back.exact) == (
        "",
        "questioning",
        tombstone.exact,
    )
    assert back.start_offset == tombstone.start_offset


def test_exports_need_an_account(client, db):
    for fmt in ("md", "csv", "jsonld"):
        assert client.get(reverse("annotations:export", args=[fmt])).status_code == 302


# --- Import -----------------------------------------------------------------------


def upload(client, data, name="notes.jsonld"):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(
        reverse("annotations:import"), {"file": SimpleUploadedFile(name, body)}
    )


def test_an_export_imports_into_a_fresh_database_with_nothing_lost_but_sharing(
    client, reader_user, notebook
):
    note, span, mine = notebook
    client.force_login(reader_user)
    exported = json.loads(
        client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    )
    before = {
        a.pk: (
            a.start_passage_id,
            a.start_offset,
            a.end_passage_id,
            a.end_offset,
            a.exact,
            a.body,
            a.colour,
            a.motivation,
            [t.name for t in a.tags_in_order()],
            a.created,
        )
        for a in Annotation.objects.filter(author=reader_user)
    }
    # A fresh database: remove everything the reader and others had.
    Annotation.objects.filter(reply_to__isnull=False).delete()
    Annotation.objects.all().delete()
    response = upload(client, exported)
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.imported) == 3, report.rejected
    after = {
        a.pk: (
            a.start_passage_id,
            a.start_offset,
            a.end_passage_id,
            a.end_offset,
            a.exact,
            a.body,
            a.colour,
            a.motivation,
            [t.name for t in a.tags_in_order()],
            a.created,
        )
        for a in Annotation.objects.filter(author=reader_user)
    }
    assert after == before
    # Except who sees them: an import never shares a note (the public note
    # and the reply in its thread come back private; the reader re-shares).
    assert set(
        Annotation.objects.filter(author=reader_user).values_list(
            "visibility", flat=True
        )
    ) == {"private"}


def test_importing_the_same_file_twice_adds_nothing(client, reader_user, notebook):
    client.force_login(reader_user)
    exported = client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    count = Annotation.objects.count()
    report = upload(client, exported).context["report"]
    assert report.imported == []
    assert len(report.already_here) == 3
    assert Annotation.objects.count() == count


@pytest.fixture
def distinct_passage(passage):
    """Fixture texts repeat; give one passage words found nowhere else."""
    passage.text = "Under the lamp the antimony mould gave back a grey, exact negative."
    passage.save()
    return passage


def test_another_tools_annotation_is_matched_by_its_quote(
    client, reader_user, distinct_passage
):
    client.force_login(reader_user)
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:6a1c1d8e-0000-4000-8000-000000000001",
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "From another tool"},
        "target": {
            "source": "https://elsewhere.example/some/ebook.html",
            "selector": {
                "type": "TextQuoteSelector",
                "exact": "antimony mould",
                "prefix": "lamp the ",
            },
        },
    }
    report = upload(client, foreign).context["report"]
    assert len(report.imported) == 1, report.rejected
    imported = Annotation.objects.get(author=reader_user)
    assert imported.start_passage == distinct_passage
    assert imported.exact == "antimony mould"
    assert imported.motivation == "commenting"


def test_an_annotation_of_another_text_is_reported_not_for_this_edition(
    client, reader_user, db, edition
):
    client.force_login(reader_user)
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:1",
        "type": "Annotation",
        "target": {
            "source": "https://example.org/moby",
            "selector": {"type": "TextQuoteSelector", "exact": "Call me Ishmael"},
        },
    }
    report = upload(client, foreign).context["report"]
    assert report.imported == []
    assert "not for this edition" in report.rejected[0][1]
    assert not Annotation.objects.exists()


def test_a_quote_found_in_many_passages_is_not_guessed(client, reader_user, passage):
    client.force_login(reader_user)
    ambiguous = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:many",
        "type": "Annotation",
        "target": {
            "source": "x:y",
            "selector": {"type": "TextQuoteSelector", "exact": "looked at the mask"},
        },
    }
    report = upload(client, ambiguous).context["report"]
    assert report.imported == []
    assert not Annotation.objects.exists()


def test_invalid_annotations_are_rejected_with_the_reason_and_the_rest_imported(
    client, reader_user, distinct_passage
):
    client.force_login(reader_user)
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:good",
        "type": "Annotation",
        "target": {
            "source": "x:y",
            "selector": {"type": "TextQuoteSelector", "exact": "antimony mould"},
        },
    }
    bad = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:bad",
        "type": "Annotation",
    }
    page = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationPage",
        "id": "urn:p",
        "items": [good, bad],
    }
    report = upload(client, page).context["report"]
    assert report.imported == ["urn:x:good"]
    assert report.rejected[0][0] == "urn:x:bad"
    assert "target" in report.rejected[0][1]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not json", "not valid JSON"), ("caf\u00e9".encode("latin-1"), "not UTF-8")],
)
def test_a_broken_file_gets_a_clear_message(client, reader_user, db, content, message):
    client.force_login(reader_user)
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversized_file_is_refused(client, reader_user, db, monkeypatch):
    monkeypatch.setattr("annotations.forms.MAX_IMPORT_BYTES", 10)
    client.force_login(reader_user)
    response = upload(client, {"a": "0123456789"})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_import_needs_an_account(client, db):
    assert client.get(reverse("annotations:import")).status_code == 302
    carol = make_user("carol")
    assert carol.pk


def test_a_reader_gets_a_new_api_token_replacing_the_old(client, reader_user):
    from rest_framework.authtoken.models import Token

    client.force_login(reader_user)
    first = client.post(reverse("annotations:token")).context["token"]
    second = client.post(reverse("annotations:token")).context["token"]
    assert first != second
    assert list(
        Token.objects.filter(user=reader_user).values_list("key", flat=True)
    ) == [second]


def test_tokens_need_an_account_and_a_post(client, reader_user):
    assert client.post(reverse("annotations:token")).status_code == 302
    client.force_login(reader_user)
    assert client.get(reverse("annotations:token")).status_code == 405


def test_the_markdown_preview_needs_an_account_and_is_sanitised(client, reader_user):
    url = reverse("markdownx_markdownify")
    response = client.post(url, {"content": "**hi**"})
    assert response.status_code == 302
    client.force_login(reader_user)
    response = client.post(url, {"content": "**hi** <script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>hi</strong>" in html
    assert "<script" not in html


def test_image_uploads_through_the_editor_are_off(client, reader_user):
    client.force_login(reader_user)
    assert client.post("/markdownx/upload/", {}).status_code == 404
