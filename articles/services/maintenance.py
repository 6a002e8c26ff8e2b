"""Keeping stored content in line with the code that reads it."""

from django.db import transaction

from .. import caching, text
from ..models import Article

BATCH = 500


def sanitize_bodies(*, dry_run: bool = False) -> list[str]:
    """Bring every stored article body in line with the sanitiser's current allowlist
    (text.BODY_EXTENSIONS). Bodies are sanitised when written and printed as stored, so
    after the allowlist narrows, bodies written before still hold what it now removes
    until this runs. Returns the slugs of the articles whose bodies changed, oldest
    first; with ``dry_run`` changes nothing. Each changed body is saved with its word
    count and reading time, and every cached page is purged."""
    changed: list[str] = []
    batch: list[Article] = []

    def write() -> None:
        # bulk_update sanitises each body again, with its word count and reading time.
        Article.objects.bulk_update(batch, ["body"], batch_size=BATCH)
        batch.clear()

    articles = Article.objects.only("pk", "slug", "body", "reading_time_override").order_by("pk")
    with transaction.atomic():
        # Written a batch at a time, so only the slugs are held however many change.
        for article in articles.iterator(chunk_size=BATCH):
            if text.sanitize_body(article.body) == article.body:
                continue
            changed.append(article.slug)
            if not dry_run:
                batch.append(article)
                if len(batch) == BATCH:
                    write()
        if batch:
            write()
        if changed and not dry_run:
            # Now, and again once committed: a page rendered in between from the old
            # bodies must not be kept (as workflow does).
            caching.purge_all()
            transaction.on_commit(caching.purge_all)
    return changed
