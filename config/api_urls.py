"""The API under /api/: a router per app, the OpenAPI schema and its docs."""

from __future__ import annotations

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from annotations.api import AnnotationViewSet
from search.api import SearchView
from themes.api import MotifViewSet

app_name = "api"

router = DefaultRouter()
router.register("annotations", AnnotationViewSet, basename="annotation")
router.register("motifs", MotifViewSet, basename="motif")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's start-up script as a file of its own
    # (?script), which the Content-Security-Policy allows, instead of inline;
    # unlike SpectacularSwaggerView it also keeps the site's
    # Cross-Origin-Opener-Policy (that one sends unsafe-none, for OAuth2
    # pop-ups, which this API does not use).
    # Its icons are data: images, allowed on this page only.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path("search/", SearchView.as_view(), name="search"),
    *router.urls,
]
