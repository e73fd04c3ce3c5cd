"""Importing a licensed text: command and admin, preview first, nothing half-done."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.models import Annotation
from reader.models import Edition, Passage
from tests.factories import make_annotation, make_user
from tests.reader.test_import_files import make_epub

PARTS = [
    (
        "",
        ["A first paragraph of the opening, addressed to someone just arrived."],
    ),
    (
        "The Black Notebook",
        ["The lamp was lit early that evening.", "He wrote until the ink ran thin."],
    ),
    (
        "The White Notebook",
        ["A cast lay drying on the bench.", "Nobody came to the door."],
    ),
    (
        "The Gray Notebook",
        ["The toy shop was on the corner.", "The rain stopped at four."],
    ),
    ("On the Blank Pages", ["He waited on the mat by the window."]),
    ("My Wife’s Letter", ["The letter was short and very calm."]),
    ("On the Blank Pages, Continued", ["He went out with the mask on."]),
]


def markdown(parts=PARTS) -> bytes:
    lines = []
    for heading, paragraphs in parts:
        if heading:
            lines += [f"# {heading}", ""]
        for paragraph in paragraphs:
            lines += [paragraph, ""]
    return "\n".join(lines).encode("utf-8")


def epub(parts=PARTS) -> bytes:
    chapters = []
    for heading, paragraphs in parts:
        body = (f"<h1>{heading}</h1>" if heading else "") + "".join(
            f"<p>{p}</p>" for p in paragraphs
        )
        chapters.append(body)
    return make_epub(chapters)


def run(path, *extra) -> str:
    out = StringIO()
    call_command(
        "import_edition",
        str(path),
        "--slug",
        "licensed",
        "--title",
        "Licensed",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_the_command_imports_a_markdown_text_into_parts_and_passages(tmp_path, db):
    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    output = run(path)
    edition = Edition.objects.get(slug="licensed")
    assert [p.slug for p in edition.parts.all()] == [
        "opening-address",
        "black-notebook",
        "white-notebook",
        "gray-notebook",
        "final-notes",
        "wifes-letter",
        "final-notes-continued",
    ]
    assert (
        Passage.objects.get(edition=edition, key="black-002").text
        == "He wrote until the ink ran thin."
    )
    assert "The Black Notebook: 2 passages" in output


def test_a_dry_run_and_a_broken_file_write_nothing(tmp_path, db):
    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    assert "nothing was written" in run(path, "--dry-run")
    assert not Edition.objects.exists()
    bad = tmp_path / "book.epub"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(CommandError, match="not an EPUB"):
        run(bad)
    nothing = tmp_path / "plain.md"
    nothing.write_bytes(b"Just a paragraph.\n\nAnd another.\n")
    with pytest.raises(CommandError, match="No parts recognised"):
        run(nothing)
    assert not Edition.objects.exists()


# --- Admin -------------------------------------------------------------------------


IMPORT = reverse("admin:reader_edition_import")


def upload(client, data: bytes, name: str, slug="licensed"):
    return client.post(
        IMPORT,
        {
            "file": SimpleUploadedFile(name, data),
            "slug": slug,
            "title": "Licensed",
            "author": "A",
            "language": "en",
        },
    )


def step(client, preview_response, step, **extra):
    ctx = preview_response.context
    data = {
        "step": step,
        "token": ctx["token"],
        "name": ctx["name"],
        "patterns": ctx["patterns"],
        **ctx["details"],
        **extra,
    }
    return client.post(IMPORT, data)


def test_a_curator_previews_an_epub_then_confirms(client, curator, db):
    client.force_login(curator)
    preview = upload(client, epub(), "book.epub")
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.ok and [len(p.passages) for p in plan.split.parts] == [
        1,
        2,
        2,
        2,
        1,
        1,
        1,
    ]
    assert not Edition.objects.exists()
    done = step(client, preview, "confirm")
    assert done.status_code == 302
    assert Edition.objects.get(slug="licensed").passages.count() == 10
    assert not list(
        (Path(settings.MEDIA_ROOT) / "imports").glob(preview.context["token"])
    )


def test_cancelling_writes_nothing_and_forgets_the_upload(client, curator, db):
    client.force_login(curator)
    preview = upload(client, markdown(), "book.md")
    step(client, preview, "cancel")
    assert not Edition.objects.exists()
    assert not (
        Path(settings.MEDIA_ROOT) / "imports" / preview.context["token"]
    ).exists()


def test_uploads_abandoned_at_the_preview_are_forgotten_after_a_day(
    client, curator, db
):
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    abandoned, recent = folder / ("a" * 32), folder / ("b" * 32)
    abandoned.write_bytes(b"an old upload")
    recent.write_bytes(b"someone else's preview, an hour old")
    now = time.time()
    os.utime(abandoned, (now - 25 * 3600, now - 25 * 3600))
    os.utime(recent, (now - 3600, now - 3600))
    client.force_login(curator)
    preview = upload(client, markdown(), "book.md")
    assert preview.status_code == 200
    assert not abandoned.exists()
    assert recent.exists()
    assert (folder / preview.context["token"]).exists()


def test_the_upload_waits_in_the_configured_storage_not_on_this_machine(
    client, curator, db, settings
):
    """Several app servers: the preview may reach one and the confirmation
    another, so the upload waits in the default storage (here an in-memory
    one, standing for object storage every server reaches), never in a folder
    of the server that took it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    client.force_login(curator)
    preview = upload(client, markdown(), "book.md")
    assert preview.status_code == 200
    waiting = f"imports/{preview.context['token']}"
    assert default_storage.exists(waiting)
    assert default_storage.open(waiting).read() == markdown()
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()
    done = step(client, preview, "confirm")
    assert done.status_code == 302
    assert Edition.objects.get(slug="licensed").passages.count() == 10
    assert not default_storage.exists(waiting)


