"""Every page a user reaches, generated from the URLconf.

The accessibility test visits the pages this module lists. The list is not
written by hand: every named URL pattern must either have an entry in
`PAGES` (how to fill its arguments from the test's world) or in `EXCLUDED`
(why it is not a page), and a test checks that, so a new page cannot escape
the accessibility check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def named_patterns(patterns: list | None = None, namespace: str = "") -> Iterator[str]:
    """Every named pattern's full name (`namespace:name`), walking includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


@dataclass
class World:
    """What the pages' arguments come from (made by the test)."""

    edition: Any
    parts: list
    passage: Any
    motif: Any
    course: Any
    assignment: Any
    student: Any
    annotations: dict  # role -> an annotation of the role's own, or None
    reset: dict  # role -> (uidb64, token) of a password reset link


# url name -> function(world, role) -> list of kwargs (one visit each).
Kwargs = Callable[[World, str], list[dict[str, Any]]]


def _none(world: World, role: str) -> list[dict[str, Any]]:
    return [{}]


def _edition(world: World, role: str) -> list[dict[str, Any]]:
    return [{"edition": world.edition.slug}]


def _parts(world: World, role: str) -> list[dict[str, Any]]:
    # Every part (each kind has its own band and colours) for the anonymous
    # visitor; the signed-in roles see the same pages with their tools and
    # their work on them: the parts their work is on (the reader's notes and
    # the assignment in the White Notebook, the curator's highlight in the
    # Black Notebook).
    parts = world.parts
    if role != "anonymous":
        parts = [p for p in parts if p.slug in ("black-notebook", "white-notebook")]
    return [{"edition": world.edition.slug, "part": part.slug} for part in parts]


def _passage(world: World, role: str) -> list[dict[str, Any]]:
    return [{"edition": world.edition.slug, "key": world.passage.key}]


def _own_annotation(world: World, role: str) -> list[dict[str, Any]]:
    annotation = world.annotations.get(role) or world.annotations["reader"]
    return [{"pk": annotation.pk}]


def _course(world: World, role: str) -> list[dict[str, Any]]:
    return [{"pk": world.course.pk}]


def _course_pk(world: World, role: str) -> list[dict[str, Any]]:
    return [{"course_pk": world.course.pk}]


def _assignment(world: World, role: str) -> list[dict[str, Any]]:
    return [{"pk": world.assignment.pk}]


def _student(world: World, role: str) -> list[dict[str, Any]]:
    return [{"pk": world.assignment.pk, "user_id": world.student.pk}]


def _motif(world: World, role: str) -> list[dict[str, Any]]:
    return [{"slug": world.motif.slug}]


def _reset_link(world: World, role: str) -> list[dict[str, Any]]:
    uidb64, token = world.reset.get(role) or world.reset["reader"]
    return [{"uidb64": uidb64, "token": token}]


def _email_link(world: World, role: str) -> list[dict[str, Any]]:
    # A verification link's page (its confirm button), made for the student.
    from accounts.services import email_link_make

    token = email_link_make(user=world.student, email="student@example.org")
    return [{"token": token}]


def _unsubscribe(world: World, role: str) -> list[dict[str, Any]]:
    # The link in a mail: the same page whoever opens it (no log-in).
    from notifications.mail import unsubscribe_token

    return [{"token": unsubscribe_token(world.student, "reply")}]


def _searches(world: World, role: str) -> list[dict[str, Any]]:
    # The empty page, every kind found at once, and one kind paged with
    # filters open (a "?query" is added to the path, not a URL argument).
    return [
        {},
        {QUERY: "q=mask"},
        {QUERY: f"q=the&show=annotations&part={world.parts[1].slug}"},
    ]


QUERY = "?"

PAGES: dict[str, Kwargs] = {
    "reader:home": _none,
    "reader:edition": _edition,
    "reader:edition_about": _edition,
    "reader:part": _parts,
    # Redirects to the passage on its part page: the redirect's target is
    # visited as it would be by a reader following a citation.
    "reader:passage": _passage,
    "annotations:passage": _passage,
    "annotations:notebook": _none,
    "annotations:import": _none,
    "annotations:edit": _own_annotation,
    "annotations:delete": _own_annotation,
    "themes:index": _none,
    "search:search": _searches,
    "themes:matrix": _none,
    "themes:propose": _none,
    "themes:motif": _motif,
    "teaching:home": _none,
    "teaching:course_new": _none,
    "teaching:join": _none,
    "teaching:course": _course,
    "teaching:assignment_new": _course_pk,
    "teaching:assignment": _assignment,
    "teaching:assignment_edit": _assignment,
    "teaching:handout": _assignment,
    "teaching:dashboard": _assignment,
    "teaching:student": _student,
    "teaching:grading": _assignment,
    "teaching:grades": _assignment,
    "accounts:signup": _none,
    "accounts:login": _none,
    "accounts:preferences": _none,
    "accounts:password_reset": _none,
    "accounts:password_reset_done": _none,
    "accounts:password_reset_confirm": _reset_link,
    "accounts:password_reset_complete": _none,
    "accounts:account": _none,
    "accounts:email_resend": _none,
    "accounts:email_confirm": _email_link,
    "accounts:email_change": _none,
    "accounts:password_change": _none,
    "accounts:delete": _none,
    "notifications:inbox": _none,
    "notifications:settings": _none,
    "notifications:unsubscribe": _unsubscribe,
    # The admin curators work in: its home and the edition's pages we
    # customised (templates/admin/reader). The rest is Django's own.
    "admin:index": _none,
    "admin:reader_edition_changelist": _none,
    "admin:reader_passage_changelist": _none,
}

