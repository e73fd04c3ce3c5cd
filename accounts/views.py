"""Sign-up and reading preferences; log in and out are Django's own views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import PreferencesForm, SignUpForm
from .preferences import Preferences, as_dict, preferences_for, remember_in_cookie
from .services import reading_preferences_save


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("reader:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
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
