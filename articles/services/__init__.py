"""Use cases that change the magazine. The admin, its actions and the commands call these."""

from .exports import export_articles
from .imports import ImportFailed, ImportReport, import_files, read_files
from .publishing import (
    ArticleData,
    SourceData,
    article_publish,
    article_unpublish,
    article_upsert,
    publish_blockers,
)

__all__ = [
    "ArticleData",
    "ImportFailed",
    "ImportReport",
    "SourceData",
    "article_publish",
    "article_unpublish",
    "article_upsert",
    "export_articles",
    "import_files",
    "publish_blockers",
    "read_files",
]
