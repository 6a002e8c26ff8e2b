"""Hero images for the demo, drawn with Pillow: no files are shipped or fetched."""

import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def make_hero(
    *, name: str, palette: tuple[Colour, Colour], size=(1600, 900), seed: str = ""
) -> ContentFile:
    """A JPEG of soft shapes on a gradient, the same every time for the same seed."""
    rng = random.Random(seed or name)
    top, bottom = palette
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_mix(top, bottom, y / (height - 1)))
    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    shape_draw = ImageDraw.Draw(shapes)
    for _ in range(9):
        r = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = _mix(top, bottom, rng.random())
        shape_draw.ellipse([x - r, y - r, x + r, y + r], fill=(*colour, rng.randint(90, 180)))
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    image = Image.alpha_composite(image.convert("RGBA"), shapes).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)
