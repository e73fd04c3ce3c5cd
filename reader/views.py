"""Reading pages: the table of contents, part pages, permalinks and progress."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from rest_framework import serializers

from config.json_input import (
    NON_FIELD_ERRORS,
    JsonInputError,
    in_one_line,
    json_body,
    json_endpoint,
)

from . import anchoring
from .access import (
    readable_edition_or_404,
    readable_part_or_404,
    readable_passage_or_404,
)
from .contributions import (
    ContentsPage,
    ContentsPartSlots,
    PartPage,
    contents_slots,
    part_page_slots,
)
from .edition_files import edition_folder_slug
from .markdown import MAX_MARKDOWN_LENGTH, format_escaped, render_markdown
from .models import Edition, Part, Passage, PassageRead
from .page_cache import anonymous_page_cache
from .rendering import passage_rows
from .services import passage_reads_record

# A browser sends what scrolled past in the last few seconds; a batch larger
# than a long part is not a reader's.
MAX_PROGRESS_BATCH = 500
# Rows a page's script asks for after one save: a note's passages (a longer
# range is asked for in several requests).
MAX_FRAGMENT_PASSAGES = 20
NO_PART_SLOTS = ContentsPartSlots()
PLAIN_TEXT = "text/plain; charset=utf-8"


@require_GET
@anonymous_page_cache
def home(request: HttpRequest) -> HttpResponse:
    editions = list(Edition.objects.readable_by(request.user))
    edition = next(
        (e for e in editions if e.slug == settings.THREE_NOTEBOOKS_DEFAULT_EDITION),
        editions[0] if editions else None,
    )
    if edition is None:
        return render(request, "reader/no_edition.html", status=200)
    return _render_contents(request, edition, other_editions=editions)


@require_GET
@anonymous_page_cache
def edition_detail(request: HttpRequest, edition: str) -> HttpResponse:
    edition_obj = readable_edition_or_404(request.user, edition)
    return _render_contents(
        request,
        edition_obj,
        other_editions=list(Edition.objects.readable_by(request.user)),
    )


@require_GET
@anonymous_page_cache
def edition_about(request: HttpRequest, edition: str) -> HttpResponse:
    """What this edition is, on what terms it is shown, and how a school
    reads its own licensed text instead."""
    edition_obj = readable_edition_or_404(request.user, edition)
    bundled = edition_folder_slug(Path(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    return render(
        request,
        "reader/edition_about.html",
        {
            "edition": edition_obj,
            "parts": list(edition_obj.parts.order_by("order")),
            "is_bundled_retelling": edition_obj.slug == bundled,
        },
    )


def _render_contents(
    request: HttpRequest, edition: Edition, *, other_editions: list[Edition]
) -> HttpResponse:
    parts = list(edition.parts.with_reading_stats(request.user))
    # Other apps add their share (an assignment's parts marked).
    contents = ContentsPage(request=request, edition=edition, parts=parts)
    slots = contents_slots(contents)
    last_read = (
        PassageRead.objects.last_for(request.user, edition)
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "reader/contents.html",
        {
            "edition": edition,
            "parts": parts,
            "passage_total": sum(p.passage_count for p in parts),
            "minutes_total": sum(p.reading_minutes for p in parts),
            "continue_passage": last_read.passage if last_read else None,
            "other_editions": [e for e in other_editions if e.pk != edition.pk],
            "contents_page": contents,
            "contents_slots": slots,
            "part_rows": [(p, slots.parts.get(p.slug, NO_PART_SLOTS)) for p in parts],
        },
    )


@require_GET
@anonymous_page_cache
def part_detail(request: HttpRequest, edition: str, part: str) -> HttpResponse:
    part_obj = readable_part_or_404(request.user, edition, part)
    passages = list(part_obj.passages.all())
    context = _part_context(request, part_obj, passages)
    return render(request, "reader/part_detail.html", context)


@require_GET
@never_cache
def part_passages(request: HttpRequest, edition: str, part: str) -> JsonResponse:
    """Some rows of a part page, as the page would render them now, for its
    script to put in place after a save instead of loading the whole page.

    GET ?keys=black-003,black-004 (at most MAX_FRAGMENT_PASSAGES) with the
    page's own query (?show=, ?tag=, ?assignment= ...). Answers JSON:
    {"passages": {key: the passage's .passage-row}, "fragments": {"header":
    ..., "before_passages": ...}}, the fragments being what the page's
    `[data-part-fragment]` elements hold (counts, the tag filter, an
    assignment's prompts). Built by the page's own code (`_part_context`), so
    a row here is the row in the page. Never stored: it holds private notes.
    """
    part_obj = readable_part_or_404(request.user, edition, part)
    keys = list(
        dict.fromkeys(k.strip() for k in request.GET.get("keys", "").split(","))
    )
    keys = [k for k in keys if k]
    if not keys:
        return _fragment_error(_("Name the passages: ?keys=black-001,black-002."))
    if len(keys) > MAX_FRAGMENT_PASSAGES:
        return _fragment_error(
            _("At most %d passages at a time.") % MAX_FRAGMENT_PASSAGES
        )
    passages = list(part_obj.passages.all())
    unknown = sorted(set(keys) - {p.key for p in passages})
    if unknown:
        return _fragment_error(
            _("Unknown passage keys in this part: %s") % ", ".join(unknown)
        )
    page_request = _as_part_page_request(request, part_obj)
    context = _part_context(page_request, part_obj, passages, only=frozenset(keys))
    rows = {key: str(row) for key, row in context["rendered_rows"].items()}
    # A CSRF token made for the copy (a first visit) must reach the cookie.
    if page_request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        request.META["CSRF_COOKIE"] = page_request.META["CSRF_COOKIE"]
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    slots = context["part_slots"]
    return JsonResponse(
        {
            "passages": rows,
            "fragments": {
                "header": str(slots.header),
                "before_passages": str(slots.before_passages),
            },
        }
    )


def _fragment_error(message: str) -> JsonResponse:
    return JsonResponse({"keys": [message]}, status=400)


def _as_part_page_request(request: HttpRequest, part: Part) -> HttpRequest:
    """The request as the part page itself receives it: the page's path and
    its query without `keys`, so whatever is built from the request (a "more
    annotations" link keeping the filters, a log-in link's ?next=) comes out
    as it does on the page."""
    query = request.GET.copy()
    query.pop("keys", None)
    page_request = copy.copy(request)
    page_request.GET = query
    page_request.path = part.get_absolute_url()
    page_request.META = {**request.META, "QUERY_STRING": query.urlencode()}
    return page_request


def _part_context(
    request: HttpRequest,
    part_obj: Part,
    passages: list[Passage],
    *,
    only: frozenset[str] | None = None,
) -> dict[str, Any]:
    """What the part page shows, for all its passages or (`only`) some rows:
    the page and its fragments both come from here, so they cannot differ."""
    parts = list(part_obj.edition.parts.all())
    index = next(i for i, p in enumerate(parts) if p.pk == part_obj.pk)
    read_keys: set[str] = set()
    if request.user.is_authenticated:
        read_keys = set(
            PassageRead.objects.filter(
                user=request.user, passage__part=part_obj
            ).values_list("passage__key", flat=True)
        )
    context: dict[str, Any] = {
        "edition": part_obj.edition,
        "part": part_obj,
        "parts": parts,
        "passages": passages,
        "previous_part": parts[index - 1] if index > 0 else None,
        "next_part": parts[index + 1] if index + 1 < len(parts) else None,
        "read_keys": read_keys,
        "read_percent": (
            round(100 * len(read_keys) / len(passages)) if passages else 0
        ),
    }
    # Other apps add their share of the page (reader.contributions).
    page = PartPage(request=request, part=part_obj, passages=passages, only=only)
    slots = part_page_slots(page)
    context["part_page"] = page
    context["part_slots"] = slots
    # The passages' cached markup with this reader's layer on top: all of
    # them for the page, or the rows asked for.
    rendered = [p for _number, p in page.rendered]
    rows = passage_rows(
        part_obj,
        rendered,
        numbers={p.pk: number for number, p in enumerate(passages, start=1)},
        slots=slots.passages,
        read_keys=read_keys,
    )
    context["passage_rows"] = format_escaped("{}" * len(rows), *rows)
    context["rendered_rows"] = dict(zip((p.key for p in rendered), rows, strict=True))
    # Parameters other apps read (an assignment, a traced motif, a range
    # being picked) follow the reader from part to part.
    carried = [name for c in page.contributions for name in c.carried_parameters]
    context["carried_query"] = urlencode(
        {k: request.GET[k] for k in carried if k in request.GET}
    )
    return context


@require_GET
def passage_permalink(request: HttpRequest, edition: str, key: str) -> HttpResponse:
    passage = readable_passage_or_404(request.user, edition, key)
    return HttpResponseRedirect(passage.get_absolute_url())


@require_safe
def passage_text(request: HttpRequest, edition: str, key: str) -> HttpResponse:
    """A passage as plain text: exactly `Passage.text`, the text whose code
    points annotations' offsets count, so a W3C selector can name it."""
    passage = readable_passage_or_404(request.user, edition, key)
    return _plain_text(passage.text)


@require_safe
def part_text(request: HttpRequest, edition: str, part: str) -> HttpResponse:
    """A part as plain text: its passages in order, one per line, the text a
    range across passages is counted in."""
    part_obj = readable_part_or_404(request.user, edition, part)
    texts = part_obj.passages.order_by("order").values_list("text", flat=True)
    return _plain_text(anchoring.SEPARATOR.join(texts))


def _plain_text(text: str) -> HttpResponse:
    return HttpResponse(text.encode("utf-8"), content_type=PLAIN_TEXT)


class ProgressInputSerializer(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.CharField(max_length=64, trim_whitespace=False),
        max_length=MAX_PROGRESS_BATCH,
        error_messages={"max_length": gettext_lazy("Too many passages in one batch.")},
    )


@require_POST
@json_endpoint(errors=in_one_line)
def progress_record(request: HttpRequest, edition: str) -> JsonResponse:
    """Record a batch of passages a signed-in reader has had on screen.

    The browser posts {"keys": ["black-001", ...]} as the reader scrolls.
    A batch with any unknown key is refused whole, with the keys named.
    """
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": _("Sign in to keep your reading progress.")}, status=403
        )
    edition_obj = readable_edition_or_404(request.user, edition)
    keys = json_body(request, ProgressInputSerializer)["keys"]
    passages = list(edition_obj.passages.filter(key__in=set(keys)))
    unknown = sorted(set(keys) - {p.key for p in passages})
    if unknown:
        named = ", ".join(unknown[:10])
        raise JsonInputError(
            {NON_FIELD_ERRORS: [_("Unknown passage keys: %s") % named]}
        )
    recorded = passage_reads_record(user=request.user, passages=passages)
    return JsonResponse({"recorded": recorded})


@login_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The editors' live preview (django-markdownx posts `content` here as
    the reader types): the one renderer, on at most as much as a note holds.
    Longer text is refused (413) with the limit in words rather than
    rendered: nothing that long could be saved."""
    content = request.POST.get("content", "")
    if len(content) > MAX_MARKDOWN_LENGTH:
        return HttpResponse(
            _("Too long to preview: a note holds at most %s characters.")
            % number_format(MAX_MARKDOWN_LENGTH, force_grouping=True),
            status=413,
            content_type=PLAIN_TEXT,
        )
    return HttpResponse(render_markdown(content))
