from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classes.models import Course
from classes.services import edition_problem_for_class
from reader.markdown import MAX_MARKDOWN_LENGTH
from reader.models import Edition, Passage
from reader.widgets import MarkdownEditor
from themes.models import Motif


class CourseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.none(), to_field_name="slug"
    )
    term_start = forms.DateField(
        label=_("Term starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(
        label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A teacher chooses among the editions they may read themselves.
        self.fields["edition"].queryset = Edition.objects.readable_by(user)

    def clean_edition(self) -> Edition:
        edition = self.cleaned_data["edition"]
        problem = edition_problem_for_class(edition)
        if problem:
            raise forms.ValidationError(problem)
        return edition

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("term_start")
            and data.get("term_end")
            and data["term_end"] < data["term_start"]
        ):
            self.add_error("term_end", _("The term ends before it starts."))
        return data


class CourseEditionForm(forms.Form):
    """Switch a class to another edition its members may all read."""

    # Always one edition: no empty choice to switch a class to nothing.
    edition = forms.ModelChoiceField(
        label=_("Edition"),
        queryset=Edition.objects.none(),
        to_field_name="slug",
        empty_label=None,
    )

    def __init__(self, *args: Any, user: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["edition"].queryset = Edition.objects.readable_by(user)

    def clean_edition(self) -> Edition:
        edition = self.cleaned_data["edition"]
        problem = edition_problem_for_class(edition, self.course)
        if problem:
            raise forms.ValidationError(problem)
        return edition


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=MAX_MARKDOWN_LENGTH,
        widget=MarkdownEditor(attrs={"rows": 5}),
    )
    start_passage = forms.CharField(
        label=_("From passage (key)"),
        widget=forms.TextInput(attrs={"list": "passage-keys"}),
    )
    end_passage = forms.CharField(
        label=_("To passage (key)"),
        widget=forms.TextInput(attrs={"list": "passage-keys"}),
    )
    due = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In the site's time zone."),
    )
    focus_motifs = forms.ModelMultipleChoiceField(
        label=_("Focus motifs"),
        queryset=Motif.objects.order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    answer_first = forms.BooleanField(
        label=_("Answer first: students see classmates' answers only after answering"),
        required=False,
        initial=True,
    )
    published = forms.BooleanField(
        label=_("Published (students can see it)"), required=False
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def _passage(self, name: str) -> Passage | None:
        key = self.cleaned_data.get(name, "").strip()
        passage = (
            Passage.objects.select_related("part")
            .filter(key=key, edition=self.course.edition)
            .first()
        )
        if passage is None and Passage.objects.filter(key=key).exists():
            self.add_error(
                name, _("This passage is in another edition than the class reads.")
            )
        elif passage is None:
            self.add_error(name, _("There is no passage with this key."))
        return passage

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "start_passage" in data:
            data["start_passage"] = self._passage("start_passage")
        if "end_passage" in data:
            data["end_passage"] = self._passage("end_passage")
        start, end = data.get("start_passage"), data.get("end_passage")
        if (
            start
            and end
            and (start.part.order, start.order) > (end.part.order, end.order)
        ):
            self.add_error("end_passage", _("The range ends before it starts."))
        return data

    @property
    def due_in_past(self) -> bool:
        due = self.cleaned_data.get("due") if hasattr(self, "cleaned_data") else None
        return bool(due and due < timezone.now())


class CopyForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Copy into"), queryset=Course.objects.none()
    )

    def __init__(self, *args: Any, courses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


# Feedback and grades ------------------------------------------------------

RUBRIC_HELP = _(
    "One criterion a line: its name, a colon, then its levels, each a label, "
    "“=” and its points, separated by commas. For example: "
    "“Textual evidence: none=0, some=1, strong=2”."
)


def rubric_text(criteria: list) -> str:
    """A rubric (teaching.services.CriterionInput list) as the form shows it."""
    return "\n".join(
        f"{c.name}: " + ", ".join(f"{label}={points}" for label, points in c.levels)
        for c in criteria
    )


class RubricForm(forms.Form):
    rubric = forms.CharField(
        label=_("Rubric"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=RUBRIC_HELP,
    )

    def clean_rubric(self) -> list:
        from .services import CriterionInput

        criteria = []
        for number, line in enumerate(self.cleaned_data["rubric"].splitlines(), 1):
            if not line.strip():
                continue
            name, colon, rest = line.partition(":")
            if not colon:
                raise forms.ValidationError(
                    _("Line %d has no “:” after the criterion's name.") % number
                )
            levels = []
            for piece in rest.split(","):
                label, equals, points = piece.rpartition("=")
                if not equals or not points.strip().isdigit():
                    raise forms.ValidationError(
                        _("Line %d: write each level as label=points.") % number
                    )
                levels.append((label.strip(), int(points.strip())))
            criteria.append(CriterionInput(name.strip(), tuple(levels)))
        return criteria


class RubricCopyForm(forms.Form):
    """Copy the class's default rubric ("default") or another assignment's."""

    source = forms.ChoiceField(label=_("Copy the rubric of"))

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignments = {str(a.pk): a for a in assignments}
        self.fields["source"].choices = [("default", _("the class's default"))] + [
            (pk, f"{a.course.name}: {a.title}") for pk, a in self.assignments.items()
        ]


class ParticipationForm(forms.Form):
    min_notes = forms.IntegerField(
        label=_("At least this many notes and highlights in the range"),
        min_value=0,
        max_value=100,
    )
    min_replies = forms.IntegerField(
        label=_("At least this many replies to classmates"), min_value=0, max_value=100
    )
    all_prompts = forms.BooleanField(label=_("Answered every prompt"), required=False)
    on_time = forms.BooleanField(label=_("Marked done on time"), required=False)
    rule_points = forms.IntegerField(
        label=_("Points for each rule met"),
        min_value=0,
        max_value=100,
        help_text=_("0 for a number turns that rule off."),
    )


class ReleaseForm(forms.Form):
    when = forms.ChoiceField(
        label=_("Students see their feedback and grades"),
        choices=[
            ("now", _("now")),
            ("date", _("on this date")),
            ("withhold", _("not yet")),
        ],
        widget=forms.RadioSelect,
    )
    date = forms.DateTimeField(
        label=_("Release date"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In the site's time zone."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("when") == "date" and not data.get("date"):
            self.add_error("date", _("Choose the date to release them."))
        return data


class OverrideForm(forms.Form):
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=10_000)
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        help_text=_("Kept with the change; the student sees it once released."),
    )
