"""Time reader pages in one process, without a server: milliseconds per request.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cyrus_bench
    export CACHE_URL=redis://127.0.0.1:6379/9 BENCH_HELLO=true ALLOWED_HOSTS=127.0.0.1
    export SECRET_KEY=... DEBUG=false
    python bench/inprocess.py [page ...]

Run after `make bench` has seeded cyrus_bench (it reads bench-N slugs). The page cache
is off, so every request renders. The process starts as gunicorn's workers do: warmed
(magazine/warm.py), its objects frozen out of the garbage collector. Each page prints its
time per request and this process's CPU time per request (without the database's), the
steadier of the two.
PROFILE=1 prints a cProfile of each page (SORT, TOP).
"""

import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "magazine.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django

django.setup()

from articles.models import Article  # noqa: E402
from magazine.warm import before_forking  # noqa: E402
from magazine.wsgi import application as handler  # noqa: E402  (what gunicorn serves)

before_forking()  # as gunicorn.conf.py's when_ready does in the master


def call(path: str) -> tuple[str, bytes]:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SCRIPT_NAME": "",
    }
    status = []
    result = handler(environ, lambda s, headers, *args: status.append(s))
    try:
        body = b"".join(result)
    finally:
        result.close()  # as a WSGI server does: request_finished, and the request let go
    return status[0], body


def main() -> None:
    rng = random.Random(1)
    count = Article.objects.filter(slug__startswith="bench-").count()
    runs = int(os.environ.get("N", "300"))
    pages = {
        "hello": lambda: "/bench/hello/",
        "article": lambda: f"/articles/bench-{rng.randrange(count)}/",
        "home": lambda: "/",
        "section": lambda: "/bench-1/",
        "author": lambda: "/authors/bench-writer-3/",
        "search": lambda: "/search/?q=climate+battery",
        "feed": lambda: "/feeds/rss/",
        "sitemap": lambda: "/sitemap-articles.xml",
    }
    for name in sys.argv[1:] or list(pages):
        path = pages[name]
        status, body = call(path())
        if not status.startswith("200"):
            raise SystemExit(f"{name}: {status}")
        for _ in range(20):
            call(path())
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(runs):
            call(path())
        per_request = (time.perf_counter() - start) / runs * 1000
        cpu_per_request = (time.process_time() - cpu) / runs * 1000
        # CPU: this process's own time (not the database's), steadier on a busy machine.
        print(f"{name:10s} {per_request:7.3f} ms  {cpu_per_request:7.3f} ms CPU  {len(body)} bytes")
        if os.environ.get("PROFILE"):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(runs):
                call(path())
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("TOP", "40")))


if __name__ == "__main__":
    main()
