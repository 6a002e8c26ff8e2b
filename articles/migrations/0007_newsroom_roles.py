"""The newsroom's roles as groups: Writer, Editor and Administrator.

Members also need "staff status" to sign in to the admin. Re-running keeps the groups'
permissions exactly as listed here.
"""

from django.db import migrations

WRITER = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.add_takeaway",
    "articles.change_takeaway",
    "articles.delete_takeaway",
    "articles.view_takeaway",
    "articles.add_source",
    "articles.change_source",
    "articles.delete_source",
    "articles.view_source",
    "articles.view_section",
    "articles.view_author",
    "articles.view_revision",
    "articles.view_articleevent",
    "articles.view_correction",
]
EDITOR = ["articles.*"]  # every permission of the magazine's own app
ADMINISTRATOR = ["*"]  # everything, users and roles included

ROLES = {"Writer": WRITER, "Editor": EDITOR, "Administrator": ADMINISTRATOR}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    everything = Permission.objects.select_related("content_type")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        chosen = []
        for permission in everything:
            label = f"{permission.content_type.app_label}.{permission.codename}"
            if (
                "*" in wanted
                or label in wanted
                or (f"{permission.content_type.app_label}.*" in wanted)
            ):
                chosen.append(permission)
        group.permissions.set(chosen)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_newsroom_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
