"""The search page's filters, read from the query string and checked."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annotations.models import Motivation
from classes.models import Course
from reader.models import Edition, Part
from themes.models import Motif

from .selectors import KINDS, AuthorScope

SHOW_CHOICES = [
    ("", _("Everything")),
    ("passages", _("Passages")),
    ("motifs", _("Motifs")),
    ("annotations", _("Notes")),
]
WHOSE_CHOICES = [
    (AuthorScope.EVERYONE, _("Everyone’s I may see")),
    (AuthorScope.CLASS, _("My classes’")),
    (AuthorScope.ME, _("Mine")),
]
NOTE_KIND_CHOICES = [
    ("", _("Any kind")),
    *((value, label) for value, label in Motivation.choices if value != "replying"),
    ("editorial", _("Editor’s notes")),
]


class SearchForm(forms.Form):
    """What the search box and its filters send. Anything else in the query
    string is ignored; a value that is not one of the choices is an error
    the page names (never a 500)."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)
    part = forms.ChoiceField(label=_("Part"), required=False)
    motif = forms.ChoiceField(label=_("Motif"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of note"), choices=NOTE_KIND_CHOICES, required=False
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    whose = forms.ChoiceField(
        label=_("Whose notes"), choices=WHOSE_CHOICES, required=False
    )
    course = forms.TypedChoiceField(
        label=_("Class"), coerce=int, required=False, empty_value=None
    )
    since = forms.DateField(
        label=_("Written from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=200, required=False)

    def __init__(self, data, *, user, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # The parts of every edition the reader may read, by slug (an
        # imported edition names its parts as the study edition does).
        parts: dict[str, str] = {}
        for slug, title, short in (
            Part.objects.filter(edition__in=Edition.objects.readable_by(user))
            .order_by("order", "edition__title")
            .values_list("slug", "title", "short_title")
        ):
            parts.setdefault(slug, short or title)
        self.fields["part"].choices = [("", _("Every part")), *parts.items()]
        self.fields["motif"].choices = [("", _("Any motif"))] + list(
            Motif.objects.order_by("order", "name").values_list("slug", "name")
        )
        courses = (
            Course.objects.member(user).order_by("name")
            if user.is_authenticated
            else Course.objects.none()
        )
        self.fields["course"].choices = [("", _("Any class"))] + [
            (course.pk, course.name) for course in courses
        ]
        if not self.fields["course"].choices[1:]:
            # Nothing to choose between: not shown (and not accepted).
            del self.fields["course"]
        if not user.is_authenticated:
            del self.fields["whose"]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The last date is before the first."))
        return data

    @property
    def kinds(self) -> tuple[str, ...]:
        show = self.cleaned_data.get("show")
        return (show,) if show else KINDS

    @property
    def filtered(self) -> bool:
        """Is anything narrowed beyond the words?"""
        return any(
            self.cleaned_data.get(name)
            for name in ("part", "motif", "kind", "tag", "course", "since", "until")
        ) or self.cleaned_data.get("whose") not in ("", None, AuthorScope.EVERYONE)
