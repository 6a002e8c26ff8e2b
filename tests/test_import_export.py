import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author, Section

from .factories import make_article, make_author, make_image_file, make_section

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "inside-mistral.txt"
SAMPLE_SLUG = "inside-mistral-europes-answer-to-silicon-valley-ai"


def _import(*args, **options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_articles", *[str(a) for a in args], stdout=out, stderr=out, **options)
    return out.getvalue()


def _failing_import(*args, **options) -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", *[str(a) for a in args], stdout=err, stderr=err, **options)
    return err.getvalue() + str(raised.value)


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.exists():  # pragma: no cover - the shared folder sits beside the repo
        pytest.fail(f"the shared sample is missing at {SAMPLE}")
    return SAMPLE


class TestPlainTextImport:
    def test_the_sample_becomes_a_fully_structured_article(self, sample):
        tech = make_section(name="Tech", slug="tech")
        output = _import(sample)
        article = Article.objects.get()
        assert article.slug == SAMPLE_SLUG
        assert article.title == "Inside Mistral, Europe's Answer to Silicon Valley AI"
        assert article.standfirst.startswith("Europe's nascent AI powerhouse, Mistral")
        assert article.section == tech  # "TECH" matched case-insensitively
        assert [a.name for a in article.byline_authors()] == ["Vannessa Viljoen"]
        assert article.status == "draft" and article.published_at is None  # no date given
        assert article.hero_alt == "Inside Mistral, Europe's Answer to Silicon Valley AI"
        assert article.hero_credit == "Unsplash"
        assert article.article_type == "commentary"
        assert [(s.name, s.relation, s.url) for s in article.sources.all()] == [
            ("Financial Times", "original reporting", "")
        ]
        assert len(article.takeaways.all()) == 4
        assert article.takeaways.first().text.startswith("Mistral's open-source philosophy")
        # Body: p, h2, p, p, pull quote, h2, p, p, [takeaways], p
        from articles.text import split_blocks

        kinds = [block[:4] for block in split_blocks(article.body)]
        assert kinds == ["<p>F", "<h2>", "<p>M", "<p>T", "<blo", "<h2>", "<p>M", "<p>M", "<p>A"]
        assert article.takeaways_position == 8
        # Reading time comes from the body (about 470 words), not the "5 min read read".
        assert 460 < article.word_count < 490  # `wc -w` of the body says 474
        assert article.reading_time == 3
        assert "New authors: Vannessa Viljoen" in output
        assert "1 created, 0 updated, 0 unchanged" in output

    def test_publish_flag_publishes_dateless_articles_now(self, sample):
        _import(sample, publish=True)
        article = Article.objects.get()
        assert article.status == "published"
        assert abs(article.published_at - timezone.now()) < timedelta(minutes=1)
        assert Section.objects.get().name == "Tech"  # created, and listed as new

    def test_several_authors_a_date_no_hero_and_hostile_text(self, client):
        _import(DATA / "articles" / "several-authors.txt")
        article = Article.objects.get()
        assert [a.name for a in article.byline_authors()] == [
            "Sam Okafor",
            "Zoë Ní Bhriain",
            "José Müller",
        ]
        assert article.status == "published"
        assert article.published_at == datetime(2026, 3, 12, tzinfo=UTC)  # midnight, London
        assert article.hero_alt == "" and article.hero_credit == ""
        assert article.title == "The “Quiet” Revolution in Zoë’s Lab <b>bold</b>"
        assert [s.name for s in article.sources.all()] == ["Nature", "Reuters"]
        assert article.article_type == "reporting"
        assert "<h2>What They Saw</h2>" in article.body
        assert article.takeaways_position is None  # the list ends the body
        assert "&lt;script&gt;" in article.body and "<script>" not in article.body
        html = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html

    def test_a_future_date_schedules_the_article(self):
        _import(DATA / "articles" / "future.txt")
        article = Article.objects.get()
        assert article.status == "scheduled"
        assert not Article.objects.published().exists()

    def test_directories_are_read_recursively(self, tmp_path, sample):
        nested = tmp_path / "a" / "b"
        nested.mkdir(parents=True)
        shutil.copy(sample, nested / "one.txt")
        shutil.copy(DATA / "articles" / "future.txt", tmp_path / "two.txt")
        _import(tmp_path)
        assert Article.objects.count() == 2

    def test_importing_again_updates_and_never_duplicates(self, tmp_path, sample):
        copy = tmp_path / "sample.txt"
        shutil.copy(sample, copy)
        _import(copy)
        first = Article.objects.get()
        assert "0 created, 0 updated, 1 unchanged" in _import(copy)
        assert Article.objects.get().updated_at == first.updated_at

        copy.write_text(copy.read_text().replace("Unsplash", "Photo: Jane Doe"))
        assert "0 created, 1 updated, 0 unchanged" in _import(copy)
        article = Article.objects.get()
        assert article.pk == first.pk
        assert article.hero_credit == "Photo: Jane Doe"
        assert article.takeaways.count() == 4 and article.sources.count() == 1
        assert Author.objects.count() == 1

    def test_images_are_attached_by_slug(self, tmp_path, sample):
        images = tmp_path / "images"
        images.mkdir()
        (images / f"{SAMPLE_SLUG}.png").write_bytes(make_image_file(fmt="PNG").read())
        _import(sample, images=images)
        article = Article.objects.get()
        # Stored re-encoded under a generated name, never the file's own name.
        assert re.fullmatch(r"heroes/[0-9a-f]{32}\.png", article.hero_image.name)
        assert article.hero_image.width == 64
        assert "unchanged" in _import(sample, images=images)

    def test_dry_run_writes_nothing(self, sample):
        output = _import(sample, dry_run=True)
        assert "Would import: 1 created" in output
        assert not Article.objects.exists() and not Author.objects.exists()
        assert not Section.objects.exists()


class TestAllOrNothing:
    def test_one_malformed_file_stops_the_whole_run(self, tmp_path, sample):
        shutil.copy(sample, tmp_path / "good.txt")
        shutil.copy(DATA / "malformed" / "no-byline.txt", tmp_path / "bad.txt")
        message = _failing_import(tmp_path)
        assert f"{tmp_path / 'bad.txt'}: line 7: expected the byline" in message
        assert "Nothing was imported" in message
        assert not Article.objects.exists() and not Author.objects.exists()

    def test_every_problem_is_listed_with_its_line(self):
        message = _failing_import(DATA / "malformed" / "bad-date.txt")
        assert "bad-date.txt: line 7: the byline field 'the thirty-second of Smarch'" in message
        assert "bad-date.txt: line 11: unknown article type 'gossip'" in message

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (b"", "expected at least a section label"),
            (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
            (
                b"TECH\n\nTitle\n\nStandfirst.\n\nBy A\n\nBody text here.\n",
                "expected the source line last",
            ),
            (
                b"TECH\n\nTitle\n\nStandfirst.\n\nBy A\n\nBody.\n\n"
                b"Key Takeaways\n\nNot a bullet.\n\n"
                b"Source: X \xe2\x80\x94 y.",
                "must be followed by lines that start with a bullet",
            ),
        ],
    )
    def test_malformed_files_get_a_clear_message_and_no_traceback(
        self, tmp_path, content, expected
    ):
        path = tmp_path / "broken.txt"
        path.write_bytes(content)
        assert expected in _failing_import(path)
        assert not Article.objects.exists()

    def test_a_refused_image_fails_like_a_malformed_file(self, tmp_path, sample):
        images = tmp_path / "images"
        images.mkdir()
        (images / f"{SAMPLE_SLUG}.jpg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        message = _failing_import(sample, images=images)
        assert f"hero image {SAMPLE_SLUG}.jpg: the file is not a JPEG, PNG, WebP or AVIF" in message
        assert not Article.objects.exists()

    def test_missing_path(self, tmp_path):
        assert "no such file or directory" in _failing_import(tmp_path / "nope.txt")

    def test_two_files_with_one_slug(self, tmp_path, sample):
        shutil.copy(sample, tmp_path / "a.txt")
        shutil.copy(sample, tmp_path / "b.txt")
        assert "is also used by" in _failing_import(tmp_path)
        assert not Article.objects.exists()


class TestQueries:
    @staticmethod
    def _write(folder: Path, count: int) -> None:
        folder.mkdir()
        text = (DATA / "articles" / "several-authors.txt").read_text()
        for n in range(count):
            (folder / f"{n}.txt").write_text(
                text.replace("The “Quiet” Revolution", f"Revolution number {n}")
            )

    def test_query_count_does_not_grow_with_the_number_of_articles(self, tmp_path):
        counts = []
        for size in (3, 40):
            folder = tmp_path / str(size)
            self._write(folder, size)
            Article.objects.all().delete()
            Author.objects.all().delete()
            Section.objects.all().delete()
            with CaptureQueriesContext(connection) as queries:
                _import(folder)
            counts.append(len(queries))
        assert Article.objects.count() == 40
        assert counts[0] == counts[1], counts


def _snapshot() -> list[dict]:
    rows = []
    for article in (
        Article.objects.order_by("slug")
        .select_related("section")
        .prefetch_related("bylines__author", "takeaways", "sources")
    ):
        image = b""
        if article.hero_image:
            with article.hero_image.open("rb") as handle:
                image = handle.read()
        rows.append(
            {
                **{
                    f.attname: getattr(article, f.attname)
                    for f in Article._meta.concrete_fields
                    if f.attname not in {"id", "section_id", "hero_image", "hero_image_digest"}
                },
                "section": (
                    article.section.name,
                    article.section.slug,
                    article.section.description,
                    article.section.order,
                )
                if article.section
                else None,
                "authors": [(a.name, a.slug, a.role, a.bio) for a in article.byline_authors()],
                "takeaways": [t.text for t in article.takeaways.all()],
                "sources": [(s.name, s.relation, s.url) for s in article.sources.all()],
                "image": image,
            }
        )
    return rows


def test_export_then_import_into_an_empty_database_is_lossless(tmp_path):
    call_command("load_demo", verbosity=0)
    tricky = make_article(
        slug="tricky",
        title='Quotes "double" and \\backslash\\ and ünïcödé — and <tags>',
        standfirst="Line one.\nLine two with a tab\tand DEL\x7f.",
        status="archived",
        section=make_section(name="Odd", slug="odd", description='x = "y"', order=7),
        authors=[make_author(name="Zed", bio="+++\nnot a fence"), make_author(name="Ann")],
        published_at=datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC),
        body="<p>+++</p><h2>Sub</h2><p>Text &amp; more</p>",
        takeaways=["Second", "First"],
        takeaways_position=1,
        sources=[
            {"name": "Wire", "relation": "wire reporting", "url": "https://example.org/?a=1&b=2"}
        ],
        reading_time_override=9,
        hero_image=make_image_file(name="odd.png", fmt="PNG"),
        hero_alt="Alt",
        hero_credit="Credit",
        hero_caption="Caption",
    )
    make_article(slug="bare", status="draft")  # no section, no authors, no image
    assert tricky.pk
    before = _snapshot()

    out = tmp_path / "export"
    call_command("export_articles", out=out, verbosity=0)
    assert len(list(out.glob("*.md"))) == len(before)

    Article.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.all().delete()
    _import(out)
    after = _snapshot()
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        for key in old:
            assert old[key] == new[key], (old["slug"], key)

    assert "unchanged" in _import(out)  # and a second import changes nothing


