"""Every "Who can see it" choice offered, in every context, is the one stored.

Each context is a page a reader writes from: the part page, the part page in
assignment mode (for a student and for the class's teacher), the part page a
passage's permalink leads to, and the edit form. The tests read the choices
the page offers and post them as the page's script does, to the endpoint the
page names; then they check what was stored and who sees it.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from annotations.models import Annotation
from reader.models import Passage
from teaching.models import AssignmentItem
from tests.factories import make_annotation

PART = "/read/test/black/"
ALL_LEVELS = ["private", "teacher", "course", "public"]
OPEN_LEVELS = ["private", "public"]

# context: (who writes, the levels the page must offer)
CONTEXTS = {
    "reader": ("student", OPEN_LEVELS),
    "assignment (student)": ("student", ALL_LEVELS),
    "assignment (teacher)": ("teacher", ALL_LEVELS),
    "passage page": ("student", OPEN_LEVELS),
    "edit (a class note)": ("student", ALL_LEVELS),
    "edit (a note of one's own)": ("student", OPEN_LEVELS),
}


def page_url(context: str, assignment) -> str:
    if context == "reader":
        return PART
    if context.startswith("assignment"):
        return f"{PART}?assignment={assignment.pk}"
    if context == "passage page":
        return reverse("reader:passage", args=["test", "black-002"])
    raise AssertionError(context)


def select_block(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f'no <select name="{name}"> on the page'
    return match.group(1)


def offered(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', select_block(html, "visibility"))


def attribute(html: str, name: str) -> str | None:
    match = re.search(rf'<dialog[^>]*\b{name}="([^"]*)"', html, re.S)
    return unescape(match.group(1)) if match else None


def words(key: str, start: int, end: int) -> str:
    return Passage.objects.get(key=key).text[start:end]


def write_from_page(client, context, assignment, level) -> tuple[int, dict]:
    """Open the page, then save a note with `level` as annotate.js would."""
    page = client.get(page_url(context, assignment), follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert level in offered(html)
    payload = {
        "edition": attribute(html, "data-edition"),
        "target": {
            "start": {"passage": "black-002", "offset": 0},
            "end": {"passage": "black-002", "offset": 9},
            "quote": words("black-002", 0, 9),
        },
        "motivation": "commenting",
        "body": f"A {level} note.",
        "tags": [],
        "colour": "yellow",
        "visibility": level,
    }
    course = attribute(html, "data-course")
    if course and level in ("course", "teacher"):
        payload["course"] = int(course)
    response = client.post(
        attribute(html, "data-api-url"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    return response.status_code, response.json()


def edit_from_page(client, note, level) -> int:
    url = reverse("annotations:edit", args=[note.pk])
    html = client.get(url).content.decode()
    assert level in offered(html)
    response = client.post(
        url,
        {
            "motivation": note.motivation,
            "body": note.body,
            "tags": "",
            "colour": note.colour,
            "visibility": level,
        },
    )
    return response.status_code


def readers(request, author_role):
    """Who should see a note at each level, besides its author."""
    student, classmate, teacher, coteacher, outsider = (
        request.getfixturevalue(name)
        for name in ("student", "classmate", "teacher", "coteacher", "outsider")
    )
    if author_role == "teacher":
        members, teachers = [student, classmate], [coteacher]
    else:
        members, teachers = [classmate], [teacher, coteacher]
    return {
        "private": ([], members + teachers + [outsider]),
        "teacher": (teachers, members + [outsider]),
        "course": (members + teachers, [outsider]),
        "public": (members + teachers + [outsider], []),
    }


CASES = [
    (context, level) for context, (_, levels) in CONTEXTS.items() for level in levels
]


@pytest.mark.parametrize("context", CONTEXTS)
def test_each_context_offers_its_levels(
    client, request, course, other_course, assignment, context
):
    role, levels = CONTEXTS[context]
    author = request.getfixturevalue(role)
    client.force_login(author)
    if context.startswith("edit"):
        in_class = context == "edit (a class note)"
        note = make_annotation(
            author,
            Passage.objects.get(key="black-002"),
            visibility="course" if in_class else "private",
            course=course if in_class else None,
        )
        html = client.get(reverse("annotations:edit", args=[note.pk])).content
    else:
        html = client.get(page_url(context, assignment), follow=True).content
    assert sorted(offered(html.decode())) == sorted(levels)
    if context.startswith("assignment"):
        # Sharing with the class comes first, and is what a highlight gets.
        assert offered(html.decode())[0] == "course"
        assert f'data-course="{course.pk}"' in html.decode()


@pytest.mark.parametrize(("context", "level"), CASES)
def test_the_visibility_chosen_is_the_one_stored(
    client, request, course, other_course, assignment, context, level
):
    role, _ = CONTEXTS[context]
    author = request.getfixturevalue(role)
    client.force_login(author)
    if context.startswith("edit"):
        in_class = context == "edit (a class note)"
        # A note with a class is made at a class level; start from another.
        if in_class:
            start = "course" if level != "course" else "teacher"
        else:
            start = "public" if level == "private" else "private"
        note = make_annotation(
            author,
            Passage.objects.get(key="black-002"),
            motivation="commenting",
            visibility=start,
            course=course if in_class else None,
        )
        assert edit_from_page(client, note, level) == 302
        note.refresh_from_db()
        stored = note
    else:
        status, data = write_from_page(client, context, assignment, level)
        assert status == 201, data
        stored = Annotation.objects.get(pk=data["id"])
    assert stored.visibility == level
    if level in ("teacher", "course"):
        assert stored.course == course
    elif not context.startswith("edit"):
        assert stored.course is None
    sees, does_not = readers(request, role)[level]
    for user in sees:
        assert Annotation.objects.visible_to(user).filter(pk=stored.pk).exists()
    for user in does_not:
        assert not Annotation.objects.visible_to(user).filter(pk=stored.pk).exists()


def test_a_teachers_private_note_in_assignment_mode_is_no_prompt(
    client, teacher, student, assignment
):
    client.force_login(teacher)
    before = assignment.items.count()
    status, data = write_from_page(
        client, "assignment (teacher)", assignment, "private"
    )
    assert status == 201, data
    assert not AssignmentItem.objects.filter(annotation_id=data["id"]).exists()
    assert assignment.items.count() == before
    client.force_login(student)
    page = client.get(f"{PART}?assignment={assignment.pk}").content.decode()
    assert "A private note." not in page


def test_a_teachers_class_note_in_assignment_mode_is_one_of_its_prompts(
    client, teacher, assignment
):
    client.force_login(teacher)
    before = assignment.items.count()
    status, data = write_from_page(client, "assignment (teacher)", assignment, "course")
    assert status == 201, data
    assert assignment.items.count() == before + 1
    assert AssignmentItem.objects.get(annotation_id=data["id"]).assignment == assignment


def test_a_prompt_on_words_that_are_not_the_text_is_refused(
    client, teacher, assignment
):
    client.force_login(teacher)
    before = (Annotation.objects.count(), assignment.items.count())
    response = client.post(
        reverse("teaching:assignment_items", args=[assignment.pk]),
        data=json.dumps(
            {
                "target": {
                    "start": {"passage": "black-002", "offset": 0},
                    "end": {"passage": "black-002", "offset": 9},
                    "quote": "other words",
                },
                "motivation": "questioning",
                "body": "Why?",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "quote" in response.json()
    assert (Annotation.objects.count(), assignment.items.count()) == before
