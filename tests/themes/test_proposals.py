"""Readers propose motif links; curators accept or reject them in admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from themes.models import DismissedSuggestion, Motif, MotifOccurrence, MotifProposal


@pytest.fixture
def atlas(catalogue, settings):
    settings.THREE_NOTEBOOKS_DEFAULT_EDITION = "test"
    call_command("load_motifs", str(catalogue), "--edition", "test", stdout=None)
    return Motif.objects.get(slug="masks")


PROPOSE = reverse("themes:propose")


def propose(client, **data):
    body = {
        "motif": "masks",
        "passage": "letter-001",
        "reason": "The mask again.",
        "edition": "test",
    }
    body.update(data)
    return client.post(PROPOSE, body)


def test_anonymous_visitors_are_asked_to_log_in(client, atlas):
    response = client.get(PROPOSE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    propose(client)
    assert not MotifProposal.objects.exists()


def test_a_reader_proposes_a_passage_and_it_waits(client, reader_user, atlas):
    client.force_login(reader_user)
    form = client.get(PROPOSE + "?passage=letter-001&motif=masks&edition=test")
    assert form.status_code == 200
    response = propose(client)
    assert response.status_code == 302
    proposal = MotifProposal.objects.get()
    assert (proposal.proposer, proposal.status, proposal.passage.key) == (
        reader_user,
        "pending",
        "letter-001",
    )
    assert not MotifOccurrence.objects.filter(passage__key="letter-001").exists()


def test_a_reader_proposes_a_phrase(client, reader_user, atlas):
    client.force_login(reader_user)
    propose(client, passage="letter-002", motif="bandages", quote="never fooled her")
    proposal = MotifProposal.objects.get()
    assert (
        proposal.passage.text[proposal.start_offset : proposal.end_offset]
        == "never fooled her"
    )


def test_words_the_passage_has_twice_are_proposed_where_they_were_selected(
    client, reader_user, atlas
):
    client.force_login(reader_user)
    text = MotifOccurrence.objects.get(passage__key="black-001").passage.text
    second = text.rindex("the mask")
    response = propose(
        client,
        passage="black-001",
        motif="bandages",
        quote="the mask",
        start=second,
        end=second + len("the mask"),
    )
    assert response.status_code == 302
    proposal = MotifProposal.objects.get()
    assert (proposal.start_offset, proposal.end_offset) == (
        second,
        second + len("the mask"),
    )


@pytest.mark.parametrize("where", [{}, {"start": 0, "end": 8}])
def test_words_the_passage_has_twice_are_refused_when_nothing_says_which(
    client, reader_user, atlas, where
):
    client.force_login(reader_user)
    response = propose(
        client, passage="black-001", motif="bandages", quote="the mask", **where
    )
    assert response.status_code == 400
    assert "quote" in response.context["form"].errors
    assert not MotifProposal.objects.exists()


def test_accepting_after_a_revision_links_the_words_where_they_are_now(
    reader_user, curator, atlas
):
    from reader.revisions import revision_apply
    from themes.services import proposal_accept

    passage = atlas.occurrences.first().passage.edition.passages.get(key="letter-002")
    start = passage.text.index("never fooled her")
    proposal = MotifProposal.objects.create(
        motif=Motif.objects.get(slug="bandages"),
        passage=passage,
        proposer=reader_user,
        reason="Fooled.",
        start_offset=start,
        end_offset=start + len("never fooled her"),
        exact="never fooled her",
    )
    revision_apply({passage: "At first, " + passage.text})
    proposal.refresh_from_db()
    occurrence = proposal_accept(proposal=proposal, curator=curator)
    passage.refresh_from_db()
    words = passage.text[occurrence.start_offset : occurrence.end_offset]
    assert words == "never fooled her"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"passage": "nope-001"}, "passage"),
        ({"motif": "nope"}, "motif"),
        ({"quote": "words that are not there"}, "quote"),
        ({"passage": "black-001"}, "passage"),  # already linked
    ],
)
def test_bad_proposals_are_refused_with_a_message_and_nothing_saved(
    client, reader_user, atlas, data, field
):
    client.force_login(reader_user)
    response = propose(client, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not MotifProposal.objects.exists()


def test_the_same_reader_cannot_propose_the_same_link_twice(client, reader_user, atlas):
    client.force_login(reader_user)
    propose(client)
    assert propose(client).status_code == 400
    assert MotifProposal.objects.count() == 1


# --- Moderation in admin -------------------------------------------------------------


def changelist() -> str:
    return reverse("admin:themes_motifproposal_changelist")


@pytest.mark.parametrize("who", ["reader", "teacher"])
def test_readers_and_teachers_cannot_moderate(client, reader_user, teacher, atlas, who):
    proposal = MotifProposal.objects.create(
        motif=atlas,
        passage_id=atlas.occurrences.first().passage_id,
        reason="x",
        proposer=reader_user,
    )
    client.force_login(reader_user if who == "reader" else teacher)
    response = client.post(
        changelist(), {"action": "accept", "_selected_action": [proposal.pk]}
    )
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_curator_accepts_and_the_proposer_is_credited(
    client, reader_user, curator, atlas
):
    client.force_login(reader_user)
    propose(client)
    proposal = MotifProposal.objects.get()
    client.force_login(curator)
    assert client.get(changelist()).status_code == 200
    response = client.post(
        changelist(), {"action": "accept", "_selected_action": [proposal.pk]}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == curator
    occurrence = MotifOccurrence.objects.get(motif=atlas, passage__key="letter-001")
    assert occurrence.proposed_by == reader_user
    assert occurrence.note == "The mask again."
    html = client.get(atlas.get_absolute_url()).content.decode()
    assert "proposed by alice" in html


def test_a_curator_rejects_and_nothing_is_linked(client, reader_user, curator, atlas):
    client.force_login(reader_user)
    propose(client)
    proposal = MotifProposal.objects.get()
    client.force_login(curator)
    client.post(changelist(), {"action": "reject", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert not MotifOccurrence.objects.filter(passage__key="letter-001").exists()


def test_a_decided_proposal_is_not_decided_again(client, reader_user, curator, atlas):
    client.force_login(reader_user)
    propose(client)
    proposal = MotifProposal.objects.get()
    client.force_login(curator)
    client.post(changelist(), {"action": "reject", "_selected_action": [proposal.pk]})
    client.post(changelist(), {"action": "accept", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert not MotifOccurrence.objects.filter(passage__key="letter-001").exists()


# --- Suggestions from search terms ----------------------------------------------------


def test_suggestions_list_unlinked_matches_and_dismissed_ones_do_not_return(
    client, curator, atlas
):
    client.force_login(curator)
    url = reverse("admin:themes_motif_suggestions", args=[atlas.pk])
    response = client.get(url)
    keys = [s.passage.key for s in response.context["suggestions"]]
    assert "black-002" in keys and "black-001" not in keys  # linked already
    decide = reverse("admin:themes_motif_suggestion_decide", args=[atlas.pk])
    black_002 = next(
        s.passage
        for s in response.context["suggestions"]
        if s.passage.key == "black-002"
    )
    client.post(decide, {"passage": black_002.pk, "decision": "dismiss"})
    assert DismissedSuggestion.objects.filter(motif=atlas, passage=black_002).exists()
    keys = [s.passage.key for s in client.get(url).context["suggestions"]]
    assert "black-002" not in keys
    opening = next(
        s.passage
        for s in client.get(url).context["suggestions"]
        if s.passage.key == "opening-002"
    )
    client.post(decide, {"passage": opening.pk, "decision": "accept", "term": "mask"})
    assert MotifOccurrence.objects.filter(motif=atlas, passage=opening).exists()


def test_readers_cannot_see_suggestions(client, reader_user, atlas):
    client.force_login(reader_user)
    response = client.get(reverse("admin:themes_motif_suggestions", args=[atlas.pk]))
    assert response.status_code == 302


def test_the_motif_admin_previews_the_rendered_description(client, curator, atlas):
    client.force_login(curator)
    html = client.get(
        reverse("admin:themes_motif_change", args=[atlas.pk])
    ).content.decode()
    assert "<strong>Markdown</strong>" in html
    assert "black-001" in html  # occurrences inline
