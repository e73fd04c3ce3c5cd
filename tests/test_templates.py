"""Every template, checked as text: what Django's template language would
print by mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path
    for path in ROOT.rglob("*.html")
    if "templates" in path.parts and ".venv" not in path.parts
)
# Django's {# #} comment ends on its own line; one that does not is printed
# into the page as text.
OPEN_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_comment_tag_runs_over_a_line(path):
    source = path.read_text()
    unclosed = [
        source.count("\n", 0, match.start()) + 1
        for match in OPEN_COMMENT.finditer(source)
    ]
    assert not unclosed, f"{{# on line {unclosed} is not closed on its line"


def test_no_page_prints_a_comment(client, db):
    """The rendered page: no comment's text reaches a reader."""
    html = client.get("/").content.decode()
    assert "{#" not in html and "#}" not in html