def test_adjusting_a_pattern_recognises_a_different_heading(client, curator, db):
    parts = [(h.replace("The White Notebook", "Notebook Two"), p) for h, p in PARTS]
    client.force_login(curator)
    preview = upload(client, markdown(parts), "book.md")
    assert (
        "Missing" in " ".join(preview.context["plan"].warnings)
        or preview.context["plan"].errors
    )
    patterns = preview.context["patterns"].replace(
        "(the )?white notebook", "(the )?white notebook|notebook two"
    )
    again = step(client, preview, "preview", patterns=patterns)
    titles = [p.pattern.slug for p in again.context["plan"].split.parts]
    assert "white-notebook" in titles


def test_a_text_that_is_not_utf8_offers_the_detected_encoding(client, curator, db):
    text = markdown().decode("utf-8").replace("’", "'") + "\nCafé crème, déjà vu.\n"
    client.force_login(curator)
    preview = upload(client, text.encode("cp1252"), "book.md")
    plan = preview.context["plan"]
    assert not plan.ok and plan.read.detected_encoding
    assert "not UTF-8" in preview.content.decode()
    again = step(client, preview, "preview", encoding="cp1252")
    assert again.context["plan"].ok


@pytest.mark.parametrize(
    "encoding", ["punycode", "idna", "unicode_escape", "raw_unicode_escape", "rot13"]
)
def test_an_encoding_that_is_not_a_text_encoding_is_refused_in_the_preview(
    client, curator, db, encoding
):
    """Python's own codecs (punycode failed with a 500) are not a book's
    encoding: the preview says so and nothing is written."""
    client.force_login(curator)
    # ASCII: punycode reads its last hyphen as a separator and then fails
    # with a UnicodeError that is not a UnicodeDecodeError.
    ascii_only = b"# The Black Notebook\n\nThe lamp was lit early-that evening.\n"
    preview = upload(client, ascii_only, "book.md")
    again = step(client, preview, "preview", encoding=encoding)
    assert again.status_code == 200
    plan = again.context["plan"]
    assert not plan.ok
    assert "not the name of a text encoding this server reads" in (
        again.content.decode()
    )
    confirmed = step(client, again, "confirm", encoding=encoding)
    assert confirmed.status_code == 200
    assert not Edition.objects.exists()


def test_every_encoding_the_server_guesses_can_be_chosen(client, curator, db):
    """The allowed list is the detector's: a guess is always one it takes."""
    from charset_normalizer.constant import IANA_SUPPORTED

    from reader.import_files import read_upload

    for name in IANA_SUPPORTED:
        problems = read_upload("book.txt", b"Plain words.\n", encoding=name).problems
        assert not any("text encoding" in p.message for p in problems), name


def test_an_oversized_upload_is_refused_with_a_message(
    client, curator, db, monkeypatch
):
    monkeypatch.setattr("reader.admin.MAX_UPLOAD_BYTES", 10)
    client.force_login(curator)
    response = upload(client, markdown(), "book.md")
    assert "larger than" in response.content.decode()
    assert not Edition.objects.exists()


def test_reimporting_is_a_revision_that_keeps_keys_and_annotations(
    client, curator, reader_user, db, tmp_path
):
    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    run(path)
    passage = Passage.objects.get(edition__slug="licensed", key="black-001")
    note = make_annotation(reader_user, passage, 4, 13)  # "lamp was "
    revised = [
        (h, [p.replace("The lamp was lit", "That night the lamp was lit") for p in ps])
        for h, ps in PARTS
    ]
    client.force_login(curator)
    preview = upload(client, markdown(revised), "book.md")
    (change,) = preview.context["plan"].revisions
    assert change.passage.key == "black-001"
    assert next(e for e in change.effects if e.label == "annotations").moved == 1
    step(client, preview, "confirm")
    note.refresh_from_db()
    passage.refresh_from_db()
    assert note.anchor_state == "moved" and passage.key == "black-001"
    assert passage.text[note.start_offset : note.end_offset] == note.exact
    assert Annotation.objects.count() == 1


def test_details_are_checked_again_when_confirming(client, curator, db):
    client.force_login(curator)
    preview = upload(client, markdown(), "book.md")
    response = step(client, preview, "confirm", slug="", title="")
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    assert not Edition.objects.exists()


def test_importing_over_an_edition_needs_the_right_to_revise_passages(
    client, db, tmp_path
):
    from django.contrib.auth.models import Permission

    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    run(path)
    before = list(Passage.objects.values_list("key", "text"))
    adder = make_user("adder", is_staff=True)
    adder.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_edition", "view_edition"])
    )
    client.force_login(adder)
    revised = [(h, [p + " More." for p in ps]) for h, ps in PARTS]
    preview = upload(client, markdown(revised), "book.md")
    assert step(client, preview, "confirm").status_code == 403
    assert list(Passage.objects.values_list("key", "text")) == before


@pytest.mark.parametrize("who", ["reader", "teacher"])
def test_only_curators_import(client, reader_user, teacher, db, who):
    client.force_login(reader_user if who == "reader" else teacher)
    response = upload(client, markdown(), "book.md")
    assert response.status_code == 302
    assert not Edition.objects.exists()


def test_edition_import_steps_per_curator_are_limited(client, curator, throttle_rates):
    throttle_rates(edition_import_user="2/h")
    client.force_login(curator)
    assert upload(client, b"x", "a.txt").status_code == 200
    assert upload(client, b"x", "a.txt").status_code == 200
    response = upload(client, b"x", "a.txt")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert client.get(IMPORT).status_code == 200
