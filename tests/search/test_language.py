"""The language words are stemmed in is a parameter (German comes later)."""

from __future__ import annotations

import pytest
from django.db import connection

from reader.models import Passage
from search import schema
from search.engines import engine
from search.selectors import search
from search.services import search_index_rebuild
from tests.factories import make_user


def test_the_index_is_rebuilt_in_the_site_s_language(book, settings):
    reader = make_user("reader")
    white = Passage.objects.get(key="white-001").part
    Passage.objects.create(
        edition=book, part=white, order=20, key="white-020", text="Die Häuser am Fluss."
    )
    settings.THREE_NOTEBOOKS_SEARCH_LANGUAGE = "german"
    report = search_index_rebuild()
    assert report.language == "german"
    assert engine().language.name == "german"
    # Accents and case are folded in any language.
    assert [h.passage.key for h in search(reader, "HAUSER").passages.hits] == [
        "white-020"
    ]
    # English stemming is not applied to German ("morning" is not "morn").
    assert search(reader, "morn").passages.count == 0
    settings.THREE_NOTEBOOKS_SEARCH_LANGUAGE = "english"
    search_index_rebuild()
    assert [h.passage.key for h in search(reader, "morn").passages.hits] == [
        "white-001"
    ]


def test_an_unknown_language_falls_back_to_english(settings):
    settings.THREE_NOTEBOOKS_SEARCH_LANGUAGE = "klingon"
    assert engine().language.name == "english"
    with pytest.raises(KeyError):
        schema.install(connection, "klingon")
