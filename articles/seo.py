"""What search engines and social sites read: JSON-LD and canonical URLs."""

from django.conf import settings
from django.http import HttpRequest

from . import renditions
from .links import absolute
from .models import Article
from .templating import static


def publisher(request: HttpRequest) -> dict:
    return {
        "@type": "Organization",
        "name": settings.MAGAZINE_NAME,
        "url": absolute(request, "/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(request, static("img/logo.png")),
            "width": 600,
            "height": 60,
        },
    }


def social_image(article: Article, request: HttpRequest) -> str | None:
    """The 1200×630 sharing crop, or the original until the crop is made."""
    url = renditions.social_image_url(article)
    return absolute(request, url) if url else None


def news_article(article: Article, request: HttpRequest) -> dict:
    """schema.org NewsArticle for ``article`` (its relations prefetched)."""
    url = absolute(request, article.get_absolute_url())
    sources = [
        {
            "@type": "CreativeWork",
            "name": f"{source.name} — {source.relation}",
            "publisher": {"@type": "Organization", "name": source.name},
            **({"url": source.url} if source.url else {}),
        }
        for source in article.source_list()
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat() if article.updated_at else None,
        "author": [
            {"@type": "Person", "name": a.name, "url": absolute(request, a.get_absolute_url())}
            for a in article.byline_authors()
        ],
        "publisher": publisher(request),
        "articleSection": article.section.name if article.section else None,
        "wordCount": article.word_count,
        "timeRequired": f"PT{article.reading_time}M",
        "genre": article.type_label,
    }
    if article.hero_image:
        data["image"] = [social_image(article, request)]
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": f"{c.get_kind_display()}: {c.text}",
            "datePublished": c.published_at.isoformat(),
        }
        for c in article.correction_list()
    ]
    if corrections:
        data["correction"] = corrections
    if sources:
        data["isBasedOn"] = sources
        data["citation"] = sources
    return {k: v for k, v in data.items() if v not in (None, "", [])}
