"""Plain-ORM factories for tests: small, explicit, no magic."""

from __future__ import annotations

from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reader.models import Edition, Part, Passage

_serial = count(1)


def make_user(username: str | None = None, *, groups: tuple[str, ...] = (), **extra):
    username = username or f"user{next(_serial)}"
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", **extra
    )
    for name in groups:
        # Browser tests flush the database (groups from the data migration
        # included), so a group may need making again.
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_edition(slug: str = "test", **extra) -> Edition:
    """An edition open to everyone, unless `audience` says otherwise."""
    defaults = {
        "title": f"Edition {slug}",
        "author": "A. Author",
        "audience": "everyone",
    }
    defaults.update(extra)
    return Edition.objects.create(slug=slug, **defaults)


def make_part(
    edition: Edition, order: int = 1, *, slug: str | None = None, kind: str = "notebook"
) -> Part:
    slug = slug or f"part-{order}"
    return Part.objects.create(
        edition=edition,
        order=order,
        slug=slug,
        title=f"Part {order}",
        short_title=f"Part {order}",
        kind=kind,
        summary=f"Summary of part {order}.",
    )


def make_passages(part: Part, n: int, *, prefix: str | None = None) -> list[Passage]:
    prefix = prefix or part.slug
    return Passage.objects.bulk_create(
        Passage(
            edition=part.edition,
            part=part,
            order=i,
            key=f"{prefix}-{i:03d}",
            text=f"Passage {i} of {part.title}: he looked at the mask again.",
        )
        for i in range(1, n + 1)
    )


def make_annotation(
    author,
    passage: Passage,
    start: int = 0,
    end: int = 7,
    *,
    end_passage: Passage | None = None,
    motivation: str = "highlighting",
    body: str = "",
    visibility: str = "private",
    tags: tuple[str, ...] = (),
    colour: str = "yellow",
    course=None,
):
    """An annotation made the one way there is: through the service."""
    from annotations.services import TargetInput, annotation_create

    end_passage = end_passage or passage
    if motivation != "highlighting" and not body:
        body = "A note."
    return annotation_create(
        author=author,
        edition=passage.edition,
        target=TargetInput(passage.key, start, end_passage.key, end),
        motivation=motivation,
        body=body,
        visibility=visibility,
        tags=list(tags),
        colour=colour,
        course=course,
    )
