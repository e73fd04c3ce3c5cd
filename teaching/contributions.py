"""Teaching's share of the reader's pages: an assignment's range, prompts and
class defaults on the part page, a teacher picking a range, and the
assignment's parts marked in the contents (see reader.contributions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotations.contributions import CardAddenda, ClassNotes
from annotations.models import Annotation
from classes.models import Course, Enrollment
from classes.selectors import teaches
from reader.contributions import (
    EMPTY,
    ContentsPage,
    ContentsPartSlots,
    ContentsSlots,
    Contribution,
    PartPage,
    PartSlots,
    PassageSlots,
)
from reader.markdown import format_escaped, sanitise_html
from reader.models import Part, Passage

from .models import Assignment, Feedback
from .selectors import prompts, visible_assignment


def _assignment(request: HttpRequest) -> Assignment | None:
    pk = request.GET.get("assignment", "")
    return visible_assignment(request.user, pk) if pk.isdigit() else None


class AssignmentContribution(Contribution):
    """?assignment=<id>: the range marked, the prompts in order, the teacher's
    highlights set apart, and class defaults for notes. ?pick=<class>: a
    teacher picks an assignment's range by clicking "Start here" and "End
    here" on passages."""

    carried_parameters = ("assignment", "pick", "start_passage", "end_passage")

    def __init__(self) -> None:
        self.assignment: Assignment | None = None
        self.teacher = False
        # Ids of this part's passages in the assignment's range.
        self.in_range: set[int] = set()
        # On the contents: ids of the parts the range runs through.
        self.parts_in_range: set[int] = set()
        self.prompts: list = []
        self.pick: dict[str, str] = {}

    def prepare_part(self, page: PartPage) -> None:
        request = page.request
        self.pick = self._pick(request, page.part)
        assignment = _assignment(request)
        if assignment is None or assignment.course.edition_id != page.part.edition_id:
            self._offer_feedback(page)
            return
        self.assignment = assignment
        self.in_range = set(assignment.passages().values_list("pk", flat=True))
        self.teacher = teaches(request.user, assignment.course)
        self.prompts = prompts(assignment, request.user)
        self._offer_feedback(page)
        page.offer(
            ClassNotes(
                course=assignment.course,
                teacher=self.teacher,
                api_url=(
                    reverse("teaching:assignment_items", args=[assignment.pk])
                    if self.teacher
                    else ""
                ),
            )
        )

    def _offer_feedback(self, page: PartPage) -> None:
        if not page.request.user.is_authenticated:
            return
        cards = FeedbackOnCards(
            page.request,
            page.part,
            assignment=self.assignment if self.teacher else None,
            in_range=self.in_range,
        )
        page.offer(CardAddenda(render=cards.render))

    def _pick(self, request: HttpRequest, part: Part) -> dict[str, str]:
        pk = request.GET.get("pick", "")
        if not pk.isdigit() or not request.user.is_authenticated:
            return {}
        course = Course.objects.taught_by(request.user).filter(pk=pk).first()
        if course is None or course.edition_id != part.edition_id:
            return {}
        return {
            "pick_url": reverse("teaching:assignment_new", args=[course.pk]) + "?",
            "pick_start": request.GET.get("start_passage", "")[:64],
            "pick_end": request.GET.get("end_passage", "")[:64],
        }

    def passage_in_assignment(self, passage: Passage) -> bool:
        return passage.pk in self.in_range

    def part_in_assignment(self, part: Part) -> bool:
        return part.pk in self.parts_in_range

    def render_part(self, page: PartPage) -> PartSlots:
        slots = PartSlots()
        if self.assignment is not None:
            slots.before_passages = page.render(
                "teaching/_assignment_bar.html",
                {
                    "assignment": self.assignment,
                    "assignment_teacher": self.teacher,
                    "assignment_prompts": self.prompts,
                },
            )
        if not (self.in_range or self.pick):
            return slots
        for _number, passage in page.rendered:
            slots.passages[passage.key] = PassageSlots(
                classes=(
                    ("in-assignment",) if self.passage_in_assignment(passage) else ()
                ),
                meta=(
                    page.render(
                        "teaching/_pick_links.html", {**self.pick, "passage": passage}
                    )
                    if self.pick
                    else EMPTY
                ),
            )
        return slots

    def render_contents(self, page: ContentsPage) -> ContentsSlots:
        """?assignment=<id> on the contents: the parts of the range are marked."""
        assignment = _assignment(page.request)
        if assignment is None:
            return ContentsSlots()
        first = assignment.start_passage.part.order
        last = assignment.end_passage.part.order
        self.parts_in_range = {
            part.pk for part in page.parts if first <= part.order <= last
        }
        label = page.render("teaching/_toc_assignment.html", {})
        return ContentsSlots(
            before_contents=page.render(
                "teaching/_contents_assignment.html", {"assignment": assignment}
            ),
            parts={
                part.slug: ContentsPartSlots(
                    classes=("in-assignment",),
                    label=label,
                    query={"assignment": str(assignment.pk)},
                )
                for part in page.parts
                if self.part_in_assignment(part)
            },
        )


FEEDBACK = (
    '<section class="card-feedback" aria-label="{label}">'
    '<p class="card-feedback-head">{head}{held}</p>{body}{scores}</section>'
)
FEEDBACK_FORM = (
    '<details class="feedback-box"{open}><summary>{summary}</summary>'
    '<form method="post" action="{action}">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="next" value="{next}">'
    '<label for="feedback-{pk}">{label}</label>'
    '<textarea id="feedback-{pk}" name="body" rows="3" maxlength="10000">{body}'
    "</textarea>{scores}"
    '<button type="submit" class="button button-small">{save}</button>'
    "</form></details>"
)


