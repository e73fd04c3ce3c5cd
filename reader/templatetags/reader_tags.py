"""Template filters for the reader."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

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
