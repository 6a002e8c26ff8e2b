"""WSGI entry point, used by gunicorn."""

import os

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "magazine.settings")


class ReleasedRequest(WSGIRequest):
    """A request that lets go of what points back at it once its response is sent.

    Django's auth middleware gives the request a lazy ``user`` (a closure over the
    request) and ``auser`` (a partial of it), and the messages middleware a storage that
    keeps the request: each is a reference cycle, so every finished request, and all a
    page hung on it (its menu, its cards), waited for the cyclic garbage collector, whose
    full passes come thousands of requests apart, and a worker's heap grew with that
    garbage (a full collection after every 50 requests took 2.1 MB off a rendering
    worker's growth under the bench's load). Dropping those attributes when the response
    is closed, after it is sent, frees each request by reference counting, at once; with
    the cards' and prepared queries' own cycles gone too, listings and search leave no
    cyclic garbage (tests/test_memory.py), and a worker's growth under that load went from
    5.9 to 5.1 MB (4.1 once the feeds' articles were loaded without their image field,
    whose file points back at its model instance: Django's own cycle, which the article
    page's one instance keeps)."""

    CYCLIC = ("user", "auser", "_messages")

    def close(self):
        super().close()
        for name in self.CYCLIC:
            self.__dict__.pop(name, None)


class Handler(WSGIHandler):
    request_class = ReleasedRequest


def get_wsgi_application() -> Handler:
    """django.core.wsgi.get_wsgi_application, with requests that are freed when done."""
    django.setup(set_prefix=False)
    return Handler()


application = get_wsgi_application()


def activate_site_defaults() -> None:
    """Make the site's language and time zone the active ones in this thread (gunicorn's
    workers serve every request in the thread that loaded this module, or a fork of it).

    Django falls back to them when none is active, so pages read the same; but finding
    that none is active costs Django an exception each time (about 4 µs), where reading
    an active one costs under 1 µs, and a page asks 20 to 35 times (every date it prints,
    every remembered card). ``translation.override`` and ``timezone.override`` put these
    back when they end."""
    from django.conf import settings
    from django.utils import timezone, translation

    translation.activate(settings.LANGUAGE_CODE)
    timezone.activate(timezone.get_default_timezone())


activate_site_defaults()
