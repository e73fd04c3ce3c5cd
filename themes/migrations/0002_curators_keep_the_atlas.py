"""Curators keep the motif atlas: motifs, occurrences, proposals, dismissals."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}"
    for model in ("motif", "motifoccurrence", "motifproposal", "dismissedsuggestion")
    for action in ("view", "add", "change", "delete")
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
            content_type__app_label="themes", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators = Group.objects.filter(name="Curators").first()
    if curators:
        curators.permissions.remove(
            *Permission.objects.filter(content_type__app_label="themes")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0001_motif_atlas"),
        ("accounts", "0002_create_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
