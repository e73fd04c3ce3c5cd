"""Every write to the edition and to reading progress goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .audiences import class_audience
from .edition_files import EditionSource
from .models import (
    Audience,
    Edition,
    Part,
    Passage,
    PassageRead,
    PassageRevision,
)
from .page_cache import anonymous_pages_forget_once
from .provenance import Holder, differing, fingerprint, holder
from .revisions import PassagePreview, revision_apply, revision_preview

# What the loader owns on an edition and its parts besides passages' texts.
# Keys, slugs and order are the files' structure and always follow them.
EDITION_FIELDS = ("title", "author", "language", "translator", "rights_note")
PART_FIELDS = ("title", "short_title", "kind", "summary")


@dataclass(frozen=True)
class KeptText:
    """A passage whose text in the database is not the loader's."""

    key: str
    revision: int
    since: datetime | None  # when the text it holds replaced the one before
    holder: Holder  # CURATOR, or UNKNOWN (revised before loads kept fingerprints)
    bundle_changed: bool  # the file also changed since the loader last wrote it

    def line(self, *, forced: bool) -> str:
        when = (
            f" of {timezone.localtime(self.since):%Y-%m-%d %H:%M}" if self.since else ""
        )
        if self.holder is Holder.CURATOR:
            whose = f"the curator's revision{when}"
        else:
            whose = (
                f"revision {self.revision}{when}, made before loads recorded "
                "their texts (it may be a curator's)"
            )
        if forced:
            return f"{self.key}: replaced {whose} with the bundled text (--force)."
        differs = "the bundled text differs"
        if self.bundle_changed:
            differs += " and has itself changed since it was last loaded"
        return f"{self.key}: kept {whose}; {differs} (use --force to replace it)."


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
    # Curators' work: kept, or (with --force) replaced after a preview.
    texts_kept: list[KeptText] = field(default_factory=list)
    texts_forced: list[KeptText] = field(default_factory=list)
    previews: list[PassagePreview] = field(default_factory=list)
    # What the file's own new texts did to what is anchored on them
    # (annotations, motif quotes), as the admin's preview counts it.
    revision_effects: list[PassagePreview] = field(default_factory=list)
    fields_kept: list[str] = field(default_factory=list)
    fields_forced: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.edition_created
            or self.parts_created
            or self.parts_updated
            or self.passages_created
            or self.passages_updated
            or self.passages_moved
            or self.texts_forced
            or self.fields_forced
        )

    def lines(self) -> list[str]:
        verb = "created" if self.edition_created else "loaded"
        summary = (
            f"Edition {self.edition.slug!r} {verb}: "
            f"{len(self.passages_created)} passages added, "
            f"{len(self.passages_updated)} revised, "
            f"{len(self.passages_moved)} moved, "
            f"{self.passages_unchanged} unchanged"
        )
        if self.texts_kept:
            summary += f", {len(self.texts_kept)} kept as a curator revised them"
        if self.texts_forced:
            summary += (
                f", {len(self.texts_forced)} replaced over a curator's revision "
                "(--force)"
            )
        out = [summary + "."]
        if self.parts_created or self.parts_updated:
            out.append(
                f"Parts added: {', '.join(self.parts_created) or 'none'}; "
                f"parts updated: {', '.join(self.parts_updated) or 'none'}."
            )
        out += [kept.line(forced=False) for kept in self.texts_kept]
        out += self.fields_kept
        out += self.fields_forced
        previews = {preview.passage.key: preview for preview in self.previews}
        for forced in self.texts_forced:
            out.append(forced.line(forced=True))
            if forced.key in previews:
                out += [f"    {line}" for line in preview_lines(previews[forced.key])]
        if self.passages_kept:
            out.append(
                "Not in the source but kept with their annotations, still shown "
                "where they were (nothing is deleted): "
                f"{', '.join(self.passages_kept)}."
            )
        if self.parts_kept:
            out.append(f"Parts not in the source, kept: {', '.join(self.parts_kept)}.")
        out += effect_table(self.revision_effects)
        return out


