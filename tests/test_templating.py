"""The Jinja2 helpers give exactly what Django's own filters give."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from articles.templating import date

FORMATS = ["c", "j F Y", "N j, Y", "D, d M Y", "l jS F Y", "Y-m-d", "H:i", "j F Y, H:i", "U"]

# Around midnight and the clock changes in London (the site's zone), and a leap day.
MOMENTS = [
    datetime(2026, 3, 28, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
    datetime(2026, 11, 29, 6, 0, 1, 123, tzinfo=UTC),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_date_matches_djangos_filter_in_the_sites_zone(fmt):
    for moment in MOMENTS:
        for later in (moment, moment + timedelta(hours=1), moment + timedelta(minutes=1)):
            expected = django_date(timezone.template_localtime(later), fmt)
            assert date(later, fmt) == expected, (later, fmt)


def test_date_follows_the_active_zone_and_language():
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert date(moment, "j F Y") == "1 July 2026"  # London is an hour ahead in summer
    with timezone.override("America/New_York"):
        assert date(moment, "j F Y") == "30 June 2026"
        assert date(moment, "c") == "2026-06-30T19:30:00-04:00"
    with translation.override("fr"):
        assert date(moment, "j F Y") == django_date(timezone.template_localtime(moment), "j F Y")
    assert date(None, "c") == date("", "c") == ""


def test_json_ld_cannot_close_its_script_element_and_reads_back_unchanged():
    import json
    import re

    from articles.templating import ld_json

    hostile = {"headline": '</script><script>alert("x")</script> & <!-- >', "n": ["<", ">&"]}
    html = str(ld_json(hostile))
    body = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', html, re.S)
    assert body and not set("<>&") & set(body.group(1))
    assert json.loads(body.group(1)) == hostile


def test_time_tag_is_what_the_two_date_filters_wrote():
    from articles.templating import time_tag

    for moment in MOMENTS:
        local = timezone.template_localtime(moment)
        expected = (
            f'<time datetime="{django_date(local, "c")}">{django_date(local, "j F Y")}</time>'
        )
        assert str(time_tag(moment)) == expected
    moment = MOMENTS[-1]
    with timezone.override("Asia/Tokyo"), translation.override("fr"):
        assert (
            str(time_tag(moment))
            == '<time datetime="2026-11-29T15:00:01.000123+09:00">29 novembre 2026</time>'
        )
    assert time_tag(None) == ""


@pytest.mark.django_db
def test_warming_the_master_compiles_the_templates_and_asks_nothing_of_the_database(
    django_assert_num_queries,
):
    from magazine.warm import warm

    with django_assert_num_queries(0):
        names = warm()
    assert {"base.html", "articles/article_detail.html", "includes/article_card.html"} <= set(names)


@pytest.mark.django_db
def test_the_pages_chrome_follows_the_script_prefix_and_the_static_settings(client, settings):
    """The masthead's and footer's addresses (templating.site_links) are worked out once,
    but once per script prefix, and again when the settings change."""
    from django.core.cache import cache
    from django.urls import reverse

    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    html = client.get("/").content.decode()
    assert f'href="{reverse("articles:feed-rss")}">RSS</a>' in html
    assert 'href="/static/css/magazine.css"' in html

    settings.STATIC_URL = "/assets/"
    assert 'href="/assets/css/magazine.css"' in client.get("/").content.decode()
    cache.clear()

    from django.urls import get_script_prefix, set_script_prefix

    from articles.templating import site_links

    before = get_script_prefix()
    set_script_prefix("/magazine/")  # as a server mounted under /magazine/ sets it
    try:
        assert site_links().feed_rss == "/magazine/feeds/rss/"
        assert site_links().search == "/magazine/search/"
    finally:
        set_script_prefix(before)
    assert site_links().feed_rss == "/feeds/rss/"


def test_macros_are_called_by_name_without_an_import():
    """The include macros are globals (templating.MACROS): every template can call them."""
    from django.template import engines

    from articles.templating import MACROS

    env = engines["jinja2"].env
    html = env.from_string("{{ takeaways([]) }}|{{ pagination(page) }}").render(
        page=type("P", (), {"has_other_pages": False})()
    )
    assert html == "|"
    for name, template in MACROS.items():
        assert env.globals[name].load() is getattr(env.get_template(template).module, name)


@pytest.mark.parametrize("prefix", ["/", "/magazine/"])
def test_addresses_are_what_reverse_gives_for_every_route_and_argument(prefix):
    """links.url() writes a slug into the text around it for routes of one slug (worked out
    once per route); for every route and argument it gives what reverse() gives, or fails
    as reverse() fails."""
    from django.urls import (
        NoReverseMatch,
        get_resolver,
        get_script_prefix,
        reverse,
        set_script_prefix,
    )

    from articles import links

    names = [
        f"articles:{name}"
        for name in get_resolver("articles.urls").reverse_dict
        if isinstance(name, str)
    ]
    arguments = [
        (),
        ("tech",),
        ("bench-4711",),
        ("A_b-9",),
        (7,),
        ("7",),
        ("a:b",),
        ("é",),
        ("a/b",),
        ("a", "b"),
    ]
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        checked = 0
        for name in names:
            for args in arguments:
                try:
                    expected = reverse(name, args=args)
                except NoReverseMatch:
                    with pytest.raises(NoReverseMatch):
                        links.url(name, *args)
                    continue
                assert links.url(name, *args) == expected, (name, args)
                checked += 1
        # The shortcut was taken (article, section, author and feed routes), and not for
        # routes of an int or no argument.
        assert links.url("articles:article-detail", "x") == f"{prefix}articles/x/"
        shortcut = {name for name in names if links._around_slug(prefix, name)}
        assert {"articles:article-detail", "articles:author-detail"} <= shortcut
        assert "articles:preview" not in shortcut and "articles:home" not in shortcut
        assert checked > 30
    finally:
        set_script_prefix(before)


def _card_row(**changes):
    from datetime import UTC, datetime

    row = {
        "id": 7,
        "title": "Inside Mistral",
        "slug": "inside-mistral",
        "standfirst": "How a lab <grew>.",
        "section_id": 1,
        "published_at": datetime(2026, 11, 28, 23, 30, tzinfo=UTC),
        "hero_image": "heroes/a.jpg",
        "hero_width": 1600,
        "hero_height": 900,
        "card_renditions": {
            "key": "heroes/a.jpg|0.500|0.500",
            "card": [
                {"w": 400, "h": 225, "avif": "r/a.avif", "webp": "r/a.webp", "jpeg": "r/a.jpg"}
            ],
        },
        "hero_focal_x": 0.5,
        "hero_focal_y": 0.5,
        "hero_alt": "A lab",
        "section__name": "Tech",
        "section__slug": "tech",
        "section__colour": "blue",
        "byline_data": [{"name": "Ada", "slug": "ada", "author_id": 1, "position": 0}],
    }
    return {**row, **changes}


def test_a_remembered_card_is_the_card_the_macro_writes_whatever_changed():
    """The card macro remembers a card's HTML by the values the card shows: after a
    card is remembered, a change to any one of its values (or to the request's language,
    time zone or script prefix) gives the HTML the macro itself writes, never the old one."""
    from datetime import UTC, datetime

    from django.template import engines
    from django.urls import get_script_prefix, set_script_prefix

    from articles.models.content import ArticleCard

    card = engines["jinja2"].env.globals["card"]
    write = card.load()  # the macro itself, remembering nothing
    base = ArticleCard(_card_row())
    assert card(base) is card(ArticleCard(_card_row()))  # remembered, for an equal card
    assert card(base) == write(base) and "r/a.webp 400w" in card(base)
    changes = {
        "id": 8,
        "title": "Inside Anthropic",
        "slug": "inside-anthropic",
        "standfirst": "Another.",
        "section_id": None,
        "published_at": datetime(2026, 11, 29, 1, 0, tzinfo=UTC),
        "hero_image": "heroes/b.jpg",
        "hero_width": 800,
        "hero_height": 600,
        "card_renditions": {},
        "hero_focal_x": 0.2,
        "hero_focal_y": 0.8,
        "hero_alt": "Another lab",
        "section__name": "Science",
        "section__slug": "science",
        "section__colour": "green",
        "byline_data": [{"name": "Grace", "slug": "grace", "author_id": 2, "position": 0}],
    }
    assert set(changes) == set(ArticleCard.FIELDS)
    for field, value in changes.items():
        changed = ArticleCard(_card_row(**{field: value}))
        assert card(changed) == write(changed), field
    for args in [{"lead": True}, {"heading": "h2"}, {"eager": True}]:
        assert card(base, **args) == write(base, **args)
    with translation.override("fr"):
        assert card(base) == write(base) and "28 novembre 2026" in card(base)
    with timezone.override("Asia/Tokyo"):
        assert card(base) == write(base) and "29 November 2026" in card(base)
    before = get_script_prefix()
    set_script_prefix("/magazine/")
    try:
        assert card(base) == write(base) and 'href="/magazine/articles/inside-mistral/"' in card(
            base
        )
    finally:
        set_script_prefix(before)


def test_a_remembered_menu_is_the_menu_the_macro_writes_whatever_changed():
    """The menu (section_nav) is remembered by its sections' values, the current section
    and the script prefix: a renamed, recoloured, moved or added section, another current
    section or another prefix gives what the macro itself writes."""
    from dataclasses import replace

    from django.template import engines
    from django.urls import get_script_prefix, set_script_prefix

    from articles.models.content import MenuSection

    menu = engines["jinja2"].env.globals["section_nav"]
    write = menu.load()
    tech = MenuSection(pk=1, name="Tech", slug="tech", colour="blue", description="", order=0)
    science = MenuSection(
        pk=2, name="Science", slug="science", colour="green", description="", order=1
    )
    sections = [tech, science]
    assert menu(sections, None) is menu(list(sections), None)  # remembered
    variants = [
        [replace(tech, name="Technology"), science],
        [replace(tech, slug="technology"), science],
        [replace(tech, colour="red"), science],
        [science, tech],
        [tech, science, replace(science, pk=3, name="Arts", slug="arts")],
        [tech],
    ]
    for changed in variants:
        assert menu(changed, None) == write(changed, None), changed
    assert menu(sections, science) == write(sections, science)
    assert 'aria-current="page"' in menu(sections, science)
    before = get_script_prefix()
    set_script_prefix("/magazine/")
    try:
        assert menu(sections, None) == write(sections, None)
        assert 'href="/magazine/tech/"' in menu(sections, None)
    finally:
        set_script_prefix(before)


def test_remembered_cards_are_bounded_and_the_oldest_go_first(monkeypatch):
    """A worker remembers at most ``size`` cards: past it, the oldest is forgotten first."""
    from django.template import engines

    from articles.models.content import ArticleCard

    card = engines["jinja2"].env.globals["card"]
    monkeypatch.setattr(card, "size", 3)
    card.memo.clear()
    cards = [ArticleCard(_card_row(id=n, slug=f"story-{n}")) for n in range(5)]
    for each in cards:
        card(each)
    assert len(card.memo) == 3
    remembered = "".join(card.memo.values())
    assert "story-0" not in remembered and "story-1" not in remembered
    assert all(f"story-{n}" in remembered for n in (2, 3, 4))


def test_a_remembered_cards_key_holds_no_more_memory_than_its_length():
    """A remembered card's key lives as long as the worker: it must hold its own bytes,
    not the larger buffer orjson wrote them in (4 KB for a 0.5 KB card, so 2,048
    remembered cards held 8 MB)."""
    import tracemalloc

    from articles.models import content
    from articles.models.content import ArticleCard

    cards = [ArticleCard(_card_row(id=n, slug=f"story-{n}")) for n in range(200)]
    tracemalloc.start()
    try:
        keys = [each.content_key for each in cards]
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    # What content_key allocated, not the cards' attribute dicts as each takes its key
    # (their size depends on which cards the process made before: CPython's shared keys).
    made_there = snapshot.filter_traces([tracemalloc.Filter(True, content.__file__)])
    held = sum(stat.size for stat in made_there.statistics("filename"))
    length = sum(len(key) for key in keys)
    assert 300 < length / len(keys) < 1000  # a card's row, as JSON
    assert held < 1.5 * length, (held, length)


def test_a_worker_s_remembered_cards_hold_under_one_and_a_half_megabytes():
    """Filled past its bound with distinct cards, the card memo holds under 1.5 MB (512
    cards of 1.5-2 KB; 2,048 held 3.6 MB): a worker's memory stays within budget however
    many articles its listings show."""
    import gc
    import tracemalloc

    from django.template import engines

    from articles.models.content import ArticleCard

    card = engines["jinja2"].env.globals["card"]
    card(ArticleCard(_card_row()))  # the template compiled, outside the count
    card.memo.clear()
    gc.collect()
    tracemalloc.start()
    try:
        for n in range(card.size + 50):
            card(ArticleCard(_card_row(id=n, slug=f"story-{n}", title=f"Story number {n}")))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        card.memo.clear()
    assert held < 1.5 * 1024 * 1024, held


def test_the_days_remembered_hold_a_quarter_of_a_megabyte_when_full():
    """A <time> element's day is written once per day, format and language, and at most
    1,024 days are remembered: a decade of archive dates holds 0.25 MB, not 1 MB."""
    import datetime as dt
    import gc
    import tracemalloc

    from articles.templating import _day_text

    _day_text.cache_clear()
    gc.collect()
    tracemalloc.start()
    try:
        for n in range(3650):
            _day_text(dt.date(2016, 1, 1) + dt.timedelta(days=n), "j F Y", "en-gb")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        _day_text.cache_clear()
    assert held < 0.3 * 1024 * 1024, held


def test_remembered_cards_are_forgotten_when_settings_change(settings):
    """A card's image addresses come from the media settings: a change to them (as a test
    or a reload makes) forgets what was remembered."""
    from django.template import engines

    from articles.models.content import ArticleCard

    card = engines["jinja2"].env.globals["card"]
    base = ArticleCard(_card_row())
    assert "/media/r/a.webp 400w" in card(base)
    settings.MEDIA_URL = "/pictures/"
    assert "/pictures/r/a.webp 400w" in card(base)
    assert card(base) == card.load()(base)


def test_a_warmed_worker_serves_readers_without_importing_more(tmp_path):
    """A fresh process that loads the application and warms as gunicorn's master does
    (magazine/warm.py), then serves every kind of reader page (a 404 too), imports no
    module while serving: what pages need was loaded before forking, to be shared by the
    workers. Nor has it loaded Pillow, imported only where images are made
    (articles/images.py, renditions.py; 3 MB), or started Django's template engine, which
    loads every app's template tags, the admin's too (about 1 MB): reader pages name
    their Jinja2 engine (views.render)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pages.sqlite3'}",
    }
    migrate = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=root, env=env, check=True, timeout=300)
    script = (
        "import sys, magazine.wsgi  # sets Django up, as gunicorn loads the application\n"
        "from magazine.warm import warm; warm()\n"
        "from django.utils import timezone\n"
        "from articles.models import Article, Author, Byline, Section, Takeaway\n"
        "section = Section.objects.create(name='Tech', slug='tech')\n"
        "author = Author.objects.create(name='Ann', slug='ann')\n"
        "article = Article.objects.create(title='Glacier', slug='glacier', section=section,\n"
        "    status='published', published_at=timezone.now(), standfirst='Ice.',\n"
        "    body='<p>A glacier.</p><p>More.</p>', takeaways_position=1)\n"
        "Byline.objects.create(article=article, author=author, position=0)\n"
        "Takeaway.objects.create(article=article, text='It melts.', position=0)\n"
        "from django.test import Client\n"
        "loaded = set(sys.modules)\n"
        "paths = ['/', '/tech/', '/articles/glacier/', '/authors/ann/', '/search/?q=glacier',\n"
        "         '/feeds/rss/', '/sitemap.xml', '/sitemap-articles.xml', '/sitemap-news.xml',\n"
        "         '/sitemap-sections.xml', '/sitemap-authors.xml',\n"
        "         '/no-such-page/']\n"
        "print([Client().get(path).status_code for path in paths])\n"
        "print(sorted(m for m in sys.modules if m == 'PIL' or m.startswith('PIL.')))\n"
        "from django.template import engines\n"
        "print(sorted(engines._engines), 'django.templatetags.tz' in sys.modules,\n"
        "      'django.contrib.admin.templatetags.admin_list' in sys.modules)\n"
        "print(sorted(set(sys.modules) - loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    statuses, pillow, templates, imported = done.stdout.split("\n")[:4]
    assert statuses == str([200] * 11 + [404]), done.stdout
    assert pillow == "[]", done.stdout
    assert templates == "['jinja2'] False False", done.stdout
    assert imported == "[]", "warm() left these for each worker to import: " + imported


def test_jinja2_sitemap_templates_write_what_djangos_write():
    """The sitemap views render the site's Jinja2 copies of django.contrib.sitemaps'
    templates (so serving them starts no second template engine): the same XML, every
    field set, as Django's templates, whitespace between tags aside."""
    import datetime
    import re

    from django.template import engines

    when = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    urlset = [
        {
            "location": "https://example.com/a?x=1&y=<2>",
            "lastmod": when,
            "changefreq": "daily",
            "priority": "0.8",
            "alternates": [{"lang_code": "fr", "location": "https://example.com/fr/a"}],
        },
        {"location": "https://example.com/b", "lastmod": when.date()},
        {"location": "https://example.com/c", "lastmod": None},
    ]
    for url in urlset[1:]:
        url.update(changefreq=None, priority=None, alternates=[])
    sitemaps = [
        {"location": "https://example.com/sitemap-a.xml", "last_mod": when},
        {"location": "https://example.com/sitemap-b.xml?p=2", "last_mod": None},
    ]
    pairs = [
        ("sitemap.xml", "articles/sitemap.xml", {"urlset": urlset}),
        ("sitemap_index.xml", "articles/sitemap_index.xml", {"sitemaps": sitemaps}),
    ]
    for django_name, jinja_name, context in pairs:
        theirs = engines["django"].get_template(django_name).render(context)
        ours = engines["jinja2"].get_template(jinja_name).render(context)
        assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", theirs)
        assert ours.count("<lastmod>2026-03-0") == (2 if jinja_name.endswith("sitemap.xml") else 1)
