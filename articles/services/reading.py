"""What readers' pages ask of the database.

Each question is a queryset built on ``Article.objects.published()``, compiled to SQL
once per process (models/prepared.py) and then asked again with new values: this slug,
this section, now. An article comes back as an Article; lists come back as ArticleCard
values (models/content.py), which cost far less to build. The views stay thin; the query
budgets are in tests/test_performance.py.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery
from django.utils import timezone

from .. import search as search_engine
from ..models import Article, Author
from ..models.content import ArticleCard, arrange_front_page
from ..models.prepared import Prepared

PAGE_SIZE = 12
SEARCH_PAGE_SIZE = 10
RELATED = 3
PER_SECTION = 4
SITEMAP_PAGE_SIZE = 5000  # ArticleSitemap.limit: the index lists pages of this size


@dataclass
class Page:
    """A page of a list, found without counting the whole list: one row more than a page
    tells whether there is a next one. Served by the (state, date) indexes."""

    items: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

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


def _author_window(start: int, size: int, now, author_id: int):
    """An author's page. The ids are found by walking the byline's (author, date) index
    from now backwards, which stops after a page however many articles the author has."""
    return _window(Article.objects.published(at=now).by_author(author_id, at=now), start, size)


_author_page = Prepared(_author_window)


def _search_window(start: int, size: int, now, words: str):
    """A page of search results: the matches are found and ranked once, to pick the
    page's ids; then only those rows are loaded and put in rank order."""
    ids = search_engine.ranked_ids(
        Article.objects.published(at=now), words, start, start + size + 1
    )
    return search_engine.by_rank(Article.objects.cards("body").filter(pk__in=ids), words)


_search_page = Prepared(_search_window, server_prepared=False)


_sitemap_rows = Prepared(
    lambda start, size, now: (
        Article.objects.filter(
            pk__in=Subquery(
                Article.objects.published(at=now)
                .order_by("-published_at", "-id")
                .values("pk")[start : start + size]
            )
        )
        .order_by("-published_at", "-id")
        .values_list("slug", "updated_at")
    )
)


_author = Prepared(lambda slug: Author.objects.filter(slug=slug)[:1])


def author(slug: str) -> Author | None:
    rows = _author.fetch(slug=slug)
    return rows[0] if rows else None


def sitemap_articles(number: int) -> list[tuple[str, datetime]]:
    """Page ``number`` of the articles sitemap as (slug, last update) rows, newest first:
    plain values, since a page holds thousands of them."""
    start = (number - 1) * SITEMAP_PAGE_SIZE
    return _sitemap_rows.fetch(start, SITEMAP_PAGE_SIZE, now=timezone.now())


def article(slug: str) -> Article | None:
    """The published article at ``slug``, with everything its page shows (the related
    cards too, for ``related``)."""
    rows = _article.fetch(now=timezone.now(), slug=slug)
    return rows[0] if rows else None


def related(article: Article) -> list[ArticleCard]:
    """A few of the latest other articles from the same section: those that came with
    the article (``article()`` loads them in its own query), or else asked for."""
    if article.section_id is None:
        return []
    if hasattr(article, "related_data"):
        cards = [ArticleCard.from_json(row) for row in article.related_data or ()]
        return sorted(cards, key=lambda card: (card.published_at, card.pk), reverse=True)
    return _cards(
        _related.fetch(now=timezone.now(), section_id=article.section_id, article_id=article.pk)
    )


def front_page(sections) -> tuple[ArticleCard | None, list]:
    """The lead story and each section's latest other articles, in one query: each
    section's newest ids (a short walk of its (section, date) index), and those rows."""
    if not sections:
        return None, []
    articles = _cards(_front_page.fetch(*(s.pk for s in sections), now=timezone.now()))
    return arrange_front_page(articles, sections, PER_SECTION)


def section_page(section_id: int, number: int) -> Page:
    return _page(_section_page, number, PAGE_SIZE, section_id=section_id)


def author_page(author_id: int, number: int) -> Page:
    return _page(_author_page, number, PAGE_SIZE, author_id=author_id)


def search_page(query: str, number: int) -> Page:
    """Published articles matching ``query``, best first; an empty page for no terms."""
    words = search_engine.terms(query)
    if not words:
        return Page(items=[], number=number, has_next=False)
    return _page(_search_page, number, SEARCH_PAGE_SIZE, words=" ".join(words))
