import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


class TestPages:
    def test_home_has_a_lead_and_latest_articles_grouped_by_section(self, client):
        tech = make_section(name="Tech", slug="tech", order=1)
        science = make_section(name="Science", slug="science", order=2)
        now = timezone.now()
        lead = make_article(
            title="Lead story", section=science, published_at=now - timedelta(minutes=5)
        )
        for n in range(6):
            make_article(title=f"Tech {n}", section=tech, published_at=now - timedelta(hours=n + 1))
        make_article(title="Science older", section=science, published_at=now - timedelta(days=3))
        html = client.get("/").content.decode()
        lead_block = html[html.index('aria-label="Lead story"') : html.index('id="home-tech"')]
        assert lead.title in lead_block
        tech_block = html[html.index('id="home-tech"') : html.index('id="home-science"')]
        assert [f"Tech {n}" in tech_block for n in range(6)] == [True] * 4 + [False] * 2
        science_block = html[html.index('id="home-science"') :]
        assert "Science older" in science_block and "Lead story" not in science_block

    def test_section_page_is_paginated_and_bad_pages_are_404(self, client):
        tech = make_section(name="Tech", slug="tech")
        for n in range(13):
            make_article(
                title=f"Story {n:02d}",
                section=tech,
                published_at=timezone.now() - timedelta(hours=n + 1),
            )
        first = client.get("/tech/").content.decode()
        assert "TECH" in first and "Story 00" in first and "Story 12" not in first
        assert re.search(r'rel="next" href="\?page=2&amp;before=\d+-\d+"', first)
        second = client.get("/tech/?page=2").content.decode()
        assert "Story 12" in second
        assert '<link rel="canonical" href="http://testserver/tech/?page=2">' in second
        for bad in ("3", "0", "-1", "abc", "99999999999"):
            assert client.get(f"/tech/?page={bad}").status_code == 404, bad
        for bad in ("before=abc", "before=1-", "after=-5", "before=1-2&after=1-2"):
            assert client.get(f"/tech/?page=2&{bad}").status_code == 404, bad
        assert client.get("/no-such-section/").status_code == 404

    @pytest.mark.parametrize("listing", ["/tech/", "/authors/ann/"])
    def test_older_and_newer_links_walk_the_whole_list_and_back(self, client, listing):
        """The links carry a cursor (the last or first card's date and id): following
        Older from page 1 shows every article once, in order, as the page numbers do, also
        where articles share a publication time; following Newer comes back the same way."""
        tech, ann = make_section(name="Tech", slug="tech"), make_author(name="Ann", slug="ann")
        now = timezone.now().replace(microsecond=0)
        for n in range(40):
            make_article(
                title=f"Story {n:02d}",
                section=tech,
                authors=[ann],
                published_at=now
                - timedelta(hours=n // 5 + 1),  # five at a time: ties split by pages
            )
        make_article(title="Elsewhere", section=make_section(slug="other"))

        def titles(html):
            return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)

        def link(html, rel):
            found = re.search(rf'rel="{rel}" href="\?([^"]+)"', html)
            return found and found.group(1).replace("&amp;", "&")

        pages, html, query = [], client.get(listing).content.decode(), ""
        while True:
            pages.append(titles(html))
            assert client.get(f"{listing}?page={len(pages)}").content.decode().count(
                "card__title"
            ) == len(pages[-1])  # the same page by number
            if not (query := link(html, "next")):
                break
            assert query.startswith(f"page={len(pages) + 1}&before=")
            html = client.get(f"{listing}?{query}").content.decode()
        from articles.models import Article

        expected = Article.objects.published().filter(section=tech)
        expected = list(expected.order_by("-published_at", "-id").values_list("title", flat=True))
        assert [t for page in pages for t in page] == expected
        assert expected[:3] == ["Story 04", "Story 03", "Story 02"]  # ties: newest id first
        assert [len(p) for p in pages] == [12, 12, 12, 4]
        for number in range(len(pages), 1, -1):
            query = link(html, "prev")
            assert (
                query == f"page={number - 1}"
                if number == 2
                else query.startswith(f"page={number - 1}&after=")
            )
            html = client.get(f"{listing}?{query}").content.decode()
            assert titles(html) == pages[number - 2]
        assert link(html, "prev") is None

    def test_author_page_shows_bio_and_their_articles(self, client):
        author = make_author(name="Ingrid Berg", slug="ingrid-berg", role="Editor", bio="Writes.")
        make_article(title="Hers", authors=[author])
        make_article(title="Someone else's")
        html = client.get("/authors/ingrid-berg/").content.decode()
        assert "<h1>Ingrid Berg</h1>" in html and "Writes." in html and "Editor" in html
        assert "Hers" in html and "Someone else" not in html
        assert client.get("/authors/nobody/").status_code == 404
        assert client.get("/authors/ingrid-berg/?page=2").status_code == 404

    def test_article_shows_related_articles_from_its_section(self, client):
        tech, other = make_section(slug="tech"), make_section(slug="other")
        article = make_article(slug="main", section=tech)
        for n in range(4):
            make_article(title=f"Related {n}", section=tech)
        make_article(title="Elsewhere", section=other)
        make_article(title="Draft sibling", section=tech, status="draft")
        html = client.get("/articles/main/").content.decode()
        related = html[html.index('class="related"') :]
        assert related.count('<article class="card') == 3
        assert "Elsewhere" not in related and "Draft sibling" not in related
        assert article.title not in related

    def test_404_page_is_in_the_magazine_design(self, client):
        # A view's Http404, and an address no URL pattern matches (magazine/urls.py's
        # handler404 both times).
        for path in ("/articles/nothing-here/", "/no/such/page/"):
            response = client.get(path)
            assert response.status_code == 404
            assert b"We couldn\xe2\x80\x99t find that page" in response.content
            assert b"css/magazine.css" in response.content
            assert b'<meta name="robots" content="noindex">' in response.content
            assert not response.cookies

    def test_500_page_is_in_the_magazine_design(self, client, settings):
        from django.template.loader import render_to_string

        html = render_to_string("500.html")
        assert "Something went wrong on our side" in html and "css/magazine.css" in html

    def test_section_slugs_cannot_shadow_the_sites_own_paths(self):
        from django.core.exceptions import ValidationError
        from django.db import IntegrityError, transaction

        from articles.models import Section

        with pytest.raises(ValidationError):
            Section(name="Search", slug="search").full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Section.objects.create(name="Feeds", slug="feeds")


