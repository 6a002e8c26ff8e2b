"""Purging a CDN when an article changes: the hook named by settings.CDN_PURGE_FUNCTION.

The function receives the site paths whose cached copies are now stale, e.g.
``["/articles/x/", "/", "/tech/", "/authors/ann/", "/feeds/rss/", ...]``, and does what
the CDN needs (an API call). It runs after the change is committed. Pages also carry
``s-maxage`` and ``stale-while-revalidate``, so a CDN without purging still catches up.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string


def paths_for(article) -> list[str]:
    paths = [
        article.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:sitemap"),
        reverse("articles:sitemap-news"),
        reverse("articles:corrections"),
    ]
    if article.section_id:
        paths.append(article.section.get_absolute_url())
    paths += [a.get_absolute_url() for a in article.authors.all()]
    paths += [
        reverse("articles:article-detail", kwargs={"slug": old.old_slug})
        for old in article.old_slugs.all()
    ]
    return list(dict.fromkeys(paths))


def purge_article(article) -> None:
    if settings.CDN_PURGE_FUNCTION:
        import_string(settings.CDN_PURGE_FUNCTION)(paths_for(article))
