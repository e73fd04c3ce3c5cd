"""Forms for the HTML side: replies, editing, importing."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.json_input import JsonLimitError, json_loads
from reader.widgets import MarkdownEditor

from .models import MAX_BODY_LENGTH, MAX_TAGS, Colour, Motivation, Visibility
from .services import MAX_TAG_LENGTH, OPEN_VISIBILITIES

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Values (strings, numbers, lists ...) in one import file: a hundred for
# each of the 5,000 annotations a file may hold; ours export about forty.
MAX_IMPORT_JSON_VALUES = 500_000


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown: *emphasis*, **strong**, [links](https://…)."),
    )


class AnnotationEditForm(forms.Form):
    motivation = forms.ChoiceField(
        label=_("Kind"),
        choices=[(m.value, m.label) for m in Motivation if m != Motivation.REPLYING],
    )
    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=MarkdownEditor(attrs={"rows": 6}),
        help_text=_("Markdown, with a live preview."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        # At most MAX_TAGS tags of MAX_TAG_LENGTH, with their commas and
        # spaces: the services check each tag; this bounds the text first.
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=_("Separate tags with commas."),
    )
    colour = forms.ChoiceField(label=_("Colour"), choices=Colour.choices)
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[(v.value, v.label) for v in OPEN_VISIBILITIES],
    )

    def __init__(
        self,
        *args: Any,
        is_reply: bool = False,
        in_a_class: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if in_a_class:
            # A note made in a class can stay shared with it (or its teachers).
            self.fields["visibility"].choices = Visibility.choices
        if is_reply:
            for name in ("motivation", "tags", "colour", "visibility"):
                del self.fields[name]
            self.fields["body"].label = _("Reply")

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "")
        return [t.strip() for t in raw.split(",") if t.strip()]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("W3C Web Annotation file (JSON-LD)"),
        help_text=_("An export from Three Notebooks or another annotation tool."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        raw = upload.read()
        try:
            self.cleaned_data["data"] = json_loads(
                raw.decode("utf-8-sig"), max_values=MAX_IMPORT_JSON_VALUES
            )
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        except JsonLimitError as exc:
            raise forms.ValidationError(
                _("The file cannot be imported: %(why)s") % {"why": exc}
            ) from exc
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not valid JSON (line %(line)d: %(msg)s).")
                % {"line": exc.lineno, "msg": exc.msg}
            ) from exc
        return upload


class AnnotationDialogForm(forms.Form):
    """The note editor in the part page's annotate dialog (posted by script)."""

    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        # Its help and its error are on the dialog (Django would name an
        # id_body_helptext the dialog does not have).
        widget=MarkdownEditor(
            attrs={
                "rows": 5,
                "id": "annotate-body",
                "aria-describedby": "annotate-body-help annotate-body-error",
            }
        ),
        help_text=_("Markdown, with a live preview."),
    )