class TestSearch:
    def test_ranks_title_above_standfirst_above_body(self, client):
        make_article(title="Gardening tips", standfirst="Nothing here.", body="<p>Glacier.</p>")
        make_article(title="A quiet place", standfirst="About the glacier.", body="<p>x</p>")
        make_article(title="Glacier retreat", standfirst="Ice.", body="<p>x</p>")
        html = client.get("/search/?q=glacier").content.decode()
        titles = re.findall(r'search-result__title"><a href="[^"]+">(.*?)</a>', html)
        assert [re.sub(r"</?mark>", "", t) for t in titles] == [
            "Glacier retreat",
            "A quiet place",
            "Gardening tips",
        ]
        assert "<mark>Glacier</mark> retreat" in titles[0]

    def test_all_words_must_match_and_nothing_unpublished_is_found(self, client):
        make_article(title="Solar storms", body="<p>The grid held.</p>")
        make_article(title="Solar draft", status="draft")
        make_article(title="Solar later", published_at=timezone.now() + timedelta(days=1))
        html = client.get("/search/?q=solar+grid").content.decode()
        assert "Solar storms" in html.replace("<mark>", "").replace("</mark>", "")
        text = client.get("/search/?q=solar").content.decode()
        assert "draft" not in text and "later" not in text

    def test_results_are_paginated_without_counting(self, client):
        for n in range(12):
            make_article(title=f"Orchid {n}", published_at=timezone.now() - timedelta(hours=n + 1))
        first = client.get("/search/?q=orchid").content.decode()
        assert first.count('<li class="search-result') == 10
        assert 'rel="next" href="?q=orchid&amp;page=2"' in first
        second = client.get("/search/?q=orchid&page=2").content.decode()
        assert second.count('<li class="search-result') == 2
        assert client.get("/search/?q=orchid&page=5").status_code == 404

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "   ",
            "a" * 5000,
            "<script>alert(1)</script>",
            "'; DROP TABLE x;--",
            "%00",
            "\x00",
            "!!!",
            "&&&|||",
            "café naïve",
            "é" * 300,
            "(unclosed",
            ":*",
            "\\",
        ],
    )
    def test_odd_queries_give_a_sensible_page(self, client, query):
        make_article(title="Something")
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "Search" in html

    def test_highlight_escapes_what_it_marks(self):
        from articles.search import highlight

        assert highlight("<b>Glacier</b> & ice", "glacier") == (
            "&lt;b&gt;<mark>Glacier</mark>&lt;/b&gt; &amp; ice"
        )


