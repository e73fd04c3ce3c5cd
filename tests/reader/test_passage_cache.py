"""The part page renders a passage's markup once per revision and caches it
(reader/rendering.py); the reader's own layer is composed on top."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from reader import rendering
from reader.models import Passage
from reader.revisions import passage_revise


def part_url(edition, slug="black"):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": slug})


def passage_renders(response) -> int:
    return sum(t.name == "reader/_passage.html" for t in response.templates)


@pytest.fixture
def fresh_cache(settings):
    """A cache of this test's own (the suite's may hold earlier tests'),
    without the whole-page cache for anonymous visitors above it
    (reader/page_cache.py), so the page is composed from the passages'."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    settings.THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = 0


def test_a_passage_is_rendered_once_then_read_from_the_cache(
    client, edition, fresh_cache
):
    first = client.get(part_url(edition))
    assert passage_renders(first) == 3
    second = client.get(part_url(edition))
    assert passage_renders(second) == 0
    assert second.content == first.content
    for passage in Passage.objects.filter(part__slug="black"):
        assert cache.get(rendering.cache_key(passage)) is not None


def test_a_revision_shows_its_text_at_once_through_a_warm_cache(
    client, edition, fresh_cache
):
    passage = Passage.objects.get(key="black-002")
    old_key = rendering.cache_key(passage)
    client.get(part_url(edition))
    assert cache.get(old_key) is not None
    passage_revise(passage=passage, text="An entirely new second passage.")
    html = client.get(part_url(edition)).content.decode()
    assert "An entirely new second passage." in html
    assert "Passage 2 of Part 2" not in html
    # The old revision's markup is dropped, not left to linger.
    assert cache.get(old_key) is None


def test_a_changed_row_template_is_a_new_key_so_no_old_row_is_served(
    client, edition, fresh_cache, settings
):
    """A deploy that changes reader/_passage.html, over a cache the servers
    share: the rows cached from the old template are never served."""
    client.get(part_url(edition))
    source = (settings.BASE_DIR / "templates" / rendering.ROW_TEMPLATE).read_text()
    changed = source.replace(
        '<div class="passage-meta">', '<div class="passage-meta new-row">'
    )
    assert changed != source
    options = {**settings.TEMPLATES[0]["OPTIONS"]}
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", {rendering.ROW_TEMPLATE: changed}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "APP_DIRS": False, "OPTIONS": options}
    ]
    response = client.get(part_url(edition))
    assert passage_renders(response) == 3
    assert response.content.decode().count('class="passage-meta new-row"') == 3


def test_a_cache_shared_with_another_database_never_serves_its_text(
    client, edition, fresh_cache
):
    """Same pk and revision, another text (another database on the same
    Redis, a restored backup): the key's checksum tells them apart."""
    client.get(part_url(edition))
    Passage.objects.filter(key="black-001").update(text="Another database's text.")
    html = client.get(part_url(edition)).content.decode()
    assert "Another database&#x27;s text." in html
    assert "Passage 1 of Part 2" not in html


def test_the_cached_text_is_escaped_and_braces_are_kept(client, edition, fresh_cache):
    Passage.objects.filter(key="black-001").update(
        text="<script>alert(1)</script> {classes} {0} }{"
    )
    for _ in range(2):  # rendered, then from the cache
        html = client.get(part_url(edition)).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {classes} {0} }{" in html
        assert "<script>alert(1)" not in html


def test_the_readers_layer_is_not_cached(
    client, edition, reader_user, other_reader, fresh_cache
):
    """Read state is the reader's: one reader's is never another's."""
    from reader.services import passage_reads_record

    passage_reads_record(
        user=reader_user, passages=[Passage.objects.get(key="black-001")]
    )
    client.force_login(reader_user)
    assert 'class="passage is-read"' in client.get(part_url(edition)).content.decode()
    client.force_login(other_reader)
    html = client.get(part_url(edition)).content.decode()
    assert "is-read" not in html
    assert passage_renders(client.get(part_url(edition))) == 0


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_the_passage_cache_works_on_a_real_redis(client, edition, settings):
    prefix = f"test-{uuid.uuid4()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
        }
    }
    try:
        first = client.get(part_url(edition))
        assert passage_renders(first) == 3
        second = client.get(part_url(edition))
        assert passage_renders(second) == 0
        assert second.content == first.content
        passage = Passage.objects.get(key="black-003")
        passage_revise(passage=passage, text="A third passage, revised.")
        html = client.get(part_url(edition)).content.decode()
        assert "A third passage, revised." in html
        assert "Passage 3 of Part 2" not in html
    finally:
        # Only this test's keys: the database is shared (never FLUSHDB).
        cache.delete_pattern("*")
