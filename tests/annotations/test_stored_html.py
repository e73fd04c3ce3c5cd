"""Markdown is rendered once, when a note is written: every read (the API,
the notebook, a class's pages) serves the stored `body_html`."""

from __future__ import annotations

import markdown
import pytest

from reader.markdown import sanitise_html
from tests.factories import make_annotation


@pytest.fixture
def refuse_markdown(monkeypatch):
    """Call it once the notes are written: from then on parsing Markdown
    anywhere is a failure (python-markdown itself refuses, whichever module
    would have called it)."""

    def refuse(self, source):
        raise AssertionError("Markdown was parsed on a read")

    return lambda: monkeypatch.setattr(markdown.Markdown, "convert", refuse)


def test_the_api_serves_the_stored_html_and_parses_no_markdown_on_read(
    client, reader_user, other_reader, passage, refuse_markdown
):
    # The case: public notes of `[a](` x 2,500 made every read of the
    # part time out, as the API re-rendered each note on each request.
    notes = [
        make_annotation(
            other_reader,
            passage,
            motivation="commenting",
            body="[a](" * 2_500,
            visibility="public",
        )
        for _ in range(25)
    ]
    refuse_markdown()
    client.force_login(reader_user)
    response = client.get("/api/annotations/?part=black&limit=100")
    assert response.status_code == 200
    served = {row["id"]: row["body_html"] for row in response.json()["results"]}
    assert served == {str(n.pk): str(sanitise_html(n.body_html)) for n in notes}


def test_the_notebook_serves_stored_html(client, reader_user, passage, refuse_markdown):
    make_annotation(reader_user, passage, motivation="commenting", body="A *mask*.")
    refuse_markdown()
    client.force_login(reader_user)
    response = client.get("/notebook/")
    assert response.status_code == 200
    assert "A <em>mask</em>." in response.content.decode()
