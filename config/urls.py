"""The site's URL map: one include per app."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from markdownx.views import MarkdownifyView

from config import health

# markdownx's preview renders what users type; we mount it ourselves, behind
# login, instead of including markdownx.urls, which are open to all and also
# accept image uploads (not offered: readers write text).
markdownx_urls = [
    path(
        "markdownify/",
        login_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
]

urlpatterns = [
    # Health checks first: nothing an app adds may shadow them.
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("markdownx/", include(markdownx_urls)),
    path("api/", include("config.api_urls")),
    path("", include("annotations.urls")),
    path("", include("themes.urls")),
    path("", include("teaching.urls")),
    path("", include("reader.urls")),
]

handler404 = "config.errors.page_not_found"
