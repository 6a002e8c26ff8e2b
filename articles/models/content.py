"""The magazine's content: sections, authors and articles with their bylines,
takeaways and sources."""

import re
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from types import MappingProxyType

import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import (
    Aggregate,
    Case,
    F,
    Func,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, JSONObject, RowNumber
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_prose_editor.fields import ProseEditorField

from .. import caching, text
from ..links import url

# Cached list of sections shown in every page's navigation.
NAV_CACHE_KEY = "magazine:menu-sections"


# Paths the site itself uses at the top level; a section cannot take them.
RESERVED_SECTION_SLUGS = (
    "admin",
    "articles",
    "authors",
    "feeds",
    "media",
    "search",
    "static",
    "sitemap",
    "healthz",
    "preview",
    "corrections",
)


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another address.")


def forget_sections(*tags: str) -> None:
    """Drop the cached menu of sections (and the pages under ``tags``)."""
    cache.delete(NAV_CACHE_KEY)
    if tags:
        caching.purge(*tags)


class Section(models.Model):
    class Colour(models.TextChoices):
        RED = "red", "Red"
        BLUE = "blue", "Blue"
        GREEN = "green", "Green"
        PURPLE = "purple", "Purple"
        ORANGE = "orange", "Orange"
        TEAL = "teal", "Teal"

    name = models.CharField(max_length=60, unique=True, help_text="As readers see it, e.g. Tech.")
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_section_slug],
        help_text="The section's web address: /tech/ for Tech.",
    )
    colour = models.CharField(
        max_length=10,
        choices=Colour.choices,
        default=Colour.RED,
        help_text="The accent colour of the section's label and pages.",
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown on the section's page."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed by this number, lowest first."
    )

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SECTION_SLUGS), name="section_slug_not_reserved"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="section_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        tags = ("nav", f"section:{self.pk}", "home", "feeds", "sitemaps")
        forget_sections(*tags)
        # Again once committed: a reader may have cached the old menu in between.
        transaction.on_commit(lambda: forget_sections(*tags))

    def get_absolute_url(self) -> str:
        return url("articles:section-detail", self.slug)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_sections()
        transaction.on_commit(forget_sections)
        return result

    @property
    def label(self) -> str:
        """The label printed above a headline: TECH."""
        return self.name.upper()


class Author(models.Model):
    name = models.CharField(max_length=120, help_text="As printed in bylines.")
    slug = models.SlugField(max_length=120, unique=True)
    role = models.CharField(
        max_length=120, blank=True, help_text="Role or title, e.g. Science correspondent."
    )
    bio = models.TextField(blank=True, help_text="A short biography, in plain text.")
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The account this author signs in with, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        caching.purge(f"author:{self.pk}")
        transaction.on_commit(lambda: caching.purge(f"author:{self.pk}"))

    def get_absolute_url(self) -> str:
        return url("articles:author-detail", self.slug)

    url = property(get_absolute_url)  # as BylineAuthor has it: bylines read it


@dataclass(frozen=True, slots=True)
class BylineAuthor:
    """An author as a byline shows them, read from an article query's JSON: cheaper than
    a model instance, and all a reader's page needs (name and address)."""

    pk: int
    name: str
    slug: str

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url("articles:author-detail", self.slug)

    url = property(get_absolute_url)  # what a byline reads (see ArticleCard.url)


def byline_from_json(data) -> list[BylineAuthor]:
    """The authors in byline order, from a query's ``byline_data`` JSON array."""
    return [
        BylineAuthor(pk=row["author_id"], name=row["name"], slug=row["slug"]) for row in _rows(data)
    ]


@dataclass(frozen=True, slots=True)
class TakeawayItem:
    """A takeaway as the article page shows it, read from the article query's JSON."""

    pk: int
    text: str
    position: int


@dataclass(frozen=True, slots=True)
class SourceItem:
    """A source as the source line and the JSON-LD name it, read from the query's JSON."""

    pk: int
    name: str
    relation: str
    url: str
    position: int


