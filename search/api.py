"""/api/search/?q=: the search page's read, as JSON.

Thin: the query string is checked here (a filter that cannot be read is a
400 naming it, never a 500 and never silently ignored), then
`search.selectors.search` does the work under the one visibility rule, and
the serializers below shape its results. The annotations found are shown as
/api/annotations/ shows them (`AnnotationSerializer`), with what it reads
for them added to the page's hits: a constant number of queries more.
"""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api import AnnotationSerializer
from annotations.models import Annotation, Viewer
from annotations.selectors import thread_prefetches
from reader.models import Passage

from .links import note_link, passage_link
from .query import MAX_QUERY_LENGTH, ParsedQuery
from .selectors import (
    ANNOTATION_KINDS,
    DEFAULT_PER_PAGE,
    KINDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    AuthorScope,
    KindResults,
    PassageHit,
    SearchResults,
    _paragraph_number,
    search,
)
from .snippets import Segments

# Database keys are 64-bit: a larger number is no class (and SQLite would
# refuse to compare it).
MAX_ID = 2**63 - 1


def _html(segments: Segments) -> str:
    """A snippet as HTML: every piece escaped, hits in <mark>."""
    return "".join(
        format_html("<mark>{}</mark>", text) if hit else str(escape(text))
        for text, hit in segments
    )


# --- What a client sends -----------------------------------------------------


class SearchParametersSerializer(serializers.Serializer):
    """The query string. Only these names are read; others are ignored."""

    q = serializers.CharField(
        help_text=(
            "What to look for: words (all must be there; case and accents do "
            'not count, English words are stemmed), "a phrase", mask* '
            "(a prefix), -word (leave out). A passage key (white-007) or a "
            'citation ("White Notebook ¶7") also names the passage to jump to. '
            f"Cut at {MAX_QUERY_LENGTH} characters (query.truncated says so)."
        )
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=KINDS),
        required=False,
        help_text=(
            "Which kinds to search (repeat the parameter, or separate by "
            "commas); all by default. A kind not asked for is null in the answer."
        ),
    )
    edition = serializers.SlugField(
        required=False, max_length=64, help_text="An edition's slug"
    )
    part = serializers.SlugField(
        required=False, max_length=64, help_text="A part's slug"
    )
    motif = serializers.SlugField(
        required=False,
        max_length=64,
        help_text=(
            "A motif's slug: the passages it occurs in, the notes on them, "
            "the motif itself"
        ),
    )
    tag = serializers.CharField(
        required=False, max_length=40, help_text="Notes with this tag"
    )
    whose = serializers.ChoiceField(
        choices=AuthorScope.ALL,
        default=AuthorScope.EVERYONE,
        help_text="Whose notes: me (yours), class (your classes'), everyone",
    )
    course = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Notes shared in this class (its id)",
    )
    kind = serializers.ChoiceField(
        choices=ANNOTATION_KINDS,
        required=False,
        help_text="Notes of this kind: a motivation, or editorial",
    )
    since = serializers.DateField(
        required=False, help_text="Notes written on or after this day"
    )
    until = serializers.DateField(
        required=False, help_text="Notes written on or before this day"
    )
    page = serializers.IntegerField(
        default=1, min_value=1, max_value=MAX_PAGE, help_text="Page of every kind"
    )
    per_page = serializers.IntegerField(
        default=DEFAULT_PER_PAGE,
        min_value=1,
        max_value=MAX_PER_PAGE,
        help_text="Results per kind and page",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise serializers.ValidationError(
                {"until": [_("The first date is after the last.")]}
            )
        return data

    @staticmethod
    def data_from(params: QueryDict) -> dict[str, Any]:
        """The query string as the serializer reads it: one value per name
        (the last, as Django's QueryDict gives), `kinds` as a list. An empty
        value is no value, as a form's empty field means."""
        data: dict[str, Any] = {
            name: params[name]
            for name in SearchParametersSerializer._declared_fields
            if name != "kinds" and params.get(name, "") != ""
        }
        kinds = [
            kind.strip()
            for value in params.getlist("kinds")
            for kind in value.split(",")
            if kind.strip()
        ]
        if kinds:
            data["kinds"] = kinds
        return data


# --- What it answers ---------------------------------------------------------


class SegmentSerializer(serializers.Serializer):
    text = serializers.CharField()
    hit = serializers.BooleanField(help_text="Is this a word looked for?")


def _segments(segments: Segments) -> list[dict[str, Any]]:
    return [{"text": text, "hit": hit} for text, hit in segments]


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class QueryInfoSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True, help_text="What was searched, after cutting"
    )
    truncated = serializers.BooleanField(
        help_text=f"Was the input cut (at max_length characters, {MAX_QUERY_LENGTH})?"
    )
    max_length = serializers.IntegerField(help_text="The longest query read")
    words = serializers.ListField(
        child=serializers.CharField(), help_text="The words looked for"
    )
    error = serializers.CharField(
        allow_blank=True,
        help_text="Why there is nothing to search for, in words ('' if there is)",
    )


