"""The atlas on an edition restricted to one class: its passages, quotes and
counts are shown only to those who may read the edition."""

from __future__ import annotations

import pytest
from django.urls import reverse

from themes.models import Motif, MotifOccurrence, MotifProposal

CAST = [
    ("anonymous", False),
    ("stranger", False),
    ("student", True),
    ("teacher", True),
    ("curator", True),
]
TEXT = "Under the quince tree the lantern maker counted his unusual wicks."
QUOTE = "unusual wicks"


@pytest.fixture
def motif(licensed, settings):
    settings.THREE_NOTEBOOKS_DEFAULT_EDITION = "licensed"
    passage = licensed.passage
    passage.text = TEXT
    passage.save()
    motif = Motif.objects.create(
        name="Wicks", slug="wicks", summary="Small lights.", order=1
    )
    start = TEXT.index(QUOTE)
    MotifOccurrence.objects.create(
        motif=motif,
        passage=passage,
        start_offset=start,
        end_offset=start + len(QUOTE),
        exact=QUOTE,
        weight="central",
    )
    return motif


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_motif_page(licensed, motif, role, may_read):
    response = licensed.client(role).get(motif.get_absolute_url())
    assert response.status_code == 200  # the motif is the project's, not the text
    html = response.content.decode()
    assert (QUOTE in html) == may_read
    assert ("black-001" in html) == may_read
    assert len(response.context["page"].occurrences) == int(may_read)


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_atlas_index_and_matrix(licensed, motif, role, may_read):
    client = licensed.client(role)
    index = client.get(reverse("themes:index"))
    counted = [m.occurrence_count for g in index.context["groups"] for m in g.motifs]
    assert counted == [int(may_read)]
    matrix = client.get(reverse("themes:matrix"))
    assert bool(matrix.context["parts"]) == may_read
    assert ("Part 2" in matrix.content.decode()) == may_read


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_motifs_api(licensed, motif, role, may_read):
    client = licensed.client(role)
    listed = client.get("/api/motifs/").json()
    assert [m["occurrence_count"] for m in listed] == [int(may_read)]
    detail = client.get("/api/motifs/wicks/").json()
    assert [o["quote"] for o in detail["occurrences"]] == ([QUOTE] if may_read else [])


@pytest.mark.parametrize("role, may_read", [("stranger", False), ("student", True)])
def test_proposing_a_passage_needs_the_edition(licensed, motif, role, may_read):
    response = licensed.client(role).post(
        reverse("themes:propose"),
        {
            "motif": "wicks",
            "passage": "black-002",
            "edition": "licensed",
            "reason": "It glows.",
        },
    )
    assert MotifProposal.objects.exists() == may_read
    if not may_read:
        assert response.status_code == 400
        assert "There is no passage with this key." in response.content.decode()
