"""The search page: one box for the book, the motifs and every note the
reader may see (search/selectors.py does the reading)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import SearchForm
from .links import note_link, passage_link
from .query import MAX_QUERY_LENGTH
from .selectors import KINDS, search

# Results of each kind on the page that shows every kind; one kind alone is
# paged by this many.
PREVIEW = 5
PER_PAGE = 20


def _url(request: HttpRequest, **changes: object) -> str:
    """This page's address with some parameters changed (None drops one)."""
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = value
    return f"{request.path}?{params.urlencode()}"


def _item(kind: str, hit: object, words: tuple[str, ...]) -> dict[str, object]:
    """A result, with where it opens (search/links.py: the API's rule too)."""
    if kind == "passages":
        part_url = hit.passage.part.get_absolute_url()
        return {"hit": hit, "url": passage_link(part_url, hit.passage.key, words)}
    if kind == "motifs":
        return {"hit": hit, "url": hit.get_absolute_url()}
    # A reply is found on its thread's passage; a note whose words are gone
    # has none to open.
    passage = hit.start_passage or (
        hit.reply_to.start_passage if hit.reply_to else None
    )
    url = (
        note_link(passage.part.get_absolute_url(), hit.pk, passage.key)
        if passage is not None
        else None
    )
    return {"hit": hit, "url": url, "passage": passage}


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    context: dict[str, object] = {"form": form, "max_length": MAX_QUERY_LENGTH}
    if not request.GET:
        return render(request, "search/search.html", context)
    if not form.is_valid():
        return render(request, "search/search.html", context, status=400)
    data = form.cleaned_data
    kinds = form.kinds
    one_kind = len(kinds) == 1
    results = search(
        request.user,
        data["q"],
        kinds=kinds,
        part=data.get("part") or "",
        motif=data.get("motif") or "",
        tag=data.get("tag") or "",
        author_scope=data.get("whose") or "everyone",
        course=data.get("course"),
        annotation_kind=data.get("kind") or "",
        since=data.get("since"),
        until=data.get("until"),
        page=(data.get("page") or 1) if one_kind else 1,
        per_page=PER_PAGE if one_kind else PREVIEW,
    )
    # A passage's key or citation ("white-007", "White Notebook ¶7") opens
    # the passage, unless the reader asked for more than that.
    if results.jump is not None and not form.filtered and not one_kind:
        passage = results.jump
        return HttpResponseRedirect(f"{passage.part.get_absolute_url()}#{passage.key}")
    groups = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        found = getattr(results, kind)
        group = {
            "kind": kind,
            "results": found,
            "items": [_item(kind, hit, results.query.words) for hit in found.hits],
            "start": (found.page - 1) * found.per_page + 1,
        }
        if one_kind:
            if found.page > 1:
                group["previous"] = _url(request, page=found.page - 1)
            if found.has_next:
                group["next"] = _url(request, page=found.page + 1)
        elif found.count > len(found.hits):
            group["all"] = _url(request, show=kind, page=None)
        groups.append(group)
    context.update(
        results=results,
        groups=groups,
        one_kind=one_kind,
        everything=_url(request, show=None, page=None),
    )
    return render(request, "search/search.html", context)
