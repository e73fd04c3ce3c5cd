"""Deleting my account: private notes always go, shared ones go or stay as
"a former reader's", classmates' threads stay whole; the export before it
holds everything of mine."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import FORMER_READER_USERNAME, ReadingPreferences
from accounts.services import account_delete
from annotations.models import Annotation, ModerationLog, PromotionRequest, Tag
from annotations.services import reply_create
from classes.models import Enrollment
from classes.services import course_create
from tests.factories import make_annotation, make_user

DELETE = reverse("accounts:delete")
EXPORT = reverse("accounts:export")
PASSWORD = "correct horse battery"


class Thread:
    """Dora, the reader who leaves, and her classmate Bob, in one class."""

    def __init__(self, edition, passage, teacher):
        today = timezone.localdate()
        self.course = course_create(
            teacher=teacher,
            name="Seminar",
            edition=edition,
            term_start=today,
            term_end=today + timedelta(days=30),
        )
        self.teacher = teacher
        self.dora = make_user("dora", email="dora@example.org")
        self.bob = make_user("bob")
        for student in (self.dora, self.bob):
            Enrollment.objects.create(course=self.course, student=student)
        shared = {"visibility": "course", "course": self.course}
        # Dora's: a private note, a class note Bob answered, a public note,
        # a reply in Bob's thread, and her own reply in her thread.
        self.private = make_annotation(
            self.dora,
            passage,
            motivation="commenting",
            body="Dora's private thought",
            tags=("secret",),
        )
        self.shared = make_annotation(
            self.dora,
            passage,
            2,
            9,
            motivation="commenting",
            body="Dora's shared reading",
            tags=("mask",),
            **shared,
        )
        self.public = make_annotation(
            self.dora,
            passage,
            motivation="commenting",
            body="Dora's public aside",
            visibility="public",
        )
        self.bobs = make_annotation(
            self.bob, passage, 3, 8, motivation="commenting", body="Bob asks", **shared
        )
        self.bob_answers = reply_create(
            author=self.bob, parent=self.shared, body="Bob answers Dora's reading"
        )
        self.dora_answers = reply_create(
            author=self.dora, parent=self.bobs, body="Dora's reply to Bob"
        )
        self.dora_adds = reply_create(
            author=self.dora, parent=self.shared, body="Dora's afterthought"
        )
        ReadingPreferences.objects.create(user=self.dora, theme="dark")
        self.part_url = passage.part.get_absolute_url()


@pytest.fixture
def thread(edition, passage, teacher):
    return Thread(edition, passage, teacher)


def delete_account(client, user, choice, password=PASSWORD):
    client.force_login(user)
    return client.post(DELETE, {"shared_notes": choice, "password": password})


def nothing_of_doras_text_survives() -> bool:
    return not Annotation.objects.filter(body__startswith="Dora's").exists()


def visible_to(user):
    return Annotation.objects.visible_to(user)


# --- Keeping shared notes ------------------------------------------------------


def test_kept_notes_stay_for_classmates_signed_a_former_reader(client, thread):
    # A wrong password once: django-axes keeps the name and the address.
    client.post(reverse("accounts:login"), {"username": "dora", "password": "x"})
    assert AccessAttempt.objects.filter(username="dora").exists()
    response = delete_account(client, thread.dora, "keep")
    assert response["Location"] == reverse("reader:home")
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="dora").exists()

    former = get_user_model().objects.get(username=FORMER_READER_USERNAME)
    shared = Annotation.objects.get(pk=thread.shared.pk)
    assert shared.author == former and shared.body == "Dora's shared reading"
    assert shared.visibility == "course" and shared.course == thread.course
    assert not shared.tags.exists()
    assert Annotation.objects.get(pk=thread.dora_answers.pk).author == former
    assert Annotation.objects.get(pk=thread.public.pk).author == former
    # Private: gone, with its tags and everything else of the account.
    assert not Annotation.objects.filter(pk=thread.private.pk).exists()
    assert not Tag.objects.filter(name__in=["secret", "mask"]).exists()
    assert not ReadingPreferences.objects.exists()
    assert not Enrollment.objects.filter(student__username="dora").exists()
    assert not AccessAttempt.objects.filter(username="dora").exists()

    # Bob's thread and his replies read as before, through the one rule.
    seen_by_bob = set(visible_to(thread.bob).values_list("pk", flat=True))
    kept = {thread.shared.pk, thread.bob_answers.pk, thread.dora_answers.pk}
    assert kept | {thread.bobs.pk, thread.dora_adds.pk} <= seen_by_bob
    assert thread.private.pk not in seen_by_bob
    # And so does the class's teacher.
    assert kept <= set(visible_to(thread.teacher).values_list("pk", flat=True))


def test_bobs_page_shows_the_thread_with_a_former_reader(client, thread):
    delete_account(client, thread.dora, "keep")
    bob = Client()
    bob.force_login(thread.bob)
    html = bob.get(thread.part_url).content.decode()
    assert "<p>Bob answers Dora's reading</p>" in html
    assert "<p>Dora's shared reading</p>" in html
    assert "<p>Dora's reply to Bob</p>" in html
    assert f'<span class="card-author">{FORMER_READER_USERNAME}</span>' in html
    assert '<span class="card-author">dora</span>' not in html
    assert "private thought" not in html


def test_the_former_reader_never_logs_in(client, thread):
    account_delete(user=thread.dora, keep_shared=True)
    former = get_user_model().objects.get(username=FORMER_READER_USERNAME)
    assert not former.is_active and not former.has_usable_password()
    # Nobody can sign up with the name either.
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": FORMER_READER_USERNAME,
            "password1": "a mask of antimony",
            "password2": "a mask of antimony",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_two_readers_leave_and_share_the_one_former_reader(thread):
    account_delete(user=thread.dora, keep_shared=True)
    account_delete(user=thread.bob, keep_shared=True)
    assert get_user_model().objects.filter(username=FORMER_READER_USERNAME).count() == 1
    assert Annotation.objects.filter(pk=thread.bob_answers.pk).exists()


def test_a_private_note_others_had_answered_goes_but_leaves_their_replies(thread):
    """Made private after Bob replied: its note goes even when shared notes
    are kept; Bob's reply keeps its place under a deleted note."""
    Annotation.objects.filter(pk=thread.shared.pk).update(visibility="private")
    account_delete(user=thread.dora, keep_shared=True)
    tombstone = Annotation.objects.get(pk=thread.shared.pk)
    assert tombstone.is_deleted and tombstone.body == tombstone.body_html == ""
    assert tombstone.author.username == FORMER_READER_USERNAME
    assert Annotation.objects.filter(pk=thread.bob_answers.pk).exists()
    assert not Annotation.objects.filter(pk=thread.dora_adds.pk).exists()


