"""
Newsroom settings: one module, every deploy-time knob read from the environment.

Development works with no variable set. Production mode (DJANGO_DEBUG=0) refuses
to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, and with the
documented variables passes ``manage.py check --deploy`` without warnings.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.functional import lazy
from django_prose_editor.config import html_tags

from articles.embeds import EMBED_ATTRIBUTES
from articles.embeds import FRAME_HOSTS as EMBED_FRAME_HOSTS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 (comma-separated host names)."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The site's public address: every absolute URL (canonical links, OpenGraph,
# JSON-LD, feeds, sitemaps, robots.txt) is built from it, never from the Host
# header a client sends.
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
if not DEBUG and not NEWSROOM_SITE_URL:
    raise ImproperlyConfigured(
        "NEWSROOM_SITE_URL must be set when DJANGO_DEBUG=0, e.g. https://news.example.com."
    )
NEWSROOM_SITE_URL = NEWSROOM_SITE_URL.rstrip("/")
_site = urlsplit(NEWSROOM_SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname or _site.path or _site.query:
    raise ImproperlyConfigured(
        f"NEWSROOM_SITE_URL must be a scheme and a host, like https://news.example.com, "
        f"not {NEWSROOM_SITE_URL!r}."
    )

# Feed entries are identified by tag URIs (RFC 4151) minted under this authority:
# "tag:news.example.com,2026:article-42". Set it once and keep it, even when the
# site moves to another address: a feed reader shows an entry again as new when
# its id changes. By default, the site's host name and the year 2026.
NEWSROOM_TAG_AUTHORITY = os.environ.get("NEWSROOM_TAG_AUTHORITY", f"{_site.hostname},2026")
if not re.fullmatch(r"[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?", NEWSROOM_TAG_AUTHORITY):
    raise ImproperlyConfigured(
        f"NEWSROOM_TAG_AUTHORITY must be a host name and a date, like "
        f"news.example.com,2026 or news.example.com,2026-11-25, not {NEWSROOM_TAG_AUTHORITY!r}."
    )

INSTALLED_APPS = [
    "newsroom.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_prose_editor",
    "csp",
    "axes",
    "articles",
    "comments",
    "pages",
    "live",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages, feeds and sitemaps, whatever sets their body below it;
    # under whitenoise, which serves static files already compressed (gzip and
    # brotli, made by collectstatic). Each response gets a random-length gzip
    # header field, Django's BREACH mitigation (GZipMiddleware.max_random_bytes).
    "django.middleware.gzip.GZipMiddleware",
    # A shared cache's counting request needs nothing further down (articles.middleware).
    "articles.middleware.counting_request",
    # An empty poll for news (comments, live coverage) needs nothing further down.
    "articles.middleware.live_poll",
    # After whitenoise: static files need no policy, documents do.
    "csp.middleware.CSPMiddleware",
    "newsroom.middleware.permissions_policy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a desk member's browser so the cached article page can offer "Edit".
    "articles.middleware.desk_flag",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view's exception reaches it before any other: an unreachable database is a 503.
    "newsroom.middleware.DatabaseUnavailable",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login against its failure records first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: an SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE transactions take the write
    # lock up front and the busy timeout makes a second writer wait for it instead
    # of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # A file, not :memory:, so that the live-server tests really run concurrent
    # connections against one database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Connections come from psycopg's pool, one pool per process: a request takes a
    # connection and gives it back when it ends. With health checks on, the pool
    # tests a connection before handing it out, so one the server closed while it
    # sat idle is replaced instead of failing a request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"]["OPTIONS"] = {
        # JIT compilation pays off for long analytical queries, not for a site's
        # millisecond ones: when a query's cost estimate is high (a correlated
        # count per row is), PostgreSQL spends a second compiling a query that
        # runs in ms.
        "options": "-c jit=off",
        # A server that accepts but does not answer costs a connection attempt 2 s
        # (libpq's shortest), not forever; then the page is a 503.
        "connect_timeout": 2,
        # One connection kept open per process (a sync worker needs no more); up
        # to max_size for threaded workers, closed again after ten idle minutes.
        # A request waits at most 3 s for one (not psycopg's 30), then is a 503.
        "pool": {"min_size": 1, "max_size": 20, "timeout": 3},
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis answers in a millisecond; one that does not within tens of them is down or
# hung, and the site goes on without it (newsroom/cache.py, articles/counting/)
# rather than keeping a reader waiting. No retries: the caller degrades instead.
REDIS_CONNECTION_OPTIONS = {"socket_connect_timeout": 0.05, "socket_timeout": 0.08}
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, where any failure is a miss (newsroom/cache.py).
            "BACKEND": "newsroom.cache.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "newsroom"),
            "OPTIONS": REDIS_CONNECTION_OPTIONS,
        }
    }
else:
    # Without Redis, a file cache: shared by every worker process on the machine,
    # and unlike the database cache it costs no query, so caching saves queries.
    CACHES = {
        "default": {
            # Django's file cache, where any failure (a full disk) is a miss.
            "BACKEND": "newsroom.cache.GuardedFileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# The feeds' XSL stylesheet: browsers apply it only when it is sent as XSL.
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Login throttling (django-axes): five wrong passwords for one account, or from
# one address, lock that account and that address out for 15 minutes; each
# failure and each lockout is logged (loggers "axes.*") and kept in the admin's
# "Access attempts". The address is the reader's, behind trusted proxies too.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "articles.editors.locked_out"
AXES_CLIENT_IP_CALLABLE = "articles.counting.client_address"

# Security. Production mode turns every `check --deploy` item on; each one can be
# relaxed from the environment where a proxy already does the job.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Every script, style, image and font comes from the site itself: no inline
# script or style, no eval (htmx is configured for that in base.html), no
# plugins, no framing. JSON-LD data blocks are not scripts to the browser and
# need no exception. The admin works under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # A nonce only where a page asks for one (the desk's import map); a page
        # that never reads request.csp_nonce is sent plain 'self'.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The embed providers' players, and nothing else; a reader's page loads
        # one only when the reader presses its button (articles.embeds).
        "frame-src": list(EMBED_FRAME_HOSTS),
    }
}
# The body editor's own extensions: their script, and the tags and attributes
# each may produce, which the body's sanitizer allows (articles.body).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("js/body-media.js")],  # its hashed name, at render time
        "extensions": {
            "Embed": html_tags(["figure"], {"figure": EMBED_ATTRIBUTES}),
            "LibraryImage": html_tags(["figure"], {"figure": ["data-image", "data-layout"]}),
            "Gallery": html_tags(["figure"], {"figure": ["data-gallery"]}),
            "TableFigure": html_tags(["figure"], {"figure": ["data-table"]}),
            "PullQuote": html_tags(["aside"], {"aside": ["data-pull-quote"]}),
        },
    }
]
# Powerful browser features the site never uses, off for its pages and anything
# embedded in them (newsroom.middleware.permissions_policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}


# --- Email ------------------------------------------------------------------
# Every email to readers, sent by `manage.py send_notifications` (comments.mail).
# NEWSROOM_EMAIL_URL: smtp://user:password@host:587 (STARTTLS; smtps:// for TLS
# from the start). Unset: printed to the console when debugging, else dropped
# (Django's dummy backend), so a newsroom without a mail server still runs.
def email_settings(url):
    if not url:
        backend = "console" if DEBUG else "dummy"
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"NEWSROOM_EMAIL_URL must look like smtp://user:password@host:587, not {url!r}."
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and parts.port != 25,
        "EMAIL_TIMEOUT": 10,
    }


globals().update(email_settings(os.environ.get("NEWSROOM_EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("NEWSROOM_EMAIL_FROM", "Newsroom <newsroom@localhost>")

# --- Newsroom ---------------------------------------------------------------
# Deploy-time facts come from the environment; the rest below is the site's
# editorial policy, kept in code until editors can change it in the admin.
SITE_NAME = "Newsroom"
# Who publishes, for structured data and the Google News sitemap.
NEWSROOM_PUBLISHER_NAME = SITE_NAME
NEWSROOM_PUBLISHER_LOGO = "images/publisher-logo.png"  # a static path or a URL
NEWSROOM_PUBLISHER_LOGO_SIZE = (512, 512)  # square, at least 112x112 (Google's minimum)

# A shared cache in front (Varnish or a CDN). With NEWSROOM_CDN=1 article pages are
# cacheable by shared caches and each visit is counted by a small request the page
# makes (articles.views.viewed); without it every visit reaches the server.
NEWSROOM_CDN = env_bool("NEWSROOM_CDN", False)
# Varnish instances to tell when content changes (comma-separated base URLs, e.g.
# http://127.0.0.1:6081): they drop what they hold for it (articles.purging).
NEWSROOM_PURGE_URLS = env_list("NEWSROOM_PURGE_URLS")

# View counting (articles/counting/): marks and counts live in Redis when there is
# one (`manage.py flush_view_counts` moves the counts into the database), else in
# the database. Repeat visits by one reader within the window count once.
NEWSROOM_VIEW_COUNTING = "redis" if REDIS_URL else "database"
NEWSROOM_VIEW_WINDOW_MINUTES = 30
# However many readers one network address claims to be (a new User-Agent on every
# request), it counts at most this many views of an article per window: enough for
# an office or a household behind one address, too few to inflate a count.
NEWSROOM_VIEWS_PER_ADDRESS = 20
NEWSROOM_VIEWS_PER_ADDRESS_MINUTES = 60
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 means
# the app faces readers directly and REMOTE_ADDR is the reader's address.
NEWSROOM_TRUSTED_PROXIES = env_int("NEWSROOM_TRUSTED_PROXIES", 0)

NEWSROOM_ARTICLES_PER_PAGE = 20
NEWSROOM_MAX_UPLOAD_MB = 10  # largest hero image
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files stream to disk

# Comments: the shape of threads and forms. The moderation policy (mode, limits,
# blocked terms, thresholds) is data editors change in the admin's Discussion
# settings (comments.models.DiscussionSettings, read by comments/moderation.py).
NEWSROOM_COMMENT_MAX_DEPTH = 3  # levels, top level included
NEWSROOM_COMMENTS_PER_PAGE = 20  # top-level comments
NEWSROOM_COMMENT_FORM_MAX_AGE_HOURS = 24
NEWSROOM_COMMENT_DUPLICATE_MINUTES = 10  # the same text again within this is held
# Live updates (static/js/live-updates.js): how often an open page asks for news.
NEWSROOM_LIVE_POLL_SECONDS = 20
