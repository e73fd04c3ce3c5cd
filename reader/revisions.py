"""Revising passages without losing anything anchored to them.

A revision is any change to a passage's text: an edit in admin, re-loading
the study edition, or re-importing an edition. Every path goes through
`revision_preview` (what would happen) and `revision_apply` (do it, in one
transaction). The reader knows nothing of annotations or motifs: those apps
register an `Anchored` handler that predicts and carries out re-anchoring.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from .anchoring import AnchorState
from .models import Passage, PassageRevision
from .rendering import passage_html_forget


@dataclass(frozen=True)
class EffectItem:
    """One anchored thing that would move or be orphaned."""

    state: AnchorState  # moved or orphaned
    who: str
    old: str  # the quoted words
    new: str  # the words it would point at now ("" when orphaned)

    @property
    def moves(self) -> bool:
        """It would move (else it would be orphaned)."""
        return self.state == AnchorState.MOVED


@dataclass
class Effect:
    label: str  # "annotations", "motif occurrences"
    exact: int = 0
    moved: int = 0
    orphaned: int = 0
    items: list[EffectItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.exact + self.moved + self.orphaned

    def count(self, state: AnchorState, who: str, old: str, new: str) -> None:
        """Count one anchored thing; those that move or orphan are listed."""
        setattr(self, state.value, getattr(self, state.value) + 1)
        if state != AnchorState.EXACT:
            self.items.append(EffectItem(state, who, old, new))


@dataclass(frozen=True)
class Anchored:
    """What another app anchors to passages, and how to follow a revision."""

    label: str
    preview: Callable[[dict[int, str]], dict[int, Effect]]
    # Called with the revised passages (new text saved) and their old texts.
    apply: Callable[[list[Passage], dict[int, str]], None]


_handlers: list[Anchored] = []


def register_anchored(handler: Anchored) -> None:
    if all(h.label != handler.label for h in _handlers):
        _handlers.append(handler)


@dataclass
class DiffPiece:
    kind: str  # "same", "removed", "added"
    text: str


@dataclass
class PassagePreview:
    passage: Passage
    old: str
    new: str
    diff: list[DiffPiece]
    effects: list[Effect]


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Words kept, removed and added, for showing a curator what changes."""
    a, b = old.split(" "), new.split(" ")
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", " ".join(b[j1:j2])))
    return pieces


def revision_preview(changes: dict[Passage, str]) -> list[PassagePreview]:
    """What revising these passages would do, without writing anything."""
    texts = {p.pk: " ".join(text.split()) for p, text in changes.items()}
    effects_by_handler = [(h.label, h.preview(texts)) for h in _handlers]
    previews = []
    for passage, _text in changes.items():
        new = texts[passage.pk]
        if new == passage.text:
            continue
        effects = [
            by_passage.get(passage.pk) or Effect(label)
            for label, by_passage in effects_by_handler
        ]
        previews.append(
            PassagePreview(
                passage, passage.text, new, word_diff(passage.text, new), effects
            )
        )
    return previews


@transaction.atomic
def passage_revise(*, passage: Passage, text: str) -> Passage:
    """Give a passage new text, keeping the old text as a revision."""
    text = " ".join(text.split())
    if text == passage.text:
        return passage
    PassageRevision.objects.create(
        passage=passage, revision=passage.revision, text=passage.text
    )
    # The new revision is a new cache key anyway, so no server serves the old
    # text; its markup is dropped so that it does not linger (from a shared
    # cache for every server; another worker's own memory lets it expire).
    passage_html_forget(passage)
    passage.text = text
    passage.revision += 1
    passage.full_clean()
    passage.save(update_fields=["text", "revision", "modified"])
    return passage


@transaction.atomic
def revision_apply(changes: dict[Passage, str]) -> list[Passage]:
    """Revise passages and re-anchor everything on them, all or nothing.

    Old texts are kept as PassageRevisions; nothing anchored is deleted:
    what cannot be found again is marked orphaned and kept.
    """
    revised = []
    old_texts: dict[int, str] = {}
    for passage, text in changes.items():
        before, old_text = passage.revision, passage.text
        passage_revise(passage=passage, text=text)
        if passage.revision != before:
            revised.append(passage)
            old_texts[passage.pk] = old_text
    if revised:
        for handler in _handlers:
            handler.apply(revised, old_texts)
    return revised
