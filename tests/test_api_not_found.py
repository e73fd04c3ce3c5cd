"""An API address that matches no route is a JSON 404, as documented."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/api/annotations/not-a-uuid/",
        "/api/motifs/a.b/",
        "/api/nothing/",
    ],
)
def test_an_api_address_that_names_nothing_is_a_json_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_address_that_names_nothing_is_still_the_sites_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
