"""The magazine's data: content (sections, authors, articles) and the newsroom's records
(events, revisions, preview links, corrections, old addresses)."""

from .content import (
    NAV_CACHE_KEY,
    RESERVED_SECTION_SLUGS,
    Article,
    ArticleQuerySet,
    ArticleStatus,
    ArticleType,
    Author,
    Byline,
    Section,
    Source,
    Takeaway,
    validate_section_slug,
)
from .editorial import ArticleEvent, Correction, PreviewLink, Revision, SlugRedirect

__all__ = [
    "NAV_CACHE_KEY",
    "RESERVED_SECTION_SLUGS",
    "Article",
    "ArticleEvent",
    "ArticleQuerySet",
    "ArticleStatus",
    "ArticleType",
    "Author",
    "Byline",
    "Correction",
    "PreviewLink",
    "Revision",
    "Section",
    "SlugRedirect",
    "Source",
    "Takeaway",
    "validate_section_slug",
]
