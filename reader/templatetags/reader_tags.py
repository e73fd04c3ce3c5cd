"""Template filters for the reader."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from reader.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown through the project's one sanitising renderer."""
    return render_markdown(text)
