import io
import re
import tracemalloc

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from articles import renditions
from articles.images import ImageRejected, check_image, ingest_image
from articles.models import Article

from .factories import make_article, make_section
from .test_admin import _article_form, _errors, _inline

pytestmark = pytest.mark.django_db


def _image_bytes(fmt="JPEG", size=(320, 180), colour=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def _gps_photo() -> bytes:
    """A 'phone photo': rotated by EXIF, with GPS, a camera serial number and XMP."""
    image = Image.new("RGB", (400, 200), (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, 40, 40))  # a marker in the top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-12345"  # body serial number
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), xmp=b"<x:xmpmeta>secret-place</x:xmpmeta>")
    return buffer.getvalue()


def _bomb() -> bytes:
    """A PNG that is a few kilobytes on disk and 100 megapixels when decoded."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    return buffer.getvalue()


class TestChecks:
    @pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
    def test_accepted_formats_are_recognised_from_content(self, fmt):
        # Named .txt on purpose: the name is never trusted.
        upload = SimpleUploadedFile("photo.txt", _image_bytes(fmt))
        stored, checked = ingest_image(upload)
        assert checked.format == fmt
        assert re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp|avif)", stored.name)
        assert Image.open(io.BytesIO(stored.read())).format == fmt

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                "not a JPEG, PNG, WebP or AVIF image (SVG",
            ),
            (b"GIF89a" + _image_bytes("GIF")[6:], "not a JPEG, PNG, WebP or AVIF image"),
            (b"", "the file is empty"),
            (_image_bytes("JPEG")[:400], "corrupt or truncated"),
            (_image_bytes("PNG")[:-30], "corrupt or truncated"),
        ],
    )
    def test_refused_files_say_why(self, content, message):
        with pytest.raises(ImageRejected, match=re.escape(message)):
            check_image(io.BytesIO(content))

    def test_files_over_the_size_limit_are_refused_before_decoding(self, settings):
        settings.IMAGE_MAX_BYTES = 1000
        with pytest.raises(ImageRejected, match="the limit is 0 MB"):
            check_image(io.BytesIO(_image_bytes(size=(800, 800))))

    def test_a_decompression_bomb_is_refused_without_decoding_it(self):
        bomb = _bomb()
        assert len(bomb) < 100_000
        tracemalloc.start()
        with pytest.raises(ImageRejected, match=re.escape("too many pixels (over 50 megapixels)")):
            check_image(io.BytesIO(bomb))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 5_000_000, f"{peak:,} bytes were allocated to look at the bomb"

    def test_pillows_own_bomb_warning_is_an_error(self, settings):
        settings.IMAGE_MAX_PIXELS = 10_000
        with pytest.raises(ImageRejected):
            check_image(io.BytesIO(_image_bytes(size=(150, 100))))

    def test_a_polyglot_is_stored_as_a_clean_image_only(self):
        payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04zip"
        polyglot = _image_bytes("JPEG") + payload
        stored, _ = ingest_image(io.BytesIO(polyglot))
        data = stored.read()
        assert payload not in data and b"<script" not in data
        assert data != polyglot

    def test_metadata_is_stripped_and_orientation_applied(self):
        stored, checked = ingest_image(io.BytesIO(_gps_photo()))
        data = stored.read()
        image = Image.open(io.BytesIO(data))
        assert image.size == (200, 400)  # rotated upright
        assert (checked.width, checked.height) == (200, 400)
        assert not image.getexif()
        assert b"SERIAL-12345" not in data and b"secret-place" not in data
        assert b"PhoneMaker" not in data and "xmp" not in image.info
        # The yellow marker was top-left; after a 90° clockwise turn it is top-right.
        assert image.getpixel((195, 5))[2] < 100


class TestAdminUpload:
    def _post(self, admin_client, upload):
        data = _article_form(hero_image=upload, hero_alt="Alt", hero_credit="Credit")
        data |= _inline("bylines", []) | _inline("takeaways", []) | _inline("sources", [])
        data |= _inline("corrections", [])
        return admin_client.post("/admin/articles/article/add/", data)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG and other formats"),
            (_image_bytes("JPEG")[:500], "corrupt or truncated"),
        ],
    )
    def test_refused_uploads_are_form_errors_not_500s(self, admin_client, content, message):
        response = self._post(admin_client, SimpleUploadedFile("x.jpg", content))
        assert response.status_code == 200
        assert message in _errors(response)
        assert not Article.objects.exists()

    def test_a_bomb_upload_is_a_form_error(self, admin_client):
        response = self._post(admin_client, SimpleUploadedFile("bomb.png", _bomb()))
        assert response.status_code == 200
        assert "too many pixels (over 50 megapixels)" in _errors(response)

    def test_an_accepted_upload_is_stored_clean_under_a_generated_name(self, admin_client):
        response = self._post(admin_client, SimpleUploadedFile("my-holiday.jpg", _gps_photo()))
        assert response.status_code == 302
        article = Article.objects.get()
        assert re.fullmatch(r"heroes/[0-9a-f]{32}\.jpg", article.hero_image.name)
        assert (article.hero_width, article.hero_height) == (200, 400)
        with article.hero_image.open("rb") as handle:
            assert b"SERIAL-12345" not in handle.read()


def _article_with_image(**fields) -> Article:
    stored, _ = ingest_image(io.BytesIO(_image_bytes(size=(2000, 1000))))
    return make_article(hero_image=stored, hero_alt="Alt", hero_credit="Credit", **fields)


class TestRenditions:
    def test_crop_box_keeps_the_focal_point_in_view(self):
        assert renditions.crop_box((2000, 1000), 1.0, (0.5, 0.5)) == (500, 0, 1500, 1000)
        assert renditions.crop_box((2000, 1000), 1.0, (0.0, 0.5)) == (0, 0, 1000, 1000)
        assert renditions.crop_box((2000, 1000), 1.0, (0.9, 0.5)) == (1000, 0, 2000, 1000)
        assert renditions.crop_box((1000, 2000), 16 / 9, (0.5, 0.1)) == (0, 0, 1000, 562)

    def test_made_once_in_every_format_and_reused(self):
        article = _article_with_image()
        assert renditions.refresh(article) is True
        listing = article.hero_renditions
        hero = listing["hero"]
        assert [e["w"] for e in hero] == [480, 800, 1200, 1600]
        for entry in hero:
            for fmt, name in (("AVIF", "avif"), ("WEBP", "webp"), ("JPEG", "jpeg")):
                with default_storage.open(entry[name]) as handle:
                    image = Image.open(handle)
                    assert image.format == fmt and image.size == (entry["w"], entry["h"])
        assert [(e["w"], e["h"]) for e in listing["card"]] == [(400, 225), (800, 450)]
        assert [(e["w"], e["h"]) for e in listing["square"]] == [(240, 240), (480, 480)]
        assert [(e["w"], e["h"]) for e in listing["social"]] == [(1200, 630)]
        # Reused: nothing is made again while the image and focal point stay the same.
        article.refresh_from_db()
        assert renditions.refresh(article) is False

    def test_changing_the_focal_point_remakes_them_and_removes_the_old(self):
        article = _article_with_image()
        renditions.refresh(article)
        old = article.hero_renditions["square"][0]["jpeg"]
        article.hero_focal_x = 0.1
        article.save()
        assert not renditions.is_current(article)
        assert renditions.refresh(article) is True
        assert article.hero_renditions["square"][0]["jpeg"] != old
        assert not default_storage.exists(old)

    def test_the_page_uses_picture_with_sizes_and_dimensions(self, client):
        article = _article_with_image(slug="pic", section=make_section(slug="s"))
        make_article(section=article.section)  # so the section lists a card too
        before = client.get("/articles/pic/").content.decode()
        assert "<picture>" not in before  # the original serves until renditions exist
        assert 'fetchpriority="high"' in before
        renditions.refresh(article)
        html = client.get("/articles/pic/").content.decode()
        hero = re.search(r'<figure class="article__hero">(.*?)</figure>', html, re.S).group(1)
        assert '<source type="image/avif" srcset="' in hero
        assert '<source type="image/webp" srcset="' in hero
        assert re.search(r'sizes="[^"]+"', hero)
        assert 'width="1600" height="800"' in hero
        assert 'fetchpriority="high"' in hero and 'loading="eager"' in hero
        og = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
        assert re.search(r"/social-1200x630-\d+\.jpg$", og)
        cards = client.get("/s/").content.decode()
        assert 'loading="lazy"' in cards

    def test_saving_through_the_service_queues_renditions(
        self, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        }
        from articles import services

        stored = io.BytesIO(_image_bytes(size=(900, 600)))
        stored.name = "x.jpg"
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            article, _ = services.article_upsert(
                data=services.ArticleData(
                    slug="queued", title="Queued", hero_image=stored, hero_alt="A", hero_credit="B"
                )
            )
        assert len(callbacks) == 1
        article.refresh_from_db()
        assert renditions.is_current(article)

    def test_regenerate_renditions_command(self):
        article = _article_with_image()
        from io import StringIO

        out = StringIO()
        call_command("regenerate_renditions", "--dry-run", stdout=out)
        assert "Would make renditions for 1 article(s)." in out.getvalue()
        call_command("regenerate_renditions", stdout=out)
        article.refresh_from_db()
        assert renditions.is_current(article)
        assert "[1/1]" in out.getvalue()
        call_command("regenerate_renditions", stdout=out)
        assert "Made renditions for 0 article(s)." in out.getvalue()
        call_command("regenerate_renditions", "--all", stdout=out)
        assert out.getvalue().rstrip().endswith("Made renditions for 1 article(s).")


def test_an_archive_image_without_this_sites_signature_is_reencoded(tmp_path):
    from .test_import_export import _import

    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(_gps_photo())
    (folder / "x.md").write_text(
        '+++\nformat = "cyrus-article/1"\nslug = "x"\ntitle = "X"\nstatus = "draft"\n'
        '[hero]\nimage = "x.jpg"\nalt = "A"\ncredit = "B"\nsignature = "forged:abc"\n'
        "+++\n<p>x</p>\n"
    )
    _import(folder)
    article = Article.objects.get()
    with article.hero_image.open("rb") as handle:
        data = handle.read()
    assert b"SERIAL-12345" not in data and data != (folder / "x.jpg").read_bytes()


def test_demo_images_go_through_the_same_checks(settings):
    call_command("load_demo", verbosity=0)
    for article in Article.objects.exclude(hero_image=""):
        assert re.fullmatch(r"heroes/[0-9a-f]{32}\.jpg", article.hero_image.name)
        assert article.hero_width == 1600 and article.hero_image_digest


# Names of every kind: plain ones as this site stores, and what quoting or urljoin changes
# (spaces, %, ?, #, :, backslashes, . and .. segments, //, a leading /, letters beyond
# ASCII).
STORED_NAMES = st.lists(
    st.sampled_from(
        [*"/.-_~:?#% \\é", "..", "./", "//", "heroes", "renditions", "card-400x225", "avif"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    STORED_NAMES,
    st.sampled_from(["/media/", "https://cdn.example.com/m/", "media/", "/m", "", None]),
)
def test_a_media_address_is_the_one_djangos_storage_gives(name, base_url):
    """MediaStorage joins a plain name to the base URL without quoting and urljoin; for
    any name, and any base URL, the address is Django's."""
    from django.core.files.storage import FileSystemStorage

    from magazine.storage import MediaStorage

    ours, django_s = MediaStorage(base_url=base_url), FileSystemStorage(base_url=base_url)
    assert ours.url(name) == django_s.url(name)


def test_media_addresses_of_plain_names_are_not_worked_out_by_urljoin(monkeypatch):
    from magazine import storage

    def refused(*args):
        raise AssertionError("urljoin ran")

    monkeypatch.setattr("django.core.files.storage.filesystem.urljoin", refused)
    media = storage.MediaStorage(base_url="/media/")
    name = "renditions/c23c5dbf/card-400x225-500500.avif"
    assert media.url(name) == f"/media/{name}"
    assert default_storage.url(name) == f"/media/{name}"  # the site's storage is this one
