"""Benchmark: make every rendition of a 24-megapixel photo.

    python bench/renditions.py

Draws a 6000×4000 JPEG (a photo-like gradient with noise), ingests it as an upload would
be, then makes all renditions (AVIF, WebP, JPEG at every width, card, square and social
crops). Reports wall time and the peak resident memory of a fresh process that does only
that work (the photo is drawn by another process first).
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def draw(path: Path) -> None:
    from PIL import Image

    width, height = 6000, 4000
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    photo = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_180)))
    photo.save(path, "JPEG", quality=92)


def measure(path: Path, work: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "magazine.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from articles import renditions, services

    call_command("migrate", verbosity=0)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with path.open("rb") as upload:
        article, _ = services.article_upsert(
            data=services.ArticleData(
                slug="big", title="Big", hero_image=upload, hero_alt="A", hero_credit="B"
            )
        )
    ingested = time.perf_counter()
    renditions.refresh(article)
    done = time.perf_counter()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = sum(len(e) - 2 for spec in renditions.SPECS for e in article.hero_renditions[spec.name])
    print(f"photo:             6000×4000 JPEG, {path.stat().st_size / 1_048_576:.1f} MB")
    print(f"ingest:            {ingested - start:.2f} s (check, decode, re-encode, store)")
    print(f"renditions:        {count} files in {done - ingested:.2f} s")
    print(
        f"peak memory (RSS): {peak_rss / 1024:.0f} MB (Django loaded: {rss_before / 1024:.0f} MB)"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    work = Path(tempfile.mkdtemp(prefix="cyrus-bench-img-"))
    photo = work / "photo.jpg"
    draw(photo)
    subprocess.run([sys.executable, __file__, "--measure", str(photo), str(work)], check=True)


if __name__ == "__main__":
    main()
