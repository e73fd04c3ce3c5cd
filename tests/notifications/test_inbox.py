"""The inbox: only the recipient's, newest first, paged; marks by POST."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.services import reply_create
from notifications.models import Delivery, Kind, Notification
from notifications.services import delivery_choices, notify
from tests.factories import make_annotation, make_user

INBOX = reverse("notifications:inbox")


def tell(user, n=1, actor=None, start=0):
    actor = actor or make_user()
    return [
        notify(recipient=user, kind=Kind.REPLY, key=f"k:{i}", actor=actor)
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("notifications:inbox", [], "get"),
        ("notifications:settings", [], "get"),
        ("notifications:read", [1], "post"),
        ("notifications:read_all", [], "post"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, name, args, method):
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_reader_sees_only_their_own(client, reader_user, other_reader):
    tell(reader_user, 2, actor=make_user("carol"))
    tell(other_reader, 1, actor=make_user("dave"))
    client.force_login(reader_user)
    response = client.get(INBOX)
    assert [i["notification"].recipient for i in response.context["items"]] == [
        reader_user,
        reader_user,
    ]
    assert b"dave" not in response.content


def test_newest_first_and_paged(client, reader_user):
    tell(reader_user, 30)
    client.force_login(reader_user)
    first = client.get(INBOX).context["items"]
    second = client.get(INBOX, {"page": 2}).context["items"]
    keys = [i["notification"].key for i in first + second]
    assert len(first) == 25 and len(second) == 5
    assert keys == [f"k:{i}" for i in reversed(range(30))]


@pytest.mark.parametrize("page", ["0", "abc", "99999", "9" * 500])
def test_a_page_out_of_range_is_a_page_not_an_error(client, reader_user, page):
    tell(reader_user, 3)
    client.force_login(reader_user)
    assert client.get(INBOX, {"page": page}).status_code == 200


def test_the_inbox_costs_the_same_with_many_notifications(
    client, reader_user, other_reader, passage, assignment, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    note = make_annotation(
        reader_user, passage, motivation="commenting", visibility="public"
    )
    client.force_login(reader_user)

    def some(n, start):
        # Notes, replies and assignments: each kind of target the page links.
        for i in range(start, start + n):
            reply = reply_create(author=reader_user, parent=note, body=f"Reply {i}")
            targets = ({"annotation": reply}, {"annotation": note}, {})
            for j, target in enumerate(targets):
                notify(
                    recipient=reader_user,
                    kind=Kind.REPLY,
                    key=f"k:{i}:{j}",
                    actor=other_reader,
                    **target,
                )
            notify(
                recipient=reader_user,
                kind=Kind.DUE_SOON,
                key=f"due:{i}",
                assignment=assignment,
            )

    some(1, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    some(5, 1)
    with django_assert_num_queries(len(few)):
        response = client.get(INBOX)
    # 24, and the assignment's publication (the reader is in its class).
    assert len(response.context["items"]) == 25


def test_each_links_to_its_target(client, other_reader, passage, assignment, classmate):
    note = make_annotation(
        other_reader, passage, motivation="commenting", visibility="public"
    )
    reply = reply_create(author=classmate, parent=note, body="Yes.")
    client.force_login(other_reader)
    [item] = client.get(INBOX).context["items"]
    assert item["url"] == (
        f"/read/test/black/?note={reply.pk}&at={passage.key}#card-{reply.pk}"
    )
    client.force_login(classmate)
    [item] = client.get(INBOX).context["items"]  # the published assignment
    assert item["url"] == assignment.get_absolute_url()


def test_mark_read_is_the_recipients_alone(client, reader_user, other_reader):
    [mine] = tell(reader_user)
    url = reverse("notifications:read", args=[mine.pk])
    client.force_login(other_reader)
    assert client.post(url).status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    client.force_login(reader_user)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_needs_the_csrf_token(reader_user):
    [mine] = tell(reader_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_read_leaves_what_came_after_the_page_and_others(
    client, reader_user, other_reader
):
    shown = tell(reader_user, 3)
    newer = tell(reader_user, 1, start=3)
    theirs = tell(other_reader, 1)
    client.force_login(reader_user)
    client.post(reverse("notifications:read_all"), {"up_to": shown[-1].pk})
    unread = set(Notification.objects.unread().values_list("pk", flat=True))
    assert unread == {newer[0].pk, theirs[0].pk}


@pytest.mark.parametrize("up_to", ["abc", "-1", "1" * 30])
def test_mark_all_read_refuses_a_bad_bound(client, reader_user, up_to):
    tell(reader_user)
    client.force_login(reader_user)
    response = client.post(reverse("notifications:read_all"), {"up_to": up_to})
    assert response.status_code == 400
    assert Notification.objects.unread().count() == 1


def test_next_is_followed_only_on_this_site(client, reader_user):
    [mine] = tell(reader_user)
    client.force_login(reader_user)
    url = reverse("notifications:read", args=[mine.pk])
    assert client.post(url, {"next": "https://evil.example/"}).url == INBOX
    assert client.post(url, {"next": f"{INBOX}?page=2"}).url == f"{INBOX}?page=2"


# --- The bell ---------------------------------------------------------------


def test_the_bell_announces_the_unread_count(
    client, reader_user, django_capture_on_commit_callbacks
):
    client.force_login(reader_user)
    page = client.get(reverse("annotations:notebook")).content.decode()
    assert 'aria-label="Inbox, no unread notifications"' in page
    with django_capture_on_commit_callbacks(execute=True):
        tell(reader_user, 3)
    page = client.get(reverse("annotations:notebook")).content.decode()
    assert 'aria-label="Inbox, 3 unread notifications"' in page
    assert '<span class="inbox-count" aria-hidden="true">3</span>' in page
    [first, *_rest] = Notification.objects.filter(recipient=reader_user)
    client.post(reverse("notifications:read", args=[first.pk]))
    page = client.get(reverse("annotations:notebook")).content.decode()
    assert 'aria-label="Inbox, 2 unread notifications"' in page
    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("annotations:notebook")).content.decode()
    assert 'aria-label="Inbox, no unread notifications"' in page


def test_a_rolled_back_notification_is_not_counted(
    client, reader_user, django_capture_on_commit_callbacks
):
    from django.db import transaction

    client.force_login(reader_user)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                tell(reader_user, 1)
                raise RuntimeError("the event's write failed")
        except RuntimeError:
            pass
    page = client.get(reverse("annotations:notebook")).content.decode()
    assert 'aria-label="Inbox, no unread notifications"' in page


def test_pages_ask_nothing_of_notifications_once_counted(
    client, reader_user, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts_on_a_page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notifications:settings"))
        asked = [q for q in queries if "notifications_notification" in q["sql"]]
        label = re.search(
            r'class="inbox-link[^"]*"[^>]*aria-label="([^"]+)"',
            response.content.decode(),
        )
        return len(asked), label.group(1)

    client.force_login(reader_user)  # counted at log-in
    assert counts_on_a_page() == (0, "Inbox, no unread notifications")
    with django_capture_on_commit_callbacks(execute=True):
        tell(reader_user, 2)  # added to the count, not counted again
    assert counts_on_a_page() == (0, "Inbox, 2 unread notifications")
    from django.core.cache import caches

    caches["notifications"].clear()  # the entry expired
    assert counts_on_a_page() == (1, "Inbox, 2 unread notifications")
    assert counts_on_a_page() == (0, "Inbox, 2 unread notifications")


def test_anonymous_pages_ask_nothing_of_notifications(client, edition):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("reader:home"))
    assert b"inbox-link" not in page.content
    assert not [q for q in queries if "notifications_" in q["sql"]]


# --- E-mail settings --------------------------------------------------------


def test_the_settings_save_each_kind(client, reader_user):
    client.force_login(reader_user)
    choices = dict.fromkeys(Kind.values, Delivery.ON) | {
        Kind.REPLY: Delivery.DIGEST,
        Kind.OVERDUE: Delivery.OFF,
    }
    response = client.post(reverse("notifications:settings"), choices)
    assert response.status_code == 302
    saved = delivery_choices(reader_user)
    assert (saved[Kind.REPLY], saved[Kind.OVERDUE], saved[Kind.DUE_SOON]) == (
        Delivery.DIGEST,
        Delivery.OFF,
        Delivery.ON,
    )


def test_the_settings_refuse_a_choice_we_do_not_offer(client, reader_user):
    client.force_login(reader_user)
    choices = dict.fromkeys(Kind.values, "hourly")
    response = client.post(reverse("notifications:settings"), choices)
    assert response.status_code == 400
    assert delivery_choices(reader_user)[Kind.REPLY] == Delivery.ON


def test_the_reading_settings_page_offers_the_email_choices(client, reader_user):
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "email-preferences" not in page  # anonymous: a cookie, no e-mail
    client.force_login(reader_user)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert f'action="{reverse("notifications:settings")}"' in page
    # Each kind's choice as it stands: its default until the reader chooses.
    assert re.search(r'name="reply" value="on"[^>]*checked', page)
    assert re.search(r'name="thread_reply" value="digest"[^>]*checked', page)
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize("who", ["classmate", "teacher", "other_teacher", "curator"])
def test_nobody_else_sees_or_marks_a_students_notifications(
    client, request, student, assignment, who
):
    """The student's own class's teacher and a curator (staff) included."""
    [mine] = Notification.objects.filter(recipient=student)  # the publication
    client.force_login(request.getfixturevalue(who))
    assert mine not in [i["notification"] for i in client.get(INBOX).context["items"]]
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 404
    client.post(reverse("notifications:read_all"))
    mine.refresh_from_db()
    assert mine.read_at is None
