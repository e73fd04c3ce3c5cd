"""Every page with a Markdown editor loads the script that lets Tab leave it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from classes.services import course_create
from tests.factories import (
    make_annotation,
    make_edition,
    make_part,
    make_passages,
    make_user,
)

pytestmark = pytest.mark.django_db

SCRIPT = "js/markdown-editor.js"


def assert_loads_the_editor_script_once(response) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="markdownx' in html or "markdownx-editor" in html
    assert html.count(SCRIPT) == 1


def test_the_assignment_form_loads_the_editor_script(client):
    edition = make_edition()
    make_passages(make_part(edition), 3)
    teacher = make_user(groups=("Teachers",))
    today = date.today()
    course = course_create(
        teacher=teacher,
        name="Y12",
        edition=edition,
        term_start=today,
        term_end=today + timedelta(days=60),
    )
    client.force_login(teacher)
    url = reverse("teaching:assignment_new", kwargs={"course_pk": course.pk})
    assert_loads_the_editor_script_once(client.get(url))


def test_the_annotation_edit_page_loads_the_editor_script(client):
    edition = make_edition()
    passage = make_passages(make_part(edition), 3)[0]
    reader = make_user()
    note = make_annotation(reader, passage, motivation="commenting")
    client.force_login(reader)
    url = reverse("annotations:edit", kwargs={"pk": note.pk})
    assert_loads_the_editor_script_once(client.get(url))


def test_the_part_page_note_dialog_loads_the_editor_script(client):
    edition = make_edition()
    part = make_part(edition)
    make_passages(part, 3)
    client.force_login(make_user())
    url = reverse("reader:part", kwargs={"edition": edition.slug, "part": part.slug})
    assert_loads_the_editor_script_once(client.get(url))
