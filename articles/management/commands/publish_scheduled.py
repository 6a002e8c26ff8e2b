"""Do what must happen when scheduled articles go live or live articles expire.

Readers see a scheduled article at its time whatever this command does (the reader
queries compare with the clock); this command records the change (the state becomes
published, or archived on expiry, with an entry in the log) and runs the site's
visibility hooks (cache purges). Idempotent, and safe when two copies run at once: each
change is a compare-and-set update that only one of them can make. Run it every minute.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.models import Article
from articles.services import workflow


class Command(BaseCommand):
    help = "Mark due scheduled articles published and expired ones archived (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due; change nothing."
        )

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        now = timezone.now()
        if dry_run:
            for article in Article.objects.due(at=now):
                self.stdout.write(f"due to go live: {article.slug}")
            for article in Article.objects.expired(at=now):
                self.stdout.write(f"expired: {article.slug}")
            return
        went_live, expired = workflow.publish_due(at=now)
        if verbosity >= 2:
            for article in went_live:
                self.stdout.write(f"  live: {article.slug}")
            for article in expired:
                self.stdout.write(f"  expired: {article.slug}")
        if verbosity >= 1 and (went_live or expired):
            self.stdout.write(
                self.style.SUCCESS(f"{len(went_live)} went live, {len(expired)} expired.")
            )
