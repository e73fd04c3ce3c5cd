"""Importing W3C files: what arrives, who sees it, once only, where it lands,
and how a long import shares the database with other writers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from annotations import importing
from annotations.models import Annotation, Tag
from tests.factories import make_annotation, make_user

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def upload(client, data):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(
        reverse("annotations:import"),
        {"file": SimpleUploadedFile("notes.jsonld", body)},
    )


def report_of(client, data):
    response = upload(client, data)
    assert response.status_code == 200
    return response.context["report"]


def quoting(exact: str, n: int = 1, **extra) -> dict:
    """Another tool's annotation of our text, found by its quote."""
    item = {
        "@context": CONTEXT,
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": "Annotation",
        "target": {
            "source": "https://elsewhere.example/book.html",
            "selector": {"type": "TextQuoteSelector", "exact": exact},
        },
    }
    item.update(extra)
    return item


def page(*items) -> dict:
    return {
        "@context": CONTEXT,
        "id": "urn:x:page",
        "type": "AnnotationPage",
        "items": list(items),
    }


def part_url(edition, slug="black"):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


# --- Throttled ---------------------------------------------------------------------


def test_imports_per_account_are_limited(client, reader_user, edition, throttle_rates):
    from django.test import Client

    throttle_rates(import_user="2/h")
    client.force_login(reader_user)
    assert upload(client, page()).status_code == 200
    assert upload(client, page()).status_code == 200
    response = upload(client, page(quoting("he looked at the mask")))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not Annotation.objects.exists()
    # The page itself still opens, and another reader imports as usual.
    assert client.get(reverse("annotations:import")).status_code == 200
    other = Client()
    other.force_login(make_user("carol"))
    assert upload(other, page()).status_code == 200


# --- Dates a note can have -------------------------------------------------------


def test_a_date_beyond_the_calendar_is_refused_and_every_page_still_works(
    client, reader_user, other_reader, passage
):
    """9999-12-31 at UTC-14 is year 10000 in UTC: PostgreSQL stored it and
    then failed every page that read it; SQLite failed the import."""
    make_annotation(other_reader, passage, 0, 7, visibility="public")
    client.force_login(reader_user)
    report = report_of(
        client,
        quoting(
            "Passage 2 of Part 2",
            body={"type": "TextualBody", "value": "From the far future"},
            created="9999-12-31T23:59:59-14:00",
        ),
    )
    assert report.imported == []
    (label, reason) = report.rejected[0]
    assert "created" in reason and "9999-12-31T23:59:59-14:00" in reason
    assert "outside the dates a note can have" in reason
    assert not Annotation.objects.filter(author=reader_user).exists()
    for who in (reader_user, other_reader):
        client.force_login(who)
        assert client.get(part_url(passage.edition)).status_code == 200
        assert client.get("/api/annotations/").status_code == 200


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("created", "1970-01-01T00:00:00Z"),
        ("created", "0001-01-01T00:00:00+14:00"),
        ("modified", "9999-12-31T23:59:59-14:00"),
        ("created", "in two days"),
    ],
)
def test_dates_before_1990_or_after_tomorrow_are_refused(
    client, reader_user, edition, key, value
):
    if value == "in two days":
        value = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    client.force_login(reader_user)
    report = report_of(client, quoting("Passage 2 of Part 2", **{key: value}))
    assert report.imported == []
    assert key in report.rejected[0][1]
    assert not Annotation.objects.exists()


def test_a_date_in_range_is_kept(client, reader_user, edition):
    client.force_login(reader_user)
    report = report_of(
        client,
        quoting(
            "Passage 2 of Part 2",
            created="1999-05-04T10:00:00+02:00",
            modified="2015-01-28T12:00:00Z",
        ),
    )
    assert len(report.imported) == 1, report.rejected
    note = Annotation.objects.get(author=reader_user)
    assert note.created == datetime(1999, 5, 4, 8, 0, tzinfo=UTC)
    assert note.modified == datetime(2015, 1, 28, 12, 0, tzinfo=UTC)


# --- Who sees an import ------------------------------------------------------------


