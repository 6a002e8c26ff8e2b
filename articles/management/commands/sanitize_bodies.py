"""Re-sanitise stored article bodies after the body's allowlist changed.

Bodies are sanitised when they are written (the admin, imports, every bulk write) and
pages print them as stored. When text.BODY_EXTENSIONS narrows (a tag or attribute no
longer allowed), run this once: it lists the articles whose stored body the sanitiser now
writes differently and saves them sanitised. Idempotent.
"""

from django.core.management.base import BaseCommand

from articles.services.maintenance import sanitize_bodies


class Command(BaseCommand):
    help = "Sanitise stored article bodies with the current allowlist (after it changed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the bodies that would change."
        )

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        slugs = sanitize_bodies(dry_run=dry_run)
        if verbosity >= 2 or dry_run:
            for slug in slugs:
                self.stdout.write(f"{'would change' if dry_run else 'changed'}: {slug}")
        if verbosity >= 1:
            verb = "would change" if dry_run else "sanitised"
            self.stdout.write(self.style.SUCCESS(f"{len(slugs)} bodies {verb}."))
