"""Loading the motif catalogue: good files load, bad ones load nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.themes.conftest import BANDAGES, MASKS, write_catalogue
from themes.models import Motif, MotifOccurrence


def load(folder, edition="test") -> str:
    out = StringIO()
    call_command("load_motifs", str(folder), "--edition", edition, stdout=out)
    return out.getvalue()


def test_the_catalogue_loads_motifs_occurrences_and_relations(catalogue):
    output = load(catalogue)
    masks = Motif.objects.get(slug="masks")
    assert masks.group == "Faces and masks"
    assert [m.slug for m in masks.related.all()] == ["bandages"]
    assert masks.terms == ["mask"]
    occurrences = list(masks.occurrences.in_reading_order())
    assert [o.passage.key for o in occurrences] == [
        "black-001",
        "black-003",
        "letter-002",
    ]
    first = occurrences[0]
    assert first.passage.text[first.start_offset : first.end_offset] == first.exact
    assert first.exact == "looked at the mask"
    assert first.weight == "central"
    assert occurrences[1].start_offset is None
    bandages = Motif.objects.get(slug="bandages")
    assert bandages.source_public_domain and bandages.source_author == "Thomas Carlyle"
    assert "Occurrences: 4 added" in output


def test_loading_twice_changes_nothing(catalogue):
    load(catalogue)
    before = list(
        MotifOccurrence.objects.values_list("pk", "note", "exact", "start_offset")
    )
    output = load(catalogue)
    assert (
        list(MotifOccurrence.objects.values_list("pk", "note", "exact", "start_offset"))
        == before
    )
    assert "0 added, 0 updated" in output


def test_a_changed_note_updates_in_place(catalogue):
    load(catalogue)
    (catalogue / "masks.md").write_text(
        MASKS.replace("He looks at it again.", "Revised note."), encoding="utf-8"
    )
    load(catalogue)
    assert MotifOccurrence.objects.get(passage__key="black-001").note == "Revised note."


def test_a_quote_fixed_in_the_catalogue_is_anchored_again(catalogue):
    from reader.models import Passage
    from reader.revisions import revision_apply

    load(catalogue)
    passage = Passage.objects.get(key="black-001")
    revision_apply({passage: passage.text.replace("looked at the mask", "saw it")})
    occurrence = MotifOccurrence.objects.get(passage__key="black-001")
    assert occurrence.anchor_state == "orphaned"
    (catalogue / "masks.md").write_text(
        MASKS.replace('"looked at the mask"', '"saw it"'), encoding="utf-8"
    )
    load(catalogue)
    occurrence.refresh_from_db()
    assert occurrence.anchor_state == "exact"
    passage.refresh_from_db()
    assert passage.text[occurrence.start_offset : occurrence.end_offset] == "saw it"


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (
            MASKS.replace("- black-003 passing", "- black-999 passing"),
            17,
            "unknown passage black-999",
        ),
        (
            MASKS.replace('"the mask": The letter', '"a velvet glove": The letter'),
            18,
            "is not in passage letter-002",
        ),
        (
            MASKS.replace('"looked at the mask"', '"the mask"'),
            16,
            "occurs 2 times in passage black-001",
        ),
        (
            MASKS.replace("related: bandages", "related: velvet"),
            8,
            "unknown motif 'velvet'",
        ),
        (
            MASKS.replace("- black-003 passing:", "* black-003 passing:"),
            17,
            "an occurrence reads",
        ),
        (
            MASKS.replace("- black-003 passing:", "- black-001 passing:"),
            17,
            "listed twice",
        ),
        (MASKS.replace("colour: #7a4b9c", "colour: purple"), 7, "#rrggbb"),
        (
            MASKS.replace("slug: masks", "slug: masques"),
            3,
            "differs from the file name",
        ),
        (MASKS.replace("order: 1", "order: first"), 6, "whole number"),
        (MASKS.replace("group: Faces and masks\n", ""), 1, "lacks 'group'"),
    ],
)
def test_bad_catalogue_data_names_file_and_line_and_loads_nothing(
    tmp_path, distinct_texts, broken, line, message
):
    folder = write_catalogue(
        tmp_path / "motifs", {"masks.md": broken, "bandages.md": BANDAGES}
    )
    with pytest.raises(CommandError) as info:
        load(folder)
    text = str(info.value)
    assert f"masks.md:{line}:" in text, text
    assert message in text
    assert "nothing was loaded" in text
    assert not Motif.objects.exists()
    assert not MotifOccurrence.objects.exists()


def test_a_catalogue_without_an_occurrences_section_is_refused(
    tmp_path, distinct_texts
):
    folder = write_catalogue(
        tmp_path / "motifs",
        {"masks.md": MASKS.split("## Occurrences")[0], "bandages.md": BANDAGES},
    )
    with pytest.raises(CommandError, match="Occurrences"):
        load(folder)


def test_an_unknown_edition_is_refused(catalogue):
    with pytest.raises(CommandError, match="No edition 'nope'"):
        load(catalogue, edition="nope")


# --- Curators' work is never undone ------------------------------------------


def load_forced(folder) -> str:
    out = StringIO()
    call_command("load_motifs", str(folder), "--edition", "test", "--force", stdout=out)
    return out.getvalue()


def admin_change(client, motif: Motif, **changes) -> None:
    """Save a motif's admin page as a curator would: the form as shown,
    with some fields changed (`occurrence_<key>_<field>` for the inline)."""
    from django.urls import reverse

    url = reverse("admin:themes_motif_change", args=[motif.pk])
    page = client.get(url)
    data: dict = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    for name, value in changes.items():
        if name.startswith("occurrence_"):
            _, key, field = name.split("_", 2)
            pk = MotifOccurrence.objects.get(motif=motif, passage__key=key).pk
            prefix = next(
                k[: -len("-id")]
                for k, v in data.items()
                if k.endswith("-id") and str(v) == str(pk)
            )
            data[f"{prefix}-{field}"] = value
        else:
            data[name] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]


def test_a_motif_edited_in_admin_survives_reloads_until_forced(
    client, curator, catalogue
):
    load(catalogue)
    client.force_login(curator)
    masks = Motif.objects.get(slug="masks")
    admin_change(
        client,
        masks,
        summary="A curator's better summary.",
        **{"occurrence_black-001_note": "A curator's note."},
    )
    occurrence = MotifOccurrence.objects.get(motif=masks, passage__key="black-001")
    assert occurrence.note == "A curator's note."

    for _ in range(2):
        output = load(catalogue)
        masks.refresh_from_db()
        occurrence.refresh_from_db()
        assert masks.summary == "A curator's better summary."
        assert occurrence.note == "A curator's note."
        assert "Motifs: 0 added, 0 updated, 1 kept as a curator edited them" in output
        assert "masks: kept the curator's summary; the bundled file differs" in output
        assert "masks:black-001: kept the curator's note" in output
        assert "(use --force to replace it)" in output

    output = load_forced(catalogue)
    masks.refresh_from_db()
    occurrence.refresh_from_db()
    assert masks.summary == "Faces that others read."
    assert occurrence.note == "He looks at it again."
    assert "masks: replaced the curator's summary (--force)." in output
    assert "masks:black-001: replaced the curator's note (--force)." in output
    # Replaced, they are the catalogue's again: its next change is loaded.
    (catalogue / "masks.md").write_text(
        MASKS.replace("Faces that others read.", "Faces, read."), encoding="utf-8"
    )
    assert "Motifs: 0 added, 1 updated." in load(catalogue)
    masks.refresh_from_db()
    assert masks.summary == "Faces, read."


def test_an_unedited_motif_still_follows_the_changed_catalogue(catalogue):
    load(catalogue)
    Motif.objects.filter(slug="bandages").update(summary="Edited by a curator.")
    (catalogue / "masks.md").write_text(
        MASKS.replace("Faces that others read.", "Faces, read.").replace(
            "He looks at it again.", "Looked at again."
        ),
        encoding="utf-8",
    )
    output = load(catalogue)
    masks = Motif.objects.get(slug="masks")
    assert masks.summary == "Faces, read."
    assert masks.occurrences.get(passage__key="black-001").note == "Looked at again."
    assert Motif.objects.get(slug="bandages").summary == "Edited by a curator."
    assert "bandages: kept the curator's summary" in output
    assert "masks:" not in output


def test_a_related_link_a_curator_removed_is_not_put_back(catalogue):
    load(catalogue)
    masks = Motif.objects.get(slug="masks")
    masks.related.clear()
    output = load(catalogue)
    assert not masks.related.exists()
    assert not Motif.objects.get(slug="bandages").related.exists()
    assert "masks: kept the curator's related" in output
    load_forced(catalogue)
    assert [m.slug for m in masks.related.all()] == ["bandages"]


def test_a_quote_gone_from_a_passage_a_curator_revised_is_reported_not_fatal(
    catalogue,
):
    from reader.models import Passage
    from reader.revisions import revision_apply

    load(catalogue)
    passage = Passage.objects.get(key="letter-002")
    revision_apply({passage: "She wrote that nothing had ever fooled her."})
    output = load(catalogue)
    occurrence = MotifOccurrence.objects.get(passage=passage)
    assert occurrence.anchor_state == "orphaned"
    assert occurrence.exact == "the mask"
    assert (
        "masks:letter-002: the catalogue's quote 'the mask' is not in the passage "
        "as a curator revised it; the occurrence is left as the revision "
        "re-anchored it" in output
    )
