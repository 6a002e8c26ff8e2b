from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db


def _inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _article_form(**overrides) -> dict:
    section = overrides.pop("section", None)
    data = {
        "title": "Inside Mistral",
        "slug": "inside-mistral",
        "standfirst": "Europe's answer.",
        "section": str(section.pk) if section else "",
        "article_type": "commentary",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "hero_alt": "",
        "hero_credit": "",
        "hero_caption": "",
        "body": "<h2>A heading</h2><p>Body text.</p><p>Last.</p>",
        "takeaways_position": "2",
        "reading_time_override": "",
        "hero_focal_x": "0.5",
        "hero_focal_y": "0.5",
    }
    data.update(overrides)
    return data


def test_editor_adds_an_article_with_byline_takeaways_and_sources(admin_client):
    section = make_section(name="Tech", slug="tech")
    first, second = make_author(name="Ingrid Berg"), make_author(name="Sam Okafor")
    data = _article_form(
        section=section, status="published", published_at_0="2026-11-20", published_at_1="10:00:00"
    )
    data |= _inline(
        "bylines",
        [
            {"author": str(second.pk), "position": "0"},
            {"author": str(first.pk), "position": "1"},
        ],
    )
    data |= _inline(
        "takeaways", [{"text": "One.", "position": "0"}, {"text": "Two.", "position": "1"}]
    )
    data |= _inline(
        "sources",
        [
            {
                "name": "Financial Times",
                "relation": "original reporting",
                "url": "https://ft.com",
                "position": "0",
            }
        ],
    )
    data |= _inline("corrections", [])
    response = admin_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="inside-mistral")
    # The state is not a form field: a new article is a draft until someone publishes it.
    assert article.status == "draft"
    response = admin_client.post(f"/admin/articles/article/{article.pk}/transition/published/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    assert [a.name for a in article.byline_authors()] == ["Sam Okafor", "Ingrid Berg"]
    assert list(article.takeaways.values_list("text", flat=True)) == ["One.", "Two."]
    assert article.sources.get().name == "Financial Times"
    assert article.takeaways_position == 2
    assert admin_client.get("/articles/inside-mistral/").status_code == 200


def test_change_form_reorders_the_byline(admin_client):
    a, b = make_author(name="A"), make_author(name="B")
    article = make_article(slug="s", authors=[a, b])
    bylines = list(article.bylines.order_by("position"))
    data = _article_form(
        slug="s",
        section=article.section,
        status="published",
        published_at_0="2026-11-20",
        published_at_1="10:00:00",
    )
    data |= _inline(
        "bylines",
        [
            {
                "id": str(bylines[0].pk),
                "article": str(article.pk),
                "author": str(a.pk),
                "position": "2",
            },
            {
                "id": str(bylines[1].pk),
                "article": str(article.pk),
                "author": str(b.pk),
                "position": "1",
            },
        ],
        initial=2,
    )
    data |= _inline("takeaways", []) | _inline("sources", []) | _inline("corrections", [])
    data["loaded_version"] = str(article.version)
    response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert [x.name for x in article.byline_authors()] == ["B", "A"]


def test_the_forms_open(admin_client):
    article = make_article(takeaways=["x"], sources=[{"name": "n", "relation": "r"}])
    assert admin_client.get("/admin/articles/article/add/").status_code == 200
    response = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    assert b"django_prose_editor" in response.content
    listing = admin_client.get("/admin/articles/article/?q=Article")
    assert listing.status_code == 200


def _errors(response) -> str:
    form = response.context["adminform"].form
    messages = [str(e) for errs in form.errors.values() for e in errs]
    messages += [
        str(e)
        for fs in response.context["inline_admin_formsets"]
        for e in fs.formset.non_form_errors()
    ]
    return " ".join(messages)


def test_publishing_needs_standfirst_section_and_author(admin_client):
    article = make_article(status="draft", standfirst="")
    response = admin_client.post(f"/admin/articles/article/{article.pk}/transition/published/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be published: it has no standfirst, it has no section, it has no author" in text
    article.refresh_from_db()
    assert article.status == "draft"


def test_a_published_article_keeps_at_least_one_author(admin_client):
    article = make_article(slug="live")
    byline = article.bylines.get()
    data = _article_form(slug="live", section=article.section, standfirst="S.")
    data |= _inline(
        "bylines",
        [
            {
                "id": str(byline.pk),
                "article": str(article.pk),
                "author": str(byline.author_id),
                "position": "0",
                "DELETE": "on",
            }
        ],
        initial=1,
    )
    data |= _inline("takeaways", []) | _inline("sources", []) | _inline("corrections", [])
    data["loaded_version"] = str(article.version)
    response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 200
    assert "needs at least one author" in _errors(response)
    assert article.bylines.count() == 1


def test_hero_image_needs_alt_text_and_credit(admin_client):
    data = _article_form(hero_image=make_image_file())
    data |= (
        _inline("bylines", [])
        | _inline("takeaways", [])
        | _inline("sources", [])
        | _inline("corrections", [])
    )
    response = admin_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    errors = _errors(response)
    assert "needs alt text" in errors
    assert "needs a credit" in errors


def test_publish_action_publishes_and_reports_what_blocks(admin_client):
    ready = make_article(
        status="draft", section=make_section(), authors=[make_author()], standfirst="Ready."
    )
    blocked = make_article(status="draft", standfirst="")
    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "publish_selected", "_selected_action": [ready.pk, blocked.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    blocked.refresh_from_db()
    assert ready.status == "published" and ready.published_at <= timezone.now()
    assert blocked.status == "draft"
    text = response.content.decode()
    assert "cannot be published: it has no standfirst, it has no section, it has no author" in text
    assert "Published 1 article(s)." in text


def test_publish_action_schedules_a_future_article(admin_client):
    when = timezone.now() + timedelta(days=1)
    article = make_article(status="scheduled", published_at=when)
    admin_client.post(
        "/admin/articles/article/", {"action": "publish_selected", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == "scheduled"
    assert article.published_at == when


def test_unpublish_action(admin_client):
    article = make_article()
    admin_client.post(
        "/admin/articles/article/",
        {"action": "unpublish_selected", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == "draft"
    assert admin_client.get(article.get_absolute_url()).status_code == 404