class TestFeeds:
    def test_rss_feed_is_valid_with_dates_authors_and_categories(self, client):
        section = make_section(name="Science", slug="science")
        a, b = make_author(name="Ann Lee"), make_author(name="Bo Chen")
        make_article(
            title="First & <best>",
            section=section,
            authors=[a, b],
            published_at=datetime(2026, 3, 12, 10, tzinfo=UTC),
        )
        make_article(title="Hidden", status="draft")
        response = client.get("/feeds/rss/")
        assert response["Content-Type"].startswith("application/rss+xml")
        channel = ET.fromstring(response.content).find("channel")
        items = channel.findall("item")
        assert [i.findtext("title") for i in items] == ["First & <best>"]
        item = items[0]
        assert item.findtext("pubDate") == "Thu, 12 Mar 2026 10:00:00 +0000"
        assert item.findtext("category") == "Science"
        assert "Ann Lee and Bo Chen" in ET.tostring(item, encoding="unicode")

    def test_atom_feeds_for_sections_and_authors(self, client):
        section = make_section(name="Tech", slug="tech")
        author = make_author(name="Sam Okafor", slug="sam-okafor")
        make_article(title="In tech", section=section, authors=[author])
        make_article(title="Not in tech")
        root = ET.fromstring(client.get("/feeds/sections/tech/atom/").content)
        assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["In tech"]
        entry = root.find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Sam Okafor"
        assert entry.findtext(f"{ATOM}published") and entry.findtext(f"{ATOM}updated")
        root = ET.fromstring(client.get("/feeds/authors/sam-okafor/rss/").content)
        assert [i.findtext("title") for i in root.iter("item")] == ["In tech"]
        assert client.get("/feeds/sections/nope/rss/").status_code == 404

    def test_feeds_are_the_bytes_djangos_generators_write(self, client, rf):
        """The feeds write their XML into a string and then into the response at once
        (feeds._WrittenAtOnce): the same bytes as Django's generators writing piece by
        piece into the response, non-ASCII and markup included."""
        from django.http import HttpResponse
        from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

        from articles import feeds

        section = make_section(name="Économie", slug="economie")
        make_article(title="Café & <crème> “quoted”", section=section, authors=[make_author()])
        for view, django_generator, path in (
            (feeds.MagazineFeed(), Rss201rev2Feed, "/feeds/rss/"),
            (feeds.MagazineAtomFeed(), Atom1Feed, "/feeds/atom/"),
        ):
            served = client.get(path).content
            generator = view.get_feed(None, rf.get(path))
            response = HttpResponse()
            django_generator.write(generator, response, "utf-8")
            assert served == response.content
            assert "Café &amp; &lt;crème&gt; “quoted”".encode() in served

    def test_pages_link_their_feeds(self, client):
        make_section(name="Tech", slug="tech")
        make_author(name="Sam", slug="sam")
        home = client.get("/").content.decode()
        assert 'rel="alternate" type="application/rss+xml"' in home
        assert 'href="/feeds/atom/"' in home
        assert 'href="/feeds/sections/tech/rss/"' in client.get("/tech/").content.decode()
        assert 'href="/feeds/authors/sam/atom/"' in client.get("/authors/sam/").content.decode()


