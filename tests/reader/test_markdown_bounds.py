"""Markdown is rendered within a bounded amount of work, whatever a reader types.

These tests assert results, not timings. `hang_detector` is only a safety net
that turns a render running far past its bound (16 s for `[` x 10,000 before
the work budgets, or forever) into a failure instead of a stuck test run: it is
set to 5 s, two orders of magnitude above what the bounded renderer needs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from reader.markdown import (
    ALLOWED_TAGS,
    MAX_MARKDOWN_LENGTH,
    RENDER_LENGTH_LIMIT,
    plain_text_html,
    render_markdown,
)
from tests.hang import hang_detector

N = MAX_MARKDOWN_LENGTH


class TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TextAndTags:
    parser = TextAndTags()
    parser.feed(html)
    return parser


def repeat(unit: str, length: int = N) -> str:
    return (unit * (length // len(unit) + 1))[:length]


PATHOLOGICAL = {
    # From the issue: the preview's 1.2 MB of these, cut to the longest note.
    "emphasis": repeat("*a"),
    "underscores": repeat("_a_ "),
    "unclosed link destinations": repeat("[a]("),
    # Found by measuring python-markdown 3.11 (each took seconds at 10,000).
    "unclosed brackets": repeat("["),
    "unclosed link texts": repeat("[a"),
    "unclosed images": repeat("![a]("),
    "unclosed references": repeat("[a]["),
    "brackets and emphasis": repeat("[*"),
    "nested brackets": "[" * (N // 2) + "a" + "]" * (N // 2),
    "nested images": "![" * (N // 3) + "a" + "]" * (N // 3),
    "setext headings in one block": repeat("a\n=\n"),
    # These raised RecursionError (a 500 on saving the note).
    "nested list markers": repeat("- ", N - 1) + "a",
    "nested numbered list markers": repeat("1. ", N - 1) + "a",
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_at_the_longest_note_renders_safely(text):
    with hang_detector():
        html = render_markdown(text)
    page = parse(html)
    assert set(page.tags) <= ALLOWED_TAGS
    # Nothing the reader typed is lost: every letter is still on the page.
    assert "".join(page.text).count("a") == text.count("a")


def test_ordinary_markdown_with_many_links_is_still_markdown():
    text = "\n\n".join(
        f"A [link {i}](https://example.org/{i}) and *some* words." for i in range(150)
    )
    assert len(text) <= N
    html = render_markdown(text)
    assert html.count('<a href="https://example.org/') == 150
    assert html.count("<em>some</em>") == 150


def test_ordinary_headings_lists_and_quotes_are_still_markdown():
    section = "### Heading\n- one\n- two\n\n> quoted\n\n1. first\n2. second\n\n"
    sections = N // len(section)
    html = render_markdown(section * sections)
    assert html.count("<h3>Heading</h3>") == sections
    assert html.count("<li>one</li>") == sections
    assert html.count("<blockquote>") == sections


def test_many_headings_in_one_block_are_still_headings():
    # No blank lines: the block parser takes each heading off the one block
    # and examines the rest again, the work BLOCK_SCAN_BUDGET bounds.
    section = "### Heading\nSome words under it, a line of them.\n"
    text = section * 200
    assert len(text) <= N
    html = render_markdown(text)
    assert html.count("<h3>Heading</h3>") == 200


def test_text_too_complex_to_parse_is_shown_as_plain_paragraphs():
    text = repeat("[") + "\n\n<b>second</b> paragraph\nline"
    with hang_detector():
        html = render_markdown(text)
    assert html.endswith("<p>&lt;b&gt;second&lt;/b&gt; paragraph<br>line</p>")
    assert html.count("<p>") == 2


def test_text_longer_than_the_render_limit_is_plain_text_whoever_wrote_it():
    text = "*emphasis* " + "a" * RENDER_LENGTH_LIMIT
    html = render_markdown(text)
    assert "<em>" not in html
    assert html.startswith("<p>*emphasis* aaa")


def test_plain_text_escapes_everything():
    html = plain_text_html('<script>alert("x")</script>\r\n\r\n&amp;')
    assert (
        html
        == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><p>&amp;amp;</p>"
    )
    assert not re.search(r"<(?!/?p>|br>)", html)
