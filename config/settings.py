"""Settings for Three Notebooks: one module, driven by environment variables.

Every variable is listed with its default in README.md. The defaults suit a
developer's machine (debug on, SQLite in var/, localhost only); a deployment
sets DJANGO_DEBUG=false and must then give a DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    SettingsError,
    env_absolute_path,
    env_bool,
    env_int,
    env_json_object,
    env_list,
    env_rate,
)
from config.middleware import static_file_headers

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
    "csp",
    "axes",
    "django_ratelimit",
    "reader",
    "accounts",
    "classes",
    "annotations",
    "themes",
    "teaching",
    "search",
    # Notifications (issue #16): the inbox, and e-mail sent off the request
    # by django-tasks' database backend (`manage.py db_worker` runs it).
    "notifications",
    "django_tasks",
    "django_tasks.backends.database",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Static files get theirs from WHITENOISE_ADD_HEADERS_FUNCTION, below.
    "config.middleware.CrossOriginResourcePolicyMiddleware",
    # Pages only (static files are answered above): what a page may load
    # and which browser features it may use.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # no-store on a signed-in reader's responses; above SessionMiddleware,
    # so it sees the session cookie set on the way out.
    "config.middleware.PrivateResponsesMiddleware",
    # Compresses pages and JSON (a busy part page shrinks about tenfold). Below
    # WhiteNoise, which serves static files already compressed; above every
    # middleware that reads or writes a body, so it compresses last. BREACH:
    # since Django 4.2 it adds up to 100 random bytes to the gzip header of
    # every response ("Heal The Breach", GZipMiddleware.max_random_bytes), and
    # the CSRF token on a page is masked afresh for every response.
    # Responses under 200 bytes are sent as they are; streaming ones are
    # compressed as they stream.
    "django.middleware.gzip.GZipMiddleware",
    # An over-long address (414), an over-size body (413) or a NUL in the
    # address (400) is refused in words before anything reads it; every
    # limit is listed in config/limits.py.
    "config.limits.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login django-axes refused into our 429 page (last, so that it
    # sees the response of the login view it replaces).
    "axes.middleware.AxesMiddleware",
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
                # The header's inbox count (signed-in readers only).
                "notifications.context_processors.inbox",
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
    # Readers' unread notification counts (notifications/unread.py).
    CACHES["notifications"] = CACHES["default"]
    # Throttle counts (config/throttling.py): Redis counts atomically for
    # every app server.
    CACHES["throttles"] = CACHES["default"]
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
        # Readers' unread notification counts (notifications/unread.py): one
        # for every worker, like the generation, or a count one worker forgot
        # would live on in another's memory.
        "notifications": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": BASE_DIR / "var" / "cache" / "notifications",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        # Throttle counts (config/throttling.py) must be one for every
        # worker, or three gunicorn workers would allow three times the
        # attempts: a table in the database, shared by every worker and by
        # every app server on the same database, counted with a locked
        # increment. `migrate` creates it (accounts/apps.py).
        "throttles": {
            "BACKEND": "config.throttling.AtomicDatabaseCache",
            "LOCATION": "three_notebooks_throttles",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
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

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username at this address before any
    # password is checked (django-axes, below).
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.NoPublishedPasswordsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password-reset mail. The console by default: on a developer's machine the
# link is printed where the server runs. A deployment names an SMTP server.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# The sender of those mails (and of Django's own).
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Three Notebooks <noreply@localhost>"
)

# Accounts (#16): e-mail verification and the links mailed for it.
# Off (the demo's default): an address given at sign-up is checked by a
# link, but the account works at once. On: sign-up asks for an address and
# the account opens only once its link is followed.
THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION = env_bool(
    "THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION", False
)
# How long a verification or change-of-address link works (seconds; a
# password reset link: Django's PASSWORD_RESET_TIMEOUT, three days too).
THREE_NOTEBOOKS_EMAIL_LINK_MAX_AGE = env_int(
    "THREE_NOTEBOOKS_EMAIL_LINK_MAX_AGE", 3 * 24 * 3600, minimum=60
)
# More of a reader's data for the export offered before deleting an account:
# dotted paths of callables (user) -> (name, JSON-able data): the feedback
# and grades a reader was given, and the feedback they wrote.
THREE_NOTEBOOKS_ACCOUNT_EXPORT_SECTIONS: list[str] = [
    "teaching.exports.account_section",
]
# --- Notifications (issue #16) ---------------------------------------------
# Mail for notifications is sent off the request, by a task: the database
# backend queues it, `manage.py db_worker` sends it (one more process beside
# the app servers). THREE_NOTEBOOKS_TASKS_BACKEND=immediate sends it at once
# instead, after the request's transaction commits (tests, a quick demo).
_TASK_BACKENDS = {
    "database": "django_tasks.backends.database.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("THREE_NOTEBOOKS_TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise SettingsError(
        "THREE_NOTEBOOKS_TASKS_BACKEND must be database or immediate, "
        f"not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}
# The site's address as readers reach it, for links in mail (sent by a
# worker, which has no request to take it from).
THREE_NOTEBOOKS_SITE_URL = os.environ.get(
    "THREE_NOTEBOOKS_SITE_URL", "http://localhost:8000"
)

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
# Uploads wait in the default storage between an import's preview and its
# confirmation (reader/admin.py), and the confirmation may reach another app
# server than the preview did. One machine: var/media will do. Several: a
# folder they all mount (DJANGO_MEDIA_ROOT, absolute), or another storage
# backend by its class and keyword options (DJANGO_MEDIA_STORAGE and
# DJANGO_MEDIA_STORAGE_OPTIONS, a JSON object), e.g. S3-compatible storage
# through django-storages once it is installed.
MEDIA_ROOT = env_absolute_path("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media")

# Static files are answered by WhiteNoise, above every middleware but
# SecurityMiddleware: it adds their Cross-Origin-Resource-Policy itself.
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

# Hashed, compressed file names only in production: in development and tests
# there is no collectstatic step to build the manifest.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": env_json_object("DJANGO_MEDIA_STORAGE_OPTIONS", {}),
    },
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

# HTTPS only, once debug is off: plain-HTTP requests are redirected, and
# browsers are told (HSTS) to use HTTPS for a year. Behind a proxy that ends
# TLS, also set DJANGO_BEHIND_TLS_PROXY=true, or every request looks like
# plain HTTP and is redirected for ever. Serving plain HTTP on purpose (a
# laptop, the benchmark): DJANGO_SECURE_SSL_REDIRECT=false and
# DJANGO_SECURE_HSTS_SECONDS=0. In debug both are off.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer or an orchestrator probes the app server over plain HTTP:
# the health checks answer it instead of redirecting (SecurityMiddleware
# matches these against the path without its leading slash).
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SECURE_HSTS_SECONDS = env_int(
    "DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0
)
# Subdomains of the site's own host (not its parent domain's).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0
)
# Off unless the domain's owner asks: the preload list (hstspreload.org) is
# a commitment for the whole domain that is slow to take back.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# check --deploy warns while preload is off (security.W021); off is the
# deliberate default above, so that warning is silenced, and only that one.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Django's default, written down: every page, /api/docs/ included (its view
# is the one that serves its script from a file and leaves this alone).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# What a page may load: our own files only. No inline scripts or styles (no
# 'unsafe-inline'): every script is a file under static/, and colours and
# sizes are classes (the motifs' colours come from themes:colours). No
# nonces either: an anonymous visitor's page is served from a cache
# (reader/page_cache.py), where a nonce would be stale. data: images are
# allowed on the API's docs page only (config/api_urls.py: Swagger UI's
# icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    }
}

# Browser features no page of ours uses, refused to every page and frame,
# whatever script ends up on it (only features chromium knows: an unknown
# one is an error in the console of every page). "Copy citation" writes to the clipboard
# (navigator.clipboard.writeText), so clipboard-write stays ours.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "clipboard-write": ["self"],
    "fullscreen": ["self"],
}

# One Markdown renderer for everything users and curators write.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "reader.markdown.render_markdown"

# The largest body a request without file uploads may have (JSON, forms):
# Django's default, stated because config.limits.RequestLimitsMiddleware
# answers a larger one with 413 and this size in words. A note is at most
# 10,000 characters; the other limits are listed in config/limits.py.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Whether visitors who are not signed in see public annotations. Off by
# default: most readers are students, often minors.
THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = env_bool(
    "THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC", False
)

# The language searches stem words in (search/schema.py's LANGUAGES). The
# index is built in it: after changing it, run manage.py rebuild_search_index.
THREE_NOTEBOOKS_SEARCH_LANGUAGE = "english"

# --- Throttles (config/throttling.py) --------------------------------------
# How many reverse proxies stand in front of the site and append to
# X-Forwarded-For (0: clients connect directly, REMOTE_ADDR is theirs). Every
# throttle counts per the address this gives; behind a proxy without it, all
# visitors would share the proxy's address and one throttle.
THREE_NOTEBOOKS_TRUSTED_PROXIES = env_int(
    "THREE_NOTEBOOKS_TRUSTED_PROXIES", 0, minimum=0
)
# Rates ("count/period", period s, m, h or d, e.g. 10/h or 5/15m), each from
# THREE_NOTEBOOKS_RATE_<SCOPE>. Per address limits stay generous: a school
# sits behind one address.
THREE_NOTEBOOKS_THROTTLE_RATES = {
    scope: env_rate(f"THREE_NOTEBOOKS_RATE_{scope.upper()}", default)
    for scope, default in {
        # Log-in forms posted from one address, whoever they name (the
        # per-account lock is django-axes', below).
        "login_address": "100/10m",
        # New accounts from one address.
        "signup_address": "10/h",
        # Password-reset requests from one address, and for one e-mail.
        "password_reset_address": "10/h",
        "password_reset_email": "3/h",
        # Accounts (#16): verification mails from one address and to one
        # e-mail; a change of e-mail, a change of password and the deletion
        # form (each checks the password) per account.
        "email_verification_address": "10/h",
        "email_verification_email": "3/h",
        "email_change_user": "5/h",
        "password_change_user": "10/h",
        "account_delete_user": "10/h",
        # Join-code tries from one address (a whole class joins at once;
        # wrong codes per account are limited in classes/services.py).
        "join_address": "60/h",
        # Imports per account: a reader's notebook, a curator's edition
        # (each preview re-reads the upload).
        "import_user": "20/h",
        "edition_import_user": "60/h",
        # The API: per address without an account, per account with one,
        # and the writes (each renders Markdown and re-anchors) per account.
        "api_anon": "120/m",
        "api_user": "600/m",
        "api_write": "60/m",
    }.items()
}
RATELIMIT_USE_CACHE = "throttles"
RATELIMIT_IP_META_KEY = "config.throttling.client_ip"
RATELIMIT_CACHE_PREFIX = "rl:"
if not REDIS_URL:
    # django-ratelimit knows Redis and memcached only; our database cache
    # counts with a locked increment (config/throttling.AtomicDatabaseCache).
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.W001"]

# django-axes: wrong passwords per account *and* address. The pair, so that
# one student's typos (or a prankster) cannot lock out a whole school behind
# one address, nor an attacker a student from everywhere. Counted in the
# database (shared by every worker and server, listed in the admin, cleared
# with `manage.py axes_reset`).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("THREE_NOTEBOOKS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("THREE_NOTEBOOKS_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
# A right password clears the count, so old typos do not add up.
AXES_RESET_ON_SUCCESS = True
# No record of every successful log-in (address and browser of readers,
# often minors): only failures are kept, for the cool-off.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "config.throttling.login_locked_out"

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
    # Rates: THREE_NOTEBOOKS_THROTTLE_RATES (api_*); counts: the shared
    # "throttles" cache. A refused request is a 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonThrottle",
        "config.throttling.UserThrottle",
        "config.throttling.WriteThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Three Notebooks API",
    "DESCRIPTION": (
        "Annotations on the passages of The Face of Another, as JSON or as W3C "
        "Web Annotations (JSON-LD), the motif atlas, and search over the "
        "passages, motifs and notes a reader may see."
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

# What another app adds under the cards of a passage's page of every note
# (annotations.cards.card_addenda): the teachers' feedback.
THREE_NOTEBOOKS_CARD_ADDENDA = "teaching.contributions.feedback_on_passage_cards"

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
