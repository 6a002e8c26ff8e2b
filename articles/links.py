"""Addresses of the site's pages, reversed once and remembered.

``reverse()`` walks the URL patterns each time; a page with a dozen links spent more time
there than in its database queries. The same name and arguments always give the same
address under the same script prefix, so each one is worked out once per process.

An archive has more articles than any cache of addresses holds, so an article's own page
usually asks for an address not yet worked out (about 25 µs in ``reverse()``). A route
whose one argument is a ``<slug:>`` or ``<str:>`` gives, for any slug, the same address
with that slug in it: the text around the slug is worked out once per route.
"""

import re
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse

# What Django's slug converter takes (and its str converter takes too); such a slug needs
# no quoting in an address.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# A route of literal text around one slug or str argument, as ResolverMatch.route gives it.
_ONE_SLUG_ROUTE = re.compile(r"[^<>]*<(?:slug|str):\w+>[^<>]*")
_MARK = "zz-slug-mark-zz"


@lru_cache(maxsize=8192)
def _reverse(prefix: str, name: str, args: tuple) -> str:
    return reverse(name, args=args)


@lru_cache(maxsize=256)
def _around_slug(prefix: str, name: str) -> tuple[str, str] | None:
    """The address of route ``name`` before and after its one slug argument, or None when
    the route takes something else (then each address comes from ``reverse()``)."""
    try:
        address = reverse(name, args=(_MARK,))
        match = resolve("/" + address.removeprefix(prefix))
    except (NoReverseMatch, Resolver404):
        return None
    if (
        match.view_name != name
        or not _ONE_SLUG_ROUTE.fullmatch(match.route)
        or address.count(_MARK) != 1
    ):
        return None
    before, after = address.split(_MARK)
    return before, after


def around_slug(name: str) -> tuple[str, str]:
    """The address of route ``name``, which takes one slug, before and after the slug."""
    around = _around_slug(get_script_prefix(), name)
    if around is None:
        raise NoReverseMatch(f"{name!r} does not take one slug")
    return around


def url(name: str, *args) -> str:
    """``reverse(name, args=args)``, remembered."""
    prefix = get_script_prefix()
    if (
        len(args) == 1
        and type(args[0]) is str
        and _SLUG.fullmatch(args[0])
        and (around := _around_slug(prefix, name))
    ):
        return around[0] + args[0] + around[1]
    return _reverse(prefix, name, args)


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _reverse.cache_clear()
    _around_slug.cache_clear()


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
