"""Who may read an edition: an audience instead of a published flag."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reader", "0002_loaded_fingerprints"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="audience",
            field=models.CharField(
                choices=[
                    ("curators", "Unpublished: curators only"),
                    ("everyone", "Everyone, signed in or not"),
                    ("signed_in", "Signed-in readers"),
                    ("classes", "Members of chosen classes"),
                ],
                default="curators",
                max_length=16,
                verbose_name="who may read it",
            ),
        ),
    ]