@pytest.fixture
def alices_export(client, reader_user, other_reader, passage, next_passage):
    """Alice's notebook as she downloads it: a public note with her own
    reply, a class-free private highlight."""
    note = make_annotation(
        reader_user,
        passage,
        21,
        35,
        motivation="commenting",
        body="Alice's thought",
        visibility="public",
        tags=("mask",),
    )
    make_annotation(reader_user, next_passage, 0, 9, colour="green")
    from annotations.services import reply_create

    reply_create(author=reader_user, parent=note, body="Alice again")
    client.force_login(reader_user)
    exported = client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    client.logout()
    return note, exported


def test_another_readers_export_arrives_private_and_credited_to_them(
    client, reader_user, other_reader, alices_export
):
    note, exported = alices_export
    client.force_login(other_reader)
    report = report_of(client, exported)
    assert len(report.imported) == 3, report.rejected
    copies = Annotation.objects.filter(author=other_reader)
    assert {c.visibility for c in copies} == {"private"}
    assert {c.original_creator for c in copies} == {"alice"}
    copy = copies.get(reply_to__isnull=True, motivation="commenting")
    assert copy.canonical == f"urn:uuid:{note.pk}"
    assert copy.body == "Alice's thought"
    # The reply joined Bob's private copy, not Alice's public thread.
    reply = copies.get(reply_to__isnull=False)
    assert reply.reply_to == copy
    assert not note.replies.filter(author=other_reader).exists()
    # Nobody else sees Bob's copies.
    carol = make_user("carol")
    assert not Annotation.objects.visible_to(carol).filter(author=other_reader)
    # Bob's page credits Alice.
    page_html = client.get(part_url(note.edition)).content.decode()
    assert "by alice (imported)" in page_html
    notebook_html = client.get(reverse("annotations:notebook")).content.decode()
    assert "by alice (imported)" in notebook_html


def test_the_files_visibility_never_shares_an_imported_note(
    client, reader_user, edition
):
    client.force_login(reader_user)
    report = report_of(
        client,
        page(
            quoting("Passage 2 of Part 2", 1, **{"tn:visibility": "public"}),
            quoting("Passage 3 of Part 2", 2, **{"tn:visibility": "course"}),
        ),
    )
    assert len(report.imported) == 2, report.rejected
    assert set(Annotation.objects.values_list("visibility", flat=True)) == {"private"}
    carol = make_user("carol")
    assert not Annotation.objects.visible_to(carol).exists()


def test_an_own_note_coming_home_is_not_credited_to_anyone(
    client, reader_user, edition
):
    client.force_login(reader_user)
    item = quoting(
        "Passage 2 of Part 2", creator={"type": "Person", "nickname": "alice"}
    )
    assert len(report_of(client, item).imported) == 1
    assert Annotation.objects.get().original_creator == ""


def test_a_reply_into_a_thread_others_see_is_not_imported(
    client, reader_user, other_reader, passage
):
    shared = make_annotation(
        reader_user, passage, 0, 7, motivation="commenting", visibility="public"
    )
    client.force_login(other_reader)
    reply = {
        "@context": CONTEXT,
        "id": "urn:x:reply",
        "type": "Annotation",
        "motivation": "replying",
        "body": {"type": "TextualBody", "value": "Shown to everyone?"},
        "target": f"http://testserver/api/annotations/{shared.pk}/",
    }
    report = report_of(client, reply)
    assert report.imported == []
    assert "others can see" in report.rejected[0][1]
    assert not shared.replies.exists()


# --- Never twice -------------------------------------------------------------------


def test_the_same_file_imported_twice_adds_nothing_the_second_time(
    client, reader_user, other_reader, alices_export
):
    _note, exported = alices_export
    client.force_login(other_reader)
    assert len(report_of(client, exported).imported) == 3
    response = upload(client, exported)
    again = response.context["report"]
    assert again.imported == [] and again.rejected == []
    assert len(again.already_here) == 3
    assert Annotation.objects.filter(author=other_reader).count() == 3
    # Each is named on the page.
    assert response.content.decode().count("already imported</li>") == 3


def test_the_same_annotation_exported_by_someone_else_is_not_imported_again(
    client, reader_user, other_reader, alices_export
):
    """Carol imports Alice's note, then Bob's export of his copy of it."""
    _note, alices = alices_export
    client.force_login(other_reader)
    assert len(report_of(client, alices).imported) == 3
    bobs = client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    carol = make_user("carol")
    client.force_login(carol)
    assert len(report_of(client, alices).imported) == 3
    again = report_of(client, bobs)
    assert again.imported == []
    assert len(again.already_here) == 3
    assert Annotation.objects.filter(author=carol).count() == 3


