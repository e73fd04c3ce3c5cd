from __future__ import annotations

from django import forms

from .models import Delivery, Kind


class EmailPreferencesForm(forms.Form):
    """One choice per kind: each by e-mail, in a daily digest, or not."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
            )
