"""Sign-up, reading preferences, the account page (e-mail verification,
changing the e-mail address and password, deleting the account), and
Django's own log-in and password views behind our throttles
(config/throttling.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.throttling import normalized_post_field, throttle

from .exports import account_export
from .forms import (
    AccountDeleteForm,
    EmailChangeForm,
    EmailForm,
    PasswordResetRequestForm,
    PreferencesForm,
    SignUpForm,
)
from .preferences import Preferences, as_dict, preferences_for, remember_in_cookie
from .selectors import email_verified
from .services import (
    account_create,
    account_delete,
    email_change_request,
    email_link_confirm,
    email_link_read,
    email_verification_send,
    reading_preferences_save,
    verification_required,
)

# A signed link's token is a few hundred characters; anything much longer is
# not one of ours, and is refused before it is read.
MAX_TOKEN_LENGTH = 1000


class _LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A new account waiting for its link cannot log in yet: say where
        # to get the link again.
        return {
            **super().get_context_data(**kwargs),
            "verification_required": verification_required(),
        }


# Wrong passwords per account and address: django-axes (settings). This is
# the address's whole share of log-in attempts, whichever accounts they name.
login = throttle("login_address", key="ip")(_LoginView.as_view())

# Per address, and per e-mail address (however many addresses ask for it):
# each request may send a mail. The page after is the same whether or not
# an account has the address (Django's PasswordResetView), and so is the
# throttle's: it counts what was asked, not what exists.
password_reset = throttle("password_reset_address", key="ip")(
    throttle("password_reset_email", key=normalized_post_field("email"))(
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            # Its mail is made and sent by a task (accounts/mail.py).
            form_class=PasswordResetRequestForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
        )
    )
)


@throttle("signup_address", key="ip")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("reader:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = account_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.cleaned_data["email"],
        )
        email_verification_send(user=user, request=request)
        if not user.is_active:
            return render(
                request,
                "accounts/email_verification_sent.html",
                {"email": user.email, "signing_up": True},
            )
        # Named: axes' backend, first in the list, only watches log-ins.
        auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        messages.success(
            request, _("Welcome, %(name)s. Happy reading.") % {"name": user.username}
        )
        return redirect("reader:home")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Theme, font size and line width; works with or without JavaScript."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = PreferencesForm(
        request.POST or None, initial=as_dict(preferences_for(request))
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "accounts/preferences.html",
                {"form": form, "next": next_url},
                status=400,
            )
        prefs = Preferences(**form.cleaned_data)
        if request.user.is_authenticated:
            reading_preferences_save(user=request.user, prefs=prefs)
        if request.headers.get("Accept") == "application/json":
            response: HttpResponse = JsonResponse(as_dict(prefs))
        else:
            messages.success(request, _("Your reading preferences are saved."))
            response = redirect(next_url or "accounts:preferences")
        remember_in_cookie(response, prefs)
        return response
    return render(
        request, "accounts/preferences.html", {"form": form, "next": next_url}
    )


# --- The account page (#16) ---------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The reader's account: address and whether it is verified, and the
    ways to change it, the password, or to leave."""
    return render(
        request,
        "accounts/account.html",
        {"email_verified": email_verified(request.user)},
    )


def _verification_key(_group: str, request: HttpRequest) -> str:
    """The address a verification mail goes to: the one posted (signed out)
    or the account's own (signed in), trimmed and lower-cased."""
    posted = request.POST.get("email", "")
    if not posted and request.user.is_authenticated:
        posted = request.user.email or ""
    return posted.strip().lower()


@throttle("email_verification_address", key="ip")
@throttle("email_verification_email", key=_verification_key)
@require_http_methods(["GET", "POST"])
def email_resend(request: HttpRequest) -> HttpResponse:
    """Send the verification link again. Signed in: to the account's
    address. Signed out (an account waiting to open): to the address given,
    with the same answer whether or not an account waits for it."""
    if request.user.is_authenticated:
        if request.method != "POST":
            return redirect("accounts:account")
        if not request.user.email:
            return render(
                request,
                "accounts/account.html",
                {
                    "email_verified": False,
                    "error": _("Your account has no e-mail address to verify."),
                },
                status=400,
            )
        if email_verified(request.user):
            messages.info(request, _("Your e-mail address is already verified."))
            return redirect("accounts:account")
        email_verification_send(user=request.user, request=request)
        return render(
            request,
            "accounts/email_verification_sent.html",
            {"email": request.user.email},
        )
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "accounts/email_resend.html", {"form": form}, status=400
            )
        email = form.cleaned_data["email"]
        waiting = get_user_model().objects.filter(
            email__iexact=email,
            is_active=False,
            profile__awaiting_verification=True,
        )
        for user in waiting[:5]:
            email_verification_send(user=user, request=request)
        return render(
            request, "accounts/email_verification_sent.html", {"email": email}
        )
    return render(request, "accounts/email_resend.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A verification link. Opening it (a mail scanner may) changes
    nothing; the page's button, a POST, confirms."""
    data = email_link_read(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if data is None:
        return render(
            request,
            "accounts/email_confirm.html",
            {"invalid": True},
            status=400,
        )
    if request.method == "POST":
        try:
            user = email_link_confirm(token=token)
        except ValidationError as error:
            return render(
                request,
                "accounts/email_confirm.html",
                {"invalid": True, "error": error.messages[0]},
                status=400,
            )
        messages.success(
            request,
            _("Your e-mail address %(email)s is verified.") % {"email": user.email},
        )
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("accounts:account")
        return redirect("accounts:login")
    return render(request, "accounts/email_confirm.html", {"email": data["e"]})


@login_required
@throttle("email_change_user", key="user")
# Each change mails a link to the new address: the same share per address
# as the other verification mails.
@throttle("email_verification_email", key=normalized_post_field("email"))
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "accounts/email_change.html", {"form": form}, status=400
            )
        email_change_request(
            user=request.user, new_email=form.cleaned_data["email"], request=request
        )
        return render(
            request,
            "accounts/email_verification_sent.html",
            {"email": form.cleaned_data["email"], "changing": True},
        )
    return render(request, "accounts/email_change.html", {"form": form})


class _PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your new password is saved."))
        return super().form_valid(form)

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# Django's view (it keeps this session signed in, others out), per account:
# each try checks the old password.
password_change = login_required(
    throttle("password_change_user", key="user")(_PasswordChangeView.as_view())
)


@login_required
@throttle("account_delete_user", key="user")
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """Delete my account, after the password and a choice for shared notes;
    the page offers the export of everything first."""
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "accounts/account_delete.html", {"form": form}, status=400
            )
        account_delete(
            user=request.user,
            keep_shared=form.cleaned_data["shared_notes"] == AccountDeleteForm.KEEP,
        )
        auth_logout(request)
        messages.success(request, _("Your account is deleted. Goodbye."))
        return redirect("reader:home")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
@require_GET
def account_data_export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything of mine as one JSON file (accounts/exports.py)."""
    response = StreamingHttpResponse(
        account_export(request), content_type="application/json"
    )
    response["Content-Disposition"] = (
        'attachment; filename="three-notebooks-account.json"'
    )
    return response
