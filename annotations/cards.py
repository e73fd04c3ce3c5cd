"""Highlights and annotation cards as HTML, built in Python.

A part page can carry thousands of annotations. Rendering each card through
a template include cost about a millisecond, and each highlight segment
through format_html a few microseconds (measured with bench/), so this module
assembles them with reader.markdown.format_escaped: constant templates, every
value escaped. Notes are the HTML stored when they were written, passed once
more through the sanitiser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from classes.selectors import courses_taught_ids
from reader.anchoring import AnchorState
from reader.markdown import format_escaped, sanitise_html
from reader.models import Passage

from .models import Annotation, Motivation, Visibility
from .selectors import NOTE_START_CHARS, MarkAbout
from .services import CLASS_VISIBILITIES, can_moderate

EMPTY = format_escaped("")
# A mark carries its look and, for a screen reader and the page's script,
# the short descriptions of its annotations (kind, author, the note's first
# words) kept hidden beside the passage; nothing per annotation besides (a
# busy part has thousands: UUIDs on every mark were most of its bytes).
MARK_OPEN = '<mark class="{}"'
MARK_DESCRIBED_BY = ' aria-describedby="{}"'
# An editor's note's number is shown by CSS from the attribute, so it never
# becomes part of the passage's text (and its offsets).
MARK_NUMBER = ' data-note="{}"'
MARK_CLOSE = ">{}</mark>"


# Always on the page beside the marks they describe (aria-describedby reads
# hidden elements), whether or not a card is: a card has a data-card link.
DESCRIPTIONS = '<div class="mark-notes" hidden>{}</div>'
# (A <p>'s end tag is implied by the next <p> or the </div>: a busy part
# has thousands.)
DESCRIPTION = '<p id="{}">{}'
DESCRIPTION_CARDED = '<p id="{}" data-card="{}">{}'
# How much of a note a highlight's description reads out.
FIRST_WORDS = 8
FIRST_CHARS = 48
# Markdown's marks, which a screen reader would spell out.
MARKDOWN_MARKS = re.compile(r"\]\([^)]*\)?|[*_`#>~\[\]]+")


def first_words(note: str) -> str:
    """The first words of a note's Markdown, without its marks, "…" when
    there is more."""
    words = MARKDOWN_MARKS.sub(" ", note).split()
    text = " ".join(words[:FIRST_WORDS])
    if len(text) > FIRST_CHARS:
        text = text[:FIRST_CHARS].rsplit(" ", 1)[0] or text[:FIRST_CHARS]
    if text != " ".join(words) or len(note) >= NOTE_START_CHARS:
        text += "…"
    return text


class MarkDescriber:
    """Each passage's highlights described for a screen reader ("Note by
    ann: the first words…") by hidden elements that the marks name: the
    kind and author once per passage ("Highlight by ann" recurs on a busy
    one), a note's words apart. A highlight with a card on the page has its
    own element, naming the card for the page's script."""

    def __init__(self, about: dict[str, MarkAbout], carded: Iterable[str]) -> None:
        self.about = about
        self.carded = set(carded)
        self.kinds = {m.value: str(m.label) for m in Motivation}
        self.editorial = _("Editor's note")
        self.by = _("%(kind)s by %(author)s")
        # Translators: a highlight's kind and author, its note's words next.
        self.by_then_note = _("%(kind)s by %(author)s:")

    def parts(self, ident: str) -> tuple[str, str]:
        """Who made it (and what kind), and its note's first words."""
        about = self.about[ident]
        kind = self.kinds[about.motivation]
        if about.editorial:
            kind = f"{self.editorial} {about.number or ''}".rstrip()
        values = {"kind": kind, "author": about.author}
        words = first_words(about.note_start) if about.note_start else ""
        return (self.by_then_note if words else self.by) % values, words

    def passage(self, prefix: str, segments: list) -> tuple[dict[str, str], SafeString]:
        """The ids (`prefix` + a count: unique on the page) describing each
        highlight in these segments, and the hidden elements."""
        ids: dict[str, str] = {}
        shared: dict[str, str] = {}
        template: list[str] = []
        args: list[str] = []

        def element(text: str, card: str = "") -> str:
            made = prefix + _base36(len(template))
            template.append(DESCRIPTION_CARDED if card else DESCRIPTION)
            args.extend([made, card, text] if card else [made, text])
            return made

        for segment in segments:
            for ident in segment.ids:
                if ident in ids or ident not in self.about:
                    continue
                byline, words = self.parts(ident)
                if ident in self.carded:
                    ids[ident] = element(f"{byline} {words}".rstrip(), ident)
                    continue
                if byline not in shared:
                    shared[byline] = element(byline)
                ids[ident] = (
                    f"{shared[byline]} {element(words)}" if words else shared[byline]
                )
        if not template:
            return ids, EMPTY
        return ids, format_escaped(
            DESCRIPTIONS, format_escaped("".join(template), *args)
        )


