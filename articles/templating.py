"""The Jinja2 environment for readers' pages (templates/jinja2/).

Readers' pages are rendered with Jinja2, which compiles a template to Python once and
renders it several times faster than Django's template language; the admin keeps Django's
templates. Autoescaping is on (Django's backend turns it on): only values marked safe
(the sanitised body, our own JSON-LD and highlighting) are written unescaped.
"""

import datetime
import weakref
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

import orjson
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as django_date
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from jinja2 import Environment
from markupsafe import Markup, escape

from . import renditions, text
from .links import url


@lru_cache(maxsize=128)
def static(path: str) -> str:
    """The address of a static file (its hashed name in production), worked out once."""
    return django_static(path)


@dataclass(frozen=True, slots=True)
class SiteLinks:
    """The addresses every page links to: masthead, footer, feeds and styles."""

    home: str
    search: str
    feed_rss: str
    feed_atom: str
    sitemap: str
    corrections: str
    stylesheet: str
    print_stylesheet: str
    favicon: str
    logo: str


def site_links() -> SiteLinks:
    """The page chrome's addresses (context processor: ``links``), worked out once per
    script prefix instead of a dozen url() and static() calls on every page."""
    return _site_links(get_script_prefix())


@lru_cache(maxsize=16)
def _site_links(prefix: str) -> SiteLinks:
    return SiteLinks(
        home=url("articles:home"),
        search=url("articles:search"),
        feed_rss=url("articles:feed-rss"),
        feed_atom=url("articles:feed-atom"),
        sitemap=url("articles:sitemap"),
        corrections=url("articles:corrections"),
        stylesheet=static("css/magazine.css"),
        print_stylesheet=static("css/print.css"),
        favicon=static("img/favicon.svg"),
        logo=static("img/logo.png"),
    )


# Every remembering macro, to be cleared when settings change (not kept alive by this).
_REMEMBERING: "weakref.WeakSet[_RememberingMacro]" = weakref.WeakSet()


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    static.cache_clear()
    _site_links.cache_clear()
    _stable_media_urls.cache_clear()
    for macro in _REMEMBERING:
        macro.memo.clear()


# The macros of templates/jinja2/includes/, callable by name from any template without a
# {% from %} import, which looked the template up and compared its globals on every render
# (about 8 µs an import, seven on an article page).
MACROS = {
    "card": "includes/article_card.html",
    "picture": "includes/picture.html",
    "byline": "includes/byline.html",
    "takeaways": "includes/takeaways.html",
    "source_line": "includes/source_line.html",
    "section_nav": "includes/section_nav.html",
    "pagination": "includes/pagination.html",
}


class _Macro:
    """A macro of an include template, loaded on its first call (and on every call while
    templates are reloaded, in development)."""

    __slots__ = ("env", "macro", "name", "template")

    def __init__(self, env: Environment, template: str, name: str):
        self.env, self.template, self.name, self.macro = env, template, name, None

    def load(self):
        macro = self.macro
        if macro is None or self.env.auto_reload:
            macro = self.macro = getattr(self.env.get_template(self.template).module, self.name)
        return macro

    def __call__(self, *args, **kwargs):
        return self.load()(*args, **kwargs)


class _RememberingMacro(_Macro):
    """A macro that remembers the HTML it wrote, by a key of everything that HTML depends
    on: ``key(*args, **kwargs)`` for the arguments (None: write it afresh), and the
    request's script prefix (with ``dated``, its time zone and language too). A change to
    anything shown changes the key, so what is remembered is never out of date. Not used
    while templates reload (development); forgotten when settings change; the oldest go
    past ``size``."""

    __slots__ = ("__weakref__", "dated", "key", "memo", "size")

    def __init__(self, env, template, name, *, key, dated: bool, size: int):
        super().__init__(env, template, name)
        self.key, self.dated, self.size = key, dated, size
        self.memo: dict[tuple, Markup] = {}

    def __call__(self, *args, **kwargs):
        key = None if self.env.auto_reload else self.key(*args, **kwargs)
        if key is None:
            return self.load()(*args, **kwargs)
        key = (
            (key, get_script_prefix(), timezone.get_current_timezone(), get_language())
            if self.dated
            else (key, get_script_prefix())
        )
        html = self.memo.get(key)
        if html is None:
            html = self.load()(*args, **kwargs)
            if len(self.memo) >= self.size:
                # The oldest goes (another thread may have taken it already).
                with suppress(KeyError, RuntimeError, StopIteration):
                    del self.memo[next(iter(self.memo))]
            self.memo[key] = html
        return html


def _card_key(article, lead=False, heading="h3", eager=False):
    """A card shows the article's listing row (its section's and authors' names too,
    ``ArticleCard.content_key``), with a date, and its image's addresses, which are not
    remembered when they are signed (they expire)."""
    content = getattr(article, "content_key", None)
    if not content or not _stable_media_urls():
        return None
    return (content, lead, heading, eager)


