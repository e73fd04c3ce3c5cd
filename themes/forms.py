from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reader.models import Edition, Passage

from .models import Motif
from .services import MAX_REASON_LENGTH


class ProposalForm(forms.Form):
    motif = forms.ModelChoiceField(
        label=_("Motif"),
        queryset=Motif.objects.order_by("order", "name"),
        to_field_name="slug",
    )
    passage = forms.ModelChoiceField(
        label=_("Passage key"),
        queryset=Passage.objects.none(),
        to_field_name="key",
        widget=forms.TextInput(attrs={"placeholder": "white-007"}),
        error_messages={"invalid_choice": _("There is no passage with this key.")},
    )
    quote = forms.CharField(
        label=_("Words in the passage (optional)"),
        required=False,
        max_length=500,
        help_text=_("Leave empty to link the whole passage."),
    )
    edition = forms.SlugField(widget=forms.HiddenInput, required=False)
    # Where the reader selected the words, when they did: words the passage
    # has more than once are proposed there.
    start = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=10**7
    )
    end = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=10**7
    )
    reason = forms.CharField(
        label=_("Why does it belong to the motif?"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: object, user: object, edition: str = "", **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        # Keys are unique within an edition, not across editions; a passage
        # of an edition the reader may not read is as good as absent.
        slug = self.data.get("edition") if self.is_bound else edition
        slug = slug or edition
        self.fields["passage"].queryset = Passage.objects.filter(
            edition__in=Edition.objects.readable_by(user).values("pk"),
            edition__slug=slug,
        )
        self.initial.setdefault("edition", slug)

    def selected_position(self) -> tuple[int, int] | None:
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is None or end is None:
            return None
        return start, end