class TestSitemaps:
    def test_sitemaps_list_published_pages_with_lastmod(self, client):
        section = make_section(name="Tech", slug="tech")
        author = make_author(slug="ann")
        make_article(slug="live", section=section, authors=[author])
        make_article(slug="secret", status="draft", authors=[make_author(slug="ghost")])
        make_section(slug="empty")
        index = ET.fromstring(client.get("/sitemap.xml").content)
        locations = [e.findtext(f"{SITEMAP}loc") for e in index]
        assert "http://testserver/sitemap-articles.xml" in locations
        urls = {}
        for name in ("articles", "sections", "authors"):
            root = ET.fromstring(client.get(f"/sitemap-{name}.xml").content)
            urls[name] = {
                u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root
            }
        assert list(urls["articles"]) == ["http://testserver/articles/live/"]
        assert list(urls["sections"]) == ["http://testserver/tech/"]
        assert list(urls["authors"]) == ["http://testserver/authors/ann/"]
        assert all(urls[name].values() for name in urls)

    def test_the_articles_sitemap_is_paged_as_its_index_says(self, client, monkeypatch):
        from articles.services import reading
        from articles.sitemaps import ArticleSitemap

        monkeypatch.setattr(reading, "SITEMAP_PAGE_SIZE", 2)
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        now = timezone.now()
        for n in range(5):
            make_article(slug=f"a{n}", published_at=now - timedelta(hours=n + 1))
        make_article(slug="draft", status="draft")
        make_article(slug="future", published_at=now + timedelta(hours=1))
        index = ET.fromstring(client.get("/sitemap.xml").content)
        locations = [e.findtext(f"{SITEMAP}loc") for e in index]
        assert [loc for loc in locations if "articles" in loc] == [
            "http://testserver/sitemap-articles.xml",
            "http://testserver/sitemap-articles.xml?p=2",
            "http://testserver/sitemap-articles.xml?p=3",
        ]
        pages = []
        for number in (1, 2, 3):
            response = client.get(f"/sitemap-articles.xml?p={number}")
            assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
            assert response["Last-Modified"]
            root = ET.fromstring(response.content)
            pages.append([u.findtext(f"{SITEMAP}loc").rsplit("/", 2)[1] for u in root])
            for u in root:
                day = timezone.localtime(now).date()
                assert u.findtext(f"{SITEMAP}lastmod") == day.isoformat()
        assert pages == [["a0", "a1"], ["a2", "a3"], ["a4"]]
        for bad in ("4", "0", "x", "9999999"):
            assert client.get(f"/sitemap-articles.xml?p={bad}").status_code == 404

    @pytest.mark.parametrize("ordered_aggregates", [True, False])
    def test_the_articles_sitemap_gives_each_article_its_day_and_address(
        self, client, monkeypatch, ordered_aggregates
    ):
        """The day is the site's (Europe/London: 23:30 UTC in July is the next day there),
        an odd slug is escaped, and the database's text is the same as the rows' text."""
        from articles.models import Article

        if ordered_aggregates and not connection.features.supports_aggregate_order_by_clause:
            pytest.skip("this database does not order an aggregate's rows")
        monkeypatch.setattr(
            connection.features, "supports_aggregate_order_by_clause", ordered_aggregates
        )
        now = timezone.now()
        newer = make_article(slug="newer", published_at=now - timedelta(hours=1))
        odd = make_article(slug="r&d<b>", published_at=now - timedelta(hours=2))
        Article.objects.filter(pk=newer.pk).update(
            updated_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
        )
        Article.objects.filter(pk=odd.pk).update(
            updated_at=datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
        )
        from articles.services import reading

        page = reading.sitemap_articles(1, "[", "]")
        assert page.latest == datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
        assert page.elements == (
            "<url><loc>[newer]</loc><lastmod>2026-07-02</lastmod></url>\n"
            "<url><loc>[r&amp;d&lt;b&gt;]</loc><lastmod>2026-01-01</lastmod></url>"
        )
        response = client.get("/sitemap-articles.xml")
        root = ET.fromstring(response.content)
        assert [(u.findtext(f"{SITEMAP}loc"), u.findtext(f"{SITEMAP}lastmod")) for u in root] == [
            ("http://testserver/articles/newer/", "2026-07-02"),
            ("http://testserver/articles/r&d<b>/", "2026-01-01"),
        ]
        assert "/articles/r&amp;d&lt;b&gt;/" in response.content.decode()

    def test_an_empty_articles_sitemap(self, client):
        response = client.get("/sitemap-articles.xml")
        assert response.status_code == 200
        assert list(ET.fromstring(response.content)) == []
        assert client.get("/sitemap-articles.xml?p=2").status_code == 404

    def test_news_sitemap_has_only_the_last_two_days(self, client):
        make_article(title="Fresh", slug="fresh", published_at=timezone.now() - timedelta(hours=3))
        make_article(title="Stale", slug="stale", published_at=timezone.now() - timedelta(days=3))
        body = client.get("/sitemap-news.xml").content
        root = ET.fromstring(body)
        news = "{http://www.google.com/schemas/sitemap-news/0.9}"
        titles = [u.find(f"{news}news").findtext(f"{news}title") for u in root]
        assert titles == ["Fresh"]

    def test_robots_txt_names_the_sitemaps(self, client):
        text = client.get("/robots.txt").content.decode()
        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Sitemap: http://testserver/sitemap-news.xml" in text


