"""The serving benchmark (`make bench`): PostgreSQL, Redis, gunicorn, wrk on this machine.

    python bench/run.py [--articles 10000] [--seconds 8] [--connections 16] [--skip-seed]
                        [--hero-images N]

1. Seeds PostgreSQL (database cyrus_bench) through `manage.py bench_seed`; with
   --hero-images N, its articles share N hero images with every rendition, as real
   articles have (pictures in every card and article page).
2. Starts gunicorn twice with production settings: once with the page cache (for hits
   and 304s), once without it (every request renders).
3. Measures requests per second and p50/p99 latency with wrk for each page, and a bare
   "hello" view through the same server and settings just before and just after each
   page; reports each page as a ratio to those two, since absolute numbers drift on a
   shared machine, even from one page to the next.
4. Reports each worker's memory after the run: resident (RSS) and private (USS).

Results are printed and written to bench/results-<articles>.md (results-<articles>-images.md
when the benchmark's articles have hero images).
"""

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

TARGETS = {
    "article_miss": 0.25,
    "article_hit": 0.7,
    "not_modified": 0.85,
    "home": 0.15,
    "section_p1": 0.15,
    "section_p200": 0.15,
    "section_p200_by_number": 0.15,
    "author": 0.15,
    "search": 0.15,
}


WARMUP_SECONDS = 2


def sh(*args, env=None, check=True, **kw):
    return subprocess.run(args, cwd=ROOT, env=env, check=check, text=True, **kw)


def psql(database: str, *args: str, **kw) -> subprocess.CompletedProcess:
    """psql on the benchmark's PostgreSQL (this machine's, as user postgres)."""
    return sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, *args, **kw)


def prewarm(database: str) -> str:
    """Reads the benchmark's tables and indexes (with their TOAST) into the operating
    system's cache, through PostgreSQL's pg_prewarm, so that every page is measured from
    memory, as a server with room for its archive serves it. Without this, the first
    pages measured after seeding read some of their rows from disk, as much or as little
    as the machine's cache happens to have kept. Returns what to say in the report."""
    result = psql(
        database,
        "-Atc",
        "CREATE EXTENSION IF NOT EXISTS pg_prewarm;"
        " SELECT (coalesce(sum(pg_prewarm(c.oid::regclass, 'read')), 0) * 8 / 1024)::int"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't', 'm')",
        check=False,
        capture_output=True,
    )
    megabytes = result.stdout.strip().splitlines()[-1:] if result.returncode == 0 else []
    if not megabytes:
        reason = result.stderr.strip().splitlines()[-1:] or ["no output"]
        return f"not read into memory first (pg_prewarm failed: {reason[0]})"
    return f"read into memory first ({int(megabytes[0]):,} MB, pg_prewarm)"


def older_link(url: str) -> str:
    """The address (path and query) of the Older link on the page at ``url``."""
    html = urllib.request.urlopen(url).read().decode()
    query = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    return f"{urllib.parse.urlsplit(url).path}?{query}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        sh("apt-get", "install", "-y", "-qq", "wrk")


