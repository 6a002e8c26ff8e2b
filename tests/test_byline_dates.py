"""A byline carries a copy of its article's publication date (for the author page's
index). Database triggers keep the copy; these tests write through every kind of path
and read the copy back from the database."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Byline
from articles.services import publishing, reading

from .factories import make_article, make_author, make_section
from .test_workflow import make_user

pytestmark = pytest.mark.django_db


def _dates(article) -> set:
    return set(Byline.objects.filter(article=article).values_list("published_at", flat=True))


def test_a_new_byline_takes_its_articles_date_whatever_it_was_given():
    when = timezone.now() - timedelta(days=3)
    article = make_article(published_at=when, authors=[])
    Byline.objects.create(article=article, author=make_author(), published_at=timezone.now())
    Byline.objects.bulk_create([Byline(article=article, author=make_author(), position=1)])
    assert _dates(article) == {when}


def test_changing_the_articles_date_changes_its_bylines_dates():
    article = make_article(authors=[make_author(), make_author()])
    later = timezone.now() + timedelta(hours=5)
    article.published_at = later
    article.status = Article.Status.SCHEDULED
    article.save()
    assert _dates(article) == {later}

    earlier = timezone.now() - timedelta(days=9)
    Article.objects.filter(pk=article.pk).update(published_at=earlier)
    assert _dates(article) == {earlier}

    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT, published_at=None)
    assert _dates(article) == {None}


def test_a_byline_cannot_be_given_another_date_by_saving_or_updating_it():
    when = timezone.now() - timedelta(days=1)
    article = make_article(published_at=when)
    byline = Byline.objects.get(article=article)
    byline.published_at = when - timedelta(days=400)
    byline.position = 3
    byline.save()
    Byline.objects.filter(pk=byline.pk).update(published_at=when + timedelta(days=1))
    assert _dates(article) == {when}
    assert Byline.objects.get(pk=byline.pk).position == 3


def test_moving_a_byline_to_another_article_takes_that_articles_date():
    old = make_article(published_at=timezone.now() - timedelta(days=2))
    new = make_article(published_at=timezone.now() - timedelta(days=1), authors=[])
    Byline.objects.filter(article=old).update(article=new)
    assert _dates(new) == {new.published_at}


def test_publishing_and_scheduling_through_the_services_keep_the_copy_in_step():
    article = make_article(status=Article.Status.DRAFT, authors=[make_author()])
    article.section = make_section()
    article.standfirst = "Why it matters."
    article.save()
    editor = make_user("Editor")
    publishing.article_publish(article=article, by=editor)
    article.refresh_from_db()
    assert article.published_at is not None
    assert _dates(article) == {article.published_at}

    at = timezone.now() + timedelta(days=2)
    publishing.article_unpublish(article=article, by=editor)
    publishing.article_publish(article=Article.objects.get(pk=article.pk), by=editor, at=at)
    assert _dates(article) == {Article.objects.get(pk=article.pk).published_at} == {at}


def test_an_authors_page_follows_a_date_change_at_once():
    ann = make_author()
    section = make_section()
    now = timezone.now()
    first = make_article(section=section, authors=[ann], published_at=now - timedelta(days=1))
    second = make_article(section=section, authors=[ann], published_at=now - timedelta(days=2))
    assert [a.pk for a in reading.author_page(ann.pk, 1)] == [first.pk, second.pk]

    Article.objects.filter(pk=second.pk).update(published_at=now - timedelta(hours=1))
    assert [a.pk for a in reading.author_page(ann.pk, 1)] == [second.pk, first.pk]

    Article.objects.filter(pk=first.pk).update(published_at=now + timedelta(hours=1))
    assert [a.pk for a in reading.author_page(ann.pk, 1)] == [second.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL query plans")
def test_an_authors_page_walks_the_author_date_index():
    """3,000 articles by three authors: a page of one author's is read from the byline
    index in date order, about a page of rows, not all of that author's and sorted."""
    authors = [make_author() for _ in range(3)]
    section = make_section()
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Story {n}",
            slug=f"story-{n}",
            standfirst="Why.",
            status=Article.Status.PUBLISHED,
            section=section,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(3000)
    )
    Byline.objects.bulk_create(
        Byline(article=a, author=authors[n % 3]) for n, a in enumerate(articles)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_byline")
        cursor.execute("ANALYZE articles_article")
    query = reading._author_window(24, reading.PAGE_SIZE, now, authors[0].pk)
    plan = query.explain(analyze=True)
    assert "Index Only Scan using byline_author_pub_idx" in plan, plan
    walked = re.search(r"byline_author_pub_idx.*actual time=\S+ rows=(\d+)", plan)
    assert int(walked.group(1)) <= 24 + reading.PAGE_SIZE + 1, plan
    assert [row["id"] for row in query] == [a.pk for a in articles[72:111:3]]

    # Deep in the list, from a cursor (the Older link): the walk starts at the cursor,
    # so it reads about a page of rows however deep the page is.
    deep = articles[3 * 600]  # the author's 601st article
    query = reading._author_next_to(
        reading.PAGE_SIZE, False, now, authors[0].pk, deep.published_at, deep.pk
    )
    plan = query.explain(analyze=True)
    walked = re.search(r"byline_author_pub_idx.*actual time=\S+ rows=(\d+)", plan)
    assert walked and int(walked.group(1)) <= reading.PAGE_SIZE + 2, plan
    assert [row["id"] for row in query] == [a.pk for a in articles[3 * 601 : 3 * 614 : 3]]

    # The author's feed walks the same index.
    from articles.feeds import AuthorFeed

    feed = AuthorFeed().articles(authors[0])[:30]
    assert "byline_author_pub_idx" in feed.explain(), feed.explain()
    assert [a.pk for a in feed] == [a.pk for a in articles[0:90:3]]
