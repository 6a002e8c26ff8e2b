"""Real app servers for the tests: gunicorn with production settings on loopback ports,
sharing the test's PostgreSQL database and a Redis database."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def server_env(*, static_root: Path, redis_db: int, workers: int = 1) -> dict:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "SECRET_KEY": "test-servers-share-this-secret-key",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "WEB_CONCURRENCY": str(workers),
        # As `make serve` runs it: the code without docstrings and asserts.
        "PYTHONOPTIMIZE": "2",
        # Plain HTTP on loopback, as behind a TLS proxy that is not there.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_gunicorn(env: dict) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on a free port; return the process and its base URL once it answers."""
    from magazine.redis_client import Client

    Client(env["CACHE_URL"]).flushdb()
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "magazine.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/healthz/")
    return process, base


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)
