"""A class's pages serve what was rendered when it was written: a prompt's
and an answer's `body_html`, an assignment's `instructions_html`. No Markdown
is parsed per request."""

from __future__ import annotations

from datetime import timedelta

import markdown
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from annotations.services import reply_create
from reader.markdown import MAX_MARKDOWN_LENGTH
from teaching.forms import AssignmentForm
from teaching.models import Assignment
from teaching.services import assignment_save


@pytest.fixture
def refuse_markdown(monkeypatch):
    def refuse(self, source):
        raise AssertionError("Markdown was parsed on a read")

    return lambda: monkeypatch.setattr(markdown.Markdown, "convert", refuse)


@pytest.fixture
def answered(assignment, student, classmate):
    reply_create(author=classmate, parent=assignment.prompt, body="An *answer*.")
    reply_create(author=student, parent=assignment.prompt, body="Mine, **too**.")
    return assignment


@pytest.mark.parametrize("page", ["teaching:assignment", "teaching:handout"])
def test_a_class_page_serves_stored_html(
    client, teacher, answered, refuse_markdown, page
):
    refuse_markdown()
    client.force_login(teacher)
    response = client.get(reverse(page, args=[answered.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Read <em>closely</em>." in html
    assert "What does he see?" in html
    if page == "teaching:assignment":
        assert "An <em>answer</em>." in html
        assert "Mine, <strong>too</strong>." in html


def test_the_instructions_are_rendered_when_saved(assignment):
    assert assignment.instructions_html == "<p>Read <em>closely</em>.</p>"


def test_instructions_longer_than_a_note_are_refused(assignment, teacher):
    with pytest.raises(ValidationError) as refused:
        assignment_save(
            teacher=teacher,
            course=assignment.course,
            title="Long",
            instructions="a" * (MAX_MARKDOWN_LENGTH + 1),
            start_passage=assignment.start_passage,
            end_passage=assignment.end_passage,
            due=timezone.now() + timedelta(days=1),
            assignment=assignment,
        )
    assert "at most 10000 characters" in str(refused.value.message_dict)
    assignment.refresh_from_db()
    assert assignment.instructions == "Read *closely*."


def test_the_assignment_form_bounds_the_instructions(course):
    form = AssignmentForm(
        data={"instructions": "a" * (MAX_MARKDOWN_LENGTH + 1)}, course=course
    )
    form.is_valid()
    assert "instructions" in form.errors


@pytest.mark.django_db(transaction=True)
def test_existing_assignments_get_their_instructions_rendered_by_the_migration(
    settled_connection, assignment
):
    # As an assignment saved before instructions_html existed.
    Assignment.objects.update(instructions_html="")
    executor = MigrationExecutor(connection)
    executor.migrate([("teaching", "0002_assignment_instructions_html")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assignment.refresh_from_db()
    assert assignment.instructions_html == "<p>Read <em>closely</em>.</p>"
    assert assignment.instructions == "Read *closely*."
