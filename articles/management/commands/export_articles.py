"""Export articles to one human-readable file each (docs/export-format.md), with images."""

from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import get_current_timezone, make_aware

from articles import services
from articles.models import Article, Section


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-03-12") from None
    return make_aware(datetime.combine(day, time()), get_current_timezone())


class Command(BaseCommand):
    help = "Export articles to DIR: <slug>.md files (front matter and body) and hero images."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, metavar="DIR")
        parser.add_argument(
            "--section", action="append", metavar="SLUG", help="Only this section (repeatable)."
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Article.Status.values,
            help="Only articles in this state (repeatable).",
        )
        parser.add_argument(
            "--since", type=_date, metavar="YYYY-MM-DD", help="Published on or after this day."
        )
        parser.add_argument(
            "--until",
            type=_date,
            metavar="YYYY-MM-DD",
            help="Published before the end of this day.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be written; write nothing."
        )

    def handle(self, *args, out, section, status, since, until, dry_run, verbosity, **options):
        queryset = Article.objects.all()
        if section:
            known = set(Section.objects.filter(slug__in=section).values_list("slug", flat=True))
            if missing := sorted(set(section) - known):
                raise CommandError(f"No section with slug {', '.join(missing)}")
            queryset = queryset.filter(section__slug__in=section)
        if status:
            queryset = queryset.filter(status__in=status)
        if since:
            queryset = queryset.filter(published_at__gte=since)
        if until:
            queryset = queryset.filter(published_at__lt=until + timedelta(days=1))
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is a file, not a directory")

        def progress(stage, done, total):
            if verbosity >= 1 and total >= 200 and (done % 500 == 0 or done == total):
                self.stderr.write(f"  {stage}: {done}/{total}")

        written = services.export_articles(
            queryset=queryset, out_dir=out, dry_run=dry_run, progress=progress
        )
        if verbosity >= 2:
            for path in written:
                self.stdout.write(f"  {path}")
        verb = "Would export" if dry_run else "Exported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(written)} article(s) to {out}."))