def test_an_annotation_is_known_by_its_canonical_as_well_as_its_id(
    client, reader_user, edition
):
    client.force_login(reader_user)
    first = quoting("Passage 2 of Part 2", 1, canonical="https://tool.example/a/1")
    copy = quoting("Passage 2 of Part 2", 2, canonical="https://tool.example/a/1")
    same_id = quoting("Passage 3 of Part 2", 1)
    report = report_of(client, page(first, copy, same_id))
    assert report.imported == [first["id"]]
    assert report.already_here == [copy["id"], same_id["id"]]
    assert Annotation.objects.get().canonical == "https://tool.example/a/1"


# --- Other tools' files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "motivation", "colour"),
    [
        (
            {"type": "TextualBody", "value": "green", "purpose": "highlighting"},
            None,
            "green",
        ),
        ({"type": "TextualBody", "value": "Blue"}, "highlighting", "blue"),
        ({"type": "TextualBody", "value": "#ffd0e4"}, "highlighting", "pink"),
        ({"type": "TextualBody", "value": "#ff0000"}, "highlighting", "yellow"),
    ],
)
def test_a_highlighting_body_is_the_colour_not_the_note(
    client, reader_user, edition, body, motivation, colour
):
    client.force_login(reader_user)
    item = quoting("Passage 2 of Part 2", body=body)
    if motivation:
        item["motivation"] = motivation
    report = report_of(client, item)
    assert len(report.imported) == 1, report.rejected
    highlight = Annotation.objects.get()
    assert highlight.motivation == "highlighting"
    assert highlight.colour == colour
    assert highlight.body == ""


def test_words_in_a_highlighting_body_are_kept_as_the_note(
    client, reader_user, edition
):
    client.force_login(reader_user)
    item = quoting(
        "Passage 2 of Part 2",
        motivation="highlighting",
        body={"type": "TextualBody", "value": "Worth rereading"},
    )
    assert len(report_of(client, item).imported) == 1
    assert Annotation.objects.get().body == "Worth rereading"


@pytest.mark.parametrize("value", ["black-002", "#black-002"])
def test_a_fragment_naming_a_passage_marks_the_whole_passage(
    client, reader_user, next_passage, value
):
    client.force_login(reader_user)
    item = quoting("x")
    item["target"] = {
        "source": "https://elsewhere.example/book.html",
        "selector": {"type": "FragmentSelector", "value": value},
    }
    report = report_of(client, item)
    assert len(report.imported) == 1, report.rejected
    note = Annotation.objects.get()
    assert (note.start_passage, note.start_offset) == (next_passage, 0)
    assert (note.end_passage, note.end_offset) == (next_passage, len(next_passage.text))


def test_a_fragment_refined_by_a_quote_marks_the_quote_in_that_passage(
    client, reader_user, next_passage
):
    client.force_login(reader_user)
    item = quoting("x")
    item["target"] = {
        "source": "https://elsewhere.example/book.html",
        "selector": {
            "type": "FragmentSelector",
            "value": "black-002",
            # In every passage; the fragment says which.
            "refinedBy": {"type": "TextQuoteSelector", "exact": "the mask"},
        },
    }
    assert len(report_of(client, item).imported) == 1
    note = Annotation.objects.get()
    assert note.start_passage == next_passage and note.exact == "the mask"


def test_a_fragment_naming_no_passage_says_so(client, reader_user, edition):
    client.force_login(reader_user)
    item = quoting("x")
    item["target"] = {
        "source": "https://elsewhere.example/video",
        "selector": {"type": "FragmentSelector", "value": "t=30,60"},
    }
    reason = report_of(client, item).rejected[0][1]
    assert "FragmentSelector" in reason and "names no passage here" in reason
    assert "quote" not in reason


@pytest.mark.parametrize(
    "selector",
    [
        {"type": "XPathSelector", "value": "/html/body/p[2]"},
        {
            "type": "RangeSelector",
            "startSelector": {"type": "XPathSelector", "value": "/p[2]"},
            "endSelector": {"type": "XPathSelector", "value": "/p[3]"},
        },
    ],
)
def test_an_xpath_target_is_refused_for_what_it_is(
    client, reader_user, edition, selector
):
    client.force_login(reader_user)
    item = quoting("x")
    item["target"] = {"source": "https://elsewhere.example/b", "selector": selector}
    reason = report_of(client, item).rejected[0][1]
    assert "XPathSelector is not supported" in reason
    assert "add a TextQuoteSelector" in reason
    assert not Annotation.objects.exists()


