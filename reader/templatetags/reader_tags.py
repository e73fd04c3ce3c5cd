"""Template filters for the reader."""

from __future__ import annotations

from pathlib import Path

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString

from reader.edition_files import edition_folder_slug
from reader.markdown import render_markdown, sanitise_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown through the project's one sanitising renderer."""
    return render_markdown(text)


@register.filter(name="stored_html")
def stored_html_filter(html: str) -> SafeString:
    """HTML that render_markdown made at write time (an annotation's
    `body_html`), cleaned again on the way out: no Markdown run on read."""
    return sanitise_html(html)


@register.simple_tag
def bundled_edition_about_url() -> str:
    """The bundled study edition's "About this edition" page, or "" when no
    study edition is bundled (no query: the footer is on every page)."""
    slug = edition_folder_slug(Path(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR))
    if not slug:
        return ""
    return reverse("reader:edition_about", kwargs={"edition": slug})
