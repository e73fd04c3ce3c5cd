from __future__ import annotations

from django.urls import path

from . import views

app_name = "themes"

urlpatterns = [
    path("motifs/colours.css", views.colours, name="colours"),
    path("motifs/", views.index, name="index"),
    path("motifs/matrix/", views.matrix, name="matrix"),
    path("motifs/propose/", views.propose, name="propose"),
    path("motifs/<slug:slug>/", views.motif_detail, name="motif"),
]
