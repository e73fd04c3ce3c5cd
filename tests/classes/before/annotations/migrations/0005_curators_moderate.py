"""Curators moderate annotations: view, change (hide, restore) and, as an
explicit and logged act, delete; they read flags and the moderation log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "view_annotation",
    "change_annotation",
    "delete_annotation",
    "view_flag",
    "change_flag",
    "view_moderationlog",
    "view_promotionrequest",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="annotations", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators = Group.objects.filter(name="Curators").first()
    if curators:
        curators.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="annotations", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0004_moderation_and_editorial_notes"),
        ("accounts", "0002_create_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
