"""The one Markdown text box every form uses."""

from __future__ import annotations

from markdownx.widgets import MarkdownxWidget


class MarkdownEditor(MarkdownxWidget):
    """django-markdownx's editor with static/js/markdown-editor.js, which
    lets Tab leave the text box (markdownx alone turns Tab into indentation,
    a keyboard trap) and makes Ctrl/Cmd+Enter save.

    The script comes with the widget's media, so no page that shows the
    editor can forget it (the assignment form once did)."""

    class Media:
        js = ["js/markdown-editor.js"]
