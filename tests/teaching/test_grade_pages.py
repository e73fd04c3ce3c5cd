"""Feedback and grades through the pages: who may open and write what, what
a student sees (and never sees), bounds, CSVs, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.models import Visibility
from annotations.services import reply_create
from classes.models import Enrollment
from reader.markdown import MAX_MARKDOWN_LENGTH
from teaching.models import Feedback, GradeOverride
from teaching.services import (
    CriterionInput,
    feedback_create,
    grade_override,
    grades_release,
    rubric_set,
)
from tests.factories import make_annotation, make_user

CAST = [
    "teacher",
    "coteacher",
    "other_teacher",
    "student",
    "classmate",
    "outsider",
    "anonymous",
    "curator",
]
TEACHERS = {"teacher", "coteacher"}
SECRET = "Only for alice's eyes"


@pytest.fixture
def rubric(teacher, assignment):
    rubric_set(
        teacher=teacher,
        assignment=assignment,
        criteria=[CriterionInput("Evidence", (("None", 0), ("Strong", 3)))],
    )
    criterion = assignment.criteria.get()
    return criterion, {lv.label: lv for lv in criterion.levels.all()}


@pytest.fixture
def note(student, passage, course):
    return make_annotation(
        student,
        passage,
        motivation="commenting",
        body="He hides.",
        visibility=Visibility.COURSE,
        course=course,
    )


@pytest.fixture
def feedback(teacher, note, assignment, rubric):
    criterion, levels = rubric
    return feedback_create(
        teacher=teacher,
        annotation=note,
        assignment=assignment,
        body=SECRET,
        scores={criterion.pk: levels["Strong"].pk},
    )


def _login(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _part_url(assignment, query=""):
    return assignment.start_passage.part.get_absolute_url() + query


@pytest.mark.parametrize("who", CAST)
def test_grading_pages_and_csvs_open_only_for_the_class_teachers(
    client, request, course, other_course, assignment, feedback, who
):
    _login(client, request, who)
    for url in (
        reverse("teaching:grading", args=[assignment.pk]),
        reverse("teaching:grades", args=[assignment.pk]),
        reverse("teaching:grades_csv", args=[assignment.pk]),
        reverse("teaching:gradebook_csv", args=[course.pk]),
    ):
        response = client.get(url)
        if who in TEACHERS:
            assert response.status_code == 200, (url, who)
        elif who == "anonymous":
            assert response.status_code == 302, (url, who)
        else:
            assert response.status_code in (403, 404), (url, who)
            assert SECRET not in response.content.decode()


@pytest.mark.parametrize("who", CAST)
def test_grading_writes_are_refused_to_everyone_but_the_class_teachers(
    client, request, course, other_course, assignment, student, note, rubric, who
):
    _login(client, request, who)
    writes = [
        (reverse("teaching:feedback", args=[assignment.pk, note.pk]), {"body": "Hi"}),
        (
            reverse("teaching:grade_override", args=[assignment.pk, student.pk]),
            {"score": 9, "reason": "Oral"},
        ),
        (
            reverse("teaching:grading", args=[assignment.pk]),
            {"action": "release", "when": "now"},
        ),
    ]
    for url, data in writes:
        status = client.post(url, data).status_code
        if who in TEACHERS or who == "anonymous":
            assert status == 302, (url, who, status)
        else:
            assert status in (403, 404), (url, who, status)
    assignment.refresh_from_db()
    wrote = who in TEACHERS
    assert Feedback.objects.exists() is wrote
    assert GradeOverride.objects.exists() is wrote
    assert (assignment.grades_release is not None) is wrote


def test_a_teacher_scores_a_note_from_its_card_and_goes_back_to_it(
    client, teacher, assignment, note, rubric
):
    criterion, levels = rubric
    client.force_login(teacher)
    page = _text(client.get(_part_url(assignment, f"?assignment={assignment.pk}")))
    action = reverse("teaching:feedback", args=[assignment.pk, note.pk])
    assert f'action="{action}"' in page
    assert f'name="score-{criterion.pk}"' in page
    back = _part_url(assignment, f"?assignment={assignment.pk}#card-{note.pk}")
    response = client.post(
        action,
        {
            "body": "Look again.",
            f"score-{criterion.pk}": levels["Strong"].pk,
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == back
    made = Feedback.objects.get()
    assert [s.level for s in made.scores.all()] == [levels["Strong"]]
    # Sent again: the same feedback changes, no second one.
    client.post(action, {"body": "Look once more.", f"score-{criterion.pk}": ""})
    made.refresh_from_db()
    assert made.body == "Look once more."
    assert not made.scores.exists()
    assert Feedback.objects.count() == 1


def test_no_feedback_form_on_a_teacher_s_own_notes_or_outside_an_assignment(
    client, teacher, assignment, note, rubric
):
    client.force_login(teacher)
    mode = _text(client.get(_part_url(assignment, f"?assignment={assignment.pk}")))
    own = reverse("teaching:feedback", args=[assignment.pk, assignment.highlight.pk])
    assert own not in mode
    plain = _text(client.get(_part_url(assignment)))
    assert reverse("teaching:feedback", args=[assignment.pk, note.pk]) not in plain


def test_feedback_goes_back_only_within_the_site(client, teacher, assignment, note):
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:feedback", args=[assignment.pk, note.pk]),
        {"body": "Fine.", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse(
        "teaching:student", args=[assignment.pk, note.author_id]
    )


@pytest.mark.parametrize(
    "data",
    [
        {"body": "x" * (MAX_MARKDOWN_LENGTH + 1)},
        {"body": ""},
        {"body": "Fine.", "score-CRITERION": "strong"},
        {"body": "Fine.", "score-CRITERION": "999999"},
    ],
)
def test_feedback_input_out_of_bounds_is_a_400_that_writes_nothing(
    client, teacher, assignment, note, rubric, data
):
    criterion, _levels = rubric
    data = {k.replace("CRITERION", str(criterion.pk)): v for k, v in data.items()}
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:feedback", args=[assignment.pk, note.pk]), data
    )
    assert response.status_code == 400
    assert response.content.strip()
    assert not Feedback.objects.exists()


def test_feedback_on_a_note_the_teacher_cannot_see_is_not_found(
    client, teacher, student, passage, assignment
):
    private = make_annotation(student, passage, motivation="commenting")
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:feedback", args=[assignment.pk, private.pk]), {"body": "x"}
    )
    assert response.status_code == 404


def test_the_student_sees_feedback_on_the_card_only_once_released(
    client, teacher, student, classmate, assignment, feedback
):
    url = _part_url(assignment)
    client.force_login(student)
    assert SECRET not in _text(client.get(url))
    client.force_login(classmate)
    assert SECRET not in _text(client.get(url))
    client.force_login(teacher)
    page = _text(client.get(url))
    assert SECRET in page
    assert "not released to the student yet" in page

    grades_release(teacher=teacher, assignment=assignment, when=None)
    client.force_login(student)
    page = _text(client.get(url))
    assert SECRET in page
    assert "Evidence: Strong (3)" in page
    client.force_login(classmate)
    assert SECRET not in _text(client.get(url))


def test_the_passage_s_page_of_every_note_shows_feedback_as_the_part_page_does(
    client, teacher, student, classmate, assignment, note, feedback
):
    """The part page shows a passage's first few cards and links to a page
    of them all: the feedback is on its cards there too."""
    url = reverse(
        "annotations:passage",
        args=[note.start_passage.part.edition.slug, note.start_passage.key],
    )
    client.force_login(teacher)
    page = _text(client.get(url))
    assert SECRET in page and "not released to the student yet" in page
    client.force_login(student)
    assert SECRET not in _text(client.get(url))

    grades_release(teacher=teacher, assignment=assignment, when=None)
    page = _text(client.get(url))
    assert SECRET in page and "Evidence: Strong (3)" in page
    client.force_login(classmate)
    page = _text(client.get(url))
    assert "He hides." in page  # the note is shared with the class
    assert SECRET not in page


def test_feedback_on_a_prompt_answer_shows_on_its_reply_once_released(
    client, teacher, student, classmate, assignment
):
    answer = reply_create(author=student, parent=assignment.prompt, body="A face.")
    reply_create(author=classmate, parent=assignment.prompt, body="A mask.")
    feedback_create(
        teacher=teacher, annotation=answer, assignment=assignment, body=SECRET
    )
    grades_release(teacher=teacher, assignment=assignment, when=None)
    client.force_login(student)
    assert SECRET in _text(client.get(_part_url(assignment)))
    client.force_login(classmate)
    assert SECRET not in _text(client.get(_part_url(assignment)))


def test_a_release_date_to_come_shows_nothing_yet(
    client, teacher, student, assignment, feedback
):
    grades_release(
        teacher=teacher, assignment=assignment, when=timezone.now() + timedelta(days=1)
    )
    client.force_login(student)
    for url in (
        _part_url(assignment),
        assignment.get_absolute_url(),
        reverse("annotations:notebook"),
    ):
        assert SECRET not in _text(client.get(url)), url


def test_the_student_sees_grade_and_feedback_on_the_assignment_and_notebook(
    client, teacher, student, classmate, assignment, feedback
):
    grade_override(
        teacher=teacher,
        assignment=assignment,
        student=classmate,
        score=7,
        reason="Carol's oral work",
    )
    client.force_login(student)
    before = _text(client.get(assignment.get_absolute_url()))
    assert "Your feedback and grade" not in before
    grades_release(teacher=teacher, assignment=assignment, when=None)
    page = _text(client.get(assignment.get_absolute_url()))
    assert "Your feedback and grade" in page
    assert SECRET in page
    assert "Carol's oral work" not in page
    assert SECRET in _text(client.get(reverse("annotations:notebook")))
    client.force_login(classmate)
    theirs = _text(client.get(assignment.get_absolute_url()))
    assert SECRET not in theirs
    assert "Carol&#x27;s oral work" in theirs or "Carol's oral work" in theirs
    assert SECRET not in _text(client.get(reverse("annotations:notebook")))


def test_the_grading_page_saves_a_typed_rubric_and_explains_a_bad_one(
    client, teacher, assignment
):
    client.force_login(teacher)
    url = reverse("teaching:grading", args=[assignment.pk])
    bad = client.post(url, {"action": "rubric", "rubric": "Evidence none 0"})
    assert bad.status_code == 400
    assert "has no “:”" in bad.content.decode()
    assert not assignment.criteria.exists()
    good = client.post(
        url,
        {"action": "rubric", "rubric": "Evidence: none=0, strong=3\nMotif: named=2"},
    )
    assert good.status_code == 302
    assert [
        (c.name, [(lv.label, lv.points) for lv in c.levels.all()])
        for c in assignment.criteria.all()
    ] == [("Evidence", [("none", 0), ("strong", 3)]), ("Motif", [("named", 2)])]


def test_the_grading_page_sets_rules_and_a_release_date(client, teacher, assignment):
    client.force_login(teacher)
    url = reverse("teaching:grading", args=[assignment.pk])
    response = client.post(
        url,
        {
            "action": "rules",
            "min_notes": 3,
            "min_replies": 2,
            "all_prompts": "on",
            "rule_points": 5,
        },
    )
    assert response.status_code == 302
    assert client.post(url, {"action": "rules", "min_notes": -1}).status_code == 400
    release = client.post(
        url, {"action": "release", "when": "date", "date": "2030-01-02T10:00"}
    )
    assert release.status_code == 302
    assert client.post(url, {"action": "release", "when": "date"}).status_code == 400
    assignment.refresh_from_db()
    assert (assignment.min_notes, assignment.min_replies, assignment.all_prompts) == (
        3,
        2,
        True,
    )
    assert assignment.grades_release.year == 2030
    assert not assignment.grades_released


def test_an_override_through_the_page_is_recorded_and_shown(
    client, teacher, student, assignment, feedback
):
    client.force_login(teacher)
    url = reverse("teaching:grade_override", args=[assignment.pk, student.pk])
    assert client.post(url, {"score": 5}).status_code == 400
    assert client.post(url, {"score": "x", "reason": "r"}).status_code == 400
    assert client.post(url, {"score": 5, "reason": "Oral work"}).status_code == 302
    override = GradeOverride.objects.get()
    assert (override.old_score, override.new_score, override.teacher) == (3, 5, teacher)
    dashboard = _text(client.get(reverse("teaching:grades", args=[assignment.pk])))
    assert "Oral work" in dashboard
    assert "3 → 5" in dashboard


def test_grade_csvs_are_formula_safe(
    client, teacher, student, course, assignment, note
):
    assignment.title = "=HYPERLINK(1)"
    assignment.save()
    rubric_set(
        teacher=teacher,
        assignment=assignment,
        criteria=[CriterionInput("+SUM(A1)", (("-low", 1),))],
    )
    grade_override(
        teacher=teacher, assignment=assignment, student=student, score=4, reason="@cmd"
    )
    client.force_login(teacher)
    grades = _text(client.get(reverse("teaching:grades_csv", args=[assignment.pk])))
    header, *rows = grades.splitlines()
    assert header.startswith("student,'+SUM(A1),rubric points")
    assert any(
        row.startswith("alice,0,0,1,") and row.endswith(",teacher,'@cmd")
        for row in rows
    )
    book = _text(client.get(reverse("teaching:gradebook_csv", args=[course.pk])))
    assert book.splitlines()[0] == "student,'=HYPERLINK(1) (of 1)"
    assert "alice,4" in book.splitlines()


def test_the_gradebook_lists_every_student_and_assignment(
    client, teacher, student, classmate, course, assignment, feedback
):
    client.force_login(teacher)
    lines = _text(client.get(reverse("teaching:gradebook_csv", args=[course.pk])))
    assert lines.splitlines() == ["student,The mask (of 3)", "alice,3", "carol,0"]


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _scored_class(teacher, course, assignment, rubric, n):
    criterion, levels = rubric
    for i in range(n):
        user = make_user(f"g{n}-{i}")
        Enrollment.objects.create(course=course, student=user)
        for passage in assignment.passages():
            note = make_annotation(
                user,
                passage,
                motivation="commenting",
                visibility=Visibility.COURSE,
                course=course,
            )
            feedback_create(
                teacher=teacher,
                annotation=note,
                assignment=assignment,
                body="ok",
                scores={criterion.pk: levels["Strong"].pk},
            )
        grade_override(
            teacher=teacher, assignment=assignment, student=user, score=1, reason="r"
        )
    return user


def test_grades_pages_make_the_same_queries_for_one_scored_student_and_for_six(
    client, teacher, course, assignment, rubric
):
    client.force_login(teacher)
    light = _scored_class(teacher, course, assignment, rubric, 1)
    urls = {
        "dashboard": reverse("teaching:dashboard", args=[assignment.pk]),
        "grades": reverse("teaching:grades", args=[assignment.pk]),
        "csv": reverse("teaching:grades_csv", args=[assignment.pk]),
        "student": reverse("teaching:student", args=[assignment.pk, light.pk]),
        "part": _part_url(assignment, f"?assignment={assignment.pk}"),
    }
    few = {name: _queries(client, url) for name, url in urls.items()}
    heavy = _scored_class(teacher, course, assignment, rubric, 6)
    urls["student"] = reverse("teaching:student", args=[assignment.pk, heavy.pk])
    many = {name: _queries(client, url) for name, url in urls.items()}
    assert many == few


def test_the_dashboard_shows_each_grade_and_how_it_was_reached(
    client, teacher, assignment, feedback
):
    client.force_login(teacher)
    page = client.get(reverse("teaching:dashboard", args=[assignment.pk]))
    grades_url = reverse("teaching:grades", args=[assignment.pk])
    assert f'href="{grades_url}"' in page.content.decode()
    html = client.get(grades_url).content.decode()
    assert "Evidence: Strong 3" in html
    assert "3 / 3" in html


def test_the_grading_page_says_why_a_scored_rubric_cannot_change(
    client, teacher, assignment, feedback
):
    client.force_login(teacher)
    response = client.post(
        reverse("teaching:grading", args=[assignment.pk]),
        {"action": "rubric", "rubric": "Other: a=1"},
    )
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert [c.name for c in assignment.criteria.all()] == ["Evidence"]


def test_a_student_deleting_a_scored_note_keeps_its_feedback_and_grade(
    client, teacher, student, note, assignment, feedback
):
    from annotations.services import annotation_delete

    assert annotation_delete(annotation=note, user=student) is True
    feedback.refresh_from_db()
    assert feedback.annotation is None
    assert feedback.scores.count() == 1
    client.force_login(teacher)
    page = client.get(reverse("teaching:student", args=[assignment.pk, student.pk]))
    assert SECRET in page.content.decode()
    assert page.context["grade"].final == 3
    grades_release(teacher=teacher, assignment=assignment, when=None)
    client.force_login(student)
    mine = _text(client.get(assignment.get_absolute_url()))
    assert SECRET in mine
    assert "A note you have since deleted" in mine
    assert SECRET in _text(client.get(reverse("annotations:notebook")))
