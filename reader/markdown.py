"""The one Markdown renderer for everything users and curators write.

python-markdown turns the text into HTML; nh3 then keeps only an allow-list of
tags and attributes, so raw HTML, scripts, event handlers and `javascript:`
links never reach a page. This is the only place that calls `mark_safe` on
user-written text; django-markdownx's preview uses it too
(MARKDOWNX_MARKDOWNIFY_FUNCTION, mounted as reader.views.markdown_preview).

Bounded work. python-markdown's link parser scans forward from every `[` for
its `]` and from every `](` for its `)`, and its block parser re-examines the
rest of a block after every line it takes off (setext headings, `---`): text
such as `[` x 10,000 or `[a](` x 2,500 took 16 s and 2 s to render, and deep
list nesting (`- - - …`) raised RecursionError. So:

- readers write at most MAX_MARKDOWN_LENGTH characters (notes, replies,
  prompts, the live preview, assignment instructions: the services, forms,
  API and preview all use this constant);
- every render has a work budget, counted in characters examined, not in
  seconds, so the same text always renders the same way: LINK_SCAN_BUDGET for
  the link parser's scans, BLOCK_SCAN_BUDGET for the block parser's. Text
  that would exceed either, text nested deeper than Python's recursion limit,
  and any text longer than RENDER_LENGTH_LIMIT are shown as plain text
  instead (escaped; paragraphs and line breaks kept). Nothing is lost: the
  Markdown source is stored as written. Ordinary notes stay far below the
  budgets (a 10,000-character note of links, lists and headings examines a
  few hundred thousand characters). Within them the work is linear in the
  text: the slowest 10,000 characters found (every one of ~3,300 words
  emphasised, e.g. `_)_` repeated) take about 0.15 s on a busy two-core
  machine, against 16 s and more before; 20,000 about twice that.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

# The longest Markdown a reader may send (a note, reply, prompt, assignment
# instructions, a preview): 10,000 characters is several pages of prose.
MAX_MARKDOWN_LENGTH = 10_000
# Longer text is never parsed as Markdown, whoever wrote it (curators' motif
# descriptions and rights notes have no form limit): shown as plain text.
RENDER_LENGTH_LIMIT = 2 * MAX_MARKDOWN_LENGTH
# Characters the link parser may scan, per render: 10 passes over the longest
# note. A note of 1,600 ordinary links scans about 10,000.
LINK_SCAN_BUDGET = 100_000
# Characters the block parser's tests may examine, per render: a thousand
# passes over the longest note (about 0.1 s). Twenty paragraphs of a 10,000
# character note examine about 100,000; 200 headings in one block (no blank
# line between them and their text) about 4,000,000.
BLOCK_SCAN_BUDGET = 10_000_000

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
    """Render untrusted Markdown to sanitised HTML, within the work bounds
    described above (beyond them: plain text)."""
    text = text or ""
    if len(text) > RENDER_LENGTH_LIMIT:
        return plain_text_html(text)
    md = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
    # Raw HTML is escaped before Markdown sees it, not merely stripped after.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    _bound_work(md)
    try:
        return sanitise_html(md.convert(text))
    except (_TooComplex, RecursionError):
        return plain_text_html(text)


def plain_text_html(text: str) -> SafeString:
    """Text shown as it was typed: escaped, blank lines as paragraphs, line
    breaks kept. What render_markdown falls back to; linear in the text."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return _trusted(
        "".join(
            "<p>{}</p>".format(html.escape(p).replace("\n", "<br>"))
            for p in paragraphs
            if p.strip()
        )
    )


class _TooComplex(Exception):
    """The text needs more parsing than a render's budget allows."""


class _Budget:
    def __init__(self, characters: int) -> None:
        self.left = characters

    def spend(self, characters: int) -> None:
        self.left -= characters
        if self.left < 0:
            raise _TooComplex


def _bound_work(md: markdown_lib.Markdown) -> None:
    """Count the work of the parser's two super-linear places on this one
    Markdown instance (a new one for every render), raising _TooComplex when
    a budget runs out. The parsing itself is python-markdown's, unchanged."""
    links = _Budget(LINK_SCAN_BUDGET)
    for processor in md.inlinePatterns:
        # Links, images and references share getText ([…]) and getLink ((…)).
        if hasattr(processor, "getText") and hasattr(processor, "getLink"):
            processor.getText = _counting_scan(processor.getText, links, 1)
            processor.getLink = _counting_scan(processor.getLink, links, 2)
    blocks = _Budget(BLOCK_SCAN_BUDGET)
    for processor in md.parser.blockprocessors:
        processor.test = _counting_test(processor.test, blocks)


def _counting_scan(
    scan: Callable[[str, int], tuple], budget: _Budget, end_at: int
) -> Callable[[str, int], tuple]:
    """getText and getLink return where their scan stopped (item `end_at`)."""

    def counted(data: str, index: int) -> tuple:
        result = scan(data, index)
        budget.spend(max(result[end_at] - index, 1))
        return result

    return counted


def _counting_test(
    test: Callable[[Any, str], bool], budget: _Budget
) -> Callable[[Any, str], bool]:
    """A block processor's test may search the whole rest of the block."""

    def counted(parent: Any, block: str) -> bool:
        budget.spend(len(block))
        return test(parent, block)

    return counted


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