def test_an_xpath_target_with_a_quote_is_placed_by_the_quote(
    client, reader_user, next_passage
):
    client.force_login(reader_user)
    item = quoting("x")
    item["target"] = {
        "source": "https://elsewhere.example/b",
        "selector": [
            {"type": "XPathSelector", "value": "/html/body/p[2]"},
            {"type": "TextQuoteSelector", "exact": "Passage 2 of Part 2"},
        ],
    }
    assert len(report_of(client, item).imported) == 1
    assert Annotation.objects.get().start_passage == next_passage


def test_a_quote_in_several_places_is_refused_as_ambiguous(
    client, reader_user, edition
):
    client.force_login(reader_user)
    reason = report_of(client, quoting("looked at the mask")).rejected[0][1]
    assert "several places" in reason


@pytest.mark.parametrize(
    "annotation_id",
    [
        "#6a1c1d8e-0000-4000-8000-00000000000a",
        "urn:uuid:6A1C1D8E-0000-4000-8000-00000000000B",
        "urn:uuid:not-a-uuid-at-all",
    ],
)
def test_ids_written_by_other_tools_are_accepted_and_deduplicated(
    client, reader_user, edition, annotation_id
):
    client.force_login(reader_user)
    item = quoting("Passage 2 of Part 2", id=annotation_id)
    assert len(report_of(client, item).imported) == 1
    again = report_of(client, item)
    assert again.imported == [] and again.already_here == [annotation_id]
    assert Annotation.objects.count() == 1


# --- Batches, retries and a busy database ------------------------------------------


def five_notes() -> dict:
    return page(
        *(
            quoting(
                f"Passage {i} of Part 2",
                i,
                body={"type": "TextualBody", "value": f"Note {i}"},
                created="2020-02-02T02:02:02Z",
            )
            | {
                "body": [
                    {"type": "TextualBody", "value": f"Note {i}"},
                    {"type": "TextualBody", "value": f"tag{i}", "purpose": "tagging"},
                ]
            }
            for i in range(1, 4)
        ),
        *(
            quoting(f"Passage {i} of Part 3", 3 + i, created="2020-02-02T02:02:02Z")
            for i in range(1, 3)
        ),
    )


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    monkeypatch.setattr(importing, "RETRY_PAUSE", 0)


def test_a_file_is_written_in_batches_and_says_so(
    client, reader_user, edition, small_batches
):
    client.force_login(reader_user)
    response = upload(client, five_notes())
    report = response.context["report"]
    assert len(report.imported) == 5
    assert report.batches == 3
    assert "Written in 3 batches" in response.content.decode()


def restore_failing(monkeypatch, label: str, times: int):
    """Make writing the dates of one annotation find the database locked,
    after its row and tags are written."""
    real = importing._restore
    calls = {"n": 0}

    def restore(annotation, plan):
        if plan.label == label and calls["n"] < times:
            calls["n"] += 1
            raise OperationalError("database is locked")
        real(annotation, plan)

    monkeypatch.setattr(importing, "_restore", restore)
    return calls


def test_a_locked_batch_is_retried_and_nothing_is_doubled(
    client, reader_user, edition, small_batches, monkeypatch
):
    calls = restore_failing(monkeypatch, five_notes()["items"][3]["id"], times=2)
    client.force_login(reader_user)
    report = report_of(client, five_notes())
    assert calls["n"] == 2
    assert len(report.imported) == 5 and report.stopped == ""
    assert Annotation.objects.count() == 5
    assert Tag.objects.count() == 3


def test_a_batch_that_stays_locked_stops_the_import_with_no_half_annotation(
    client, reader_user, edition, small_batches, monkeypatch
):
    items = five_notes()["items"]
    real_restore = importing._restore
    restore_failing(monkeypatch, items[3]["id"], times=99)
    client.force_login(reader_user)
    response = upload(client, five_notes())
    report = response.context["report"]
    # The first batch is kept whole; the second (items 3 and 4) left no
    # trace, though item 3's row and tag were written before item 4 failed.
    assert report.imported == [items[0]["id"], items[1]["id"]]
    assert report.batches == 1
    assert report.not_reached == 3
    assert "database stayed busy" in report.stopped
    kept = Annotation.objects.all()
    assert {a.body for a in kept} == {"Note 1", "Note 2"}
    assert {a.created.year for a in kept} == {2020}
    assert not Tag.objects.filter(name="tag3").exists()
    page_text = response.content.decode()
    assert "3 annotations were not reached" in page_text
    # Importing again adds the rest and nothing twice.
    monkeypatch.setattr(importing, "_restore", real_restore)
    again = report_of(client, five_notes())
    assert len(again.imported) == 3 and len(again.already_here) == 2
    assert Annotation.objects.count() == 5


