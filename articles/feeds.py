"""RSS 2.0 and Atom feeds: the whole magazine, each section, each author."""

import io

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import text
from .models import Article, Author, Section

FEED_SIZE = 30


class _WrittenAtOnce:
    """Writes the feed into a string, then into the response at once. Django's feed view
    hands the generator the response itself, which its XML writer wraps in a text stream
    that passes on every piece (about a thousand a feed), each encoded and appended to the
    response separately: 15% of an uncached feed's time. The same bytes."""

    def write(self, outfile, encoding):
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue())


class _Rss(_WrittenAtOnce, Rss201rev2Feed):
    content_type = "application/rss+xml; charset=utf-8"


class _Atom(_WrittenAtOnce, Atom1Feed):
    content_type = "application/atom+xml; charset=utf-8"


class MagazineFeed(Feed):
    feed_type = _Rss

    def title(self, obj=None):
        return settings.MAGAZINE_NAME

    def description(self, obj=None):
        return settings.MAGAZINE_TAGLINE

    subtitle = description

    def link(self, obj=None):
        return "/"

    def articles(self, obj):
        return Article.objects.published().for_listing()

    def items(self, obj=None):
        # Without the hero image, which no feed shows: a loaded image field keeps its
        # file, which points back at its article (a cycle the garbage collector must
        # break, for each of the feed's articles).
        return self.articles(obj).defer("hero_image")[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return f"article-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return text.join_names(item.byline_authors())

    def item_categories(self, item: Article):
        return [item.section.name] if item.section else []


class MagazineAtomFeed(MagazineFeed):
    feed_type = _Atom


class SectionFeed(MagazineFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj):
        return f"{obj.name} — {settings.MAGAZINE_NAME}"

    def description(self, obj):
        return obj.description or f"The latest from {obj.name}."

    subtitle = description

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return super().articles(obj).filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = _Atom


class AuthorFeed(MagazineFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{obj.name} — {settings.MAGAZINE_NAME}"

    def description(self, obj):
        return f"Articles by {obj.name}."

    subtitle = description

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        now = timezone.now()
        return Article.objects.published(at=now).for_listing().by_author(obj.pk, at=now)


class AuthorAtomFeed(AuthorFeed):
    feed_type = _Atom
