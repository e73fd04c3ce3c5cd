"""The content types of the moved models follow them to the classes app.

Permissions (and so the groups and users they were given to) and admin log
entries point at a content type: renaming it keeps every grant and every log
line, where a new content type would leave them behind on a stale one.
"""

from django.db import migrations

MODELS = ["course", "enrollment", "joinattempt"]


def move(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=to_label, model=model).first()
        if new is not None:
            # Both exist (the permissions were created for the new label
            # before this ran): carry the new ones' grants over to the old
            # rows, which the log and the existing grants already point at.
            for permission in Permission.objects.filter(content_type=new):
                kept = Permission.objects.filter(
                    content_type=old, codename=permission.codename
                ).first()
                if kept is not None:
                    kept.group_set.add(*permission.group_set.all())
                    kept.user_set.add(*permission.user_set.all())
            LogEntry.objects.filter(content_type=new).update(content_type=old)
            new.delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    move(apps, "teaching", "classes")


def backwards(apps, schema_editor):
    move(apps, "classes", "teaching")


class Migration(migrations.Migration):

    dependencies = [
        ("classes", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
