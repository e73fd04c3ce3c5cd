"""Apps to the right of the reader add to its pages through here.

The reader knows nothing about annotations, motifs or classes. Each of those
apps has a `contributions.py` with a `Contribution` subclass which, like a
Wagtail panel, renders itself: it returns its own HTML for the named slots of
the part page (and of the contents), per page and per passage, and names the
query parameters it needs carried from part to part. The reader's templates
loop over slots and name no other app.

Contributions are listed, as dotted paths, in
`settings.THREE_NOTEBOOKS_READER_CONTRIBUTIONS`. A list rather than a registry
filled in each app's `ready()`: the order of the list is the order in which
the apps' slots appear on the page (an assignment's bar above a traced motif's;
"Start here" before "Propose a motif" before "3 annotations"), and that order
belongs to the site, not to whichever app happens to be installed first. The
reader imports them by path, so it still imports no app.

For one request the reader makes one instance of each, calls `prepare_part()`
on all of them, then `render_part()` on all of them: a contribution may offer
something to another in between (`PartPage.offer`), as an assignment tells
annotations which class new notes go to. Each must make a constant number of
queries, whatever the number of passages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.template.context_processors import csrf
from django.template.loader import get_template
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from .markdown import format_escaped
from .models import Part, Passage

EMPTY = format_escaped("")

T = TypeVar("T")


def _join(fragments: Iterable[SafeString]) -> SafeString:
    """Contributions' fragments for one position, one per line (so that
    inline ones, like the links under a passage, stay apart)."""
    fragments = [f for f in fragments if f]
    return format_escaped("\n".join(["{}"] * len(fragments)), *fragments)


@dataclass
class PassageSlots:
    """What goes on one passage, by position (one contribution's share, or
    all of them combined)."""

    # Extra classes on the passage's element.
    classes: tuple[str, ...] = ()
    # The passage's text marked up (highlights); its text content must be
    # exactly `passage.text`, whose code points every anchor counts. Only one
    # contribution may mark a passage's text.
    text: SafeString | None = None
    # The row of links under the text (permalink, "Copy citation", ...).
    meta: SafeString = EMPTY
    # Below that row, inside the passage.
    after_meta: SafeString = EMPTY
    # Beside the passage, in its margin.
    aside: SafeString = EMPTY


@dataclass
class PartSlots:
    """What one contribution adds to a part page (or all of them combined)."""

    # Extra classes on the part's <article>. No inline CSS declarations: the
    # Content-Security-Policy refuses style attributes (a class names them).
    classes: tuple[str, ...] = ()
    # At the end of the part's header.
    header: SafeString = EMPTY
    # Between the header and the first passage.
    before_passages: SafeString = EMPTY
    # After the part's <article> (dialogs).
    after_article: SafeString = EMPTY
    # In the page's scripts block.
    scripts: SafeString = EMPTY
    # By passage key.
    passages: dict[str, PassageSlots] = field(default_factory=dict)

    @classmethod
    def combine(cls, shares: list[PartSlots]) -> PartSlots:
        keys = dict.fromkeys(key for share in shares for key in share.passages)
        return cls(
            classes=tuple(c for share in shares for c in share.classes),
            header=_join(share.header for share in shares),
            before_passages=_join(share.before_passages for share in shares),
            after_article=_join(share.after_article for share in shares),
            scripts=_join(share.scripts for share in shares),
            passages={
                key: _combine_passage(
                    key, [s.passages[key] for s in shares if key in s.passages]
                )
                for key in keys
            },
        )


def _combine_passage(key: str, shares: list[PassageSlots]) -> PassageSlots:
    texts = [share.text for share in shares if share.text is not None]
    if len(texts) > 1:
        raise ImproperlyConfigured(
            f"Two contributions mark up the text of passage {key}; only one may."
        )
    return PassageSlots(
        classes=tuple(c for share in shares for c in share.classes),
        text=texts[0] if texts else None,
        meta=_join(share.meta for share in shares),
        after_meta=_join(share.after_meta for share in shares),
        aside=_join(share.aside for share in shares),
    )


@dataclass
class ContentsPartSlots:
    """What goes on one part's entry in the table of contents."""

    classes: tuple[str, ...] = ()
    # Inside the part's link, before its kind.
    label: SafeString = EMPTY
    # Query parameters added to the part's link.
    query: dict[str, str] = field(default_factory=dict)

    @property
    def query_string(self) -> str:
        return urlencode(self.query)