def test_export_filters(tmp_path):
    tech, science = make_section(slug="tech"), make_section(slug="science")
    make_article(slug="t-old", section=tech, published_at=datetime(2025, 1, 1, tzinfo=UTC))
    make_article(slug="t-new", section=tech, published_at=datetime(2026, 6, 1, tzinfo=UTC))
    make_article(slug="s-new", section=science, published_at=datetime(2026, 6, 1, tzinfo=UTC))
    make_article(slug="draft", status="draft")
    out = tmp_path / "x"
    call_command(
        "export_articles", "--out", out, "--section", "tech", "--since", "2026-01-01", verbosity=0
    )
    assert sorted(p.stem for p in out.glob("*.md")) == ["t-new"]
    out2 = tmp_path / "y"
    call_command("export_articles", "--out", out2, "--status", "draft", verbosity=0)
    assert sorted(p.stem for p in out2.glob("*.md")) == ["draft"]
    call_command("export_articles", out=tmp_path / "z", dry_run=True, verbosity=0)
    assert not (tmp_path / "z").exists()
    with pytest.raises(CommandError, match="No section with slug nope"):
        call_command("export_articles", "--out", out, "--section", "nope")


def test_a_broken_export_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text('+++\nformat = "cyrus-article/1"\ntitle = nope\n+++\n<p>x</p>\n')
    assert "broken.md: line 3: the front matter is not valid TOML" in _failing_import(path)
