"""Media in an S3-compatible object store, tested against a local S3 emulator (moto)."""

import io
import socket

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from articles import renditions, services
from articles.models import Article

pytestmark = pytest.mark.django_db

BUCKET = "cyrus-media-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint, monkeypatch):
    import boto3

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def test_uploads_and_renditions_live_in_the_object_store(s3_media, client):
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), (30, 90, 160)).save(buffer, "JPEG")
    buffer.name = "photo.jpg"
    article, _ = services.article_upsert(
        data=services.ArticleData(
            slug="s3", title="S3", hero_image=buffer, hero_alt="Alt", hero_credit="Credit"
        )
    )
    keys = {o["Key"] for o in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert article.hero_image.name in keys
    assert article.hero_width == 1000

    assert renditions.refresh(article)
    keys = {o["Key"] for o in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    card = article.hero_renditions["card"][0]
    assert {card["avif"], card["webp"], card["jpeg"]} <= keys
    body = s3_media.get_object(Bucket=BUCKET, Key=card["avif"])["Body"].read()
    assert Image.open(io.BytesIO(body)).format == "AVIF"
    url = renditions.picture_sources(article, "hero")["src"]
    assert url.startswith(f"{default_storage.endpoint_url}/{BUCKET}/renditions/")
    assert Article.objects.get().hero_image.url.startswith(default_storage.endpoint_url)
