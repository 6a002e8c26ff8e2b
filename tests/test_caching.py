"""The page cache serves anonymous readers and never serves stale news: every change
clears exactly the pages that show it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from articles.services import workflow

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return User.objects.create_superuser("boss", password="x")


@pytest.fixture
def site():
    tech, science = (
        make_section(name="Tech", slug="tech"),
        make_section(name="Science", slug="science"),
    )
    ann, bo = make_author(name="Ann", slug="ann"), make_author(name="Bo", slug="bo")
    story = make_article(
        slug="story",
        title="The story",
        section=tech,
        authors=[ann],
        standfirst="Original standfirst.",
    )
    other = make_article(slug="other", title="Unrelated science", section=science, authors=[bo])
    return {"tech": tech, "science": science, "ann": ann, "bo": bo, "story": story, "other": other}


def _warm(client, *paths):
    for path in paths:
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit", path


def _hit(client, path) -> bool:
    return client.get(path)["X-Page-Cache"] == "hit"


PAGES = [
    "/",
    "/tech/",
    "/authors/ann/",
    "/articles/story/",
    "/search/?q=story",
    "/feeds/rss/",
    "/sitemap-articles.xml",
]


def test_publishing_shows_up_on_every_page_that_lists_it(client, site, editor):
    draft = make_article(
        slug="scoop",
        title="Brand new scoop",
        status="draft",
        section=site["tech"],
        authors=[site["ann"]],
        standfirst="S.",
    )
    _warm(client, *PAGES, "/science/", "/authors/bo/", "/articles/other/")
    workflow.article_transition(article=draft, action="published", by=editor)
    for path in ["/", "/tech/", "/authors/ann/", "/feeds/rss/", "/sitemap-articles.xml"]:
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss", path
        assert b"scoop" in response.content, path
    assert client.get("/articles/scoop/").status_code == 200
    # Exactly those: pages that cannot show it stay cached.
    assert _hit(client, "/science/")
    assert _hit(client, "/authors/bo/")
    assert _hit(client, "/articles/other/")


def test_unpublishing_removes_it_everywhere(client, site, editor):
    _warm(client, *PAGES)
    workflow.article_transition(article=site["story"], action="unpublished", by=editor)
    assert client.get("/articles/story/").status_code == 404
    for path in ["/", "/tech/", "/authors/ann/", "/feeds/rss/", "/sitemap-articles.xml"]:
        assert b"The story" not in client.get(path).content, path


def test_an_edit_in_the_admin_is_seen_on_the_next_request(client, site, editor):
    from .test_workflow import _form_for

    _warm(client, *PAGES)
    staff = client.__class__()
    staff.force_login(editor)
    story = site["story"]
    response = staff.post(
        f"/admin/articles/article/{story.pk}/change/",
        _form_for(story, standfirst="A better standfirst."),
    )
    assert response.status_code == 302
    for path in ["/", "/tech/", "/authors/ann/", "/articles/story/"]:
        assert b"A better standfirst." in client.get(path).content, path


def test_a_correction_is_seen_on_the_next_request(client, site, editor):
    _warm(client, "/articles/story/", "/corrections/")
    workflow.article_correct(article=site["story"], text="We got the date wrong.", by=editor)
    assert b"We got the date wrong." in client.get("/articles/story/").content
    assert b"We got the date wrong." in client.get("/corrections/").content


def test_a_scheduled_article_going_live_is_seen_after_publish_scheduled(client, site):
    when = timezone.now() + timedelta(hours=1)
    make_article(
        slug="later",
        title="Scheduled piece",
        status="scheduled",
        published_at=when,
        section=site["tech"],
        authors=[site["ann"]],
    )
    _warm(client, "/", "/tech/")
    Article.objects.filter(slug="later").update(published_at=timezone.now())
    call_command("publish_scheduled", verbosity=0)
    assert b"Scheduled piece" in client.get("/").content
    assert b"Scheduled piece" in client.get("/tech/").content


def test_renaming_a_section_or_an_author_clears_their_pages(client, site):
    _warm(client, "/", "/tech/", "/articles/story/", "/authors/ann/", "/science/")
    site["tech"].name = "Technology"
    site["tech"].save()
    assert b"TECHNOLOGY" in client.get("/articles/story/").content
    assert b"Technology" in client.get("/").content  # the navigation too
    site["ann"].name = "Ann Renamed"
    site["ann"].save()
    assert b"Ann Renamed" in client.get("/authors/ann/").content
    assert b"Ann Renamed" in client.get("/articles/story/").content


def test_editors_never_see_or_fill_the_public_cache(client, site, editor):
    staff = client.__class__()
    staff.force_login(editor)
    response = staff.get("/articles/story/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert client.get("/articles/story/")["X-Page-Cache"] == "miss"  # staff did not fill it


def test_preview_links_are_never_cached(client, site, editor):
    draft = make_article(slug="secret", status="draft")
    link = workflow.share_preview(article=draft, by=editor, hours=1)
    for _ in range(2):
        response = client.get(link.get_absolute_url())
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"


def test_headers_let_browsers_and_cdns_keep_pages_and_ask_conditionally(client, site):
    response = client.get("/articles/story/")
    control = response["Cache-Control"]
    for part in ("public", "max-age=60", "s-maxage=300", "stale-while-revalidate=60"):
        assert part in control
    assert response["ETag"] and response["Last-Modified"]
    assert client.get("/articles/story/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    since = client.get("/articles/story/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_cdn_purge_hook_receives_the_paths(
    site, editor, settings, django_capture_on_commit_callbacks
):
    received = []
    settings.CDN_PURGE_FUNCTION = "tests.test_caching.fake_cdn"
    fake_cdn.calls = received
    with django_capture_on_commit_callbacks(execute=True):
        workflow.article_transition(article=site["story"], action="unpublished", by=editor)
    assert received and "/articles/story/" in received[0]
    assert {"/", "/tech/", "/authors/ann/", "/feeds/rss/"} <= set(received[0])


def fake_cdn(paths):
    fake_cdn.calls.append(paths)


def test_unrelated_purges_keep_a_page_and_a_lost_counter_never_serves_stale(client, site):
    from django.core.cache import cache

    from articles import caching

    _warm(client, "/articles/other/")
    caching.purge("author:999999")  # nothing on that page
    assert _hit(client, "/articles/other/")
    cache.delete(caching.PURGES)  # the counter is evicted...
    caching.purge(f"article:{site['other'].pk}")  # ...and the page's own tag is purged
    assert not _hit(client, "/articles/other/")


def test_a_menu_cached_while_a_section_change_commits_is_dropped(
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache

    from articles.context_processors import nav_sections
    from articles.models import NAV_CACHE_KEY, Section

    section = make_section(name="Tech", slug="tech")
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Technology"
        section.save()
        # Another reader, still seeing the committed rows, fills the menu in between.
        cache.set(NAV_CACHE_KEY, [Section(pk=section.pk, name="Tech", slug="tech")], 3600)
    assert [s.name for s in nav_sections()] == ["Technology"]
