"""gunicorn settings for `make serve` and production. Override with GUNICORN_CMD_ARGS."""

import contextlib
import ctypes
import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Recycle workers now and then, so no worker grows without bound.
max_requests = 5000
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The application is loaded once, in the master, and the workers are forked from it: the
# code and settings are shared between workers instead of copied into each (each worker's
# private memory: about 40 MB -> 15 MB). The objects loaded so far are frozen out of the
# garbage collector, so its passes do not touch, and so copy, the shared pages.
# A code change then needs a restart, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in {"0", "false", "no"}


def when_ready(server):
    if preload_app:
        from magazine.warm import before_forking

        before_forking()
        _libc_malloc("malloc_trim", 0)


def _libc_malloc(name: str, *args) -> None:
    """Call glibc's ``name`` (malloc_trim, mallopt), where there is one."""
    with contextlib.suppress(OSError, AttributeError):
        getattr(ctypes.CDLL(None), name)(*args)


# M_MMAP_THRESHOLD: blocks over 128 KiB (a page's text, a sitemap) get their own mapping,
# given back when freed. By default glibc raises this threshold after the first such free,
# and the heap keeps what later big pages used.
_libc_malloc("mallopt", -3, 128 * 1024)
