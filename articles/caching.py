"""Whole-page caching for anonymous readers, invalidated exactly by tags.

A reader page records the tags of what it shows (``article:12``, ``section:3``,
``author:7``, ``home``, ``feeds`` ...). Each tag has a version in the cache; a stored page
keeps the versions it was rendered with and is served only while they are all unchanged.
Purging a tag gives it a new version, so every page that shows the thing goes stale at
once, in every process and on every machine that shares the cache (Redis).

A page is stored only if no purge happened while it was being rendered (a global purge
counter is read before and after), so a page rendered from data that changed under it is
never kept. Requests that carry a session cookie (editors) never read or fill the cache;
previews are never cached.
"""

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

PURGES = "pagecache:purges"
_HEADERS_KEPT = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _tag_key(tag: str) -> str:
    return f"pagecache:tag:{tag}"


def _page_key(request: HttpRequest) -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}"
    return "pagecache:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _purge_count() -> int:
    cache = _cache()
    value = cache.get(PURGES)
    if value is None:
        # A random start: if the counter is ever evicted and made again, no stored page
        # can match the new value by chance and be taken for fresh.
        cache.add(PURGES, secrets.randbits(62), None)
        value = cache.get(PURGES, 0)
    return value


def tag_versions(tags: Iterable[str]) -> dict[str, str]:
    """The current version of each tag (new tags get one)."""
    cache = _cache()
    keys = {tag: _tag_key(tag) for tag in tags}
    found = cache.get_many(keys.values())
    missing = {key: uuid.uuid4().hex for key in keys.values() if key not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, None)
        found |= cache.get_many(missing.keys())
    return {tag: found[key] for tag, key in keys.items()}


def purge(*tags: str) -> None:
    """Every cached page that shows one of ``tags`` goes stale now."""
    cache = _cache()
    _purge_count()
    try:
        cache.incr(PURGES)
    except ValueError:
        cache.set(PURGES, secrets.randbits(62), None)
    cache.set_many({_tag_key(tag): uuid.uuid4().hex for tag in set(tags)}, None)
    for hook in _purge_hooks:
        hook(set(tags))


_purge_hooks: list[Callable[[set[str]], None]] = []


def purge_all() -> None:
    """Every cached page goes stale (after bulk changes such as an import)."""
    purge("all")


def article_tags(article) -> set[str]:
    """What changes when ``article`` changes: its page and every list that could show it."""
    tags = {f"article:{article.pk}", "home", "search", "feeds", "sitemaps", "corrections"}
    if article.section_id:
        tags.add(f"section:{article.section_id}")
    previous = getattr(article, "_previous_section_id", None)
    if previous:
        tags.add(f"section:{previous}")
    tags |= {f"author:{pk}" for pk in article.bylines.values_list("author_id", flat=True)}
    return tags


def purge_article(article) -> None:
    purge(*article_tags(article))


def _eligible(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _public_headers(response: HttpResponse) -> None:
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_BROWSER_SECONDS,
        s_maxage=settings.PAGE_CDN_SECONDS,
        stale_while_revalidate=settings.PAGE_STALE_SECONDS,
    )


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"].items():
        response[name] = value
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["stored"])
    response["X-Page-Cache"] = "hit"
    _public_headers(response)
    return response


def cached_response(request: HttpRequest) -> HttpResponse | None:
    """The stored page for this request (or a 304), if there is a fresh one."""
    request._page_cache_looked_up = True
    if not _eligible(request):
        return None
    cache = _cache()
    # One round trip in the common case: the page and the purge counter together. If
    # nothing was purged since the page was stored, its tags cannot have changed.
    found = cache.get_many([_page_key(request), PURGES])
    entry = found.get(_page_key(request))
    if entry is None:
        return None
    fresh = found.get(PURGES) == entry.get("purges") or (
        tag_versions(entry["versions"].keys()) == entry["versions"]
    )
    if not fresh:
        return None
    response = get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["stored"], response=None
    )
    if response is not None:  # 304 Not Modified
        response["ETag"] = entry["etag"]
        _public_headers(response)
        return response
    return _from_entry(entry)


class PageCacheMiddleware:
    """Answers cache hits before the session, auth and messages machinery runs. Only
    pages that a ``public_page`` view stored can be found here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return cached_response(request) or self.get_response(request)


def public_page(view):
    """Serve ``view`` from the page cache for anonymous readers; the view sets
    ``response.cache_tags`` to say what the page shows."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _eligible(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            return response
        cache = _cache()
        key = _page_key(request)
        if not getattr(request, "_page_cache_looked_up", False):
            hit = cached_response(request)
            if hit is not None:
                return hit
        before = _purge_count()
        response = view(request, *args, **kwargs)
        tags = getattr(response, "cache_tags", None)
        if response.status_code != 200 or tags is None or response.cookies:
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        tags = {*tags, "all"}
        versions = tag_versions(tags)
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        # Last-Modified is when this page was made, even where the view set its own (the
        # articles sitemap: its newest article's update). That date does not move when
        # an article leaves the page, and a client asking If-Modified-Since with it would
        # be told 304 for a changed page.
        stored = int(time.time())
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stored)
        response["X-Page-Cache"] = "miss"
        _public_headers(response)
        if _purge_count() == before:
            cache.set(
                key,
                {
                    "purges": before,
                    "content": response.content,
                    "headers": {h: response[h] for h in _HEADERS_KEPT if h in response},
                    "versions": versions,
                    "etag": etag,
                    "stored": stored,
                },
                settings.PAGE_CACHE_SECONDS,
            )
        conditional = get_conditional_response(
            request, etag=etag, last_modified=stored, response=response
        )
        return conditional

    return wrapper


def on_purge(hook: Callable[[set[str]], None]) -> Callable[[set[str]], None]:
    """Register a function called with the purged tags (e.g. to purge a CDN)."""
    _purge_hooks.append(hook)
    return hook
