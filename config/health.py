"""Health checks: `/healthz/` for a load balancer, `/readyz/` for a deployment.

`healthz` answers "is this process serving?" and nothing more: no database,
no session, no cache, so a load balancer polling it every few seconds costs
next to nothing and a slow database never takes every app server out of the
pool at once. It is also the benchmark's reference: the cheapest page the
framework can serve (bench/server.py reports every page as a share of it).

`readyz` answers "can this process do its work?": the database answers a
trivial query and the cache stores and returns a value. A deployment waits
for it before sending traffic; a failure names what failed, with a 503.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
# Long enough for the get that follows the set; short so a probe leaves
# nothing behind in a shared cache.
CACHE_PROBE_SECONDS = 10


def _no_store(response: HttpResponse) -> HttpResponse:
    # A cached "ok" would hide a server that has since gone down.
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" while the process serves requests. Touches nothing: reading
    request.user or request.session here would cost a query per poll."""
    return _no_store(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not ready"; the log says which
        logger.exception("readyz: the database did not answer")
        return FAILED
    return OK


def cache_status() -> str:
    key = f"readyz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, CACHE_PROBE_SECONDS)
        stored = cache.get(key)
        cache.delete(key)
    except Exception:  # a cache backend raises its own errors (redis, memcached)
        logger.exception("readyz: the cache did not answer")
        return FAILED
    if stored != value:
        logger.error("readyz: the cache did not return the value just stored")
        return FAILED
    return OK


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """200 with each dependency "ok", or 503 naming the one that failed."""
    checks = {"database": database_status(), "cache": cache_status()}
    status = 200 if all(result == OK for result in checks.values()) else 503
    return _no_store(JsonResponse(checks, status=status))
