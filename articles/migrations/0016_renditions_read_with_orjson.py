"""Article.hero_renditions is a RenditionsField: a JSONField that reads the listing with
orjson. Nothing changes in the database (the same column, the same JSON), so the change is
made to the migration state only: on SQLite, Django alters a field by copying the whole
table, which would lose the triggers of migration 0011."""

from django.db import migrations

import articles.models.content


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_status_one_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="hero_renditions",
                    field=articles.models.content.RenditionsField(
                        blank=True, default=dict, editable=False
                    ),
                ),
            ],
        ),
    ]