class PassageFields(serializers.Serializer):
    """A passage as a result or a jump names it (on a PassageHit-like
    object: `passage`, `number`, `citation`)."""

    key = serializers.CharField(source="passage.key")
    edition = serializers.CharField(source="passage.edition.slug")
    part = serializers.CharField(source="passage.part.slug")
    part_title = serializers.CharField(source="passage.part.title")
    number = serializers.IntegerField(
        help_text="¶n: its place in its part, as the reader numbers it"
    )
    citation = serializers.CharField(help_text='"White Notebook, ¶7"')
    url = serializers.SerializerMethodField(help_text="The passage in the reader")
    marks_words = True

    def get_url(self, obj: Any) -> str:
        # Passage.get_absolute_url, from the edition read with the passage
        # (its part's own would be a query per result).
        passage = obj.passage
        part = reverse(
            "reader:part",
            kwargs={"edition": passage.edition.slug, "part": passage.part.slug},
        )
        words = self.context.get("words", ()) if self.marks_words else ()
        return _absolute(
            self.context.get("request"), passage_link(part, passage.key, words)
        )


class PassageHitSerializer(PassageFields):
    """A passage found, with its snippet."""

    snippet = serializers.SerializerMethodField()
    snippet_html = serializers.SerializerMethodField(
        help_text="The snippet as HTML: the text escaped, hit words in <mark>"
    )

    @extend_schema_field(SegmentSerializer(many=True))
    def get_snippet(self, hit: PassageHit) -> list[dict[str, Any]]:
        return _segments(hit.snippet)

    def get_snippet_html(self, hit: PassageHit) -> str:
        return _html(hit.snippet)


class JumpSerializer(PassageFields):
    """The passage a key or citation names."""

    # A key or citation names the passage; it has no words to mark.
    marks_words = False


class MotifHitSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    summary = serializers.CharField()
    aliases = serializers.ListField(
        source="terms", child=serializers.CharField(), help_text="Its other names"
    )
    url = serializers.SerializerMethodField(help_text="The motif's page")

    def get_url(self, motif: Any) -> str:
        return _absolute(self.context.get("request"), motif.get_absolute_url())


class AnnotationHitSerializer(AnnotationSerializer):
    """A note as /api/annotations/ shows it, with where the words were
    found (`snippet` and `snippet_source`, set by `search()`)."""

    snippet = serializers.SerializerMethodField()
    snippet_html = serializers.SerializerMethodField(
        help_text="The snippet as HTML: the text escaped, hit words in <mark>"
    )
    snippet_source = serializers.ChoiceField(
        choices=["body", "quote"],
        help_text="Whether the snippet is of the note's words or its quote",
    )
    url = serializers.SerializerMethodField(
        help_text="The note in the reader, its card open"
    )

    class Meta(AnnotationSerializer.Meta):
        fields = [
            *AnnotationSerializer.Meta.fields,
            "snippet",
            "snippet_html",
            "snippet_source",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(SegmentSerializer(many=True))
    def get_snippet(self, obj: Annotation) -> list[dict[str, Any]]:
        return _segments(obj.snippet)

    def get_snippet_html(self, obj: Annotation) -> str:
        return _html(obj.snippet)

    def get_url(self, obj: Annotation) -> str:
        # Annotation.get_absolute_url, from the note's own edition (its
        # passage's part's would be a query per result).
        passage = obj.start_passage if obj.reply_to_id is None else None
        if passage is None and obj.reply_to is not None:
            passage = obj.reply_to.start_passage
        if passage is None:
            return _absolute(self.context.get("request"), "/")
        part = reverse(
            "reader:part",
            kwargs={"edition": obj.edition.slug, "part": passage.part.slug},
        )
        return _absolute(
            self.context.get("request"), note_link(part, obj.pk, passage.key)
        )


class KindPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many match, on every page")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(
        allow_null=True,
        help_text=f"This kind's next page (at most page {MAX_PAGE}), or null",
    )
    previous = serializers.URLField(allow_null=True)


class PassagePageSerializer(KindPageSerializer):
    results = PassageHitSerializer(many=True, help_text="Best first")


class MotifPageSerializer(KindPageSerializer):
    results = MotifHitSerializer(many=True, help_text="Best first")


class AnnotationPageSerializer(KindPageSerializer):
    results = AnnotationHitSerializer(many=True, help_text="Best first")


