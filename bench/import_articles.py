"""Benchmark: import N plain-text articles into an empty database.

    python bench/import_articles.py [--articles 10000] [--database-url URL]

Writes N files to a temporary folder, migrates a fresh database (a temporary SQLite file
unless --database-url is given), imports them with `import_articles`, and reports wall
time, queries and peak memory (resident set size of this process).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "The committee met on a wet Tuesday to weigh a proposal that had already divided the "
    "town. Supporters said it would bring jobs; opponents said it would bring traffic. "
    "Both sides brought charts, and neither chart agreed with the other."
)


def article_text(n: int) -> str:
    sections = ["TECH", "SCIENCE", "BUSINESS", "CULTURE", "WORLD", "HEALTH", "SPORT"]
    authors = [f"Writer {n % 97}", f"Reporter {n % 53}"]
    byline = " and ".join(authors[: 1 + n % 2])
    day = 1 + n % 28
    body = "\n\n".join([PARAGRAPH] * 6)
    return "\n\n".join(
        [
            sections[n % len(sections)],
            f"Story number {n}: what the committee decided",
            "A short standfirst that explains why the story matters to readers.",
            f"By {byline} · {day} March 2024 · 4 min read",
            body,
            "What Happens Next",
            PARAGRAPH,
            "Key Takeaways",
            "• The committee met.\n• It decided.\n• Not everyone agreed.",
            PARAGRAPH,
            "Source: Reuters — wire reporting. "
            "This article is original analysis by Cyrus Magazine.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cyrus-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "magazine.settings"
    os.environ["MEDIA_ROOT"] = str(work / "media")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    folder = work / "articles"
    folder.mkdir()
    for n in range(args.articles):
        (folder / f"{n:06d}.txt").write_text(article_text(n), encoding="utf-8")
    call_command("migrate", verbosity=0)
    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with connection.execute_wrapper(count):
        call_command("import_articles", str(folder), verbosity=0)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    from articles.models import Article

    assert Article.objects.count() == args.articles
    print(f"database:        {connection.vendor}")
    print(f"articles:        {args.articles:,}")
    print(f"import time:     {elapsed:.1f} s ({args.articles / elapsed:,.0f} articles/s)")
    print(f"queries:         {queries:,} ({queries / args.articles:.2f} per article)")
    print(
        f"peak memory:     {peak / 1024:.0f} MB resident "
        f"(before import: {rss_before / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
