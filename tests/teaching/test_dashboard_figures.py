"""The dashboard's figures for a small crafted class, pinned cell by cell:
every column, every sort, the heat map and the page's text, so that making
the dashboard faster cannot change what a teacher reads."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from annotations.models import Annotation
from annotations.services import reply_create
from classes.models import Enrollment
from reader.models import Passage, PassageRead
from reader.services import passage_reads_record
from teaching.models import Completion
from tests.factories import make_annotation, make_user


class Rows(HTMLParser):
    """The text of each table row, cell by cell, with each cell's link and
    class: what a teacher reads and follows."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str, str]]]] = []
        self._cell: list[str] | None = None
        self._href = self._class = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell, self._href, self._class = [], "", attrs.get("class") or ""
        elif tag == "a" and self._cell is not None:
            self._href = attrs.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[-1][-1].append((text, self._href, self._class))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _at(annotation: Annotation, when) -> None:
    Annotation.objects.filter(pk=annotation.pk).update(created=when)


@pytest.fixture
def crafted(course, assignment, student, classmate, other_course, outsider):
    """Four students (alice, bea, carol, dan) whose work touches every rule
    the dashboard counts by, at known times."""
    passages = {p.key: p for p in Passage.objects.filter(edition=course.edition)}
    b1, b2, b3 = passages["black-001"], passages["black-002"], passages["black-003"]
    outside = passages["letter-001"]
    bea, dan = make_user("bea"), make_user("dan")
    Enrollment.objects.create(course=course, student=bea)
    Enrollment.objects.create(course=course, student=dan)
    base = (timezone.now() - timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    t = {name: base + timedelta(minutes=m) for name, m in MINUTES.items()}

    def reads(user, keys, when):
        passage_reads_record(user=user, passages=[passages[k] for k in keys])
        PassageRead.objects.filter(user=user).update(last_seen=when)

    # Reading: a passage outside the range never counts.
    reads(student, ["black-001", "black-002", "opening-001"], t["alice read"])
    reads(bea, ["black-001", "black-002", "black-003"], t["bea read"])
    reads(dan, ["black-003"], t["dan read"])

    # Alice: a class note and a note for her teachers count; her private
    # highlight, a note a moderator hid and a public note outside the
    # range do not.
    alice_note = make_annotation(student, b1, visibility="course", course=course)
    _at(alice_note, t["alice note"])
    _at(
        make_annotation(
            student,
            b3,
            motivation="commenting",
            visibility="teacher",
            course=course,
        ),
        t["alice teacher note"],
    )
    _at(make_annotation(student, b2), t["alice private"])
    hidden = make_annotation(student, b2, visibility="course", course=course)
    Annotation.objects.filter(pk=hidden.pk).update(
        moderation="hidden", created=t["alice hidden"]
    )
    alice_outside = make_annotation(
        student, outside, motivation="commenting", visibility="public"
    )
    _at(alice_outside, t["alice outside"])

    # Carol: a private note (not the teacher's to see), a class question
    # and a class highlight.
    _at(
        make_annotation(classmate, b2, motivation="commenting", body="secret"),
        t["carol private"],
    )
    question = make_annotation(
        classmate, b3, motivation="questioning", visibility="course", course=course
    )
    _at(question, t["carol question"])
    _at(
        make_annotation(classmate, b1, visibility="course", course=course),
        t["carol highlight"],
    )

    # Answers and replies: to the prompt, to a classmate, to oneself (not a
    # reply to a classmate), to a note outside the range (not counted).
    _at(reply_create(author=student, parent=assignment.prompt, body="A"), t["a1"])
    _at(reply_create(author=student, parent=question, body="B"), t["a2"])
    _at(reply_create(author=student, parent=alice_note, body="C"), t["a3"])
    _at(
        make_annotation(
            bea, b2, motivation="commenting", visibility="course", course=course
        ),
        t["bea note 1"],
    )
    _at(
        make_annotation(bea, b2, visibility="course", course=course),
        t["bea note 2"],
    )
    _at(reply_create(author=bea, parent=assignment.prompt, body="D"), t["b1"])
    _at(reply_create(author=bea, parent=alice_note, body="E"), t["b2"])
    _at(reply_create(author=bea, parent=question, body="F"), t["b3"])
    _at(reply_create(author=bea, parent=alice_outside, body="G"), t["b4"])
    # Someone from another class writes nothing the dashboard counts.
    _at(make_annotation(outsider, b1, visibility="public"), t["outsider"])

    Completion.objects.create(assignment=assignment, student=student, done=t["done"])
    Completion.objects.create(assignment=assignment, student=bea, done=t["done"])
    Completion.objects.create(
        assignment=assignment, student=dan, done=assignment.due + timedelta(hours=2)
    )
    return t


MINUTES = {
    "alice read": 1,
    "bea read": 2,
    "dan read": 50,
    "alice note": 3,
    "alice teacher note": 4,
    "alice private": 40,
    "alice hidden": 41,
    "alice outside": 42,
    "carol private": 43,
    "carol question": 5,
    "carol highlight": 6,
    "a1": 7,
    "a2": 44,
    "a3": 45,
    "bea note 1": 8,
    "bea note 2": 9,
    "b1": 10,
    "b2": 46,
    "b3": 47,
    "b4": 48,
    "outsider": 49,
    "done": 11,
}


def _label(when) -> str:
    return date_format(timezone.localtime(when), "j M, H:i")


# username: read, total, percent, annotations, answers, replies to
# classmates, last activity (its key in MINUTES), status
EXPECTED = {
    "alice": (2, 3, 67, 2, 1, 1, "a1", "on time"),
    "bea": (3, 3, 100, 2, 1, 2, "b1", "on time"),
    "carol": (0, 3, 0, 2, 0, 0, "carol highlight", "not done"),
    "dan": (1, 3, 33, 0, 0, 0, "dan read", "late"),
}

ORDERS = {
    "name": ["alice", "bea", "carol", "dan"],
    "read": ["bea", "alice", "dan", "carol"],
    "annotations": ["carol", "bea", "alice", "dan"],
    "answers": ["bea", "alice", "dan", "carol"],
    "replies": ["bea", "alice", "dan", "carol"],
    "activity": ["dan", "bea", "alice", "carol"],
    "status": ["dan", "carol", "alice", "bea"],
    "nonsense": ["alice", "bea", "carol", "dan"],
}


@pytest.mark.parametrize("sort", ORDERS)
def test_the_dashboard_shows_the_crafted_class_exactly(
    client, teacher, assignment, crafted, sort
):
    client.force_login(teacher)
    url = reverse("teaching:dashboard", args=[assignment.pk])
    response = client.get(url, {"sort": sort})
    data = response.context["data"]

    figures = {
        r.student.get_username(): (
            r.read,
            r.total,
            r.percent,
            r.annotations,
            r.answers,
            r.replies_to_classmates,
            r.last_activity,
            r.status,
        )
        for r in data.rows
    }
    assert figures == {
        name: (*row[:6], crafted[row[6]], row[7]) for name, row in EXPECTED.items()
    }
    assert [r.student.get_username() for r in data.rows] == ORDERS[sort]
    done = {r.student.get_username(): r.done for r in data.rows}
    assert done["alice"] == done["bea"] == crafted["done"] and done["carol"] is None
    heat = [(p.key, a, q) for p, a, q in data.heat]
    assert heat == [("black-001", 2, 0), ("black-002", 2, 0), ("black-003", 1, 1)]
    assert data.maximum == 2

    heat_table, roster = _tables(response)
    assert heat_table[1:] == [
        [("black-001", "", ""), ("2", "", ""), ("0", "", "")],
        [("black-002", "", ""), ("2", "", ""), ("0", "", "")],
        [("black-003", "", ""), ("1", "", ""), ("1", "", "")],
    ]
    users = {r.student.get_username(): r.student.pk for r in data.rows}
    expected_rows = []
    for name in ORDERS[sort]:
        read, total, percent, notes, answers, replies, when, status = EXPECTED[name]
        href = reverse("teaching:student", args=[assignment.pk, users[name]])
        expected_rows.append(
            [
                (name, href, ""),
                (f"{percent}% ({read}/{total})", "", ""),
                (str(notes), "", ""),
                (str(answers), "", ""),
                (str(replies), "", ""),
                (_label(crafted[when]), "", ""),
                (status, "", f"status-{status.replace(' ', '-')}"),
            ]
        )
    assert roster[1:] == expected_rows


def test_the_heat_map_links_each_passage_with_its_figures(
    client, teacher, assignment, crafted
):
    client.force_login(teacher)
    html = client.get(reverse("teaching:dashboard", args=[assignment.pk])).content
    html = html.decode()
    part = reverse("reader:part", args=["test", "black"])
    for key, annotated, questioned in [("black-001", 2, 0), ("black-003", 1, 1)]:
        height_a, height_q = round(annotated / 2 * 80), round(questioned / 2 * 80)
        # Each bar's link is named by its own text (it was a bare title inside
        # role="img", which hid the links from screen readers).
        name = f"{key}: {annotated} notes and highlights, {questioned} questions"
        assert (
            f'<a href="{part}?assignment={assignment.pk}#{key}" '
            f'title="{name}">'
            f'<span class="annotated bar-{height_a}"></span>'
            f'<span class="questioned bar-{height_q}"></span>'
            f'<span class="visually-hidden">{name}</span></a>'
        ) in html


class InteractiveInsideImages(HTMLParser):
    """Links, buttons and fields inside an element with role="img": an image
    has no parts for a screen reader, so they would be lost (axe's
    nested-interactive)."""

    INTERACTIVE = {"a", "button", "input", "select", "textarea", "summary"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        inside = any(self.stack)
        if inside and tag in self.INTERACTIVE:
            self.found.append(tag)
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("role") == "img")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def test_no_link_on_the_dashboard_hides_inside_an_image(
    client, teacher, assignment, crafted
):
    client.force_login(teacher)
    response = client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    parser = InteractiveInsideImages()
    parser.feed(response.content.decode())
    assert parser.found == []
    # The strip still links every passage of the range, with an axis and a key.
    html = response.content.decode()
    assert html.count('<span class="annotated bar-') == 3
    assert 'class="heat-legend"' in html and 'class="heat-y"' in html


def _tables(response) -> list:
    parser = Rows()
    parser.feed(response.content.decode())
    return parser.tables


def test_a_students_page_shows_each_note_rendered_and_linked_to_its_passage(
    client, teacher, assignment, student, course
):
    passage = Passage.objects.get(edition=course.edition, key="black-002")
    make_annotation(
        student,
        passage,
        motivation="commenting",
        body="The *mask* <script>alert(1)</script> [away](javascript:alert(1))",
        visibility="course",
        course=course,
    )
    reply_create(author=student, parent=assignment.prompt, body="**Light**.")
    client.force_login(teacher)
    html = client.get(
        reverse("teaching:student", args=[assignment.pk, student.pk])
    ).content.decode()
    link = reverse("reader:part", args=["test", "black"])
    assert html.count(f'href="{link}?assignment={assignment.pk}#black-002"') == 2
    assert (
        '<div class="card-body"><p>The <em>mask</em> &lt;script&gt;alert(1)'
        '&lt;/script&gt; <a rel="nofollow noopener">away</a></p></div>'
    ) in html
    assert '<div class="card-body"><p><strong>Light</strong>.</p></div>' in html
    assert "<script>alert" not in html


def test_a_class_nobody_joined_yet_says_so(client, teacher, assignment, course):
    Enrollment.objects.filter(course=course).delete()
    client.force_login(teacher)
    response = client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    assert response.context["data"].rows == []
    _heat, roster = _tables(response)
    assert roster[1:] == [[("Nobody has joined the class yet.", "", "")]]
