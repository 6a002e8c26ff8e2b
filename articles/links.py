"""Addresses of the site's pages, reversed once and remembered.

``reverse()`` walks the URL patterns each time; a page with a dozen links spent more time
there than in its database queries. The same name and arguments always give the same
address under the same script prefix, so each one is worked out once per process.
"""

import re
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reverse(prefix: str, name: str, args: tuple) -> str:
    return reverse(name, args=args)


def url(name: str, *args) -> str:
    """``reverse(name, args=args)``, remembered."""
    return _reverse(get_script_prefix(), name, args)


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _reverse.cache_clear()


# What iri_to_uri leaves as it is: an address made only of these needs no quoting.
_URI_SAFE = re.compile(r"[A-Za-z0-9\-._~/#%\[\]=:;$&()+,!?*@']*")


def site_root(request) -> str:
    """``https://example.org``: the scheme and host of ``request``, worked out once for it
    (get_host() checks ALLOWED_HOSTS on every call)."""
    root = getattr(request, "_site_root", None)
    if root is None:
        root = request._site_root = f"{request.scheme}://{request.get_host()}"
    return root


def absolute(request, path: str) -> str:
    """``request.build_absolute_uri(path)``; for a plain path on this site (what url(),
    static() and storages give), the site's root and the path, without parsing it."""
    if (
        path.startswith("/")
        and not path.startswith("//")
        and _URI_SAFE.fullmatch(path)
        and "/./" not in path
        and "/../" not in path
    ):
        return site_root(request) + path
    return request.build_absolute_uri(path)