def effect_table(
    previews: list[PassagePreview], listed: tuple[str, ...] = ("annotations",)
) -> list[str]:
    """What revising passages did to what was anchored on them: a row per
    passage with anything on it, the totals, and each of the `listed` kinds
    (what readers wrote) that moved or was orphaned, kept and marked, never
    deleted. Motif quotes are counted only: `load_motifs` quotes the
    catalogue's words again right after."""
    anchored = [p for p in previews if any(effect.total for effect in p.effects)]
    if not anchored:
        return []
    labels = [effect.label for effect in anchored[0].effects]
    out = [
        "What the revised texts did to what is anchored on them "
        "(exact / moved / orphaned; nothing is deleted):",
        "  passage      " + "".join(f"{label:<22}" for label in labels),
    ]
    totals = {label: [0, 0, 0] for label in labels}
    for preview in anchored:
        row = f"  {preview.passage.key:<12} "
        for effect in preview.effects:
            counts = (effect.exact, effect.moved, effect.orphaned)
            row += f"{' / '.join(str(n) for n in counts):<22}"
            total = totals[effect.label]
            totals[effect.label] = [a + b for a, b in zip(total, counts, strict=True)]
        out.append(row.rstrip())
    out.append(
        "  in all: "
        + "; ".join(
            f"{label} {exact} exact, {moved} moved, {orphaned} orphaned"
            for label, (exact, moved, orphaned) in totals.items()
        )
        + "."
    )
    for preview in anchored:
        for effect in preview.effects:
            if effect.label not in listed:
                continue
            for item in effect.items:
                state = "moved" if item.moves else "orphaned (kept, marked)"
                where = f" → “{item.new}”" if item.new else ""
                out.append(
                    f"  {preview.passage.key} · {effect.label} · {state} · "
                    f"{item.who} · “{item.old}”{where}"
                )
    return out


def preview_lines(preview: PassagePreview) -> list[str]:
    """The admin's revision preview, as text: the word diff, then what
    happens to each annotation and motif quote anchored to the passage."""
    diff = " ".join(
        piece.text
        if piece.kind == "same"
        else f"[-{piece.text}-]"
        if piece.kind == "removed"
        else f"{{+{piece.text}+}}"
        for piece in preview.diff
    )
    out = [f"text: {diff}"]
    for effect in preview.effects:
        out.append(
            f"{effect.label}: {effect.exact} stay exact, {effect.moved} move, "
            f"{effect.orphaned} would be orphaned (kept, marked)"
        )
        for item in effect.items:
            state = "moves" if item.moves else item.state.value
            where = f" → “{item.new}”" if item.new else ""
            out.append(f"  {state} · {item.who} · “{item.old}”{where}")
    return out


