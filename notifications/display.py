"""How a notification reads, and where it leads: the inbox and the e-mail
say the same."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Kind, Notification

# Everything the inbox shows of a page of notifications, read in its query.
RELATED = (
    "actor",
    "assignment",
    "annotation__edition",
    "annotation__start_passage__part",
    "annotation__reply_to__start_passage__part",
)


def _actor(notification: Notification) -> str:
    actor = notification.actor
    return actor.get_username() if actor is not None else _("a former reader")


def _due(notification: Notification) -> str:
    return formats.date_format(
        timezone.localtime(notification.assignment.due), "DATETIME_FORMAT"
    )


def summary(notification: Notification) -> str:
    """One sentence: who did what. Never a word of a note's text: the note
    may since have been edited, hidden or taken back."""
    kind = notification.kind
    if kind in (Kind.REPLY, Kind.THREAD_REPLY, Kind.PROMPT_ANSWER):
        sentence = {
            Kind.REPLY: _("%(actor)s replied to your note."),
            Kind.THREAD_REPLY: _("%(actor)s replied in a thread you replied in."),
            Kind.PROMPT_ANSWER: _("%(actor)s answered your prompt."),
        }[kind]
        return sentence % {"actor": _actor(notification)}
    if kind == Kind.PROMOTION_REQUEST:
        return _("%(actor)s asks to make your note an editor's note.") % {
            "actor": _actor(notification)
        }
    if kind == Kind.PROMOTION_ANSWER:
        accepted = notification.annotation is not None and (
            notification.annotation.editorial
        )
        sentence = (
            _("%(actor)s agreed: their note is an editor's note now.")
            if accepted
            else _("%(actor)s declined to make their note an editor's note.")
        )
        return sentence % {"actor": _actor(notification)}
    if kind == Kind.NOTE_HIDDEN:
        return _("A moderator hid your note; only you see it now.")
    if kind == Kind.NOTE_RESTORED:
        return _("A moderator restored your note.")
    if notification.assignment is None:
        return Kind(kind).label
    values = {"title": notification.assignment.title}
    if kind == Kind.FEEDBACK_RELEASED:
        return _("Your feedback on “%(title)s” is ready.") % values
    values["due"] = _due(notification)
    if kind == Kind.ASSIGNMENT_PUBLISHED:
        return _("New assignment: “%(title)s” (due %(due)s).") % values
    if kind == Kind.DUE_SOON:
        return _("Due %(due)s: “%(title)s”.") % values
    return _("Overdue since %(due)s: “%(title)s”.") % values


def target_url(notification: Notification) -> str:
    """Where the notification leads: the note on its part page, or the
    assignment; the inbox when what it was about has no page."""
    note = notification.annotation
    if note is not None:
        root = note.reply_to if note.reply_to_id else note
        passage = root.start_passage
        if passage is not None:
            part = reverse(
                "reader:part",
                kwargs={"edition": note.edition.slug, "part": passage.part.slug},
            )
            # As search links a note: the part page opens its card.
            query = urlencode({"note": note.pk, "at": passage.key})
            return f"{part}?{query}#card-{note.pk}"
    if notification.assignment is not None:
        return notification.assignment.get_absolute_url()
    return reverse("notifications:inbox")
