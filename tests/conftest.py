import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def collected(tmp_path_factory):
    """Static files collected as in production (hashed names, gzip and Brotli)."""
    root = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "STATIC_ROOT": str(root),
        "SECRET_KEY": "x",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root
