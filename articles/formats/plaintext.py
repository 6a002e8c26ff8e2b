"""The plain-text page format (see shared/formats/plain-text-article.md).

A page copied out as text: section label, title, standfirst, byline, optional hero image
alt text and credit, body, source line; blocks separated by blank lines. Everything in
the text is text: anything that looks like HTML is escaped, never trusted as markup.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.timezone import make_aware

from . import ArticleRecord, AuthorRecord, ParseError, Problem, SectionRecord, SourceRecord

MAX_BYTES = 2_000_000
_TYPES = {"reporting", "analysis", "commentary", "opinion", "review", "sponsored"}
_BULLET = re.compile(r"^\s*[•\-*‣◦·]\s+(?P<text>.*\S)\s*$")
_READING = re.compile(r"^(?P<minutes>\d{1,3})\s*min(?:ute)?s?(?:\s+read)+$", re.I)
_CLOSING = tuple('.!?:;…"”’)')
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s+[\"“‘(]?[A-Z0-9]")
_SOURCE = re.compile(r"^Sources?:\s*(?P<sources>.*?)\s*$", re.S)
_STATEMENT = re.compile(
    r"This article is (?P<original>original )?(?P<type>[\w -]+?) by (?P<magazine>.+?)\.?\s*$", re.I
)
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%Y-%m-%d")


@dataclass
class _Block:
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.lines)

    @property
    def single(self) -> bool:
        return len(self.lines) == 1


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append(_Block(start, current))
            current = []
    if current:
        blocks.append(_Block(start, current))
    return blocks


def _normalise(raw: str) -> str:
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    # Control characters other than newlines and tabs are never part of an article.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _is_heading_like(block: _Block) -> bool:
    words = block.text.split()
    return (
        block.single
        and 0 < len(words) <= 14
        and len(block.text) <= 120
        and not block.text.endswith(_CLOSING)
        and not _BULLET.match(block.lines[0])
    )


def _is_pull_quote(block: _Block) -> bool:
    text = block.text
    return (
        block.single
        and 20 <= len(text) <= 220
        and text.endswith((".", "!", "?", "”", '"'))
        and not _SENTENCE_END.search(text)
    )


def split_names(names: str) -> list[str]:
    """'A, B and C' -> ['A', 'B', 'C'] (an Oxford comma is fine)."""
    parts = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", names.strip())
    return [re.sub(r"^and\s+", "", p).strip() for p in parts if p.strip()]


def _parse_date(value: str) -> datetime | None:
    value = " ".join(value.replace(",", ", ").split()).replace(" ,", ",")
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return make_aware(datetime.combine(day, time()), ZoneInfo(settings.TIME_ZONE))
    return None


def _parse_byline(block: _Block, record: ArticleRecord, problems: list[Problem]) -> None:
    text = block.text
    if not text.startswith("By "):
        problems.append(
            Problem(block.line, f"expected the byline, starting 'By ', but found {text[:60]!r}")
        )
        return
    fields = [f.strip() for f in text[3:].split("·")]
    names = split_names(fields[0])
    if not names:
        problems.append(Problem(block.line, "the byline names no author"))
    record.authors = [AuthorRecord(name=n[:120]) for n in names]
    for value in fields[1:]:
        if not value:
            continue  # a badly rendered page leaves an empty field: "· ·"
        if _READING.match(value):
            continue  # reading time is computed from the body, never copied
        when = _parse_date(value)
        if when is None:
            problems.append(
                Problem(
                    block.line,
                    f"the byline field {value[:40]!r} is neither a date like "
                    "'12 March 2026' nor a reading time like '5 min read'",
                )
            )
        elif record.published_at is not None:
            problems.append(Problem(block.line, "the byline gives two dates"))
        else:
            record.published_at = when


def _parse_source_line(block: _Block, record: ArticleRecord, problems: list[Problem]) -> None:
    match = _SOURCE.match(block.text)
    assert match  # the caller checked the prefix
    rest = match.group("sources")
    statement = _STATEMENT.search(rest)
    if statement:
        kind = statement.group("type").strip().lower()
        kind = "sponsored" if kind.startswith("sponsored") else kind
        if kind not in _TYPES:
            problems.append(
                Problem(
                    block.line,
                    f"unknown article type {kind!r} in the source line; expected one of "
                    + ", ".join(sorted(_TYPES)),
                )
            )
        else:
            record.article_type = kind
        rest = rest[: statement.start()]
    rest = rest.strip().rstrip(".").strip()
    for item in filter(None, (s.strip() for s in rest.split(";"))):
        parts = re.split(r"\s+[—–-]\s+", item, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            problems.append(
                Problem(
                    block.line,
                    f"the source {item[:60]!r} should read 'NAME — WHAT THEY DID', "
                    "e.g. 'Reuters — wire reporting'",
                )
            )
            continue
        record.sources.append(
            SourceRecord(name=parts[0].strip()[:200], relation=parts[1].strip().rstrip(".")[:120])
        )


def parse(raw: str) -> ArticleRecord:
    """Turn one plain-text page into an ArticleRecord, or raise ParseError."""
    if len(raw) > MAX_BYTES:
        raise ParseError([Problem(0, f"the file is larger than {MAX_BYTES:,} characters")])
    blocks = _blocks(_normalise(raw))
    problems: list[Problem] = []
    if len(blocks) < 5:
        raise ParseError(
            [
                Problem(
                    blocks[-1].line if blocks else 1,
                    "expected at least a section label, title, standfirst, byline and body, "
                    f"separated by blank lines; found {len(blocks)} block(s)",
                )
            ]
        )
    label, title, standfirst, byline, *rest = blocks
    if not label.single or len(label.text) > 60:
        problems.append(Problem(label.line, "expected the section label on one line, e.g. TECH"))
    if not title.single:
        problems.append(Problem(title.line, "expected the title on one line"))
    if len(title.text) > 200:
        problems.append(Problem(title.line, "the title is longer than 200 characters"))
    record = ArticleRecord(
        title=title.text[:200],
        slug=slugify(title.text)[:200],
        standfirst=standfirst.text[:400],
        section=SectionRecord(name=label.text.strip().title()[:60]),
    )
    if not record.slug:
        problems.append(Problem(title.line, "the title has no letters or digits to make a slug"))
    if len(standfirst.text) > 400:
        problems.append(Problem(standfirst.line, "the standfirst is longer than 400 characters"))
    _parse_byline(byline, record, problems)

    if rest and rest[-1].text.startswith(("Source:", "Sources:")):
        _parse_source_line(rest[-1], record, problems)
        rest = rest[:-1]
    else:
        line = rest[-1].line if rest else byline.line
        problems.append(
            Problem(
                line,
                "expected the source line last: 'Source: NAME — RELATION. "
                "This article is original TYPE by MAGAZINE.'",
            )
        )

    if len(rest) >= 3 and _is_heading_like(rest[0]) and _is_heading_like(rest[1]):
        record.hero_alt, record.hero_credit = rest[0].text[:300], rest[1].text[:200]
        rest = rest[2:]

    body: list[str] = []
    index = 0
    while index < len(rest):
        block = rest[index]
        first = block.lines[0].strip()
        if first.lower().rstrip(":") == "key takeaways":
            bullets = block.lines[1:]
            if not bullets and index + 1 < len(rest):
                index += 1
                bullets = rest[index].lines
            items = [_BULLET.match(line) for line in bullets]
            if not bullets or not all(items):
                problems.append(
                    Problem(
                        block.line,
                        "'Key Takeaways' must be followed by lines that start with a bullet "
                        "(•, - or *)",
                    )
                )
            elif record.takeaways:
                problems.append(Problem(block.line, "a second 'Key Takeaways' list"))
            else:
                record.takeaways = [m.group("text")[:400] for m in items]
                record.takeaways_position = len(body)
        elif all(_BULLET.match(line) for line in block.lines):
            items = "".join(
                f"<li>{escape(_BULLET.match(x).group('text'))}</li>" for x in block.lines
            )
            body.append(f"<ul>{items}</ul>")
        elif _is_heading_like(block):
            body.append(f"<h2>{escape(block.text)}</h2>")
        elif body and _is_pull_quote(block):
            body.append(f"<blockquote><p>{escape(block.text)}</p></blockquote>")
        else:
            body.append(f"<p>{escape(block.text)}</p>")
        index += 1
    if not body:
        problems.append(Problem(byline.line, "the article has no body text"))
    if record.takeaways_position == len(body):
        record.takeaways_position = None  # at the end: the default place
    record.body = "".join(body)
    if problems:
        raise ParseError(problems)
    return record
