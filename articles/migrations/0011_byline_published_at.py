"""Copy each article's publication date onto its byline rows, kept in step by triggers.

An author's page lists that author's newest articles. With the date only on the article,
the database either walks every article by date and keeps the author's, or fetches all of
the author's articles and sorts them: both cost more as the archive grows. With the date
on the byline too, the (author, date) index gives a page in one short walk.

The copy is kept by the database itself, so no write path can forget it (the admin, the
publishing services, the importer, bulk writes, raw SQL):

- a byline row takes its article's date when it is written, whatever it was given;
- changing an article's date changes its bylines' dates.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION articles_byline_take_date() RETURNS trigger AS $$
    BEGIN
        SELECT published_at INTO NEW.published_at
        FROM articles_article WHERE id = NEW.article_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER articles_byline_take_date
    BEFORE INSERT OR UPDATE ON articles_byline
    FOR EACH ROW EXECUTE FUNCTION articles_byline_take_date()
    """,
    """
    CREATE FUNCTION articles_article_give_date() RETURNS trigger AS $$
    BEGIN
        UPDATE articles_byline SET published_at = NEW.published_at
        WHERE article_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER articles_article_give_date
    AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION articles_article_give_date()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS articles_article_give_date ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_give_date()",
    "DROP TRIGGER IF EXISTS articles_byline_take_date ON articles_byline",
    "DROP FUNCTION IF EXISTS articles_byline_take_date()",
]

# SQLite cannot change NEW in a BEFORE trigger: the row is corrected just after it is
# written, in the same statement. Recursive triggers are off, and the WHEN clauses stop
# a correction from being corrected again.
_ARTICLE_DATE = "(SELECT published_at FROM articles_article WHERE id = NEW.article_id)"
SQLITE = [
    # The same correction after a byline is inserted and after it is updated.
    *(
        f"""
    CREATE TRIGGER articles_byline_take_date_{event.lower()}
    AFTER {event} ON articles_byline
    WHEN NEW.published_at IS NOT {_ARTICLE_DATE}
    BEGIN
        UPDATE articles_byline SET published_at = {_ARTICLE_DATE} WHERE id = NEW.id;
    END
    """
        for event in ("INSERT", "UPDATE")
    ),
    """
    CREATE TRIGGER articles_article_give_date
    AFTER UPDATE OF published_at ON articles_article
    WHEN OLD.published_at IS NOT NEW.published_at
    BEGIN
        UPDATE articles_byline SET published_at = NEW.published_at WHERE article_id = NEW.id;
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_article_give_date",
    "DROP TRIGGER IF EXISTS articles_byline_take_date_update",
    "DROP TRIGGER IF EXISTS articles_byline_take_date_insert",
]


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(
            f"Byline dates are kept by triggers written for SQLite and PostgreSQL, not {vendor}."
        )
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def add_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})
    # Existing rows take their article's date once.
    schema_editor.execute(
        "UPDATE articles_byline SET published_at = (SELECT published_at FROM articles_article"
        " WHERE articles_article.id = articles_byline.article_id)"
    )


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="byline",
            name="published_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(
                fields=["author", "-published_at", "-article"], name="byline_author_pub_idx"
            ),
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
