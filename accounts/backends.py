"""Authentication: the usual model backend, minus the demo passwords."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .services import DEMO_ACCOUNTS

PUBLISHED = {(username, password) for username, password, _groups in DEMO_ACCOUNTS}


class NoPublishedPasswordsBackend(ModelBackend):
    """With debug off, a demo account's published password never logs in.

    `make run` prints the demo passwords and the README shows them; a
    database made by `make run` and then deployed must not keep them working.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ):
        if not settings.DEBUG and (username, password) in PUBLISHED:
            return None
        return super().authenticate(request, username, password, **kwargs)
