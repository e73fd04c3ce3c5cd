"""Reading preferences for anyone: saved on the account, or in a cookie.

Signed-in readers keep their settings on their account, so they follow them to
another device; anonymous readers keep them in a cookie. Either way the server
renders the page in the chosen theme, so it shows right without JavaScript and
without a flash of the wrong colours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.http import HttpRequest, HttpResponse

from .models import ReadingPreferences

COOKIE_NAME = "tn_prefs"
COOKIE_MAX_AGE = 365 * 24 * 3600
FIELDS = {
    "theme": ReadingPreferences.Theme,
    "font_size": ReadingPreferences.FontSize,
    "line_width": ReadingPreferences.LineWidth,
}


@dataclass(frozen=True)
class Preferences:
    # Plain strings, as a cookie gives them: the anonymous page cache keys on
    # repr(), and an enum member would make the defaults a second entry.
    theme: str = ReadingPreferences.Theme.SYSTEM.value
    font_size: str = ReadingPreferences.FontSize.MEDIUM.value
    line_width: str = ReadingPreferences.LineWidth.MEDIUM.value

    def as_cookie(self) -> str:
        return ".".join((self.theme, self.font_size, self.line_width))


def parse_cookie(raw: str | None) -> Preferences:
    """Read the cookie; anything unexpected falls back to the defaults."""
    values = (raw or "").split(".")
    if len(values) != len(FIELDS):
        return Preferences()
    chosen = {}
    for (name, choices), value in zip(FIELDS.items(), values, strict=True):
        if value not in choices.values:
            return Preferences()
        chosen[name] = value
    return Preferences(**chosen)


def preferences_for(request: HttpRequest) -> Preferences:
    """The preferences that apply to this request, read once per request."""
    cached = getattr(request, "_reading_preferences", None)
    if cached is not None:
        return cached
    prefs = parse_cookie(request.COOKIES.get(COOKIE_NAME))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        saved = ReadingPreferences.objects.filter(user=user).first()
        if saved is not None:
            prefs = Preferences(
                theme=saved.theme,
                font_size=saved.font_size,
                line_width=saved.line_width,
            )
    request._reading_preferences = prefs
    return prefs


def remember_in_cookie(response: HttpResponse, prefs: Preferences) -> None:
    response.set_cookie(
        COOKIE_NAME,
        prefs.as_cookie(),
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=False,  # the reader's script reads it to apply changes at once
    )


def as_dict(prefs: Preferences) -> dict[str, str]:
    return asdict(prefs)
