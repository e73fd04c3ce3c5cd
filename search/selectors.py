"""Searching the book, the motifs and every note a reader may see.

`search()` is the one read: the search page, the API and My notebook call it.
Passages come only from editions the reader may read
(`Edition.objects.readable_by`), annotations only through the one visibility
rule (`Annotation.objects.visible_to`), never re-implemented here. Its cost
does not grow with the data: a constant number of queries (a count and a
page per kind, the reader's classes and editions read once, a citation's
passage), each led by the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import unescape as html_unescape

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import strip_tags as html_strip_tags
from django.utils.translation import gettext_lazy as _

from annotations.models import Annotation, Motivation, Viewer
from reader.anchoring import AnchorState
from reader.models import Edition, Passage
from themes.models import Motif, MotifOccurrence

from .engines import engine, snippet_segments
from .query import ParsedQuery, parse_query
from .snippets import Segments, text_snippet

KINDS = ("passages", "motifs", "annotations")
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 20
# The furthest page read: deeper paging is a hostile client, not a reader.
MAX_PAGE = 200


class AuthorScope:
    """Whose notes: the reader's own, their classes', or all they may see."""

    ME = "me"
    CLASS = "class"
    EVERYONE = "everyone"
    ALL = (ME, CLASS, EVERYONE)


# The kinds of annotation a reader can filter by: a motivation, or an
# editor's note.
ANNOTATION_KINDS = (*Motivation.values, "editorial")


@dataclass(frozen=True)
class PassageHit:
    passage: Passage  # with part and edition
    snippet: tuple[tuple[str, bool], ...]  # (text, is a hit word)
    score: float
    number: int  # ¶n: its place in its part, as the reader numbers it

    @property
    def citation(self) -> str:
        """“White Notebook, ¶7”, as the reader cites a passage."""
        return f"{self.passage.part.short_title}, ¶{self.number}"


@dataclass(frozen=True)
class KindResults:
    """One kind's page of hits, best first, and how many there are in all.

    Passages: `PassageHit`s. Motifs: Motif rows with `search_score`.
    Annotations: Annotation rows (author, passage and part read with them)
    with `search_score` and `snippet`, their note as (text, is a hit) pieces
    (a highlight's is empty: it was found by the words it quotes)."""

    count: int = 0
    hits: tuple = ()
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    passages: KindResults = field(default_factory=KindResults)
    motifs: KindResults = field(default_factory=KindResults)
    annotations: KindResults = field(default_factory=KindResults)
    # A passage key or citation ("white-007", "White Notebook ¶7"): the
    # passage to open, when the reader may read it.
    jump: Passage | None = None
    # Why a filter was ignored or refused, in words (for the page).
    errors: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.passages.count + self.motifs.count + self.annotations.count


# --- Passage keys and citations ------------------------------------------------

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-\d+$")
# "¶7", "White Notebook ¶7", "White Notebook, ¶ 7", "White Notebook para 7".
_CITATION = re.compile(
    r"^(?P<part>.*?)[\s,]*(?:¶|§|\bpara\.?|\bp\.)\s*(?P<number>\d{1,5})$",
    re.IGNORECASE,
)


def jump_target(
    user: object, text: str, *, part: str = "", editions: QuerySet | None = None
) -> Passage | None:
    """The passage a key or a citation names, if the reader may read it.

    One query: a key (`white-007`) in any edition the reader may read; a
    citation by the part's short title or title (`White Notebook ¶7`), or
    `¶7` in the part the search is filtered to, ¶n being the n-th passage of
    the part in reading order, as the reader numbers them."""
    text = " ".join(text.split())
    if not text or len(text) > 120:
        return None
    readable = editions if editions is not None else Edition.objects.readable_by(user)
    passages = Passage.objects.filter(edition__in=readable).select_related(
        "part", "edition"
    )
    if _KEY.match(text.casefold()):
        return passages.filter(key=text.casefold()).order_by("edition__title").first()
    cited = _CITATION.match(text)
    if cited is None:
        return None
    number = int(cited.group("number"))
    title = cited.group("part").strip(" ,")
    if number < 1:
        return None
    if title:
        in_part = Q(part__short_title__iexact=title) | Q(part__title__iexact=title)
    elif part:
        in_part = Q(part__slug=part)
    else:
        return None
    return (
        passages.filter(in_part)
        .order_by("edition__title", "part__order", "order", "pk")[number - 1 : number]
        .first()
    )


# --- The search ------------------------------------------------------------


def _day_start(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _day_end(value: date | datetime | None) -> datetime | None:
    """The moment after `until`: a date includes its whole day."""
    if value is None or isinstance(value, datetime):
        return value
    return _day_start(value + timedelta(days=1))


def _paragraph_number() -> Coalesce:
    """¶n of a passage: 1 + the passages before it in its part (the reader
    numbers a part's passages in reading order), read with the page."""
    before = (
        Passage.objects.filter(part=OuterRef("part"))
        .filter(
            Q(order__lt=OuterRef("order"))
            | Q(order=OuterRef("order"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("part")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(before), 0) + 1


def _whole(value: object, default: int) -> int:
    """A page number as a client sent it: anything but a number is `default`."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _page(
    matching: QuerySet, ranked: QuerySet, page: int, per_page: int
) -> tuple[int, list]:
    """How many match, and the page's rows best first (no second query
    when there is nothing to show)."""
    count = matching.count()
    start = (page - 1) * per_page
    if start >= count:
        return count, []
    return count, list(ranked[start : start + per_page])


def search(
    user: object,
    q: object,
    *,
    kinds: Iterable[str] = KINDS,
    edition: str = "",
    part: str = "",
    motif: str = "",
    tag: str = "",
    author_scope: str = AuthorScope.EVERYONE,
    course: object = None,
    annotation_kind: str = "",
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    page: object = 1,
    per_page: object = DEFAULT_PER_PAGE,
) -> SearchResults:
    """Search what `user` may read and see, grouped by kind, best first.

    `q` is whatever the reader typed (see search/query.py; never raises).
    Filters: `edition` (an edition's slug), `part` (a part's slug), `motif`
    (a motif's slug: passages it occurs in, notes on them, the motif
    itself), and for annotations
    `tag` (a tag's name), `author_scope` (me / class / everyone), `course`
    (a class's id), `annotation_kind` (a motivation or "editorial"),
    `since`/`until` (dates written, inclusive). Passages and motifs are
    narrowed by `part` and `motif` only. An unknown filter value is refused
    in `errors` and searches nothing of the kinds it narrows.
    """
    query = parse_query(q)
    errors: list[str] = []
    per_page = min(max(_whole(per_page, DEFAULT_PER_PAGE), 1), MAX_PER_PAGE)
    page = min(max(_whole(page, 1), 1), MAX_PAGE)
    wanted = [k for k in KINDS if k in set(kinds)]
    if author_scope not in AuthorScope.ALL:
        errors.append(str(_("Choose whose notes: me, my class or everyone.")))
        wanted = [k for k in wanted if k != "annotations"]
    if annotation_kind and annotation_kind not in ANNOTATION_KINDS:
        errors.append(str(_("There is no such kind of note.")))
        wanted = [k for k in wanted if k != "annotations"]
    if course is not None:
        course = _whole(course, 0)
    if since and until and _day_start(since) > _day_start(until):
        errors.append(str(_("The first date is after the last.")))
        wanted = [k for k in wanted if k != "annotations"]
    if user is None:
        user = AnonymousUser()
    viewer = Viewer.of(user)
    readable = (
        Edition.objects.filter(pk__in=viewer.readable_editions)
        if isinstance(viewer, Viewer)
        else Edition.objects.readable_by(user)
    )
    if edition:
        readable = readable.filter(slug=edition)
    jump = jump_target(user, query.text, part=part, editions=readable)
    if not query:
        return SearchResults(query=query, jump=jump, errors=tuple(errors))
    search_engine = engine()
    results: dict[str, KindResults] = {}

    if "passages" in wanted:
        passages = Passage.objects.filter(edition__in=readable)
        if part:
            passages = passages.filter(part__slug=part)
        if motif:
            passages = passages.filter(
                pk__in=MotifOccurrence.objects.filter(motif__slug=motif).values(
                    "passage"
                )
            )
        ranked = search_engine.ranked("passages", passages, query)
        count, rows = _page(
            search_engine.matching("passages", passages, query),
            search_engine.snippets(
                "passages",
                ranked.select_related("part", "edition").annotate(
                    search_number=_paragraph_number()
                ),
                query,
            ),
            page,
            per_page,
        )
        results["passages"] = KindResults(
            count=count,
            hits=tuple(
                PassageHit(
                    p,
                    snippet_segments(p.search_snippet),
                    p.search_score,
                    p.search_number,
                )
                for p in rows
            ),
            page=page,
            per_page=per_page,
        )

    if "motifs" in wanted:
        motifs = Motif.objects.all()
        if motif:
            motifs = motifs.filter(slug=motif)
        if part:
            motifs = motifs.filter(
                pk__in=MotifOccurrence.objects.filter(
                    passage__part__slug=part, passage__edition__in=readable
                ).values("motif")
            )
        count, rows = _page(
            search_engine.matching("motifs", motifs, query),
            search_engine.ranked("motifs", motifs, query),
            page,
            per_page,
        )
        results["motifs"] = KindResults(
            count=count, hits=tuple(rows), page=page, per_page=per_page
        )

    if "annotations" in wanted:
        notes = _annotations(
            viewer,
            edition=edition,
            part=part,
            motif=motif,
            tag=tag,
            author_scope=author_scope,
            course=course,
            annotation_kind=annotation_kind,
            since=_day_start(since),
            until=_day_end(until),
        )
        count, rows = _annotation_page(
            search_engine, notes, query, viewer, author_scope, page, per_page
        )
        results["annotations"] = KindResults(
            count=count, hits=tuple(rows), page=page, per_page=per_page
        )

    return SearchResults(query=query, jump=jump, errors=tuple(errors), **results)


# The most candidates the index may hand back for the rule to check by id;
# beyond, the rule leads and the index is asked per note it keeps.
CANDIDATE_LIMIT = 5000


def _audience_words(viewer: object, author_scope: str) -> list[str]:
    """The reader's words in the index's audience column (search/schema.py
    `audience_sql`): themselves, every reader, their classes, the classes
    they teach. A note none of them names is one the rule would refuse."""
    if not getattr(viewer, "is_authenticated", False):
        public = getattr(settings, "THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC", False)
        return ["pub"] if public else []
    me = f"u{int(viewer.user.pk)}"
    if author_scope == AuthorScope.ME:
        return [me]
    return [
        me,
        "pub",
        *(f"c{int(pk)}" for pk in viewer.member_courses),
        *(f"t{int(pk)}" for pk in viewer.taught_courses),
    ]


def _annotation_page(
    search_engine: object,
    notes: QuerySet[Annotation],
    query: ParsedQuery,
    viewer: object,
    author_scope: str,
    page: int,
    per_page: int,
) -> tuple[int, list[Annotation]]:
    """How many notes match and the page's, best first.

    The index hands back the notes whose words match among those the
    reader might see (its audience words), best first; the one rule
    (`notes`, built on `visible_to`) keeps those the reader may see, read
    by their ids. So the work follows what the reader may find, not every
    note they may see, nor every note that says the word. Too many
    candidates (a teacher searching "the"), and the rule leads instead."""
    audience = _audience_words(viewer, author_scope)
    # No audience words: the reader may see nobody's notes (an anonymous
    # visitor where public notes are for signed-in readers only).
    found = (
        search_engine.found(query, audience, notes, CANDIDATE_LIMIT) if audience else []
    )
    with_rows = Annotation.objects.select_related(
        "author", "start_passage__part", "reply_to__start_passage__part"
    )
    if found is None:
        count, rows = _page(
            search_engine.matching("annotations", notes, query),
            search_engine.ranked(
                "annotations",
                notes.select_related(*with_rows.query.select_related),
                query,
            ),
            page,
            per_page,
        )
    else:
        count = len(found)
        start = (page - 1) * per_page
        shown = dict(found[start : start + per_page])
        # Read by id: the rule has just kept every one of them.
        by_id = with_rows.in_bulk(list(shown)) if shown else {}
        rows = [by_id[pk] for pk in shown if pk in by_id]
        for note in rows:
            note.search_score = shown[note.pk]
    for note in rows:
        note.snippet, note.snippet_source = note_snippet(note, query)
    return count, rows


def note_snippet(note: Annotation, query: ParsedQuery) -> tuple[Segments, str]:
    """Where a note's words were found, as segments, and in what: its body
    (as rendered, tags taken off), else the words it quotes."""
    body = html_unescape(html_strip_tags(note.body_html))
    segments, found = text_snippet(body, query)
    if not found and note.exact:
        quoted, found_in_quote = text_snippet(note.exact, query)
        if found_in_quote or not body.strip():
            return quoted, "quote"
    return segments, "body"


def _annotations(
    viewer: object,
    *,
    edition: str,
    part: str,
    motif: str,
    tag: str,
    author_scope: str,
    course: int | None,
    annotation_kind: str,
    since: datetime | None,
    until: datetime | None,
) -> QuerySet[Annotation]:
    """The notes the reader may see under the one rule, narrowed."""
    signed_in = getattr(viewer, "is_authenticated", False)
    author = viewer.user if isinstance(viewer, Viewer) else viewer
    notes = Annotation.objects.visible_to(viewer).filter(deleted__isnull=True)
    # A note whose words a revision removed is its author's to find (My
    # notebook lists it), nobody else's: it no longer shows in the text.
    orphaned = Q(anchor_state=AnchorState.ORPHANED) | Q(
        reply_to__anchor_state=AnchorState.ORPHANED
    )
    notes = notes.filter(~orphaned | Q(author=author) if signed_in else ~orphaned)
    if author_scope == AuthorScope.ME:
        notes = notes.filter(author=author) if signed_in else notes.none()
    elif author_scope == AuthorScope.CLASS:
        if not isinstance(viewer, Viewer):
            notes = notes.none()
        else:
            notes = notes.filter(course__in=viewer.member_courses)
    if course is not None:
        notes = notes.filter(course_id=course)
    if edition:
        notes = notes.filter(edition__slug=edition)
    if part:
        notes = notes.filter(
            Q(start_passage__part__slug=part)
            | Q(reply_to__start_passage__part__slug=part)
        )
    if motif:
        on_motif = Passage.objects.filter(motif_occurrences__motif__slug=motif)
        notes = notes.on_passages(on_motif)
    if tag:
        notes = notes.filter(tags__name__iexact=" ".join(tag.split()).lstrip("#"))
    if annotation_kind == "editorial":
        notes = notes.filter(editorial=True)
    elif annotation_kind:
        notes = notes.filter(motivation=annotation_kind)
    if since is not None:
        notes = notes.filter(created__gte=since)
    if until is not None:
        notes = notes.filter(created__lt=until)
    return notes