class SearchAnswerSerializer(serializers.Serializer):
    query = QueryInfoSerializer()
    jump = JumpSerializer(
        allow_null=True,
        help_text="The passage a key or citation in q names, if you may read it",
    )
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="Filters refused, in words"
    )
    passages = PassagePageSerializer(
        allow_null=True, help_text="Passages, best first (null if not asked for)"
    )
    motifs = MotifPageSerializer(
        allow_null=True, help_text="Motifs, best first (null if not asked for)"
    )
    annotations = AnnotationPageSerializer(
        allow_null=True,
        help_text=(
            "Notes you may see, best first (null if not asked for): your own, "
            "your classes' and the public and editors' notes"
        ),
    )


# --- The view ----------------------------------------------------------------


def _notes_as_the_api_shows_them(
    hits: tuple[Annotation, ...], user: object, query: ParsedQuery
) -> list[Annotation]:
    """The page's notes with what /api/annotations/ shows of each, read as
    `with_thread` reads them (the edition, the end passage, tags by name,
    the replies the reader may see under the rule): four queries, however
    many notes. Added to the notes the search read, not read again: the
    second read cost a reader 10 ms of Django compiling its joins."""
    notes = list(hits)
    if notes:  # building the rule for the replies costs even with none
        prefetch_related_objects(
            notes, "edition", "end_passage", *thread_prefetches(user)
        )
    return notes


def _jump(results: SearchResults) -> PassageHit | None:
    """The jump target with its ¶ number (one query, only when there is
    one)."""
    passage = results.jump
    if passage is None:
        return None
    number = (
        Passage.objects.filter(pk=passage.pk)
        .annotate(search_number=_paragraph_number())
        .values_list("search_number", flat=True)
        .first()
    ) or 1
    return PassageHit(passage, (), 0.0, number)


def _link(request: Request, kind: str, page: int) -> str:
    """This search again, for one kind's `page`."""
    params = request.query_params.copy()
    params.setlist("kinds", [kind])
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _kind_page(
    request: Request, kind: str, found: KindResults, results: list
) -> dict[str, Any]:
    last = min(found.pages, MAX_PAGE)
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "next": _link(request, kind, found.page + 1) if found.page < last else None,
        "previous": (
            _link(request, kind, min(found.page - 1, last)) if found.page > 1 else None
        ),
        "results": results,
    }


class SearchView(APIView):
    """Search the book, the motifs and every note you may see.

    Each kind (passages, motifs, annotations) is counted and paged on its
    own, best first; `next`/`previous` ask for one kind's other pages. Notes
    come under the one visibility rule, as everywhere: your own, your
    classes' (as they were shared), the public and editors' notes.
    Anonymous, token and session requests are answered alike, throttled as
    the rest of the API.
    """

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="search",
        parameters=[SearchParametersSerializer],
        responses={200: SearchAnswerSerializer},
    )
    def get(self, request: Request) -> Response:
        params = SearchParametersSerializer(
            data=SearchParametersSerializer.data_from(request.query_params)
        )
        params.is_valid(raise_exception=True)
        given = params.validated_data
        kinds = given.get("kinds") or list(KINDS)
        # The reader's classes and editions, read once for the search and
        # for the replies shown (the rule with lists, not subqueries: on
        # PostgreSQL the replies' read took 50 ms with subqueries, 15 without).
        viewer = Viewer.of(request.user)
        results = search(
            viewer,
            given["q"],
            kinds=kinds,
            edition=given.get("edition", ""),
            part=given.get("part", ""),
            motif=given.get("motif", ""),
            tag=given.get("tag", ""),
            author_scope=given["whose"],
            course=given.get("course"),
            annotation_kind=given.get("kind", ""),
            since=given.get("since"),
            until=given.get("until"),
            page=given["page"],
            per_page=given["per_page"],
        )
        query = results.query
        shown = {
            "passages": list(results.passages.hits),
            "motifs": list(results.motifs.hits),
            "annotations": _notes_as_the_api_shows_them(
                results.annotations.hits, viewer, query
            ),
        }
        answer = {
            "query": {
                "text": query.text,
                "truncated": query.truncated,
                "max_length": MAX_QUERY_LENGTH,
                "words": list(query.words),
                "error": query.error,
            },
            "jump": _jump(results),
            "errors": list(results.errors),
            **{
                kind: (
                    _kind_page(request, kind, getattr(results, kind), shown[kind])
                    if kind in kinds
                    else None
                )
                for kind in KINDS
            },
        }
        return Response(
            SearchAnswerSerializer(
                answer, context={"request": request, "words": query.words}
            ).data
        )
