"""Checking images that come in (admin, import, demo) before anything is stored."""

import hashlib
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000


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


def check_image(file: BinaryIO, *, max_bytes: int = MAX_BYTES) -> CheckedImage:
    """Recognise the image from its content and decode it fully, or raise ImageRejected."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
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
            with Image.open(file) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ImageRejected(
                        f"{image.format or 'this'} images are not accepted; "
                        "use JPEG, PNG, WebP or AVIF"
                    )
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected(
                        f"the image is {width}×{height} pixels; the limit is "
                        f"{MAX_PIXELS / 1e6:.0f} megapixels"
                    )
                image.load()
                fmt = image.format
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("the image has too many pixels (a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise ImageRejected("the file is not an image in JPEG, PNG, WebP or AVIF format") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(f"the image is corrupt or truncated ({error})") from None
    finally:
        file.seek(0)
    return CheckedImage(format=fmt, width=width, height=height, digest=digest.hexdigest())
