"""Other apps' shares of the reader's pages arrive as slots the reader
renders without knowing whose they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from reader.contributions import (
    ContentsPartSlots,
    ContentsSlots,
    Contribution,
    PartSlots,
    PassageSlots,
)
from reader.markdown import format_escaped

READER_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "reader"
OTHER_APPS = re.compile(r"""['"](annotations|teaching|themes|classes)[:/]""")


def part_url(edition, slug="black", query=""):
    url = reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})
    return f"{url}?{query}" if query else url


class Margin(Contribution):
    """A made-up app that writes in every slot."""

    carried_parameters = ("margin",)

    def render_part(self, page):
        first = page.passages[0]
        return PartSlots(
            classes=("has-margin",),
            header=format_escaped('<p class="margin-header">{}</p>', page.part.title),
            before_passages=format_escaped('<p class="margin-before"></p>'),
            after_article=format_escaped('<div class="margin-after"></div>'),
            scripts=format_escaped('<script src="/margin.js"></script>'),
            passages={
                first.key: PassageSlots(
                    classes=("in-margin",),
                    text=format_escaped("<b>{}</b>", first.text),
                    meta=format_escaped('<a class="margin-meta">m</a>'),
                    after_meta=format_escaped('<p class="margin-below"></p>'),
                    aside=format_escaped('<aside class="margin-aside"></aside>'),
                )
            },
        )

    def render_contents(self, page):
        first = page.parts[0]
        return ContentsSlots(
            before_contents=format_escaped('<p class="margin-contents"></p>'),
            parts={
                first.slug: ContentsPartSlots(
                    classes=("in-margin",),
                    label=format_escaped('<span class="margin-label"></span>'),
                    query={"margin": "1"},
                )
            },
        )


class Scribble(Contribution):
    """Another made-up app that marks a passage's text too."""

    def render_part(self, page):
        first = page.passages[0]
        return PartSlots(passages={first.key: PassageSlots(text=format_escaped("x"))})


def test_the_readers_templates_name_no_other_app():
    named = {
        f"{path.name}: {match.group(0)}"
        for path in READER_TEMPLATES.glob("*.html")
        for match in OTHER_APPS.finditer(path.read_text())
    }
    assert named == set()


@override_settings(THREE_NOTEBOOKS_READER_CONTRIBUTIONS=[])
def test_the_part_page_stands_alone_without_contributions(client, edition):
    response = client.get(part_url(edition, query="trace=masks&assignment=3"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="black-001"' in html
    assert "annotate-hint" not in html
    assert response.context["carried_query"] == ""


@override_settings(
    THREE_NOTEBOOKS_READER_CONTRIBUTIONS=["tests.reader.test_contributions.Margin"]
)
def test_a_contribution_fills_the_part_pages_slots(client, edition):
    response = client.get(part_url(edition, query="margin=1&other=2"))
    html = response.content.decode()
    assert 'class="part kind-notebook part-black has-margin"' in html
    start = html.index('<header class="part-header">')
    header = html[start : html.index("</header>", start)]
    assert '<p class="margin-header">Part 2</p>' in header
    assert html.index("margin-before") < html.index('id="black-001"')
    assert html.index("margin-after") > html.index("</article>")
    assert '<script src="/margin.js"></script>' in html
    first = html[html.index('id="black-001"') : html.index('id="black-002"')]
    assert '<p class="passage-text"><b>Passage 1' in first
    meta = first[first.index('class="passage-meta"') :]
    assert meta.index("Copy citation") < meta.index("margin-meta")
    assert meta.index("margin-meta") < meta.index("margin-below")
    assert meta.index("margin-below") < meta.index("margin-aside")
    assert 'class="passage in-margin"' in html
    assert html.count("margin-meta") == 1  # on the first passage only
    assert response.context["carried_query"] == "margin=1"


@override_settings(
    THREE_NOTEBOOKS_READER_CONTRIBUTIONS=["tests.reader.test_contributions.Margin"]
)
def test_a_contribution_fills_the_contents_slots(client, edition):
    html = client.get(reverse("reader:edition", args=[edition.slug])).content.decode()
    assert '<p class="margin-contents"></p>' in html
    assert "toc-part kind-frame part-opening in-margin" in html
    assert 'href="/read/test/opening/?margin=1"' in html
    assert html.count("margin-label") == 1


@override_settings(
    THREE_NOTEBOOKS_READER_CONTRIBUTIONS=[
        "tests.reader.test_contributions.Margin",
        "tests.reader.test_contributions.Scribble",
    ]
)
def test_only_one_contribution_may_mark_a_passages_text(client, edition):
    with pytest.raises(ImproperlyConfigured, match="black-001"):
        client.get(part_url(edition))