# Named patterns that are not pages, and why. Keep each reason true.
EXCLUDED: dict[str, str] = {
    # Not HTML.
    "healthz": "plain-text health check",
    "readyz": "plain-text readiness check",
    "themes:colours": "a stylesheet",
    "reader:passage_text": "plain text for selectors",
    "reader:part_text": "plain text for selectors",
    "reader:part_passages": "JSON fragments the part page loads",
    "annotations:export": "a download (Markdown, CSV, JSON-LD)",
    "teaching:dashboard_csv": "a CSV download",
    "teaching:annotations_csv": "a CSV download",
    "accounts:export": "a download (JSON)",
    "teaching:grades_csv": "a CSV download",
    "teaching:gradebook_csv": "a CSV download",
    "api:schema": "the OpenAPI schema (YAML)",
    # POST only: GET answers 405.
    "markdownx_markdownify": "POST only (the Markdown preview)",
    "reader:progress": "POST only (JSON)",
    "annotations:token": "POST only",
    "annotations:reply": "POST only",
    "annotations:flag": "POST only",
    "annotations:moderate": "POST only",
    "annotations:promote": "POST only",
    "annotations:promotion_decide": "POST only",
    "annotations:reattach": "POST only (JSON)",
    "accounts:logout": "POST only (Django's LogoutView)",
    "teaching:course_code": "POST only",
    "teaching:course_edition": "POST only",
    "teaching:course_coteacher": "POST only",
    "teaching:course_leave": "POST only",
    "teaching:roster_remove": "POST only",
    "teaching:assignment_done": "POST only",
    "teaching:assignment_copy": "POST only",
    "teaching:assignment_items": "POST only (JSON)",
    "teaching:feedback": "POST only",
    "teaching:grade_override": "POST only",
    "notifications:read": "POST only",
    "notifications:read_all": "POST only",
}

# Developer tools, not pages readers reach: DRF's browsable API (every
# router name, with and without a format suffix) and the Swagger UI, both
# third-party markup; and Django admin beyond the pages in PAGES.
EXCLUDED_NAMESPACES: dict[str, str] = {
    "api:": "the API: JSON, DRF's browsable API and Swagger UI (developer tools)",
    "admin:": "Django's admin beyond the curators' pages listed in PAGES",
}


def unaccounted() -> list[str]:
    """Named patterns neither visited nor excluded with a reason."""
    return sorted(
        name
        for name in set(named_patterns())
        if name not in PAGES
        and name not in EXCLUDED
        and not any(name.startswith(prefix) for prefix in EXCLUDED_NAMESPACES)
    )


def urls_for(world: World, role: str) -> list[tuple[str, str]]:
    """(url name, path) of every page to visit as `role`."""
    visits = []
    for name, arguments in PAGES.items():
        for kwargs in arguments(world, role):
            query = kwargs.pop(QUERY, "")
            path = reverse(name, kwargs=kwargs)
            visits.append((name, f"{path}?{query}" if query else path))
    return visits


def post_only() -> dict[str, str]:
    """Each pattern excluded as POST only, with a path to it (placeholder
    arguments: the method is refused before they are looked up)."""
    from django.urls.converters import IntConverter, SlugConverter, UUIDConverter

    placeholders = {
        IntConverter: 1,
        SlugConverter: "x",
        UUIDConverter: "00000000-0000-4000-8000-000000000000",
    }
    found = {}

    def walk(patterns: list, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = (
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                )
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}{entry.name}"
                if EXCLUDED.get(name, "").startswith("POST only"):
                    converters = getattr(entry.pattern, "converters", {})
                    kwargs = {k: placeholders[type(c)] for k, c in converters.items()}
                    found[name] = reverse(name, kwargs=kwargs)

    walk(get_resolver().url_patterns, "")
    return found
