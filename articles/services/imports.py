"""Importing articles in bulk: all or nothing, never a duplicate, a constant number of
queries per batch rather than per article."""

import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import renditions
from ..formats import ArticleRecord, ParseError, parse
from ..images import ACCEPTED_FORMATS, ImageRejected, check_image, ingest_image
from ..models import Article, Author, Byline, Section, Source, Takeaway
from .exports import is_own_image
from .publishing import CONTENT_FIELDS

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".avif")
TEXT_SUFFIXES = (".txt", ".md", ".text")
BATCH = 500

Progress = Callable[[str, int, int], None]


class ImportFailed(Exception):
    """Nothing was written; ``problems`` has one line per problem, naming file and line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)
    new_authors: list[str] = field(default_factory=list)


def _files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return files, problems


def read_files(
    paths: Iterable[Path], *, fmt: str | None = None, progress: Progress | None = None
) -> list[tuple[Path, ArticleRecord]]:
    """Parse every file under ``paths``; raise ImportFailed listing every problem."""
    files, problems = _files(paths)
    records = []
    for number, path in enumerate(files, start=1):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{path}: byte {error.start}: the file is not UTF-8 text")
            continue
        except OSError as error:
            problems.append(f"{path}: cannot be read ({error.strerror})")
            continue
        try:
            records.append((path, parse(text, fmt=fmt, path=path)))
        except ParseError as error:
            problems += [f"{path}: {p}" for p in error.problems]
        if progress:
            progress("read", number, len(files))
    if not files and not problems:
        problems.append("no article files found (looked for " + ", ".join(TEXT_SUFFIXES) + ")")
    if problems:
        raise ImportFailed(problems)
    return records


def _unique_slug(base: str, taken: set[str], limit: int) -> str:
    base = (base or "untitled")[:limit]
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = base[: limit - len(suffix)] + suffix, n + 1
    taken.add(slug)
    return slug


class _Directory:
    """Sections or authors, matched case-insensitively by name or slug; new ones planned."""

    def __init__(self, model, limit: int):
        self.model, self.limit = model, limit
        self.by_key: dict[str, object] = {}
        self.slugs: set[str] = set()
        for obj in model.objects.all():
            self.by_key.setdefault(obj.slug.lower(), obj)
            self.by_key.setdefault(obj.name.casefold(), obj)
            self.slugs.add(obj.slug)
        self.new: list = []

    def resolve(self, record):
        keys = [record.name.casefold(), (record.slug or slugify(record.name)).lower()]
        for key in keys:
            if key and key in self.by_key:
                return self.by_key[key]
        fields = {k: v for k, v in vars(record).items() if v is not None and k != "slug"}
        obj = self.model(**fields)
        obj.slug = _unique_slug(record.slug or slugify(record.name), self.slugs, self.limit)
        for key in [*keys, obj.slug]:
            self.by_key.setdefault(key, obj)
        self.new.append(obj)
        return obj


def _hero_file(record: ArticleRecord, slug: str, images_dir: Path | None) -> Path | None:
    if record.hero_image is not None:
        return record.hero_image
    if images_dir is None:
        return None
    for ext in IMAGE_EXTENSIONS:
        for candidate in (images_dir / f"{slug}{ext}", images_dir / f"{slug}{ext.upper()}"):
            if candidate.is_file():
                return candidate
    return None


def _children(article: Article) -> tuple:
    return (
        tuple(b.author_id for b in sorted(article.bylines.all(), key=lambda b: (b.position, b.pk))),
        tuple(t.text for t in article.takeaways.all()),
        tuple((s.name, s.relation, s.url) for s in article.sources.all()),
    )


_COMPARED = CONTENT_FIELDS


@dataclass
class _Planned:
    path: Path
    record: ArticleRecord
    article: Article
    outcome: str
    authors: list[Author]
    image: tuple[Path, str, str] | None = None  # path, stored name, digest


def _existing(slugs: list[str]) -> dict[str, Article]:
    found = {}
    for start in range(0, len(slugs), 2000):
        chunk = slugs[start : start + 2000]
        for article in Article.objects.filter(slug__in=chunk).prefetch_related(
            "bylines", "takeaways", "sources"
        ):
            found[article.slug] = article
    return found


def _status(record: ArticleRecord, existing: Article | None, publish: bool, now):
    """Plain-text files carry no status: a past date is published, a future one scheduled."""
    if record.status is not None:
        return record.status, record.published_at
    if record.published_at is not None:
        live = Article.Status.SCHEDULED if record.published_at > now else Article.Status.PUBLISHED
        return live, record.published_at
    if existing is not None:
        return existing.status, existing.published_at
    if publish:
        return Article.Status.PUBLISHED, now
    return Article.Status.DRAFT, None


def _plan(
    items: list[tuple[Path, ArticleRecord]],
    *,
    images_dir: Path | None,
    publish: bool,
    sections: _Directory,
    authors: _Directory,
) -> tuple[list[_Planned], list[str]]:
    problems: list[str] = []
    seen: dict[str, Path] = {}
    now = timezone.now()
    existing = _existing([r.slug for _, r in items])
    plans = []
    for path, record in items:
        if record.slug in seen:
            problems.append(f"{path}: the slug {record.slug!r} is also used by {seen[record.slug]}")
            continue
        seen[record.slug] = path
        old = existing.get(record.slug)
        article = Article(slug=record.slug) if old is None else old
        before = None if old is None else {name: getattr(old, name) for name in _COMPARED}
        before_children = None if old is None else _children(old)
        status, published_at = _status(record, old, publish, now)
        values = {
            "title": record.title,
            "standfirst": record.standfirst,
            "status": status,
            "published_at": published_at,
            "article_type": record.article_type,
            "body": record.body,
            "takeaways_position": record.takeaways_position,
            "hero_alt": record.hero_alt,
            "hero_credit": record.hero_credit,
            "hero_caption": record.hero_caption,
            "reading_time_override": record.reading_time_override,
        }
        for name, value in values.items():
            setattr(article, name, value)
        article.derive_fields()
        section = sections.resolve(record.section) if record.section else None
        article.section = section
        byline = []
        for author_record in record.authors:
            author = authors.resolve(author_record)
            if author not in byline:
                byline.append(author)
        plan = _Planned(path, record, article, "created" if old is None else "unchanged", byline)

        hero = _hero_file(record, record.slug, images_dir)
        if hero is not None:
            try:
                with hero.open("rb") as handle:
                    checked = check_image(handle)
            except ImageRejected as error:
                problems.append(f"{path}: hero image {hero.name}: {error}")
                continue
            except OSError as error:
                problems.append(
                    f"{path}: hero image {hero.name}: cannot be read ({error.strerror})"
                )
                continue
            if checked.digest != (old.hero_image_digest if old else ""):
                plan.image = (hero, f"{record.slug}.{checked.extension}", checked.digest)
                article.hero_image_digest = checked.digest
                article.hero_image.name = plan.image[1]  # so validation sees an image

        errors = _validate(article, section, byline, record)
        if errors:
            problems += [f"{path}: {message}" for message in errors]
            continue
        if old is not None and (
            plan.image is not None
            or {name: getattr(article, name) for name in _COMPARED} != before
            or article.section_id != (section.pk if section else None)
            or (
                tuple(a.pk for a in byline),
                tuple(record.takeaways),
                tuple((s.name, s.relation, s.url) for s in record.sources),
            )
            != before_children
        ):
            plan.outcome = "updated"
        plans.append(plan)
    return plans, problems


def _validate(article: Article, section, byline, record: ArticleRecord) -> list[str]:
    messages = []
    try:
        article.full_clean(
            exclude=["section", "hero_image", "slug"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, errs in error.message_dict.items():
            label = "" if name == "__all__" else f"{name}: "
            messages += [f"{label}{e}" for e in errs]
    if not article.slug or len(article.slug) > 200:
        messages.append("slug: must be 1 to 200 letters, digits and hyphens")
    if article.status in Article.LIVE_STATUSES:
        if section is None:
            messages.append("a published or scheduled article needs a section")
        if not byline:
            messages.append("a published or scheduled article needs an author")
    for number, source in enumerate(record.sources, start=1):
        try:
            Source(name=source.name, relation=source.relation, url=source.url).full_clean(
                exclude=["article"], validate_constraints=False
            )
        except ValidationError as error:
            messages += [
                f"source {number}: {k}: {' '.join(v)}" for k, v in error.message_dict.items()
            ]
    for number, takeaway in enumerate(record.takeaways, start=1):
        if not takeaway.strip() or len(takeaway) > 400:
            messages.append(f"takeaway {number}: must be 1 to 400 characters")
    return messages


def import_files(
    items: list[tuple[Path, ArticleRecord]],
    *,
    images_dir: Path | None = None,
    publish: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update one article per record, matched by slug; all or nothing.

    Raises ImportFailed, having written nothing, if any record or image is invalid.
    """
    sections, authors = _Directory(Section, 60), _Directory(Author, 120)
    plans, problems = _plan(
        items, images_dir=images_dir, publish=publish, sections=sections, authors=authors
    )
    if problems:
        raise ImportFailed(problems)
    report = ImportReport(
        new_sections=[s.name for s in sections.new], new_authors=[a.name for a in authors.new]
    )
    for plan in plans:
        getattr(report, plan.outcome).append(plan.article.slug)
    if dry_run:
        return report
    with transaction.atomic():
        _write(plans, sections.new, authors.new, progress)
    return report


