"""Create the role groups: Teachers and Curators.

Curators look after the edition in admin: they may view, add and change
editions, parts and passages and view revisions and reading records. Nobody
gets delete rights on passages through a group: passages carry readers'
anchors. Teachers get their permissions with the teaching app.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = {
    "reader": [
        "view_edition",
        "add_edition",
        "change_edition",
        "view_part",
        "add_part",
        "change_part",
        "view_passage",
        "change_passage",
        "view_passagerevision",
        "view_passageread",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure they exist now so the group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Teachers")
    curators, _ = Group.objects.get_or_create(name="Curators")
    for app_label, codenames in CURATOR_PERMISSIONS.items():
        curators.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Teachers", "Curators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_reading_preferences"),
        ("reader", "0001_initial_edition_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
