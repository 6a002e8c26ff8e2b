"""Load Cyrus Magazine's demo content: sections, authors and articles with images.

Running it again changes nothing: what exists already (matched by slug) is left alone.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles import services
from articles.demo import content
from articles.demo.images import make_hero
from articles.models import Article, Author, Section


def _body_html(blocks) -> str:
    tags = {"p": "<p>{}</p>", "h2": "<h2>{}</h2>", "quote": "<blockquote><p>{}</p></blockquote>"}
    return "".join(tags[kind].format(escape(words)) for kind, words in blocks)


class Command(BaseCommand):
    help = "Create demo sections, authors and articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created; write nothing."
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options):
        created: dict[str, int] = {"sections": 0, "authors": 0, "articles": 0}
        now = timezone.now().replace(second=0, microsecond=0)
        with transaction.atomic():
            sections = {}
            for data in content.SECTIONS:
                section = Section.objects.filter(slug=data["slug"]).first()
                if section is None:
                    created["sections"] += 1
                    section = Section(**data)
                    if not dry_run:
                        section.save()
                sections[data["slug"]] = section
            authors = {}
            for data in content.AUTHORS:
                author = Author.objects.filter(slug=data["slug"]).first()
                if author is None:
                    created["authors"] += 1
                    author = Author(**data)
                    if not dry_run:
                        author.save()
                authors[data["slug"]] = author

            specs = [*content.ARTICLES, content.DRAFT, content.SCHEDULED]
            existing = set(
                Article.objects.filter(slug__in=[s["slug"] for s in specs]).values_list(
                    "slug", flat=True
                )
            )
            for spec in specs:
                if spec["slug"] in existing:
                    continue
                created["articles"] += 1
                if verbosity >= 2:
                    self.stdout.write(f"  article {spec['slug']}")
                if dry_run:
                    continue
                status = spec.get("status", Article.Status.PUBLISHED)
                if "days_ahead" in spec:
                    published_at = now + timedelta(days=spec["days_ahead"])
                elif status == Article.Status.DRAFT:
                    published_at = None
                else:
                    published_at = now - timedelta(days=spec["days_ago"], hours=2)
                services.article_upsert(
                    data=services.ArticleData(
                        slug=spec["slug"],
                        title=spec["title"],
                        standfirst=spec["standfirst"],
                        section=sections[spec["section"]],
                        authors=[authors[slug] for slug in spec["authors"]],
                        status=status,
                        published_at=published_at,
                        article_type=spec["type"],
                        body=_body_html(spec["blocks"]),
                        takeaways_position=spec["takeaways_at"],
                        takeaways=spec["takeaways"],
                        sources=[services.SourceData(**s) for s in spec["sources"]],
                        hero_alt=spec["hero_alt"],
                        hero_credit=spec["hero_credit"],
                        hero_image=make_hero(name=f"{spec['slug']}.jpg", palette=spec["palette"])
                        if spec["hero_alt"]
                        else None,
                    )
                )
        if verbosity == 0:
            return
        verb = "Would create" if dry_run else "Created"
        summary = ", ".join(f"{n} {kind}" for kind, n in created.items())
        if any(created.values()):
            self.stdout.write(self.style.SUCCESS(f"{verb} {summary}."))
        else:
            self.stdout.write("Demo content is already loaded; nothing changed.")
