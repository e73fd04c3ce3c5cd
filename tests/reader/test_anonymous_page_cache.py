"""Anonymous visitors' contents and part pages are served whole from the
cache (reader/page_cache.py), and change the moment anything they show does."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.preferences import COOKIE_NAME
from annotations.services import annotation_update
from reader import page_cache
from reader.models import Audience, Edition, Part, Passage
from reader.revisions import passage_revise
from reader.services import edition_publish
from tests.factories import make_annotation, make_edition, make_part, make_passages
from themes.models import Motif, MotifOccurrence


def part_url(edition, slug="black"):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


def contents_url(edition):
    return reverse("reader:edition", kwargs={"edition": edition.slug})


def queries_of(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


@pytest.fixture
def motif(edition):
    motif = Motif.objects.create(
        name="Lanterns", slug="lanterns", summary="Lights.", order=1
    )
    MotifOccurrence.objects.create(
        motif=motif, passage=Passage.objects.get(key="black-001"), weight="central"
    )
    return motif


@pytest.mark.parametrize(
    "url", [part_url, contents_url, lambda e: reverse("reader:home")]
)
def test_the_second_anonymous_visit_is_served_without_a_query(client, edition, url):
    first, first_queries = queries_of(client, url(edition))
    second, second_queries = queries_of(client, url(edition))
    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    # The same headers, and none that lets a browser or a proxy keep a copy
    # the site could not take back (an edition made curators-only).
    assert dict(second.headers) == dict(first.headers)
    assert "Cache-Control" not in second.headers
    assert "Expires" not in second.headers
    assert "Cookie" in second.headers["Vary"]
    assert not second.cookies


def test_a_revision_shows_at_once(client, edition):
    client.get(part_url(edition))
    passage_revise(
        passage=Passage.objects.get(key="black-002"), text="A revised passage."
    )
    html = client.get(part_url(edition)).content.decode()
    assert "A revised passage." in html
    assert "Passage 2 of Part 2" not in html


def test_a_part_retitled_shows_at_once_on_the_contents(client, edition):
    client.get(contents_url(edition))
    part = Part.objects.get(edition=edition, slug="black")
    part.title = "A retitled notebook"
    part.save()
    assert "A retitled notebook" in client.get(contents_url(edition)).content.decode()


def test_an_edition_made_curators_only_is_404_at_once(client, edition):
    assert client.get(part_url(edition)).status_code == 200
    assert client.get(contents_url(edition)).status_code == 200
    edition_publish(edition=edition, audience=Audience.CURATORS)
    assert client.get(part_url(edition)).status_code == 404
    assert client.get(contents_url(edition)).status_code == 404
    # And off the home page, which then has no edition to open.
    assert edition.title not in client.get(reverse("reader:home")).content.decode()


def test_a_motif_renamed_shows_at_once(client, edition, motif):
    assert "Lanterns" in client.get(part_url(edition)).content.decode()
    motif.name = "Lamps"
    motif.save()
    html = client.get(part_url(edition)).content.decode()
    assert "Lamps" in html
    assert "Lanterns" not in html


def test_a_new_motif_occurrence_shows_at_once_and_a_deleted_one_leaves(
    client, edition, motif
):
    client.get(part_url(edition))
    occurrence = MotifOccurrence.objects.create(
        motif=motif, passage=Passage.objects.get(key="black-003"), weight="central"
    )
    assert "#occurrence-black-003" in client.get(part_url(edition)).content.decode()
    occurrence.delete()
    assert "#occurrence-black-003" not in client.get(part_url(edition)).content.decode()


def test_a_public_note_shows_at_once_where_anonymous_visitors_see_them(
    client, edition, other_reader, settings
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    client.get(part_url(edition))
    note = make_annotation(
        other_reader,
        Passage.objects.get(key="black-001"),
        motivation="commenting",
        body="A public thought.",
        visibility="public",
    )
    assert "A public thought." in client.get(part_url(edition)).content.decode()
    annotation_update(annotation=note, editor=other_reader, visibility="private")
    assert "A public thought." not in client.get(part_url(edition)).content.decode()


def test_notes_leave_the_cache_alone_where_anonymous_visitors_see_none(
    client, edition, other_reader, settings
):
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = False
    client.get(part_url(edition))
    make_annotation(other_reader, Passage.objects.get(key="black-001"))
    _response, count = queries_of(client, part_url(edition))
    assert count == 0


def test_a_signed_in_reader_never_gets_the_cached_page_nor_fills_it(
    client, edition, reader_user
):
    anonymous = client.get(part_url(edition)).content.decode()
    assert "Log in" in anonymous
    client.force_login(reader_user)
    signed_in, count = queries_of(client, part_url(edition))
    assert count > 0
    assert "Log out alice" in signed_in.content.decode()
    client.logout()
    # Nothing of alice's was stored: with the anonymous page forgotten, an
    # anonymous visit after hers is built afresh, without her name.
    page_cache.anonymous_pages_forget()
    client.force_login(reader_user)
    client.get(part_url(edition))
    client.logout()
    response, count = queries_of(client, part_url(edition))
    assert count > 0
    assert "alice" not in response.content.decode()
    _response, count = queries_of(client, part_url(edition))
    assert count == 0


def test_a_page_with_a_query_is_not_served_from_the_cache(client, edition, motif):
    url = part_url(edition) + "?trace=lanterns"
    client.get(url)
    response, count = queries_of(client, url)
    assert count > 0
    # The log-in link brings the visitor back to the page with its query.
    assert "next=/read/test/black/%3Ftrace%3Dlanterns" in response.content.decode()


def test_languages_do_not_mix(client, edition, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    english = client.get(part_url(edition), HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(part_url(edition), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en"' in english.content.decode()
    assert '<html lang="fr"' in french.content.decode()
    assert french.headers["Content-Language"] == "fr"
    again, count = queries_of(client, part_url(edition), HTTP_ACCEPT_LANGUAGE="en")
    assert count == 0
    assert again.content == english.content


def test_reading_preferences_do_not_mix(client, edition):
    # With no theme chosen the page follows the device (in CSS): one page for
    # every visitor who has not chosen, whatever their device prefers.
    default = client.get(part_url(edition)).content.decode()
    client.cookies[COOKIE_NAME] = "dark.large.wide"
    dark = client.get(part_url(edition)).content.decode()
    client.cookies[COOKIE_NAME] = "light.medium.medium"
    light = client.get(part_url(edition)).content.decode()
    assert 'data-theme="system"' in default
    assert 'data-theme="dark" data-font-size="large" data-line-width="wide"' in dark
    assert 'data-theme="light"' in light
    # An unreadable cookie is the defaults' page, not an entry of its own.
    client.cookies[COOKIE_NAME] = "nonsense"
    response, count = queries_of(client, part_url(edition))
    assert count == 0
    assert response.content.decode() == default
    client.cookies[COOKIE_NAME] = "system.medium.medium"
    response, count = queries_of(client, part_url(edition))
    assert count == 0
    assert response.content.decode() == default


def test_a_visitor_with_a_session_is_not_served_from_the_cache(client, edition):
    """Messages waiting in a session (or in their cookie) are the visitor's."""
    client.get(part_url(edition))
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "not-a-session"
    _response, count = queries_of(client, part_url(edition))
    assert count > 0


