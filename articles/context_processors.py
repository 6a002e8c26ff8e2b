from django.conf import settings
from django.core.cache import cache

from .models import NAV_CACHE_KEY, Section


def _nav_sections() -> list[Section]:
    return cache.get_or_set(NAV_CACHE_KEY, lambda: list(Section.objects.all()), 3600)


def magazine(request):
    """The magazine's name, tagline and sections, for every template."""
    return {
        "magazine_name": settings.MAGAZINE_NAME,
        "magazine_tagline": settings.MAGAZINE_TAGLINE,
        "nav_sections": _nav_sections,
    }
