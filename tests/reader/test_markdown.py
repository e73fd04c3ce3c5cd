"""The one Markdown renderer keeps formatting and drops everything unsafe."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from reader.markdown import ALLOWED_TAGS, render_markdown


class TagCollector(HTMLParser):
    """The elements and attributes a browser would actually build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


def test_it_renders_ordinary_markdown():
    html = render_markdown("A *mask* and **bandages**.\n\n- one\n- two")
    assert "<em>mask</em>" in html
    assert "<strong>bandages</strong>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://example.org'></iframe>",
        "![pixel](https://example.org/track.png)",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[vb](vbscript:msgbox(1))",
        "[spaced](java\tscript:alert(1))",
        "[entity](jav&#x61;script:alert(1))",
        '[quote](https://x.org/" onmouseover="alert(1))',
        "[t](https://x.org 'a\" onclick=\"alert(1)')",
        '<a href="https://x.org" onclick="alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        "[ref][1]\n\n[1]: javascript:alert(1)",
        '<https://x.org/" onmouseover="alert(1)>',
        "![x](javascript:alert(1))",
    ],
)
def test_it_never_lets_scripts_or_embeds_through(text):
    for tag, attrs in elements(render_markdown(text)):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        href = (attrs.get("href") or "").lower().replace("\t", "")
        assert href == "" or href.startswith(("http://", "https://", "mailto:"))


def test_raw_html_is_shown_as_text_not_dropped_silently():
    assert "&lt;b&gt;" in render_markdown("a <b>bold</b> claim")


def test_links_get_nofollow_noopener_and_keep_safe_schemes():
    html = render_markdown("[Carlyle](https://www.gutenberg.org/ebooks/1051)")
    assert 'href="https://www.gutenberg.org/ebooks/1051"' in html
    assert 'rel="nofollow noopener"' in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    "value", ['<script>"x"</script>', "a & b", "it's", "plain", "“quoted”"]
)
def test_format_escaped_escapes_every_value_like_django(value):
    from django.utils.html import format_html

    from reader.markdown import format_escaped

    assert format_escaped("<p title='{}'>{}</p>", value, value) == format_html(
        "<p title='{}'>{}</p>", value, value
    )


def test_format_escaped_keeps_safe_html_as_it_is():
    from reader.markdown import format_escaped

    inner = render_markdown("*hi*")
    assert format_escaped("<div>{}</div>", inner) == f"<div>{inner}</div>"
