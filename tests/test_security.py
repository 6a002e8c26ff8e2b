"""Safe to put on the internet: settings, headers, injection, leaks, accounts, failure."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from articles import renditions
from articles.images import ingest_image
from articles.models import Article
from articles.services import workflow

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]

# Cross-site scripting payloads: tags, handlers, URLs, SVG, broken and encoded markup.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><script>window.__pwned=2</script>',
    "<img src=x onerror=window.__pwned=3>",
    "<svg onload=window.__pwned=4>",
    "<svg><script>window.__pwned=5</script></svg>",
    '<a href="javascript:window.__pwned=6">click</a>',
    '<a href="data:text/html,<script>window.__pwned=7</script>">x</a>',
    "<iframe src=javascript:window.__pwned=8>",
    "</textarea><script>window.__pwned=9</script>",
    "</title><script>window.__pwned=10</script>",
    "<scr<script>ipt>window.__pwned=11</scr</script>ipt>",
    "&lt;script&gt;window.__pwned=12&lt;/script&gt;",
    "<body onload=window.__pwned=13>",
    '<div style="background:url(javascript:window.__pwned=14)">',
    "'';!--\"<XSS>=&{()}",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=15>",
]
HOSTILE_URLS = [
    "javascript:window.__pwned=20",
    "data:text/html,<script>x</script>",
    "JaVaScRiPt:window.__pwned=21",
    "vbscript:msgbox(1)",
]
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "form",
    "frame",
    "frameset",
    "applet",
    "meta",
    "link",
    "style",
}


class _Inspector(HTMLParser):
    """Collects what would be live in a browser: elements, attributes, URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "srcset", "xlink:href") and (
                value and re.match(r"\s*(javascript|vbscript|data:text)", value, re.I)
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            kind = attributes.get("type", "")
            src = attributes.get("src", "")
            if kind != "application/ld+json" and not src.startswith("/static/"):
                self.problems.append(f"<script type={kind!r} src={src!r}>")
        if tag in ("iframe", "object", "embed", "svg", "math", "base", "frame", "applet"):
            self.problems.append(f"<{tag}>")


def live_markup(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.fixture
def hostile_site():
    """Every field an editor or an import can fill, filled with a payload."""
    payloads = iter(PAYLOADS * 4)
    section = make_section(name=next(payloads)[:60], slug="hostile", description=next(payloads))
    author = make_author(
        name=next(payloads)[:120], slug="mallory", bio=next(payloads), role=next(payloads)[:120]
    )
    stored, _ = ingest_image(make_image_file())
    article = make_article(
        slug="hostile-article",
        title=next(payloads),
        standfirst=next(payloads)[:400],
        section=section,
        authors=[author],
        body="".join(f"<p>{p}</p>" for p in PAYLOADS) + "".join(PAYLOADS),
        takeaways=[p[:400] for p in PAYLOADS[:4]],
        sources=[
            {"name": p[:200], "relation": q[:120], "url": ""}
            for p, q in zip(PAYLOADS[4:8], PAYLOADS[8:12], strict=True)
        ],
        hero_image=stored,
        hero_alt=next(payloads),
        hero_credit=next(payloads)[:200],
        hero_caption=next(payloads),
    )
    # Source links are stored only if they are web addresses: hostile schemes are refused.
    from django.core.exceptions import ValidationError

    from articles.models import Source

    for url in HOSTILE_URLS:
        with pytest.raises(ValidationError):
            Source(article=article, name="x", relation="y", url=url).full_clean()
    workflow.article_correct(
        article=article, text=PAYLOADS[0], by=User.objects.create_superuser("root")
    )
    renditions.refresh(article)
    return article


READER_PAGES = [
    "/",
    "/hostile/",
    "/authors/mallory/",
    "/articles/hostile-article/",
    "/corrections/",
    "/search/?q=script",
    "/search/?q=pwned",
]


def test_no_payload_survives_as_live_markup_on_any_reader_page(client, hostile_site):
    for path in READER_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        problems = live_markup(response.content.decode())
        assert not problems, (path, problems)


def test_json_ld_carries_payloads_as_data_only(client, hostile_site):
    html = client.get("/articles/hostile-article/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["headline"] == hostile_site.title[:110]
    assert "</script" not in blocks[0].lower() and "<" not in blocks[0]


def test_feeds_carry_payloads_as_escaped_text(client, hostile_site):
    for path in (
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/sections/hostile/rss/",
        "/feeds/authors/mallory/atom/",
        "/sitemap-news.xml",
    ):
        body = client.get(path).content
        root = ET.fromstring(body)  # well-formed XML whatever the titles contain
        assert not any(el.tag.endswith("script") for el in root.iter()), path
    rss = ET.fromstring(client.get("/feeds/rss/").content)
    assert rss.find("channel/item/title").text == hostile_site.title


@pytest.mark.parametrize("payload", PAYLOADS + HOSTILE_URLS)
def test_the_search_box_reflects_nothing_live(client, payload):
    make_article(title="Something")
    response = client.get("/search/", {"q": payload})
    assert response.status_code == 200
    assert not live_markup(response.content.decode()), payload


def test_admin_views_show_payloads_as_text(admin_client, hostile_site):
    for path in (
        "/admin/articles/article/",
        f"/admin/articles/article/{hostile_site.pk}/change/",
        f"/admin/articles/article/{hostile_site.pk}/revisions/",
        "/admin/articles/section/",
        "/admin/articles/author/",
        f"/admin/articles/author/{hostile_site.authors.get().pk}/change/",
        "/admin/articles/articleevent/",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        for payload in ("<script>window.__pwned", "<img src=x onerror", "<svg onload"):
            assert payload not in html, (path, payload)


def test_imported_payloads_are_text(client, tmp_path):
    text = "\n\n".join(
        [
            "TECH",
            "<script>window.__pwned=1</script> Title",
            "<b>Standfirst</b>.",
            "By <img src=x onerror=alert(1)> and Eve · 3 May 2026 · 1 min read",
            "<svg onload=window.__pwned=2> a paragraph that ends.",
            "Source: <i>Wire</i> — wire reporting. This article is original reporting by X.",
        ]
    )
    (tmp_path / "x.txt").write_text(text)
    call_command("import_articles", str(tmp_path), stdout=StringIO())
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert not live_markup(html)
    assert "&lt;svg onload=window.__pwned=2&gt;" in html


class TestHeaders:
    PAGES = [
        "/",
        "/articles/a/",
        "/tech/",
        "/authors/ann/",
        "/search/?q=a",
        "/nope/",
        "/admin/login/",
    ]

    def test_every_html_response_has_the_security_headers(self, client):
        make_article(slug="a", section=make_section(slug="tech"), authors=[make_author(slug="ann")])
        for path in self.PAGES:
            for _ in range(2):  # uncached, then from the page cache
                response = client.get(path)
                policy = response["Content-Security-Policy"]
                directives = dict([*part.split(" ", 1), ""][:2] for part in policy.split("; "))
                assert "'unsafe-inline'" not in directives["script-src"], path
                assert "'unsafe-eval'" not in policy, path
                assert directives["object-src"] == "'none'"
                assert directives["frame-ancestors"] == "'none'"
                assert directives["base-uri"] == "'none'"
                assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
                assert response["X-Content-Type-Options"] == "nosniff"
                assert "geolocation=()" in response["Permissions-Policy"]
                assert response["Cross-Origin-Opener-Policy"] == "same-origin"
                assert response["X-Frame-Options"] == "DENY"

    def test_cached_pages_carry_no_nonce_to_go_stale(self, client):
        make_article(slug="a")
        first = client.get("/articles/a/")
        second = client.get("/articles/a/")
        assert second["X-Page-Cache"] == "hit"
        for response in (first, second):
            assert b"nonce=" not in response.content

    def test_deploy_checks_pass_with_production_settings(self):
        env = {
            **os.environ,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "magazine.example.com",
            "SECRET_KEY": "k" * 10 + "Zq8!x#Lm2$Vb7@Nc4%Rt6^Wy1&Ps9*Gd3(Hf5)Jk0_" * 2,
            "DJANGO_SETTINGS_MODULE": "magazine.settings",
        }
        env.pop("DATABASE_URL", None)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_nothing_unpublished_leaks_from_any_public_url(client, django_assert_max_num_queries):
    """Walk every public URL pattern with every key there is; hidden articles never show."""
    tech = make_section(name="Tech", slug="tech")
    ann = make_author(name="Ann", slug="ann")
    now = timezone.now()
    visible = make_article(slug="visible", title="Visible story", section=tech, authors=[ann])
    hidden_states = {
        "draft": {"status": "draft"},
        "review": {"status": "review"},
        "scheduled": {"status": "scheduled", "published_at": now + timedelta(days=1)},
        "embargoed": {"embargo_until": now + timedelta(days=1)},
        "expired": {"published_at": now - timedelta(days=2), "expires_at": now - timedelta(days=1)},
        "archived": {"status": "archived", "published_at": now - timedelta(days=3)},
    }
    hidden = []
    for name, fields in hidden_states.items():
        stored, _ = ingest_image(make_image_file())
        article = make_article(
            slug=f"secret-{name}",
            title=f"Secret {name} story",
            section=tech,
            authors=[ann],
            hero_image=stored,
            hero_alt=f"alt of secret {name}",
            hero_credit="c",
            takeaways=[f"takeaway of secret {name}"],
            **fields,
        )
        renditions.refresh(article)
        hidden.append(article)
    workflow.record_slug_change(article=hidden[0], old_slug="old-secret-draft")
    assert visible.pk

    keys = {
        "slug": ["visible", "tech", "ann", *(a.slug for a in hidden), "old-secret-draft"],
        "section": ["articles", "sections", "authors"],
        "pk": [str(a.pk) for a in hidden],
        "token": ["x"],
    }
    secrets = []
    for article in hidden:
        secrets += [
            article.title,
            f"/articles/{article.slug}/",
            article.hero_image.name,
            f"alt of secret {article.slug[7:]}",
        ]
        secrets += [
            entry["jpeg"]
            for spec in ("hero", "card", "social")
            for entry in article.hero_renditions.get(spec, [])
        ]
    checked = 0
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "media/", "static/", "^")):
            continue  # the admin needs a sign-in; media are served files
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        choices = [keys[p] for p in params]
        from itertools import product

        for combo in product(*choices) if choices else [()]:
            path = "/" + route
            for param, value in zip(params, combo, strict=True):
                path = re.sub(rf"<(?:\w+:)?{param}>", value, path, count=1)
            for query in ("", "?q=secret", "?q=story", "?page=1"):
                response = client.get(path + query)
                body = response.content.decode(errors="replace")
                for secret in secrets:
                    assert secret not in body, (path + query, secret)
                checked += 1
    assert checked > 50
    for article in hidden:
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(f"/preview/{article.pk}/").status_code == 302  # sign-in first
    assert client.get("/articles/old-secret-draft/").status_code == 404


class TestAccounts:
    def _login(self, client, username, password, address="10.0.0.1"):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    def test_passwords_are_hashed_with_argon2_in_production(self):
        from magazine import settings as production

        assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

    def test_failed_sign_ins_lock_the_account_with_a_clear_message(self, client, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        User.objects.create_superuser("editor", password="right-password-123")
        for _ in range(3):
            response = self._login(client, "editor", "wrong")
            assert "correct username and password" in response.content.decode()
        response = self._login(client, "editor", "right-password-123", address="10.0.0.2")
        assert response.status_code == 200
        assert "Too many failed sign-ins for this account or from this address" in (
            response.content.decode()
        )
        out = StringIO()
        call_command("unlock_login", "--username", "editor", "--address", "10.0.0.1", stdout=out)
        assert "Unlocked" in out.getvalue()
        response = self._login(client, "editor", "right-password-123", address="10.0.0.2")
        assert response.status_code == 302

    def test_failures_from_one_address_lock_that_address(self, client, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        User.objects.create_superuser("real", password="right-password-123")
        for n in range(3):
            self._login(client, f"guess{n}", "x", address="10.9.9.9")
        response = self._login(client, "real", "right-password-123", address="10.9.9.9")
        assert "Too many failed sign-ins" in response.content.decode()
        response = self._login(client, "real", "right-password-123", address="10.1.1.1")
        assert response.status_code == 302

    def test_sessions_expire(self, client, settings):
        User.objects.create_superuser("editor", password="right-password-123")
        self._login(client, "editor", "right-password-123")
        assert client.session.get_expiry_age() <= 8 * 3600
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True

    def test_editors_actions_are_recorded(self):
        editor = User.objects.create_superuser("boss")
        article = make_article(
            status="draft", section=make_section(), standfirst="S.", authors=[make_author()]
        )
        workflow.article_transition(article=article, action="published", by=editor)
        event = article.events.get(action="published")
        assert event.by == editor and event.at <= timezone.now()


class TestDatabaseFailure:
    def _boom(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    def test_readers_get_a_friendly_503_and_editors_a_clear_message(
        self, client, monkeypatch, admin_client
    ):
        section = make_article(slug="cached").section
        assert client.get("/articles/cached/").status_code == 200  # now in the page cache
        from django.db.backends.utils import CursorWrapper

        monkeypatch.setattr(CursorWrapper, "execute", self._boom)
        response = client.get("/articles/cached/")
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
        response = client.get(f"/{section.slug}/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "briefly unavailable" in response.content.decode()
        monkeypatch.undo()
        monkeypatch.setattr("articles.admin.content.ArticleAdmin.get_queryset", self._boom)
        response = admin_client.get("/admin/articles/article/")
        assert response.status_code == 503
        assert "was <strong>not saved</strong>" in response.content.decode()

    def test_health_endpoint(self, client, monkeypatch):
        response = client.get("/healthz/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
        from django.db.backends.utils import CursorWrapper

        monkeypatch.setattr(CursorWrapper, "execute", self._boom)
        response = client.get("/healthz/")
        assert response.status_code == 503
        assert response.json()["database"].startswith("error")
