"""Every write to annotations goes through these functions.

Views, the API, the importer and admin call them; each validates all of its
input first and writes inside one transaction, so bad input writes nothing.
Errors are `ValidationError`s keyed by the field at fault, which the API turns
into 400 responses that name the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.selectors import belongs_to, teaches
from reader import anchoring
from reader.anchoring import AnchorState
from reader.markdown import render_markdown
from reader.models import Edition, Passage

from .models import (
    MAX_BODY_LENGTH,
    MAX_TAGS,
    Annotation,
    Colour,
    Flag,
    Moderation,
    ModerationLog,
    Motivation,
    PromotionRequest,
    Tag,
    Visibility,
)
from .notices import (
    moderation_notify,
    promotion_answer_notify,
    promotion_notify,
    reply_notify,
)

# Levels anyone can choose; `teacher` and `course` also need a class.
OPEN_VISIBILITIES = (Visibility.PRIVATE, Visibility.PUBLIC)
CLASS_VISIBILITIES = (Visibility.TEACHER, Visibility.COURSE)
TARGET_MOTIVATIONS = (
    Motivation.HIGHLIGHTING,
    Motivation.COMMENTING,
    Motivation.QUESTIONING,
)
MAX_TAG_LENGTH = 40


@dataclass(frozen=True)
class TargetInput:
    """A range as a client gives it: passage keys and code-point offsets."""

    start_key: str
    start_offset: int
    end_key: str
    end_offset: int


@dataclass(frozen=True)
class ResolvedTarget:
    start: Passage
    start_offset: int
    end: Passage
    end_offset: int
    quote: anchoring.Quote


def normalise_whitespace(text: str) -> str:
    """Runs of whitespace as one space, none at the ends: how a browser's
    selection and the stored quote are compared (line breaks between passages
    and in the page's layout are not the reader's words). U+FEFF counts as
    whitespace too, as it does in the browser's regular expressions."""
    return " ".join(text.replace("\ufeff", " ").split())


def target_resolve(
    *,
    edition: Edition,
    target: TargetInput,
    exact: str | None = None,
    quote: str | None = None,
) -> ResolvedTarget:
    """Check a range against the edition and build its quote selector.

    `exact` must equal the text at the offsets character for character;
    `quote`, the words a reader selected, must equal it up to whitespace. A
    client that sends either is never anchored to words it did not show."""
    keys = {target.start_key, target.end_key}
    passages = {p.key: p for p in Passage.objects.filter(edition=edition, key__in=keys)}
    errors: dict[str, str] = {}
    start = passages.get(target.start_key)
    end = passages.get(target.end_key)
    if start is None:
        errors["start_passage"] = _("Unknown passage key “%s” in this edition.") % (
            target.start_key
        )
    if end is None:
        errors["end_passage"] = _("Unknown passage key “%s” in this edition.") % (
            target.end_key
        )
    if start is None or end is None:
        raise ValidationError(errors)
    if start.part_id != end.part_id:
        raise ValidationError(
            {"end_passage": _("A range must stay within one part of the book.")}
        )
    if (start.order, target.start_offset) > (end.order, target.end_offset):
        raise ValidationError({"end_passage": _("The range ends before it starts.")})
    if not 0 <= target.start_offset <= len(start.text):
        raise ValidationError(
            {
                "start_offset": _("Offset outside the passage (0 to %d).")
                % len(start.text)
            }
        )
    if not 0 <= target.end_offset <= len(end.text):
        raise ValidationError(
            {"end_offset": _("Offset outside the passage (0 to %d).") % len(end.text)}
        )
    span = list(
        Passage.objects.filter(
            part_id=start.part_id, order__gte=start.order, order__lte=end.order
        ).order_by("order")
    )
    document = anchoring.join_passages([p.text for p in span])
    global_start = document.to_global(0, target.start_offset)
    global_end = document.to_global(len(span) - 1, target.end_offset)
    if global_start >= global_end:
        raise ValidationError({"end_offset": _("The range is empty.")})
    if not document.text[global_start:global_end].strip():
        raise ValidationError({"exact": _("Select some words, not only spaces.")})
    selector = anchoring.build_quote(document.text, global_start, global_end)
    if exact is not None and exact != selector.exact:
        raise ValidationError(
            {"exact": _("The quote does not match the text at these offsets.")}
        )
    if quote is not None and not isinstance(quote, str):
        raise ValidationError({"quote": _("The selected words must be text.")})
    if quote is not None and normalise_whitespace(quote) != normalise_whitespace(
        selector.exact
    ):
        raise ValidationError(
            {
                "quote": _(
                    "The selected words are not the passage's words at these "
                    "offsets (has the text changed since the page was loaded?). "
                    "Nothing was saved: reload the page and select them again."
                )
            }
        )
    return ResolvedTarget(start, target.start_offset, end, target.end_offset, selector)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise ValidationError({"tags": _("Tags must be a list of words.")})
    seen: dict[str, str] = {}
    for raw in tags:
        if not isinstance(raw, str):
            raise ValidationError({"tags": _("Each tag must be text.")})
        name = " ".join(raw.split()).lstrip("#")
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValidationError(
                {"tags": _("Tags are at most %d characters.") % MAX_TAG_LENGTH}
            )
        seen.setdefault(name.casefold(), name)
    if len(seen) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %d tags.") % MAX_TAGS})
    return list(seen.values())


