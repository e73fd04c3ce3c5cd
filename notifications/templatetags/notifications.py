from __future__ import annotations

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from ..forms import EmailPreferencesForm
from ..services import delivery_choices

register = template.Library()


@register.inclusion_tag("notifications/_email_preferences.html", takes_context=True)
def email_preferences(context: template.Context) -> dict[str, object]:
    """The e-mail choices, on the reading-settings page (accounts names no
    other app; its template brings this in)."""
    user: AbstractBaseUser = context["user"]
    if not user.is_authenticated:
        return {"form": None}
    return {
        "form": EmailPreferencesForm(initial=delivery_choices(user)),
        "csrf_token": context.get("csrf_token"),
        # Saved, the reader comes back to this page.
        "next": reverse("accounts:preferences"),
    }
