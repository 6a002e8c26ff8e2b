"""Failure and load against real servers on the loopback address (PostgreSQL runs only).

- PostgreSQL is stopped under a running app server: readers get cached pages or a
  friendly 503, /healthz/ says so, and when PostgreSQL is back the same server recovers
  without a restart.
- A bounded load test: concurrent readers for LOAD_TEST_SECONDS (60 by default) while an
  editor publishes and corrects articles: no server errors, and the changes appear.
"""

import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from . import servers
from .factories import make_article, make_author, make_section

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs the PostgreSQL server to stop and start"
)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _server(collected, workers: int = 2):
    return servers.start_gunicorn(
        servers.server_env(static_root=collected, redis_db=6, workers=workers)
    )


def _cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def test_database_outage_and_recovery_without_restart(transactional_db, collected):
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("needs root and pg_ctlcluster to stop the local PostgreSQL")
    section = make_section(slug="tech")
    make_article(slug="kept", title="Cached before the outage", section=section)
    make_article(slug="fresh", title="Not cached yet", section=section)
    server, base = _server(collected)
    stopped = False
    try:
        for _ in range(2):
            assert _get(base + "/articles/kept/")[0] == 200
        connection.close()
        subprocess.run([*_cluster(), "stop", "-m", "fast"], check=True)
        stopped = True
        status, body = _get(base + "/articles/kept/")
        assert status == 200 and "Cached before the outage" in body  # from the cache
        status, body = _get(base + "/articles/fresh/")
        assert status == 503 and "briefly unavailable" in body
        status, body = _get(base + "/admin/login/")
        assert status in (200, 503)
        assert _get(base + "/healthz/")[0] == 503
    finally:
        if stopped:
            subprocess.run([*_cluster(), "start"], check=True)
            for _ in range(60):
                if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
                    break
                time.sleep(0.5)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _get(base + "/healthz/")[0] != 200:
            time.sleep(0.5)
        assert _get(base + "/healthz/")[0] == 200  # the same server, no restart
        status, body = _get(base + "/articles/fresh/")
        assert status == 200 and "Not cached yet" in body
    finally:
        servers.stop(server)


def test_bounded_load_while_an_editor_publishes(transactional_db, collected, settings):
    from django.contrib.auth.models import User

    from articles.models import Article
    from articles.services import workflow

    seconds = float(os.environ.get("LOAD_TEST_SECONDS", "60"))
    # The editor's actions run here, through the same services the admin calls, and purge
    # the cache the server reads: the shared Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "magazine.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/6",
        }
    }
    section = make_section(slug="tech")
    author = make_author(slug="ann")
    for n in range(30):
        make_article(slug=f"story-{n}", title=f"Story {n}", section=section, authors=[author])
    drafts = [
        make_article(
            slug=f"breaking-{n}",
            title=f"Breaking {n}",
            status="draft",
            section=section,
            authors=[author],
            standfirst="S.",
        )
        for n in range(5)
    ]
    editor = User.objects.create_superuser("desk")
    server, base = _server(collected, workers=3)
    paths = [
        "/",
        "/tech/",
        "/authors/ann/",
        "/search/?q=story",
        "/feeds/rss/",
        "/sitemap-articles.xml",
        *(f"/articles/story-{n}/" for n in range(30)),
    ]
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0, "requests": 0}
    failures: list[str] = []
    lock = threading.Lock()

    def reader(offset: int) -> None:
        n = offset
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            status, _ = _get(base + path)
            with lock:
                counts["requests"] += 1
                if status >= 500:
                    counts["errors"] += 1
                    failures.append(f"{status} {path}")
                else:
                    counts["ok"] += 1

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(12)]
    try:
        for thread in threads:
            thread.start()
        interval = seconds / (len(drafts) + 1)
        for draft in drafts:
            time.sleep(interval)
            workflow.article_transition(article=draft, action="published", by=editor)
            workflow.article_correct(
                article=draft, text=f"Fixed a name in {draft.title}.", by=editor
            )
            # The change is visible to readers on their next request.
            status, home = _get(base + "/")
            assert status == 200 and draft.title in home
            status, page = _get(base + draft.get_absolute_url())
            assert status == 200 and f"Fixed a name in {draft.title}." in page
        for thread in threads:
            thread.join(timeout=seconds + 30)
    finally:
        servers.stop(server)
    assert counts["errors"] == 0, failures[:20]
    assert counts["requests"] > 100
    assert Article.objects.filter(slug__startswith="breaking-", status="published").count() == 5
