"""Count the instructions one request of a page costs in one process, under valgrind.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cyrus_bench
    export CACHE_URL=redis://127.0.0.1:6379/9 BENCH_HELLO=true ALLOWED_HOSTS=127.0.0.1
    export SECRET_KEY=... DEBUG=false
    python bench/instructions.py [page ...]      (pages: hello article home section ... feed)

Timings on a shared machine drift by 10-50% from run to run; callgrind counts the
instructions this process runs, which are the same whatever else the machine is doing, so
two versions of the code can be compared to a percent. The database's own work is not
counted (it is another process). Each page is run twice, with 40 and with 140 requests
after the same warm-up, and the difference is divided by 100, so start-up is not counted.
Needs valgrind (`apt-get install valgrind`); run after `make bench` has seeded cyrus_bench.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("hello", "article", "home", "section", "author", "search")  # and "feed", by name
RUNS = (40, 140)


def run_requests(page: str, count: int) -> None:
    """Called inside valgrind: warm up, then ``count`` requests of ``page``."""
    import random

    sys.path.insert(0, str(ROOT / "bench"))
    import inprocess  # sets Django up, page cache off, and calls the site in-process

    from articles.models import Article

    rng = random.Random(7)
    known = Article.objects.filter(slug__startswith="bench-").count()
    slugs = [f"/articles/bench-{rng.randrange(known)}/" for _ in range(1000)]
    paths = {
        "hello": lambda i: "/bench/hello/",
        "article": lambda i: slugs[i % len(slugs)],
        "home": lambda i: "/",
        "section": lambda i: "/bench-1/",
        "author": lambda i: "/authors/bench-writer-3/",
        "search": lambda i: "/search/?q=climate+battery",
        "feed": lambda i: "/feeds/rss/",
    }

    def call(path: str) -> None:
        status, _ = inprocess.call(path)
        if not status.startswith("200"):
            raise SystemExit(f"{path}: {status}")

    for i in range(30):  # compiles the queries and templates, fills the caches
        call(paths[page](i))
    for i in range(count):
        call(paths[page](30 + i))


def instructions(page: str, count: int) -> int:
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--inside",
            page,
            str(count),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--inside"]:
        run_requests(sys.argv[2], int(sys.argv[3]))
        return
    for page in sys.argv[1:] or PAGES:
        few, many = (instructions(page, n) for n in RUNS)
        print(f"{page:10s} {(many - few) / (RUNS[1] - RUNS[0]) / 1e6:6.2f} million instructions")


if __name__ == "__main__":
    main()
