"""Sitemaps for search engines, all built on Article.objects.published()."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Article, Author, Section


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return (
            Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        return item.updated_at


def _last_update(**match):
    """The newest published article's update time, for a section or author row."""
    return Subquery(
        Article.objects.published().filter(**match).order_by("-updated_at").values("updated_at")[:1]
    )


class SectionSitemap(Sitemap):
    def items(self):
        return (
            Section.objects.annotate(last=_last_update(section=OuterRef("pk")))
            .filter(last__isnull=False)
            .order_by("order", "name")
        )

    def lastmod(self, item: Section):
        return item.last


class AuthorSitemap(Sitemap):
    limit = 5000

    def items(self):
        return (
            Author.objects.annotate(last=_last_update(bylines__author=OuterRef("pk")))
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
