from __future__ import annotations

from django.contrib import admin

from .models import Profile, ReadingPreferences


@admin.register(ReadingPreferences)
class ReadingPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "theme", "font_size", "line_width")
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Whether an address is verified is the reader's link's to say: shown,
    never set here (a changed address is unverified until its link)."""

    list_display = (
        "user",
        "verified_email",
        "email_verified_at",
        "awaiting_verification",
    )
    search_fields = ("user__username", "verified_email")
    list_select_related = ("user",)
    readonly_fields = ("user", "verified_email", "email_verified_at")
