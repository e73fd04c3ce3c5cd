"""Accounts: what the site remembers about a reader beyond django.contrib.auth."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Role groups, granted by a curator in admin (created by a data migration).
TEACHERS_GROUP = "Teachers"
CURATORS_GROUP = "Curators"


class ReadingPreferences(models.Model):
    """How a reader likes the page set: remembered across devices."""

    class Theme(models.TextChoices):
        # Until a reader chooses, the device's light or dark setting decides
        # (in the stylesheet, so one cached page serves both).
        SYSTEM = "system", _("Match my device")
        LIGHT = "light", _("Light")
        SEPIA = "sepia", _("Sepia")
        DARK = "dark", _("Dark")

    class FontSize(models.TextChoices):
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")
        LARGEST = "largest", _("Largest")

    class LineWidth(models.TextChoices):
        NARROW = "narrow", _("Narrow")
        MEDIUM = "medium", _("Medium")
        WIDE = "wide", _("Wide")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reading_preferences",
        verbose_name=_("reader"),
    )
    theme = models.CharField(
        _("theme"), max_length=8, choices=Theme.choices, default=Theme.SYSTEM
    )
    font_size = models.CharField(
        _("font size"), max_length=8, choices=FontSize.choices, default=FontSize.MEDIUM
    )
    line_width = models.CharField(
        _("line width"),
        max_length=8,
        choices=LineWidth.choices,
        default=LineWidth.MEDIUM,
    )

    class Meta:
        verbose_name = _("reading preferences")
        verbose_name_plural = _("reading preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.theme}, {self.font_size}, {self.line_width}"


# The one account that keeps the shared notes of readers who deleted theirs
# and chose to leave them for their classmates. The space makes it a name no
# one can sign up with (Django's username validator allows none), and it is
# what every page shows as the author (they all show `get_username()`).
FORMER_READER_USERNAME = "a former reader"


class Profile(models.Model):
    """What an account is beyond its log-in: whether its e-mail is verified.

    Verified means: a link mailed to `verified_email` was followed, and that
    is still the account's address. Changing the address (in admin too)
    therefore un-verifies it without anyone having to remember to.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("account"),
    )
    verified_email = models.EmailField(_("verified e-mail address"), blank=True)
    email_verified_at = models.DateTimeField(
        _("e-mail verified at"), null=True, blank=True
    )
    # Signed up while verification was required: the account opens (becomes
    # active) when its link is followed. An account an administrator closed
    # is inactive without this, and a link never reopens it.
    awaiting_verification = models.BooleanField(
        _("waiting for its e-mail to be verified"), default=False
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user}: {self.verified_email or '-'}"
