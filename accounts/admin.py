from __future__ import annotations

from django.contrib import admin

from .models import ReadingPreferences


@admin.register(ReadingPreferences)
class ReadingPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "theme", "font_size", "line_width")
    search_fields = ("user__username",)
    list_select_related = ("user",)
