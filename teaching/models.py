"""Assigned highlighted readings (the classes themselves live in classes/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annotations.models import Viewer
from classes.models import Course
from reader.models import Passage


class Assignment(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="assignments"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(
        _("instructions"), blank=True, help_text=_("Markdown.")
    )
    # `instructions` rendered by render_markdown when they were saved
    # (teaching.services.assignment_save): pages serve this, cleaned again
    # on output, and never parse Markdown per request.
    instructions_html = models.TextField(
        _("instructions as HTML"), blank=True, editable=False
    )
    start_passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from passage"),
    )
    end_passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to passage"),
    )
    due = models.DateTimeField(_("due"))
    focus_motifs = models.ManyToManyField(
        "themes.Motif",
        blank=True,
        related_name="assignments",
        verbose_name=_("focus motifs"),
    )
    published = models.BooleanField(_("published"), default=False)
    answer_first = models.BooleanField(
        _("answer first"),
        default=True,
        help_text=_(
            "Students see classmates' answers to a prompt only after answering."
        ),
    )
    # Feedback and grades: students see them from this moment on (None:
    # not released). A date in the future releases them then.
    grades_release = models.DateTimeField(
        _("feedback and grades released"), null=True, blank=True
    )
    # Participation rules (0 or off: not a rule). Each rule met earns
    # `rule_points`, added to the rubric's points (teaching/grading.py).
    min_notes = models.PositiveSmallIntegerField(
        _("at least this many notes and highlights in the range"), default=0
    )
    min_replies = models.PositiveSmallIntegerField(
        _("at least this many replies to classmates"), default=0
    )
    all_prompts = models.BooleanField(_("answered every prompt"), default=False)
    on_time = models.BooleanField(_("marked done on time"), default=False)
    rule_points = models.PositiveSmallIntegerField(
        _("points for each rule met"), default=0
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("teaching:assignment", kwargs={"pk": self.pk})

    @property
    def grades_released(self) -> bool:
        """Whether students see their feedback and grades now."""
        return self.grades_release is not None and self.grades_release <= timezone.now()

    def passages(self):  # noqa: ANN201 - a PassageQuerySet
        return Passage.objects.in_range(self.start_passage, self.end_passage)


class AssignmentItem(models.Model):
    """A teacher's highlight or prompt: an annotation that belongs to an
    assignment (a prompt is a question). Students answer by replying."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="items"
    )
    annotation = models.OneToOneField(
        "annotations.Annotation",
        on_delete=models.CASCADE,
        related_name="assignment_item",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.annotation_id}"


class Completion(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="completions"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    done = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="done_once")
        ]

    def __str__(self) -> str:
        return f"{self.student} finished {self.assignment}"


class RubricCriterion(models.Model):
    """One criterion of an assignment's rubric (e.g. textual evidence), or
    of a class's default rubric that assignments copy."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="default_criteria",
    )
    name = models.CharField(_("criterion"), max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignment__isnull=True) & Q(course__isnull=False))
                | (Q(assignment__isnull=False) & Q(course__isnull=True)),
                name="criterion_of_assignment_or_class",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RubricLevel(models.Model):
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.CASCADE, related_name="levels"
    )
    label = models.CharField(_("level"), max_length=80)
    points = models.PositiveSmallIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> FeedbackQuerySet:
        """The one rule for feedback: private to the student who wrote the
        note and the class's teachers. The student sees it only once the
        assignment's feedback is released; nobody else, ever (not
        classmates, not curators, not another class's teachers). It never
        goes through the annotations' visibility rule: a public note's
        feedback is as private as a private note's."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if isinstance(user, Viewer):
            user = user.user
        teacher = Q(assignment__course__in=Course.objects.taught_by(user).values("pk"))
        student = Q(
            student=user,
            assignment__published=True,
            assignment__grades_release__lte=timezone.now(),
        )
        return self.filter(teacher | student)


class Feedback(models.Model):
    """A teacher's private comment on a student's note or prompt answer,
    for one assignment, with its scores on the assignment's rubric."""

    # Kept when the student deletes the note: the teacher's words and the
    # scores (the grade) stay, shown as feedback on a note since deleted.
    annotation = models.ForeignKey(
        "annotations.Annotation",
        on_delete=models.SET_NULL,
        null=True,
        related_name="feedback",
    )
    # The note's author when the feedback was written: whom it is for.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="feedback"
    )
    # Whoever wrote it last (a co-teacher may edit a colleague's).
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("teacher"),
    )
    body = models.TextField(_("feedback"), blank=True)
    # `body` rendered by render_markdown when written (cleaned again on output).
    body_html = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "assignment"], name="feedback_once"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.annotation_id}"


class Score(models.Model):
    """A level of one rubric criterion given to the note feedback is on."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="scores"
    )
    # Protected: a rubric that scored notes is not rewritten under them.
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(RubricLevel, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "criterion"], name="score_once_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


class GradeOverride(models.Model):
    """A teacher set a student's score by hand: who, when, from what, to
    what and why. Kept, never replaced: the latest is the score."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="overrides"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    old_score = models.IntegerField(_("score before"))
    new_score = models.IntegerField(_("score"))
    reason = models.CharField(_("reason"), max_length=500)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.student}: {self.old_score} -> {self.new_score}"
