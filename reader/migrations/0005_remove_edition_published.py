"""The published flag is replaced by the audience (see 0002 and 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reader", "0004_edition_audience_from_published"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="edition",
            name="published",
        ),
    ]
