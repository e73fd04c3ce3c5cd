"""The inbox, its marks, the e-mail settings and the unsubscribe link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .display import RELATED, summary, target_url
from .forms import EmailPreferencesForm
from .mail import DIGEST, read_unsubscribe_token
from .models import Kind, Notification
from .services import (
    delivery_choices,
    email_preferences_save,
    email_unsubscribe,
    notification_mark_read,
    notifications_mark_all_read,
)

PER_PAGE = 25


def _back(request: HttpRequest, fallback: str = "notifications:inbox") -> HttpResponse:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(fallback)


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    """The reader's notifications, newest first, a page at a time."""
    mine = Notification.objects.for_recipient(request.user)
    page = Paginator(mine.select_related(*RELATED), PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = [
        {"notification": n, "summary": summary(n), "url": target_url(n)}
        for n in page.object_list
    ]
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "items": items,
            "newest": items[0]["notification"].pk if items else None,
            "this_page": request.get_full_path(),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Another reader's notification does not exist for this one.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification, user=request.user)
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("up_to", "")
    up_to = None
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            return HttpResponse(
                _("“up_to” must be a notification number."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        up_to = int(raw)
    count = notifications_mark_all_read(user=request.user, up_to=up_to)
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return _back(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    """Which notifications come by e-mail: each, in a daily digest, or none.
    Also on the reading-settings page, whose form posts here."""
    form = EmailPreferencesForm(
        request.POST or None, initial=delivery_choices(request.user)
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "notifications/settings.html", {"form": form}, status=400
            )
        email_preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your e-mail settings are saved."))
        return _back(request, "notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# The link in every mail works without logging in: the signature is the
# proof. Mail programs' one-click unsubscribe (RFC 8058) POSTs to it with no
# CSRF token, and the signature makes one unnecessary: nobody can forge a
# link for another reader, and the worst a replayed one can do is what its
# owner asked.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = read_unsubscribe_token(token)
    except (signing.BadSignature, ValueError):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    label = _("your daily digest") if kind == DIGEST else Kind(kind).label.lower()
    if request.method == "POST":
        email_unsubscribe(user=user, kind=kind)
        return render(request, "notifications/unsubscribed.html", {"label": label})
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "token": token},
    )
