"""Existing editions keep who could read them: published → everyone,
unpublished → curators only."""

from django.db import migrations


def audience_from_published(apps, schema_editor):
    Edition = apps.get_model("reader", "Edition")
    Edition.objects.filter(published=True).update(audience="everyone")
    Edition.objects.filter(published=False).update(audience="curators")


def published_from_audience(apps, schema_editor):
    # Going back, only an edition open to everyone was public; the others
    # (signed-in readers, chosen classes) fall back to unpublished.
    Edition = apps.get_model("reader", "Edition")
    Edition.objects.filter(audience="everyone").update(published=True)
    Edition.objects.exclude(audience="everyone").update(published=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reader", "0003_edition_audience"),
    ]

    operations = [
        migrations.RunPython(audience_from_published, published_from_audience),
    ]