def _check_body(motivation: str, body: str) -> str:
    if not isinstance(body, str):
        raise ValidationError({"body": _("The note must be text.")})
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            {
                "body": _("The note is too long (at most %d characters).")
                % MAX_BODY_LENGTH
            }
        )
    if motivation != Motivation.HIGHLIGHTING and not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    return body


def _check_choice(field: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValidationError(
            {
                field: _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)}
            }
        )
    return value


def _check_visibility(
    value: str, *, course: object | None, author: AbstractBaseUser, edition_id: int
) -> str:
    """Class levels need a class the author belongs to, reading this edition."""
    _check_choice("visibility", value, Visibility.values)
    if value not in CLASS_VISIBILITIES:
        return value
    if course is None:
        raise ValidationError(
            {"visibility": _("Sharing with a teacher or a class needs a class.")}
        )
    if not belongs_to(author, course):
        raise ValidationError({"course": _("You are not in this class.")})
    if course.edition_id != edition_id:
        raise ValidationError({"course": _("This class reads another edition.")})
    return value


def _set_tags(
    annotation: Annotation, owner: AbstractBaseUser, names: list[str]
) -> None:
    existing = {t.name.casefold(): t for t in Tag.objects.filter(owner=owner)}
    tags = []
    for name in names:
        tag = existing.get(name.casefold())
        if tag is None:
            tag = Tag.objects.create(owner=owner, name=name)
            existing[name.casefold()] = tag
        tags.append(tag)
    annotation.tags.set(tags)


