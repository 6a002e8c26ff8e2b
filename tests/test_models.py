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
