"""The browser tests' live server is waited for before a test's database is
flushed (tests/e2e/conftest.py): a request still writing while PostgreSQL
truncates the tables deadlocks with the flush."""

from __future__ import annotations

import threading

import pytest

from tests.e2e.conftest import RequestsInFlight


def _blocking_app(release: threading.Event, answered: list):
    def app(environ, start_response):
        release.wait(5)
        start_response("204 No Content", [])
        answered.append(environ["PATH_INFO"])
        return [b""]

    return app


def test_a_request_counts_until_its_response_is_closed():
    release, answered = threading.Event(), []
    counting = RequestsInFlight(_blocking_app(release, answered))
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            counting({"PATH_INFO": "/beacon/"}, lambda *a: None)
        )
    )
    thread.start()
    # The request is being answered: settling gives up with it in flight.
    assert counting.settle(timeout=0.1) == 1
    release.set()
    thread.join(5)
    assert answered == ["/beacon/"]
    # Answered, but its response is not closed yet (Django's request is not
    # finished, its connection still open).
    assert counting.settle(timeout=0.05) == 1
    results[0].close()
    assert counting.settle(timeout=1) == 0


def test_a_request_that_raises_is_not_counted_for_ever():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    counting = RequestsInFlight(broken)
    with pytest.raises(RuntimeError):
        counting({"PATH_INFO": "/"}, lambda *a: None)
    assert counting.settle(timeout=1) == 0


def test_the_response_body_is_passed_through():
    counting = RequestsInFlight(lambda environ, start: [b"a", b"b"])
    result = counting({}, lambda *a: None)
    assert b"".join(result) == b"ab"
    result.close()
    assert counting.count == 0
