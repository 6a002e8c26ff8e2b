import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article, ArticleEvent, Correction, PreviewLink, Revision
from articles.services import workflow

from .factories import make_article, make_author, make_section
from .test_admin import _article_form, _errors, _inline

pytestmark = pytest.mark.django_db


def make_user(role: str, name: str | None = None) -> User:
    user = User.objects.create_user(name or role.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _login(client, user):
    client.force_login(user)
    return client


def _form_for(article: Article, **overrides) -> dict:
    fields = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "section": article.section,
    }
    if article.published_at:
        local = timezone.localtime(article.published_at)
        fields |= {"published_at_0": f"{local:%Y-%m-%d}", "published_at_1": f"{local:%H:%M:%S.%f}"}
    data = _article_form(**(fields | overrides))
    data |= _inline(
        "bylines",
        [
            {
                "id": str(b.pk),
                "article": str(article.pk),
                "author": str(b.author_id),
                "position": str(b.position),
            }
            for b in article.bylines.all()
        ],
        initial=article.bylines.count(),
    )
    data |= _inline("takeaways", []) | _inline("sources", []) | _inline("corrections", [])
    data["loaded_version"] = str(article.version)
    return data


class TestRoles:
    def test_the_three_groups_exist_with_their_rights(self):
        writer, editor, admin = (make_user(r) for r in ("Writer", "Editor", "Administrator"))
        assert writer.has_perm("articles.add_article")
        assert not writer.has_perm("articles.publish_article")
        assert not writer.has_perm("articles.change_section")
        assert editor.has_perm("articles.publish_article")
        assert editor.has_perm("articles.change_section") and editor.has_perm("articles.add_author")
        assert not editor.has_perm("auth.change_user")
        assert admin.has_perm("auth.change_user") and admin.has_perm("auth.change_group")

    def test_only_administrators_manage_users_and_roles_in_the_admin(self, client):
        _login(client, make_user("Editor"))
        assert client.get("/admin/auth/user/").status_code == 403
        assert client.get("/admin/articles/section/add/").status_code == 200
        assert client.get("/admin/articles/author/add/").status_code == 200
        _login(client, make_user("Writer"))
        assert client.get("/admin/articles/section/add/").status_code == 403
        _login(client, make_user("Administrator"))
        assert client.get("/admin/auth/user/").status_code == 200
        assert client.get("/admin/auth/group/").status_code == 200

    def test_a_writer_writes_and_submits_but_cannot_publish(self, client):
        writer = make_user("Writer")
        _login(client, writer)
        author = make_author(name="W", user=writer)
        data = _article_form(section=make_section(), status="published")
        data |= _inline("bylines", [{"author": str(author.pk), "position": "0"}])
        data |= _inline("takeaways", []) | _inline("sources", []) | _inline("corrections", [])
        assert client.post("/admin/articles/article/add/", data).status_code == 302
        article = Article.objects.get()
        assert article.status == "draft"  # the forged status field was ignored
        assert article.created_by == writer

        # Publishing, by the button's URL or by the bulk action, is refused on the server.
        url = f"/admin/articles/article/{article.pk}/transition/published/"
        assert client.post(url).status_code == 403
        client.post(
            "/admin/articles/article/",
            {"action": "publish_selected", "_selected_action": [article.pk]},
        )
        article.refresh_from_db()
        assert article.status == "draft"

        submit = f"/admin/articles/article/{article.pk}/transition/submitted/"
        assert client.post(submit).status_code == 302
        article.refresh_from_db()
        assert article.status == "review"
        event = article.events.get(action="submitted")
        assert event.by == writer and event.from_status == "draft"

        # Once in review it is no longer theirs to change.
        response = client.post(
            f"/admin/articles/article/{article.pk}/change/", _form_for(article, title="Sneaky edit")
        )
        assert response.status_code == 403
        article.refresh_from_db()
        assert article.title != "Sneaky edit"

    def test_a_writer_cannot_edit_someone_elses_draft(self, client):
        _login(client, make_user("Writer"))
        other = make_article(status="draft", title="Not yours")
        response = client.post(
            f"/admin/articles/article/{other.pk}/change/", _form_for(other, title="Mine now")
        )
        assert response.status_code == 403
        assert client.get(f"/admin/articles/article/{other.pk}/change/").status_code == 200

    def test_an_editor_sends_back_with_a_note_schedules_publishes_and_archives(self, client):
        editor = make_user("Editor")
        _login(client, editor)
        article = make_article(
            status="review", section=make_section(), standfirst="S.", authors=[make_author()]
        )
        base = f"/admin/articles/article/{article.pk}/transition"
        response = client.post(f"{base}/sent_back/", {"note": ""})
        assert "Say what needs to change" in response.content.decode()
        client.post(f"{base}/sent_back/", {"note": "Check the figures in para 3."})
        article.refresh_from_db()
        assert article.status == "draft"
        assert article.events.get(action="sent_back").note == "Check the figures in para 3."

        client.post(f"{base}/scheduled/", {"at_0": "2099-01-02", "at_1": "09:00"})
        article.refresh_from_db()
        assert article.status == "scheduled"
        assert article.published_at == datetime(2099, 1, 2, 9, tzinfo=UTC)  # GMT in winter
        client.post(f"{base}/published/")
        article.refresh_from_db()
        assert article.status == "published" and article.published_at <= timezone.now()
        client.post(f"{base}/archived/")
        article.refresh_from_db()
        assert article.status == "archived"
        actions = list(article.events.order_by("at", "id").values_list("action", "by__username"))
        assert actions == [
            ("sent_back", "editor"),
            ("scheduled", "editor"),
            ("published", "editor"),
            ("archived", "editor"),
        ]


