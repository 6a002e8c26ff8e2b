"""One index on Article.status: ``article_status_idx`` (Meta.indexes) stays; the field's
own ``db_index`` made a second index of the same column, and on PostgreSQL a third one for
LIKE (varchar_pattern_ops) that no query uses, each kept up on every write.

The indexes are dropped by name rather than by altering the field: on SQLite, Django
alters a field by copying the whole table, which would lose the triggers of migration
0011."""

from django.db import migrations, models

INDEXES = ("articles_article_status_f68a8acd", "articles_article_status_f68a8acd_like")


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    table, plain, like = "articles_article", *INDEXES
    quote = schema_editor.quote_name
    schema_editor.execute(f"CREATE INDEX {quote(plain)} ON {quote(table)} ({quote('status')})")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {quote(like)} ON {quote(table)} ({quote('status')} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_search_document_inline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("review", "In review"),
                            ("scheduled", "Scheduled"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        ),
    ]
