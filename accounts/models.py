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
