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
