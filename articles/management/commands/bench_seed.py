"""Fill the database with benchmark articles, quickly: bulk writes, not one query per
article. Everything it makes has a slug starting with "bench-".

With ``--hero-images N``, N hero images are drawn, checked and rendered as an editor's
upload is (every rendition stored), and the articles take them in turn, so pages show a
picture with its sources and the social image, as real articles do."""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Byline, Section, Source, Takeaway
from articles.models.content import forget_sections

WORDS = [
    "council",
    "budget",
    "river",
    "school",
    "energy",
    "market",
    "health",
    "science",
    "research",
    "city",
    "election",
    "policy",
    "climate",
    "water",
    "housing",
    "transport",
    "data",
    "privacy",
    "court",
    "trade",
    "museum",
    "festival",
    "vaccine",
    "satellite",
    "battery",
    "harvest",
    "museum",
    "reform",
    "union",
    "strike",
    "inflation",
    "report",
]
BATCH = 2000


def _paragraph(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _hero_images(count: int) -> list[dict]:
    """``count`` hero images, each checked, stored and rendered as an upload is: the
    fields an article that shows it takes."""
    from articles import images, renditions
    from articles.demo.content import ARTICLES
    from articles.demo.images import make_hero

    palettes = [spec["palette"] for spec in ARTICLES]  # the demo's pictures' colours
    heroes = []
    for n in range(count):
        drawn = make_hero(name=f"bench-{n}.jpg", palette=palettes[n % len(palettes)])
        stored, checked = images.ingest_image(drawn)
        article = Article(hero_focal_x=0.5, hero_focal_y=0.5)
        article.hero_image.save(stored.name, stored, save=False)
        heroes.append(
            {
                "hero_image": article.hero_image.name,
                "hero_width": checked.width,
                "hero_height": checked.height,
                "hero_image_digest": checked.digest,
                "hero_renditions": renditions.make_renditions(article),
                "hero_alt": f"Soft shapes on a gradient, bench picture {n}",
                "hero_credit": "Cyrus Magazine bench",
            }
        )
    return heroes


class Command(BaseCommand):
    help = "Create N benchmark articles over many sections and authors (bulk writes)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--sections", type=int, default=4)
        parser.add_argument("--authors", type=int, default=200)
        parser.add_argument(
            "--hero-images",
            type=int,
            default=0,
            metavar="N",
            help="Draw N hero images, with every rendition, for the articles to share.",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier benchmark data first."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be made.")

    def handle(
        self, *args, articles, sections, authors, hero_images, replace, dry_run, verbosity, **opts
    ):
        if hero_images < 0:
            raise CommandError("--hero-images takes a number of images, 0 or more.")
        if dry_run:
            pictures = f", {hero_images} hero images" if hero_images else ""
            self.stdout.write(
                f"Would create {articles} articles, {sections} sections, {authors} authors"
                f"{pictures}."
            )
            return
        existing = Article.objects.filter(slug__startswith="bench-").exists()
        if existing and not replace:
            raise CommandError("Benchmark data exists already: use --replace to start again.")
        rng = random.Random(42)
        started = time.perf_counter()
        heroes = _hero_images(hero_images)  # files in storage, outside the transaction
        with transaction.atomic():
            if replace:
                Article.objects.filter(slug__startswith="bench-").delete()
                Author.objects.filter(slug__startswith="bench-").delete()
                Section.objects.filter(slug__startswith="bench-").delete()
            section_objs = Section.objects.bulk_create(
                Section(name=f"Bench {n}", slug=f"bench-{n}", order=100 + n)
                for n in range(sections)
            )
            author_objs = Author.objects.bulk_create(
                Author(name=f"Bench Writer {n}", slug=f"bench-writer-{n}", bio="Writes.")
                for n in range(authors)
            )
            now = timezone.now()
            made = 0
            while made < articles:
                count = min(BATCH, articles - made)
                batch = []
                for n in range(made, made + count):
                    article = Article(
                        title=f"Bench story {n}: {' '.join(rng.sample(WORDS, 4))}",
                        slug=f"bench-{n}",
                        standfirst=_paragraph(rng, 20),
                        section=section_objs[n % sections],
                        status=Article.Status.PUBLISHED,
                        published_at=now - timedelta(minutes=n + 1),
                        article_type=Article.Type.REPORTING,
                        body="".join(f"<p>{_paragraph(rng)}</p>" for _ in range(8)),
                        takeaways_position=4,
                        **(heroes[n % len(heroes)] if heroes else {}),
                    )
                    batch.append(article)  # bulk_create sanitises the body
                Article.objects.bulk_create(batch, batch_size=BATCH)
                Byline.objects.bulk_create(
                    (
                        Byline(article=a, author=author_objs[(i * 7 + k) % authors], position=k)
                        for i, a in enumerate(batch, start=made)
                        for k in range(1 + i % 2)
                    ),
                    batch_size=BATCH,
                )
                Takeaway.objects.bulk_create(
                    (
                        Takeaway(article=a, text=_paragraph(rng, 10), position=k)
                        for a in batch
                        for k in range(3)
                    ),
                    batch_size=BATCH,
                )
                Source.objects.bulk_create(
                    (Source(article=a, name="Reuters", relation="wire reporting") for a in batch),
                    batch_size=BATCH,
                )
                made += count
                if verbosity >= 1:
                    self.stderr.write(f"  {made}/{articles}")
        # Bulk writes skip the models' save(): drop the cached menu and every cached page
        # here, or readers would see the old sections and pages until they expire.
        forget_sections("all")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {articles} articles in {time.perf_counter() - started:.1f} s."
            )
        )
