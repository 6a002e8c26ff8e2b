"""PostgreSQL: keep the stored search vector in the row, not in TOAST.

A row holds the body and the search vector, both compressed; together they pass the 2 kB
that PostgreSQL aims for, so one of them is moved out of the row. It used to be the vector
as often as the body: ranking 500 matches then read about 4,600 buffers, most of them
TOAST chunks. With the vector's storage MAIN, PostgreSQL moves the body out first (read
only for the one article or the ten results shown) and the vector stays with the row.
New and updated rows follow it; existing rows move when they are next written.
"""

from django.db import migrations


def inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_article ALTER COLUMN search_document SET STORAGE MAIN"
        )


def extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_article ALTER COLUMN search_document SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_covering_date_index")]

    operations = [migrations.RunPython(inline, extended)]
