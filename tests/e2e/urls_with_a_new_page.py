"""The site's URLconf with one page more, which nobody listed."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as site

urlpatterns = [
    path(
        "brand-new/",
        include(
            (
                [path("", lambda request: HttpResponse("new"), name="brand_new_page")],
                "reader",
            )
        ),
    ),
    *site,
]
