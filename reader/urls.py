from __future__ import annotations

from django.urls import path

from . import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("read/<slug:edition>/", views.edition_detail, name="edition"),
    path("read/<slug:edition>/p/<slug:key>/", views.passage_permalink, name="passage"),
    path("read/<slug:edition>/progress/", views.progress_record, name="progress"),
    path("read/<slug:edition>/<slug:part>/", views.part_detail, name="part"),
]
