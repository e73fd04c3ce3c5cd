"""Editions opened to chosen classes: what the reader asks of classes.

An edition's audience may be "members of chosen classes" (a school's licensed
text). Classes live in an app above the reader (a class reads an edition), so
the reader may not import it, nor reach its tables by reflection. Instead it
declares here the few questions it needs answered, and the app that knows
classes registers the answers in its AppConfig.ready(), the way Wagtail apps
register hooks (classes/audiences.py).

With nothing registered (a site without classes) no class can be chosen, and
an edition opened to classes is read by curators only: never by more people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from .models import Edition


class ClassAudience(Protocol):
    """What the reader needs to know and do about classes."""

    def editions_read_as_member(self, user: object) -> QuerySet:
        """Ids (`values("pk")`) of the editions opened to a class the
        signed-in `user` teaches or attends: a subquery, so who may read an
        edition stays one query."""
        ...

    def classes(self) -> QuerySet:
        """Every class an edition can be opened to (the publish form's
        choices)."""
        ...

    def opened_to(self, edition: Edition) -> QuerySet:
        """The classes the edition is opened to."""
        ...

    def reading(self, edition: Edition) -> QuerySet:
        """The classes that read this edition in class, chosen or not."""
        ...

    def open_to(self, edition: Edition, classes: Iterable[Model]) -> None:
        """Open the edition to exactly these classes (none: to no class)."""
        ...


class NoClasses:
    """The answers on a site without classes."""

    def editions_read_as_member(self, user: object) -> QuerySet:
        from .models import Edition

        return Edition.objects.none().values("pk")

    def classes(self) -> QuerySet:
        from .models import Edition

        return Edition.objects.none()

    def opened_to(self, edition: Edition) -> QuerySet:
        return self.classes()

    def reading(self, edition: Edition) -> QuerySet:
        return self.classes()

    def open_to(self, edition: Edition, classes: Iterable[Model]) -> None:
        if list(classes):
            raise ValueError("no app that knows classes is installed")


_audience: ClassAudience = NoClasses()


def register_class_audience(audience: ClassAudience) -> None:
    """Called once, by the app that knows classes, in its ready()."""
    global _audience
    _audience = audience


def class_audience() -> ClassAudience:
    return _audience
