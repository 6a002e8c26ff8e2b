"""The editors' admin: content (articles, sections, authors) and the newsroom's workflow."""

from . import content, editorial  # noqa: F401  (registers the ModelAdmins)
