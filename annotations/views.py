"""HTML views for annotations: a passage's notes, replies, edit, delete, and
"My notebook" with its exports and import (the part page's share is in
contributions)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from config.json_input import json_body, json_endpoint
from config.throttling import throttle
from reader.access import readable_passage_or_404

from . import exports
from .cards import CardRenderer, card_addenda
from .forms import AnnotationEditForm, ImportForm, ReplyForm
from .importing import import_annotations
from .inputs import ReattachInputSerializer, target_input
from .models import (
    Annotation,
    Motivation,
    PromotionRequest,
    Visibility,
)
from .selectors import (
    notebook_orphans,
    notebook_parts,
    notebook_roots,
    replies_to_others,
    with_thread,
)
from .services import (
    annotation_delete,
    annotation_flag,
    annotation_hide,
    annotation_reattach,
    annotation_restore,
    annotation_update,
    can_moderate,
    promotion_decide,
    promotion_request,
    reply_create,
    teaches_course_of,
)
from .w3c import PROFILE_MEDIA_TYPE

MAX_ANNOTATIONS_ON_PAGE = 500


@require_GET
def passage_annotations(request: HttpRequest, edition: str, key: str) -> HttpResponse:
    """Every annotation a reader may see on one passage (the part page shows
    the first few beside the text and links here for the rest)."""
    passage = readable_passage_or_404(request.user, edition, key)
    if not (
        request.user.is_authenticated or settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC
    ):
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    annotations = list(
        with_thread(
            Annotation.objects.visible_to(request.user)
            .roots()
            .filter(start_passage=passage),
            request.user,
        ).order_by("start_offset", "created")[:MAX_ANNOTATIONS_ON_PAGE]
    )
    return render(
        request,
        "annotations/passage_annotations.html",
        {
            "passage": passage,
            "part": passage.part,
            "edition": passage.part.edition,
            "cards": CardRenderer(
                request, addenda=card_addenda(request, passage)
            ).cards(annotations),
            "count": len(annotations),
            "limit": MAX_ANNOTATIONS_ON_PAGE,
        },
    )


def _visible_annotation(request: HttpRequest, pk: object) -> Annotation:
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related(
            "start_passage__part__edition", "reply_to__start_passage__part__edition"
        ),
        pk=pk,
    )


def _back_to(annotation: Annotation) -> str:
    root = annotation.reply_to or annotation
    if root.start_passage is None:
        return reverse("reader:home")
    return f"{root.start_passage.part.get_absolute_url()}#card-{root.pk}"


@login_required
@require_POST
def annotation_flag_view(request: HttpRequest, pk: object) -> HttpResponse:
    annotation = _visible_annotation(request, pk)
    try:
        annotation_flag(
            user=request.user,
            annotation=annotation,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect(_back_to(annotation))


@login_required
@require_POST
def annotation_moderate_view(request: HttpRequest, pk: object) -> HttpResponse:
    """Hide or restore: curators anywhere, teachers within their class."""
    annotation = get_object_or_404(
        Annotation.objects.select_related("course", "start_passage__part__edition"),
        pk=pk,
    )
    if not (can_moderate(request.user) or teaches_course_of(request.user, annotation)):
        raise PermissionDenied
    if request.POST.get("action") == "restore":
        annotation_restore(annotation=annotation, actor=request.user)
        messages.success(request, _("Restored."))
    else:
        annotation_hide(annotation=annotation, actor=request.user)
        messages.success(request, _("Hidden from everyone but its author."))
    return redirect(_back_to(annotation))


@login_required
@require_POST
def annotation_promote_view(request: HttpRequest, pk: object) -> HttpResponse:
    annotation = _visible_annotation(request, pk)
    try:
        promotion_request(annotation=annotation, requester=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Asked %s; it becomes an editor's note if they agree.")
            % annotation.author.get_username(),
        )
    return redirect(_back_to(annotation))


@login_required
@require_POST
def promotion_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_object_or_404(
        PromotionRequest.objects.select_related("annotation"),
        pk=pk,
        annotation__author=request.user,
    )
    try:
        promotion_decide(
            request=promotion,
            author=request.user,
            accept=request.POST.get("accept") == "yes",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("annotations:notebook")


@login_required
@require_POST
@json_endpoint
def annotation_reattach_view(request: HttpRequest, pk: object) -> JsonResponse:
    """Re-attach a note whose words a revision removed (JSON, from the reader)."""
    annotation = _visible_annotation(request, pk)
    target = json_body(request, ReattachInputSerializer)["target"]
    annotation_reattach(
        annotation=annotation,
        user=request.user,
        target=target_input(target),
        quote=target.get("quote"),
    )
    return JsonResponse({"id": str(annotation.pk), "state": annotation.anchor_state})


@login_required
@require_POST
def annotation_reply(request: HttpRequest, pk: object) -> HttpResponse:
    parent = _visible_annotation(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply_create(
                author=request.user, parent=parent, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your reply is posted."))
    else:
        messages.error(request, _("Write a reply first."))
    return redirect(_back_to(parent))


@login_required
@require_http_methods(["GET", "POST"])
def annotation_edit(request: HttpRequest, pk: object) -> HttpResponse:
    annotation = _visible_annotation(request, pk)
    if annotation.author_id != request.user.pk:
        raise PermissionDenied
    initial = {
        "body": annotation.body,
        "tags": ", ".join(t.name for t in annotation.tags_in_order()),
        "colour": annotation.colour,
        "visibility": annotation.visibility,
        "motivation": annotation.motivation,
    }
    form = AnnotationEditForm(
        request.POST or None,
        initial=initial,
        is_reply=annotation.is_reply,
        in_a_class=annotation.course_id is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            annotation_update(
                annotation=annotation,
                editor=request.user,
                body=data["body"],
                tags=None if annotation.is_reply else data["tags"],
                colour=data.get("colour") or None,
                visibility=data.get("visibility") or None,
                motivation=data.get("motivation") or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(_back_to(annotation))
    return render(
        request,
        "annotations/edit.html",
        {"annotation": annotation, "form": form, "back": _back_to(annotation)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def annotation_confirm_delete(request: HttpRequest, pk: object) -> HttpResponse:
    annotation = _visible_annotation(request, pk)
    if annotation.author_id != request.user.pk:
        raise PermissionDenied
    back = _back_to(annotation)
    if request.method == "POST":
        removed = annotation_delete(annotation=annotation, user=request.user)
        messages.success(
            request,
            _("Deleted.")
            if removed
            else _("Deleted. Other readers’ replies to it are kept."),
        )
        return redirect(back.split("#")[0])
    others = annotation.replies.exclude(author=request.user).count()
    return render(
        request,
        "annotations/confirm_delete.html",
        {"annotation": annotation, "back": back, "others_replies": others},
    )


# My notebook shows one part at a time (or the replies in others' threads),
# a page at a time: a notebook of thousands of notes costs what one page does.
NOTES_PER_PAGE = 50
ORPHANS_SHOWN = 100
REPLIES = "replies"


class _CountedPaginator(Paginator):
    """A paginator told its count (the parts' counts already hold it), so it
    sends no COUNT query of its own."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _notebook_url(request: HttpRequest, **changes: object) -> str:
    """This notebook view with some parameters changed, every other one
    (a filter, a search) kept as it is."""
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@login_required
@require_GET
def notebook(request: HttpRequest) -> HttpResponse:
    user = request.user
    parts = notebook_parts(user)
    replies = replies_to_others(user)
    reply_count = replies.count()
    wanted = request.GET.get("part", "")
    current = next((p for p in parts if str(p.pk) == wanted), None)
    showing_replies = reply_count > 0 and (
        wanted == REPLIES or (current is None and not parts)
    )
    if current is None and not showing_replies and parts:
        current = parts[0]  # the first part with notes
    if current is not None:
        items, count = (
            notebook_roots(user).filter(start_passage__part=current),
            current.notes,
        )
    elif showing_replies:
        items = replies.order_by("-created")
        count = reply_count
    else:
        items = Annotation.objects.none()
        count = 0
    page = _CountedPaginator(items, NOTES_PER_PAGE, count=count).get_page(
        request.GET.get("page")
    )
    annotations = list(page.object_list)
    # Labels once per request, not two get_FOO_display() calls per note.
    motivations = {value: str(label) for value, label in Motivation.choices}
    visibilities = {value: str(label) for value, label in Visibility.choices}
    for annotation in annotations:
        annotation.motivation_label = motivations[annotation.motivation]
        annotation.visibility_label = visibilities[annotation.visibility]
    if showing_replies:
        # A thread made private or hidden since shows only the reply.
        visible = set(
            Annotation.objects.visible_to(user)
            .filter(pk__in={r.reply_to_id for r in annotations})
            .values_list("pk", flat=True)
        )
        for reply in annotations:
            reply.thread_visible = reply.reply_to_id in visible
    orphans = list(notebook_orphans(user)[: ORPHANS_SHOWN + 1])
    requests = list(
        PromotionRequest.objects.filter(
            annotation__author=user, status=PromotionRequest.Status.PENDING
        ).select_related("annotation__start_passage", "requested_by")
    )
    sections = [
        {
            "part": part,
            "count": part.notes,
            "url": _notebook_url(request, part=part.pk, page=None),
            "current": part == current,
        }
        for part in parts
    ]
    pages = [
        {
            "number": number,
            "url": _notebook_url(request, page=number)
            if number != Paginator.ELLIPSIS
            else None,
            "current": number == page.number,
        }
        for number in page.paginator.get_elided_page_range(page.number)
    ]
    return render(
        request,
        "annotations/notebook.html",
        {
            "orphans": orphans[:ORPHANS_SHOWN],
            "more_orphans": len(orphans) > ORPHANS_SHOWN,
            "promotion_requests": requests,
            "sections": sections,
            "replies_section": {
                "count": reply_count,
                "url": _notebook_url(request, part=REPLIES, page=None),
                "current": showing_replies,
            },
            # The part shown, as one group of its notes on this page.
            "groups": [{"part": current, "annotations": annotations}]
            if current is not None
            else [],
            "part_url": current.get_absolute_url() if current is not None else "",
            "my_replies": annotations if showing_replies else [],
            "page": page,
            "pages": pages if page.paginator.num_pages > 1 else [],
            "previous_url": _notebook_url(request, page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next_url": _notebook_url(request, page=page.next_page_number())
            if page.has_next()
            else "",
            "count": sum(part.notes for part in parts),
            "import_form": ImportForm(),
            "visibility": Visibility,
        },
    )


@login_required
@require_GET
def notebook_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The whole notebook as a file, streamed in bounded memory. Everything
    that can fail is settled here, before the first byte is sent."""
    export = exports.NotebookExport(request)
    if fmt == "md":
        content = export.markdown()
        content_type = "text/markdown; charset=utf-8"
    elif fmt == "csv":
        content = export.csv()
        content_type = "text/csv; charset=utf-8"
    else:
        content = export.jsonld(export.jsonld_total())
        content_type = PROFILE_MEDIA_TYPE
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="three-notebooks.{fmt}"'
    return response


@login_required
@throttle("import_user", key="user")
@require_http_methods(["GET", "POST"])
def notebook_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_annotations(
            user=request.user, data=form.cleaned_data["data"], request=request
        )
        if report.imported:
            messages.success(
                request,
                _("Imported %(n)d annotations.") % {"n": len(report.imported)},
            )
    return render(
        request,
        "annotations/import.html",
        {"form": form, "report": report},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def api_token_renew(request: HttpRequest) -> HttpResponse:
    """A new API token for scripts; the old one stops working at once."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    return render(request, "annotations/token.html", {"token": token.key})
