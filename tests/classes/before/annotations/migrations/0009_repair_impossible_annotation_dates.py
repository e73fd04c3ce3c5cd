"""Give annotations imported with impossible dates a date a page can show.

Before imports refused them, a file could set `created` to
9999-12-31T23:59:59-14:00, which PostgreSQL stores as the year 10000 in UTC;
no page that lists such a note could then be shown to anyone. Dates after
tomorrow become the time of this repair. Compared in SQL: such a row cannot
even be read into Python.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def repair_dates(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    now = timezone.now()
    latest = now + timedelta(days=1)
    Annotation.objects.filter(created__gt=latest).update(created=now)
    Annotation.objects.filter(modified__gt=latest).update(modified=now)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0008_annotation_import_provenance")]

    operations = [migrations.RunPython(repair_dates, migrations.RunPython.noop)]
