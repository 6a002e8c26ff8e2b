"""Query budgets: every reader page makes a fixed number of queries, whatever the size of
the archive (5 or 200 articles, each with several authors, takeaways and sources)."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from articles.services import reading

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db

# Budgets when nothing is cached (the menu's sections are one of the queries, but for an
# article, whose query brings them).
BUDGETS = {
    "/": 2,
    "/articles/story-1/": 1,
    "/tech/": 2,
    "/authors/ann/": 3,
    "/search/?q=story": 2,
    "/feeds/rss/": 1,
    "/feeds/atom/": 1,
    "/feeds/sections/tech/rss/": 2,
    "/feeds/authors/ann/atom/": 2,
    "/sitemap-articles.xml": 1,
    "/sitemap-news.xml": 1,
}


@pytest.fixture(params=[5, 200], ids=["5-articles", "200-articles"])
def archive(request):
    tech, science = make_section(name="Tech", slug="tech"), make_section(slug="science")
    ann = make_author(name="Ann", slug="ann")
    others = [make_author() for _ in range(3)]
    for n in range(request.param):
        make_article(
            slug=f"story-{n}",
            title=f"Story {n}",
            section=tech if n % 3 else science,
            authors=[ann, others[n % 3]],
            takeaways=["One.", "Two."],
            sources=[
                {"name": "Reuters", "relation": "wire reporting"},
                {"name": "AP", "relation": "wire reporting"},
            ],
        )
    # Pictures too: the two newest articles and story-1 have hero images and renditions,
    # so the cards and the article page that show them are inside the budgets.
    from articles import renditions
    from articles.images import ingest_image
    from articles.models import Article

    pictured = [*Article.objects.order_by("-pk")[:2], Article.objects.get(slug="story-1")]
    for article in pictured:
        stored, _ = ingest_image(make_image_file(size=(800, 450)))
        article.hero_image, article.hero_alt, article.hero_credit = stored, "Alt", "Credit"
        article.save()
        renditions.refresh(article)
    connection.features.supports_json_field  # noqa: B018 - a once-per-connection probe
    return request.param


@pytest.mark.parametrize(("path", "budget"), BUDGETS.items())
def test_uncached_pages_stay_within_their_budget(
    client, archive, path, budget, django_assert_num_queries
):
    cache.clear()
    with django_assert_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    if path in ("/", "/articles/story-1/", "/authors/ann/"):
        assert b"<picture>" in response.content  # the pictures are part of what is counted


@pytest.mark.parametrize(("listing", "budget"), [("/tech/", 2), ("/authors/ann/", 3)])
@pytest.mark.parametrize("direction", ["before", "after"])
def test_pages_reached_by_a_cursor_keep_their_budget(
    client, archive, listing, budget, direction, django_assert_num_queries
):
    """Older and Newer links (a cursor, not an offset) cost what page 1 costs."""
    from articles.models import Article

    shown = Article.objects.published().order_by("-published_at", "-id")
    if listing == "/tech/":
        shown = shown.filter(section__slug="tech")
    cursor = reading.Cursor.of(shown[1])
    cache.clear()
    with django_assert_num_queries(budget):
        response = client.get(f"{listing}?page=2&{direction}={cursor}")
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    assert response.content.count(b'class="card__title"') == (
        1 if direction == "after" else min(12, shown.count() - 2)
    )


@pytest.mark.parametrize("path", BUDGETS)
def test_cached_pages_and_304s_make_no_queries(client, archive, path, django_assert_num_queries):
    etag = client.get(path)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response["X-Page-Cache"] == "hit"
    with django_assert_num_queries(0):
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_reader_filters_are_backed_by_indexes():
    from articles.models import Article

    indexed = {tuple(index.fields) for index in Article._meta.indexes}
    assert ("-published_at", "-id") in indexed
    assert ("section", "-published_at", "-id") in indexed
    # An author's page walks its bylines by date (the date copied there by triggers).
    from articles.models import Byline

    assert ("author", "-published_at", "-article") in {
        tuple(index.fields) for index in Byline._meta.indexes
    }


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL query plans")
def test_deep_section_pages_use_the_index():
    """6,000 articles in two sections: page 100 of one walks that section's index (1,200
    entries skipped), never the other section's rows or a sort of the whole section."""
    from datetime import timedelta

    from articles.models import Article

    tech, science = make_section(slug="tech"), make_section(slug="science")
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Story {n}",
            slug=f"story-{n}",
            standfirst="Why.",
            status=Article.Status.PUBLISHED,
            section=tech if n % 2 else science,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(6000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    plan = reading._section_page.build(99 * 12, 12, now, tech.pk).explain(analyze=True)
    walked = re.search(r"Scan using article_section_idx .*actual time=\S+ rows=(\d+)", plan)
    assert walked, plan
    assert int(walked.group(1)) == 99 * 12 + 13, plan
    # The Older link's cursor starts the walk where the previous page ended: about a
    # page of entries, however deep (here the 1,200th article on).
    last = Article.objects.filter(section=tech).order_by("-published_at", "-id")[1199]
    keyset = reading._section_next_to.build(12, False, now, tech.pk, last.published_at, last.pk)
    plan = keyset.explain(analyze=True)
    walked = re.search(r"Scan using article_section_idx .*actual time=\S+ rows=(\d+)", plan)
    assert walked and int(walked.group(1)) <= 14, plan
    assert [row["id"] for row in keyset][:1] == [
        Article.objects.filter(section=tech).order_by("-published_at", "-id")[1200].pk
    ]
    # The rows skipped can be read from the index alone (an index-only scan once the
    # table is vacuumed): it carries every column published() looks at.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN "
            "('article_section_idx', 'article_pub_idx') ORDER BY indexname"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert len(definitions) == 2
    for definition in definitions:
        assert "INCLUDE (status, expires_at, embargo_until)" in definition, definition


def test_an_articles_status_has_one_index():
    """article_status_idx (Meta.indexes) is the one index of Article.status: the field's
    own db_index repeated it, and on PostgreSQL added one for LIKE that no query uses;
    migration 0015 dropped both. An index that repeats another costs every write."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "articles_article")
    on_status = [
        name for name, each in found.items() if each["index"] and each["columns"] == ["status"]
    ]
    assert on_status == ["article_status_idx"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL settings")
def test_connections_price_random_reads_for_ssds_and_keep_generic_plans():
    """settings.py, on every connection: DATABASE_RANDOM_PAGE_COST (1.1), so the planner
    looks bylines up by index instead of hashing the authors table for each article; and
    DATABASE_PLAN_CACHE_MODE, so a prepared statement is not planned again on each run."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL binding")
