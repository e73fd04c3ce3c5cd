"""Flags, hiding and restoring, editor's notes, promotion, re-attaching."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations.models import Annotation, Flag, ModerationLog, PromotionRequest
from annotations.services import annotation_update
from reader.models import Passage
from reader.revisions import revision_apply
from tests.factories import make_annotation


@pytest.fixture
def shared(other_reader, passage):
    return make_annotation(
        other_reader,
        passage,
        21,
        35,
        motivation="commenting",
        body="Shared",
        visibility="public",
    )


def part(edition):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": "black"})


def test_a_reader_flags_a_shared_note_once(client, reader_user, shared):
    client.force_login(reader_user)
    url = reverse("annotations:flag", args=[shared.pk])
    client.post(url, {"reason": "Off topic"})
    client.post(url, {"reason": "Again"})
    assert list(Flag.objects.values_list("reason", flat=True)) == ["Off topic"]


@pytest.mark.parametrize("case", ["own", "private", "no reason", "anonymous"])
def test_what_cannot_be_flagged(
    client, reader_user, other_reader, passage, shared, case
):
    target = shared
    if case == "own":
        client.force_login(other_reader)
    elif case == "private":
        target = make_annotation(reader_user, passage)
        client.force_login(reader_user)
    elif case != "anonymous":
        client.force_login(reader_user)
    reason = "" if case == "no reason" else "Because"
    client.post(reverse("annotations:flag", args=[target.pk]), {"reason": reason})
    assert not Flag.objects.exists()


def test_a_curator_hides_and_restores_with_a_record(
    client, curator, reader_user, other_reader, shared, edition
):
    Flag.objects.create(annotation=shared, flagger=reader_user, reason="x")
    client.force_login(curator)
    client.post(reverse("annotations:moderate", args=[shared.pk]), {"action": "hide"})
    shared.refresh_from_db()
    assert shared.moderation == "hidden" and shared.hidden_by == curator
    assert not Annotation.objects.visible_to(reader_user).filter(pk=shared.pk).exists()
    client.force_login(other_reader)
    html = client.get(part(edition)).content.decode()
    assert "Hidden by a moderator: only you can see it." in html
    client.force_login(curator)
    client.post(
        reverse("annotations:moderate", args=[shared.pk]), {"action": "restore"}
    )
    shared.refresh_from_db()
    assert shared.moderation == "visible"
    assert (shared.hidden_by, shared.hidden_at) == (None, None)
    assert not Flag.objects.filter(resolved=False).exists()
    assert list(ModerationLog.objects.values_list("action", flat=True)) == [
        "restore",
        "hide",
    ]


@pytest.mark.parametrize("who", ["reader", "teacher"])
def test_readers_and_other_teachers_cannot_hide(
    client, reader_user, teacher, shared, who
):
    client.force_login(reader_user if who == "reader" else teacher)
    response = client.post(
        reverse("annotations:moderate", args=[shared.pk]), {"action": "hide"}
    )
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.moderation == "visible"


def test_a_teacher_hides_a_class_note_in_their_class(
    client, teacher, other_reader, passage, edition
):
    from datetime import timedelta

    from django.utils import timezone

    from classes.models import Enrollment
    from classes.services import course_create

    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="C",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=9),
    )
    Enrollment.objects.create(course=course, student=other_reader)
    note = make_annotation(other_reader, passage, visibility="course", course=course)
    client.force_login(teacher)
    client.post(reverse("annotations:moderate", args=[note.pk]), {"action": "hide"})
    note.refresh_from_db()
    assert note.moderation == "hidden"
    client.post(reverse("annotations:moderate", args=[note.pk]), {"action": "restore"})

    # Its author takes it back out of the class: no longer the teacher's to hide.
    annotation_update(annotation=note, editor=other_reader, visibility="private")
    response = client.post(
        reverse("annotations:moderate", args=[note.pk]), {"action": "hide"}
    )
    note.refresh_from_db()
    assert response.status_code in (403, 404)
    assert note.moderation == "visible"


def test_editing_a_class_note_keeps_it_shared_with_the_class(
    client, teacher, other_reader, passage, edition
):
    from datetime import timedelta

    from django.utils import timezone

    from classes.models import Enrollment
    from classes.services import course_create

    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="C",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=9),
    )
    Enrollment.objects.create(course=course, student=other_reader)
    note = make_annotation(
        other_reader,
        passage,
        motivation="commenting",
        body="Typo hree.",
        visibility="course",
        course=course,
    )
    client.force_login(other_reader)
    url = reverse("annotations:edit", args=[note.pk])
    form = client.get(url).context["form"]
    assert "course" in dict(form.fields["visibility"].choices)
    assert form.initial["visibility"] == "course"
    client.post(
        url,
        {
            "motivation": "commenting",
            "body": "Typo here.",
            "tags": "",
            "colour": note.colour,
            "visibility": form.initial["visibility"],
        },
    )
    note.refresh_from_db()
    assert (note.body, note.visibility) == ("Typo here.", "course")


def test_an_editors_note_cannot_be_made_private(curator, edition):
    passage = edition.passages.first()
    note = make_annotation(
        curator, passage, motivation="commenting", visibility="public"
    )
    Annotation.objects.filter(pk=note.pk).update(editorial=True)
    note.refresh_from_db()
    with pytest.raises(ValidationError):
        annotation_update(annotation=note, editor=curator, visibility="private")
    note.refresh_from_db()
    assert note.visibility == "public"


def test_curators_write_numbered_editors_notes(client, curator, reader_user, edition):
    client.force_login(curator)
    body = {
        "edition": "test",
        "motivation": "commenting",
        "body": "Context.",
        "visibility": "public",
        "editorial": True,
        "target": {
            "start": {"passage": "black-001", "offset": 0},
            "end": {"passage": "black-001", "offset": 7},
        },
    }
    assert (
        client.post(
            "/api/annotations/", json.dumps(body), content_type="application/json"
        ).status_code
        == 201
    )
    body["target"] = {
        "start": {"passage": "black-002", "offset": 0},
        "end": {"passage": "black-002", "offset": 7},
    }
    client.post("/api/annotations/", json.dumps(body), content_type="application/json")
    client.force_login(reader_user)
    html = client.get(part(edition)).content.decode()
    assert 'data-note="1"' in html and 'data-note="2"' in html
    assert "Editor&#x27;s note 1" in html


def test_readers_cannot_write_editors_notes(client, reader_user, edition):
    client.force_login(reader_user)
    body = {
        "edition": "test",
        "motivation": "commenting",
        "body": "Mine",
        "visibility": "public",
        "editorial": True,
        "target": {
            "start": {"passage": "black-001", "offset": 0},
            "end": {"passage": "black-001", "offset": 7},
        },
    }
    response = client.post(
        "/api/annotations/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400 and "editorial" in response.json()


def test_promotion_needs_the_authors_consent(client, curator, other_reader, shared):
    client.force_login(curator)
    client.post(reverse("annotations:promote", args=[shared.pk]))
    request = PromotionRequest.objects.get()
    shared.refresh_from_db()
    assert not shared.editorial
    client.force_login(other_reader)
    assert (
        "would like to publish your note"
        in client.get(reverse("annotations:notebook")).content.decode()
    )
    client.post(
        reverse("annotations:promotion_decide", args=[request.pk]), {"accept": "yes"}
    )
    shared.refresh_from_db()
    assert (
        shared.editorial
        and shared.author == other_reader
        and shared.visibility == "public"
    )


def test_a_declined_promotion_changes_nothing(client, curator, other_reader, shared):
    client.force_login(curator)
    client.post(reverse("annotations:promote", args=[shared.pk]))
    client.force_login(other_reader)
    client.post(
        reverse(
            "annotations:promotion_decide", args=[PromotionRequest.objects.get().pk]
        ),
        {"accept": "no"},
    )
    shared.refresh_from_db()
    assert not shared.editorial


def test_only_the_author_answers_a_promotion(client, curator, reader_user, shared):
    client.force_login(curator)
    client.post(reverse("annotations:promote", args=[shared.pk]))
    client.force_login(reader_user)
    response = client.post(
        reverse(
            "annotations:promotion_decide", args=[PromotionRequest.objects.get().pk]
        ),
        {"accept": "yes"},
    )
    assert response.status_code == 404
    shared.refresh_from_db()
    assert not shared.editorial


def test_an_orphan_is_listed_and_its_author_reattaches_it(
    client, reader_user, other_reader, edition
):
    passage = Passage.objects.get(key="black-002")
    revision_apply(
        {passage: "The antimony mould was cold. He looked at the mask again."}
    )
    passage.refresh_from_db()
    note = make_annotation(
        reader_user, passage, 4, 18, motivation="commenting", body="On the mould"
    )
    revision_apply({passage: "He looked at the window instead."})
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"
    client.force_login(reader_user)
    notebook = client.get(reverse("annotations:notebook")).content.decode()
    assert (
        "Notes whose words are gone" in notebook and f"?reattach={note.pk}" in notebook
    )
    page = client.get(part(edition) + f"?reattach={note.pk}")
    assert page.context["reattach"] == note
    url = reverse("annotations:reattach", args=[note.pk])
    target = {
        "start": {"passage": "black-002", "offset": 17},
        "end": {"passage": "black-002", "offset": 23},
    }
    client.force_login(other_reader)
    assert client.post(
        url, json.dumps({"target": target}), content_type="application/json"
    ).status_code in (403, 404)
    client.force_login(reader_user)
    response = client.post(
        url, json.dumps({"target": target}), content_type="application/json"
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.anchor_state, note.exact) == ("exact", "window")


def test_the_admin_filters_by_state_and_deletes_only_explicitly_with_a_log(
    client, curator, reader_user, shared
):
    Flag.objects.create(annotation=shared, flagger=reader_user, reason="x")
    client.force_login(curator)
    changelist = reverse("admin:annotations_annotation_changelist")
    flagged = client.get(changelist, {"flagged": "open"})
    assert [a.pk for a in flagged.context["cl"].result_list] == [shared.pk]
    assert (
        "delete_selected"
        not in flagged.context["action_form"].fields["action"].choices.__str__()
    )
    client.post(changelist, {"action": "hide", "_selected_action": [shared.pk]})
    shared.refresh_from_db()
    assert shared.moderation == "hidden"
    delete = reverse("admin:annotations_annotation_delete", args=[shared.pk])
    assert client.get(delete).status_code == 200  # asks first
    assert Annotation.objects.filter(pk=shared.pk).exists()
    client.post(delete, {"post": "yes"})
    assert not Annotation.objects.filter(pk=shared.pk).exists()
    assert ModerationLog.objects.filter(action="delete", actor=curator).exists()


def test_readers_and_teachers_have_no_annotation_admin(
    client, reader_user, teacher, shared
):
    for user in (reader_user, teacher):
        client.force_login(user)
        response = client.get(reverse("admin:annotations_annotation_changelist"))
        assert response.status_code == 302


def _course_note(teacher, student, passage, edition):
    from datetime import timedelta

    from django.utils import timezone

    from classes.models import Enrollment
    from classes.services import course_create

    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="C",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=9),
    )
    Enrollment.objects.create(course=course, student=student)
    return make_annotation(
        student,
        passage,
        motivation="commenting",
        body="Class note",
        visibility="course",
        course=course,
    )


def _waiting(client, curator) -> list:
    client.force_login(curator)
    changelist = reverse("admin:annotations_annotation_changelist")
    response = client.get(changelist, {"flagged": "open"})
    return [a.pk for a in response.context["cl"].result_list]


@pytest.mark.parametrize("path", ["admin", "reader page", "teacher"])
@pytest.mark.parametrize("action", ["hide", "restore"])
def test_hiding_or_restoring_a_flagged_note_answers_its_flags(
    client, curator, teacher, reader_user, other_reader, passage, edition, path, action
):
    if path == "teacher":
        note = _course_note(teacher, other_reader, passage, edition)
        actor = teacher
    else:
        note = make_annotation(
            other_reader,
            passage,
            21,
            35,
            motivation="commenting",
            body="Shared",
            visibility="public",
        )
        actor = curator
    if action == "restore":
        # Hidden by someone else earlier; flagged again since.
        Annotation.objects.filter(pk=note.pk).update(moderation="hidden")
    Flag.objects.create(annotation=note, flagger=reader_user, reason="Rude")
    Flag.objects.create(annotation=note, flagger=curator, reason="Off topic")
    assert _waiting(client, curator) == [note.pk]

    client.force_login(actor)
    if path == "admin":
        response = client.post(
            reverse("admin:annotations_annotation_changelist"),
            {"action": action, "_selected_action": [note.pk]},
        )
    else:
        response = client.post(
            reverse("annotations:moderate", args=[note.pk]), {"action": action}
        )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.moderation == ("hidden" if action == "hide" else "visible")

    assert _waiting(client, curator) == []
    flags = list(Flag.objects.filter(annotation=note))
    assert [(f.resolved, f.resolved_by) for f in flags] == [(True, actor)] * 2
    assert all(f.resolved_at is not None for f in flags)


def test_a_flag_ticked_resolved_by_hand_in_admin_records_who(
    client, curator, reader_user, shared
):
    flag = Flag.objects.create(annotation=shared, flagger=reader_user, reason="x")
    client.force_login(curator)
    url = reverse("admin:annotations_annotation_change", args=[shared.pk])
    prefix = "flags"
    client.post(
        url,
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": str(flag.pk),
            f"{prefix}-0-annotation": str(shared.pk),
            f"{prefix}-0-resolved": "on",
        },
    )
    flag.refresh_from_db()
    assert (flag.resolved, flag.resolved_by) == (True, curator)
    assert flag.resolved_at is not None


def orphan(reader_user):
    passage = Passage.objects.get(key="black-002")
    note = make_annotation(
        reader_user, passage, 0, 7, motivation="commenting", body="On it"
    )
    revision_apply({passage: "He looked at the window instead."})
    note.refresh_from_db()
    return note


def test_a_malformed_reattach_target_is_refused_naming_the_field(
    client, reader_user, edition
):
    note = orphan(reader_user)
    client.force_login(reader_user)
    response = client.post(
        reverse("annotations:reattach", args=[note.pk]),
        json.dumps(
            {
                "target": {
                    "start": {"passage": "black-002", "offset": "seventeen"},
                    "end": {"passage": "black-002", "offset": 23},
                }
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["target"]["start"]) == ["offset"]
    note.refresh_from_db()
    assert note.anchor_state == "orphaned"


def test_a_bug_while_reattaching_is_not_passed_off_as_bad_input(
    client, reader_user, edition, monkeypatch
):
    note = orphan(reader_user)

    def broken(**kwargs):
        raise TypeError("a bug in the service")

    monkeypatch.setattr("annotations.views.annotation_reattach", broken)
    client.force_login(reader_user)
    target = {
        "start": {"passage": "black-002", "offset": 17},
        "end": {"passage": "black-002", "offset": 23},
    }
    with pytest.raises(TypeError, match="a bug in the service"):
        client.post(
            reverse("annotations:reattach", args=[note.pk]),
            json.dumps({"target": target}),
            content_type="application/json",
        )
