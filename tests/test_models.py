from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Takeaway

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def _refused(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(**fields)


class TestConstraints:
    def test_unknown_status_is_refused_by_the_database(self):
        _refused(title="T", slug="t", status="lost")

    def test_unknown_type_is_refused_by_the_database(self):
        _refused(title="T", slug="t", article_type="gossip")

    def test_published_without_date_is_refused(self):
        _refused(title="T", slug="t", status="published", section=make_section())

    def test_scheduled_without_date_is_refused(self):
        _refused(title="T", slug="t", status="scheduled", section=make_section())

    def test_published_without_section_is_refused(self):
        _refused(title="T", slug="t", status="published", published_at=timezone.now())

    def test_duplicate_slug_is_refused(self):
        make_article(slug="same")
        _refused(title="Other", slug="same")

    def test_empty_slug_is_refused(self):
        _refused(title="T", slug="")

    def test_zero_reading_time_override_is_refused(self):
        _refused(title="T", slug="t", reading_time_override=0)

    def test_empty_takeaway_is_refused(self):
        article = make_article(status="draft")
        with pytest.raises(IntegrityError), transaction.atomic():
            Takeaway.objects.create(article=article, text="")

    def test_same_author_twice_in_a_byline_is_refused(self):
        author = make_author()
        article = make_article(authors=[author])
        with pytest.raises(IntegrityError), transaction.atomic():
            article.bylines.create(author=author, position=1)

    def test_a_valid_draft_needs_no_date_or_section(self):
        article = Article.objects.create(title="T", slug="t")
        assert article.status == Article.Status.DRAFT


class TestPublishedRule:
    def test_published_in_the_past_is_visible(self):
        article = make_article(published_at=timezone.now() - timedelta(seconds=1))
        assert list(Article.objects.published()) == [article]

    def test_published_with_a_future_date_is_not_visible_yet(self):
        make_article(published_at=timezone.now() + timedelta(minutes=1))
        assert not Article.objects.published().exists()

    def test_scheduled_becomes_visible_at_its_time_without_anyone_acting(self):
        when = timezone.now() + timedelta(hours=2)
        article = make_article(status="scheduled", published_at=when)
        assert not Article.objects.published().exists()
        assert list(Article.objects.published(at=when)) == [article]
        assert not Article.objects.published(at=when - timedelta(seconds=1)).exists()

    @pytest.mark.parametrize("status", ["draft", "review", "archived"])
    def test_other_states_are_never_visible(self, status):
        make_article(
            status=status,
            published_at=timezone.now() - timedelta(days=1),
            section=make_section(),
        )
        assert not Article.objects.published().exists()


class TestDerivedFields:
    def test_reading_time_is_computed_from_the_body(self, settings):
        settings.MAGAZINE_WORDS_PER_MINUTE = 100
        article = make_article(body="<p>" + "word " * 250 + "</p>")
        assert article.word_count == 250
        assert article.reading_time == 3

    def test_reading_time_is_at_least_one_minute(self):
        assert make_article(body="").reading_time == 1

    def test_editor_override_wins(self):
        article = make_article(body="<p>" + "word " * 2000 + "</p>", reading_time_override=4)
        assert article.reading_time == 4

    def test_body_is_sanitised_on_every_save(self):
        article = make_article(
            body='<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:x">y</a>'
        )
        article.refresh_from_db()
        assert "script" not in article.body
        assert "onclick" not in article.body
        assert "javascript:" not in article.body
        assert article.body.startswith("<p>Hi</p>")

        Article.objects.filter(pk=article.pk).update(body="<p>x</p>")
        article.body = "<p>Again<iframe src='x'></iframe></p>"
        article.save()
        article.refresh_from_db()
        assert article.body == "<p>Again</p>"

    HOSTILE = '<p onclick="x()">One two<script>alert(1)</script></p><iframe src="x"></iframe>'

    def test_bulk_writes_store_the_body_sanitised_with_what_follows_from_it(self):
        section = make_section()
        made = Article.objects.bulk_create(
            [Article(title="T", slug="bulk", section=section, body=self.HOSTILE)]
        )
        stored = Article.objects.get(pk=made[0].pk)
        assert (stored.body, stored.word_count, stored.reading_time) == ("<p>One two</p>", 2, 1)

        stored.body = "<p>" + "word " * 460 + '<a href="javascript:x">y</a></p>'
        Article.objects.bulk_update([stored], ["body"])
        stored.refresh_from_db()
        assert "javascript" not in stored.body and stored.body.endswith(">y</a></p>")
        assert (stored.word_count, stored.reading_time) == (461, 3)  # 230 words a minute

    def test_update_stores_the_body_sanitised_with_what_follows_from_it(self):
        plain = make_article(slug="plain", body="<p>x</p>")
        timed = make_article(slug="timed", body="<p>x</p>", reading_time_override=7)
        Article.objects.filter(pk__in=[plain.pk, timed.pk]).update(
            body=self.HOSTILE.replace("One two", "word " * 300)
        )
        for article, minutes in ((plain, 2), (timed, 7)):
            article.refresh_from_db()
            assert article.body == "<p>" + "word " * 300 + "</p>"
            assert (article.word_count, article.reading_time) == (300, minutes)

    def test_a_body_cannot_be_updated_with_an_expression_the_sanitiser_cannot_read(self):
        from django.db.models import F

        article = make_article(body="<p>x</p>")
        with pytest.raises(TypeError, match="stored sanitised"):
            Article.objects.filter(pk=article.pk).update(body=F("standfirst"))
        article.refresh_from_db()
        assert article.body == "<p>x</p>"

    def test_links_in_the_body_get_a_safe_rel(self):
        article = make_article(body='<p><a href="https://example.org" rel="opener">x</a></p>')
        assert 'rel="noopener noreferrer"' in article.body


@pytest.mark.parametrize("value", [*Article.Type.values, "not-a-type"])
def test_the_type_label_is_what_django_would_display(value):
    """type_label reads the choices' enum; it must say what get_article_type_display says
    (the source line and the JSON-LD genre use it)."""
    article = Article(article_type=value)
    assert article.type_label == article.get_article_type_display()
    if value != Article.Type.SPONSORED:
        assert article.type_phrase == f"original {article.get_article_type_display().lower()}"


class TestSanitizeBodiesCommand:
    """After the allowlist narrows, bodies stored before still hold what it now removes:
    `manage.py sanitize_bodies` finds them and stores them sanitised."""

    def _store_raw(self, article, body):
        # As a body written under a wider allowlist would be stored: past today's sanitiser.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_article SET body = %s WHERE id = %s", [body, article.pk]
            )

    def test_dry_run_lists_and_changes_nothing_then_the_run_sanitises(self, client, monkeypatch):
        from io import StringIO

        monkeypatch.setattr("articles.services.maintenance.BATCH", 1)  # a batch at a time

        from django.core.management import call_command

        old = make_article(slug="old", body="<p>x</p>")
        clean = make_article(slug="clean", body="<p>Fine words.</p>")
        self._store_raw(old, '<p>Old <iframe src="x"></iframe>words</p><p>more words</p>')
        assert "<iframe" in client.get("/articles/old/").content.decode()  # printed as stored

        out = StringIO()
        call_command("sanitize_bodies", "--dry-run", stdout=out)
        assert "would change: old" in out.getvalue() and "clean" not in out.getvalue()
        assert "1 bodies would change" in out.getvalue()
        old.refresh_from_db()
        assert "<iframe" in old.body

        out = StringIO()
        call_command("sanitize_bodies", stdout=out)
        assert "1 bodies sanitised" in out.getvalue()
        old.refresh_from_db()
        clean_version = clean.version
        clean.refresh_from_db()
        assert old.body == "<p>Old words</p><p>more words</p>"
        assert old.word_count == 4
        assert clean.body == "<p>Fine words.</p>" and clean.version == clean_version
        assert "<iframe" not in client.get("/articles/old/").content.decode()  # page purged

        out = StringIO()
        call_command("sanitize_bodies", stdout=out)
        assert "0 bodies sanitised" in out.getvalue()