class TestScheduling:
    def test_dst_spring_forward_is_handled(self, client):
        _login(client, make_user("Editor"))
        article = make_article(status="draft", section=make_section(), standfirst="S.")
        base = f"/admin/articles/article/{article.pk}/transition/scheduled/"
        # 01:30 on 29 March 2026 does not exist in London: the clocks jump 01:00 -> 02:00.
        response = client.post(base, {"at_0": "2026-03-29", "at_1": "01:30"})
        assert response.status_code == 200
        assert "may be ambiguous or it may not exist" in response.content.decode()
        article.refresh_from_db()
        assert article.status == "draft"

    def test_dst_times_are_stored_in_utc_and_go_live_on_time(self, freezer=None):
        article = make_article(status="draft", section=make_section(), standfirst="S.")
        editor = make_user("Editor")
        # 03:30 British Summer Time on 29 March 2026 is 02:30 UTC.
        from zoneinfo import ZoneInfo

        london = ZoneInfo("Europe/London")
        when = datetime(2026, 3, 29, 3, 30, tzinfo=london)
        Article.objects.filter(pk=article.pk).update(published_at=when, status="scheduled")
        article.refresh_from_db()
        assert article.published_at == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
        assert not Article.objects.published(at=when - timedelta(seconds=1)).exists()
        assert Article.objects.published(at=when).exists()
        # In autumn, 01:30 on 25 October happens twice: first in BST (00:30 UTC), then in
        # GMT (01:30 UTC). Stored in UTC, the two are an hour apart and never confused.
        first = datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=london)
        second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=london)
        Article.objects.filter(pk=article.pk).update(published_at=second)
        article.refresh_from_db()
        assert article.published_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert not Article.objects.published(at=first).exists()
        assert Article.objects.published(at=first + timedelta(hours=1)).exists()
        shown = timezone.localtime(article.published_at)
        assert (shown.hour, shown.minute, shown.utcoffset()) == (1, 30, timedelta(0))
        assert editor.pk

    def test_publish_scheduled_is_idempotent_and_records_once(self):
        past = timezone.now() - timedelta(minutes=1)
        due = make_article(status="scheduled", published_at=past)
        later = make_article(status="scheduled", published_at=timezone.now() + timedelta(days=1))
        assert Article.objects.published().filter(pk=due.pk).exists()  # readers already see it
        call_command("publish_scheduled", verbosity=0)
        call_command("publish_scheduled", verbosity=0)
        due.refresh_from_db()
        later.refresh_from_db()
        assert due.status == "published" and later.status == "scheduled"
        assert due.events.filter(action="published").count() == 1
        assert due.events.get().by is None  # the clock did it

    def test_two_copies_at_once_make_the_change_once(self, transactional_db):
        if connection.vendor == "sqlite":
            pytest.skip("SQLite serialises writers; the compare-and-set is tested above")
        make_article(status="scheduled", published_at=timezone.now() - timedelta(seconds=5))
        errors = []

        def run():
            try:
                workflow.publish_due()
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert ArticleEvent.objects.filter(action="published").count() == 1

    def test_expiry_takes_an_article_down_and_the_command_archives_it(self, client):
        article = make_article(
            slug="short-lived",
            published_at=timezone.now() - timedelta(hours=2),
            expires_at=timezone.now() + timedelta(hours=1),
        )
        assert client.get("/articles/short-lived/").status_code == 200
        Article.objects.filter(pk=article.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        # Reader queries compare with the clock: gone at once for anything not cached...
        assert not Article.objects.published().filter(pk=article.pk).exists()
        # ...and publish_scheduled (every minute) purges the cached pages.
        call_command("publish_scheduled", verbosity=0)
        assert client.get("/articles/short-lived/").status_code == 404
        article.refresh_from_db()
        assert article.status == "archived"
        assert article.events.get().action == "expired"


class TestEmbargo:
    def test_an_embargoed_article_is_invisible_everywhere_until_it_lifts(self, client):
        section = make_section(name="Tech", slug="tech")
        author = make_author(slug="ann")
        make_article(title="Visible sibling", section=section)
        article = make_article(
            slug="secret",
            title="Embargoed scoop",
            section=section,
            authors=[author],
            embargo_until=timezone.now() + timedelta(hours=1),
        )
        pages = [
            "/",
            "/tech/",
            "/authors/ann/",
            "/search/?q=embargoed",
            "/feeds/rss/",
            "/feeds/sections/tech/atom/",
            "/feeds/authors/ann/rss/",
            "/sitemap-articles.xml",
            "/sitemap-news.xml",
            "/articles/visible-sibling/" if False else "/",
        ]
        assert client.get("/articles/secret/").status_code == 404
        for page in pages:
            assert "Embargoed scoop" not in client.get(page).content.decode(), page
        sibling = Article.objects.get(title="Visible sibling")
        assert "Embargoed scoop" not in client.get(sibling.get_absolute_url()).content.decode()
        Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now())
        assert Article.objects.published().filter(pk=article.pk).exists()
        call_command("publish_scheduled", verbosity=0)  # purges the pages that now show it
        assert client.get("/articles/secret/").status_code == 200
        assert "Embargoed scoop" in client.get("/tech/").content.decode()