@dataclass
class ContentsSlots:
    """What one contribution adds to the table of contents."""

    # Under the contents' header, before "Continue reading".
    before_contents: SafeString = EMPTY
    # By part slug.
    parts: dict[str, ContentsPartSlots] = field(default_factory=dict)

    @classmethod
    def combine(cls, shares: list[ContentsSlots]) -> ContentsSlots:
        slugs = dict.fromkeys(slug for share in shares for slug in share.parts)
        return cls(
            before_contents=_join(share.before_contents for share in shares),
            parts={
                slug: ContentsPartSlots(
                    classes=tuple(
                        c
                        for share in shares
                        for c in share.parts.get(slug, ContentsPartSlots()).classes
                    ),
                    label=_join(
                        share.parts[slug].label
                        for share in shares
                        if slug in share.parts
                    ),
                    query={
                        name: value
                        for share in shares
                        if slug in share.parts
                        for name, value in share.parts[slug].query.items()
                    },
                )
                for slug in slugs
            },
        )


@dataclass(kw_only=True)
class _Page:
    request: HttpRequest
    contributions: list[Contribution] = field(default_factory=list)
    # Templates loaded once per page, not once per passage.
    _templates: dict[str, Any] = field(default_factory=dict, repr=False)

    def contribution(self, kind: type[T]) -> T | None:
        return next((c for c in self.contributions if isinstance(c, kind)), None)

    def render(self, template_name: str, context: dict[str, Any]) -> SafeString:
        """A contribution's own partial, with what every partial may use (the
        request, the user, the CSRF token, the page's edition and part) and
        no context processor: a page renders many partials, none needs them."""
        template = self._templates.get(template_name)
        if template is None:
            template = self._templates[template_name] = get_template(template_name)
        return template.render(
            {
                "request": self.request,
                "user": self.request.user,
                **csrf(self.request),
                **self._context(),
                **context,
            }
        )

    def _context(self) -> dict[str, Any]:
        return {}


@dataclass(kw_only=True)
class PartPage(_Page):
    """One request for a part page, as contributions see it."""

    part: Part
    passages: list[Passage]
    # The keys of the passages whose rows are rendered: None for the whole
    # page; a few when the page's script asks for those rows again after a
    # save (reader.views.part_passages). Every contribution still prepares
    # for the whole part (counts, numbering), and renders only these.
    only: frozenset[str] | None = None
    offers: dict[type, object] = field(default_factory=dict)

    @property
    def rendered(self) -> list[tuple[int, Passage]]:
        """The passages to render, each with its number in the part (¶n)."""
        return [
            (number, passage)
            for number, passage in enumerate(self.passages, start=1)
            if self.only is None or passage.key in self.only
        ]

    def offer(self, value: object) -> None:
        """Hand another contribution something it knows how to use (by type)."""
        self.offers[type(value)] = value

    def offered(self, kind: type[T]) -> T | None:
        value = self.offers.get(kind)
        return value if isinstance(value, kind) else None

    def _context(self) -> dict[str, Any]:
        return {"edition": self.part.edition, "part": self.part}


@dataclass(kw_only=True)
class ContentsPage(_Page):
    """One request for an edition's table of contents."""

    edition: Any
    parts: list[Part]

    def _context(self) -> dict[str, Any]:
        return {"edition": self.edition}


class Contribution:
    """One app's share of the reader's pages, for one request.

    Subclasses override what they add to; the defaults add nothing.
    """

    # Query parameters this app reads on a part page, carried to the next
    # and previous parts.
    carried_parameters: ClassVar[tuple[str, ...]] = ()

    def prepare_part(self, page: PartPage) -> None:
        """Read what the part page needs; offer others what they need."""

    def render_part(self, page: PartPage) -> PartSlots:
        return PartSlots()

    def render_contents(self, page: ContentsPage) -> ContentsSlots:
        return ContentsSlots()


@cache
def _contribution_classes(paths: tuple[str, ...]) -> list[type[Contribution]]:
    return [import_string(path) for path in paths]


def contributions() -> list[Contribution]:
    """A fresh instance of every listed contribution, in the listed order."""
    paths = tuple(getattr(settings, "THREE_NOTEBOOKS_READER_CONTRIBUTIONS", ()))
    return [cls() for cls in _contribution_classes(paths)]


def part_page_slots(page: PartPage) -> PartSlots:
    page.contributions = contributions()
    for contribution in page.contributions:
        contribution.prepare_part(page)
    return PartSlots.combine([c.render_part(page) for c in page.contributions])


def contents_slots(page: ContentsPage) -> ContentsSlots:
    page.contributions = contributions()
    return ContentsSlots.combine([c.render_contents(page) for c in page.contributions])
