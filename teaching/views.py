"""Classes, assignments, the students' home and the teacher's dashboard (the
teaching app's share of the reader's pages is in contributions)."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from annotations.cards import marked_text
from annotations.inputs import (
    AnnotationInputSerializer,
    TargetSerializer,
    target_input,
)
from annotations.models import Annotation, Colour, Motivation, Visibility
from annotations.selectors import Highlight, highlight_segments
from classes.models import Course, Enrollment
from classes.selectors import attends, is_teacher, teaches
from classes.services import (
    JoinsPaused,
    coteacher_add,
    course_create,
    course_join,
    enrollment_remove,
    join_code_regenerate,
    join_code_switch,
)
from config.json_input import json_body, json_endpoint
from config.limits import refusal
from config.throttling import throttle
from reader.access import can_read
from reader.anchoring import AnchorState
from reader.markdown import sanitise_html
from reader.models import Part, Passage

from . import exports
from .forms import (
    AssignmentForm,
    CopyForm,
    CourseEditionForm,
    CourseForm,
    JoinForm,
    OverrideForm,
    ParticipationForm,
    ReleaseForm,
    RubricCopyForm,
    RubricForm,
    rubric_text,
)
from .grading import grades
from .models import Assignment, Feedback
from .selectors import (
    dashboard as dashboard_data,
)
from .selectors import (
    prompts,
    student_home,
    student_work,
    visible_assignment,
)
from .services import (
    assignment_copy,
    assignment_note_create,
    assignment_save,
    completion_mark,
    course_edition_change,
    criteria_of,
    feedback_create,
    feedback_update,
    grade_override,
    grades_release,
    grades_withhold,
    participation_rules_set,
    rubric_copy,
    rubric_make_class_default,
    rubric_set,
)
from .tables import heat_html, roster_html


def _course_for(request: HttpRequest, pk: object) -> tuple[Course, bool]:
    """A course its teachers and students may open; 404 for everyone else."""
    course = get_object_or_404(Course.objects.select_related("edition"), pk=pk)
    teacher = teaches(request.user, course)
    if not teacher and not attends(request.user, course):
        raise Http404
    return course, teacher


def _taught_course(request: HttpRequest, pk: object) -> Course:
    course, teacher = _course_for(request, pk)
    if not teacher:
        raise PermissionDenied
    return course


def _taught_assignment(request: HttpRequest, pk: object) -> Assignment:
    assignment = visible_assignment(request.user, pk)
    if assignment is None:
        raise Http404
    if not teaches(request.user, assignment.course):
        raise PermissionDenied
    return assignment


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teaching/home.html",
        {
            "is_teacher": is_teacher(request.user),
            "taught": list(
                Course.objects.taught_by(request.user).select_related("edition")
            ),
            "attended": student_home(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    if not is_teacher(request.user):
        raise PermissionDenied
    form = CourseForm(
        request.POST or None,
        user=request.user,
        initial={"edition": settings.THREE_NOTEBOOKS_DEFAULT_EDITION},
    )
    if request.method == "POST" and form.is_valid():
        course = course_create(teacher=request.user, **form.cleaned_data)
        messages.success(
            request, _("Class created. Share its code with your students.")
        )
        return redirect(course)
    return render(
        request,
        "teaching/course_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course, teacher = _course_for(request, pk)
    assignments = course.assignments.select_related("start_passage", "end_passage")
    if not teacher:
        assignments = assignments.filter(published=True)
    return render(
        request,
        "teaching/course_detail.html",
        {
            "course": course,
            "teacher": teacher,
            "assignments": list(assignments),
            "roster": list(course.enrollments.select_related("student"))
            if teacher
            else [],
            "teachers": list(course.teachers.all()),
            "edition_form": CourseEditionForm(
                user=request.user,
                course=course,
                initial={"edition": course.edition.slug},
            )
            if teacher
            else None,
        },
    )


@login_required
@require_POST
def course_edition(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch the class to another edition its members may all read."""
    course = _taught_course(request, pk)
    form = CourseEditionForm(request.POST, user=request.user, course=course)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(course)
    try:
        course_edition_change(
            course=course, teacher=request.user, edition=form.cleaned_data["edition"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The class now reads %s.") % form.cleaned_data["edition"].title
        )
    return redirect(course)


@login_required
@require_POST
def course_code(request: HttpRequest, pk: int) -> HttpResponse:
    course = _taught_course(request, pk)
    action = request.POST.get("action")
    if action == "regenerate":
        join_code_regenerate(course=course, teacher=request.user)
        messages.success(request, _("A new code; the old one no longer works."))
    elif action in ("open", "close"):
        join_code_switch(course=course, teacher=request.user, enabled=action == "open")
    return redirect(course)


@login_required
@require_POST
def course_coteacher(request: HttpRequest, pk: int) -> HttpResponse:
    course = _taught_course(request, pk)
    try:
        coteacher_add(
            course=course,
            teacher=request.user,
            username=request.POST.get("username", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(course)


@login_required
@require_POST
def roster_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    course = _taught_course(request, pk)
    student = get_object_or_404(get_user_model(), pk=user_id)
    enrollment_remove(course=course, student=student, by=request.user)
    messages.success(
        request, _("%s left the class. Their notes are kept.") % student.get_username()
    )
    return redirect(course)


@login_required
@require_POST
def course_leave(request: HttpRequest, pk: int) -> HttpResponse:
    course, _teacher = _course_for(request, pk)
    enrollment_remove(course=course, student=request.user, by=request.user)
    messages.success(request, _("You left %s. Your notes are kept.") % course.name)
    return redirect("teaching:home")


@login_required
@throttle("join_address", key="ip")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            course = course_join(student=request.user, code=form.cleaned_data["code"])
        except JoinsPaused as exc:
            form.add_error("code", exc.message_dict["code"])
            retry_after = exc.retry_after
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            messages.success(request, _("Welcome to %s.") % course.name)
            return redirect(course)
    response = render(
        request,
        "teaching/join.html",
        {"form": form},
        status=429 if retry_after else 400 if form.errors else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assignment_form(
    request: HttpRequest, pk: int | None = None, course_pk: int | None = None
) -> HttpResponse:
    assignment = _taught_assignment(request, pk) if pk else None
    course = assignment.course if assignment else _taught_course(request, course_pk)
    if not can_read(request.user, course.edition_id):
        # Its passages are not the teacher's to pick from.
        raise Http404
    initial = {"answer_first": True}
    if assignment:
        initial = {
            "title": assignment.title,
            "instructions": assignment.instructions,
            "start_passage": assignment.start_passage.key,
            "end_passage": assignment.end_passage.key,
            "due": assignment.due,
            "focus_motifs": list(assignment.focus_motifs.all()),
            "answer_first": assignment.answer_first,
            "published": assignment.published,
        }
    for name in ("start_passage", "end_passage"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    first_part = course.edition.parts.order_by("order").first()
    form = AssignmentForm(request.POST or None, course=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = assignment_save(
            teacher=request.user,
            course=course,
            assignment=assignment,
            **{
                k: data[k]
                for k in (
                    "title",
                    "instructions",
                    "start_passage",
                    "end_passage",
                    "due",
                    "focus_motifs",
                    "published",
                    "answer_first",
                )
            },
        )
        if form.due_in_past:
            messages.warning(
                request, _("Saved. Note that the due date is in the past.")
            )
        else:
            messages.success(request, _("Saved."))
        return redirect(saved)
    return render(
        request,
        "teaching/assignment_form.html",
        {
            "form": form,
            "course": course,
            "assignment": assignment,
            "pick_href": (
                f"{first_part.get_absolute_url()}?pick={course.pk}"
                if first_part
                else ""
            ),
            "keys": list(
                Passage.objects.filter(edition=course.edition)
                .in_reading_order()
                .values_list("key", flat=True)
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = visible_assignment(request.user, pk)
    if assignment is None:
        raise Http404
    teacher = teaches(request.user, assignment.course)
    done = assignment.completions.filter(student=request.user).first()
    other_courses = Course.objects.taught_by(request.user).exclude(
        pk=assignment.course_id
    )
    return render(
        request,
        "teaching/assignment_detail.html",
        {
            "assignment": assignment,
            "teacher": teacher,
            "prompts": prompts(assignment, request.user),
            "done": done,
            "copy_form": CopyForm(courses=other_courses) if teacher else None,
            "parts": _parts_in_range(assignment),
            **({} if teacher else _own_results(assignment, request.user)),
        },
    )


def _own_results(assignment: Assignment, student: AbstractBaseUser) -> dict:
    """A student's own feedback and grade, once released (nothing before)."""
    if not assignment.grades_released or not attends(student, assignment.course):
        return {}
    feedback = list(
        Feedback.objects.visible_to(student)
        .filter(assignment=assignment, student=student)
        .select_related(
            "teacher",
            "assignment",
            "annotation__start_passage__part__edition",
            "annotation__reply_to__start_passage__part__edition",
        )
        .prefetch_related("scores__criterion", "scores__level")
    )
    return {
        "own_grade": grades(assignment, student_ids=[student.pk]).get(student.pk),
        "own_feedback": feedback,
    }


def _parts_in_range(assignment: Assignment) -> list[Part]:
    start, end = assignment.start_passage.part, assignment.end_passage.part
    return list(
        Part.objects.filter(
            edition=start.edition_id, order__gte=start.order, order__lte=end.order
        ).select_related("edition")
    )


@login_required
@require_POST
def assignment_done(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = visible_assignment(request.user, pk)
    if assignment is None:
        raise Http404
    try:
        completion_mark(
            assignment=assignment,
            student=request.user,
            done=request.POST.get("done") != "0",
        )
    except PermissionDenied:
        messages.error(request, _("Only students of the class mark assignments done."))
    return redirect(assignment)


@login_required
@require_POST
def assignment_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _taught_assignment(request, pk)
    form = CopyForm(request.POST, courses=Course.objects.taught_by(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of your other classes."))
        return redirect(assignment)
    copy = assignment_copy(
        assignment=assignment, teacher=request.user, course=form.cleaned_data["course"]
    )
    messages.success(request, _("Copied as a draft, with its highlights and prompts."))
    return redirect(copy)


class AssignmentItemInputSerializer(AnnotationInputSerializer):
    """The API's JSON, from the same annotate dialog; the edition and the
    class are the assignment's, and there is nothing to reply to."""

    target = TargetSerializer()
    reply_to = None


@login_required
@require_POST
@json_endpoint
def assignment_item(request: HttpRequest, pk: int) -> JsonResponse:
    """The reader's annotate dialog, in a teacher's assignment: a highlight or
    a prompt for the class, or a note with the visibility the teacher chose.
    Same JSON as /api/annotations/."""
    assignment = visible_assignment(request.user, pk)
    if assignment is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    if not teaches(request.user, assignment.course):
        raise PermissionDenied(_("Only the class's teachers add prompts."))
    data = json_body(request, AssignmentItemInputSerializer)
    annotation = assignment_note_create(
        teacher=request.user,
        assignment=assignment,
        target=target_input(data["target"]),
        quote=data["target"].get("quote"),
        motivation=data.get("motivation", Motivation.HIGHLIGHTING),
        # Without a choice, as before: shared with the class.
        visibility=data.get("visibility", Visibility.COURSE),
        body=data.get("body", ""),
        colour=data.get("colour", Colour.YELLOW),
        tags=data.get("tags", ()),
        editorial=data.get("editorial", False),
    )
    return JsonResponse({"id": str(annotation.pk)}, status=201)


@login_required
def assignment_handout(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = visible_assignment(request.user, pk)
    if assignment is None:
        raise Http404
    passages = list(assignment.passages().select_related("part"))
    # What this reader may see of the highlights (the one visibility rule),
    # and nothing deleted or orphaned by a revision.
    items = list(
        assignment.items.filter(
            annotation__in=Annotation.objects.visible_to(request.user),
            annotation__deleted__isnull=True,
        )
        .exclude(annotation__anchor_state=AnchorState.ORPHANED)
        .select_related("annotation__start_passage", "annotation__end_passage")
    )
    index = {p.pk: i for i, p in enumerate(passages)}
    highlights = [
        Highlight(
            ident=str(a.pk),
            first=index[a.start_passage_id],
            start=a.start_offset,
            last=index[a.end_passage_id],
            end=a.end_offset,
            css="hl-assignment",
        )
        for a in (item.annotation for item in items)
        if a.start_passage_id in index and a.end_passage_id in index
    ]
    # The handout marks the reading in one style, overlapping or not.
    segments = highlight_segments(passages, highlights, overlaps=False)
    handout = [(p, marked_text(segments[p.pk])) for p in passages]
    return render(
        request,
        "teaching/handout.html",
        {
            "assignment": assignment,
            "passages": handout,
            "prompts": [
                p for p in prompts(assignment, request.user) if not p.is_deleted
            ],
        },
    )


@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _taught_assignment(request, pk)
    sort = request.GET.get("sort", "name")
    data = dashboard_data(assignment, request.user, sort)
    heat_bars, heat_rows = heat_html(assignment, data)
    return render(
        request,
        "teaching/dashboard.html",
        {
            "assignment": assignment,
            "data": data,
            "heat_bars": heat_bars,
            "heat_rows": heat_rows,
            "roster": roster_html(assignment, data),
            "sort": sort,
            "columns": [
                ("name", _("Student")),
                ("read", _("Read")),
                ("annotations", _("Annotations")),
                ("answers", _("Prompt answers")),
                ("replies", _("Replies to classmates")),
                ("activity", _("Last activity")),
                ("status", _("Done")),
            ],
        },
    )


@login_required
def dashboard_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    assignment = _taught_assignment(request, pk)
    body = exports.roster_csv(dashboard_data(assignment, request.user))
    return _csv_response(body, f"assignment-{assignment.pk}-roster.csv")


@login_required
def annotations_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """All the class's annotations in the range that the teacher may see."""
    assignment = _taught_assignment(request, pk)
    body = exports.annotations_csv(assignment, teacher=request.user)
    return _csv_response(body, f"assignment-{assignment.pk}-annotations.csv")


def _csv_response(body: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    # Streamed; who may have it (and which assignment) is settled before.
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def student_detail(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    assignment = _taught_assignment(request, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student"),
        course=assignment.course,
        student_id=user_id,
    )
    return render(
        request,
        "teaching/student_detail.html",
        {
            "assignment": assignment,
            "student": enrollment.student,
            "work": _with_feedback(
                assignment, _work_shown(assignment, request.user, user_id)
            ),
            "grade": grades(assignment, teacher=request.user, student_ids=[user_id])[
                user_id
            ],
            "override_form": OverrideForm(),
            # Kept when the student deleted the note it was on.
            "feedback_on_deleted": list(
                Feedback.objects.filter(
                    assignment=assignment, student_id=user_id, annotation__isnull=True
                )
                .select_related("teacher", "assignment")
                .prefetch_related("scores__criterion", "scores__level")
            ),
        },
    )


def _with_feedback(assignment: Assignment, work: list[Annotation]) -> list[Annotation]:
    """Each note with its feedback for this assignment and the rubric's
    levels ready for the form (three queries, however many notes)."""
    criteria = list(assignment.criteria.prefetch_related("levels"))
    found = {
        f.annotation_id: f
        for f in Feedback.objects.filter(
            assignment=assignment, annotation__in=[a.pk for a in work]
        )
        .select_related("teacher", "assignment")
        .prefetch_related("scores__criterion", "scores__level")
    }
    for annotation in work:
        feedback = found.get(annotation.pk)
        chosen = (
            {s.criterion_id: s.level_id for s in feedback.scores.all()}
            if feedback
            else {}
        )
        annotation.feedback_here = feedback
        annotation.score_fields = [
            (c, [(lv, chosen.get(c.pk) == lv.pk) for lv in c.levels.all()])
            for c in criteria
        ]
    return work


def _work_shown(
    assignment: Assignment, teacher: AbstractBaseUser, student_id: int
) -> list[Annotation]:
    """The student's work with its link and note ready to show: the note as
    rendered when it was written (cleaned again, as the reader shows it), not
    Markdown run again per note; one address per part, not one per note."""
    work = student_work(assignment, teacher, student_id)
    part_urls: dict[int, str] = {}
    for annotation in work:
        place = annotation.place
        if place.part_id not in part_urls:
            part_urls[place.part_id] = place.part.get_absolute_url()
        annotation.place_url = (
            f"{part_urls[place.part_id]}?assignment={assignment.pk}#{place.key}"
        )
        annotation.note_html = sanitise_html(annotation.body_html)
    return work


# Feedback and grades ------------------------------------------------------


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a form posted from a card or a page goes back to: `next` if it
    is on this site, else `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def grading(request: HttpRequest, pk: int) -> HttpResponse:
    """An assignment's rubric, participation rules and release."""
    assignment = _taught_assignment(request, pk)
    others = (
        Assignment.objects.filter(course__in=Course.objects.taught_by(request.user))
        .exclude(pk=assignment.pk)
        .select_related("course")
        .order_by("course__name", "due")
    )
    action = request.POST.get("action") if request.method == "POST" else None
    rubric_form = RubricForm(
        request.POST if action == "rubric" else None,
        initial={"rubric": rubric_text(criteria_of(assignment))},
    )
    copy_form = RubricCopyForm(
        request.POST if action == "copy" else None, assignments=others
    )
    rules_form = ParticipationForm(
        request.POST if action == "rules" else None,
        initial={
            name: getattr(assignment, name) for name in ParticipationForm.base_fields
        },
    )
    release_form = ReleaseForm(
        request.POST if action == "release" else None,
        initial={
            "when": "withhold"
            if assignment.grades_release is None
            else "date"
            if not assignment.grades_released
            else "now",
            "date": assignment.grades_release,
        },
    )
    try:
        if action == "rubric" and rubric_form.is_valid():
            rubric_set(
                teacher=request.user,
                assignment=assignment,
                criteria=rubric_form.cleaned_data["rubric"],
            )
            messages.success(request, _("Rubric saved."))
            return redirect("teaching:grading", pk=assignment.pk)
        if action == "copy" and copy_form.is_valid():
            choice = copy_form.cleaned_data["source"]
            rubric_copy(
                teacher=request.user,
                assignment=assignment,
                source=assignment.course
                if choice == "default"
                else copy_form.assignments[choice],
            )
            messages.success(request, _("Rubric copied."))
            return redirect("teaching:grading", pk=assignment.pk)
        if action == "default":
            rubric_make_class_default(teacher=request.user, assignment=assignment)
            messages.success(request, _("This rubric is now the class's default."))
            return redirect("teaching:grading", pk=assignment.pk)
        if action == "rules" and rules_form.is_valid():
            participation_rules_set(
                teacher=request.user, assignment=assignment, **rules_form.cleaned_data
            )
            messages.success(request, _("Participation rules saved."))
            return redirect("teaching:grading", pk=assignment.pk)
        if action == "release" and release_form.is_valid():
            when = release_form.cleaned_data["when"]
            if when == "withhold":
                grades_withhold(teacher=request.user, assignment=assignment)
                messages.success(request, _("Feedback and grades are held back."))
            else:
                grades_release(
                    teacher=request.user,
                    assignment=assignment,
                    when=release_form.cleaned_data["date"] if when == "date" else None,
                )
                messages.success(request, _("Release saved."))
            return redirect("teaching:grading", pk=assignment.pk)
    except ValidationError as exc:
        target = rubric_form if action in ("rubric", "copy", "default") else rules_form
        if action == "copy":
            target = copy_form
        target.add_error(None, exc.messages)
    invalid = request.method == "POST"
    return render(
        request,
        "teaching/grading.html",
        {
            "assignment": assignment,
            "criteria": list(assignment.criteria.prefetch_related("levels")),
            "has_default": assignment.course.default_criteria.exists(),
            "rubric_form": rubric_form,
            "copy_form": copy_form,
            "rules_form": rules_form,
            "release_form": release_form,
        },
        status=400 if invalid else 200,
    )


@login_required
@require_POST
def feedback_save(request: HttpRequest, pk: int, annotation_id: str) -> HttpResponse:
    """Write or change the feedback (and scores) on a student's note, from
    its card in the reader or from the student's page."""
    assignment = _taught_assignment(request, pk)
    annotation = (
        Annotation.objects.visible_to(request.user)
        .filter(pk=annotation_id)
        .select_related("author")
        .first()
    )
    if annotation is None:
        raise Http404
    scores: dict[int, int | None] = {}
    for criterion_id in assignment.criteria.values_list("pk", flat=True):
        value = request.POST.get(f"score-{criterion_id}")
        if value is None:
            continue
        if value and not value.isdigit():
            return refusal(request, _("Choose a level from the list."), 400)
        scores[criterion_id] = int(value) if value else None
    body = request.POST.get("body", "")
    existing = Feedback.objects.filter(
        annotation=annotation, assignment=assignment
    ).first()
    try:
        if existing:
            feedback_update(
                teacher=request.user, feedback=existing, body=body, scores=scores
            )
        else:
            feedback_create(
                teacher=request.user,
                annotation=annotation,
                assignment=assignment,
                body=body,
                scores=scores,
            )
    except ValidationError as exc:
        return refusal(request, " ".join(exc.messages), 400)
    messages.success(request, _("Feedback saved."))
    return redirect(
        _back(
            request,
            reverse("teaching:student", args=[assignment.pk, annotation.author_id]),
        )
    )


@login_required
@require_POST
def grade_override_view(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    assignment = _taught_assignment(request, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student"),
        course=assignment.course,
        student_id=user_id,
    )
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return refusal(
            request,
            " ".join(e for errors in form.errors.values() for e in errors),
            400,
        )
    grade_override(
        teacher=request.user,
        assignment=assignment,
        student=enrollment.student,
        **form.cleaned_data,
    )
    messages.success(request, _("Score changed; the change is recorded."))
    return redirect("teaching:student", pk=assignment.pk, user_id=user_id)


@login_required
def grades_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The assignment's grades, one student a line, a column per criterion."""
    assignment = _taught_assignment(request, pk)
    body = exports.grades_csv(assignment, teacher=request.user)
    return _csv_response(body, f"assignment-{assignment.pk}-grades.csv")


@login_required
def gradebook_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The class's gradebook: students × assignments."""
    course = _taught_course(request, pk)
    body = exports.gradebook_csv(course, teacher=request.user)
    return _csv_response(body, f"class-{course.pk}-gradebook.csv")


@login_required
def grades_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's grades: each student's score and how it was reached."""
    assignment = _taught_assignment(request, pk)
    data = dashboard_data(assignment, request.user)
    found = grades(assignment, teacher=request.user, data=data)
    return render(
        request,
        "teaching/grades.html",
        {
            "assignment": assignment,
            "grades": [(row.student, found[row.student.pk]) for row in data.rows],
        },
    )