def start_server(env: dict, port: int) -> subprocess.Popen:
    # As `make serve` runs it: the code without docstrings and asserts.
    env = {**env, "PYTHONOPTIMIZE": "2"}
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "magazine.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            # No recycling during the run (gunicorn.conf.py recycles every ~5,000
            # requests), so the memory read at the end is that of workers that have
            # served every page measured, not of fresh ones.
            "--max-requests",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def worker_memory(master: subprocess.Popen) -> list[tuple[int, int]]:
    """Each worker's (resident, private) memory in MB. Resident (RSS) counts the pages a
    worker shares with the master and the other workers too; private (USS: its own clean
    and dirty pages) is what one more worker costs."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()

        def kb(field: str, text: str = rollup) -> int:
            return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))

        private = kb("Private_Clean") + kb("Private_Dirty")
        sizes.append((kb("Rss") // 1024, private // 1024))
    return sizes


def wrk(
    url: str, seconds: int, connections: int, *, header: str = "", script: str | None = None
) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        args[1:1] = ["-H", header]
    if script:
        args[1:1] = ["-s", script]
    if WARMUP_SECONDS:
        # Each worker compiles its queries, and PostgreSQL prepares them, on first use;
        # the same load for a moment first, not counted, so every page is measured warm.
        sh(
            *[f"-d{WARMUP_SECONDS}s" if a.startswith("-d") else a for a in args],
            capture_output=True,
        )
    out = sh(*args, capture_output=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def random_paths_script(paths: list[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write(
            "request = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n"
        )
    return script.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--hero-images", type=int, default=0, metavar="N", help="seed N shared hero images"
    )
    parser.add_argument("--rounds", type=int, default=3, help="each page measured this often")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    args = parser.parse_args()
    global WARMUP_SECONDS
    WARMUP_SECONDS = args.warmup
    ensure_tools()

    database = os.environ.get("BENCH_DATABASE", "cyrus_bench")
    psql("postgres", "-qc", f"CREATE DATABASE {database}", check=False, capture_output=True)
    static = Path(tempfile.mkdtemp(prefix="cyrus-bench-static-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CACHE_URL": "redis://127.0.0.1:6379/9",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-anywhere",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static),
        "BENCH_HELLO": "true",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("GUNICORN_ACCESS_LOG")
    sh(PY, "manage.py", "migrate", "--no-input", "-v0", env=env)
    sh(PY, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    if not args.skip_seed:
        sh(
            PY,
            "manage.py",
            "bench_seed",
            "--articles",
            str(args.articles),
            # Enough articles per author for a full author page at every size (about 30
            # at 1,000 articles), so the pages compared across sizes show the same cards.
            "--authors",
            str(max(10, min(200, args.articles // 20))),
            "--hero-images",
            str(args.hero_images),
            "--replace",
            "-v0",
            env=env,
        )
    psql(database, "-qc", "VACUUM ANALYZE", capture_output=True)
    warmed = prewarm(database)
    sh("redis-cli", "-n", "9", "flushdb", capture_output=True)
    # Whether the articles measured have hero images (seeded now, or before --skip-seed).
    pictured = psql(
        database,
        "-Atc",
        "SELECT count(*) FROM articles_article WHERE slug LIKE 'bench-%' AND hero_image <> ''",
        capture_output=True,
    ).stdout.strip()
    images = int(pictured or 0) > 0

    rng = random.Random(1)
    slugs = [f"/articles/bench-{rng.randrange(args.articles)}/" for _ in range(5000)]
    miss_script = random_paths_script(slugs)
    results: dict[str, list[dict] | None] = {}
    hellos: list[float] = []  # the bare view's requests/s on the rendering server
    hellos_hot: list[float] = []  # and on the page-cache server
    memory: list[tuple[int, int]] = []
    n, c = args.seconds, args.connections

    cached_port, uncached_port = free_port(), free_port()
    uncached = start_server({**env, "PAGE_CACHE_SECONDS": "0"}, uncached_port)
    cached = start_server(env, cached_port)
    try:
        base = f"http://127.0.0.1:{uncached_port}"
        deep = args.articles >= 200 * 12 * 4
        pages = {
            "article_miss": ("/", {"script": miss_script}),
            "home": ("/", {}),
            "section_p1": ("/bench-1/", {}),
            # Page 200 as a reader reaches it, by the Older link on page 199 (a cursor),
            # and as an address typed with only its number (an offset: 2,388 rows walked
            # first).
            "section_p200": (older_link(base + "/bench-1/?page=199"), {}) if deep else None,
            "section_p200_by_number": ("/bench-1/?page=200", {}) if deep else None,
            "author": ("/authors/bench-writer-3/", {}),
            "feed": ("/feeds/rss/", {}),
            "sitemap": ("/sitemap-articles.xml", {}),
            "search": ("/search/?q=climate+battery", {}),
        }
        hot = f"http://127.0.0.1:{cached_port}"
        cached_page = "/articles/bench-7/"
        etag = urllib.request.urlopen(hot + cached_page).headers["ETag"]
        urllib.request.urlopen(hot + cached_page)
        hot_pages = {
            "article_hit": (cached_page, {}),
            "not_modified": (cached_page, {"header": f"If-None-Match: {etag}"}),
        }
        # The bare view before each page and after the last: the machine is shared and its
        # speed drifts during a run, so each page is compared with the bare view measured
        # just before and just after it; and each page is measured in several rounds.
        for name, page in {**pages, **hot_pages}.items():
            results[name] = None if page is None else []
        for _ in range(args.rounds):
            for server, server_pages, series in (
                (base, pages, hellos),
                (hot, hot_pages, hellos_hot),
            ):
                for name, page in server_pages.items():
                    if page is None:
                        continue
                    series.append(wrk(server + "/bench/hello/", n, c)["rps"])
                    path, options = page
                    result = wrk(server + path, n, c, **options)
                    result["hello"] = (len(series) - 1, len(series))
                    results[name].append(result)
                series.append(wrk(server + "/bench/hello/", n, c)["rps"])
        memory = worker_memory(cached) + worker_memory(uncached)
    finally:
        for server in (cached, uncached):
            server.terminate()
            server.wait(timeout=30)
        os.unlink(miss_script)
        shutil.rmtree(static, ignore_errors=True)

    on_hot_server = set(hot_pages)
    lines = [
        f"# Benchmark: {args.articles:,} articles{' with hero images' if images else ''},"
        f" {os.cpu_count()} cores, wrk -c{c} {n}s after {WARMUP_SECONDS}s of warm-up",
        "",
        "| page | req/s | p50 ms | p99 ms | × hello (each round) | target | errors |",
        "|---|---|---|---|---|---|---|",
        f"| hello | {statistics.median(hellos):,.0f} | | | 1.00 | | |",
        f"| hello_cached_server | {statistics.median(hellos_hot):,.0f} | | | 1.00 | | |",
    ]
    for name, rounds in results.items():
        if rounds is None:
            lines.append(f"| {name} | (needs ≥ 9,600 articles in a section) | | | | | |")
            continue
        # Each round's ratio divides by the mean of the bare view just before and just after.
        series = hellos_hot if name in on_hot_server else hellos
        ratios = []
        for result in rounds:
            before, after = result["hello"]
            ratios.append(result["rps"] / ((series[before] + series[after]) / 2))
        ratio = statistics.median(ratios)
        target = TARGETS.get(name)
        verdict = "" if target is None else (f"≥ {target} {'✓' if ratio >= target else '✗'}")
        rps, p50, p99 = (statistics.median(r[key] for r in rounds) for key in ("rps", "p50", "p99"))
        each = " ".join(f"{r:.2f}" for r in ratios)
        lines.append(
            f"| {name} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {ratio:.2f} ({each}) | {verdict} |"
            f" {sum(r['errors'] for r in rounds)} |"
        )
    lines += [
        "",
        f"Each page was measured in {args.rounds} rounds; the figures are the medians over"
        " them. × hello divides by the mean of the bare view measured on the same server"
        " just before and just after that page in that round (the hello rows give the"
        " median of all of them). The bare"
        f" view, in order: {', '.join(f'{h:,.0f}' for h in hellos)} req/s (page-cache"
        f" server: {', '.join(f'{h:,.0f}' for h in hellos_hot)}). The database's tables"
        f" and indexes were {warmed}.",
    ]
    rss = [r for r, _ in memory]
    private = [p for _, p in memory]
    lines += [
        "",
        "Worker memory after the run, MB (first the cached server's workers, then the",
        "uncached server's; target: under 60 resident):",
        f"- resident (RSS): {rss} {'✓' if max(rss) < 60 else '✗'}",
        f"- private to the worker (USS), the cost of one more worker: {private}",
    ]
    report = "\n".join(lines)
    print(report)
    suffix = "-images" if images else ""
    (ROOT / "bench" / f"results-{args.articles}{suffix}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