def test_pending_requests_to_publish_a_kept_note_are_withdrawn(thread, curator):
    PromotionRequest.objects.create(annotation=thread.public, requested_by=curator)
    account_delete(user=thread.dora, keep_shared=True)
    assert not PromotionRequest.objects.exists()


def test_the_moderation_record_forgets_the_name(thread, curator):
    ModerationLog.objects.create(
        annotation_id=thread.public.pk,
        annotation_author="dora",
        action="hide",
        actor=curator,
    )
    account_delete(user=thread.dora, keep_shared=False)
    assert list(ModerationLog.objects.values_list("annotation_author", flat=True)) == [
        FORMER_READER_USERNAME
    ]


# --- Deleting shared notes too -----------------------------------------------------


def test_deleting_everything_keeps_classmates_replies_under_a_deleted_note(
    client, thread
):
    delete_account(client, thread.dora, "delete")
    assert nothing_of_doras_text_survives()
    tombstone = Annotation.objects.get(pk=thread.shared.pk)
    assert tombstone.is_deleted and tombstone.author.username == FORMER_READER_USERNAME
    for gone in (thread.public, thread.private, thread.dora_answers, thread.dora_adds):
        assert not Annotation.objects.filter(pk=gone.pk).exists()
    seen_by_bob = set(visible_to(thread.bob).values_list("pk", flat=True))
    assert {thread.shared.pk, thread.bob_answers.pk, thread.bobs.pk} <= seen_by_bob

    bob = Client()
    bob.force_login(thread.bob)
    html = bob.get(thread.part_url).content.decode()
    assert "<p>Bob answers Dora's reading</p>" in html and "<p>Bob asks</p>" in html
    assert "Dora's shared reading" not in html


