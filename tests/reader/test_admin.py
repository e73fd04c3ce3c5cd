"""Admin: curators look after the edition; readers have no way in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reader.models import Passage


def test_a_reader_cannot_open_the_passage_admin(client, edition, reader_user):
    client.force_login(reader_user)
    response = client.get(reverse("admin:reader_passage_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_anonymous_visitors_are_sent_to_log_in(client, edition):
    response = client.get(reverse("admin:reader_edition_changelist"))
    assert response.status_code == 302


def test_a_curator_sees_passages_in_reading_order_with_keys(client, edition, curator):
    client.force_login(curator)
    response = client.get(reverse("admin:reader_passage_changelist"))
    assert response.status_code == 200
    keys = [p.key for p in response.context["cl"].result_list]
    assert keys == list(
        Passage.objects.filter(edition=edition)
        .in_reading_order()
        .values_list("key", flat=True)
    )


def test_a_curator_can_search_passages_by_text(client, edition, curator):
    client.force_login(curator)
    response = client.get(
        reverse("admin:reader_passage_changelist"), {"q": "black-002"}
    )
    assert [p.key for p in response.context["cl"].result_list] == ["black-002"]


def test_a_curator_opens_a_part_with_its_passages_inline(client, edition, curator):
    client.force_login(curator)
    part = edition.parts.get(slug="black")
    response = client.get(reverse("admin:reader_part_change", args=[part.pk]))
    assert response.status_code == 200
    assert "black-003" in response.content.decode()


def test_revising_a_passage_in_admin_previews_then_keeps_the_old_text(
    client, edition, curator
):
    client.force_login(curator)
    passage = Passage.objects.get(key="black-001")
    old_text = passage.text
    url = reverse("admin:reader_passage_revise", args=[passage.pk])
    new_text = "A corrected text for the first passage."
    preview = client.post(url, {"text": new_text, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["preview"].new == new_text
    passage.refresh_from_db()
    assert passage.text == old_text  # a preview writes nothing
    response = client.post(url, {"text": new_text, "action": "apply"})
    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.text == new_text
    assert passage.revision == 2
    assert list(passage.revisions.values_list("text", flat=True)) == [old_text]


def test_the_text_is_not_edited_in_the_plain_change_form(client, edition, curator):
    client.force_login(curator)
    passage = Passage.objects.get(key="black-001")
    client.post(
        reverse("admin:reader_passage_change", args=[passage.pk]),
        {
            "order": passage.order,
            "text": "Sneaky",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        },
    )
    passage.refresh_from_db()
    assert passage.text != "Sneaky"


@pytest.mark.parametrize("who", ["reader", "teacher"])
def test_only_curators_revise(client, edition, reader_user, teacher, who):
    client.force_login(reader_user if who == "reader" else teacher)
    passage = Passage.objects.get(key="black-001")
    url = reverse("admin:reader_passage_revise", args=[passage.pk])
    response = client.post(url, {"text": "x y z", "action": "apply"})
    assert response.status_code == 302 and "login" in response["Location"]
    passage.refresh_from_db()
    assert passage.revision == 1


def test_curators_cannot_delete_passages(client, edition, curator):
    client.force_login(curator)
    passage = Passage.objects.get(key="black-001")
    response = client.post(
        reverse("admin:reader_passage_delete", args=[passage.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Passage.objects.filter(pk=passage.pk).exists()
