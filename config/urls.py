"""The site's URL map: one include per app."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config import health
from reader.views import markdown_preview

# markdownx's preview renders what users type; we mount our own view at its
# address, behind login and within the note's length, instead of including
# markdownx.urls, which are open to all, render any length and also accept
# image uploads (not offered: readers write text).
markdownx_urls = [
    path("markdownify/", markdown_preview, name="markdownx_markdownify"),
]

# Django's own limits on what it reads (body size, number of fields),
# answered in words: see config/limits.py.
handler400 = "config.limits.bad_request"

urlpatterns = [
    # Health checks first: nothing an app adds may shadow them.
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("markdownx/", include(markdownx_urls)),
    path("api/", include("config.api_urls")),
    path("", include("notifications.urls")),
    path("", include("annotations.urls")),
    path("", include("themes.urls")),
    path("", include("teaching.urls")),
    path("", include("search.urls")),
    path("", include("reader.urls")),
]

handler404 = "config.errors.page_not_found"
