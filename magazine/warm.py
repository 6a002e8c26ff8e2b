"""Load before forking what every worker would otherwise load for itself on its first
requests: the URL patterns, the readers' templates compiled, the modules pages import
lazily. Called by gunicorn.conf.py in the master when the application is preloaded, so
workers share this memory instead of each holding a copy. Opens no connection."""

import contextlib
import gc
import importlib

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import formats
from django.utils.module_loading import import_string

LAZY_MODULES = (
    "encodings.idna",  # how the cache's host name is looked up
    "django.contrib.postgres.search",
    "django.contrib.postgres.fields",  # what a search query loads on its first run
    "django.contrib.postgres.forms",
    "django.contrib.syndication.views",
    "django.contrib.sitemaps.views",
    "articles.feeds",
    "articles.sitemaps",
    "articles.views",
)


def _configured_classes() -> list[str]:
    """The classes settings name that the first page loads: the cache backends, the
    messages middleware's storage (its module brings the cookie and session storages),
    the sessions' serializer, the media storage (a picture's addresses)."""
    caches = [cache["BACKEND"] for cache in settings.CACHES.values()]
    media = settings.STORAGES["default"]["BACKEND"]
    return [*caches, settings.MESSAGE_STORAGE, settings.SESSION_SERIALIZER, media]


def warm() -> list[str]:
    """Returns the names of the templates compiled."""
    for name in LAZY_MODULES:
        # A module this installation cannot use (its driver missing) is simply not loaded.
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for path in _configured_classes():
        import_string(path)
    get_resolver().url_patterns  # noqa: B018 - imports every view and builds the patterns
    formats.get_format("DATE_FORMAT")  # imports the language's formats, as dates need
    environment = engines["jinja2"].env
    names = [n for n in environment.list_templates() if n.endswith((".html", ".xml", ".txt"))]
    for name in names:
        environment.get_template(name)
    for value in list(environment.globals.values()):
        if hasattr(value, "load"):  # articles.templating's macros, run once into modules
            value.load()
    return names


def before_forking() -> None:
    """What the master does once the application is loaded, before forking its workers:
    warm, then collect and freeze what is loaded out of the garbage collector, so that its
    passes in the workers do not touch, and so copy, the shared pages. bench/inprocess.py
    starts the same way, to measure what a worker runs."""
    warm()
    gc.collect()
    gc.freeze()