def test_an_import_out_of_time_stops_after_a_whole_batch_and_resumes(
    client, reader_user, edition, small_batches, monkeypatch
):
    monkeypatch.setattr(importing, "TIME_BUDGET", -1.0)
    client.force_login(reader_user)
    report = report_of(client, five_notes())
    assert len(report.imported) == 2 and report.not_reached == 3
    assert "time limit" in report.stopped
    monkeypatch.setattr(importing, "TIME_BUDGET", 3600.0)
    again = report_of(client, five_notes())
    assert len(again.imported) == 3 and len(again.already_here) == 2


def test_a_writer_that_finds_the_database_locked_gets_503_and_retry_after(
    client, reader_user, passage, monkeypatch
):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("annotations.api.annotation_create", locked)
    client.force_login(reader_user)
    response = client.post(
        "/api/annotations/",
        {
            "edition": passage.edition.slug,
            "target": {
                "start": {"passage": passage.key, "offset": 0},
                "end": {"passage": passage.key, "offset": 7},
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
    assert not Annotation.objects.exists()


def test_a_page_that_finds_the_database_locked_says_so_in_html(
    client, reader_user, db, monkeypatch
):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("annotations.views.import_annotations", locked)
    client.force_login(reader_user)
    response = upload(client, quoting("x"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again in a few seconds" in response.content.decode()


def test_other_database_errors_are_not_disguised_as_busy(
    client, reader_user, db, monkeypatch
):
    def broken(**kwargs):
        raise OperationalError("no such table: annotations_annotation")

    monkeypatch.setattr("annotations.views.import_annotations", broken)
    client.force_login(reader_user)
    with pytest.raises(OperationalError):
        upload(client, quoting("x"))


def test_a_stored_year_10000_is_repaired_so_pages_work_again(
    client, reader_user, other_reader, passage
):
    import importlib

    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL stored the year 10000 (SQLite refused it)")

    note = make_annotation(reader_user, passage, 0, 7, visibility="public")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotations_annotation SET created = %s WHERE id = %s",
            ["10000-01-01 13:59:59+00", note.pk],
        )
    client.force_login(other_reader)
    client.raise_request_exception = False
    assert client.get(part_url(passage.edition)).status_code == 500
    # Replaced by annotations' 0001_annotations_on_classes: main's files
    # live on in tests/classes/before/.
    migration = importlib.import_module(
        "tests.classes.before.annotations.migrations."
        "0009_repair_impossible_annotation_dates"
    )
    migration.repair_dates(apps, None)
    assert client.get(part_url(passage.edition)).status_code == 200
    assert client.get("/api/annotations/").status_code == 200
    assert Annotation.objects.get(pk=note.pk).created.year < 10000


def test_a_copy_exports_with_its_originals_identity_and_author(
    client, reader_user, other_reader, alices_export
):
    """Bob's export of his copy names Alice's note as its canonical and Alice
    as its creator, so an importer on another site knows it, and her."""
    note, alices = alices_export
    client.force_login(other_reader)
    report_of(client, alices)
    bobs = json.loads(
        client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    )
    copy = next(
        item
        for item in bobs["first"]["items"]
        if item["canonical"] == f"urn:uuid:{note.pk}"
    )
    assert copy["creator"]["name"] == reader_user.get_username()
    assert not copy["id"].endswith(f"{note.pk}/")
    mine = make_annotation(other_reader, note.start_passage, 0, 4)
    exported = json.loads(
        client.get(reverse("annotations:export", args=["jsonld"])).getvalue()
    )
    own = next(i for i in exported["first"]["items"] if str(mine.pk) in i["id"])
    assert own["canonical"] == f"urn:uuid:{mine.pk}"
    assert own["creator"]["nickname"] == other_reader.get_username()
