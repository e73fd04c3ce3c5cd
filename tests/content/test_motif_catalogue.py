"""The bundled motif catalogue: it loads onto the study edition, whole."""

from __future__ import annotations

import pytest
from django.conf import settings

from themes.catalogue import read_catalogue
from themes.models import Motif, MotifOccurrence
from themes.services import catalogue_load

REQUIRED = [
    "noh-masks",
    "carlyle-clothes",
    "bandages",
    "artificial-finger",
    "antimony-mould",
    "roadway",
    "beard",
    "darkness-cinema",
    "hunters-arrow",
    "playing-secrets",
    "yo-yo",
    "air-pistol",
    "writing-notebooks",
    "snake-tail",
    "invisible-hat",
    "mirror",
]


@pytest.fixture
def loaded(study_edition):
    report = catalogue_load(
        motifs=read_catalogue(settings.THREE_NOTEBOOKS_MOTIF_DIR), edition=study_edition
    )
    return report


def test_the_catalogue_has_the_motifs_the_atlas_promises(loaded):
    slugs = set(Motif.objects.values_list("slug", flat=True))
    assert len(slugs) >= 25
    assert set(REQUIRED) <= slugs


def test_every_motif_is_linked_widely_and_every_quote_matches_its_passage(loaded):
    occurrences = list(MotifOccurrence.objects.select_related("passage"))
    assert len(occurrences) >= 150
    for occurrence in occurrences:
        assert occurrence.note, occurrence
        if occurrence.start_offset is not None:
            text = occurrence.passage.text
            assert (
                text[occurrence.start_offset : occurrence.end_offset]
                == occurrence.exact
            )
    assert not Motif.objects.with_counts().filter(occurrence_count=0).exists()


def test_the_noh_masks_live_in_the_white_notebook(loaded):
    keys = set(
        MotifOccurrence.objects.filter(motif__slug="noh-masks").values_list(
            "passage__key", flat=True
        )
    )
    assert any(key.startswith("white-") for key in keys)


def test_loading_the_catalogue_twice_changes_nothing(loaded, study_edition):
    again = catalogue_load(
        motifs=read_catalogue(settings.THREE_NOTEBOOKS_MOTIF_DIR), edition=study_edition
    )
    assert again.occurrences_created == again.occurrences_updated == 0
    assert not again.motifs_created and not again.motifs_updated


def test_every_quote_names_words_found_exactly_once_in_its_passage():
    """So an occurrence marks the words it means, and a revision can follow
    them: a quote found twice would point at whichever comes first."""
    from reader.edition_files import read_edition_folder

    source = read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR)
    texts = {p.key: p.text for part in source.parts for p in part.passages}
    wrong = [
        f"{motif.slug} {occurrence.passage_key}: {occurrence.quote!r} "
        f"found {texts.get(occurrence.passage_key, '').count(occurrence.quote)}x"
        for motif in read_catalogue(settings.THREE_NOTEBOOKS_MOTIF_DIR)
        for occurrence in motif.occurrences
        if occurrence.quote
        and texts.get(occurrence.passage_key, "").count(occurrence.quote) != 1
    ]
    assert wrong == []
