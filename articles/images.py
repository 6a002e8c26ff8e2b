"""Images that come in (admin, import, demo): checked, then stored re-encoded.

Every way an image enters the site goes through ``ingest_image``: the format is
recognised from the content, size and pixel limits are enforced before anything is
decoded, a decompression bomb is an error, the orientation is applied, and the stored
original is a fresh encode under a generated name, without EXIF, GPS, XMP or comments.

Pillow is imported when an image comes in, not with this module: the admin imports it at
start-up, and a worker that only serves readers never needs Pillow (3 MB less each).
"""

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}


def _limits() -> tuple[int, int]:
    return settings.IMAGE_MAX_BYTES, settings.IMAGE_MAX_PIXELS


_ENCODE = {
    "JPEG": {"quality": 90, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90, "method": 4},
    "AVIF": {"quality": 80, "speed": 6},
}


class ImageRejected(ValueError):
    """The file is not an image the magazine accepts; the message says why."""


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int
    digest: str

    @property
    def extension(self) -> str:
        return ACCEPTED_FORMATS[self.format]


def _size(file: BinaryIO) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def check_image(file: BinaryIO, *, max_bytes: int | None = None) -> CheckedImage:
    """Recognise the image from its content and decode it fully, or raise ImageRejected."""
    from PIL import Image, UnidentifiedImageError

    limit_bytes, max_pixels = _limits()
    max_bytes = max_bytes or limit_bytes
    # Pillow's own guard, at our limit: above it a warning (an error here), above twice
    # it an error, both raised from the header before any pixel is decoded.
    Image.MAX_IMAGE_PIXELS = max_pixels
    size = _size(file)
    if size == 0:
        raise ImageRejected("the file is empty")
    if size > max_bytes:
        raise ImageRejected(
            f"the file is {size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB"
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(ACCEPTED_FORMATS)) as image:
                width, height = image.size
                # The header is read; nothing is decoded yet.
                if width * height > max_pixels:
                    raise ImageRejected(
                        f"the image is {width}×{height} pixels; the limit is "
                        f"{max_pixels / 1e6:.0f} megapixels"
                    )
                fmt = image.format
                image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(
            f"the image has too many pixels (over {max_pixels / 1e6:.0f} megapixels)"
        ) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            "the file is not a JPEG, PNG, WebP or AVIF image (SVG and other formats are "
            "not accepted)"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageRejected(f"the image is corrupt or truncated ({error})") from None
    finally:
        file.seek(0)
    return CheckedImage(format=fmt, width=width, height=height, digest=digest.hexdigest())


def ingest_image(file: BinaryIO) -> tuple[ContentFile, CheckedImage]:
    """Check ``file`` and return a clean re-encode of it under a generated name."""
    from PIL import Image, ImageOps

    checked = check_image(file)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(file, formats=[checked.format]) as image:
            image.load()
            icc = image.info.get("icc_profile")
            clean = ImageOps.exif_transpose(image)
    if clean.mode not in ("RGB", "RGBA", "L", "LA"):
        clean = clean.convert("RGBA" if "A" in clean.getbands() else "RGB")
    if checked.format == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    # Nothing from the upload's metadata travels on: no EXIF, XMP, comments or GPS.
    clean.info = {}
    options = dict(_ENCODE[checked.format])
    if icc:
        options["icc_profile"] = icc
    buffer = io.BytesIO()
    clean.save(buffer, checked.format, **options)
    file.seek(0)
    # The field's upload_to adds the folder; the name says nothing of the upload's name.
    name = f"{uuid.uuid4().hex}.{checked.extension}"
    stored = CheckedImage(
        format=checked.format, width=clean.width, height=clean.height, digest=checked.digest
    )
    return ContentFile(buffer.getvalue(), name=name), stored
