from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import ReadingPreferences


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)


class PreferencesForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"),
        choices=ReadingPreferences.Theme.choices,
        widget=forms.RadioSelect,
    )
    font_size = forms.ChoiceField(
        label=_("Font size"),
        choices=ReadingPreferences.FontSize.choices,
        widget=forms.RadioSelect,
    )
    line_width = forms.ChoiceField(
        label=_("Line width"),
        choices=ReadingPreferences.LineWidth.choices,
        widget=forms.RadioSelect,
    )