def _base36(number: int) -> str:
    """A count in few characters: ids on a busy part add up."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def join(parts: list[SafeString]) -> SafeString:
    return format_escaped("{}" * len(parts), *parts)


def marked_text(
    segments: list,
    descriptions: dict[str, str] | None = None,
) -> SafeString:
    """A passage's text with its highlights as <mark> segments.

    `descriptions`: element ids by highlight id. A highlight is described at
    its first mark in the passage, where a screen reader meets it: on every
    mark, a busy passage's references outweighed its text.

    Every segment's text is escaped; joined, they give the passage's text
    exactly, so the browser's offsets stay the passage's offsets. The format
    string is built from MARK's pieces and "{}" only, never from the text.
    """
    template: list[str] = []
    args: list[str] = []
    descriptions = descriptions or {}
    described_already: set[str] = set()
    for segment in segments:
        if not segment.ids:
            template.append("{}")
            args.append(segment.text)
            continue
        template.append(MARK_OPEN)
        args.append(segment.css)
        if descriptions:
            new = [i for i in segment.ids if i not in described_already]
            described_already.update(new)
            described = " ".join(
                dict.fromkeys(descriptions[i] for i in new if i in descriptions)
            )
            if described:
                template.append(MARK_DESCRIBED_BY)
                args.append(described)
        if segment.note:
            template.append(MARK_NUMBER)
            args.append(segment.note)
        template.append(MARK_CLOSE)
        args.append(segment.text)
    return format_escaped("".join(template), *args)


def card_addenda(
    request: HttpRequest, passage: Passage
) -> Callable[[Annotation, Annotation], SafeString] | None:
    """What an app above this one adds under the cards of a page of one
    passage's notes, as its part page shows it there
    (THREE_NOTEBOOKS_CARD_ADDENDA: a dotted path to a callable (request,
    passage) -> a CardAddenda render function, or None)."""
    path = getattr(settings, "THREE_NOTEBOOKS_CARD_ADDENDA", "")
    return import_string(path)(request, passage) if path else None


class CardRenderer:
    """Renders many cards for one request, translating labels only once."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        taught: Iterable[int] | None = None,
        addenda: Callable[[Annotation, Annotation], SafeString] | None = None,
    ) -> None:
        self.user: AbstractBaseUser | AnonymousUser = request.user
        # What another app adds under a card's or a reply's note (see
        # annotations.contributions.CardAddenda).
        self.addenda = addenda
        self.moderator = can_moderate(request.user)
        # Classes this reader teaches: their teachers moderate there (read
        # here unless the page already knows them).
        if taught is None:
            taught = (
                courses_taught_ids(request.user).values_list("pk", flat=True)
                if request.user.is_authenticated
                else ()
            )
        self.taught: set[int] = set(taught)
        self.csrf = get_token(request) if request.user.is_authenticated else ""
        # reverse() once per request, not three times per card.
        marker = "00000000-0000-0000-0000-000000000000"
        self.urls = {
            name: reverse(f"annotations:{name}", args=[marker]).replace(marker, "{}")
            for name in ("edit", "delete", "reply", "flag", "moderate", "promote")
        }
        self.kinds = {m.value: str(m.label) for m in Motivation}
        self.visibilities = {v.value: str(v.label) for v in Visibility}
        self.labels = {
            "public": _("public"),
            "private": _("private"),
            "deleted": _("Deleted by its author; the replies are kept."),
            "edit": _("Edit"),
            "delete": _("Delete"),
            "reply": _("Reply"),
            "your_reply": _("Your reply"),
            "post": _("Post reply"),
            "replies": _("Replies"),
            "tags": _("Tags"),
            # Translators: read between a card's kind and its author
            # ("Note by ann"), unseen.
            "by_word": _("by"),
            "imported": _("by %(creator)s (imported)"),
            "text_moved": _(
                "The text changed since this was written; the highlight followed."
            ),
            "then": _("Then:"),
            "now": _("Now:"),
            "text_gone": _(
                "The text changed and these words are no longer in the passage. "
                "The note is kept, with its original quote."
            ),
            "reattach": _("Re-attach it to new words"),
            "hidden": _("Hidden by a moderator: only you can see it."),
            "editorial": _("Editor's note"),
            "flag": _("Flag"),
            "flag_reason": _("What is wrong with it?"),
            "send_flag": _("Send to a moderator"),
            "hide": _("Hide"),
            "restore": _("Restore"),
            "promote": _("Ask to publish as an editor's note"),
        }

    def cards(self, annotations: list[Annotation]) -> SafeString:
        return join([self.card(a) for a in annotations])

    def card(self, annotation: Annotation) -> SafeString:
        labels = self.labels
        own = annotation.author_id == self.user.pk
        author = annotation.author.get_username()
        kind = self.kinds[annotation.motivation]
        if annotation.editorial:
            number = getattr(annotation, "note_number", None)
            kind = f"{labels['editorial']} {number}" if number else labels["editorial"]
        classes = f"card card-{annotation.motivation} hl-{annotation.colour}"
        if own:
            classes += " is-own"
        if annotation.editorial:
            classes += " is-editorial"
        if annotation.is_deleted:
            classes += " is-deleted"
            body = format_escaped('<p class="card-deleted">{}</p>', labels["deleted"])
        elif annotation.body_html:
            body = format_escaped(
                '<div class="card-body">{}</div>', sanitise_html(annotation.body_html)
            )
        else:
            body = EMPTY
        return format_escaped(
            '<article class="{classes}" id="card-{pk}" data-annotation="{pk}" '
            'data-range="{mark_range}" tabindex="-1" aria-labelledby="card-{pk}-by">'
            '<header class="card-head"><span id="card-{pk}-by">'
            '<span class="card-kind">{kind}</span> '
            '<span class="visually-hidden">{by} </span>'
            '<span class="card-author">{author}</span></span> {credit}'
            '<span class="card-visibility">{visibility}</span> '
            '<time datetime="{iso}">{date}</time></header>'
            '<blockquote class="card-quote"><p>{quote}</p></blockquote>'
            "{notice}{body}{addendum}{tags}{actions}{replies}{reply_box}</article>",
            classes=classes,
            pk=annotation.pk,
            by=labels["by_word"],
            mark_range=getattr(annotation, "mark_range", ""),
            kind=kind,
            author=author,
            credit=self._credit(annotation),
            visibility=self._visibility(annotation),
            iso=annotation.created.isoformat(),
            date=f"{localtime(annotation.created):%-d %b %Y}",
            quote=_shorten(annotation.exact, 240),
            notice=self._anchor_notice(annotation),
            body=body,
            addendum=self._addendum(annotation, annotation),
            tags=self._tags(annotation),
            actions=(
                self._actions(annotation)
                if own and not annotation.is_deleted
                else self._others_actions(annotation)
            ),
            replies=self._replies(annotation),
            reply_box=self._reply_box(annotation),
        )

    def _addendum(self, annotation: Annotation, card: Annotation) -> SafeString:
        if self.addenda is None:
            return EMPTY
        return self.addenda(annotation, card)

    def _anchor_notice(self, annotation: Annotation) -> SafeString:
        """Tell readers when the text changed under their note: old and new
        wording, or that the words are gone (and, to its author, how to
        re-attach it)."""
        notices = []
        if annotation.moderation == "hidden":
            notices.append(
                format_escaped(
                    '<p class="card-anchor" role="note">{}</p>', self.labels["hidden"]
                )
            )
        state = getattr(annotation, "current_anchor", annotation.anchor_state)
        words = getattr(annotation, "current_words", "")
        if state == AnchorState.MOVED and words:
            notices.append(
                format_escaped(
                    '<p class="card-anchor card-anchor-moved" role="note">'
                    "{} {} “{}” {} “{}”</p>",
                    self.labels["text_moved"],
                    self.labels["then"],
                    annotation.exact,
                    self.labels["now"],
                    words,
                )
            )
        elif state == AnchorState.ORPHANED:
            reattach = EMPTY
            if annotation.author_id == self.user.pk:
                reattach = format_escaped(
                    ' <a href="?reattach={}#{}">{}</a>',
                    annotation.pk,
                    f"card-{annotation.pk}",
                    self.labels["reattach"],
                )
            notices.append(
                format_escaped(
                    '<p class="card-anchor card-anchor-orphaned" role="note">{}{}</p>',
                    self.labels["text_gone"],
                    reattach,
                )
            )
        return join(notices)

    def _credit(self, annotation: Annotation) -> SafeString:
        """An imported note written by someone else names them."""
        if not annotation.original_creator:
            return EMPTY
        return format_escaped(
            '<span class="card-credit">{}</span> ',
            self.labels["imported"] % {"creator": annotation.original_creator},
        )

    def _visibility(self, annotation: Annotation) -> str:
        if annotation.visibility == Visibility.PUBLIC:
            return self.labels["public"]
        if annotation.visibility == Visibility.PRIVATE:
            return self.labels["private"]
        return self.visibilities[annotation.visibility]

    def _tags(self, annotation: Annotation) -> SafeString:
        tags = annotation.tags_in_order()
        if not tags:
            return EMPTY
        items = join(
            [
                format_escaped('<li><a href="?tag={}">#{}</a></li>', t.name, t.name)
                for t in tags
            ]
        )
        return format_escaped(
            '<ul class="card-tags" aria-label="{}">{}</ul>', self.labels["tags"], items
        )

    def _actions(self, annotation: Annotation) -> SafeString:
        return format_escaped(
            '<p class="card-actions"><a href="{}">{}</a> '
            '<a href="{}" data-delete="{}"{}>{}</a></p>',
            self.urls["edit"].format(annotation.pk),
            self.labels["edit"],
            self.urls["delete"].format(annotation.pk),
            annotation.pk,
            # An editor's note's number changes others': the page reloads.
            format_escaped(" data-editorial") if annotation.editorial else EMPTY,
            self.labels["delete"],
        )

    def _others_actions(self, annotation: Annotation) -> SafeString:
        """Flag (any reader), hide or restore and ask to promote (curators,
        and the class's teachers for class notes)."""
        if not self.user.is_authenticated or annotation.is_deleted:
            return EMPTY
        parts = []
        moderates = self.moderator or (
            annotation.course_id in self.taught
            and annotation.visibility in CLASS_VISIBILITIES
        )
        if moderates:
            hidden = annotation.moderation == "hidden"
            parts.append(
                format_escaped(
                    '<form method="post" action="{}" class="inline-form">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<button class="link-button" name="action" value="{}">{}</button>'
                    "</form>",
                    self.urls["moderate"].format(annotation.pk),
                    self.csrf,
                    "restore" if hidden else "hide",
                    self.labels["restore" if hidden else "hide"],
                )
            )
            if not annotation.editorial and annotation.body_html:
                parts.append(
                    format_escaped(
                        '<form method="post" action="{}" class="inline-form">'
                        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                        '<button class="link-button">{}</button></form>',
                        self.urls["promote"].format(annotation.pk),
                        self.csrf,
                        self.labels["promote"],
                    )
                )
        if annotation.visibility in ("public", "course"):
            parts.append(
                format_escaped(
                    '<details class="flag-box"><summary>{}</summary>'
                    '<form method="post" action="{}">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<label for="flag-{}">{}</label>'
                    '<textarea id="flag-{}" name="reason" rows="2" maxlength="1000" '
                    "required></textarea>"
                    '<button class="button button-small">{}</button></form></details>',
                    self.labels["flag"],
                    self.urls["flag"].format(annotation.pk),
                    self.csrf,
                    annotation.pk,
                    self.labels["flag_reason"],
                    annotation.pk,
                    self.labels["send_flag"],
                )
            )
        if not parts:
            return EMPTY
        return format_escaped('<div class="card-actions">{}</div>', join(parts))

    def _replies(self, annotation: Annotation) -> SafeString:
        replies = getattr(annotation, "visible_replies", [])
        if not replies:
            return EMPTY
        items = join(
            [
                format_escaped(
                    '<li class="reply{}" id="card-{}"><p class="reply-head">'
                    '<span class="card-author">{}</span> <time datetime="{}">{}</time>'
                    '</p><div class="card-body">{}</div>{}{}</li>',
                    " is-own" if reply.author_id == self.user.pk else "",
                    reply.pk,
                    reply.author.get_username(),
                    reply.created.isoformat(),
                    f"{localtime(reply.created):%-d %b %Y}",
                    sanitise_html(reply.body_html),
                    self._addendum(reply, annotation),
                    self._actions(reply) if reply.author_id == self.user.pk else EMPTY,
                )
                for reply in replies
            ]
        )
        return format_escaped(
            '<ol class="replies" aria-label="{}">{}</ol>', self.labels["replies"], items
        )

    def _reply_box(self, annotation: Annotation) -> SafeString:
        if not self.user.is_authenticated or annotation.is_deleted:
            return EMPTY
        return format_escaped(
            '<details class="reply-box"><summary>{reply}</summary>'
            '<form method="post" action="{action}" data-reply-to="{pk}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '<label for="reply-{pk}" class="visually-hidden">{your_reply}</label>'
            '<textarea id="reply-{pk}" name="body" rows="3" maxlength="10000" '
            "required></textarea>"
            '<button type="submit" class="button button-small">{post}</button>'
            "</form></details>",
            reply=self.labels["reply"],
            action=self.urls["reply"].format(annotation.pk),
            csrf=self.csrf,
            pk=annotation.pk,
            your_reply=self.labels["your_reply"],
            post=self.labels["post"],
        )
