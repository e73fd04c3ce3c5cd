from __future__ import annotations

from django.urls import path

from . import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("read/<slug:edition>/", views.edition_detail, name="edition"),
    path("read/<slug:edition>/p/<slug:key>/", views.passage_permalink, name="passage"),
    # Plain-text representations W3C selectors can count in (no trailing
    # slash: a file-like resource beside the page).
    path(
        "read/<slug:edition>/p/<slug:key>/text",
        views.passage_text,
        name="passage_text",
    ),
    path("read/<slug:edition>/<slug:part>/text", views.part_text, name="part_text"),
    path("read/<slug:edition>/progress/", views.progress_record, name="progress"),
    # Before the part pattern, like "progress": no part may be called "about".
    path("read/<slug:edition>/about/", views.edition_about, name="edition_about"),
    path(
        "read/<slug:edition>/<slug:part>/passages/",
        views.part_passages,
        name="part_passages",
    ),
    path("read/<slug:edition>/<slug:part>/", views.part_detail, name="part"),
]
