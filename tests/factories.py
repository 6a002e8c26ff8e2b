"""Small keyword-only factories: each test states the data it depends on."""

import io
import itertools
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, Section, Source, Takeaway

_seq = itertools.count(1)


def make_section(*, name: str | None = None, slug: str | None = None, **fields) -> Section:
    n = next(_seq)
    name = name or f"Section {n}"
    return Section.objects.create(name=name, slug=slug or f"section-{n}", **fields)


def make_author(*, name: str | None = None, slug: str | None = None, **fields) -> Author:
    n = next(_seq)
    return Author.objects.create(name=name or f"Author {n}", slug=slug or f"author-{n}", **fields)


def make_image_file(*, name: str = "hero.jpg", size=(64, 36), fmt: str = "JPEG") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 60, 30)).save(buffer, fmt)
    return ContentFile(buffer.getvalue(), name=name)


def make_article(
    *,
    title: str | None = None,
    slug: str | None = None,
    status: str = Article.Status.PUBLISHED,
    published_at: datetime | None = None,
    section: Section | None = None,
    authors: list[Author] | None = None,
    takeaways: list[str] = (),
    sources: list[dict] = (),
    **fields,
) -> Article:
    """A valid article. Live ones default to an hour ago, with a section and one author."""
    n = next(_seq)
    live = status in Article.LIVE_STATUSES
    if published_at is None and live:
        published_at = timezone.now() - timedelta(hours=1)
    if section is None and live:
        section = make_section()
    fields.setdefault("standfirst", f"Standfirst {n}." if live else "")
    fields.setdefault("body", "<p>Some words in a body.</p>")
    article = Article.objects.create(
        title=title or f"Article {n}",
        slug=slug or f"article-{n}",
        status=status,
        published_at=published_at,
        section=section,
        **fields,
    )
    if authors is None:
        authors = [make_author()] if live else []
    for i, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=i)
    for i, text in enumerate(takeaways):
        Takeaway.objects.create(article=article, text=text, position=i)
    for i, source in enumerate(sources):
        Source.objects.create(article=article, position=i, **source)
    return article
