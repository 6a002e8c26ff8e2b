"""What readers' pages ask of the database.

Each question is a queryset built on ``Article.objects.published()``, compiled to SQL
once per process (models/prepared.py) and then asked again with new values: this slug,
this section, now. An article comes back as an Article; lists come back as ArticleCard
values (models/content.py), which cost far less to build. The views stay thin; the query
budgets are in tests/test_performance.py.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape

import orjson
from django.db import connection
from django.db.models import CharField, F, Max, Q, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat, Replace, TruncDate
from django.utils import timezone

from .. import search as search_engine
from ..models import Article, Author
from ..models.content import ArticleCard, MenuSection, arrange_front_page, sections_from_json
from ..models.prepared import Prepared

PAGE_SIZE = 12
SEARCH_PAGE_SIZE = 10
RELATED = 3
PER_SECTION = 4
SITEMAP_PAGE_SIZE = 5000  # ArticleSitemap.limit: the index lists pages of this size


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A place in a list ordered newest first: an article's date and id. Older and Newer
    links carry the last or first card's cursor, so the next page starts right there
    (keyset pagination): page 200 costs what page 2 costs, where an offset walks and
    drops every row before it. Written in a link as microseconds-id."""

    published_at: datetime
    pk: int

    @classmethod
    def of(cls, card) -> "Cursor":
        return cls(card.published_at, card.pk)

    @classmethod
    def parse(cls, text: str) -> "Cursor | None":
        micros, _, pk = text.partition("-")
        if not (micros.isdigit() and pk.isdigit() and len(micros) <= 17 and len(pk) <= 12):
            return None
        return cls(_EPOCH + timedelta(microseconds=int(micros)), int(pk))

    def __str__(self) -> str:
        return f"{(self.published_at - _EPOCH) // timedelta(microseconds=1)}-{self.pk}"