class TestPreview:
    def test_editors_preview_any_draft_exactly_as_readers_will(self, client):
        article = make_article(status="draft", title="Work in progress", slug="wip")
        response = client.get(f"/preview/{article.pk}/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        _login(client, make_user("Writer"))
        response = client.get(f"/preview/{article.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="article__title">Work in progress</h1>' in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert response["Cache-Control"] == "private, no-store"

    def test_a_share_link_expires_can_be_revoked_and_leads_to_the_article(self, client):
        editor = make_user("Editor")
        article = make_article(
            status="draft",
            title="Draft to share",
            section=make_section(),
            standfirst="S.",
            authors=[make_author()],
        )
        link = workflow.share_preview(article=article, by=editor, hours=24)
        url = link.get_absolute_url()
        response = client.get(url)  # anonymous
        assert response.status_code == 200
        assert "Draft to share" in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"
        assert "noindex" in response["X-Robots-Tag"]
        assert not response.cookies
        assert client.get(url[:-3] + "xyz/").status_code == 404  # a tampered link
        assert client.get(f"/preview/s/{link.token}/").status_code == 404  # unsigned token

        PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        response = client.get(url)
        assert response.status_code == 404
        assert "no longer works" in response.content.decode()

        fresh = workflow.share_preview(article=article, by=editor, hours=1)
        workflow.revoke_preview(link=fresh, by=editor)
        assert client.get(fresh.get_absolute_url()).status_code == 404

        live = workflow.share_preview(article=article, by=editor, hours=168)
        workflow.article_transition(article=article, action="published", by=editor)
        response = client.get(live.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == article.get_absolute_url()

    def test_editors_choose_the_duration_in_the_admin(self, client):
        _login(client, make_user("Editor"))
        article = make_article(status="draft")
        response = client.post(f"/admin/articles/article/{article.pk}/share/", {"hours": "72"})
        assert response.status_code == 200
        link = PreviewLink.objects.get()
        assert timedelta(hours=71) < link.expires_at - timezone.now() <= timedelta(hours=72)
        assert link.get_absolute_url() in response.content.decode()


class TestHistory:
    def test_every_save_keeps_a_revision_that_can_be_compared_and_restored(self, client):
        _login(client, make_user("Editor"))
        article = make_article(status="draft", title="First title", takeaways=["One"])
        url = f"/admin/articles/article/{article.pk}/change/"
        assert client.post(url, _form_for(article, title="Second title")).status_code == 302
        article.refresh_from_db()
        assert client.post(url, _form_for(article, title="Third title")).status_code == 302
        assert list(article.revisions.values_list("number", flat=True)) == [2, 1]
        first, second = article.revisions.order_by("number")
        assert first.data["title"] == "Second title"
        assert second.data["title"] == "Third title"
        assert second.created_by.username == "editor"

        compare = client.get(f"/admin/articles/article/{article.pk}/revisions/compare/?r=1&r=2")
        html = compare.content.decode()
        assert '<div class="diff-del">Second title</div>' in html
        assert '<div class="diff-add">Third title</div>' in html

        restore = f"/admin/articles/article/{article.pk}/revisions/1/restore/"
        assert client.post(restore).status_code == 302
        article.refresh_from_db()
        assert article.title == "Second title"
        assert article.events.filter(action="restored").exists()
        assert article.revisions.count() == 3

    def test_two_people_editing_the_same_article(self, client):
        article = make_article(status="draft", title="Original")
        first, second = make_user("Editor", "first"), make_user("Editor", "second")
        form_of_second = _form_for(article, title="Second's version")  # opened now
        _login(client, first)
        response = client.post(
            f"/admin/articles/article/{article.pk}/change/",
            _form_for(article, title="First's version"),
        )
        assert response.status_code == 302
        _login(client, second)
        response = client.post(f"/admin/articles/article/{article.pk}/change/", form_of_second)
        assert response.status_code == 200
        message = _errors(response) + response.content.decode()
        assert "first saved this article" in message
        assert "nothing was overwritten" in message
        assert f"/admin/articles/article/{article.pk}/revisions/" in message
        assert "Second&#x27;s version" in response.content.decode()  # their work is still there
        article.refresh_from_db()
        assert article.title == "First's version"


class TestIntegrity:
    def test_old_slugs_redirect_in_one_hop(self, client):
        _login(client, make_user("Editor"))
        article = make_article(slug="first-slug")
        url = f"/admin/articles/article/{article.pk}/change/"
        client.post(url, _form_for(article, slug="second-slug"))
        article.refresh_from_db()
        client.post(url, _form_for(article, slug="third-slug"))
        client.logout()
        for old in ("first-slug", "second-slug"):
            response = client.get(f"/articles/{old}/")
            assert response.status_code == 301
            assert response["Location"] == "/articles/third-slug/"
        assert client.get("/articles/third-slug/").status_code == 200

    def test_a_draft_never_leaks_through_an_old_slug(self, client):
        article = make_article(slug="old")
        workflow.record_slug_change(article=article, old_slug="older")
        Article.objects.filter(pk=article.pk).update(status="draft")
        assert client.get("/articles/older/").status_code == 404

    def test_corrections_are_shown_dated_move_the_update_and_reach_json_ld(self, client):
        editor = make_user("Editor")
        article = make_article(slug="c", published_at=timezone.now() - timedelta(days=3))
        before = article.updated_at
        _login(client, editor)
        data = _form_for(article)
        data |= _inline(
            "corrections",
            [{"kind": "correction", "text": "An earlier version misnamed the minister."}],
        )
        assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
        correction = Correction.objects.get()
        article.refresh_from_db()
        assert article.updated_at >= correction.published_at > before
        client.logout()
        html = client.get("/articles/c/").content.decode()
        day = f"{timezone.localtime(correction.published_at):%-d %B %Y}"
        assert re.search(rf"Correction, <time[^>]*>{day}</time>:</strong> An earlier version", html)
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', html).group(1))
        assert data["correction"][0]["@type"] == "CorrectionComment"
        assert "misnamed the minister" in data["correction"][0]["text"]
        assert "misnamed the minister" in client.get("/corrections/").content.decode()

    def test_writers_cannot_add_corrections(self):
        writer = make_user("Writer")
        with pytest.raises(workflow.PermissionDenied):
            workflow.article_correct(article=make_article(), text="x", by=writer)

    def test_the_checklist_shows_blockers_and_advice(self, admin_client):
        article = make_article(status="draft", standfirst="")
        html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
        assert "Blocks publication" in html and "It has no standfirst" in html
        assert "It has no key takeaways" in html and "It names no source" in html

    def test_revisions_survive_in_the_database_not_just_the_form(self):
        article = make_article()
        editor = make_user("Editor")
        workflow.record_revision(article=article, by=editor)
        workflow.record_revision(article=article, by=editor)  # unchanged: not repeated
        assert Revision.objects.count() == 1
