"""The API under /api/: a router per app, the OpenAPI schema and its docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from annotations.api import AnnotationViewSet
from themes.api import MotifViewSet

app_name = "api"

router = DefaultRouter()
router.register("annotations", AnnotationViewSet, basename="annotation")
router.register("motifs", MotifViewSet, basename="motif")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