@dataclass(frozen=True, slots=True)
class SectionLabel:
    """A section as a card shows it: its label, colour and address."""

    pk: int
    name: str
    slug: str
    colour: str

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.name.upper()

    def get_absolute_url(self) -> str:
        return url("articles:section-detail", self.slug)

    url = property(get_absolute_url)  # what cards and the menu read (see ArticleCard.url)


@dataclass(frozen=True, slots=True)
class MenuSection(SectionLabel):
    """A section as the menu and the section's own page show it, in plain values: the
    menu is read on every page (from the cache, or with an article's own query), and
    these cost a fraction of a model instance to build or unpickle."""

    description: str
    order: int

    @classmethod
    def of(cls, section: "Section") -> "MenuSection":
        return cls(**{name: getattr(section, name) for name in MENU_FIELDS})


MENU_FIELDS = tuple(f.name for f in dataclass_fields(MenuSection))


@lru_cache(maxsize=1)
def _hero_image_field():
    return Article._meta.get_field("hero_image")


# What a card shows of its hero image (search results leave these out).
_PICTURE_FIELDS = (
    "hero_image",
    "hero_width",
    "hero_height",
    "card_renditions",
    "hero_focal_x",
    "hero_focal_y",
    "hero_alt",
)


class ArticleCard:
    """An article as a list shows it (home, section, author, search, related): plain
    values from the listing query, not a model instance, which cost as much to build as
    the query took to run. It answers what the card templates, the picture helpers and the
    page's cache tags ask of an article. Search adds its highlights as attributes."""

    # What ArticleQuerySet.cards() selects.
    FIELDS = (
        "id",
        "title",
        "slug",
        "standfirst",
        "section_id",
        "published_at",
        *_PICTURE_FIELDS,
        "section__name",
        "section__slug",
        "section__colour",
        "byline_data",
    )
    # Without the hero image's fields: search results show no picture (cards(
    # pictures=False)), and such a card has none (the defaults below).
    TEXT_FIELDS = tuple(name for name in FIELDS if name not in _PICTURE_FIELDS)
    hero_width = hero_height = hero_focal_x = hero_focal_y = None
    card_renditions = MappingProxyType({})
    hero_alt = ""
    _byline = None

    def __init__(self, row: dict):
        self.__dict__.update(row)
        self._row = row
        self.pk = row["id"]
        self.section = (
            SectionLabel(
                row["section_id"],
                row["section__name"],
                row["section__slug"],
                row["section__colour"],
            )
            if row["section_id"] is not None
            else None
        )
        field = _hero_image_field()
        # Without the card as its instance (a card reads only its name and address): a
        # file that points back at its card made each card a reference cycle, and a
        # page's cards waited for the cyclic garbage collector instead of going with it.
        self.hero_image = field.attr_class(None, field, row.get("hero_image") or "")

    @classmethod
    def from_json(cls, row: dict) -> "ArticleCard":
        """A card from a JSON object with the same keys (``with_related``): the date comes
        as ISO text, and SQLite hands nested JSON back as text."""
        published = row["published_at"]
        if isinstance(published, str):
            try:  # ISO 8601 as PostgreSQL writes it: the standard library's C parser
                published = datetime.fromisoformat(published)
            except ValueError:
                published = parse_datetime(published)
            if published is not None and timezone.is_naive(published):
                published = published.replace(tzinfo=UTC)  # SQLite keeps UTC, unmarked
        renditions = row["card_renditions"]
        if isinstance(renditions, str):
            renditions = orjson.loads(renditions)
        return cls({**row, "published_at": published, "card_renditions": renditions or {}})

    def __repr__(self) -> str:
        return f"<ArticleCard {self.pk}: {self.slug}>"

    def get_absolute_url(self) -> str:
        return url("articles:article-detail", self.slug)

    def byline_authors(self) -> list[BylineAuthor]:
        if self._byline is None:
            self._byline = byline_from_json(self.byline_data)
        return self._byline

    # The card template reads these as attributes: a method call from a Jinja template
    # goes through its Context.call, which cost more than the values themselves.
    url = property(get_absolute_url)
    authors = property(byline_authors)

    @property
    def hero_renditions(self) -> dict:
        """What the picture helpers read of the renditions listing: a card's part of it
        (CardRenditions)."""
        return self.card_renditions

    @cached_property
    def content_key(self) -> bytes | None:
        """Every value of this article that its card shows (its listing row, which holds
        its section's and authors' names too), as bytes: the card macro remembers the HTML
        it wrote for a card by this (templating.REMEMBERED). None if a value has no JSON.
        Worked out once per card (related cards serve page after page).

        Copied into bytes of its own length: orjson's result keeps the buffer it was
        written in (4 KB or more for a card's 0.5-1 KB), and a remembered key lives as
        long as the worker (2,048 cards: 8 MB instead of 1.5)."""
        try:
            return bytes(memoryview(orjson.dumps(self._row)))
        except TypeError:
            return None


