"""Everything an account holds, as one JSON file: offered before deleting it.

The notes and replies are the notebook's own W3C export
(annotations.exports.NotebookExport), streamed inside the file as its
"notebook", so a notebook of any size is never held in memory; the rest
(the account, its settings, classes, completed assignments, tags and
whatever THREE_NOTEBOOKS_ACCOUNT_EXPORT_SECTIONS adds, such as feedback) is
small and read first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from annotations.exports import NotebookExport
from annotations.models import Tag
from classes.models import Course
from teaching.models import Completion

from .models import ReadingPreferences
from .selectors import email_verified

FORMAT = "three-notebooks-account/1"


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def account_sections(user: Any) -> dict[str, Any]:
    """The account's data besides its notebook, in plain JSON values."""
    prefs = ReadingPreferences.objects.filter(user=user).first()
    sections: dict[str, Any] = {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "email_verified": email_verified(user),
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "reading_preferences": (
            {
                "theme": prefs.theme,
                "font_size": prefs.font_size,
                "line_width": prefs.line_width,
            }
            if prefs
            else None
        ),
        "classes_attended": [
            {"name": e.course.name, "joined": _when(e.joined)}
            for e in user.enrollments.select_related("course").order_by("joined")
        ],
        "classes_taught": list(
            Course.objects.taught_by(user)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        "assignments_completed": [
            {
                "assignment": c.assignment.title,
                "class": c.assignment.course.name,
                "done": _when(c.done),
            }
            for c in Completion.objects.filter(student=user)
            .select_related("assignment__course")
            .order_by("done")
        ],
        "tags": list(
            Tag.objects.filter(owner=user)
            .order_by("name")
            .values_list("name", flat=True)
        ),
    }
    for path in settings.THREE_NOTEBOOKS_ACCOUNT_EXPORT_SECTIONS:
        name, data = import_string(path)(user)
        sections[name] = data
    return sections


def account_export(request: HttpRequest) -> Iterator[bytes]:
    """The whole file. Everything that can fail is read before the first
    byte (the sections, the notebook's total); then it only streams."""
    notebook = NotebookExport(request)
    head = {
        "format": FORMAT,
        "exported": timezone.now().isoformat(),
        **account_sections(request.user),
    }
    notebook_stream = notebook.jsonld(notebook.jsonld_total())
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return _stream(opening, notebook_stream)


def _stream(opening: str, notebook: Iterator[bytes]) -> Iterator[bytes]:
    yield (opening + ',\n "notebook": ').encode()
    yield from notebook
    yield b"\n}\n"