@dataclass
class Page:
    """A page of a list, found without counting the whole list: one row more than a page
    tells whether there is a next one. Served by the (state, date) indexes; reached by
    number (an offset) or from a neighbour's cursor (``older_than``/``newer_than``)."""

    items: list
    number: int
    has_next: bool
    newest: bool | None = None  # known from a cursor: nothing newer than this page
    menu: list[MenuSection] | None = None  # the site's menu, if it came with the page

    def __iter__(self):
        return iter(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1 and not self.newest

    @property
    def older_cursor(self) -> Cursor | None:
        return Cursor.of(self.items[-1]) if self.items else None

    @property
    def newer_cursor(self) -> Cursor | None:
        return Cursor.of(self.items[0]) if self.items else None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _window(queryset, start: int, size: int):
    """Cards for rows ``start`` to ``start + size`` of ``queryset`` (one more, to tell
    whether a next page exists). The ids are found first, from ``queryset`` alone (an
    index walk: nothing joined or computed for the rows skipped), then only those rows are
    loaded as cards, in the same query."""
    ids = queryset.values("pk")[start : start + size + 1]
    return Article.objects.cards().filter(pk__in=Subquery(ids))


def _beyond(date: str, key: str, cursor_at, cursor_pk, *, newer: bool) -> Q:
    """Rows after the cursor in the list's order (older ones), or before it (newer):
    the date bound first, so the index walk starts at the cursor."""
    if newer:
        return Q(**{f"{date}__gte": cursor_at}) & (
            Q(**{f"{date}__gt": cursor_at}) | Q(**{f"{key}__gt": cursor_pk})
        )
    return Q(**{f"{date}__lte": cursor_at}) & (
        Q(**{f"{date}__lt": cursor_at}) | Q(**{f"{key}__lt": cursor_pk})
    )


def _keyset_window(queryset, size: int, *, newer: bool, date: str = "published_at", key="id"):
    """Cards for the ``size`` rows next to a cursor (one more, to tell whether the list
    goes on): ``queryset`` already holds the ``_beyond`` condition; newer rows are found
    oldest first, nearest the cursor."""
    if newer:
        queryset = queryset.order_by(date, key)
    ids = queryset.values("pk")[: size + 1]
    return Article.objects.cards().filter(pk__in=Subquery(ids))


def _cards(rows: list[dict]) -> list[ArticleCard]:
    return [ArticleCard(row) for row in rows]


def _page(prepared: Prepared, number: int, size: int, **values) -> Page:
    rows = prepared.fetch((number - 1) * size, size, now=timezone.now(), **values)
    return Page(items=_cards(rows[:size]), number=number, has_next=len(rows) > size)


_article = Prepared(
    lambda now, slug: (
        Article.objects.published(at=now)
        .for_detail()
        .with_related(at=now, limit=RELATED)
        .with_menu()
        .filter(slug=slug)[:1]
    )
)

_related = Prepared(
    lambda now, section_id, article_id: (
        Article.objects.published(at=now)
        .cards()
        .filter(section_id=section_id)
        .exclude(pk=article_id)[:RELATED]
    )
)

_front_page = Prepared(
    lambda *section_ids, now: Article.objects.cards().filter(
        pk__in=Article.objects.published(at=now).newest_ids(
            section_ids=section_ids, per_section=PER_SECTION + 1, fields=("id",)
        )
    )
)

_section_page = Prepared(
    lambda start, size, now, section_id: _window(
        Article.objects.published(at=now)
        .filter(section_id=section_id)
        .order_by("-published_at", "-id"),
        start,
        size,
    )
)

_section_next_to = Prepared(
    lambda size, newer, now, section_id, cursor_at, cursor_pk: _keyset_window(
        Article.objects.published(at=now)
        .filter(_beyond("published_at", "id", cursor_at, cursor_pk, newer=newer))
        .filter(section_id=section_id)
        .order_by("-published_at", "-id"),
        size,
        newer=newer,
    )
)


def _author_window(start: int, size: int, now, author_id: int):
    """An author's page. The ids are found by walking the byline's (author, date) index
    from now backwards, which stops after a page however many articles the author has."""
    return _window(Article.objects.published(at=now).by_author(author_id, at=now), start, size)


_author_page = Prepared(_author_window)


def _author_next_to(size: int, newer: bool, now, author_id: int, cursor_at, cursor_pk: int):
    """An author's page next to a cursor: the same walk of the byline index, from the
    cursor (the byline's date is its article's, kept equal by triggers)."""
    beyond = _beyond(
        "bylines__published_at", "bylines__article_id", cursor_at, cursor_pk, newer=newer
    )
    queryset = Article.objects.published(at=now).by_author(author_id, at=now, also=beyond)
    return _keyset_window(
        queryset, size, newer=newer, date="bylines__published_at", key="bylines__article_id"
    )


_author_next = Prepared(_author_next_to)


def _search_window(start: int, size: int, now, words: str):
    """A page of search results in one query (SQLite): the page's ids from the ranked
    matches, and those rows in rank order."""
    matches = search_engine.ranked(Article.objects.published(at=now), words)
    ids = Subquery(matches.values("pk")[start : start + size + 1])
    cards = Article.objects.cards("body", pictures=False).filter(pk__in=ids)
    return search_engine.by_rank(cards, words)


_search_page = Prepared(_search_window, server_prepared=False)

# PostgreSQL: a page of search results in two queries. The first ranks the newest matches
# and picks the page's ids; it is planned for its words each time (which index to walk
# depends on how many rows they match), and stays small, so that planning is quick (0.12
# against 0.35 ms for the whole page in one query). The second loads those cards, with
# the menu, from a plan PostgreSQL keeps.
_search_ranking = Prepared(
    lambda start, size, now, words: search_engine.newest_ranked(
        Article.objects.published(at=now), words
    ),
    server_prepared=False,
    around=lambda sql, start, size: search_engine.best_of(sql, start, start + size + 1),
)

_search_cards = Prepared(
    lambda now, ids: (
        Article.objects.published(at=now)
        .cards("body", pictures=False)
        .filter(search_engine.one_of(ids))
        .order_by()  # put in rank order by search_page, not sorted by date first
        .with_menu(once=True)
    )
)


_author = Prepared(lambda slug: Author.objects.filter(slug=slug)[:1])


def author(slug: str) -> Author | None:
    rows = _author.fetch(slug=slug)
    return rows[0] if rows else None


def _xml_escaped(text):
    """``text`` with &, < and > written as XML entities (slugs have none, unless made
    outside the admin's checks)."""
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = Replace(text, Value(character), Value(entity))
    return text


@dataclass(frozen=True)
class SitemapPage:
    """A page of the articles sitemap: its <url> elements, one a line, newest first, and
    the latest update among its articles (None for an empty page)."""

    elements: str
    latest: datetime | None


def sitemap_articles(number: int, before: str, after: str) -> SitemapPage:
    """Page ``number`` of the articles sitemap, an article's address being ``before`` +
    slug + ``after`` (XML text, escaped by the caller).

    A page lists 5,000 articles. Where the database orders an aggregate's rows
    (PostgreSQL; SQLite from 3.44), it writes the elements as one text, so the worker
    holds one string, not 5,000 rows, their addresses and the template's pieces: serving
    this page grew a worker by 4 MB, which it kept. Elsewhere the same text is written
    here from the rows."""
    now = timezone.now()
    start = (number - 1) * SITEMAP_PAGE_SIZE
    newest = Article._meta.ordering  # newest first, as the (published_at) index walks
    page = Article.objects.filter(
        pk__in=Subquery(
            Article.objects.published(at=now)
            .order_by(*newest)
            .values("pk")[start : start + SITEMAP_PAGE_SIZE]
        )
    )
    # The day in the site's time zone, as YYYY-MM-DD.
    day = Cast(TruncDate("updated_at"), CharField())
    if connection.features.supports_aggregate_order_by_clause:
        element = Concat(
            Value(f"<url><loc>{before}"),
            _xml_escaped(F("slug")),
            Value(f"{after}</loc><lastmod>"),
            day,
            Value("</lastmod></url>"),
            output_field=TextField(),
        )
        found = page.aggregate(
            elements=StringAgg(element, Value("\n"), order_by=newest),
            latest=Max("updated_at"),
        )
        return SitemapPage(found["elements"] or "", found["latest"])
    rows = list(page.order_by(*newest).values_list("slug", "updated_at", day))
    return SitemapPage(
        "\n".join(
            f"<url><loc>{before}{xml_escape(slug)}{after}</loc><lastmod>{day}</lastmod></url>"
            for slug, _, day in rows
        ),
        max((updated for _, updated, _ in rows), default=None),
    )


def article(slug: str) -> Article | None:
    """The published article at ``slug``, with everything its page shows (the related
    cards too, for ``related``)."""
    rows = _article.fetch(now=timezone.now(), slug=slug)
    return rows[0] if rows else None


def menu(article: Article) -> list[MenuSection] | None:
    """The site's sections, if they came with ``article()`` (in its own query)."""
    if not hasattr(article, "menu_data"):
        return None
    return sections_from_json(article.menu_data)


def related(article: Article) -> list[ArticleCard]:
    """A few of the latest other articles from the same section: those that came with
    the article (``article()`` loads them in its own query), or else asked for."""
    if article.section_id is None:
        return []
    if hasattr(article, "related_data"):
        return list(_related_from_text(article.related_data or "[]"))
    return _cards(
        _related.fetch(now=timezone.now(), section_id=article.section_id, article_id=article.pk)
    )


@lru_cache(maxsize=32)
def _related_from_text(text: str) -> tuple[ArticleCard, ...]:
    """The cards of ``with_related``'s JSON text, newest first, read once per worker for
    each text: a section's articles nearly all show its same newest few, the same text
    page after page (a new article or an edit makes a new text). The cards are only read
    by the pages that share them."""
    cards = [ArticleCard.from_json(row) for row in orjson.loads(text)]
    return tuple(sorted(cards, key=lambda card: (card.published_at, card.pk), reverse=True))


def front_page(sections) -> tuple[ArticleCard | None, list]:
    """The lead story and each section's latest other articles, in one query: each
    section's newest ids (a short walk of its (section, date) index), and those rows."""
    if not sections:
        return None, []
    articles = _cards(_front_page.fetch(*(s.pk for s in sections), now=timezone.now()))
    return arrange_front_page(articles, sections, PER_SECTION)


def _listing_page(
    by_offset: Prepared,
    by_cursor: Prepared,
    number: int,
    older_than: "Cursor | None",
    newer_than: "Cursor | None",
    **values,
) -> Page:
    """Page ``number`` of a list: by offset, or next to a neighbour's cursor."""
    cursor = older_than or newer_than
    if cursor is None:
        return _page(by_offset, number, PAGE_SIZE, **values)
    newer = newer_than is not None
    rows = by_cursor.fetch(
        PAGE_SIZE,
        newer,
        now=timezone.now(),
        cursor_at=cursor.published_at,
        cursor_pk=cursor.pk,
        **values,
    )
    if not newer:
        return Page(_cards(rows[:PAGE_SIZE]), number, has_next=len(rows) > PAGE_SIZE)
    # Newer rows come newest first too; the one beyond the page is the newest.
    return Page(_cards(rows[-PAGE_SIZE:]), number, has_next=True, newest=len(rows) <= PAGE_SIZE)


def section_page(
    section_id: int, number: int, *, older_than: Cursor | None = None, newer_than=None
) -> Page:
    """Page ``number`` of a section: by offset, or next to a neighbour's cursor."""
    return _listing_page(
        _section_page, _section_next_to, number, older_than, newer_than, section_id=section_id
    )


def author_page(
    author_id: int, number: int, *, older_than: Cursor | None = None, newer_than=None
) -> Page:
    return _listing_page(
        _author_page, _author_next, number, older_than, newer_than, author_id=author_id
    )


def search_page(query: str, number: int) -> Page:
    """Published articles matching ``query``, best first; an empty page for no terms.
    On PostgreSQL the page brings the menu too (``Page.menu``)."""
    words = search_engine.terms(query)
    if not words:
        return Page(items=[], number=number, has_next=False)
    words = " ".join(words)
    if connection.vendor != "postgresql":
        return _page(_search_page, number, SEARCH_PAGE_SIZE, words=words)
    start, now = (number - 1) * SEARCH_PAGE_SIZE, timezone.now()
    ranking = _search_ranking.fetch(start, SEARCH_PAGE_SIZE, now=now, words=words)
    place = {row["id"]: n for n, row in enumerate(ranking[:SEARCH_PAGE_SIZE])}
    if not place:
        return Page(items=[], number=number, has_next=False)
    # Still published now (a second query sees any change made since the first).
    rows = _search_cards.fetch(now=now, ids=list(place))
    menu = None
    for row in rows:
        if (data := row.pop("menu_data")) is not None:
            menu = sections_from_json(data)
    cards = sorted(_cards(rows), key=lambda card: place[card.pk])
    return Page(cards, number, has_next=len(ranking) > SEARCH_PAGE_SIZE, menu=menu)
