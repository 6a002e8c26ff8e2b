"""Exporting articles to the project's archive format, with their hero images."""

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.core import signing
from django.db.models import QuerySet

from ..formats import ArticleRecord, AuthorRecord, SectionRecord, SourceRecord, archive
from ..models import Article

_SIGNER_SALT = "cyrus.export.hero-image"


def sign_image(data: bytes) -> str:
    """A signature that says: this site stored these exact bytes itself."""
    return signing.Signer(salt=_SIGNER_SALT).sign(hashlib.sha256(data).hexdigest())


def is_own_image(data: bytes, signature: str) -> bool:
    try:
        digest = signing.Signer(salt=_SIGNER_SALT).unsign(signature)
    except signing.BadSignature:
        return False
    return digest == hashlib.sha256(data).hexdigest()


def article_record(article: Article) -> ArticleRecord:
    """Everything about ``article`` as plain data (uses prefetched relations)."""
    section = article.section
    return ArticleRecord(
        title=article.title,
        slug=article.slug,
        standfirst=article.standfirst,
        section=SectionRecord(
            name=section.name,
            slug=section.slug,
            description=section.description,
            order=section.order,
        )
        if section
        else None,
        authors=[
            AuthorRecord(name=a.name, slug=a.slug, role=a.role, bio=a.bio)
            for a in article.byline_authors()
        ],
        status=article.status,
        published_at=article.published_at,
        article_type=article.article_type,
        body=article.body,
        takeaways_position=article.takeaways_position,
        takeaways=[t.text for t in article.takeaways.all()],
        sources=[
            SourceRecord(name=s.name, relation=s.relation, url=s.url) for s in article.sources.all()
        ],
        hero_alt=article.hero_alt,
        hero_credit=article.hero_credit,
        hero_caption=article.hero_caption,
        reading_time_override=article.reading_time_override,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def export_articles(
    *,
    queryset: QuerySet[Article],
    out_dir: Path,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Write one ``<slug>.md`` file per article into ``out_dir``, plus its hero image."""
    articles = (
        queryset.select_related("section")
        .prefetch_related("bylines__author", "takeaways", "sources")
        .order_by("pk")
    )
    total = articles.count()
    if not dry_run:
        out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for number, article in enumerate(articles.iterator(chunk_size=500), start=1):
        image_name = None
        if article.hero_image:
            suffix = Path(article.hero_image.name).suffix.lower() or ".jpg"
            image_name = f"{article.slug}{suffix}"
        record = article_record(article)
        if image_name and not dry_run:
            with article.hero_image.open("rb") as source:
                data = source.read()
            (out_dir / image_name).write_bytes(data)
            record.hero_image_signature = sign_image(data)
        path = out_dir / f"{article.slug}.md"
        if not dry_run:
            path.write_text(archive.dumps(record, image_name=image_name), encoding="utf-8")
        written.append(path)
        if progress:
            progress("export", number, total)
    return written
