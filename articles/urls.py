from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("feeds/rss/", feeds.MagazineFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.MagazineAtomFeed(), name="feed-atom"),
    path("feeds/sections/<slug:slug>/rss/", feeds.SectionFeed(), name="section-feed-rss"),
    path("feeds/sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("feeds/authors/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-feed-rss"),
    path("feeds/authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-news.xml", views.news_sitemap, name="sitemap-news"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("preview/s/<str:token>/", views.preview_share, name="preview-share"),
    path("corrections/", views.corrections, name="corrections"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
