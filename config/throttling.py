"""Throttles: one client address, one shared store, one 429 page.

The counting is the libraries' own: django-axes for failed logins (in the
database), django-ratelimit for the forms (`throttle`, below) and DRF's
throttles for the API (`annotations`' API throttle classes). What is ours is
only the glue every one of them needs alike: which address a request comes
from (`client_ip`), which cache they count in (the "throttles" alias, shared
by every worker and server: see CACHES in config/settings.py) and the page a
refused visitor sees (`too_many_requests`, 429 with Retry-After).
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import math
import pickle
from collections.abc import Callable
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from rest_framework import throttling

THROTTLE_CACHE = "throttles"


def client_ip(request: HttpRequest) -> str:
    """The address a request comes from.

    REMOTE_ADDR, unless THREE_NOTEBOOKS_TRUSTED_PROXIES says how many
    reverse proxies stand in front of the site: then the address the
    outermost of ours saw, counted from the right of X-Forwarded-For (the
    left-hand entries are whatever the client chose to send). Every throttle
    reads this one rule, so no throttle can be dodged by a header another
    trusts.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.THREE_NOTEBOOKS_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Nothing usable: all such requests share one bucket, the
        # "unspecified" address, rather than none (a throttle that a bad
        # header switches off is no throttle; axes stores an address).
        return "0.0.0.0"  # noqa: S104


def too_many_requests(
    request: HttpRequest, retry_after: float, *, message: str = ""
) -> HttpResponse:
    """Our 429 page, saying when to come back (also in Retry-After)."""
    seconds = max(1, math.ceil(retry_after))
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        "429.html",
        {
            "retry_after": seconds,
            "message": message
            or _(
                "Too many attempts from here in a short time. Please wait "
                "%(minutes)d minutes and try again."
            )
            % {"minutes": minutes},
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: our page, not its bare text.

    Every attempt during a lockout starts the cool-off again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, axes' default), so the
    whole cool-off is exactly how long to wait from now.
    """
    seconds = get_cool_off(request).total_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    return too_many_requests(
        request,
        seconds,
        message=_(
            "Too many wrong passwords for this account from here. Logging "
            "in to it from here is paused for %(minutes)d minutes; each new "
            "try starts the pause again. Forgot your password? You can reset "
            "it."
        )
        % {"minutes": minutes},
    )


def rate_for(scope: str) -> str | None:
    """The rate of one throttle, from THREE_NOTEBOOKS_THROTTLE_RATES."""
    return settings.THREE_NOTEBOOKS_THROTTLE_RATES.get(scope)


def throttle(
    scope: str, *, key: str | Callable[[str, HttpRequest], str], method: str = "POST"
) -> Callable:
    """Refuse a view's `method` requests over the scope's rate, per `key`.

    `key` is django-ratelimit's: "ip", "user", "post:<field>" or a callable.
    The library counts (in the shared "throttles" cache); this only turns its
    verdict into our 429 page with Retry-After, which its own decorator (a
    bare 403) does not give. Stack two for two keys.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            usage = get_usage(
                request,
                group=f"three-notebooks.{scope}",
                key=key,
                rate=lambda _group, _request: rate_for(scope),
                method=method,
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def normalized_post_field(field: str) -> Callable[[str, HttpRequest], str]:
    """A ratelimit key: a posted field, trimmed and lower-cased (an e-mail
    address in capitals is the same address)."""

    def key(_group: str, request: HttpRequest) -> str:
        return request.POST.get(field, "").strip().lower()

    return key


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache, with an increment no two workers can split.

    The throttles' store on a site without Redis: a table every worker and
    every app server on the same database share. Django's own `incr` reads,
    then writes, so two requests at once could both count 5 and write 6;
    here the read and write happen in one transaction that first locks the
    row (an UPDATE of nothing takes the row lock on PostgreSQL, the write
    lock on SQLite).
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, value_column = quote_name(self._table), quote_name("value")
        key_column, expires_column = quote_name("cache_key"), quote_name("expires")
        now = connection.ops.adapt_datetimefield_value(
            timezone.now().replace(microsecond=0)
        )
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # Lock first, read second: a second worker waits here.
            cursor.execute(
                f"UPDATE {table} SET {expires_column} = {expires_column} "  # noqa: S608
                f"WHERE {key_column} = %s",
                [key],
            )
            cursor.execute(
                f"SELECT {value_column} FROM {table} "  # noqa: S608
                f"WHERE {key_column} = %s AND {expires_column} >= %s",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            new_value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301
            encoded = base64.b64encode(
                pickle.dumps(new_value, self.pickle_protocol)
            ).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s "  # noqa: S608
                f"WHERE {key_column} = %s",
                [encoded, key],
            )
        return new_value


class SharedCacheThrottleMixin:
    """DRF throttles counting in the shared cache, at our rates, per our
    client address (DRF's own reads its rates once, at import, and trusts
    NUM_PROXIES' X-Forwarded-For)."""

    scope: str

    @property
    def cache(self):  # type: ignore[override]
        return caches[THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return rate_for(self.scope)

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        """DRF's reading, plus a multiple ("5/15m"), as django-ratelimit's."""
        if rate is None:
            return (None, None)
        count, period = rate.split("/")
        multiple, unit = period[:-1], period[-1]
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
        return (int(count), seconds * int(multiple or 1))

    def get_ident(self, request) -> str:  # type: ignore[override]
        return client_ip(request)

    def get_cache_key(self, request, view) -> str | None:  # type: ignore[override]
        key = super().get_cache_key(request, view)  # type: ignore[misc]
        return None if key is None else settings.RATELIMIT_CACHE_PREFIX + key


class AnonThrottle(SharedCacheThrottleMixin, throttling.AnonRateThrottle):
    """Visitors who are not signed in, per address."""

    scope = "api_anon"


class UserThrottle(SharedCacheThrottleMixin, throttling.UserRateThrottle):
    """Signed-in readers (session or token), per account."""

    scope = "api_user"


class WriteThrottle(SharedCacheThrottleMixin, throttling.UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE), per account or address: stricter,
    since each one renders Markdown and re-anchors."""

    scope = "api_write"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
