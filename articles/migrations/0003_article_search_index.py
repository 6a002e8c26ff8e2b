"""PostgreSQL: a GIN index on the weighted search vector that articles/search.py queries.

The index expression is compiled from the same Django expression the search uses, so the
two cannot drift apart. Other databases get no index (SQLite's search is a fallback).
"""

from django.db import migrations

INDEX = "article_search_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import search_vector

    Article = apps.get_model("articles", "Article")
    query = Article.objects.annotate(document=search_vector()).query
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = compiler.compile(query.annotations["document"])
    expression = sql % tuple(schema_editor.quote_value(p) for p in params)
    table = schema_editor.quote_name(Article._meta.db_table)
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} USING gin (({expression}))")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_hero_image_digest")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
