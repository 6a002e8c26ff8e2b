"""The project's own export format: one UTF-8 file per article.

TOML front matter between two ``+++`` lines holds every field; the body follows, as
stored (sanitised HTML). The hero image sits beside the file, named in ``[hero] image``.
See docs/export-format.md.
"""

import json
import re
import tomllib
from datetime import datetime
from pathlib import Path

from . import ArticleRecord, AuthorRecord, ParseError, Problem, SectionRecord, SourceRecord

FORMAT = "cyrus-article/1"
FENCE = "+++"


def looks_like_archive(text: str) -> bool:
    head = text.lstrip("\ufeff")[:400]
    return head.startswith(FENCE + "\n") and f'format = "{FORMAT}"' in head


# Writing.


def _str(value: str) -> str:
    # A JSON string is a valid TOML basic string, once DEL is escaped too.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"  {_value(v)},\n" for v in value) + "]"
    return _str(value)


def _table(pairs: dict) -> str:
    return "".join(f"{key} = {_value(v)}\n" for key, v in pairs.items() if v is not None)


def dumps(record: ArticleRecord, *, image_name: str | None) -> str:
    """The file's text for ``record``; ``image_name`` is the hero image file beside it."""
    top = {
        "format": FORMAT,
        "slug": record.slug,
        "title": record.title,
        "standfirst": record.standfirst,
        "status": record.status,
        "article_type": record.article_type,
        "published_at": record.published_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "reading_time_override": record.reading_time_override,
        "takeaways_position": record.takeaways_position,
        "takeaways": record.takeaways,
    }
    parts = [FENCE, "\n", _table(top)]
    if record.section:
        s = record.section
        parts += ["\n[section]\n", _table(vars(s))]
    parts.append("\n[hero]\n")
    parts.append(
        _table(
            {
                "image": image_name or "",
                "signature": record.hero_image_signature or None,
                "alt": record.hero_alt,
                "credit": record.hero_credit,
                "caption": record.hero_caption,
            }
        )
    )
    for author in record.authors:
        parts += ["\n[[authors]]\n", _table(vars(author))]
    for source in record.sources:
        parts += ["\n[[sources]]\n", _table(vars(source))]
    parts += [FENCE, "\n", record.body, "\n"]
    return "".join(parts)


# Reading.


def _get(data: dict, key: str, kind, problems: list[Problem], *, default=None, line=1):
    value = data.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(Problem(line, f"'{key}' should be {kind.__name__}, not {value!r}"[:200]))
        return default
    return value


def parse(text: str, *, path: Path | None = None) -> ArticleRecord:
    """Read one exported file; the hero image path is resolved beside ``path``."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0] != FENCE:
        raise ParseError([Problem(1, f"expected the front matter to open with {FENCE}")])
    try:
        end = lines.index(FENCE, 1)
    except ValueError:
        raise ParseError(
            [Problem(len(lines), f"the front matter is never closed with {FENCE}")]
        ) from None
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        # The message ends "(at line N, column M)", counted within the front matter.
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = 1 + int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at line .*\)$", "", str(error))
        raise ParseError(
            [Problem(line, f"the front matter is not valid TOML: {message}")]
        ) from None
    body = "\n".join(lines[end + 1 :]).rstrip("\n")
    problems: list[Problem] = []
    if data.get("format") != FORMAT:
        problems.append(Problem(2, f"expected format = {FORMAT!r}"))
    title = _get(data, "title", str, problems, default="")
    if not title:
        problems.append(Problem(2, "'title' is missing"))
    record = ArticleRecord(
        title=title,
        slug=_get(data, "slug", str, problems, default=""),
        standfirst=_get(data, "standfirst", str, problems, default=""),
        status=_get(data, "status", str, problems, default="draft"),
        article_type=_get(data, "article_type", str, problems, default="reporting"),
        published_at=_get(data, "published_at", datetime, problems),
        created_at=_get(data, "created_at", datetime, problems),
        updated_at=_get(data, "updated_at", datetime, problems),
        reading_time_override=_get(data, "reading_time_override", int, problems),
        takeaways_position=_get(data, "takeaways_position", int, problems),
        takeaways=_get(data, "takeaways", list, problems, default=[]),
        body=body,
    )
    for key in ("published_at", "created_at", "updated_at"):
        value = getattr(record, key)
        if value is not None and value.tzinfo is None:
            problems.append(Problem(2, f"'{key}' needs a time zone offset, e.g. +00:00"))
    if not all(isinstance(t, str) and t.strip() for t in record.takeaways):
        problems.append(Problem(2, "'takeaways' should be a list of non-empty strings"))
    if not record.slug:
        problems.append(Problem(2, "'slug' is missing"))
    section = data.get("section")
    if isinstance(section, dict) and section.get("name"):
        record.section = SectionRecord(
            name=str(section["name"]),
            slug=str(section.get("slug", "")),
            description=str(section.get("description", "")),
            order=section.get("order") if isinstance(section.get("order"), int) else None,
        )
    for i, author in enumerate(data.get("authors", [])):
        if not isinstance(author, dict) or not author.get("name"):
            problems.append(Problem(2, f"author {i + 1} has no name"))
            continue
        record.authors.append(
            AuthorRecord(**{k: str(author.get(k, "")) for k in ("name", "slug", "role", "bio")})
        )
    for i, source in enumerate(data.get("sources", [])):
        if not isinstance(source, dict) or not source.get("name") or not source.get("relation"):
            problems.append(Problem(2, f"source {i + 1} needs a name and a relation"))
            continue
        record.sources.append(
            SourceRecord(**{k: str(source.get(k, "")) for k in ("name", "relation", "url")})
        )
    hero = data.get("hero", {})
    if isinstance(hero, dict):
        record.hero_alt = str(hero.get("alt", ""))
        record.hero_credit = str(hero.get("credit", ""))
        record.hero_caption = str(hero.get("caption", ""))
        record.hero_image_signature = str(hero.get("signature", ""))
        image = str(hero.get("image", ""))
        if image:
            if "/" in image or "\\" in image or image.startswith("."):
                problems.append(Problem(2, f"the hero image {image!r} must be a plain file name"))
            elif path is None or not (path.parent / image).is_file():
                problems.append(Problem(2, f"the hero image file {image!r} is not beside the file"))
            else:
                record.hero_image = path.parent / image
    if problems:
        raise ParseError(problems)
    return record