@transaction.atomic
@anonymous_pages_forget_once()
def edition_load(
    *,
    source: EditionSource,
    force: bool = False,
    audience: Audience = Audience.EVERYONE,
) -> LoadReport:
    """Create or update an edition from checked source files.

    A new edition gets `audience`: everyone for the project's own editions
    (the bundled study edition), curators only for an imported licensed
    text. Loading again never changes who may read an existing edition.

    Loading the same source twice changes nothing. A passage whose text
    changed keeps its key, gets a new revision number and its old text is kept
    as a PassageRevision. Passages missing from the source are reported and
    kept: removing a paragraph from a file never deletes readers' anchors.

    A curator's work is never undone: a text (or an edition's or part's
    field) changed in the database since the loader wrote it is kept and
    reported, unless `force`, which replaces it as a revision like any other,
    with the admin's preview in the report (see reader/provenance.py).
    """
    edition_values = {name: getattr(source, name) for name in EDITION_FIELDS}
    edition, created = Edition.objects.get_or_create(
        slug=source.slug,
        defaults={
            **edition_values,
            "loaded_fingerprint": fingerprint(edition_values),
            "audience": audience,
        },
    )
    report = LoadReport(edition=edition, edition_created=created)
    if not created:
        _load_fields(edition, edition_values, report, force=force, name="edition")

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
    forced: dict[Passage, str] = {}
    kept: dict[Passage, Holder] = {}
    for part_source in source.parts:
        part = parts_by_slug.get(part_source.slug)
        part_values = {name: getattr(part_source, name) for name in PART_FIELDS}
        if part is None:
            part = Part(
                edition=edition,
                slug=part_source.slug,
                order=part_source.order,
                loaded_fingerprint=fingerprint(part_values),
                **part_values,
            )
            part.full_clean()
            part.save()
            parts_by_slug[part.slug] = part
            report.parts_created.append(part.slug)
        else:
            order_changed = part.order != part_source.order
            if order_changed:
                part.order = part_source.order
                part.save(update_fields=["order"])
            label = f"part {part.slug}"
            if (
                _load_fields(part, part_values, report, force=force, name=label)
                or order_changed
            ):
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
                    loaded_fingerprint=fingerprint(passage_source.text),
                )
                passage.full_clean()
                passage.save()
                report.passages_created.append(passage.key)
                continue
            text_changed = False
            held = holder(
                stored=passage.loaded_fingerprint,
                current=passage.text,
                bundled=passage_source.text,
                # Passages are only ever created by this loader, so a text
                # never revised is the one it wrote.
                unrecorded_is_loaders=passage.revision == 1,
            )
            if held is Holder.SAME:
                if passage.loaded_fingerprint != fingerprint(passage.text):
                    # A curator's text the file now agrees with: the file's
                    # next change is the loader's to make again.
                    Passage.objects.filter(pk=passage.pk).update(
                        loaded_fingerprint=fingerprint(passage.text)
                    )
            elif held is Holder.LOADER:
                revised[passage] = passage_source.text
                report.passages_updated.append(passage.key)
                text_changed = True
            else:
                kept[passage] = held
                if force:
                    forced[passage] = passage_source.text
                    text_changed = True
            if passage.part_id != part.pk or passage.order != order:
                passage.part = part
                passage.order = order
                passage.save(update_fields=["part", "order", "modified"])
                report.passages_moved.append(passage.key)
            elif not text_changed and passage not in kept:
                report.passages_unchanged += 1

    _report_kept_texts(kept, source, report, force=force)
    if forced:
        # What --force does, as the admin previews it, before it is done.
        report.previews = revision_preview(forced)
    if revised:
        # And what the file's own new texts do, counted the same way.
        report.revision_effects = revision_preview(revised)
    if revised or forced:
        # Changed texts are revisions: old texts kept, anchors followed.
        changes = {**revised, **forced}
        revision_apply(changes)
        for passage in changes:
            Passage.objects.filter(pk=passage.pk).update(
                loaded_fingerprint=fingerprint(passage.text)
            )
    report.passages_kept = sorted(set(passages_by_key) - seen_keys)
    report.parts_kept = sorted(set(parts_by_slug) - {p.slug for p in source.parts})
    return report


def _report_kept_texts(
    kept: dict[Passage, Holder],
    source: EditionSource,
    report: LoadReport,
    *,
    force: bool,
) -> None:
    if not kept:
        return
    since = dict(
        PassageRevision.objects.filter(passage__in=list(kept))
        .values("passage")
        .annotate(last=Max("replaced"))
        .values_list("passage", "last")
    )
    bundled = {p.key: p.text for part in source.parts for p in part.passages}
    for passage, held in kept.items():
        item = KeptText(
            key=passage.key,
            revision=passage.revision,
            since=since.get(passage.pk),
            holder=held,
            bundle_changed=bool(passage.loaded_fingerprint)
            and fingerprint(bundled[passage.key]) != passage.loaded_fingerprint,
        )
        (report.texts_forced if force else report.texts_kept).append(item)


def _load_fields(
    instance: Edition | Part,
    values: dict[str, object],
    report: LoadReport,
    *,
    force: bool,
    name: str,
) -> bool:
    """Write the file's values unless a curator changed them since the last
    load (then keep and report them, or with `force` replace them)."""
    current = {field_name: getattr(instance, field_name) for field_name in values}
    held = holder(stored=instance.loaded_fingerprint, current=current, bundled=values)
    changed = differing(current, values)
    if held in (Holder.CURATOR, Holder.UNKNOWN):
        names = ", ".join(changed)
        whose = (
            "the curator's"
            if held is Holder.CURATOR
            else "the database's (changed before loads recorded theirs)"
        )
        if not force:
            report.fields_kept.append(
                f"{name}: kept {whose} {names}; the bundled file differs "
                "(use --force to replace it)."
            )
            return False
        report.fields_forced.append(
            f"{name}: replaced {whose} {names} with the bundled file's (--force)."
        )
    if not changed and instance.loaded_fingerprint == fingerprint(values):
        return False
    for field_name in changed:
        setattr(instance, field_name, values[field_name])
    instance.loaded_fingerprint = fingerprint(values)
    instance.full_clean()
    instance.save(update_fields=[*changed, "loaded_fingerprint"])
    return bool(changed)


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

    For `Audience.CLASSES`, `classes` are the classes (reader/audiences.py) whose
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
    class_audience().open_to(edition, classes if audience == Audience.CLASSES else [])
    return edition
