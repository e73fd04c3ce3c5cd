"""Items of assignments that are not yet published are held back from the
class: before this, their visibility alone ("My class") let students see them."""

from django.db import migrations


def hold_back(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    Annotation.objects.filter(assignment_item__assignment__published=False).update(
        draft=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0001_classes_and_assignments"),
        ("annotations", "0006_annotation_draft"),
    ]

    operations = [migrations.RunPython(hold_back, migrations.RunPython.noop)]
