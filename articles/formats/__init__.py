"""Article file formats: the plain-text page format and the project's own archive format.

Each parser turns a file's text into an ``ArticleRecord`` (plain data, no database), or
raises ``ParseError`` listing every problem with its line number.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ParseError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class SectionRecord:
    name: str
    slug: str = ""
    description: str = ""
    order: int | None = None


@dataclass
class AuthorRecord:
    name: str
    slug: str = ""
    role: str = ""
    bio: str = ""


@dataclass
class SourceRecord:
    name: str
    relation: str
    url: str = ""


@dataclass
class ArticleRecord:
    title: str
    slug: str = ""
    standfirst: str = ""
    section: SectionRecord | None = None
    authors: list[AuthorRecord] = field(default_factory=list)
    status: str | None = None  # None: decided by the importer from the date
    published_at: datetime | None = None
    article_type: str = "reporting"
    body: str = ""
    takeaways_position: int | None = None
    takeaways: list[str] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    hero_alt: str = ""
    hero_credit: str = ""
    hero_caption: str = ""
    hero_image: Path | None = None
    # Export files sign their image's digest: an image this site made itself is kept
    # byte for byte; any other is re-encoded like an upload.
    hero_image_signature: str = ""
    reading_time_override: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


FORMATS = ("text", "archive")


def detect_format(text: str) -> str:
    """'archive' for the project's own export format, else 'text'."""
    from . import archive

    return "archive" if archive.looks_like_archive(text) else "text"


def parse(text: str, *, fmt: str | None = None, path: Path | None = None) -> ArticleRecord:
    """Parse one file's text in ``fmt`` (detected when None)."""
    from . import archive, plaintext

    fmt = fmt or detect_format(text)
    if fmt == "archive":
        return archive.parse(text, path=path)
    return plaintext.parse(text)
