"""Teaching's share of the reader's pages: an assignment's range, prompts and
class defaults on the part page, a teacher picking a range, and the
assignment's parts marked in the contents (see reader.contributions)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from annotations.contributions import ClassNotes
from classes.models import Course
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
from reader.models import Part, Passage

from .models import Assignment
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
            return
        self.assignment = assignment
        self.in_range = set(assignment.passages().values_list("pk", flat=True))
        self.teacher = teaches(request.user, assignment.course)
        self.prompts = prompts(assignment, request.user)
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
