"""PostgreSQL: store the weighted search vector in a generated column and index it.

Ranking then reads the stored vector instead of parsing every matching body again. The
column's expression is compiled from articles/search.py's search_vector(), so the two
cannot drift apart. Other databases get nothing (SQLite's search is a fallback).
"""

from django.db import migrations

INDEX = "article_search_idx"


def add_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import search_vector

    Article = apps.get_model("articles", "Article")
    table = schema_editor.quote_name(Article._meta.db_table)
    query = Article.objects.annotate(document=search_vector()).query
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = compiler.compile(query.annotations["document"])
    expression = (sql % tuple(schema_editor.quote_value(p) for p in params)).replace(
        f"{table}.", ""
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} USING gin (search_document)")


def drop_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_listing_indexes")]

    operations = [migrations.RunPython(add_document, drop_document)]