def test_a_change_makes_a_new_generation_again_when_its_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    """A visitor served between the change and the commit may have stored
    the old page under the first new generation: the commit replaces it."""
    before = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        part = make_part(make_edition("fresh"), 1, slug="one")
        make_passages(part, 5)
        during = page_cache.current_generation()
    assert during != before
    # Once per transaction, however many rows it wrote.
    assert callbacks.count(page_cache._new_generation) == 1
    assert page_cache.current_generation() not in (before, during)


def _generation_writes(monkeypatch) -> list[str]:
    writes: list[str] = []
    generations = page_cache._generations()
    real_set = generations.set

    def counted_set(key, *args, **kwargs):
        writes.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(generations, "set", counted_set)
    return writes


def test_loading_an_edition_and_its_catalogue_forgets_the_pages_once_each(
    transactional_db, monkeypatch
):
    """Once when the load ends and once at its commit, however many rows it
    saved (the study edition and its catalogue save hundreds: each used to
    write the shared cache). Each load commits here, as it does for real."""
    from pathlib import Path

    from reader.edition_files import read_edition_folder
    from reader.services import edition_load
    from themes.catalogue import read_catalogue
    from themes.services import catalogue_load

    writes = _generation_writes(monkeypatch)
    before = page_cache.current_generation()
    edition = edition_load(
        source=read_edition_folder(
            Path(django_settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR)
        )
    ).edition
    assert writes == [page_cache.GENERATION_KEY] * 2
    catalogue_load(
        motifs=read_catalogue(django_settings.THREE_NOTEBOOKS_MOTIF_DIR),
        edition=edition,
    )
    assert writes == [page_cache.GENERATION_KEY] * 4
    assert page_cache.current_generation() != before


def test_forgetting_once_forgets_nothing_when_nothing_changed(db, monkeypatch):
    writes = _generation_writes(monkeypatch)
    with page_cache.anonymous_pages_forget_once():
        pass
    assert writes == []


def test_forgetting_once_still_forgets_when_the_work_fails(db, monkeypatch):
    writes = _generation_writes(monkeypatch)
    with pytest.raises(RuntimeError), page_cache.anonymous_pages_forget_once():
        make_edition("half-way")
        raise RuntimeError
    assert writes == [page_cache.GENERATION_KEY]
    # Outside, each change forgets again at once.
    make_edition("after")
    assert writes == [page_cache.GENERATION_KEY] * 2


def test_the_generation_is_kept_where_every_worker_reads_it():
    """Each gunicorn worker has its own memory: a generation kept there would
    leave the other workers serving the old page."""
    backend = django_settings.CACHES["generations"]["BACKEND"]
    assert "locmem" not in backend


def test_a_lost_generation_is_a_new_one(edition, client):
    client.get(part_url(edition))
    caches["generations"].delete(page_cache.GENERATION_KEY)
    _response, count = queries_of(client, part_url(edition))
    assert count > 0


def test_an_edition_changed_behind_the_sites_back_is_served_at_most_the_timeout(
    client, edition, settings
):
    """A change made in the database by hand sends no signal: the timeout is
    the safety net, and 0 turns the cache off."""
    settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = 0
    client.get(part_url(edition))
    Edition.objects.filter(pk=edition.pk).update(audience=Audience.CURATORS)
    assert client.get(part_url(edition)).status_code == 404
