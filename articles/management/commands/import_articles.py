"""Import articles from plain-text pages or from this project's export files.

All or nothing: if any file is malformed, nothing is written and every problem is
listed with its file and line. Importing the same file again updates the article it
created (matched by slug) and never makes a duplicate.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles import services
from articles.formats import FORMATS


class Command(BaseCommand):
    help = "Import articles from files or directories (plain-text pages or export files)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--format", choices=FORMATS, help="Force a format instead of detecting it per file."
        )
        parser.add_argument(
            "--images",
            type=Path,
            metavar="DIR",
            help="Attach DIR/<slug>.jpg (.jpeg, .png, .webp, .avif) as each hero image.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish now the articles whose file gives no date (otherwise drafts).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.verbosity >= 1 and total >= 200 and (done % 500 == 0 or done == total):
            self.stderr.write(f"  {stage}: {done}/{total}")

    def handle(self, *args, paths, format, images, publish, dry_run, verbosity, **options):
        self.verbosity = verbosity
        if images is not None and not images.is_dir():
            raise CommandError(f"--images {images}: no such directory")
        try:
            records = services.read_files(paths, fmt=format, progress=self._progress)
            report = services.import_files(
                records,
                images_dir=images,
                publish=publish,
                dry_run=dry_run,
                progress=self._progress,
            )
        except services.ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError(
                f"Nothing was imported: {len(failure.problems)} problem(s) above."
            ) from None
        prefix = "Would import" if dry_run else "Imported"
        if verbosity >= 2:
            for outcome in ("created", "updated", "unchanged"):
                for slug in getattr(report, outcome):
                    self.stdout.write(f"  {outcome}: {slug}")
        for kind in ("sections", "authors"):
            names = getattr(report, f"new_{kind}")
            if names and verbosity >= 1:
                self.stdout.write(f"New {kind}: {', '.join(names)}")
        if verbosity == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged; {len(report.new_sections)} new "
                f"section(s), {len(report.new_authors)} new author(s)."
            )
        )