class TestMetadata:
    def test_article_has_title_description_canonical_social_tags_and_json_ld(self, client):
        section = make_section(name="Science", slug="science")
        ann = make_author(name="Ann Lee", slug="ann-lee")
        make_article(
            slug="glaciers",
            title="Glaciers </script><script>alert(1)</script>",
            standfirst="Ice is leaving.",
            section=section,
            authors=[ann],
            hero_image=make_image_file(),
            hero_alt="Ice",
            hero_credit="Photo: A",
            published_at=datetime(2026, 3, 12, 10, tzinfo=UTC),
            sources=[
                {"name": "Nature", "relation": "peer-reviewed study", "url": "https://nature.com/x"}
            ],
        )
        html = client.get("/articles/glaciers/").content.decode()
        assert "<title>Glaciers &lt;/script&gt;" in html
        assert '<meta name="description" content="Ice is leaving.">' in html
        assert '<link rel="canonical" href="http://testserver/articles/glaciers/">' in html
        assert '<meta property="og:type" content="article">' in html
        assert re.search(
            r'<meta property="og:image" content="http://testserver/media/heroes/', html
        )
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        data = _json_ld(html)
        assert data["@type"] == "NewsArticle"
        assert data["headline"].startswith("Glaciers </script>")
        assert data["description"] == "Ice is leaving."
        assert data["datePublished"] == "2026-03-12T10:00:00+00:00"
        assert data["dateModified"]
        assert data["image"][0].startswith("http://testserver/media/heroes/")
        assert data["author"] == [
            {"@type": "Person", "name": "Ann Lee", "url": "http://testserver/authors/ann-lee/"}
        ]
        assert data["publisher"]["@type"] == "Organization"
        assert data["publisher"]["logo"]["url"].endswith("/static/img/logo.png")
        assert data["articleSection"] == "Science"
        assert data["isBasedOn"][0]["url"] == "https://nature.com/x"
        assert data["citation"] == data["isBasedOn"]
        assert html.count("</script>") == html.count("<script")  # nothing closed early

    def test_each_page_has_its_own_title(self, client):
        make_section(name="Tech", slug="tech")
        make_author(name="Sam", slug="sam")
        titles = {
            path: re.search(r"<title>(.*?)</title>", client.get(path).content.decode()).group(1)
            for path in ("/", "/tech/", "/authors/sam/", "/search/?q=x")
        }
        assert len(set(titles.values())) == 4, titles


class TestPrivacy:
    def test_anonymous_readers_get_no_cookies_and_nothing_from_other_origins(self, client):
        section = make_section(slug="tech")
        author = make_author(slug="ann")
        make_article(
            slug="a",
            section=section,
            authors=[author],
            hero_image=make_image_file(),
            hero_alt="x",
            hero_credit="y",
            body='<p><a href="https://example.org/">a link is fine</a></p>',
        )
        for path in (
            "/",
            "/tech/",
            "/authors/ann/",
            "/articles/a/",
            "/search/?q=a",
            "/feeds/rss/",
            "/sitemap.xml",
            "/nope/",
        ):
            response = client.get(path)
            assert not response.cookies, path
            html = response.content.decode()
            # Anything the browser loads by itself (src, stylesheet, icon) is same-origin.
            for url in re.findall(r'(?:src|srcset)="([^"]+)"', html) + re.findall(
                r'<link[^>]+rel="(?:stylesheet|icon|preload)"[^>]+href="([^"]+)"', html
            ):
                assert url.startswith("/"), (path, url)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text index")