def feedback_on_passage_cards(
    request: HttpRequest, passage: Passage
) -> Callable[[Annotation, Annotation], SafeString] | None:
    """The feedback shown under the cards of a passage's page of every note
    (THREE_NOTEBOOKS_CARD_ADDENDA), as on its part page: released feedback
    to the note's author, all of it to the class's teachers."""
    if not request.user.is_authenticated:
        return None
    return FeedbackOnCards(
        request, passage.part, assignment=None, in_range=set()
    ).render


class FeedbackOnCards:
    """A teacher's private feedback on the cards of a part page: shown to
    the note's author once released and to the class's teachers always
    (Feedback.objects.visible_to, one query for the page); and, to a
    teacher reading in an assignment, a form to give it on each of the
    class's students' notes in its range."""

    def __init__(
        self,
        request: HttpRequest,
        part: Part,
        *,
        assignment: Assignment | None,
        in_range: set[int],
    ) -> None:
        on_part = Q(annotation__start_passage__part=part) | Q(
            annotation__reply_to__start_passage__part=part
        )
        self.feedback: dict[object, list[Feedback]] = defaultdict(list)
        for feedback in (
            Feedback.objects.visible_to(request.user)
            .filter(on_part)
            .select_related("teacher", "assignment")
            .prefetch_related("scores__criterion", "scores__level")
        ):
            self.feedback[feedback.annotation_id].append(feedback)
        self.user_id = request.user.pk
        self.assignment = assignment
        self.in_range = in_range
        self.labels = {
            "label": _("Feedback from your teacher"),
            "head": _("Feedback"),
            "held": _("not released to the student yet"),
            "give": _("Give feedback"),
            "change": _("Change the feedback"),
            "form": _("Feedback (only the student and the class's teachers see it)"),
            "not_scored": _("not scored"),
            "save": _("Save feedback"),
        }
        if assignment is not None:
            self.students = set(
                Enrollment.objects.filter(course=assignment.course_id).values_list(
                    "student_id", flat=True
                )
            )
            self.criteria = list(assignment.criteria.prefetch_related("levels"))
            marker = "00000000-0000-0000-0000-000000000000"
            self.action = reverse(
                "teaching:feedback", args=[assignment.pk, marker]
            ).replace(marker, "{}")
            self.next = request.get_full_path()
            self.csrf = get_token(request)

    def render(self, annotation: Annotation, card: Annotation) -> SafeString:
        shown = [self._shown(f) for f in self.feedback.get(annotation.pk, ())]
        if self._may_give(annotation, card):
            shown.append(self._form(annotation))
        return SafeString("".join(shown))

    def _shown(self, feedback: Feedback) -> SafeString:
        scores = [
            format_escaped(
                "<li>{}: {} ({})</li>",
                s.criterion.name,
                s.level.label,
                s.level.points,
            )
            for s in feedback.scores.all()
        ]
        teacher = feedback.teacher.get_username() if feedback.teacher else ""
        return format_escaped(
            FEEDBACK,
            label=self.labels["label"],
            head=f"{self.labels['head']} · {feedback.assignment.title}"
            + (f" · {teacher}" if teacher else ""),
            held=format_escaped(" · <em>{}</em>", self.labels["held"])
            if not feedback.assignment.grades_released
            else "",
            body=format_escaped(
                '<div class="card-body">{}</div>', sanitise_html(feedback.body_html)
            )
            if feedback.body_html
            else "",
            scores=format_escaped(
                '<ul class="card-scores">{}</ul>', SafeString("".join(scores))
            )
            if scores
            else "",
        )

    def _may_give(self, annotation: Annotation, card: Annotation) -> bool:
        """A form where the service would accept it: a student's note (or
        answer) in the assignment's range (the service checks it again)."""
        return (
            self.assignment is not None
            and annotation.author_id in self.students
            and annotation.author_id != self.user_id
            and not annotation.is_deleted
            and card.start_passage_id in self.in_range
        )

    def _form(self, annotation: Annotation) -> SafeString:
        here = next(
            (
                f
                for f in self.feedback.get(annotation.pk, ())
                if f.assignment_id == self.assignment.pk
            ),
            None,
        )
        chosen = {s.criterion_id: s.level_id for s in here.scores.all()} if here else {}
        fields = []
        for criterion in self.criteria:
            options = [
                format_escaped(
                    '<option value="">{}</option>', self.labels["not_scored"]
                )
            ]
            options += [
                format_escaped(
                    '<option value="{}"{}>{} ({})</option>',
                    level.pk,
                    " selected" if chosen.get(criterion.pk) == level.pk else "",
                    level.label,
                    level.points,
                )
                for level in criterion.levels.all()
            ]
            fields.append(
                format_escaped(
                    '<label for="score-{pk}-{c}">{name}</label>'
                    '<select id="score-{pk}-{c}" name="score-{c}">{options}</select>',
                    pk=annotation.pk,
                    c=criterion.pk,
                    name=criterion.name,
                    options=SafeString("".join(options)),
                )
            )
        return format_escaped(
            FEEDBACK_FORM,
            open=" open" if here else "",
            summary=self.labels["change" if here else "give"],
            action=self.action.format(annotation.pk),
            csrf=self.csrf,
            next=f"{self.next}#card-{annotation.pk}",
            pk=annotation.pk,
            label=self.labels["form"],
            body=here.body if here else "",
            scores=SafeString("".join(fields)),
            save=self.labels["save"],
        )
