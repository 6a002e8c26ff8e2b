"""Full-text search over published articles.

PostgreSQL: a weighted tsvector (title A, standfirst B, body C) backed by a GIN expression
index (migration 0003), ranked with ts_rank. SQLite: every word must appear somewhere,
ranked by where it appears (title above standfirst above body).
"""

import re
from functools import lru_cache

from django.db import connection
from django.db.models import (
    Case,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Lookup
from django.utils.safestring import SafeString, mark_safe
from markupsafe import escape as markup_escape

from . import text

MAX_QUERY_LENGTH = 200
RANKED_CANDIDATES = 500
MAX_TERMS = 10
CONFIG = "english"
_TERM = re.compile(r"\w[\w'’-]*", re.UNICODE)


def clean_query(raw: str) -> str:
    """The query as we search it: printable, trimmed, not absurdly long."""
    raw = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def terms(query: str) -> list[str]:
    return [t.strip("'’-") for t in _TERM.findall(query)][:MAX_TERMS]


def _stem(word: str) -> str:
    """A crude stem for the SQLite fallback: 'batteries' and 'battery' share 'batte'."""
    return word if len(word) <= 5 else word[: max(5, len(word) - 2)]


def search_vector():
    """The weighted document vector; the GIN index in migration 0003 is built on this."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("standfirst", weight="B", config=CONFIG)
        + SearchVector("body", weight="C", config=CONFIG)
    )


class SearchDocument(Expression):
    """PostgreSQL's stored ``search_document`` column (migration 0010): the weighted
    vector above, kept up to date by the database itself (a generated column) and
    indexed with GIN, so ranking reads it instead of re-parsing every body."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f'{compiler.quote_name(alias)}."search_document"', []


def search(queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` narrowed to ``query`` and ordered best first; empty for no terms."""
    words = terms(query)
    if not words:
        return queryset.none()
    return ranked(queryset, " ".join(words))


def _query(words: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(words, search_type="plain", config=CONFIG)


class AnyWord(Func):
    """PostgreSQL: ``words`` as a query that any one of them satisfies ('climat' |
    'batteri'), each word normalised as ``plainto_tsquery`` normalises it. Ranking with it
    sums each word's weighted occurrences; the all-words query (&) makes ts_rank weigh
    every position of one word against every position of the others, so its cost grows
    with the square of how often the words occur (1.4 against 0.5 ms for the newest 500
    matches of "climate battery" at 100,000 articles). Matching still needs every word.
    The words stay one parameter; operators cannot occur inside a lexeme, so replacing
    them in the query's text is safe."""

    template = (
        "replace(plainto_tsquery('" + CONFIG + "'::regconfig, %(expressions)s)::text,"
        " ' & ', ' | ')::tsquery"
    )

    def __init__(self, words: str):
        from django.contrib.postgres.search import SearchQueryField

        super().__init__(Value(words), output_field=SearchQueryField())


def _rank(words: str):
    """Title words count most, then the standfirst's, then the body's (weights A, B, C);
    each word's score saturates as it repeats, and the words' scores are averaged."""
    from django.contrib.postgres.search import SearchRank

    return SearchRank(SearchDocument(), AnyWord(words))


def _newest_matches(queryset: QuerySet, words: str) -> QuerySet:
    """PostgreSQL: ``queryset``'s articles with every one of ``words``, newest first.
    Ranking reads each match's vector and a common word can match most of a large
    archive, so only the newest RANKED_CANDIDATES of these are ranked: a query's cost is
    bounded however large the archive grows."""
    return (
        queryset.alias(document=SearchDocument())
        .filter(document=_query(words))
        .order_by("-published_at", "-id")
    )


def ranked(queryset: QuerySet, words: str) -> QuerySet:
    """``queryset`` narrowed to articles with every one of ``words`` (space-separated
    terms, as ``terms`` gives them), best first. On PostgreSQL the words are one
    parameter of the SQL, so the query can be compiled once (models/prepared.py)."""
    if connection.vendor == "postgresql":
        candidates = _newest_matches(queryset, words).values("pk")[:RANKED_CANDIDATES]
        return by_rank(queryset.filter(pk__in=Subquery(candidates)), words)
    condition = Q()
    for word in map(_stem, words.split()):
        condition &= (
            Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body__icontains=word)
        )
    return by_rank(queryset.filter(condition), words)


def newest_ranked(queryset: QuerySet, words: str) -> QuerySet:
    """PostgreSQL: the newest RANKED_CANDIDATES matches of ``words`` with their rank, as
    (id, published_at, rank) rows; ``best_of`` cuts a page of the best from them. Each
    candidate is ranked as it is found, so no match is read twice."""
    return (
        _newest_matches(queryset, words)
        .annotate(rank=_rank(words))
        .values("id", "published_at", "rank")[:RANKED_CANDIDATES]
    )


def best_of(sql: str, start: int, stop: int) -> str:
    """SQL for rows ``start`` to ``stop``, best ranked first, of ``newest_ranked``'s SQL:
    the same articles in the same order as ``ranked(queryset, words)[start:stop]``, which
    reads each candidate again by its key to rank it (about twice the database's time)."""
    start, stop = int(start), int(stop)
    return (
        f'SELECT "c"."id", "c"."published_at", "c"."rank" FROM ({sql}) "c" '
        f'ORDER BY "c"."rank" DESC, "c"."published_at" DESC, "c"."id" DESC '
        f"LIMIT {stop - start} OFFSET {start}"
    )


class _AnyOf(Lookup):
    """``lhs = ANY(rhs)``: the right-hand side is an array."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def one_of(ids: list[int]) -> Lookup:
    """PostgreSQL: the articles whose id is in ``ids``, as one array parameter
    (``id = ANY(%s)``), so the SQL is the same however many ids a page has."""
    from django.contrib.postgres.fields import ArrayField

    return _AnyOf(F("pk"), Value(list(ids), output_field=ArrayField(IntegerField())))


def by_rank(queryset: QuerySet, words: str) -> QuerySet:
    """``queryset`` (articles already known to match ``words``) best first, with ``rank``.
    A page of results is ranked again by this alone, not searched again."""
    if connection.vendor == "postgresql":
        return queryset.annotate(rank=_rank(words)).order_by("-rank", "-published_at", "-id")
    score = Value(0, output_field=IntegerField())
    for word in map(_stem, words.split()):
        score = score + Case(
            When(title__icontains=word, then=Value(100)),
            When(standfirst__icontains=word, then=Value(10)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return queryset.annotate(rank=score * Value(1.0, output_field=FloatField())).order_by(
        F("rank").desc(), "-published_at", "-id"
    )


@lru_cache(maxsize=256)
def _matcher(query: str) -> tuple[tuple[str, ...], re.Pattern | None]:
    """The query's words, their first five letters in lower case, and the pattern that
    finds the words they start in HTML-escaped text (worked out once per query, not once
    per result). The pattern looks for the escaped letters (an apostrophe is &#39;), and
    starts no match inside an entity (the amp of &amp;, the 39 of &#39;): it finds in
    the escaped text exactly the words it would find in the text."""
    words = tuple(w for w in terms(query) if w)
    if not words:
        return (), None
    escaped = {str(markup_escape(w.lower()[:5])) for w in words}
    stems = sorted(map(re.escape, escaped), key=len, reverse=True)
    # The first letters, looked for first: the regex engine then skips the positions
    # where no stem starts, where it would otherwise try every alternative (twice as fast).
    starts = "".join(sorted({re.escape(stem[0]) for stem in escaped}))
    pattern = re.compile(rf"(?=[{starts}])(?<!&)(?<!&#)\b(?:{'|'.join(stems)})\w*", re.IGNORECASE)
    return tuple(w.lower()[:5] for w in words), pattern


def highlight(value: str, query: str, *, length: int = 0) -> SafeString:
    """Escape ``value`` and wrap words that match the query in <mark>.

    A word matches a term when it starts with the term's first five letters, so simple
    inflections ("elections" for "election") light up as PostgreSQL's stemming finds them.
    With ``length``, show an excerpt of about that many characters around the first match.
    """
    finds, pattern = _matcher(query)
    plain = value
    if length and len(plain) > length:
        start = 0
        lowered = plain.lower()
        positions = [p for p in (lowered.find(f) for f in finds) if p >= 0]
        if positions:
            start = max(0, min(positions) - length // 3)
            start = plain.rfind(" ", 0, start) + 1 if start else 0
        excerpt = plain[start : start + length]
        cut = excerpt.rfind(" ")
        excerpt = excerpt[:cut] if cut > length // 2 else excerpt
        plain = ("… " if start else "") + excerpt + " …"
    # Escaped once, then marked in one pass (both in C): a results page highlights
    # twenty texts.
    escaped = str(markup_escape(plain))
    if pattern is None:
        return mark_safe(escaped)
    return mark_safe(pattern.sub(r"<mark>\g<0></mark>", escaped))


def excerpt(standfirst: str, body: str, query: str, *, length: int = 260) -> SafeString:
    """A search result's excerpt: ``highlight(f"{standfirst} {text.plain_text(body)}",
    query, length=length)``, with the body read only up to a little past the excerpt
    (a result's first match is usually in its first paragraphs; turning a whole body into
    text cost more than the rest of the results page)."""
    finds, _ = _matcher(query)
    source = standfirst + " "
    first = -1
    for n, piece in enumerate(text.plain_pieces(body)):
        source += (" " if n else "") + piece
        if first < 0 and finds:
            found = [p for p in (source.lower().find(f) for f in finds) if p >= 0]
            first = min(found, default=-1)
        # Enough once the window after the first match is read: a match found later
        # starts after it, and the text is then longer than ``length`` as a whole too.
        if first >= 0 and len(source) > first + length + 16:
            break
    return highlight(source, query, length=length)
