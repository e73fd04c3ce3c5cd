from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .mail import account_mail_later
from .models import ReadingPreferences
from .selectors import email_verified


class SignUpForm(UserCreationForm):
    """A name and a password; an e-mail address too, required only while
    verification is (THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("Optional. For a forgotten password; we send a link to check it."),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION:
            self.fields["email"].required = True
            self.fields["email"].help_text = _(
                "We send a link there: your account opens when you follow it."
            )


class EmailForm(forms.Form):
    """An address to send a verification link to again (signed out)."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class EmailChangeForm(forms.Form):
    """A new address, and the password: someone at an open laptop must not
    be able to move the account (and its password resets) elsewhere."""

    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: AbstractBaseUser, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() == (self.user.email or "").lower() and email_verified(
            self.user
        ):
            raise forms.ValidationError(
                _("This is already your address, and it is verified.")
            )
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class AccountDeleteForm(forms.Form):
    """What happens to the shared notes, and the password to confirm."""

    KEEP = "keep"
    DELETE = "delete"

    shared_notes = forms.ChoiceField(
        label=_("Your notes and replies shared with others"),
        choices=[
            (
                DELETE,
                _("Delete them too"),
            ),
            (
                KEEP,
                _(
                    'Leave them for my classmates, signed "a former reader" '
                    "instead of my name"
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: AbstractBaseUser, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


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


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, whose mail is made and sent by a task
    (accounts/mail.py): the request only queues the address asked for, so
    it costs the same whether or not an account has it."""

    def save(self, **options: Any) -> None:
        """PasswordResetView passes the request and the mail's options (the
        task uses the site's templates)."""
        request: HttpRequest = options["request"]
        account_mail_later(
            kind="password_reset", to=self.cleaned_data["email"], request=request
        )
