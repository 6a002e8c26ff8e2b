import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    class Collector(HTMLParser):
        parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    collector = Collector()
    collector.parts = []
    collector.feed(html)
    return " ".join(" ".join(collector.parts).split())


def _byline(html: str) -> str:
    match = re.search(r'<p class="byline">(.*?)</p>', html, re.S)
    assert match, "the page has no byline"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def _render_byline(article) -> str:
    """The byline macro on its own (articles without a date never reach readers)."""
    from django.template import engines

    template = engines["jinja2"].from_string(
        '{% from "includes/byline.html" import byline %}{{ byline(article) }}'
    )
    return template.render({"article": article})


@pytest.fixture
def sample_article():
    """The magazine's sample article, as an editor would enter it."""
    section = make_section(name="Tech", slug="tech")
    return make_article(
        title="Inside Mistral, Europe's Answer to Silicon Valley AI",
        slug="inside-mistral",
        standfirst="Europe's nascent AI powerhouse is forging a distinct path.",
        section=section,
        authors=[make_author(name="Vannessa Viljoen")],
        published_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        article_type="commentary",
        hero_image=make_image_file(),
        hero_alt="The Mistral offices",
        hero_credit="Unsplash",
        body=(
            "<p>For decades the AI narrative was penned in California.</p>"
            "<h2>A New Approach to Open Innovation</h2>"
            "<p>Openness is a strategy.</p>"
            "<blockquote><p>Mistral champions a vision of open AI.</p></blockquote>"
            "<p>The last paragraph.</p>"
        ),
        takeaways_position=4,
        takeaways=["Open source challenges closed models.", "Europe is ambitious."],
        sources=[{"name": "Financial Times", "relation": "original reporting"}],
        reading_time_override=5,
    )


def test_article_page_shows_everything_in_the_printed_order(client, sample_article):
    response = client.get("/articles/inside-mistral/")
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<main") :]
    order = [
        '<p class="section-label"><a href="/tech/">TECH</a></p>',
        '<h1 class="article__title">Inside Mistral, Europe&#39;s Answer to Silicon Valley AI</h1>',
        "Europe&#39;s nascent AI powerhouse",
        '<p class="byline">',
        '<figure class="article__hero">',
        'alt="The Mistral offices"',
        "<figcaption>",
        "Unsplash",
        "<h2>A New Approach to Open Innovation</h2>",
        "<blockquote><p>Mistral champions",
        '<aside class="takeaways"',
        "<li>Open source challenges closed models.</li>",
        "<li>Europe is ambitious.</li>",
        "<p>The last paragraph.</p>",
        "Source: Financial Times — original reporting. "
        "This article is original commentary by Cyrus Magazine.",
    ]
    positions = [html.find(fragment) for fragment in order]
    assert -1 not in positions, [f for f, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert '<time datetime="2026-11-28T09:30:00+00:00">28 November 2026</time>' in html
    assert "<article" in html and "<header" in html


def test_byline_reads_like_the_magazine(client, sample_article):
    html = client.get("/articles/inside-mistral/").content.decode()
    assert _byline(html) == "By Vannessa Viljoen · 28 November 2026 · 5 min read"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Sam Okafor"], "By Sam Okafor"),
        (["Sam Okafor", "Ingrid Berg"], "By Sam Okafor and Ingrid Berg"),
        (
            ["Sam Okafor", "Ingrid Berg", "Paolo Conti"],
            "By Sam Okafor, Ingrid Berg and Paolo Conti",
        ),
    ],
)
def test_byline_lists_authors_in_order(client, names, expected):
    authors = [make_author(name=name) for name in names]
    make_article(
        slug="several",
        authors=authors,
        published_at=datetime(2026, 3, 12, 12, tzinfo=UTC),
        body="<p>" + "word " * 460 + "</p>",
    )
    html = client.get("/articles/several/").content.decode()
    assert _byline(html) == f"{expected} · 12 March 2026 · 2 min read"


def test_byline_without_a_date_never_shows_empty_separators(client, sample_article):
    # A live article always has a date, so show the byline of a preview-like object
    # through the include itself.
    sample_article.published_at = None
    html = _render_byline(sample_article)
    assert _byline(html) == "By Vannessa Viljoen · 5 min read"
    assert "· ·" not in _byline(html)


def test_byline_without_authors_or_date_is_just_the_reading_time(sample_article):
    sample_article.published_at = None
    sample_article.bylines.all().delete()
    html = _render_byline(sample_article)
    assert _byline(html) == "5 min read"


def test_reading_time_never_says_read_read(client, sample_article):
    text = _text(client.get("/articles/inside-mistral/").content.decode())
    assert "read read" not in text
    assert "5 min read" in text


