"""Production serving: compressed, hashed static files; and two app servers sharing
PostgreSQL and Redis."""

import http.cookiejar
import re
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from . import servers

ROOT = Path(__file__).resolve().parents[1]


def test_static_files_are_hashed_compressed_and_immutable(collected):
    css = sorted(collected.glob("css/magazine.*.css"))
    assert css, list(collected.glob("css/*"))
    hashed = next(p for p in css if re.fullmatch(r"magazine\.[0-9a-f]{12}\.css", p.name))
    assert Path(f"{hashed}.gz").exists() and Path(f"{hashed}.br").exists()

    from whitenoise import WhiteNoise

    app = WhiteNoise(
        lambda environ, start: [],
        root=collected,
        prefix="static/",
        immutable_file_test=r"\.[0-9a-f]{12}\.",
    )
    seen = {}

    def start_response(status, headers):
        seen["status"] = status
        seen["headers"] = dict(headers)

    app(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/static/css/{hashed.name}",
            "HTTP_ACCEPT_ENCODING": "br, gzip",
            "wsgi.url_scheme": "http",
            "SERVER_NAME": "x",
            "SERVER_PORT": "80",
            "QUERY_STRING": "",
        },
        start_response,
    )
    assert seen["status"].startswith("200")
    assert seen["headers"]["Content-Encoding"] == "br"
    assert "immutable" in seen["headers"]["Cache-Control"]
    assert "max-age=315360000" in seen["headers"]["Cache-Control"]


class _Browser:
    """Just enough of a browser for the admin: cookies and CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.last_url = ""

    def get(self, path: str) -> str:
        response = self.opener.open(self.base + path)
        self.last_url = response.url
        return response.read().decode()

    def post_form(self, path: str, fields: dict) -> str:
        form = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        response = self.opener.open(urllib.request.Request(self.base + path, data=data))
        self.last_url = response.url
        return response.read().decode()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL and Redis")
def test_two_servers_share_database_and_cache(transactional_db, collected):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import User

    from articles.models import Article

    from .factories import make_article, make_author, make_section

    # Tests hash with MD5 for speed; the servers run the real settings (Argon2, PBKDF2).
    User.objects.create_superuser("chief")
    User.objects.filter(username="chief").update(
        password=PBKDF2PasswordHasher().encode("a-long-test-password", "saltsalt")
    )
    article = make_article(
        slug="shared",
        title="Shared scoop",
        status="draft",
        section=make_section(slug="tech"),
        authors=[make_author()],
        standfirst="S.",
    )
    env = servers.server_env(static_root=collected, redis_db=7)
    (server_a, a), (server_b, b) = servers.start_gunicorn(env), servers.start_gunicorn(env)
    try:
        # B serves and caches the home page (in Redis) before the article exists.
        for _ in range(2):
            home = urllib.request.urlopen(b + "/").read().decode()
        assert "Shared scoop" not in home

        browser = _Browser(a)
        browser.post_form(
            "/admin/login/?next=/admin/", {"username": "chief", "password": "a-long-test-password"}
        )
        assert browser.last_url == a + "/admin/", "could not sign in on server A"
        url = f"/admin/articles/article/{article.pk}/transition/published/"
        body = browser.post_form(url, {"note": ""})
        assert "publish now — done" in body
        assert Article.objects.get(pk=article.pk).status == "published"

        # The very next request to the other server shows it.
        assert "Shared scoop" in urllib.request.urlopen(b + "/").read().decode()
        assert urllib.request.urlopen(b + "/articles/shared/").status == 200
    finally:
        servers.stop(server_a, server_b)
        connection.close()


def test_the_wsgi_application_keeps_the_site_language_and_time_zone_active(tmp_path):
    """magazine.wsgi makes the site's language and time zone the active ones (reading an
    active one is about 4 µs cheaper than Django finding none is, 20-35 times a page):
    in a fresh process, as gunicorn loads it, they are active, serving a page leaves them
    so, and an override puts them back."""
    import os
    import subprocess
    import sys

    script = """
import io, sys
from magazine.wsgi import application
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import trans_real

def active():
    return [hasattr(trans_real._active, "value"), hasattr(timezone._active, "value")]

print(active())
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/robots.txt", "SERVER_NAME": "testserver",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
           "wsgi.errors": sys.stderr}
status = []
b"".join(application(environ, lambda s, headers, *args: status.append(s)))
print(status[0], active())
with translation.override("fr"), timezone.override("UTC"):
    pass
print(active(), translation.get_language() == settings.LANGUAGE_CODE,
      timezone.get_current_timezone_name() == settings.TIME_ZONE)
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[True, True]",
        "200 OK [True, True]",
        "[True, True] True True",
    ], done.stdout


def test_production_settings_reach_postgresql_through_its_unix_socket(db, tmp_path):
    """The README's address for PostgreSQL on the same machine, its socket
    (``postgres://user@/name?host=/var/run/postgresql``), reaches that database with the
    production settings, over the socket and not TCP (the server then has no address)."""
    import subprocess
    import sys

    socket_dir = Path("/var/run/postgresql")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    if not (socket_dir / f".s.PGSQL.{connection.settings_dict['PORT'] or 5432}").exists():
        pytest.skip(f"no PostgreSQL socket in {socket_dir}")
    database = connection.settings_dict
    env = {
        **servers.server_env(static_root=tmp_path, redis_db=14),
        "DATABASE_URL": f"postgres://{database['USER']}@/{database['NAME']}?host={socket_dir}",
    }
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT inet_server_addr(), current_database(),"
        " current_setting(%s)', ['plan_cache_mode'])\n"
        "    print(cursor.fetchone())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # No server address: a Unix socket. The connection has the settings' options too.
    assert done.stdout.strip() == repr((None, database["NAME"], "force_generic_plan")), done.stdout
