"""Test settings: the real settings, with test-only overrides."""

import os

import jinja2

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from magazine.settings import *  # noqa: F403
from magazine.settings import LOGGING, TEMPLATES

DEBUG = False
SERVE_MEDIA = True
# The test client speaks plain HTTP; production settings are checked by test_security.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "magazine.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders, as in development: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests make renditions explicitly where they test them; elsewhere pages use originals.
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A template variable that does not resolve fails the test (Adam Johnson's recipe).
LOGGING = {
    **LOGGING,
    "filters": {"missing_variable": {"()": "tests.template_checks.RaiseOnMissingVariable"}},
    "loggers": {
        "django.template": {"level": "DEBUG", "filters": ["missing_variable"]},
    },
}
TEMPLATES[1]["OPTIONS"]["debug"] = True
# In readers' (Jinja2) templates, an undefined variable is an error too.
TEMPLATES[0]["OPTIONS"]["undefined"] = jinja2.StrictUndefined
