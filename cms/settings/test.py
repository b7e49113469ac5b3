"""Fast, isolated settings for the test suite (see STYLE.md: cheap hasher, locmem cache)."""

from cms.settings.base import *  # noqa: F403
from cms.settings.base import BUILD_DIR

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
# The whole suite searches and signs in from one address, far faster than any visitor; the limits
# themselves are tested with small values in tests/core/test_ratelimit.py.
RATELIMIT_SEARCH = "1000000/60"
RATELIMIT_LOGIN = "1000000/300"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BUILD_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
