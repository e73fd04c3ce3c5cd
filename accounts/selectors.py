"""Reads about accounts that other apps ask for (notifications: may we mail?)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet
from django.db.models.functions import Lower

from .models import FORMER_READER_USERNAME, Profile


def email_verified(user: object) -> bool:
    """May the site mail this reader? Only when a link sent to their current
    address was followed (a changed address is unverified until its own
    link is). Anonymous visitors and the former-reader account: never."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    email = (user.email or "").strip()
    if not email:
        return False
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        return False
    return (
        profile.email_verified_at is not None
        and profile.verified_email.lower() == email.lower()
    )


def users_with_verified_email(users: QuerySet | None = None) -> QuerySet:
    """`email_verified` as a filter, for mailing many readers in one query."""
    if users is None:
        users = get_user_model().objects.all()
    # Lower() on both sides, not `iexact`: SQLite's iexact is a LIKE, where
    # an address's "_" would match any character.
    return (
        users.filter(is_active=True, profile__email_verified_at__isnull=False)
        .exclude(email="")
        .alias(
            email_lower=Lower("email"), verified_lower=Lower("profile__verified_email")
        )
        .filter(email_lower=F("verified_lower"))
    )


def is_former_reader(user: object) -> bool:
    """The account that keeps deleted readers' shared notes."""
    return getattr(user, "username", None) == FORMER_READER_USERNAME
