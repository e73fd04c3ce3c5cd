"""Pages and JSON are sent compressed to browsers that accept gzip."""

from __future__ import annotations

import gzip
import json

from django.urls import reverse

from tests.factories import make_annotation


def part_url(edition):
    return reverse("reader:part", kwargs={"edition": edition.slug, "part": "black"})


def test_a_part_page_is_sent_gzipped_and_reads_the_same(client, edition):
    plain = client.get(part_url(edition))
    packed = client.get(part_url(edition), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content)
    assert int(packed["Content-Length"]) == len(packed.content)


def test_a_signed_in_part_page_is_gzipped_too(client, edition, reader_user, passage):
    make_annotation(reader_user, passage, 0, 7, motivation="commenting")
    client.force_login(reader_user)
    packed = client.get(part_url(edition), HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    html = gzip.decompress(packed.content).decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<mark" in html


def test_json_is_sent_gzipped(client, edition, reader_user, passage):
    for i in range(5):
        make_annotation(reader_user, passage, i, i + 7, visibility="public")
    client.force_login(reader_user)
    packed = client.get("/api/annotations/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content))


def test_without_accept_encoding_nothing_is_compressed(client, edition):
    response = client.get(part_url(edition))
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]


def test_a_tiny_response_is_sent_as_it_is(client, edition):
    response = client.get(
        reverse("reader:passage_text", kwargs={"edition": "test", "key": "black-001"}),
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert len(response.content) < 200
    assert not response.has_header("Content-Encoding")


def test_a_streaming_response_is_compressed_as_it_streams(rf, settings):
    """As the site's middleware treats exports that stream."""
    from django.http import StreamingHttpResponse
    from django.middleware.gzip import GZipMiddleware

    assert "django.middleware.gzip.GZipMiddleware" in settings.MIDDLEWARE
    rows = [b"row %d\n" % i for i in range(2000)]
    middleware = GZipMiddleware(lambda request: StreamingHttpResponse(iter(rows)))
    response = middleware(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert response.streaming
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == b"".join(rows)
