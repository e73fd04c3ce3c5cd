"""Who is in which class: classes, their teachers and students, joining.

Below annotations and teaching, above the reader: a class reads an edition.
Whoever asks "is this user in this class?" asks `Course.objects` (or
classes.selectors), so the answer is written once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reader.models import Edition

# Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class CourseQuerySet(models.QuerySet):
    """The one definition of membership: teachers teach a class, students
    attend it (an enrollment), members do either."""

    def taught_by(self, user: object) -> CourseQuerySet:
        return self.filter(teachers=user)

    def attended_by(self, user: object) -> CourseQuerySet:
        return self.filter(enrollments__student=user)

    def member(self, user: object) -> CourseQuerySet:
        """Courses the user teaches or attends (no duplicates)."""
        return self.filter(
            Q(pk__in=Course.objects.taught_by(user).values("pk"))
            | Q(pk__in=Course.objects.attended_by(user).values("pk"))
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
    # licensed text). Declared here, not on the edition: the reader sits
    # below this app and learns who reads through classes from the audience
    # this app registers (classes/audiences.py).
    licensed_editions = models.ManyToManyField(
        Edition,
        blank=True,
        related_name="reading_classes",
        verbose_name=_("editions opened to this class"),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        # The tables were made by the teaching app, which owned these models
        # before; they keep their names (and so do their many-to-many tables,
        # named after this one), so moving the models moved no row.
        db_table = "teaching_course"
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
        # The class page is one of teaching's pages (with the assignments).
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
        db_table = "teaching_enrollment"
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
        db_table = "teaching_joinattempt"
        indexes = [models.Index(fields=["user", "created"], name="join_attempt_recent")]

    def __str__(self) -> str:
        return f"{self.user}: {self.code}"
