"""Atlas pages, the reader's motif chips and tracing, and the API."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader.models import Passage
from themes.contributions import MotifsContribution, _ChipList
from themes.models import Motif, MotifOccurrence


@pytest.fixture
def atlas(catalogue, settings):
    settings.THREE_NOTEBOOKS_DEFAULT_EDITION = "test"
    call_command("load_motifs", str(catalogue), "--edition", "test", stdout=None)
    return Motif.objects.get(slug="masks")


def part_url(slug, **query):
    url = reverse("reader:part", kwargs={"edition": "test", "part": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_index_groups_motifs_with_counts_and_strips(client, atlas):
    response = client.get(reverse("themes:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Faces and masks" in html and "The body and its materials" in html
    assert "3 passages" in html
    assert html.count('class="motif-strip"') == 2
    groups = response.context["groups"]
    masks = next(m for g in groups for m in g.motifs if m.slug == "masks")
    assert len(masks.strip.ticks) == 3


def test_the_motif_page_shows_description_chart_table_and_occurrences(client, atlas):
    html = client.get(atlas.get_absolute_url()).content.decode()
    assert "<strong>Markdown</strong>" in html
    assert 'role="img"' in html and 'aria-describedby="chart-table"' in html
    assert '<table class="chart-table" id="chart-table">' in html
    assert '<mark class="motif-mark">looked at the mask</mark>' in html
    assert part_url("black", trace="masks") + "#black-001" in html
    assert reverse("themes:motif", kwargs={"slug": "bandages"}) in html  # related


def test_the_source_note_is_shown(client, atlas):
    html = client.get(
        reverse("themes:motif", kwargs={"slug": "bandages"})
    ).content.decode()
    assert "Thomas Carlyle" in html and "Public domain" in html


def test_an_unknown_motif_is_404(client, db):
    assert (
        client.get(reverse("themes:motif", kwargs={"slug": "nope"})).status_code == 404
    )


def test_the_matrix_counts_passages_per_part(client, atlas):
    response = client.get(reverse("themes:matrix"))
    masks = next(m for m in response.context["motifs"] if m.slug == "masks")
    assert [(p.slug, n) for p, n in masks.cells] == [
        ("opening", 0),
        ("black", 2),
        ("letter", 1),
    ]
    assert part_url("black", trace="masks") in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_atlas_pages_make_a_constant_number_of_queries(client, atlas, edition):
    urls = [reverse("themes:index"), atlas.get_absolute_url(), reverse("themes:matrix")]
    before = [_queries(client, url) for url in urls]
    passages = list(Passage.objects.filter(edition=edition))
    for i in range(12):
        motif = Motif.objects.create(
            name=f"Extra {i}", slug=f"extra-{i}", summary="x", order=10 + i
        )
        motif.related.add(atlas)
        for passage in passages:
            MotifOccurrence.objects.create(motif=motif, passage=passage, note="n")
    for passage in passages:
        MotifOccurrence.objects.get_or_create(motif=atlas, passage=passage)
    assert [_queries(client, url) for url in urls] == before


def motifs_on(response):
    """The atlas's share of a part page."""
    return response.context["part_page"].contribution(MotifsContribution)


def test_passages_carry_motif_chips(client, atlas):
    response = client.get(part_url("black"))
    passage = response.context["passages"][0]
    assert [o.motif.slug for o in motifs_on(response).chips_on(passage)] == ["masks"]
    assert 'href="?trace=masks#black-001"' in response.content.decode()


def test_chips_are_composed_exactly_as_the_template_renders_them(client, atlas):
    """The chips are composed in Python, not rendered from
    themes/_passage_motifs.html per passage: the same HTML, names escaped."""
    odd = Motif.objects.create(
        name='Masks & "faces" <i>', slug="odd_motif-2", summary="x", order=0
    )
    passage = Passage.objects.get(key="black-001")
    MotifOccurrence.objects.create(motif=odd, passage=passage, weight="central")
    response = client.get(part_url("black"))
    chips = motifs_on(response).chips_on(passage)
    assert [o.motif.slug for o in chips] == ["odd_motif-2", "masks"]
    expected = get_template("themes/_passage_motifs.html").render(
        {"passage": passage, "chips": chips, "stop": None}
    )
    assert "Masks &amp; &quot;faces&quot; &lt;i&gt;" in expected
    assert str(_ChipList().render(passage, chips)) == expected
    assert expected in response.content.decode()


def test_tracing_marks_the_passages_and_links_across_parts(client, atlas):
    response = client.get(part_url("black", trace="masks"))
    html = response.content.decode()
    motifs = motifs_on(response)
    traced = [p.key for p in response.context["passages"] if motifs.is_traced(p)]
    assert traced == ["black-001", "black-003"]
    trace = response.context["motif_trace"]
    assert (trace["total"], trace["in_part"]) == (3, 2)
    assert trace["after"].passage.key == "letter-002"
    assert part_url("letter", trace="masks") + "#letter-002" in html
    first = response.context["passages"][0]
    assert motifs.stop_at(first).next_stop.passage.key == "black-003"


def test_tracing_from_a_part_without_the_motif_points_both_ways(client, atlas):
    response = client.get(part_url("opening", trace="masks"))
    trace = response.context["motif_trace"]
    assert trace["in_part"] == 0
    assert trace["before"] is None
    assert trace["after"].passage.key == "black-001"


def test_tracing_an_unknown_motif_is_ignored(client, atlas):
    response = client.get(part_url("black", trace="nope"))
    assert response.status_code == 200
    assert response.context["motif_trace"] is None


def test_tracing_costs_the_same_queries_with_more_passages(client, atlas, edition):
    few = _queries(client, part_url("black", trace="masks"))
    for passage in Passage.objects.filter(edition=edition):
        MotifOccurrence.objects.get_or_create(motif=atlas, passage=passage)
    assert _queries(client, part_url("black", trace="masks")) == few


# --- API -------------------------------------------------------------------------


def test_the_api_lists_motifs_and_one_with_its_occurrences(client, atlas):
    listed = client.get("/api/motifs/").json()
    assert {m["slug"] for m in listed} == {"masks", "bandages"}
    detail = client.get("/api/motifs/masks/").json()
    assert detail["related"] == ["bandages"]
    first = detail["occurrences"][0]
    assert (first["passage"], first["quote"], first["weight"]) == (
        "black-001",
        "looked at the mask",
        "central",
    )
    assert first["start_offset"] is not None
    assert client.get("/api/motifs/nope/").status_code == 404


def test_the_api_shows_no_occurrences_in_unpublished_editions(client, atlas):
    from reader.models import Edition

    assert client.get("/api/motifs/masks/").json()["occurrences"]
    Edition.objects.update(audience="curators")
    assert client.get("/api/motifs/masks/").json()["occurrences"] == []


def test_the_api_is_read_only(client, reader_user, atlas):
    client.force_login(reader_user)
    assert client.post("/api/motifs/", {"slug": "x"}).status_code == 405
    assert client.delete("/api/motifs/masks/").status_code == 405
