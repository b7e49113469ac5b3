"""Settings shared by every environment.

Values that differ between deployments are read from environment variables (see the table in
README.md); the defaults here are safe for local development on the embedded stack (SQLite and
Wagtail's database search backend).
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cms.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BUILD_DIR = BASE_DIR / "build"

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Project apps, by domain.
    "cms.core",
    "cms.media",
    "cms.taxonomy",
    "cms.home",
    "cms.knowledge",
    "cms.browse",
    "cms.interchange",
    "cms.editors",
    "cms.syndication",
    "search",
    # Wagtail and its companions.
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.core.pagecache.PageCacheMiddleware",
    "cms.core.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.core.context_processors.site_navigation",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise
# (e.g. postgres://user:pass@127.0.0.1:5432/esther).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytical queries, and a search's queries are
    # short; at 10,000 pages it added 30-230 ms to a database search (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Swedish is the source language, English a full second locale.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BUILD_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail
WAGTAIL_SITE_NAME = "Esther – kunskapsbank"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "media.EstherImage"
WAGTAILDOCS_DOCUMENT_MODEL = "media.EstherDocument"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("UPLOAD_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 40_000_000)
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "csv", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("UPLOAD_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
# Only the formats every reader's browser shows (Wagtail's default also allows AVIF); the forms
# add content checks Wagtail lacks (cms/media/forms.py).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.media.forms.EstherImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.media.forms.EstherDocumentForm"
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_CASE_INSENSITIVE = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail from the site, e.g. Wagtail's workflow notifications (a coach hears when Qulturum
# approves or asks for changes). The backend is chosen per environment (dev.py, production.py).
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Esther kunskapsbank <noreply@localhost>")
SERVER_EMAIL = env_str("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = env_str(
    "WAGTAILADMIN_NOTIFICATION_FROM_EMAIL", DEFAULT_FROM_EMAIL
)
WAGTAILADMIN_NOTIFICATION_USE_HTML = env_bool("WAGTAILADMIN_NOTIFICATION_USE_HTML", True)
# Submissions are announced to the approving group (Qulturum editors); superusers only if asked.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = env_bool(
    "WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS", False
)
WAGTAIL_WORKFLOW_ENABLED = True

# The site's own search service (search/): "database" (embedded, default) or "opensearch".
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "database")
SEARCH_ENGINE_URL = env_str("SEARCH_ENGINE_URL", "")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "esther")
SEARCH_ENGINE_TIMEOUT = float(env_str("SEARCH_ENGINE_TIMEOUT", "2.0"))
# Pages queued while the engine was down are sent after a search the engine answered, at most
# once per this many seconds per worker (search.indexing.catch_up_soon); 0 turns that off.
SEARCH_CATCH_UP_INTERVAL = env_int("SEARCH_CATCH_UP_INTERVAL", 60)

# Requests per client address and window ("count/seconds"), cms/core/ratelimit.py.
RATELIMIT_LOGIN = env_str("RATELIMIT_LOGIN", "10/300")
RATELIMIT_SEARCH = env_str("RATELIMIT_SEARCH", "120/60")
# How many proxies in front of the site append to X-Forwarded-For; 0: trust only REMOTE_ADDR.
RATELIMIT_TRUSTED_PROXIES = env_int("RATELIMIT_TRUSTED_PROXIES", 0)

# Caches. "pages" is the anonymous full-page cache (cms/core/pagecache.py): every gunicorn worker
# must see the same one (its generation key is how a publish reaches them all), hence a
# file-based cache by default rather than per-process memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "cms.core.filecache.RarelyCullingFileBasedCache",
        "LOCATION": env_str("PAGE_CACHE_DIR", str(BUILD_DIR / "cache" / "pages")),
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 20_000)},
        # Sites started from one checkout share the folder (the demo server, the load test, the
        # benchmarks); a page rendered for one database or settings module must never be served
        # by another, so their keys differ.
        "KEY_PREFIX": hashlib.sha256(
            "|".join(
                [
                    os.environ.get("DJANGO_SETTINGS_MODULE", ""),
                    str(DATABASES["default"].get("ENGINE", "")),
                    str(DATABASES["default"].get("HOST", "")),
                    str(DATABASES["default"].get("PORT", "")),
                    str(DATABASES["default"].get("NAME", "")),
                ]
            ).encode()
        ).hexdigest()[:12],
    },
    # Rate-limit counters (cms/core/ratelimit.py): shared by all workers, and not in the database,
    # so a flood of logins or searches costs no queries and the limits hold during a DB outage.
    "ratelimit": {
        "BACKEND": "cms.core.filecache.RarelyCullingFileBasedCache",
        "LOCATION": env_str("RATELIMIT_CACHE_DIR", str(BUILD_DIR / "cache" / "ratelimit")),
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# Wagtail's own search (admin page search, choosers) stays on the database backend.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs search-index and reference-index updates as django-tasks; one INFO line
        # per task drowns everything else.
        "django_tasks": {"level": "WARNING"},
    },
}
