"""Rebuild the responsive renditions of hero images.

By default only missing or stale renditions are made; --all remakes every one.
"""

from django.core.management.base import BaseCommand

from articles import renditions
from articles.models import Article


class Command(BaseCommand):
    help = "Make (or with --all remake) hero image renditions, with progress."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake even current renditions.")
        parser.add_argument("--slug", action="append", help="Only this article (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be made.")

    def handle(self, *args, all: bool, slug, dry_run: bool, verbosity: int, **options):
        articles = Article.objects.exclude(hero_image="").order_by("pk")
        if slug:
            articles = articles.filter(slug__in=slug)
        todo = [a for a in articles.iterator(chunk_size=200) if all or not renditions.is_current(a)]
        if dry_run:
            self.stdout.write(f"Would make renditions for {len(todo)} article(s).")
            return
        made = failed = 0
        for number, article in enumerate(todo, start=1):
            try:
                if renditions.refresh(article, force=all):
                    made += 1
            except (OSError, ValueError) as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{article.slug}: {error}"))
            if verbosity >= 1:
                self.stdout.write(f"  [{number}/{len(todo)}] {article.slug}")
        message = f"Made renditions for {made} article(s)"
        if failed:
            message += f"; {failed} failed (see above)"
        self.stdout.write(self.style.SUCCESS(message + "."))
