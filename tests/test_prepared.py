"""Reader queries compiled once (articles/models/prepared.py) give exactly what the ORM
gives, for every value, and refuse to bind what they cannot bind safely."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.models.content import ArticleCard
from articles.models.prepared import Prepared
from articles.services import reading

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    """Two sections, three authors, 30 live articles an hour apart, plus one of each
    hidden kind: a draft, a future one, an expired one and one under embargo."""
    now = timezone.now()
    tech, science = make_section(name="Tech", slug="tech"), make_section(slug="science")
    ann, bob, cy = (make_author(name=n, slug=n.lower()) for n in ("Ann", "Bob", "Cy"))
    for n in range(30):
        make_article(
            slug=f"story-{n}",
            title=f"Battery story {n}" if n % 2 else f"Climate story {n}",
            section=tech if n % 3 else science,
            authors=[ann, bob] if n % 2 else [cy],
            published_at=now - timedelta(hours=n + 1),
            takeaways=[f"Point {n}."],
            sources=[{"name": "Reuters", "relation": "wire reporting"}],
        )
    make_article(slug="draft", status=Article.Status.DRAFT, section=tech, authors=[ann])
    make_article(slug="future", section=tech, authors=[ann], published_at=now + timedelta(hours=1))
    make_article(
        slug="expired",
        section=tech,
        authors=[ann],
        published_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
    )
    make_article(slug="embargo", section=tech, authors=[ann], embargo_until=now + timedelta(1))
    return {"tech": tech, "science": science, "ann": ann, "cy": cy}


def _ids(rows):
    return [row.pk for row in rows]


def test_the_article_query_is_compiled_once_and_bound_to_each_slug(archive):
    assert reading._article.is_prepared(now=timezone.now(), slug="story-1")
    for slug in ("story-0", "story-7", "story-29"):
        found = reading.article(slug)
        expected = Article.objects.published().for_detail().get(slug=slug)
        assert (found.pk, found.title, found.section.name) == (
            expected.pk,
            expected.title,
            expected.section.name,
        )
        assert [a.name for a in found.byline_authors()] == [
            a.name for a in expected.byline_authors()
        ]
        assert [t.text for t in found.takeaway_list()] == [t.text for t in expected.takeaway_list()]
    for hidden in ("draft", "future", "expired", "embargo", "nothing", "story-1' OR '1'='1"):
        assert reading.article(hidden) is None


def test_listing_pages_match_the_orm_at_every_offset(archive):
    tech, ann = archive["tech"], archive["ann"]
    live = Article.objects.published().for_listing()
    for number in (1, 2, 3):
        start = (number - 1) * reading.PAGE_SIZE
        page = reading.section_page(tech.pk, number)
        expected = list(live.filter(section=tech)[start : start + reading.PAGE_SIZE])
        assert _ids(page.items) == _ids(expected)
        page = reading.author_page(ann.pk, number)
        expected = list(live.filter(authors=ann)[start : start + reading.PAGE_SIZE])
        assert _ids(page.items) == _ids(expected)
    assert reading.section_page(tech.pk, 1).has_next
    assert not reading.author_page(archive["cy"].pk, 2).has_next


def test_front_page_and_related_match_the_orm(archive):
    sections = [archive["tech"], archive["science"]]
    lead, groups = reading.front_page(sections)
    orm_lead, orm_groups = Article.objects.published().front_page(sections=sections)
    assert lead.pk == orm_lead.pk
    assert [(s.pk, _ids(items)) for s, items in groups] == [
        (s.pk, _ids(items)) for s, items in orm_groups
    ]
    story = Article.objects.get(slug="story-4")
    assert _ids(reading.related(story)) == _ids(Article.objects.published().related_to(story))


def test_search_matches_the_orm_and_is_compiled_on_postgresql(archive):
    from articles import search

    page = reading.search_page("battery", 1)
    expected = search.search(Article.objects.published().for_search(), "battery")
    assert _ids(page.items) == _ids(expected[: reading.SEARCH_PAGE_SIZE])
    assert page.items and all("Battery" in a.title for a in page.items)
    if connection.vendor == "postgresql":  # two queries: the ranking, then the page's cards
        now = timezone.now()
        assert reading._search_ranking.is_prepared(0, 10, now=now, words="battery")
        assert reading._search_cards.is_prepared(now=now, ids=[a.pk for a in page.items])
    else:  # one query, through the ORM (icontains wraps each word)
        assert not reading._search_page.is_prepared(0, 10, now=timezone.now(), words="battery")


@pytest.mark.parametrize("query", ["battery", "story", "climate story", "story 1"])
def test_search_pages_match_the_orm_page_by_page(archive, monkeypatch, query):
    """Each page is cut from the same ranked window as the ORM's reference answer, also
    when the matches outnumber the candidates ranked (here 12 of up to 38), and the best
    ranked come first though they are older."""
    from articles import search

    for n in range(8):  # newer, but the words only in the body: these rank lower
        make_article(
            slug=f"mention-{n}",
            section=archive["tech"],
            authors=[archive["ann"]],
            published_at=timezone.now() - timedelta(minutes=n + 1),
            body=f"<p>A passing mention of a battery, a climate story, story {n}.</p>",
        )
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 12)
    for prepared in (reading._search_page, reading._search_ranking):  # compiled with 500
        monkeypatch.setattr(prepared, "_plans", type(prepared._plans)())
    expected = _ids(search.search(Article.objects.published().for_search(), query))
    assert expected, query
    found = []
    for number in range(1, 6):
        page = reading.search_page(query, number)
        found += _ids(page.items)
        if not page.has_next:
            break
    assert found == expected
    assert not Article.objects.get(pk=found[0]).slug.startswith("mention")


def test_a_new_time_is_bound_too(archive):
    """``now`` is a parameter: an article that goes live later is found then."""
    later = make_article(slug="later", section=archive["tech"], authors=[archive["ann"]])
    Article.objects.filter(pk=later.pk).update(published_at=timezone.now() + timedelta(hours=2))
    fetch = reading._article.fetch
    assert fetch(now=timezone.now(), slug="later") == []
    assert _ids(fetch(now=timezone.now() + timedelta(hours=3), slug="later")) == [later.pk]


def test_values_that_would_change_the_sql_are_not_bound(archive):
    """A lookup that wraps its value (icontains) or a value that is not a plain scalar
    cannot be bound: the query runs through the ORM each time, with the right answer."""
    wrapped = Prepared(lambda word: Article.objects.filter(title__icontains=word))
    assert not wrapped.is_prepared(word="battery")
    assert len(wrapped.fetch(word="battery")) == 15
    assert len(wrapped.fetch(word="climate")) == 15

    flag = Prepared(lambda live: Article.objects.filter(status="published" if live else "draft"))
    assert not flag.is_prepared(live=True)
    assert len(flag.fetch(live=False)) == 1

    unused = Prepared(lambda slug: Article.objects.filter(status="draft"))
    assert not unused.is_prepared(slug="x")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="arrays are PostgreSQL's")
def test_a_list_of_ids_is_one_array_parameter(archive):
    """``one_of(ids)`` is ``id = ANY(%s)``: the SQL is the same for any number of ids, so
    it is compiled once and each list is bound whole."""
    from articles import search

    by_ids = Prepared(lambda ids: Article.objects.filter(search.one_of(ids)).order_by("pk"))
    wanted = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    assert by_ids.is_prepared(ids=wanted[:2])
    for chosen in (wanted[:1], wanted[3:9], wanted[::-4], [0, wanted[5]]):
        assert _ids(by_ids.fetch(ids=chosen)) == sorted(pk for pk in chosen if pk in wanted)
    assert not Prepared(lambda ids: Article.objects.filter(pk__in=ids)).is_prepared(ids=[1, 2])


def test_a_query_can_be_run_inside_another(archive):
    """``around`` runs the compiled SQL inside other SQL, given the shape (here: the
    five newest, in id order, cut by the shape), bound or, if it cannot be (icontains
    wraps its value), built each time."""

    def around(sql, start, size):
        return f'SELECT "c".* FROM ({sql}) "c" ORDER BY "c"."id" LIMIT {size} OFFSET {start}'

    def newest_five(**condition):
        return Article.objects.filter(**condition).order_by("-published_at")[:5]

    in_section = {"section_id": archive["tech"].pk}
    in_title = {"title__icontains": "story"}
    for condition, bound in [(in_section, True), (in_title, False)]:
        name = next(iter(condition))
        query = Prepared(
            lambda start, size, **value: newest_five(**value).values("id", "slug"),
            around=around,
        )
        expected = [a.slug for a in sorted(newest_five(**condition), key=lambda a: a.pk)]
        assert query.is_prepared(0, 2, **condition) is bound, name
        assert [row["slug"] for row in query.fetch(0, 2, **condition)] == expected[:2]
        assert [row["slug"] for row in query.fetch(2, 10, **condition)] == expected[2:]


def test_shapes_are_kept_apart(archive):
    newest = Prepared(
        lambda limit, section_id: Article.objects.filter(section_id=section_id)[:limit]
    )
    tech = archive["tech"].pk
    assert len(newest.fetch(2, section_id=tech)) == 2
    assert len(newest.fetch(5, section_id=tech)) == 5
    assert len(newest.fetch(2, section_id=tech)) == 2


def test_the_author_query_is_compiled_and_finds_each_author(archive):
    assert reading._author.is_prepared(slug="ann")
    assert reading.author("ann") == archive["ann"]
    assert reading.author("cy") == archive["cy"]
    assert reading.author("nobody") is None
    assert reading.author("ann' OR '1'='1") is None


def test_an_article_brings_its_related_cards_as_the_listing_would(archive, settings, tmp_path):
    """reading.article() loads the related cards in its own query (as JSON): the same
    articles as the ORM's related_to, and each card the same as a listing's card, with
    its date, picture renditions and byline."""
    from articles import renditions
    from articles.images import ingest_image

    from .factories import make_image_file

    settings.MEDIA_ROOT = tmp_path
    pictured = Article.objects.get(slug="story-2")  # related to story-4 (both tech)
    stored, _ = ingest_image(make_image_file(size=(800, 450)))
    pictured.hero_image, pictured.hero_alt = stored, "A picture"
    pictured.save()
    renditions.refresh(pictured)
    listing = {card.pk: card for card in reading.section_page(archive["tech"].pk, 1).items}
    for slug in ("story-4", "story-1", "story-29", "story-0"):
        article = reading.article(slug)
        cards = reading.related(article)
        expected = Article.objects.published().related_to(article)
        assert _ids(cards) == _ids(expected) and len(cards) == 3
        for card in cards:
            same = listing.get(card.pk) or next(
                c for c in reading.section_page(card.section_id, 1).items if c.pk == card.pk
            )
            for field in ArticleCard.FIELDS[:-1]:
                assert getattr(card, field) == getattr(same, field), field
            assert card.published_at.tzinfo is not None
            assert card.hero_image == same.hero_image
            assert [a.slug for a in card.byline_authors()] == [
                a.slug for a in same.byline_authors()
            ]
    shown = {card.slug: card for card in reading.related(reading.article("story-4"))}
    listing = Article.objects.get(slug="story-2").hero_renditions
    # A card brings the part of the listing it reads: the key and the card crops.
    assert shown["story-2"].hero_renditions == {"key": listing["key"], "card": listing["card"]}
    assert listing["card"] and set(listing) > {"key", "card"}


def test_related_cards_and_the_menu_are_read_once_per_text_and_a_change_shows_at_once(
    archive, monkeypatch
):
    """Older articles of a section show the same related cards, and every page the same
    menu: the same JSON text, decoded once per worker. A change to what they show is a
    new text, read afresh on the next page."""
    from articles.models import Section, content

    made = []
    real = ArticleCard.from_json.__func__

    def counted(cls, row):
        made.append(row["slug"])
        return real(cls, row)

    monkeypatch.setattr(ArticleCard, "from_json", classmethod(counted))
    reading._related_from_text.cache_clear()
    content._sections_from_text.cache_clear()

    older = ("story-7", "story-8", "story-10", "story-11")  # tech's, after its newest four
    pages = [reading.article(slug) for slug in older]
    related = [reading.related(article) for article in pages]
    assert all(_ids(cards) == _ids(related[0]) for cards in related)  # tech's newest three
    assert len(made) == 3  # read once, for four pages
    menus = [reading.menu(article) for article in pages]
    assert all(menu == menus[0] for menu in menus) and len(menus[0]) == 2
    assert content._sections_from_text.cache_info().misses == 1

    newest = make_article(slug="fresh", section=archive["tech"], published_at=timezone.now())
    Section.objects.filter(slug="science").update(name="Science renamed")
    article = reading.article("story-7")
    assert _ids(reading.related(article))[0] == newest.pk
    assert "Science renamed" in [section.name for section in reading.menu(article)]
    assert len(made) == 6


def test_cards_answer_what_the_model_would(archive):
    """A list's cards are plain values, not model instances: each answers the card's
    questions as the article itself does."""
    page = reading.section_page(archive["tech"].pk, 1)
    assert page.items and all(isinstance(card, ArticleCard) for card in page.items)
    for card in page.items:
        article = Article.objects.get(pk=card.pk)
        assert (card.title, card.slug, card.standfirst, card.published_at) == (
            article.title,
            article.slug,
            article.standfirst,
            article.published_at,
        )
        assert card.get_absolute_url() == article.get_absolute_url()
        assert (card.section.label, card.section.colour, card.section.get_absolute_url()) == (
            article.section.label,
            article.section.colour,
            article.section.get_absolute_url(),
        )
        assert [(a.pk, a.name, a.get_absolute_url()) for a in card.byline_authors()] == [
            (a.pk, a.name, a.get_absolute_url()) for a in article.byline_authors()
        ]
        assert bool(card.hero_image) is bool(article.hero_image) is False


def test_pages_next_to_a_cursor_are_compiled_once(archive):
    now, article = timezone.now(), Article.objects.get(slug="story-7")
    cursor = {"cursor_at": article.published_at, "cursor_pk": article.pk}
    for newer in (False, True):
        assert reading._section_next_to.is_prepared(
            12, newer, now=now, section_id=archive["tech"].pk, **cursor
        )
        assert reading._author_next.is_prepared(
            12, newer, now=now, author_id=archive["ann"].pk, **cursor
        )


def test_a_worker_keeps_few_compiled_shapes_and_the_most_recently_used(archive):
    """A page's offset is a shape, compiled once; anyone can type ``?page=N``, so only
    the MAX_SHAPES most recently used shapes are kept (each holds 25-50 KB), and a shape
    in use every few requests (page 1) is never the one let go: it is compiled once."""
    from articles.models import prepared

    pages = Prepared(
        lambda start, size, section_id: (
            Article.objects.filter(section_id=section_id)
            .order_by("-published_at", "-id")
            .values("id")[start : start + size]
        )
    )
    compiled = []
    prepare = pages._prepare
    pages._prepare = lambda connection, shape, values: (
        compiled.append(shape) or prepare(connection, shape, values)
    )
    tech = archive["tech"].pk
    first = [row["id"] for row in pages.fetch(0, 5, section_id=tech)]
    assert first
    for n in range(1, 4 * prepared.MAX_SHAPES):
        pages.fetch(n, 5, section_id=tech)
        if n % 3 == 0:  # page 1, now and then
            assert [row["id"] for row in pages.fetch(0, 5, section_id=tech)] == first
        assert len(pages._plans) <= prepared.MAX_SHAPES
    assert compiled.count((0, 5)) == 1
    assert len(compiled) == 4 * prepared.MAX_SHAPES  # every other shape once, too
    assert 8 <= prepared.MAX_SHAPES <= 32