@transaction.atomic
def annotation_create(
    *,
    author: AbstractBaseUser,
    edition: Edition,
    target: TargetInput,
    motivation: str = Motivation.HIGHLIGHTING,
    body: str = "",
    tags: Sequence[str] = (),
    colour: str = Colour.YELLOW,
    visibility: str = Visibility.PRIVATE,
    exact: str | None = None,
    quote: str | None = None,
    annotation_id: uuid.UUID | None = None,
    course: object | None = None,
    answer_first: bool = False,
    editorial: bool = False,
) -> Annotation:
    """Create a highlight, note or question on a range of text.

    `quote` is the words the reader selected (see `target_resolve`).
    `annotation_id` lets the importer keep an exported annotation's id."""
    motivation = _check_choice(
        "motivation", motivation, [m.value for m in TARGET_MOTIVATIONS]
    )
    body = _check_body(motivation, body)
    colour = _check_choice("colour", colour, Colour.values)
    visibility = _check_visibility(
        visibility, course=course, author=author, edition_id=edition.pk
    )
    if editorial:
        if not can_moderate(author):
            raise ValidationError(
                {"editorial": _("Only curators write editor's notes.")}
            )
        if visibility != Visibility.PUBLIC:
            raise ValidationError({"visibility": _("Editor's notes are public.")})
    tag_names = _clean_tags(tags)
    resolved = target_resolve(edition=edition, target=target, exact=exact, quote=quote)
    annotation = Annotation(
        id=annotation_id or uuid.uuid4(),
        author=author,
        edition=edition,
        start_passage=resolved.start,
        start_offset=resolved.start_offset,
        end_passage=resolved.end,
        end_offset=resolved.end_offset,
        exact=resolved.quote.exact,
        prefix=resolved.quote.prefix,
        suffix=resolved.quote.suffix,
        passage_revision=resolved.start.revision,
        anchor_state=AnchorState.EXACT,
        motivation=motivation,
        body=body,
        body_html=render_markdown(body),
        colour=colour,
        visibility=visibility,
        course=course if visibility in CLASS_VISIBILITIES else None,
        answer_first=answer_first,
        editorial=editorial,
    )
    annotation.full_clean()
    annotation.save()
    _set_tags(annotation, author, tag_names)
    return annotation


@transaction.atomic
def reply_create(
    *,
    author: AbstractBaseUser,
    parent: Annotation,
    body: str,
    annotation_id: uuid.UUID | None = None,
) -> Annotation:
    """Answer an annotation. Threads are flat: a reply to a reply joins the
    thread of the annotation at its root, and shares that root's visibility."""
    root = parent.reply_to if parent.reply_to_id else parent
    if not Annotation.objects.visible_to(author).filter(pk=root.pk).exists():
        raise PermissionDenied(_("You cannot reply to an annotation you cannot see."))
    if root.is_deleted:
        raise ValidationError(
            {"reply_to": _("This annotation was deleted by its author.")}
        )
    body = _check_body(Motivation.REPLYING, body)
    reply = Annotation(
        id=annotation_id or uuid.uuid4(),
        author=author,
        edition_id=root.edition_id,
        reply_to=root,
        motivation=Motivation.REPLYING,
        body=body,
        body_html=render_markdown(body),
        visibility=root.visibility,
        course_id=root.course_id,
        anchor_state=root.anchor_state,
    )
    reply.full_clean()
    reply.save()
    reply_notify(reply=reply)
    return reply


def _check_author(annotation: Annotation, user: AbstractBaseUser) -> None:
    if annotation.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change an annotation."))
    if annotation.is_deleted:
        raise ValidationError({"body": _("This annotation was deleted.")})


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    editor: AbstractBaseUser,
    body: str | None = None,
    tags: Sequence[str] | None = None,
    colour: str | None = None,
    visibility: str | None = None,
    motivation: str | None = None,
) -> Annotation:
    """Change what an author wrote; the target stays where it is."""
    _check_author(annotation, editor)
    changed: list[str] = []
    if motivation is not None and not annotation.is_reply:
        annotation.motivation = _check_choice(
            "motivation", motivation, [m.value for m in TARGET_MOTIVATIONS]
        )
        changed.append("motivation")
    if body is not None:
        annotation.body = _check_body(annotation.motivation, body)
        annotation.body_html = render_markdown(annotation.body)
        changed += ["body", "body_html"]
    elif "motivation" in changed:
        _check_body(annotation.motivation, annotation.body)
    if colour is not None:
        annotation.colour = _check_choice("colour", colour, Colour.values)
        changed.append("colour")
    if visibility is not None and not annotation.is_reply:
        annotation.visibility = _check_visibility(
            visibility,
            course=annotation.course,
            author=editor,
            edition_id=annotation.edition_id,
        )
        if annotation.editorial and annotation.visibility != Visibility.PUBLIC:
            raise ValidationError({"visibility": _("Editor's notes are public.")})
        changed.append("visibility")
    tag_names = _clean_tags(tags) if tags is not None else None
    annotation.full_clean()
    annotation.save(update_fields=[*changed, "modified"])
    if visibility is not None and not annotation.is_reply:
        # Replies follow their thread's visibility.
        annotation.replies.update(visibility=annotation.visibility)
    if tag_names is not None:
        _set_tags(annotation, editor, tag_names)
    return annotation


