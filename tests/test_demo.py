import pytest
from django.core.management import call_command

from articles.models import Article, Author, Byline, Section, Source, Takeaway

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Section.objects.values_list("slug", "name")),
        list(Author.objects.values_list("slug", "name")),
        list(
            Article.objects.order_by("slug").values_list(
                "slug", "status", "published_at", "updated_at", "hero_image"
            )
        ),
        Byline.objects.count(),
        Takeaway.objects.count(),
        Source.objects.count(),
    )


def test_load_demo_creates_a_magazine_and_a_second_run_changes_nothing(settings):
    call_command("load_demo", verbosity=0)
    first = _state()
    published = Article.objects.published()
    assert published.count() == 12
    assert Article.objects.filter(status="draft").count() == 1
    assert Article.objects.filter(status="scheduled").count() == 1
    assert all(a.hero_image for a in published)
    assert Takeaway.objects.exists() and Source.objects.exists()
    files = sorted(p.name for p in (settings.MEDIA_ROOT / "heroes").iterdir())

    call_command("load_demo", verbosity=0)
    assert _state() == first
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "heroes").iterdir()) == files


def test_dry_run_writes_nothing():
    call_command("load_demo", dry_run=True, verbosity=0)
    assert not Article.objects.exists()
    assert not Section.objects.exists()


def test_demo_pages_render(client):
    call_command("load_demo", verbosity=0)
    assert client.get("/").status_code == 200
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200
    for article in Article.objects.exclude(pk__in=Article.objects.published()):
        assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get("/tech/").status_code == 200
    assert client.get("/authors/amara-okonkwo/").status_code == 200


def test_demo_admin_login_is_printed_and_stable(settings, tmp_path):
    from io import StringIO

    from django.contrib.auth import authenticate
    from django.core.management import CommandError

    settings.VAR_DIR = tmp_path
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development"):
        call_command("create_demo_admin")
    settings.DEBUG = True
    first, second = StringIO(), StringIO()
    call_command("create_demo_admin", "--url", "http://127.0.0.1:8123/admin/", stdout=first)
    call_command("create_demo_admin", stdout=second)
    password = first.getvalue().split("password: ")[1].strip()
    assert "http://127.0.0.1:8123/admin/  user: editor" in first.getvalue()
    assert second.getvalue().split("password: ")[1].strip() == password
    user = authenticate(username="editor", password=password)
    assert user is not None and user.is_superuser
