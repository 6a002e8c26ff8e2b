"""Sitemaps for search engines, all built on Article.objects.published()."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from .models import Article, Author, Section
from .services.reading import SITEMAP_PAGE_SIZE


class ArticleSitemap(Sitemap):
    """Counts the pages for the sitemap index; the pages themselves are served from plain
    values by views.articles_sitemap."""

    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        return item.updated_at

    def get_latest_lastmod(self):
        """For the index: asked of the database, where Django's default would load every
        published article to take the latest."""
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def _last_published(queryset, date: str):
    """The newest publication among ``queryset``'s live articles: a section's or author's
    page changes when an article is added to it. One short index walk per row (the
    (section, date) and (author, date) indexes); the latest edit would need a scan."""
    return Subquery(queryset.order_by(f"-{date}").values(date)[:1])


class SectionSitemap(Sitemap):
    def items(self):
        return (
            Section.objects.annotate(
                last=_last_published(
                    Article.objects.published().filter(section=OuterRef("pk")), "published_at"
                )
            )
            .filter(last__isnull=False)
            .order_by("order", "name")
        )

    def lastmod(self, item: Section):
        return item.last


class AuthorSitemap(Sitemap):
    limit = 5000

    def items(self):
        return (
            Author.objects.annotate(
                last=_last_published(
                    Article.objects.published().filter(
                        bylines__author=OuterRef("pk"), bylines__published_at__lte=timezone.now()
                    ),
                    "bylines__published_at",
                )
            )
            .filter(last__isnull=False)
            .order_by("name", "pk")
        )

    def lastmod(self, item: Author):
        return item.last


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap, "authors": AuthorSitemap}


def news_items():
    """Articles published in the last two days, for the Google News sitemap."""
    since = timezone.now() - timedelta(days=2)
    return (
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("slug", "title", "published_at")
        .order_by("-published_at")[:1000]
    )
