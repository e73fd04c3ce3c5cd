"""Settings for Three Notebooks: one module, driven by environment variables.

Every variable is listed with its default in README.md. The defaults suit a
developer's machine (debug on, SQLite in var/, localhost only); a deployment
sets DJANGO_DEBUG=false and must then give a DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import SettingsError, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SettingsError(
            "DJANGO_SECRET_KEY is not set: with DJANGO_DEBUG off the site "
            "will not start without a secret key of its own."
        )
    SECRET_KEY = "insecure-development-key-do-not-deploy"  # debug only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "markdownx",
    "reader",
    "accounts",
    "classes",
    "annotations",
    "themes",
    "teaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and JSON (a busy part page shrinks about tenfold). Below
    # WhiteNoise, which serves static files already compressed; above every
    # middleware that reads or writes a body, so it compresses last. BREACH:
    # since Django 4.2 it adds up to 100 random bytes to the gzip header of
    # every response ("Heal The Breach", GZipMiddleware.max_random_bytes), and
    # the CSRF token on a page is masked afresh for every response.
    # Responses under 200 bytes are sent as they are; streaming ones are
    # compressed as they stream.
    "django.middleware.gzip.GZipMiddleware",
    # A NUL in the path or query string is a 400 before anything reads it.
    "config.middleware.NullCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns SQLite's "database is locked" into 503 + Retry-After, not a 500.
    "config.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # One that reads the request (a cookie) must also be named in
            # THREE_NOTEBOOKS_ANONYMOUS_PAGES_VARY_ON, below.
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.reading_preferences",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# The embedded default is SQLite in var/, tuned for a small school server:
# WAL lets readers and one writer work at once; IMMEDIATE transactions take the
# write lock up front, so two writers queue (busy timeout) instead of failing
# with "database is locked" half-way through a transaction.
_SQLITE_DEFAULT = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=_SQLITE_DEFAULT,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=5000"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
        }
    )
    if DATABASES["default"]["NAME"] == str(BASE_DIR / "var" / "db.sqlite3"):
        (BASE_DIR / "var").mkdir(exist_ok=True)

# The part page caches each passage's markup per revision
# (reader/rendering.py). One app server: each worker's own memory will do (an
# entry's key names the revision, so a worker never serves an old text, and
# each warms its own copy once). Several app servers: REDIS_URL names a
# shared Redis, so a passage is rendered once for all of them. A Redis that
# is down is a miss, not an error: the page renders without its cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "three-notebooks",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    CACHES["generations"] = CACHES["default"]
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for a whole edition's passages (the default is 300).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
        # The content generation that anonymous visitors' cached pages are
        # keyed on (reader/page_cache.py) must be one for every worker, or a
        # worker would serve a page another one's change made old: each
        # worker's memory will not do, a file on this machine does. Several
        # app servers need REDIS_URL.
        "generations": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": BASE_DIR / "var" / "cache" / "generations",
        },
    }
# How long an anonymous visitor's page may be served from the cache at most
# (reader/page_cache.py): a safety net, since every change the site makes
# forgets them at once. 0 turns the cache off.
THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS = env_int(
    "THREE_NOTEBOOKS_ANONYMOUS_PAGE_SECONDS", 300, minimum=0
)
# What else than the content, the language and the path an anonymous
# visitor's cached page varies on (reader/page_cache.py): whatever the context
# processors read from the request. Each is called with the request; its
# result (its repr) is part of the key, so it should take few values.
THREE_NOTEBOOKS_ANONYMOUS_PAGES_VARY_ON = ["accounts.preferences.preferences_for"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["accounts.backends.NoPublishedPasswordsBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reader:home"
LOGOUT_REDIRECT_URL = "reader:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Hashed, compressed file names only in production: in development and tests
# there is no collectstatic step to build the manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One Markdown renderer for everything users and curators write.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "reader.markdown.render_markdown"

# Whether visitors who are not signed in see public annotations. Off by
# default: most readers are students, often minors.
THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = env_bool(
    "THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC", False
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON within the limits every other view keeps (config/json_input.py:
    # depth, long numbers); forms as DRF parses them by default.
    "DEFAULT_PARSER_CLASSES": [
        "config.json_input.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Three Notebooks API",
    "DESCRIPTION": (
        "Annotations on the passages of The Face of Another, as JSON or as W3C "
        "Web Annotations (JSON-LD)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's scripts and styles are served by us, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The 4xx answers every operation may give, documented once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
    # One name per set of choices (the input's motivations leave out
    # replying, which a reply is by being one).
    "ENUM_NAME_OVERRIDES": {
        "ColourEnum": "annotations.models.Colour",
        "VisibilityEnum": "annotations.models.Visibility",
        "MotivationEnum": "annotations.models.Motivation",
        "NoteMotivationEnum": ["highlighting", "commenting", "questioning"],
    },
}

# What other apps add to the reader's part page and contents (see
# reader/contributions.py), in the order their slots appear on the page.
THREE_NOTEBOOKS_READER_CONTRIBUTIONS = [
    "teaching.contributions.AssignmentContribution",
    "themes.contributions.MotifsContribution",
    "annotations.contributions.AnnotationsContribution",
]

# The edition the home page opens; other editions are listed beside it.
THREE_NOTEBOOKS_DEFAULT_EDITION = os.environ.get(
    "THREE_NOTEBOOKS_DEFAULT_EDITION", "study"
)
# Where the bundled study edition lives (make run loads it from here).
THREE_NOTEBOOKS_STUDY_EDITION_DIR = BASE_DIR / "content" / "study-edition"
# The motif catalogue, loaded with the study edition.
THREE_NOTEBOOKS_MOTIF_DIR = BASE_DIR / "content" / "motifs"

# The project's shared research folder (notes, W3C test suite), read by tests
# only; it sits beside the checkout and is never copied into the repository.
THREE_NOTEBOOKS_SHARED_DIR = Path(
    os.environ.get("THREE_NOTEBOOKS_SHARED_DIR", BASE_DIR.parent / "shared")
)

# The W3C Web Annotation test suite, read by tests only.
THREE_NOTEBOOKS_W3C_SUITE_DIR = Path(
    os.environ.get(
        "THREE_NOTEBOOKS_W3C_SUITE_DIR",
        THREE_NOTEBOOKS_SHARED_DIR / "w3c-web-annotation-tests",
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
