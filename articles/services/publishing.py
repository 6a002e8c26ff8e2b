"""Publishing and saving articles."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .. import images, renditions, text
from ..formats import SourceRecord
from ..models import Article, Author, Byline, Section, Source, Takeaway


def publish_blockers(*, article: Article) -> list[str]:
    """What stops ``article`` from being published, in words an editor understands."""
    problems = []
    if not article.standfirst.strip():
        problems.append("it has no standfirst")
    if article.section_id is None:
        problems.append("it has no section")
    if article.pk is None or not article.bylines.exists():
        problems.append("it has no author")
    if article.hero_image and not article.hero_alt.strip():
        problems.append("its hero image has no alt text")
    if article.hero_image and not article.hero_credit.strip():
        problems.append("its hero image has no credit")
    return problems


def article_publish(
    *, article: Article, by: AbstractBaseUser | None = None, at: datetime | None = None
) -> Article:
    """Publish ``article`` now, or schedule it when ``at`` lies in the future.

    Raises ValidationError naming everything that blocks publication, and
    PermissionDenied when ``by`` may not publish.
    """
    from .workflow import article_transition

    action = "scheduled" if at is not None and at > timezone.now() else "published"
    if article.status == Article.Status.SCHEDULED and at is None:
        action = "published"
        if article.published_at and article.published_at > timezone.now():
            return article  # already scheduled for its time
    return article_transition(article=article, action=action, by=by, at=at)


def article_unpublish(*, article: Article, by: AbstractBaseUser | None = None) -> Article:
    """Take ``article`` off the site and back to draft; its publication date is kept."""
    from .workflow import article_transition

    return article_transition(article=article, action="unpublished", by=by)


# A source is the same plain data whether it comes from a file or from code.
SourceData = SourceRecord


@dataclass
class ArticleData:
    """Everything that makes up an article, independent of where it came from."""

    slug: str
    title: str
    standfirst: str = ""
    section: Section | None = None
    authors: list[Author] = field(default_factory=list)
    status: str = Article.Status.DRAFT
    published_at: datetime | None = None
    article_type: str = Article.Type.REPORTING
    body: str = ""
    takeaways_position: int | None = None
    takeaways: list[str] = field(default_factory=list)
    sources: list[SourceData] = field(default_factory=list)
    hero_alt: str = ""
    hero_credit: str = ""
    hero_caption: str = ""
    hero_image: File | None = None
    reading_time_override: int | None = None


# The fields of an article's own row that its content is made of (imports compare them).
CONTENT_FIELDS = (
    "title",
    "standfirst",
    "status",
    "published_at",
    "article_type",
    "body",
    "takeaways_position",
    "hero_alt",
    "hero_credit",
    "hero_caption",
    "reading_time_override",
)
_SCALAR_FIELDS = (*CONTENT_FIELDS, "section_id")


def _children(article: Article) -> tuple:
    return (
        tuple(article.bylines.order_by("position", "id").values_list("author_id", flat=True)),
        tuple(article.takeaways.values_list("text", flat=True)),
        tuple(article.sources.values_list("name", "relation", "url")),
    )


@transaction.atomic
def article_upsert(*, data: ArticleData, by: AbstractBaseUser | None = None) -> tuple[Article, str]:
    """Create the article with ``data.slug``, or bring the existing one in line with ``data``.

    Returns the article and what happened: "created", "updated" or "unchanged" (an
    unchanged article is not written at all). The article is validated as the admin
    would validate it, so bad data never lands.
    """
    article = Article.objects.filter(slug=data.slug).first()
    created = article is None
    article = article or Article(slug=data.slug)
    values = {
        **{name: getattr(data, name) for name in _SCALAR_FIELDS if name != "section_id"},
        "section_id": data.section.pk if data.section else None,
        "body": text.sanitize_body(data.body),
    }
    children = (
        tuple(a.pk for a in data.authors),
        tuple(data.takeaways),
        tuple((s.name, s.relation, s.url) for s in data.sources),
    )
    if (
        not created
        and data.hero_image is None
        and all(getattr(article, k) == v for k, v in values.items())
        and _children(article) == children
    ):
        return article, "unchanged"

    for name, value in values.items():
        setattr(article, name, value)
    if data.hero_image is not None:
        stored, checked = images.ingest_image(data.hero_image)
        article.hero_image.save(stored.name, stored, save=False)
        article.hero_image_digest = checked.digest
    if data.status in Article.LIVE_STATUSES and not data.authors:
        raise ValidationError({"authors": "A published or scheduled article needs an author."})
    article.full_clean(validate_unique=created)
    article.save()
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=i) for i, author in enumerate(data.authors)
    )
    article.takeaways.all().delete()
    Takeaway.objects.bulk_create(
        Takeaway(article=article, text=t, position=i) for i, t in enumerate(data.takeaways)
    )
    article.sources.all().delete()
    Source.objects.bulk_create(
        Source(article=article, name=s.name, relation=s.relation, url=s.url, position=i)
        for i, s in enumerate(data.sources)
    )
    renditions.schedule(article)
    return article, "created" if created else "updated"
