"""A finished request is freed at once, by reference counting: nothing a reader page makes
is left in a reference cycle for the cyclic garbage collector, whose full passes come
thousands of requests apart (meanwhile a rendering worker's heap held megabytes of such
garbage)."""

import gc
import io
import sys
import weakref

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone, translation

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(settings):
    """magazine.wsgi's handler, as gunicorn serves it (the page cache off: every request
    renders). Importing the module makes the site's language and zone active in this
    thread, as in a worker; they are put back after."""
    settings.PAGE_CACHE_SECONDS = 0
    from magazine import wsgi

    # As Django's test client does: the test's transaction keeps its connection open.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield wsgi.Handler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
        translation.deactivate()
        timezone.deactivate()


def _serve(handler, path: str) -> tuple[str, weakref.ref]:
    """Serve ``path`` as a WSGI server does (the response closed after it is sent); the
    status and a weak reference to the request."""
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []
    result = handler(environ, lambda s, headers, *args: status.append(s))
    try:
        b"".join(result)
    finally:
        result.close()
    return status[0], _made.pop()


_made: list[weakref.ref] = []


@pytest.fixture
def watched(handler):
    """Requests that leave a weak reference to themselves in ``_made``."""

    class Watched(type(handler).request_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _made.append(weakref.ref(self))

    handler.request_class = Watched
    return handler


def test_reader_pages_leave_nothing_for_the_cyclic_garbage_collector(watched):
    handler = watched
    tech = make_section(name="Tech", slug="tech")
    ann = make_author(name="Ann", slug="ann")
    for n in range(5):
        make_article(
            slug=f"battery-{n}",
            title=f"Battery story {n}",
            section=tech,
            authors=[ann],
            takeaways=["A point."],
            sources=[{"name": "Reuters", "relation": "wire reporting"}],
            hero_image=make_image_file(name=f"hero-{n}.jpg"),
            hero_alt="A battery",
            hero_credit="Photo: Ann",
        )
    listings = ["/", "/tech/", "/search/?q=battery", "/feeds/rss/", "/feeds/atom/"]
    one_model = ["/articles/battery-1/", "/authors/ann/"]
    for path in listings + one_model:
        _serve(handler, path)  # queries compiled, templates loaded, caches filled
    gc.collect()
    gc.disable()
    try:
        for path in listings:
            status, request = _serve(handler, path)
            assert status.startswith("200"), (path, status)
            assert request() is None, f"{path}: the request outlived its response"
            assert gc.collect() == 0, f"{path} left cyclic garbage"
        # The article's and the author's page each hold one model instance, which keeps
        # Django's own cycle (an image field's file points back at its instance); the
        # request and the rest go at once.
        for path in one_model:
            status, request = _serve(handler, path)
            assert status.startswith("200") and request() is None, path
            assert gc.collect() < 40, path
    finally:
        gc.enable()