class _JSONRows(JSONField):
    """JSON rows the reader queries build: decoded by the driver already (psycopg decodes
    json_agg, with orjson: magazine/postgresql), or text (SQLite), decoded with orjson."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, (str, bytes)):
            return orjson.loads(value)
        return value


class RenditionsField(JSONField):
    """The hero image's renditions listing, as ``renditions.make_renditions`` writes it
    (file names and pixel sizes), read with orjson: about 2.3 KB of JSON a picture, which
    the standard library's json took 6 µs to read and orjson 2.6 (a home page reads 20).
    Text orjson refuses (NaN, Infinity, a lone surrogate) is read by JSONField itself; an
    integer beyond 64 bits, which orjson reads as a float, is not something the listing
    holds. Only reading differs from JSONField: the column is the same (migration 0016
    changes Django's state only)."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)


class CardRenditions(Func):
    """The part of the hero image's renditions listing that a card reads: its key (is it
    current?) and the card crops. A card shows no other; the listing also names the
    hero's, the square's and the social image's files, three quarters of its 2.3 KB,
    which a home page's twenty cards sent and read for nothing."""

    output_field = RenditionsField()
    template = (
        "JSON_OBJECT('key', JSON_EXTRACT(%(expressions)s, '$.key'),"
        " 'card', JSON(JSON_EXTRACT(%(expressions)s, '$.card')))"
    )

    def __init__(self):
        super().__init__(F("hero_renditions"))

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "JSONB_BUILD_OBJECT('key', %(expressions)s -> 'key', 'card', %(expressions)s -> 'card')"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


class JSONGroupArray(Aggregate):
    """Rows aggregated into a JSON array: json_group_array (SQLite), json_agg (PostgreSQL)."""

    function = "JSON_GROUP_ARRAY"
    output_field = _JSONRows()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_AGG", **extra)


class JSONRow(JSONObject):
    """``JSONObject`` for rows that are only read back, never queried.

    - On PostgreSQL it is plain ``json_build_object``, which writes the values out as they
      are, where Django's ``jsonb_build_object`` first builds a binary jsonb value that
      ``json_agg`` then prints again (a tenth of the server's time for the article page's
      query: 0.34 -> 0.30 ms).
    - The keys, names from our own code, are written into the SQL, where Django sends each
      as a parameter: the article page's query had 55 parameters, 37 of them its keys.
    """

    _KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

    def _build(self, compiler, function: str):
        expressions = self.get_source_expressions()
        pairs, params = [], []
        for key, value in zip(expressions[::2], expressions[1::2], strict=True):
            if not self._KEY.fullmatch(key.value):
                raise ValueError(f"JSONRow keys are names, not {key.value!r}")
            value_sql, value_params = compiler.compile(value)
            pairs.append(f"'{key.value}', {value_sql}")
            params.extend(value_params)
        return f"{function}({', '.join(pairs)})", tuple(params)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._build(compiler, "JSON_OBJECT")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._build(compiler, "JSON_BUILD_OBJECT")


class JSONArrayOf(Subquery):
    """The single column ``item`` of a subquery's rows (JSON objects) as one JSON array,
    in the subquery's order; NULL or an empty array when it has no rows. It comes back as
    its text, not decoded: the same text reads as the same values, so a reader of it can
    remember what it made of a text (a section's related cards and the menu are the same
    text on page after page) and skip decoding it again."""

    output_field = TextField()
    template = '(SELECT JSON_GROUP_ARRAY(JSON("_rows"."item")) FROM (%(subquery)s) "_rows")'

    def as_postgresql(self, compiler, connection, **extra):
        template = '(SELECT JSON_AGG("_rows"."item")::text FROM (%(subquery)s) "_rows")'
        return self.as_sql(compiler, connection, template=template, **extra)


def sections_from_json(rows) -> list[MenuSection]:
    """The sections of ``with_menu``'s ``menu_data`` (its JSON text), in menu order."""
    if isinstance(rows, str):
        return list(_sections_from_text(rows))
    rows = sorted(_rows(rows), key=lambda row: row["place"])
    return [MenuSection(**{name: row[name] for name in MENU_FIELDS}) for row in rows]


@lru_cache(maxsize=8)
def _sections_from_text(text: str) -> tuple[MenuSection, ...]:
    """The menu read from its text once per worker (it is the same on every page until a
    section changes, and then the text is new); MenuSections are immutable."""
    return tuple(sections_from_json(orjson.loads(text)))


def _byline_json():
    return _json_rows(
        Byline,
        name="author__name",
        slug="author__slug",
        author_id="author_id",
        position="position",
    )


def _json_rows(model, **fields):
    """A subquery giving an article's ``model`` rows as a JSON array of objects."""
    from django.apps import apps

    if isinstance(model, str):
        model = apps.get_model("articles", model)
    rows = (
        model.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(rows=JSONGroupArray(JSONRow(**fields)))
        .values("rows")
    )
    return Subquery(rows, output_field=_JSONRows())


def _rows(data, key: str = "position") -> list[dict]:
    if isinstance(data, str):  # some drivers hand back the JSON text
        data = orjson.loads(data)
    return sorted(data or [], key=lambda row: (row.get(key) or 0, row.get("pk") or 0))


def arrange_front_page(articles: list, sections, per_section: int):
    """The newest of ``articles`` (newest first) leads; the rest go under their sections."""
    if not articles:
        return None, []
    lead = articles[0]
    by_section: dict[int, list] = {}
    for article in articles[1:]:
        by_section.setdefault(article.section_id, []).append(article)
    groups = [
        (section, by_section[section.pk][:per_section])
        for section in sections
        if by_section.get(section.pk)
    ]
    return lead, groups


# Set while bulk_update writes bodies it has sanitised.
_BODIES_SANITISED: ContextVar[bool] = ContextVar("bodies_sanitised", default=False)


class ArticleQuerySet(models.QuerySet):
    # Writing. A body is stored sanitised (Article.derive_fields), whichever way it is
    # written: save(), and these bulk writes too. Pages then print it as stored, and no
    # reader waits on the sanitiser (2% of an article page's instructions, and nh3's code
    # in every worker's memory). After the allowlist changes, `manage.py sanitize_bodies`
    # brings stored bodies in line.

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for article in objs:
            article.derive_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if {"body", "reading_time_override"} & set(fields):
            for article in objs:
                article.derive_fields()
            fields += [name for name in Article.DERIVED_FIELDS if name not in fields]
        # Django writes them with update(), each body in an expression.
        sanitised = _BODIES_SANITISED.set(True)
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _BODIES_SANITISED.reset(sanitised)

    def update(self, **kwargs):
        if "body" in kwargs and not _BODIES_SANITISED.get():
            body = kwargs["body"]
            if not isinstance(body, str):
                raise TypeError(
                    "Article.body is stored sanitised: update it with text, not "
                    f"{type(body).__name__}"
                )
            kwargs["body"], kwargs["word_count"], minutes = Article.body_derived(body)
            # As derive_fields: an editor's reading time, where set, else the body's.
            kwargs["reading_time"] = Coalesce(F("reading_time_override"), Value(minutes))
        return super().update(**kwargs)

    # Reading.

    def published(self, *, at=None):
        """What readers may see: the one rule, used by every reader-facing page.

        Published (or scheduled) articles whose publication time has come, that have
        not expired and are not under embargo. It compares with the current time, so a
        scheduled article goes live, and an expired one goes away, without anyone acting.
        """
        now = at or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status__in=_LIVE,
            published_at__lte=now,
        )

    def by_author(self, author_id: int, *, at=None, also: Q | None = None):
        """``author_id``'s articles, newest first, along the byline's (author, date) index
        (byline_author_pub_idx): a page of them is found in a short walk however many the
        author has. Chain it after published(), with the same ``at``. ``also``: more
        conditions on the same byline (a separate filter() would join another)."""
        return self.filter(
            also or Q(),
            bylines__author_id=author_id,
            bylines__published_at__lte=at or timezone.now(),
        ).order_by("-bylines__published_at", "-bylines__article_id")

    def due(self, *, at=None):
        """Scheduled articles whose time has come (publish_scheduled marks them published)."""
        return self.filter(status=ArticleStatus.SCHEDULED, published_at__lte=at or timezone.now())

    def expired(self, *, at=None):
        """Live articles whose expiry time has passed (publish_scheduled archives them)."""
        return self.filter(status__in=_LIVE, expires_at__lte=at or timezone.now())

    def for_listing(self):
        """What a list of article cards shows, in one query: the byline comes along as a
        JSON array aggregated in a subquery, however many articles and authors there are."""
        return (
            self.select_related("section")
            .annotate(byline_data=_byline_json())
            .defer("body", "hero_image_digest", "created_by", "version")
            .order_by("-published_at", "-id")
        )

    def cards(self, *extra: str, pictures: bool = True):
        """The listing as ArticleCard values (``extra`` fields too, e.g. the body): what
        readers' lists use; each row becomes an ArticleCard. Without ``pictures``, the
        hero image's fields are left out (search results show none: a picture's listing
        of renditions is about 2.3 KB of JSON to send and read)."""
        if not pictures:
            return self.for_listing().values(*ArticleCard.TEXT_FIELDS, *extra)
        fields = [name for name in ArticleCard.FIELDS if name != "card_renditions"]
        return self.for_listing().values(*fields, *extra, card_renditions=CardRenditions())

    def for_search(self):
        """Like for_listing, but with the body, for excerpts."""
        return self.for_listing().defer(None)

    def related_to(self, article: "Article", *, limit: int = 3):
        """A few of the latest other articles from the same section."""
        if article.section_id is None:
            return self.none()
        return (
            self.for_listing().filter(section_id=article.section_id).exclude(pk=article.pk)[:limit]
        )

    def with_related(self, *, at=None, limit: int = 3):
        """Each article with ``related_data``: the cards of ``related_to`` (its section's
        latest other articles, published at ``at``) as a JSON array, so an article page
        gets them in its own query instead of a second one. ArticleCard.from_json reads
        them."""
        fields = {
            name: F(name)
            for name in ArticleCard.FIELDS
            if name not in {"byline_data", "card_renditions"}
        }
        cards = (
            Article.objects.published(at=at)
            .filter(section_id=OuterRef("section_id"))
            .exclude(pk=OuterRef("pk"))
            .order_by("-published_at", "-id")
            .values(
                item=JSONRow(**fields, card_renditions=CardRenditions(), byline_data=_byline_json())
            )[:limit]
        )
        return self.annotate(related_data=JSONArrayOf(cards))

    def with_menu(self, *, once: bool = False):
        """Each article with ``menu_data``: every section, as the site's menu lists them, as
        a JSON array with each one's place in the menu (``sections_from_json`` reads it).
        An article page then needs neither the cache nor a query of its own for its menu,
        and can never show a menu older than its article. With ``once``, only the first
        row the query returns carries it (the others None): a list needs it once."""
        ordering = Section._meta.ordering
        sections = Section.objects.order_by(*ordering).values(
            item=JSONRow(
                **{name: F(name) for name in MENU_FIELDS},
                place=Window(RowNumber(), order_by=[F(name).asc() for name in ordering]),
            )
        )
        menu = JSONArrayOf(sections)
        if once:
            first = Exact(Window(RowNumber()), Value(1))
            menu = Case(When(first, then=menu), default=None, output_field=menu.output_field)
        return self.annotate(menu_data=menu)

    def newest_ids(self, *, section_ids, per_section: int = 4, fields=("id", "published_at")):
        """The ids of each section's ``per_section`` newest articles, as (id, date) rows
        (or the ``fields`` asked for: ("id",) to use it as a subquery).

        One query however large the archive: each section's newest ids by walking its
        (section, date) index, all in one UNION ALL (SQLite: a window function instead).
        """
        if connection.features.supports_slicing_ordering_in_compound:
            newest = [
                self.filter(section_id=pk)
                .order_by("-published_at", "-id")
                .values_list(*fields)[:per_section]
                for pk in section_ids
            ]
            return newest[0].union(*newest[1:], all=True) if len(newest) > 1 else newest[0]
        return (
            self.filter(section_id__in=section_ids)
            .annotate(
                row=Window(
                    RowNumber(),
                    partition_by=[F("section_id")],
                    order_by=[F("published_at").desc(), F("id").desc()],
                )
            )
            .filter(row__lte=per_section)
            .values_list(*fields)
        )

    def front_page(self, *, sections, per_section: int = 4):
        """The lead story and, for each section in menu order, its latest other articles.

        Two queries however large the archive: the newest ids of each section, then only
        those rows with their bylines. The newest article overall is the newest of its
        section, so the lead is among them.
        """
        if not sections:
            return None, []
        ids = [
            row[0]
            for row in self.newest_ids(
                section_ids=[s.pk for s in sections], per_section=per_section + 1
            )
        ]
        articles = list(self.for_listing().filter(pk__in=ids)) if ids else []
        return arrange_front_page(articles, sections, per_section)

    def for_detail(self):
        """Everything an article page shows, in one query (relations as JSON arrays)."""
        return self.select_related("section").annotate(
            byline_data=_byline_json(),
            takeaway_data=_json_rows(Takeaway, text="text", position="position", pk="id"),
            source_data=_json_rows(
                Source, name="name", relation="relation", url="url", position="position", pk="id"
            ),
            correction_data=_json_rows(
                "Correction", kind="kind", text="text", published_at="published_at", pk="id"
            ),
        )


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleType(models.TextChoices):
    REPORTING = "reporting", "Reporting"
    ANALYSIS = "analysis", "Analysis"
    COMMENTARY = "commentary", "Commentary"
    OPINION = "opinion", "Opinion"
    REVIEW = "review", "Review"
    SPONSORED = "sponsored", "Sponsored"