def _write(plans: list[_Planned], new_sections, new_authors, progress) -> None:
    Section.objects.bulk_create(new_sections, batch_size=BATCH)
    Author.objects.bulk_create(new_authors, batch_size=BATCH)
    todo = [p for p in plans if p.outcome != "unchanged"]
    for done, plan in enumerate(todo, start=1):
        if plan.image is not None:
            hero, name, _digest = plan.image
            data = hero.read_bytes()
            if plan.record.hero_image_signature and is_own_image(
                data, plan.record.hero_image_signature
            ):
                # This site's own clean encode, from its own export: keep it exactly.
                stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{name.rsplit('.', 1)[-1]}")
            else:
                stored, _checked = ingest_image(io.BytesIO(data))
            plan.article.hero_image.save(stored.name, stored, save=False)
        if progress and (done % BATCH == 0 or done == len(todo)):
            progress("images", done, len(todo))
    created = [p.article for p in todo if p.outcome == "created"]
    updated = [p.article for p in todo if p.outcome == "updated"]
    Article.objects.bulk_create(created, batch_size=BATCH)
    now = timezone.now()
    for article in updated:
        article.updated_at = now
    fields = [
        *_COMPARED,
        "section",
        "hero_image",
        "hero_width",
        "hero_height",
        "hero_image_digest",
        "word_count",
        "reading_time",
        "updated_at",
    ]
    Article.objects.bulk_update(updated, fields, batch_size=BATCH)
    # Dates kept from an export: bulk_update does not apply auto_now.
    dated = []
    for plan in todo:
        if plan.record.created_at or plan.record.updated_at:
            plan.article.created_at = plan.record.created_at or plan.article.created_at
            plan.article.updated_at = plan.record.updated_at or plan.article.updated_at
            dated.append(plan.article)
    Article.objects.bulk_update(dated, ["created_at", "updated_at"], batch_size=BATCH)
    for start in range(0, len(updated), BATCH):
        chunk = [a.pk for a in updated[start : start + BATCH]]
        for model in (Byline, Takeaway, Source):
            model.objects.filter(article_id__in=chunk).delete()
    for plan in todo:
        if plan.image is not None:
            renditions.schedule(plan.article)
    Byline.objects.bulk_create(
        (
            Byline(article=p.article, author=a, position=i)
            for p in todo
            for i, a in enumerate(p.authors)
        ),
        batch_size=BATCH,
    )
    Takeaway.objects.bulk_create(
        (
            Takeaway(article=p.article, text=t, position=i)
            for p in todo
            for i, t in enumerate(p.record.takeaways)
        ),
        batch_size=BATCH,
    )
    Source.objects.bulk_create(
        (
            Source(article=p.article, name=s.name, relation=s.relation, url=s.url, position=i)
            for p in todo
            for i, s in enumerate(p.record.sources)
        ),
        batch_size=BATCH,
    )


__all__ = ["ACCEPTED_FORMATS", "ImportFailed", "ImportReport", "import_files", "read_files"]
