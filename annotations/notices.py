"""Who hears about what happens to notes (notifications.services.notify).

Called by annotations.services after each write, inside its transaction.
Every notification names its event in its key, so a service run twice for
one event (a retry, a double submit) tells nobody twice.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from classes.selectors import teaches
from notifications.models import Kind
from notifications.services import notify

from .models import Annotation, ModerationLog, Motivation, PromotionRequest


def _may_see(user: AbstractBaseUser, note: Annotation) -> bool:
    """Nobody hears of a note the visibility rule keeps from them."""
    return Annotation.objects.visible_to(user).filter(pk=note.pk).exists()


def is_prompt(root: Annotation) -> bool:
    """A question a class's teacher asked the class (an assignment's prompt
    or one like it): its replies are answers."""
    return (
        root.motivation == Motivation.QUESTIONING
        and root.course_id is not None
        and teaches(root.author, root.course_id)
    )


def reply_notify(*, reply: Annotation) -> None:
    """The thread's author hears of a reply (an answer, on a prompt); so do
    the others who replied in it, except under a prompt, where classmates'
    answers are not replies to them (and would tell a class of 30 each
    other's every answer)."""
    root = reply.reply_to
    key = f"reply:{reply.pk}"
    prompt = is_prompt(root)
    if root.author_id != reply.author_id and _may_see(root.author, reply):
        notify(
            recipient=root.author,
            kind=Kind.PROMPT_ANSWER if prompt else Kind.REPLY,
            key=key,
            actor=reply.author,
            annotation=reply,
        )
    if prompt:
        return
    repliers = (
        Annotation.objects.filter(reply_to=root)
        .exclude(author_id__in=[reply.author_id, root.author_id])
        .values("author_id")
    )
    for user in get_user_model().objects.filter(pk__in=repliers).order_by("pk"):
        if _may_see(user, reply):
            notify(
                recipient=user,
                kind=Kind.THREAD_REPLY,
                key=key,
                actor=reply.author,
                annotation=reply,
            )


def _round(annotation: Annotation, action: str) -> int:
    """How often the note was moderated the other way: a hide sent twice is
    one event (the same round), a hide after a restore a new one."""
    return ModerationLog.objects.filter(
        annotation_id=annotation.pk, action=action
    ).count()


def moderation_notify(
    *, annotation: Annotation, actor: AbstractBaseUser, hidden: bool
) -> None:
    """The author hears that a moderator hid or restored their note."""
    if hidden:
        kind, opposite = Kind.NOTE_HIDDEN, ModerationLog.Action.RESTORE
    else:
        kind, opposite = Kind.NOTE_RESTORED, ModerationLog.Action.HIDE
    round_ = _round(annotation, opposite)
    if not hidden and round_ == 0:
        return  # restoring a note never hidden changes nothing for its author
    notify(
        recipient=annotation.author,
        kind=kind,
        key=f"{kind}:{annotation.pk}:{round_}",
        actor=actor,
        annotation=annotation,
    )


def promotion_notify(*, request: PromotionRequest) -> None:
    """The author is asked for consent: they hear of the request."""
    notify(
        recipient=request.annotation.author,
        kind=Kind.PROMOTION_REQUEST,
        key=f"promotion:{request.pk}",
        actor=request.requested_by,
        annotation=request.annotation,
    )


def promotion_answer_notify(*, request: PromotionRequest) -> None:
    """The curator (or teacher) who asked hears the author's answer."""
    notify(
        recipient=request.requested_by,
        kind=Kind.PROMOTION_ANSWER,
        key=f"promotion-answer:{request.pk}",
        actor=request.annotation.author,
        annotation=request.annotation,
    )
