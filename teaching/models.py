"""Assigned highlighted readings (the classes themselves live in classes/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("teaching:assignment", kwargs={"pk": self.pk})

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