@transaction.atomic
def annotation_reattach(
    *,
    annotation: Annotation,
    user: AbstractBaseUser,
    target: TargetInput,
    quote: str | None = None,
) -> Annotation:
    """Attach an orphaned (or moved) annotation to words chosen anew: by its
    author, or by a curator looking after the edition."""
    if annotation.author_id != user.pk and not user.has_perm(
        "annotations.change_annotation"
    ):
        raise PermissionDenied(_("Only the author or a curator can re-attach a note."))
    if annotation.is_reply:
        raise ValidationError({"reply_to": _("A reply follows the note it answers.")})
    resolved = target_resolve(edition=annotation.edition, target=target, quote=quote)
    annotation.start_passage = resolved.start
    annotation.start_offset = resolved.start_offset
    annotation.end_passage = resolved.end
    annotation.end_offset = resolved.end_offset
    annotation.exact = resolved.quote.exact
    annotation.prefix = resolved.quote.prefix
    annotation.suffix = resolved.quote.suffix
    annotation.passage_revision = resolved.start.revision
    annotation.anchor_state = AnchorState.EXACT
    annotation.full_clean()
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user: AbstractBaseUser) -> bool:
    """Delete an author's own annotation.

    Replies by other readers are never lost: an annotation that has them is
    kept as a tombstone (its note and tags removed, its place kept). Returns
    True when the row was removed, False when a tombstone was left.

    Deleting a tombstone again changes nothing and returns False: a delete
    sent twice (a retry, a second tab) is answered as the first was.
    """
    if annotation.author_id == user.pk and annotation.is_deleted:
        return False
    _check_author(annotation, user)
    others = annotation.replies.exclude(author=user)
    if others.exists():
        annotation.replies.filter(author=user).delete()
        annotation.body = annotation.body_html = ""
        annotation.deleted = timezone.now()
        annotation.save(update_fields=["body", "body_html", "deleted", "modified"])
        annotation.tags.clear()
        return False
    annotation.replies.all().delete()
    annotation.delete()
    return True


# --- Moderation and editor's notes ---------------------------------------------

MAX_FLAG_REASON = 1000


def can_moderate(user: AbstractBaseUser) -> bool:
    """Curators moderate everything (their group carries the permission)."""
    return user.is_authenticated and user.has_perm("annotations.change_annotation")


def teaches_course_of(user: AbstractBaseUser, annotation: Annotation) -> bool:
    return (
        user.is_authenticated
        and annotation.course_id is not None
        # A note its author took back out of the class is no longer theirs to
        # moderate.
        and annotation.visibility in CLASS_VISIBILITIES
        and teaches(user, annotation.course_id)
    )


def _log(annotation: Annotation, action: str, actor: AbstractBaseUser) -> None:
    ModerationLog.objects.create(
        annotation_id=annotation.pk,
        annotation_author=annotation.author.get_username(),
        excerpt=(annotation.body or annotation.exact)[:200],
        action=action,
        actor=actor,
    )


@transaction.atomic
def annotation_flag(
    *, user: AbstractBaseUser, annotation: Annotation, reason: str
) -> Flag:
    """Ask the moderators to look at a shared annotation."""
    reason = (reason or "").strip()
    if annotation.author_id == user.pk:
        raise ValidationError({"reason": _("You can edit or delete your own notes.")})
    if annotation.visibility not in (Visibility.PUBLIC, Visibility.COURSE):
        raise ValidationError({"reason": _("Only shared notes can be flagged.")})
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong.")})
    if len(reason) > MAX_FLAG_REASON:
        raise ValidationError({"reason": _("At most %d characters.") % MAX_FLAG_REASON})
    if annotation.flags.filter(flagger=user, resolved=False).exists():
        raise ValidationError({"reason": _("You have flagged this already.")})
    return Flag.objects.create(annotation=annotation, flagger=user, reason=reason)


