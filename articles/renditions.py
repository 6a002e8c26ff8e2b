"""Responsive renditions of hero images: AVIF, WebP and JPEG at several widths, plus crops
for cards (16:9, square) and social sharing (1200×630), centred on the focal point.

Renditions are made once, kept in storage and listed on the article
(``hero_renditions``), so a page never touches storage or waits for an encode. They are
made again when the image or its focal point changes; until then pages use the original.
Pages only read that listing: Pillow is imported when renditions are made, so a worker that
serves readers does not load it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from . import caching
from .models import Article

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class Spec:
    name: str
    ratio: float | None  # width / height of the crop; None keeps the image's shape
    widths: tuple[int, ...]
    formats: tuple[str, ...] = ("AVIF", "WEBP", "JPEG")
    exact: tuple[int, int] | None = None  # a fixed output size (social card)


SPECS = (
    Spec("hero", None, (480, 800, 1200, 1600)),
    Spec("card", 16 / 9, (400, 800)),
    Spec("square", 1.0, (240, 480)),
    Spec("social", 1200 / 630, (1200,), formats=("JPEG",), exact=(1200, 630)),
)
EXTENSIONS = {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpg"}
MIME = {"AVIF": "image/avif", "WEBP": "image/webp", "JPEG": "image/jpeg"}
OPTIONS = {
    "AVIF": {"quality": 55, "speed": 8},
    "WEBP": {"quality": 78, "method": 4},
    "JPEG": {"quality": 80, "optimize": True, "progressive": True},
}


def key_for(article: Article) -> str:
    """What the renditions depend on: the stored image and the focal point."""
    if not article.hero_image:
        return ""
    return f"{article.hero_image.name}|{article.hero_focal_x:.3f}|{article.hero_focal_y:.3f}"


def is_current(article: Article) -> bool:
    return bool(article.hero_renditions) and article.hero_renditions.get("key") == key_for(article)


def crop_box(size: tuple[int, int], ratio: float, focal: tuple[float, float]):
    """The largest box of ``ratio`` inside ``size``, as centred on ``focal`` as it can be."""
    width, height = size
    if width / height > ratio:
        crop_w, crop_h = round(height * ratio), height
    else:
        crop_w, crop_h = width, round(width / ratio)
    left = min(max(round(focal[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal[1] * height - crop_h / 2), 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    image.save(buffer, fmt, **OPTIONS[fmt])
    return buffer.getvalue()


def _open(article: Article) -> Image.Image:
    from PIL import Image, ImageOps

    with article.hero_image.open("rb") as handle, Image.open(handle) as image:
        # Let a JPEG decoder shrink while decoding: far less memory for huge photos.
        image.draft("RGB", (2000, 2000))
        image = ImageOps.exif_transpose(image)
        image.load()
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        return image


def make_renditions(article: Article) -> dict:
    """Encode and store every rendition of the article's hero image; return the listing."""
    from PIL import Image

    source = _open(article)
    stem = article.hero_image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    focal = (article.hero_focal_x, article.hero_focal_y)
    tag = f"{round(focal[0] * 1000):03d}{round(focal[1] * 1000):03d}"
    listing: dict = {"key": key_for(article)}
    for spec in SPECS:
        base = (
            source if spec.ratio is None else source.crop(crop_box(source.size, spec.ratio, focal))
        )
        entries = []
        widths = sorted({min(w, base.width) for w in spec.widths})
        for width in widths:
            size = spec.exact or (width, max(1, round(base.height * width / base.width)))
            resized = base.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            entry = {"w": size[0], "h": size[1]}
            for fmt in spec.formats:
                name = f"renditions/{stem}/{spec.name}-{size[0]}x{size[1]}-{tag}.{EXTENSIONS[fmt]}"
                if default_storage.exists(name):
                    default_storage.delete(name)
                entry[fmt.lower()] = default_storage.save(name, ContentFile(_encode(resized, fmt)))
            entries.append(entry)
        listing[spec.name] = entries
    return listing


def _stored_names(listing: dict) -> set[str]:
    names = set()
    for spec in SPECS:
        for entry in listing.get(spec.name, []):
            names.update(entry.get(fmt.lower()) for fmt in spec.formats if entry.get(fmt.lower()))
    return names


def refresh(article: Article, *, force: bool = False) -> bool:
    """Make the article's renditions if they are missing or stale; True if it made them."""
    if not article.hero_image:
        if article.hero_renditions:
            old = _stored_names(article.hero_renditions)
            Article.objects.filter(pk=article.pk).update(hero_renditions={})
            for name in old:
                default_storage.delete(name)
        return False
    if is_current(article) and not force:
        return False
    old = _stored_names(article.hero_renditions or {})
    listing = make_renditions(article)
    # Only write the listing if the image is still the one we rendered.
    updated = Article.objects.filter(
        pk=article.pk,
        hero_image=article.hero_image.name,
        hero_focal_x=article.hero_focal_x,
        hero_focal_y=article.hero_focal_y,
    ).update(hero_renditions=listing)
    if updated:
        article.hero_renditions = listing
        caching.purge_article(article)  # pages now offer the new <picture>
        for name in old - _stored_names(listing):
            default_storage.delete(name)
    return bool(updated)


def schedule(article: Article) -> None:
    """Queue the article's renditions after the current transaction commits."""
    if article.hero_image and not is_current(article):
        from .tasks import make_article_renditions

        pk = article.pk
        transaction.on_commit(lambda: make_article_renditions.enqueue(pk))


# Reading them.


def picture_sources(article: Article, spec_name: str) -> dict | None:
    """What a <picture> needs: per-format srcsets and the largest size, or None."""
    if not is_current(article):
        return None
    entries = article.hero_renditions.get(spec_name) or []
    if not entries:
        return None
    spec = next(s for s in SPECS if s.name == spec_name)
    sources = []
    for fmt in spec.formats:
        srcset = ", ".join(f"{default_storage.url(e[fmt.lower()])} {e['w']}w" for e in entries)
        sources.append({"type": MIME[fmt], "srcset": srcset, "format": fmt})
    largest = entries[-1]
    return {
        "sources": sources[:-1],
        "fallback": sources[-1],
        "src": default_storage.url(largest[spec.formats[-1].lower()]),
        "width": largest["w"],
        "height": largest["h"],
    }


def social_image_url(article: Article) -> str | None:
    if is_current(article) and article.hero_renditions.get("social"):
        return default_storage.url(article.hero_renditions["social"][0]["jpeg"])
    return article.hero_image.url if article.hero_image else None
