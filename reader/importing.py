"""Importing a school's licensed text: read, split, preview, then load.

`import_files` reads Markdown, plain text or EPUB into blocks; `splitting`
finds the novel's parts and passages (keys kept stable against an earlier
import of the same edition). Nothing is written until `import_apply`, which
loads the edition in one transaction through the same loader as the study
edition, so a re-import is a revision: old texts kept, annotations followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .edition_files import EditionSource, PartSource, PassageSource
from .import_files import ReadResult, read_upload
from .models import Audience, Edition, Passage
from .revisions import PassagePreview, revision_preview
from .services import LoadReport, edition_load
from .splitting import DEFAULT_PATTERNS, PartPattern, SplitResult, split_blocks

IMPORTED_RIGHTS_NOTE = (
    "A licensed text imported by this school for its readers. It is shown here "
    "under the school's licence and is not for redistribution."
)


@dataclass
class EditionDetails:
    slug: str
    title: str
    author: str
    language: str = "en"
    translator: str = ""


@dataclass
class ImportPlan:
    details: EditionDetails
    read: ReadResult
    split: SplitResult | None = None
    source: EditionSource | None = None
    existing: Edition | None = None
    revisions: list[PassagePreview] = field(default_factory=list)
    new_passages: int = 0

    @property
    def errors(self) -> list[str]:
        messages = [p.message for p in self.read.problems]
        if self.split is not None:
            messages += [p.message for p in self.split.problems if p.level == "error"]
        return messages

    @property
    def warnings(self) -> list[str]:
        if self.split is None:
            return []
        return [p.message for p in self.split.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and self.source is not None


def import_plan(
    *,
    name: str,
    data: bytes,
    details: EditionDetails,
    patterns: list[PartPattern] | None = None,
    encoding: str | None = None,
) -> ImportPlan:
    """Everything an import would do, computed without writing anything."""
    read = read_upload(name, data, encoding=encoding)
    plan = ImportPlan(details=details, read=read)
    if read.problems:
        return plan
    existing = Edition.objects.filter(slug=details.slug).first()
    previous: dict[str, list[tuple[str, str]]] = {}
    current: dict[str, Passage] = {}
    if existing is not None:
        for passage in existing.passages.select_related("part").in_reading_order():
            previous.setdefault(passage.part.slug, []).append(
                (passage.key, passage.text)
            )
            current[passage.key] = passage
    plan.existing = existing
    plan.split = split_blocks(
        read.blocks, patterns or DEFAULT_PATTERNS, previous=previous
    )
    if not plan.split.ok:
        return plan
    summaries = dict(existing.parts.values_list("slug", "summary")) if existing else {}
    parts = []
    changes: dict[Passage, str] = {}
    for part in plan.split.parts:
        passages = []
        for key, text, line in part.passages:
            passages.append(PassageSource(key=key, text=text, line=line))
            if key in current and current[key].text != text:
                changes[current[key]] = text
            elif key not in current:
                plan.new_passages += 1
        pattern = part.pattern
        parts.append(
            PartSource(
                path=Path(name),
                order=part.order,
                slug=pattern.slug,
                title=pattern.title,
                short_title=pattern.short_title,
                kind=pattern.kind,
                summary=summaries.get(pattern.slug, ""),
                passages=tuple(passages),
            )
        )
    plan.source = EditionSource(
        path=Path(name),
        slug=details.slug,
        title=details.title,
        author=details.author,
        language=details.language,
        translator=details.translator,
        rights_note=existing.rights_note if existing else IMPORTED_RIGHTS_NOTE,
        parts=tuple(parts),
    )
    plan.revisions = revision_preview(changes) if changes else []
    return plan


def import_apply(plan: ImportPlan) -> LoadReport:
    """Write the edition, in one transaction (changed passages are revisions).

    A new edition arrives unpublished: only curators read it, to check it,
    until one of them publishes it and says who may read it. Re-importing
    over an edition keeps whoever may read it now. The curator confirmed the
    revisions the preview showed, including any to passages revised in admin
    since: the import replaces them (`force`).
    """
    if not plan.ok:
        raise ValueError("This import has problems: " + "; ".join(plan.errors))
    return edition_load(source=plan.source, force=True, audience=Audience.CURATORS)