def test_several_sources_and_a_sponsored_type(client):
    make_article(
        slug="paid",
        article_type="sponsored",
        sources=[
            {"name": "Reuters", "relation": "wire reporting", "url": "https://reuters.com/x"},
            {"name": "Nature", "relation": "peer-reviewed study"},
        ],
    )
    text = _text(client.get("/articles/paid/").content.decode())
    assert (
        "Sources: Reuters — wire reporting; Nature — peer-reviewed study. "
        "This article is sponsored content by Cyrus Magazine." in text
    )


def test_magazine_name_comes_from_settings(client, settings):
    settings.MAGAZINE_NAME = "The Daily Test"
    make_article(slug="named", article_type="analysis")
    text = _text(client.get("/articles/named/").content.decode())
    assert "This article is original analysis by The Daily Test." in text


def test_takeaways_without_a_position_follow_the_body(client):
    make_article(
        slug="t",
        body="<p>First.</p><p>Last.</p>",
        takeaways=["One."],
    )
    html = client.get("/articles/t/").content.decode()
    assert html.index("<p>Last.</p>") < html.index('<aside class="takeaways"')


@pytest.mark.parametrize("position", [None, 1])
def test_the_body_is_printed_as_stored_without_sanitising_it_again(client, monkeypatch, position):
    """Bodies are sanitised when written (tests/test_models.py); a reader's page does not
    run the sanitiser again."""
    make_article(
        slug="s",
        body="<h2>Inside</h2><p>Last.</p>",
        takeaways=["One."],
        takeaways_position=position,
    )

    def refuse(html):
        raise AssertionError("the sanitiser ran while a reader waited")

    monkeypatch.setattr("articles.text.sanitize_body", refuse)
    monkeypatch.setattr("articles.text._cleaner", None)  # nh3 itself, however it is reached
    html = client.get("/articles/s/").content.decode()
    heading, box, last = (
        html.index(part) for part in ("<h2>Inside</h2>", '<aside class="takeaways"', "<p>Last.</p>")
    )
    assert (heading < box < last) if position == 1 else (heading < last < box)


def test_no_takeaways_no_box(client):
    make_article(slug="plain")
    assert b"Key Takeaways" not in client.get("/articles/plain/").content


def test_hostile_title_is_shown_as_text(client):
    make_article(slug="x", title='<script>alert("t")</script>', standfirst="<b>bold</b>")
    html = client.get("/articles/x/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("status", "when"),
    [
        ("draft", None),
        ("review", None),
        ("archived", timedelta(days=-1)),
        ("scheduled", timedelta(days=1)),
        ("published", timedelta(days=1)),
    ],
)
def test_unpublished_articles_are_404_for_readers(client, status, when):
    make_article(
        slug="hidden",
        status=status,
        section=make_section(),
        published_at=timezone.now() + when if when else None,
    )
    assert client.get("/articles/hidden/").status_code == 404


def test_home_lists_latest_published_articles_only(client):
    section = make_section(name="Science", slug="science")
    old = make_article(
        title="Older story", section=section, published_at=timezone.now() - timedelta(days=2)
    )
    new = make_article(
        title="Newest story", section=section, published_at=timezone.now() - timedelta(hours=1)
    )
    make_article(title="Secret draft", status="draft")
    html = client.get("/").content.decode()
    assert html.index(new.title) < html.index(old.title)
    assert "Secret draft" not in html


def test_home_with_nothing_published(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Nothing has been published yet." in response.content


def test_the_menu_comes_with_the_article_in_menu_order_and_never_older(client):
    """The article's own query brings the menu (reading.menu): in the order every other
    page lists the sections (their number, then their name), and as the database has
    them, whatever an older copy in the cache says."""
    from django.core.cache import cache

    from articles.context_processors import nav_sections
    from articles.models import NAV_CACHE_KEY, Section

    make_section(name="Zeta", slug="zeta", order=1)
    make_section(name="Alpha", slug="alpha", order=2)
    make_section(name="beta", slug="beta", order=1)
    article = make_article(section=Section.objects.get(slug="zeta"))
    expected = [s.name for s in Section.objects.all()]  # the database's collation decides

    def menu(html: str) -> list[str]:
        nav = re.search(r'<nav class="sections-nav".*?</nav>', html, re.S).group(0)
        return re.findall(r'href="/[^"]+/">([^<]+)</a>', nav)

    cache.clear()
    assert menu(client.get("/").content.decode()) == [s.name for s in nav_sections()]
    assert [s.name for s in nav_sections()] == expected
    Section.objects.filter(slug="alpha").update(name="Alpha renamed")  # no cache purge
    cache.set(NAV_CACHE_KEY, [], 3600)  # an older menu in the cache: none at all
    html = client.get(article.get_absolute_url()).content.decode()
    assert menu(html) == [s.name for s in Section.objects.all()]
    assert "Alpha renamed" in menu(html)
