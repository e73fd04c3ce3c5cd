"""A student's score for an assignment, and how it was reached.

Rubric scores are given per note (a teacher scores a note on the
assignment's rubric, from the card or the student's page). A student's
rubric points for the assignment are, per criterion, the best level any of
their notes in it reached: a skill shown once is shown, more notes cannot
inflate a criterion past its top level, and a weaker note never lowers it.
Participation rules each earn the assignment's `rule_points` when met.
The score is the sum, unless a teacher overrode it (the latest override is
the score; every one is kept and shown).

Counts are those of the dashboard (teaching.selectors.dashboard): what the
class's teachers may see of the students' work, so private notes never count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count
from django.utils.translation import gettext as _

from annotations.models import Annotation, Motivation

from .models import Assignment, GradeOverride, Score
from .selectors import Dashboard, dashboard


@dataclass(frozen=True)
class CriterionResult:
    name: str
    # The best level reached ("" if no note was scored on this criterion).
    level: str
    points: int
    maximum: int


@dataclass(frozen=True)
class RuleResult:
    label: str
    met: bool
    points: int


@dataclass
class Grade:
    student_id: int
    criteria: list[CriterionResult] = field(default_factory=list)
    rules: list[RuleResult] = field(default_factory=list)
    points_per_rule: int = 0
    overrides: list[GradeOverride] = field(default_factory=list)

    @property
    def rubric_points(self) -> int:
        return sum(c.points for c in self.criteria)

    @property
    def rubric_maximum(self) -> int:
        return sum(c.maximum for c in self.criteria)

    @property
    def participation_points(self) -> int:
        return sum(r.points for r in self.rules)

    @property
    def participation_maximum(self) -> int:
        return self.points_per_rule * len(self.rules)

    @property
    def computed(self) -> int:
        return self.rubric_points + self.participation_points

    @property
    def maximum(self) -> int:
        return self.rubric_maximum + self.participation_maximum

    @property
    def override(self) -> GradeOverride | None:
        return self.overrides[-1] if self.overrides else None

    @property
    def final(self) -> int:
        override = self.override
        return override.new_score if override else self.computed


def best_levels(
    criteria: Sequence[tuple[int, str, int]],
    scores: Iterable[tuple[int, str, int]],
) -> list[CriterionResult]:
    """Per criterion (id, name, top points), the best of the levels
    (criterion id, label, points) given to a student's notes."""
    best: dict[int, tuple[str, int]] = {}
    for criterion_id, label, points in scores:
        if criterion_id not in best or points > best[criterion_id][1]:
            best[criterion_id] = (label, points)
    return [
        CriterionResult(name, *best.get(pk, ("", 0)), maximum=top)
        for pk, name, top in criteria
    ]


def grades(
    assignment: Assignment,
    *,
    teacher: AbstractBaseUser | None = None,
    student_ids: Iterable[int] | None = None,
    data: Dashboard | None = None,
) -> dict[int, Grade]:
    """Every student's grade (or these students'), by student id: a fixed
    number of queries however many students and notes. `data`: the
    dashboard's counts, when the caller has read them already."""
    if teacher is None:
        # Every teacher of a class sees the same of its students' work.
        teacher = assignment.course.teachers.order_by("pk").first()
    rows = (data or dashboard(assignment, teacher)).rows
    wanted = None if student_ids is None else set(student_ids)
    rows = [r for r in rows if wanted is None or r.student.pk in wanted]
    ids = [r.student.pk for r in rows]

    criteria = list(assignment.criteria.prefetch_related("levels"))
    shape = [
        (c.pk, c.name, max((lv.points for lv in c.levels.all()), default=0))
        for c in criteria
    ]
    given: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for author, criterion_id, label, points in Score.objects.filter(
        feedback__assignment=assignment, feedback__student_id__in=ids
    ).values_list(
        "feedback__student_id",
        "criterion_id",
        "level__label",
        "level__points",
    ):
        given[author].append((criterion_id, label, points))

    prompts = Annotation.objects.filter(
        assignment_item__assignment=assignment,
        motivation=Motivation.QUESTIONING,
        deleted__isnull=True,
    )
    prompt_count = prompts.count() if assignment.all_prompts else 0
    answered: dict[int, int] = {}
    if assignment.all_prompts:
        answered = dict(
            Annotation.objects.visible_to(teacher)
            .filter(author_id__in=ids, reply_to__in=prompts.values("pk"))
            .values_list("author_id")
            .annotate(n=Count("reply_to", distinct=True))
        )

    overrides: dict[int, list[GradeOverride]] = defaultdict(list)
    for override in GradeOverride.objects.filter(
        assignment=assignment, student_id__in=ids
    ).select_related("teacher"):
        overrides[override.student_id].append(override)

    result = {}
    for row in rows:
        pk = row.student.pk
        rules = []
        each = assignment.rule_points
        if assignment.min_notes:
            met = row.annotations >= assignment.min_notes
            rules.append(
                RuleResult(
                    _("At least %(n)d notes and highlights in the range (%(got)d)")
                    % {"n": assignment.min_notes, "got": row.annotations},
                    met,
                    each if met else 0,
                )
            )
        if assignment.min_replies:
            met = row.replies_to_classmates >= assignment.min_replies
            rules.append(
                RuleResult(
                    _("At least %(n)d replies to classmates (%(got)d)")
                    % {"n": assignment.min_replies, "got": row.replies_to_classmates},
                    met,
                    each if met else 0,
                )
            )
        if assignment.all_prompts:
            got = answered.get(pk, 0)
            met = got >= prompt_count
            rules.append(
                RuleResult(
                    _("Answered every prompt (%(got)d of %(n)d)")
                    % {"got": got, "n": prompt_count},
                    met,
                    each if met else 0,
                )
            )
        if assignment.on_time:
            met = row.status == "on time"
            rules.append(RuleResult(_("Marked done on time"), met, each if met else 0))
        result[pk] = Grade(
            student_id=pk,
            criteria=best_levels(shape, given.get(pk, [])),
            rules=rules,
            points_per_rule=each,
            overrides=overrides.get(pk, []),
        )
    return result