def test_search_is_planned_for_its_words_and_other_reader_queries_are_prepared(archive):
    """Search ranks its matches with its words bound on the client (planned for them
    each time), then loads the page's cards like the other reader queries: bound on the
    server, where PostgreSQL prepares them."""
    import psycopg

    seen = []

    def spy(execute, sql, params, many, context):
        seen.append((sql, type(context["cursor"].cursor)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        reading.search_page("story", 1)
        (ranking, ranking_cursor), (cards, cards_cursor) = seen
        reading.section_page(make_section().pk, 1)
        listing_cursor = seen[-1][1]
        reading.search_page("story", 1)
    assert "ts_rank" in ranking and "ts_rank" not in cards and "ANY(" in cards
    assert issubclass(ranking_cursor, psycopg.ClientCursor)
    assert not issubclass(listing_cursor, psycopg.ClientCursor)
    assert cards_cursor is listing_cursor
    assert [cursor for _, cursor in seen[-2:]] == [ranking_cursor, listing_cursor]
    assert type(connection.connection.cursor()) is listing_cursor  # put back after search


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL storage")
def test_the_search_vector_stays_in_the_row():
    """Migration 0014: ranking reads each match's vector; kept in the row (storage MAIN),
    it is not fetched from TOAST chunk by chunk."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass"
            " AND attname = 'search_document'"
        )
        assert cursor.fetchone()[0] == "m"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL backend")
def test_a_connection_used_a_moment_ago_is_not_checked_again_but_an_idle_one_is():
    """magazine/postgresql: the health check's round trip is spent only on a connection
    that has been quiet for DATABASE_HEALTH_CHECK_IDLE seconds (1), and a connection the
    server dropped meanwhile is then replaced before the request uses it."""
    from django.db import connections

    wrapper = connections.create_connection("default")
    assert wrapper.health_check_idle == 1.0
    checks = []

    def is_usable():
        checks.append(wrapper.connection.info.backend_pid)
        return type(wrapper).is_usable(wrapper)

    wrapper.is_usable = is_usable

    def request(idle: float) -> int:
        """One request after ``idle`` seconds: Django's request_started, then a query."""
        wrapper.used_at -= idle
        wrapper.close_if_unusable_or_obsolete()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            first = cursor.fetchone()[0]
        assert wrapper.health_check_enabled
        assert request(idle=0.2) == first and request(idle=0.9) == first
        assert checks == []  # busy: no SELECT 1 before each request
        assert request(idle=1.5) == first
        assert checks == [first]  # quiet for 1.5 s: checked, and fine
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        replaced = request(idle=30)
        assert checks == [first, first] and replaced != first
    finally:
        wrapper.close()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL driver")
def test_psycopg_parses_the_article_query_once(archive, monkeypatch):
    """The article page's query is longer than psycopg remembers by default (4 KB), and
    the home page's grows by 5 parameters a section, past psycopg's 50 at ten sections;
    magazine/postgresql raises both limits, so such texts are not parsed on every page."""
    from psycopg import _queries

    parsed = []
    real = _queries._query2pg_nocache
    monkeypatch.setattr(
        _queries,
        "_query2pg_nocache",
        lambda query, *a: parsed.append(len(query)) or real(query, *a),
    )
    for _ in range(3):
        assert reading.article("story-1") is not None
    assert parsed == []
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)  # psycopg's own
    reading.article("story-1")
    assert parsed and parsed[0] > 4096  # so the test is about a query this long

    many = "SELECT " + " + ".join(["%s::int"] * 60)
    parsed.clear()
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 16 * 1024)
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(many, [1] * 60)
            assert cursor.fetchone() == (60,)
    assert len(parsed) <= 1  # parsed once (or not at all, if an earlier test did)
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 50)  # psycopg's own
    parsed.clear()
    with connection.cursor() as cursor:
        cursor.execute(many, [1] * 60)
    assert parsed  # and with this many parameters


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL driver")
@pytest.mark.django_db
def test_json_is_read_by_orjson_and_jsonb_is_left_to_django():
    """magazine/postgresql decodes json columns (the reader queries' rows) with orjson, to
    the values json.loads gives; jsonb still reaches Django as text, which its JSONField
    decodes (a loader for both broke every page with a hero image's renditions)."""
    import json

    import orjson
    from psycopg.pq import Format

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT json_build_object('a', json_build_array(1, 2.5, 'é', null, true)),
                      '{"a": 1}'::jsonb"""
        )
        rows, binary = cursor.fetchone()
    assert rows == json.loads('{"a": [1, 2.5, "é", null, true]}')
    assert binary == '{"a": 1}'
    adapters = connection.connection.adapters
    json_oid = adapters.types["json"].oid
    assert adapters.get_loader(json_oid, Format.TEXT)._loads is orjson.loads


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats()  # NaN and the infinities too, which orjson refuses
    | st.text(),  # lone surrogates too, which orjson refuses
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _holds_an_integer_beyond_64_bits(text: str) -> bool:
    try:
        found = [json.loads(text)]
    except ValueError:
        return False
    while found:
        item = found.pop()
        if isinstance(item, dict):
            found += item.values()
        elif isinstance(item, list):
            found += item
        elif type(item) is int and not -(2**63) <= item < 2**64:
            return True
    return False


def test_the_integers_left_out_below_are_those_beyond_64_bits():
    assert _holds_an_integer_beyond_64_bits("[1, 20000000000000000000]")
    assert _holds_an_integer_beyond_64_bits('{"a": -9223372036854775809}')
    assert not _holds_an_integer_beyond_64_bits("[18446744073709551615, -9223372036854775808]")
    assert not _holds_an_integer_beyond_64_bits("20000000000000000000.5 not json")


@given(value=_JSON_VALUES, raw=st.text(max_size=40))
@hyp_settings(max_examples=400, deadline=None)
def test_the_renditions_field_reads_what_jsonfield_reads(value, raw):
    """Article.hero_renditions reads with orjson what JSONField reads with json: the same
    values for any JSON text (repr tells 1 from 1.0, -0.0 from 0.0, and NaN is NaN), and
    what orjson refuses, or text that is no JSON at all, as JSONField gives it."""
    from django.db.models import JSONField

    from articles.models import Article

    # The one difference the field accepts (its docstring): orjson reads an integer beyond
    # 64 bits as a float. make_renditions writes none (pixel sizes), so such text is left out.
    assume(not _holds_an_integer_beyond_64_bits(raw))
    field = Article._meta.get_field("hero_renditions")
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), raw):
        ours = field.from_db_value(text, None, connection)
        theirs = JSONField().from_db_value(text, None, connection)
        assert repr(ours) == repr(theirs), text


def test_a_renditions_listing_is_read_without_the_standard_librarys_json():
    """An article's and a card's renditions listing, read with orjson alone."""
    from unittest import mock

    from articles.models import Article

    card = {
        "key": "heroes/a.jpg|0.500|0.500",
        "card": [{"w": 400, "h": 225, "avif": "renditions/a/card-400x225-500500.avif"}],
    }
    listing = {**card, "square": [{"w": 240, "h": 240, "avif": "renditions/a/s.avif"}]}
    article = make_article(slug="pictured")
    Article.objects.filter(slug="pictured").update(hero_renditions=listing)
    with mock.patch("django.db.models.fields.json.json.loads", side_effect=AssertionError):
        assert Article.objects.get(slug="pictured").hero_renditions == listing  # the page's
        (shown,) = reading.section_page(article.section_id, 1).items  # a listing's card
        assert shown.hero_renditions == card  # the part of the listing a card reads


def test_bench_seed_writes_in_bulk_and_readers_see_it_at_once(client, settings):
    """bench_seed makes its articles with bulk writes (a handful of queries, whatever the
    count), refuses to run twice without --replace, and drops the cached menu and pages,
    which its bulk writes would otherwise leave stale."""
    from django.core.management import CommandError, call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.context_processors import nav_sections
    from articles.models import Article, Section

    make_section(name="Tech", slug="tech")
    assert [s.slug for s in nav_sections()] == ["tech"]  # the menu, now cached
    assert b"Bench story" not in client.get("/").content  # and the home page

    call_command("bench_seed", "--articles", "40", "--authors", "3", "--dry-run")
    assert not Article.objects.filter(slug__startswith="bench-").exists()
    call_command("bench_seed", "--articles", "40", "--authors", "3", "-v0")
    with CaptureQueriesContext(connection) as few:
        call_command("bench_seed", "--articles", "40", "--authors", "3", "--replace", "-v0")
    with CaptureQueriesContext(connection) as more:
        call_command("bench_seed", "--articles", "120", "--authors", "3", "--replace", "-v0")
    assert len(more) == len(few)  # bulk writes: the same queries for three times as many
    assert Article.objects.filter(slug__startswith="bench-").count() == 120
    assert Section.objects.filter(slug__startswith="bench-").count() == 4
    with pytest.raises(CommandError, match="--replace"):
        call_command("bench_seed", "--articles", "10", "-v0")

    assert [s.slug for s in nav_sections()][1:] == ["bench-0", "bench-1", "bench-2", "bench-3"]
    assert b"Bench story 0:" in client.get("/").content


def test_bench_seed_gives_its_articles_hero_images_rendered_as_uploads_are(
    client, django_assert_num_queries
):
    """--hero-images N: N images checked, stored and rendered as an editor's upload is, which
    the articles take in turn; their pages and cards show the picture with its sources, with
    the queries a page makes without one."""
    from django.core.files.storage import default_storage
    from django.core.management import CommandError, call_command

    from articles import renditions
    from articles.models import Article

    call_command("bench_seed", "--articles", "6", "--authors", "2", "--hero-images", "2", "-v0")
    articles = list(Article.objects.filter(slug__startswith="bench-").order_by("slug"))
    assert len(articles) == 6
    assert len({a.hero_image.name for a in articles}) == 2
    for article in articles:
        assert renditions.is_current(article), article.slug
        assert article.hero_alt and article.hero_credit and article.hero_width == 1600
        for spec in ("card", "hero", "square"):
            for entry in article.hero_renditions[spec]:
                assert all(default_storage.exists(entry[f]) for f in ("avif", "webp", "jpeg"))
    with django_assert_num_queries(1):
        page = client.get("/articles/bench-0/").content.decode()
    assert page.count("<picture>") >= 2  # the hero, and the related cards'
    assert '<source type="image/avif"' in page
    social = articles[0].hero_renditions["social"][0]["jpeg"]
    assert f'<meta property="og:image" content="http://testserver/media/{social}">' in page
    assert client.get("/").content.decode().count("<picture>") >= 6

    with pytest.raises(CommandError, match="--hero-images"):
        call_command("bench_seed", "--articles", "1", "--hero-images", "-1", "--replace")


def test_the_published_rule_sends_its_statuses_as_plain_strings():
    """psycopg finds a str's adapter at once and an enum member's by walking its classes
    (a KeyError caught at each), on every reader query."""
    from articles.models import Article

    _, params = Article.objects.published().query.sql_with_params()
    statuses = [p for p in params if p in Article.LIVE_STATUSES]
    assert sorted(statuses) == ["published", "scheduled"]
    assert {type(p) for p in statuses} == {str}
