"""One interface to full-text search, two engines chosen by the database.

`engine()` answers for the default database: `SqliteEngine` (FTS5, bm25) or
`PostgresEngine` (tsvector, websearch_to_tsquery, ts_rank). Each narrows a
queryset of passages, motifs or annotations to those matching a
`ParsedQuery` (search/query.py): `matching` for counting, `ranked` (with
`search_score`, best first) for a page. Every other filter (who may read
what) is the caller's queryset: the engines know nothing of visibility.
Snippets mark hit words with `HIT_START`/`HIT_END`, turned into segments
by `snippet_segments`: the page escapes the text and marks the hits, and no
HTML is ever built here.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Protocol

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .models import (
    AnnotationFts,
    AnnotationText,
    AnnotationVector,
    MotifFts,
    PassageFts,
)
from .query import ParsedQuery, to_fts5, to_tsquery_prefix, to_websearch
from .schema import DEFAULT_LANGUAGE, LANGUAGES, Language

# Private-use characters: never in a text, so they can only be the engine's
# marks around a hit.
HIT_START = "\ue000"
HIT_END = "\ue001"
ELLIPSIS = "…"
SNIPPET_WORDS = 30


def search_language() -> str:
    language = getattr(settings, "THREE_NOTEBOOKS_SEARCH_LANGUAGE", DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Engine(Protocol):
    """Each method takes a kind ("passages", "motifs" or "annotations"), a
    queryset of that kind (already narrowed to what the reader may see) and
    a parsed query."""

    vendor: str

    def matching(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        """The rows that match, unordered: for counting."""
        ...

    def ranked(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        """The rows that match with `search_score` (higher is better), best
        first: for a page of results."""
        ...

    def found(
        self, query: ParsedQuery, audience: list[str], notes: QuerySet, limit: int
    ) -> list[tuple[object, float]] | None:
        """The notes of `notes` (the reader's, under the rule) whose words
        match, as (id, `search_score`) best first, in one query led by the
        index: it hands back only notes whose audience (search/schema.py
        `audience_sql`) has any of the reader's `audience` words, and the
        rule is asked of each by its id. None when more than `limit` are
        found: the caller then lets the rule lead (`matching`, `ranked`)."""
        ...

    def snippets(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        """Add `search_snippet` (an excerpt with HIT_START/HIT_END around
        the words found) to a `ranked` queryset of passages (their text)."""
        ...


class SqliteEngine:
    """FTS5: `table MATCH 'expression'`, ranked by bm25 (lower is better:
    `search_score` is its negation, so higher is better on both engines)."""

    vendor = "sqlite"
    # kind: (the FTS table's model, the path to it from the kind's model)
    TABLES = {
        "passages": (PassageFts, "search_fts"),
        "motifs": (MotifFts, "search_fts"),
        "annotations": (AnnotationFts, "search_text__fts"),
    }

    # snippet() names the FTS table's hidden column (the join's own name) and
    # the column to cut from: the first, a passage's text. (A note's snippet
    # is cut in Python: search/snippets.py.)
    SNIPPETS = {"passages": "snippet(search_passage_fts, 0, %s, %s, %s, %s)"}

    def __init__(self, language: Language) -> None:
        self.language = language

    def matching(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        # A subquery SQLite runs once: joined instead, a selective filter
        # beside it (a class, an author) can lead the plan into one
        # full-text lookup per row it reads (half a second for a class's
        # notes in the bench's data).
        fts, _path = self.TABLES[kind]
        found = fts.objects.filter(match__fts=to_fts5(query)).values("pk")
        if kind == "annotations":
            # From the words' integer keys to the notes' own (a join here
            # would be read once per note, for every key found).
            found = AnnotationText.objects.filter(pk__in=found).values("annotation")
        return queryset.filter(pk__in=found)

    def ranked(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        # bm25 (the `rank` column) and snippet() need the MATCH on the
        # joined table itself.
        _fts, path = self.TABLES[kind]
        return (
            queryset.filter(**{f"{path}__match__fts": to_fts5(query)})
            .annotate(search_score=-F(f"{path}__rank"))
            .order_by(f"{path}__rank", "pk")
        )

    def found(
        self, query: ParsedQuery, audience: list[str], notes: QuerySet, limit: int
    ) -> list[tuple[object, float]] | None:
        # The words in the note's body and quote only, AND one of the
        # reader's audience words: FTS5 intersects the two in its index.
        # Audience words are letters and digits made here, never input. The
        # rule is a correlated EXISTS on the note's id, so SQLite reads the
        # index's candidates first and looks each up by its key (joined or
        # as an IN list, it leads with the rule's branches instead, reading
        # every note the reader may see).
        expression = (
            f"{{body quote}} : ({to_fts5(query)}) "
            f"AND audience : ({' OR '.join(audience)})"
        )
        found = list(
            AnnotationFts.objects.filter(match__fts=expression)
            .filter(Exists(notes.filter(pk=OuterRef("text__annotation_id"))))
            .order_by("rank", "text__annotation_id")
            .values_list("text__annotation_id", "rank")[: limit + 1]
        )
        if len(found) > limit:
            return None
        return [(pk, -rank) for pk, rank in found]

    def snippets(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        # One of the constants below, never input.
        return queryset.annotate(
            search_snippet=RawSQL(  # noqa: S611
                self.SNIPPETS[kind], [HIT_START, HIT_END, ELLIPSIS, SNIPPET_WORDS]
            )
        )


class PostgresEngine:
    """Stored tsvectors (GIN) matched by `websearch_to_tsquery` (prefixes,
    which websearch lacks, by `to_tsquery` of letters only), ranked by
    ts_rank normalised by length."""

    vendor = "postgresql"
    # ts_rank's normalisation 1: divide by 1 + the log of the length, so a
    # long passage that names a word once does not outrank a short one
    # about it.
    NORMALISATION = 1
    # The same path from every kind to its vector (search/models.py).
    VECTOR = "search_vector__vector"

    def __init__(self, language: Language) -> None:
        self.language = language

    def tsquery(self, query: ParsedQuery) -> SearchQuery:
        config = self.language.pg_config
        plain = tuple(t for t in query.terms if not t.prefix)
        parts = []
        if plain:
            parts.append(
                SearchQuery(to_websearch(plain), search_type="websearch", config=config)
            )
        parts += [
            SearchQuery(to_tsquery_prefix(t), search_type="raw", config=config)
            for t in query.terms
            if t.prefix
        ]
        return reduce(operator.and_, parts)

    def matching(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        return queryset.filter(**{self.VECTOR: self.tsquery(query)})

    def ranked(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        tsquery = self.tsquery(query)
        rank = SearchRank(
            F(self.VECTOR), tsquery, normalization=Value(self.NORMALISATION)
        )
        return (
            queryset.filter(**{self.VECTOR: tsquery})
            .annotate(search_score=Cast(rank, FloatField()))
            .order_by("-search_score", "pk")
        )

    def found(
        self, query: ParsedQuery, audience: list[str], notes: QuerySet, limit: int
    ) -> list[tuple[object, float]] | None:
        # The words' GIN index and the audience's, ANDed as bitmaps, best
        # first; then the rule, asked of those ids. (As one query, with the
        # rule in EXISTS, PostgreSQL turns it into a join that reads every
        # note the reader may see, and the whole table for their threads.)
        tsquery = self.tsquery(query)
        candidates = list(
            AnnotationVector.objects.filter(
                vector=tsquery,
                audience=SearchQuery(
                    " | ".join(audience), search_type="raw", config="simple"
                ),
            )
            .annotate(
                search_score=Cast(
                    SearchRank(
                        F("vector"), tsquery, normalization=Value(self.NORMALISATION)
                    ),
                    FloatField(),
                )
            )
            .order_by("-search_score", "annotation_id")
            .values_list("annotation_id", "search_score")[: limit + 1]
        )
        if len(candidates) > limit:
            return None
        if not candidates:
            return []
        kept = set(
            notes.filter(pk__in=[pk for pk, _score in candidates])
            .order_by()
            .values_list("pk", flat=True)
        )
        return [(pk, score) for pk, score in candidates if pk in kept]

    SNIPPET_COLUMNS = {"passages": "text"}

    def snippets(self, kind: str, queryset: QuerySet, query: ParsedQuery) -> QuerySet:
        return queryset.annotate(
            search_snippet=SearchHeadline(
                self.SNIPPET_COLUMNS[kind],
                self.tsquery(query),
                config=self.language.pg_config,
                start_sel=HIT_START,
                stop_sel=HIT_END,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                # Keep short words ("The") at the ends of the excerpt.
                short_word=0,
            )
        )


def engine(language: str | None = None) -> Engine:
    """The engine for the default database, in `language` (the site's
    search language unless said: the index is built in that one)."""
    chosen = LANGUAGES[language or search_language()]
    if connection.vendor == "postgresql":
        return PostgresEngine(chosen)
    if connection.vendor == "sqlite":
        return SqliteEngine(chosen)
    raise NotImplementedError(f"No search engine for {connection.vendor}.")


def snippet_segments(snippet: str) -> tuple[tuple[str, bool], ...]:
    """A snippet as (text, is a hit) pieces, for a template to escape and
    mark (`<mark>` around hits) without any HTML built in Python."""
    segments: list[tuple[str, bool]] = []
    hit = False
    text = ""
    for char in snippet:
        if char in (HIT_START, HIT_END):
            if text:
                segments.append((text, hit))
            text, hit = "", char == HIT_START
            continue
        text += char
    if text:
        segments.append((text, hit))
    return tuple(segments)
