"""My notebook's "Feedback from your teachers": the notebook belongs to the
annotations app, below teaching, so it asks for this section by a template
tag instead of importing teaching."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ..models import Feedback

register = template.Library()

# The latest few; each assignment's page has all of a student's feedback.
FEEDBACK_SHOWN = 20


@register.inclusion_tag("teaching/_notebook_feedback.html")
def released_feedback(user: AbstractBaseUser) -> dict:
    """Feedback on the reader's own notes that has been released to them
    (Feedback.objects.visible_to: nothing before release)."""
    found = list(
        Feedback.objects.visible_to(user)
        # As the student sees it (released), even should they since have
        # come to teach the class.
        .filter(student=user, assignment__grades_release__lte=timezone.now())
        .select_related(
            "teacher",
            "assignment",
            "annotation__start_passage__part__edition",
            "annotation__reply_to__start_passage__part__edition",
        )
        .prefetch_related("scores__criterion", "scores__level")
        .order_by("-modified")[:FEEDBACK_SHOWN]
    )
    return {"released_feedback": found}