def test_postgresql_search_uses_the_gin_index():

    from articles.models import Article
    from articles.search import search

    make_article(title="Glacier")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    # Only the search condition is left for an index to serve, so a match proves the
    # query and the index share one expression.
    plan = search(Article.objects.all(), "glacier").explain()
    assert "article_search_idx" in plan, plan


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")
def test_postgresql_search_ranks_by_each_words_occurrences_not_their_distance(client):
    """Ranking adds up each word's weighted occurrences (search.AnyWord): the article
    that names the climate three times comes first, though the other has both words side
    by side (ts_rank with the all-words query would put that one first, and costs time
    in the square of the words' occurrences)."""
    make_article(
        title="Notes from the week",
        standfirst="Several things.",
        body="<p>Notes. A climate battery story. Other words here about many things.</p>",
    )
    make_article(
        title="A long read",
        standfirst="Several things.",
        body="<p>Climate climate climate. Much later in the piece, far away, a battery.</p>",
    )
    html = client.get("/search/?q=climate+battery").content.decode()
    titles = re.findall(r'search-result__title"><a href="[^"]+">(.*?)</a>', html)
    assert titles == ["A long read", "Notes from the week"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")
def test_postgresql_search_ranks_a_bounded_number_of_the_newest_matches(monkeypatch):
    from articles import search as search_module
    from articles.models import Article

    monkeypatch.setattr(search_module, "RANKED_CANDIDATES", 2)
    for hours in (3, 2, 1):
        make_article(title=f"Glacier {hours}", published_at=timezone.now() - timedelta(hours=hours))
    found = search_module.search(Article.objects.published(), "glacier")
    assert sorted(a.title for a in found) == ["Glacier 1", "Glacier 2"]


def test_search_results_read_no_picture_they_do_not_show(client):
    """A result shows no picture, so its query selects none of the hero image's fields
    (its renditions listing is about 2.3 KB of JSON): the article here has a picture, and
    its card comes without one."""
    from django.test.utils import CaptureQueriesContext

    from articles import renditions
    from articles.models import Article
    from articles.services import reading

    article = make_article(
        title="Glacier with a picture", hero_image=make_image_file(), hero_alt="Ice"
    )
    renditions.refresh(article)
    assert Article.objects.get(pk=article.pk).hero_renditions  # it has renditions
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/search/?q=glacier").content.decode()
    assert "<mark>Glacier</mark> with a picture" in html
    assert all("hero_" not in query["sql"] for query in queries.captured_queries)
    assert "<picture" not in html and "/media/" not in html
    (card,) = reading.search_page("glacier", 1).items
    assert not card.hero_image and card.hero_renditions == {} and card.hero_width is None


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's two queries")
def test_postgresql_search_brings_the_menu_and_shows_only_what_is_still_published(
    client, monkeypatch
):
    """A search page's second query (its cards) brings the menu, as the database has it
    whatever the cache holds, on whichever row comes first; and it shows only articles
    still published when it runs, though the first query (the ranking) found one that was
    unpublished in between."""
    from django.core.cache import cache

    from articles.models import NAV_CACHE_KEY, Article, Section
    from articles.services import reading

    tech = make_section(name="Tech", slug="tech", order=1)
    make_section(name="Science", slug="science", order=2)
    kept = make_article(title="Glacier kept", section=tech)
    pulled = make_article(title="Glacier pulled", section=tech)
    Section.objects.filter(slug="science").update(name="Science renamed")  # no purge
    cache.set(NAV_CACHE_KEY, [], 3600)  # an older menu in the cache: none at all

    ranking = reading._search_ranking.fetch

    def rank_then_unpublish(*args, **kwargs):
        rows = ranking(*args, **kwargs)
        # The newer ranks first: the row that would have carried the menu is gone.
        assert [row["id"] for row in rows] == [pulled.pk, kept.pk]
        Article.objects.filter(pk=pulled.pk).update(status=Article.Status.DRAFT)
        return rows

    monkeypatch.setattr(reading._search_ranking, "fetch", rank_then_unpublish)
    html = client.get("/search/?q=glacier").content.decode()
    titles = re.findall(r'search-result__title"><a href="[^"]+">(.*?)</a>', html)
    assert titles == ["<mark>Glacier</mark> kept"]
    nav = re.search(r'<nav class="sections-nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="/[^"]+/"[^>]*>([^<]+)</a>', nav) == ["Tech", "Science renamed"]
