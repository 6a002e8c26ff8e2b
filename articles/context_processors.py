from functools import partial

from django.conf import settings
from django.core.cache import cache

from .links import absolute, site_root
from .models import NAV_CACHE_KEY, Section
from .models.content import MenuSection
from .templating import site_links


def nav_sections(request=None) -> list[MenuSection]:
    """All sections in menu order, from the cache (cleared whenever a section is saved);
    read once per ``request`` (a view and the menu both ask)."""
    if request is None:
        return cache.get_or_set(
            NAV_CACHE_KEY, lambda: [MenuSection.of(s) for s in Section.objects.all()], 3600
        )
    sections = getattr(request, "_nav_sections", None)
    if sections is None:
        sections = request._nav_sections = nav_sections()
    return sections


def use_nav_sections(request, sections: list[MenuSection] | None) -> None:
    """This request's menu is ``sections`` (read with the page's own query); ``None``
    leaves it to the cache."""
    if sections is not None:
        request._nav_sections = sections


def magazine(request):
    """The magazine's name, tagline and sections, for every template."""
    page = request.GET.get("page", "")
    canonical = absolute(request, request.path)
    if page.isdigit() and int(page) > 1:
        canonical += f"?page={int(page)}"
    return {
        "canonical_url": canonical,
        "absolute_root": site_root(request),
        "links": site_links(),
        "magazine_name": settings.MAGAZINE_NAME,
        "magazine_tagline": settings.MAGAZINE_TAGLINE,
        "nav_sections": partial(nav_sections, request),
    }
