"""Every write to the edition and to reading progress goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .edition_files import EditionSource
from .models import READING_CLASSES, Audience, Edition, Part, Passage, PassageRead
from .revisions import revision_apply


@dataclass
class LoadReport:
    """What loading an edition did, for the command line and the tests."""

    edition: Edition
    edition_created: bool = False
    parts_created: list[str] = field(default_factory=list)
    parts_updated: list[str] = field(default_factory=list)
    passages_created: list[str] = field(default_factory=list)
    passages_updated: list[str] = field(default_factory=list)
    passages_moved: list[str] = field(default_factory=list)
    passages_unchanged: int = 0
    passages_kept: list[str] = field(default_factory=list)
    parts_kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.edition_created
            or self.parts_created
            or self.parts_updated
            or self.passages_created
            or self.passages_updated
            or self.passages_moved
        )

    def lines(self) -> list[str]:
        verb = "created" if self.edition_created else "loaded"
        out = [
            f"Edition {self.edition.slug!r} {verb}: "
            f"{len(self.passages_created)} passages added, "
            f"{len(self.passages_updated)} revised, "
            f"{len(self.passages_moved)} moved, "
            f"{self.passages_unchanged} unchanged."
        ]
        if self.parts_created or self.parts_updated:
            out.append(
                f"Parts added: {', '.join(self.parts_created) or 'none'}; "
                f"parts updated: {', '.join(self.parts_updated) or 'none'}."
            )
        if self.passages_kept:
            out.append(
                "Not in the source but kept with their annotations, still shown "
                "where they were (nothing is deleted): "
                f"{', '.join(self.passages_kept)}."
            )
        if self.parts_kept:
            out.append(f"Parts not in the source, kept: {', '.join(self.parts_kept)}.")
        return out


@transaction.atomic
def edition_load(
    *, source: EditionSource, audience: Audience = Audience.EVERYONE
) -> LoadReport:
    """Create or update an edition from checked source files.

    A new edition gets `audience`: everyone for the project's own editions
    (the bundled study edition), curators only for an imported licensed
    text. Loading again never changes who may read an existing edition.

    Loading the same source twice changes nothing. A passage whose text
    changed keeps its key, gets a new revision number and its old text is kept
    as a PassageRevision. Passages missing from the source are reported and
    kept: removing a paragraph from a file never deletes readers' anchors.
    """
    edition, created = Edition.objects.get_or_create(
        slug=source.slug,
        defaults={
            "title": source.title,
            "author": source.author,
            "language": source.language,
            "translator": source.translator,
            "rights_note": source.rights_note,
            "audience": audience,
        },
    )
    report = LoadReport(edition=edition, edition_created=created)
    if not created:
        _update_fields(
            edition,
            title=source.title,
            author=source.author,
            language=source.language,
            translator=source.translator,
            rights_note=source.rights_note,
        )

    parts_by_slug = {part.slug: part for part in edition.parts.all()}
    # Part orders are unique per edition; move existing parts out of the way
    # first so that reordering parts in the source cannot collide.
    new_orders = {p.slug: p.order for p in source.parts}
    if any(
        part.order != new_orders.get(slug, part.order)
        for slug, part in parts_by_slug.items()
    ):
        offset = 1 + max(
            [p.order for p in parts_by_slug.values()] + list(new_orders.values())
        )
        for part in parts_by_slug.values():
            part.order += offset
            part.save(update_fields=["order"])

    passages_by_key = {p.key: p for p in edition.passages.select_related("part")}
    seen_keys: set[str] = set()
    revised: dict[Passage, str] = {}
    for part_source in source.parts:
        part = parts_by_slug.get(part_source.slug)
        part_fields = {
            "order": part_source.order,
            "title": part_source.title,
            "short_title": part_source.short_title,
            "kind": part_source.kind,
            "summary": part_source.summary,
        }
        if part is None:
            part = Part(edition=edition, slug=part_source.slug, **part_fields)
            part.full_clean()
            part.save()
            parts_by_slug[part.slug] = part
            report.parts_created.append(part.slug)
        elif _update_fields(part, **part_fields):
            report.parts_updated.append(part.slug)

        for order, passage_source in enumerate(part_source.passages, start=1):
            seen_keys.add(passage_source.key)
            passage = passages_by_key.get(passage_source.key)
            if passage is None:
                passage = Passage(
                    edition=edition,
                    part=part,
                    order=order,
                    key=passage_source.key,
                    text=passage_source.text,
                )
                passage.full_clean()
                passage.save()
                report.passages_created.append(passage.key)
                continue
            if passage.text != passage_source.text:
                revised[passage] = passage_source.text
                report.passages_updated.append(passage.key)
            if passage.part_id != part.pk or passage.order != order:
                passage.part = part
                passage.order = order
                passage.save(update_fields=["part", "order", "modified"])
                report.passages_moved.append(passage.key)
            elif passage.key not in report.passages_updated:
                report.passages_unchanged += 1

    if revised:
        # Changed texts are revisions: old texts kept, anchors followed.
        revision_apply(revised)
    report.passages_kept = sorted(set(passages_by_key) - seen_keys)
    report.parts_kept = sorted(set(parts_by_slug) - {p.slug for p in source.parts})
    return report


def _update_fields(instance: Edition | Part, **values: object) -> bool:
    """Set the fields that differ and save them; report whether any did."""
    changed = [
        name for name, value in values.items() if getattr(instance, name) != value
    ]
    if not changed:
        return False
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save(update_fields=changed)
    return True


def passage_reads_record(*, user: object, passages: Iterable[Passage]) -> int:
    """Record that a signed-in reader has seen these passages, now.

    One statement whatever the batch size: new rows are inserted, existing
    ones get a fresh `last_seen` and keep their `first_seen`.
    """
    now = timezone.now()
    rows = [
        PassageRead(user=user, passage=passage, first_seen=now, last_seen=now)
        for passage in {p.pk: p for p in passages}.values()
    ]
    if not rows:
        return 0
    PassageRead.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "passage"],
        update_fields=["last_seen"],
    )
    return len(rows)


@transaction.atomic
def edition_publish(
    *,
    edition: Edition,
    audience: Audience | str,
    classes: QuerySet | list | tuple = (),
) -> Edition:
    """Decide who may read an edition; `Audience.CURATORS` unpublishes it.

    For `Audience.CLASSES`, `classes` are the classes (teaching.Course) whose
    students and teachers may read it, at least one; for any other audience
    the edition is opened to no class in particular, so the chosen classes
    are cleared and never silently widen a later choice.
    """
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may read the edition.")})
    classes = list(classes)
    if audience == Audience.CLASSES and not classes:
        raise ValidationError(
            {"classes": _("Choose at least one class that may read it.")}
        )
    edition.audience = audience
    edition.full_clean()
    edition.save(update_fields=["audience", "modified"])
    getattr(edition, READING_CLASSES).set(
        classes if audience == Audience.CLASSES else []
    )
    return edition
