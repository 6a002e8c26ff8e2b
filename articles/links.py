"""Addresses of the site's pages, reversed once and remembered.

``reverse()`` walks the URL patterns each time; a page with a dozen links spent more time
there than in its database queries. The same name and arguments always give the same
address under the same script prefix, so each one is worked out once per process.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reverse(prefix: str, name: str, args: tuple) -> str:
    return reverse(name, args=args)


def url(name: str, *args) -> str:
    """``reverse(name, args=args)``, remembered."""
    return _reverse(get_script_prefix(), name, args)


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _reverse.cache_clear()