def _menu_key(sections, current):
    """The menu shows each section's name, colour and address (its slug), and marks the
    one whose key is the current section's. Plain tuples: hashed and compared without
    Python calls."""
    shown = tuple([(s.pk, s.name, s.slug, s.colour) for s in sections])
    return (shown, current.pk if current else None)


# The same cards are written on many pages (a section's newest under each of its
# articles, a listing on every request), and the same menu on every page.
REMEMBERED = {
    # 1.5-2 KB a card (its key and HTML). The cards written again and again (the home
    # page's, each section's first page, the related cards under its articles) are a few
    # hundred; an archive's others, met once, only push them out.
    "card": {"key": _card_key, "dated": True, "size": 512},
    "section_nav": {"key": _menu_key, "dated": False, "size": 64},
}


@lru_cache(maxsize=1)
def _stable_media_urls() -> bool:
    """Whether a media file's address stays the same (not a signed, expiring one)."""
    from django.core.files.storage import default_storage

    return not getattr(default_storage, "querystring_auth", False)


# Format characters that read only the day, not the time: such a format gives the same
# text for every moment of a day, so the text is worked out once per day and language.
_DAY_ONLY = frozenset("dDjlNSwzWFmMnytLoYyEb ,.-/")


def date(value, fmt: str) -> str:
    """Django's ``date`` filter: the value in the site's time zone, in ``fmt``."""
    if value in (None, ""):
        return ""
    local = template_localtime(value)
    if fmt == "c" and isinstance(local, datetime.datetime):
        return local.isoformat()  # what Django's "c" gives
    if isinstance(local, datetime.datetime) and _day_only(fmt):
        return _day_text(local.date(), fmt, get_language())
    return django_date(local, fmt)


@lru_cache(maxsize=64)
def _day_only(fmt: str) -> bool:
    return set(fmt) <= _DAY_ONLY


# 240 bytes a day: 1,024 days (three years of an archive's dates in one format) hold
# 0.25 MB; 4,096 held 1 MB in each worker.
@lru_cache(maxsize=1024)
def _day_text(day: datetime.date, fmt: str, language: str | None) -> str:
    return django_date(day, fmt)


def time_tag(value) -> Markup:
    """<time datetime="2026-11-29T06:00:00+00:00">29 November 2026</time>, in the site's
    time zone and language: what every card and byline prints. Worked out once per
    moment, zone and language (the zone and language are read once, not per format)."""
    if value in (None, ""):
        return Markup("")
    return _time_tag(value, timezone.get_current_timezone(), get_language())


@lru_cache(maxsize=256)
def _time_tag(value, zone, language: str | None) -> Markup:
    # An archive has more moments than this remembers; the day's text is remembered per
    # day (Django's date formatting is the slow part), and the markup built directly.
    # Kept small: cards, where the same moments come back, are remembered whole, and each
    # entry costs about 350 bytes (4,096 of them, 1.4 MB in every worker).
    local = template_localtime(value)
    day = _day_text(local.date(), "j F Y", language)
    return Markup(f'<time datetime="{escape(local.isoformat())}">{escape(day)}</time>')


def current_year() -> str:
    return str(timezone.localtime().year)


def ld_json(value) -> Markup:
    """A JSON-LD script element whose content can never close the element early."""
    data = (
        orjson.dumps(value)  # compact, and UTF-8 as it is: json.dumps(ensure_ascii=False)
        .decode()
        .replace("&", "\\u0026")
        .replace("<", "\\u003C")
        .replace(">", "\\u003E")
    )  # str.replace: several times faster than str.translate with a table
    return Markup(f'<script type="application/ld+json">{data}</script>')


def truncatewords(value: str, count: int) -> str:
    return Truncator(value).words(count, truncate=" …")


class _Environment(Environment):
    """Jinja's environment, giving each template its globals as a plain dict. Jinja gives a
    ChainMap over the environment's globals, so that globals added later reach templates
    already loaded; ours are all set here, before any template loads, and a ChainMap cost
    every render about 12 µs (each render copies the globals, key by key in Python)."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    env = _Environment(**options)
    env.globals.update({name: _Macro(env, template, name) for name, template in MACROS.items()})
    for name, options in REMEMBERED.items():
        env.globals[name] = _RememberingMacro(env, MACROS[name], name, **options)
        _REMEMBERING.add(env.globals[name])
    env.globals.update(
        {
            "static": static,
            "url": url,
            "current_year": current_year,
            "time_tag": time_tag,
            "picture_sources": renditions.picture_sources,
        }
    )
    env.filters.update(
        {
            "date": date,
            "join_names": text.join_names,
            "ld_json": ld_json,
            "truncatewords": truncatewords,
        }
    )
    return env
