"""Nothing of an unpublished assignment reaches its students, on any surface:
the reader, the passage page, the API, replies and flags."""

from __future__ import annotations

import pytest
from django.urls import reverse

from teaching.services import assignment_save


@pytest.fixture
def draft(assignment, teacher):
    return assignment_save(
        teacher=teacher,
        course=assignment.course,
        assignment=assignment,
        title=assignment.title,
        instructions=assignment.instructions,
        start_passage=assignment.start_passage,
        end_passage=assignment.end_passage,
        due=assignment.due,
        published=False,
    )


def surfaces(draft) -> list[str]:
    prompt = draft.prompt
    part = prompt.start_passage.part
    return [
        part.get_absolute_url(),
        reverse(
            "annotations:passage",
            kwargs={"edition": part.edition.slug, "key": prompt.start_passage.key},
        ),
        "/api/annotations/",
        f"/api/annotations/?passage={prompt.start_passage.key}",
    ]


def test_a_student_finds_a_draft_prompt_on_no_page_and_not_in_the_api(
    client, student, draft
):
    client.force_login(student)
    for url in surfaces(draft):
        body = client.get(url).content.decode()
        assert str(draft.prompt.pk) not in body, url
        assert "What does he see?" not in body, url
    detail = client.get(f"/api/annotations/{draft.prompt.pk}/")
    assert detail.status_code == 404


def test_the_teacher_still_finds_the_draft_prompt_in_the_reader(client, teacher, draft):
    client.force_login(teacher)
    page = client.get(draft.prompt.start_passage.part.get_absolute_url())
    assert "What does he see?" in page.content.decode()


def test_a_student_cannot_reply_to_or_flag_a_draft_prompt(client, student, draft):
    client.force_login(student)
    reply = client.post(
        reverse("annotations:reply", args=[draft.prompt.pk]), {"body": "Early."}
    )
    flag = client.post(
        reverse("annotations:flag", args=[draft.prompt.pk]), {"reason": "Odd."}
    )
    assert reply.status_code == 404
    assert flag.status_code == 404
    assert not draft.prompt.replies.exists()
    assert not draft.prompt.flags.exists()
