"""The one Markdown renderer for everything users and curators write.

python-markdown turns the text into HTML; nh3 then keeps only an allow-list of
tags and attributes, so raw HTML, scripts, event handlers and `javascript:`
links never reach a page. This is the only place that calls `mark_safe` on
user-written text; django-markdownx's preview uses it too
(MARKDOWNX_MARKDOWNIFY_FUNCTION).
"""

from __future__ import annotations

import html
import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _keep_safe_links(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute http(s) and mailto links: a relative or schemeless href
    (e.g. "java script:…" after Markdown folds a tab) is dropped."""
    if attribute == "href" and not value.lower().startswith(
        ("http://", "https://", "mailto:")
    ):
        return None
    return value


def render_markdown(text: str) -> SafeString:
    """Render untrusted Markdown to sanitised HTML."""
    md = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
    # Raw HTML is escaped before Markdown sees it, not merely stripped after.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return sanitise_html(md.convert(text or ""))


def sanitise_html(dirty: str) -> SafeString:
    """The allow-list for HTML that render_markdown made.

    Also used on HTML that render_markdown produced earlier and that was
    stored (an annotation's rendered note): it is cleaned again on the way
    out, which is cheap, so nothing stored can reach a page unchecked.
    """
    clean = nh3.clean(
        dirty,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        attribute_filter=_keep_safe_links,
    )
    return _trusted(clean)


def format_escaped(template: str, *args: object, **kwargs: object) -> SafeString:
    """Django's format_html, without its per-argument lazy-string overhead.

    `template` must be a constant of our own; every argument is escaped
    unless it is already safe HTML (a SafeString). Pages that build thousands
    of highlight segments use this (see bench/).
    """
    return _trusted(
        template.format(
            *(_escape(arg) for arg in args),
            **{name: _escape(value) for name, value in kwargs.items()},
        )
    )


_NEEDS_ESCAPE = re.compile(r"[&<>\"']")


def _escape(value: object) -> str:
    if isinstance(value, SafeString):
        return value
    text = str(value)
    # One scan to find out whether there is anything to escape at all (ids,
    # classes and most prose have nothing), instead of five replacements.
    return html.escape(text) if _NEEDS_ESCAPE.search(text) else text


def _trusted(html_text: str) -> SafeString:
    """The project's only mark_safe: reached only from the two functions
    above, with sanitised or escaped HTML."""
    return mark_safe(html_text)  # noqa: S308 - callers sanitise or escape