def _check_moderator(user: AbstractBaseUser, annotation: Annotation) -> None:
    if not (can_moderate(user) or teaches_course_of(user, annotation)):
        raise PermissionDenied(
            _("Only curators, or the class's teachers, moderate notes.")
        )


def _flags_resolve(annotation: Annotation, actor: AbstractBaseUser) -> None:
    """Hiding or restoring is the moderator's answer to every open flag: the
    note leaves the "Flagged, waiting" queue, with who answered and when."""
    annotation.flags.filter(resolved=False).update(
        resolved=True, resolved_by=actor, resolved_at=timezone.now()
    )


@transaction.atomic
def annotation_hide(*, annotation: Annotation, actor: AbstractBaseUser) -> Annotation:
    """Hide a note from everyone but its author, and record who did it."""
    _check_moderator(actor, annotation)
    annotation.moderation = Moderation.HIDDEN
    annotation.hidden_by = actor
    annotation.hidden_at = timezone.now()
    annotation.save(update_fields=["moderation", "hidden_by", "hidden_at"])
    _flags_resolve(annotation, actor)
    _log(annotation, ModerationLog.Action.HIDE, actor)
    moderation_notify(annotation=annotation, actor=actor, hidden=True)
    return annotation


@transaction.atomic
def annotation_restore(
    *, annotation: Annotation, actor: AbstractBaseUser
) -> Annotation:
    _check_moderator(actor, annotation)
    annotation.moderation = Moderation.VISIBLE
    annotation.hidden_by, annotation.hidden_at = None, None  # the log keeps who hid it
    annotation.save(update_fields=["moderation", "hidden_by", "hidden_at"])
    _flags_resolve(annotation, actor)
    _log(annotation, ModerationLog.Action.RESTORE, actor)
    moderation_notify(annotation=annotation, actor=actor, hidden=False)
    return annotation


@transaction.atomic
def annotation_delete_by_curator(
    *, annotation: Annotation, curator: AbstractBaseUser
) -> None:
    """The one way admin deletes a reader's note: explicit, and logged."""
    if not curator.has_perm("annotations.delete_annotation"):
        raise PermissionDenied
    _log(annotation, ModerationLog.Action.DELETE, curator)
    annotation.replies.all().delete()
    annotation.delete()


@transaction.atomic
def promotion_request(
    *, annotation: Annotation, requester: AbstractBaseUser
) -> PromotionRequest:
    """Ask a reader whether their note may become an editor's note."""
    _check_moderator(requester, annotation)
    if annotation.is_reply or annotation.editorial:
        raise ValidationError(_("This note cannot be promoted."))
    if annotation.author_id == requester.pk:
        raise ValidationError(_("Write an editor's note directly instead."))
    existing = annotation.promotion_requests.filter(
        status=PromotionRequest.Status.PENDING
    )
    if existing.exists():
        return existing.first()
    request = PromotionRequest.objects.create(
        annotation=annotation, requested_by=requester
    )
    promotion_notify(request=request)
    return request


@transaction.atomic
def promotion_decide(
    *, request: PromotionRequest, author: AbstractBaseUser, accept: bool
) -> PromotionRequest:
    """The author consents (or not). Accepted notes become public editor's
    notes, still credited to their author."""
    if request.annotation.author_id != author.pk:
        raise PermissionDenied(_("Only the note's author decides."))
    if request.status != PromotionRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    request.status = (
        PromotionRequest.Status.ACCEPTED if accept else PromotionRequest.Status.DECLINED
    )
    request.decided = timezone.now()
    request.save(update_fields=["status", "decided"])
    if accept:
        annotation = request.annotation
        annotation.editorial = True
        annotation.visibility = Visibility.PUBLIC
        annotation.save(update_fields=["editorial", "visibility"])
        annotation.replies.update(visibility=Visibility.PUBLIC)
        _log(annotation, ModerationLog.Action.PROMOTE, request.requested_by)
    promotion_answer_notify(request=request)
    return request
