"""Classes and assigned highlighted readings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reader.models import Edition, Passage

# Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class CourseQuerySet(models.QuerySet):
    def taught_by(self, user: object) -> CourseQuerySet:
        return self.filter(teachers=user)

    def attended_by(self, user: object) -> CourseQuerySet:
        return self.filter(enrollments__student=user)

    def member(self, user: object) -> CourseQuerySet:
        """Courses the user teaches or attends (no duplicates)."""
        return self.filter(
            Q(pk__in=Course.objects.filter(teachers=user).values("pk"))
            | Q(pk__in=Enrollment.objects.filter(student=user).values("course"))
        )


class Course(models.Model):
    name = models.CharField(_("name"), max_length=120)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("edition"),
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="courses_taught",
        verbose_name=_("teachers"),
    )
    join_code = models.CharField(
        _("join code"), max_length=JOIN_CODE_LENGTH, unique=True
    )
    join_enabled = models.BooleanField(_("joining is open"), default=True)
    # Editions a curator opened to this class's members only (a school's
    # licensed text). Declared here, not on the edition: the reader asks for
    # it by its reverse name (reader.models.READING_CLASSES) and so never
    # depends on the teaching app.
    licensed_editions = models.ManyToManyField(
        Edition,
        blank=True,
        related_name="reading_classes",
        verbose_name=_("editions opened to this class"),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-term_start", "name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")),
                name="course_term_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teaching:course", kwargs={"pk": self.pk})

    @property
    def term_over(self) -> bool:
        return timezone.localdate() > self.term_end


class Enrollment(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["student__username"]
        constraints = [
            models.UniqueConstraint(fields=["course", "student"], name="enrolled_once")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.course}"


class JoinAttempt(models.Model):
    """Wrong join codes are counted per account, so codes cannot be guessed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_attempts"
    )
    code = models.CharField(max_length=40)
    succeeded = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created"], name="join_attempt_recent")]

    def __str__(self) -> str:
        return f"{self.user}: {self.code}"


class Assignment(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="assignments"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(
        _("instructions"), blank=True, help_text=_("Markdown.")
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
