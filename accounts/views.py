"""Sign-up, reading preferences, and Django's own log-in and password reset
behind our throttles (config/throttling.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.throttling import normalized_post_field, throttle

from .forms import PreferencesForm, SignUpForm
from .preferences import Preferences, as_dict, preferences_for, remember_in_cookie
from .services import reading_preferences_save

# Wrong passwords per account and address: django-axes (settings). This is
# the address's whole share of log-in attempts, whichever accounts they name.
login = throttle("login_address", key="ip")(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)

# Per address, and per e-mail address (however many addresses ask for it):
# each request may send a mail. The page after is the same whether or not
# an account has the address (Django's PasswordResetView), and so is the
# throttle's: it counts what was asked, not what exists.
password_reset = throttle("password_reset_address", key="ip")(
    throttle("password_reset_email", key=normalized_post_field("email"))(
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
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
        user = form.save()
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
