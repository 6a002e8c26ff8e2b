from django.contrib.sitemaps import views as sitemap_views
from django.template.response import SimpleTemplateResponse
from django.urls import path

from . import feeds, views
from .caching import public_page
from .sitemaps import SITEMAPS


def cached(view, *tags):
    """A contrib view (feed, sitemap) in the page cache under ``tags``."""

    def tagged(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.using = views.READER_TEMPLATES  # see views.render
        response.cache_tags = set(tags)
        return response

    return public_page(tagged)


app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("feeds/rss/", cached(feeds.MagazineFeed(), "feeds"), name="feed-rss"),
    path("feeds/atom/", cached(feeds.MagazineAtomFeed(), "feeds"), name="feed-atom"),
    path(
        "feeds/sections/<slug:slug>/rss/",
        cached(feeds.SectionFeed(), "feeds"),
        name="section-feed-rss",
    ),
    path(
        "feeds/sections/<slug:slug>/atom/",
        cached(feeds.SectionAtomFeed(), "feeds"),
        name="section-feed-atom",
    ),
    path(
        "feeds/authors/<slug:slug>/rss/",
        cached(feeds.AuthorFeed(), "feeds"),
        name="author-feed-rss",
    ),
    path(
        "feeds/authors/<slug:slug>/atom/",
        cached(feeds.AuthorAtomFeed(), "feeds"),
        name="author-feed-atom",
    ),
    path(
        "sitemap.xml",
        cached(sitemap_views.index, "sitemaps"),
        {
            "sitemaps": SITEMAPS,
            "sitemap_url_name": "articles:sitemap-section",
            "template_name": "articles/sitemap_index.xml",
        },
        name="sitemap",
    ),
    path("sitemap-news.xml", views.news_sitemap, name="sitemap-news"),
    # Thousands of rows a page: built from plain values, not Django's generic sitemap.
    path("sitemap-articles.xml", views.articles_sitemap, name="sitemap-articles"),
    path(
        "sitemap-<section>.xml",
        cached(sitemap_views.sitemap, "sitemaps"),
        {"sitemaps": SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap-section",
    ),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("preview/s/<str:token>/", views.preview_share, name="preview-share"),
    path("corrections/", views.corrections, name="corrections"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
