"""Local development: debug on, a fixed insecure key, e-mail to the console."""

from cms.settings.base import *  # noqa: F403
from cms.settings.env import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
