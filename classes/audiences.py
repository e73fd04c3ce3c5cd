"""The reader's questions about classes (reader/audiences.py), answered here:
an edition opened to chosen classes is read by their teachers and students."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from reader.models import Edition

from .models import Course


class CourseAudience:
    def editions_read_as_member(self, user: object) -> QuerySet:
        # Joins rather than Course.objects.member()'s nested subqueries: the
        # same classes (taught or attended), and half the Python to build on
        # every page that asks who may read an edition.
        return Edition.objects.filter(
            Q(reading_classes__teachers=user)
            | Q(reading_classes__enrollments__student=user)
        ).values("pk")

    def classes(self) -> QuerySet:
        return Course.objects.select_related("edition").order_by("name", "pk")

    def opened_to(self, edition: Edition) -> QuerySet:
        return edition.reading_classes.all()

    def reading(self, edition: Edition) -> QuerySet:
        return self.classes().filter(edition=edition)

    def open_to(self, edition: Edition, classes: Iterable[Course]) -> None:
        edition.reading_classes.set(classes)