# Plain strings: psycopg finds a str's adapter at once, an enum member's by walking its
# classes, raising and catching a KeyError at each, on every query.
_LIVE = [ArticleStatus.PUBLISHED.value, ArticleStatus.SCHEDULED.value]


class Article(models.Model):
    Status = ArticleStatus
    Type = ArticleType
    _byline = None  # the byline read from byline_data, once (asked for most often)
    _read = None  # the takeaways, sources and corrections read from their JSON, once

    # States in which readers may see the article once its time has come.
    LIVE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The article's web address; filled from the title."
    )
    standfirst = models.TextField(
        blank=True,
        max_length=400,
        help_text="One or two sentences under the headline that say why the story matters.",
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        db_index=False,  # article_section_idx (section, status, -published_at) serves it
    )
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    # Indexed by article_status_idx (Meta.indexes) alone: db_index here made a second
    # index of the same column, and on PostgreSQL a third for LIKE, kept up on every write.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="When readers first see it. A scheduled article goes live at this time.",
    )
    expires_at = models.DateTimeField(
        "expires",
        null=True,
        blank=True,
        help_text="Optional: when readers stop seeing it (it is then archived).",
    )
    embargo_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        help_text="Optional: invisible everywhere for readers until this time, whatever its state.",
    )
    updated_at = models.DateTimeField("last updated", auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Bumped on every save: an edit form that started from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    article_type = models.CharField(
        "type",
        max_length=20,
        choices=Type.choices,
        default=Type.REPORTING,
        help_text="Tells readers what kind of work this is, on the source line.",
    )
    hero_image = models.ImageField(
        "hero image",
        upload_to="heroes/",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        help_text="JPEG, PNG, WebP or AVIF. It is re-encoded and stripped of location data.",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_focal_x = models.FloatField(
        "focal point (across)",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 is the left edge, 1 the right: crops keep this point in view.",
    )
    hero_focal_y = models.FloatField(
        "focal point (down)",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 is the top edge, 1 the bottom.",
    )
    hero_renditions = RenditionsField(default=dict, blank=True, editable=False)
    hero_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="Describes the image for readers who cannot see it.",
    )
    hero_credit = models.CharField(
        "credit", max_length=200, blank=True, help_text="Who made the image, e.g. Photo: ESA."
    )
    hero_caption = models.CharField("caption", max_length=300, blank=True)
    hero_image_digest = models.CharField(max_length=64, blank=True, editable=False)
    body = ProseEditorField(
        extensions=text.BODY_EXTENSIONS,
        sanitize=text.sanitize_body,
        blank=True,
        help_text="Use Heading 2 for subheadings and a quote block for a pull quote.",
    )
    takeaways_position = models.PositiveSmallIntegerField(
        "takeaways after block",
        null=True,
        blank=True,
        help_text=(
            "How many body blocks (paragraphs, subheadings, quotes, lists) come before the "
            "Key Takeaways box. Leave blank to show it after the body."
        ),
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", default=1, editable=False
    )
    reading_time_override = models.PositiveSmallIntegerField(
        "reading time override (minutes)",
        null=True,
        blank=True,
        help_text="Leave blank to compute it from the body.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and archive articles"),
            ("edit_any_article", "Can edit any article, whoever wrote it"),
        ]
        indexes = [
            # Reader lists walk these newest first and stop after a page: no sort, no scan.
            # Covering (PostgreSQL): the columns of published() ride along in the index, so
            # a deep page (or a sitemap's count) skips rows in the index alone.
            models.Index(
                fields=["-published_at", "-id"],
                include=["status", "expires_at", "embargo_until"],
                name="article_pub_idx",
            ),
            models.Index(
                fields=["section", "-published_at", "-id"],
                include=["status", "expires_at", "embargo_until"],
                name="article_section_idx",
            ),
            models.Index(fields=["status"], name="article_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(article_type__in=ArticleType.values),
                name="article_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_LIVE) | Q(published_at__isnull=False),
                name="article_live_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_LIVE) | Q(section__isnull=False),
                name="article_live_has_section",
            ),
            models.CheckConstraint(
                condition=Q(reading_time_override__isnull=True) | Q(reading_time_override__gte=1),
                name="article_reading_override_positive",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="article_expires_after_publication",
            ),
            models.CheckConstraint(
                condition=Q(hero_focal_x__gte=0, hero_focal_x__lte=1)
                & Q(hero_focal_y__gte=0, hero_focal_y__lte=1),
                name="article_focal_point_in_image",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        if self.pk is not None:
            self.version = (self.version or 0) + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "word_count",
                "reading_time",
                "version",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return url("articles:article-detail", self.slug)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.hero_image:
            if not self.hero_alt.strip():
                errors.setdefault("hero_alt", []).append(
                    "A hero image needs alt text that describes it."
                )
            if not self.hero_credit.strip():
                errors.setdefault("hero_credit", []).append(
                    "A hero image needs a credit: who took or made it."
                )
        if self.status in self.LIVE_STATUSES:
            if not self.standfirst.strip():
                errors.setdefault("standfirst", []).append(
                    "A published or scheduled article needs a standfirst."
                )
            if self.section_id is None and self.section is None:
                errors.setdefault("section", []).append(
                    "A published or scheduled article needs a section."
                )
            if self.published_at is None:
                errors.setdefault("published_at", []).append(
                    "A published or scheduled article needs a publication date."
                )
        if errors:
            raise ValidationError(errors)

    # What derive_fields sets from the body and the reading-time override.
    DERIVED_FIELDS = ("body", "word_count", "reading_time")

    @staticmethod
    def body_derived(body: str | None) -> tuple[str, int, int]:
        """The body sanitised, its word count, and its reading time in minutes (which an
        editor's ``reading_time_override`` replaces)."""
        clean = text.sanitize_body(body)
        words = text.count_words(clean)
        return clean, words, text.reading_minutes(words, settings.MAGAZINE_WORDS_PER_MINUTE)

    def derive_fields(self) -> None:
        """Sanitise the body and compute what follows from it (also before bulk writes)."""
        self.body, self.word_count, minutes = self.body_derived(self.body)
        self.reading_time = self.reading_time_override or minutes

    # Reading the article.

    @property
    def is_live(self) -> bool:
        return (
            self.status in self.LIVE_STATUSES
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def byline_authors(self) -> list["Author | BylineAuthor"]:
        """Authors in byline order: from the query's JSON when loaded for reading (as
        BylineAuthor, read once per article), else from the byline rows."""
        if hasattr(self, "byline_data"):
            if self._byline is None:
                self._byline = byline_from_json(self.byline_data)
            return self._byline
        return [b.author for b in sorted(self.bylines.all(), key=lambda b: (b.position, b.pk))]

    def _read_once(self, name: str, read):
        """What ``read()`` makes of the query's JSON, made once per article (the page and
        its JSON-LD both ask)."""
        if self._read is None:
            self._read = {}
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    def takeaway_list(self) -> list["Takeaway | TakeawayItem"]:
        if hasattr(self, "takeaway_data"):
            return self._read_once(
                "takeaways",
                lambda: [
                    TakeawayItem(pk=r["pk"], text=r["text"], position=r["position"])
                    for r in _rows(self.takeaway_data)
                ],
            )
        return list(self.takeaways.all())

    def source_list(self) -> list["Source | SourceItem"]:
        if hasattr(self, "source_data"):
            return self._read_once("sources", self._sources_from_json)
        return list(self.sources.all())

    def _sources_from_json(self) -> list[SourceItem]:
        return [
            SourceItem(
                pk=r["pk"],
                name=r["name"],
                relation=r["relation"],
                url=r["url"],
                position=r["position"],
            )
            for r in _rows(self.source_data)
        ]

    def correction_list(self) -> list:
        if hasattr(self, "correction_data"):
            return self._read_once("corrections", self._corrections_from_json)
        return list(self.corrections.all())

    def _corrections_from_json(self) -> list:
        from .editorial import Correction

        items = []
        for r in _rows(self.correction_data, key="published_at"):
            when = parse_datetime(r["published_at"])
            if timezone.is_naive(when):
                when = timezone.make_aware(when, UTC)
            items.append(Correction(pk=r["pk"], kind=r["kind"], text=r["text"], published_at=when))
        return sorted(items, key=lambda c: (c.published_at, c.pk))

    def body_parts(self) -> tuple[str, str]:
        """The body's HTML before and after the Key Takeaways box (after its
        ``takeaways_position`` top-level blocks; at the end when that is not set). The
        body is stored sanitised (ArticleQuerySet, on every write)."""
        if self.takeaways_position is None:
            return self.body, ""
        return text.cut_blocks(self.body, self.takeaways_position)

    @property
    def type_label(self) -> str:
        """``get_article_type_display()``, which rebuilds a lookup of the choices on every
        call: read straight from the choices' enum (an unknown value shows as itself)."""
        try:
            return str(ArticleType(self.article_type).label)
        except ValueError:
            return str(self.article_type)

    @property
    def type_phrase(self) -> str:
        """How the source line names this kind of work: 'original commentary'."""
        if self.article_type == self.Type.SPONSORED:
            return "sponsored content"
        return f"original {self.type_label.lower()}"


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)
    # A copy of the article's publication date, so that an author's page walks one index
    # (author, date) and stops after a page, however large the archive. Database triggers
    # (migration 0011) keep it equal to the article's on every write, whatever makes it.
    published_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]
        indexes = [
            models.Index(
                fields=["author", "-published_at", "-article"], name="byline_author_pub_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class Takeaway(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="takeaways")
    text = models.CharField(max_length=400)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="takeaway_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class Source(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=200, help_text="Who did the underlying work, e.g. Reuters.")
    url = models.URLField("link", max_length=500, blank=True)
    relation = models.CharField(
        max_length=120,
        help_text="What they did: original reporting, wire reporting, peer-reviewed study.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="source_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.relation}"