def test_a_reader_with_no_shared_notes_leaves_no_trace(client, edition, passage):
    dora = make_user("dora")
    make_annotation(dora, passage, motivation="commenting", body="Dora's own")
    delete_account(client, dora, "keep")
    assert not Annotation.objects.exists()
    assert not get_user_model().objects.exists()


# --- The form: who, and what it takes ----------------------------------------------


def test_signed_out_visitors_are_sent_to_log_in(client, thread):
    for response in (
        client.get(DELETE),
        client.post(DELETE, {"shared_notes": "delete", "password": PASSWORD}),
        client.get(EXPORT),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert get_user_model().objects.filter(username="dora").exists()


def test_the_page_offers_the_exports_first(client, thread):
    client.force_login(thread.dora)
    html = client.get(DELETE).content.decode()
    assert EXPORT in html
    assert reverse("annotations:export", args=["jsonld"]) in html
    assert "csrfmiddlewaretoken" in html and 'class="site-header"' in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"shared_notes": "delete", "password": "wrong"}, "password"),
        ({"shared_notes": "delete"}, "password"),
        ({"shared_notes": "both", "password": PASSWORD}, "shared_notes"),
        ({"password": PASSWORD}, "shared_notes"),
    ],
)
def test_bad_input_is_a_400_and_deletes_nothing(client, thread, data, field):
    client.force_login(thread.dora)
    response = client.post(DELETE, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert get_user_model().objects.filter(username="dora").exists()
    assert Annotation.objects.filter(author=thread.dora).count() == 5


def test_the_form_deletes_only_the_signed_in_account(client, thread):
    """Bob posting his own password deletes Bob, never the account named
    anywhere in the form (nothing names one)."""
    client.force_login(thread.bob)
    client.post(DELETE, {"shared_notes": "keep", "password": PASSWORD, "user": "dora"})
    assert get_user_model().objects.filter(username="dora").exists()
    assert not get_user_model().objects.filter(username="bob").exists()


def test_deleting_needs_the_csrf_token(thread):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(thread.dora)
    response = strict.post(DELETE, {"shared_notes": "delete", "password": PASSWORD})
    assert response.status_code == 403
    assert get_user_model().objects.filter(username="dora").exists()


def test_password_tries_on_the_form_are_throttled(client, thread, throttle_rates):
    throttle_rates(account_delete_user="2/h")
    client.force_login(thread.dora)
    for _ in range(2):
        client.post(DELETE, {"shared_notes": "delete", "password": "guess"})
    response = client.post(DELETE, {"shared_notes": "delete", "password": PASSWORD})
    assert response.status_code == 429
    assert get_user_model().objects.filter(username="dora").exists()


# --- The export -------------------------------------------------------------------


def feedback_section(user):
    """An extra section, as the feedback app would register one."""
    return "feedback", [{"for": user.get_username(), "comment": "Well argued."}]


def exported(client, user) -> dict:
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    return json.loads(b"".join(response.streaming_content))


def test_the_export_holds_everything_of_mine(client, thread, settings):
    settings.THREE_NOTEBOOKS_ACCOUNT_EXPORT_SECTIONS = [
        "tests.accounts.test_delete.feedback_section"
    ]
    data = exported(client, thread.dora)
    assert data["account"]["username"] == "dora"
    assert data["account"]["email"] == "dora@example.org"
    assert data["reading_preferences"]["theme"] == "dark"
    assert [c["name"] for c in data["classes_attended"]] == ["Seminar"]
    assert sorted(data["tags"]) == ["mask", "secret"]
    assert data["feedback"] == [{"for": "dora", "comment": "Well argued."}]
    items = data["notebook"]["first"]["items"]
    text = json.dumps(items)
    mine = Annotation.objects.filter(author=thread.dora)
    assert data["notebook"]["total"] == len(items) == mine.count() == 5
    for annotation in mine:
        assert str(annotation.pk) in text
    for body in (
        "Dora's private thought",
        "Dora's shared reading",
        "Dora's public aside",
        "Dora's reply to Bob",
        "Dora's afterthought",
    ):
        assert body in text
    # Bob's words are not Dora's to take away.
    assert "Bob asks" not in text


def test_the_export_is_only_ever_my_own(client, thread):
    data = exported(client, thread.bob)
    assert data["account"]["username"] == "bob"
    assert "Dora's private thought" not in json.dumps(data)


def test_an_empty_account_exports_as_valid_json(client, db):
    data = exported(client, make_user("newcomer"))
    assert data["account"]["username"] == "newcomer"
    assert data["notebook"]["total"] == 0
    assert data["tags"] == [] and data["reading_preferences"] is None


def test_pages_cached_for_visitors_forget_the_name(client, thread, settings):
    """Public notes on cached anonymous pages: the deletion makes them new."""
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    visitor = Client()
    before = visitor.get(thread.part_url).content.decode()
    assert '<span class="card-author">dora</span>' in before
    account_delete(user=thread.dora, keep_shared=True)
    after = visitor.get(thread.part_url).content.decode()
    assert '<span class="card-author">dora</span>' not in after
    assert f'<span class="card-author">{FORMER_READER_USERNAME}</span>' in after


@pytest.mark.parametrize("keep", [True, False])
def test_a_teacher_leaves_and_the_students_answers_keep_their_prompt(
    edition, passage, teacher, keep
):
    from annotations.services import TargetInput
    from teaching.models import AssignmentItem
    from teaching.services import assignment_item_create, assignment_save

    thread = Thread(edition, passage, teacher)
    assignment = assignment_save(
        teacher=teacher,
        course=thread.course,
        title="Reading closely",
        instructions="",
        start_passage=passage,
        end_passage=passage,
        due=timezone.now() + timedelta(days=7),
        published=True,
    )
    highlight = assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput(passage.key, 0, passage.key, 7),
        motivation="highlighting",
    ).annotation
    prompt = assignment_item_create(
        teacher=teacher,
        assignment=assignment,
        target=TargetInput(passage.key, 0, passage.key, 9),
        motivation="questioning",
        body="The teacher's question",
    ).annotation
    answer = reply_create(author=thread.bob, parent=prompt, body="Bob's answer")
    students = (thread.bob, thread.dora)
    pair = {prompt.pk, answer.pk}

    def seen_by_students() -> list[set]:
        return [
            set(visible_to(s).filter(pk__in=pair).values_list("pk", flat=True))
            for s in students
        ]

    before = seen_by_students()
    # Bob answered: he sees both; Dora sees the prompt ("answer first").
    assert before[0] == pair and prompt.pk in before[1]

    account_delete(user=teacher, keep_shared=keep)

    prompt = Annotation.objects.get(pk=prompt.pk)
    assert prompt.author.username == FORMER_READER_USERNAME
    assert prompt.is_deleted is not keep
    assert (prompt.body == "The teacher's question") is keep
    assert AssignmentItem.objects.filter(annotation=prompt).exists()
    assert Annotation.objects.filter(pk=highlight.pk).exists() is keep
    # Each student sees of the thread what they saw before.
    assert seen_by_students() == before
