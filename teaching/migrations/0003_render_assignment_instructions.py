"""Render the instructions of existing assignments once, as assignment_save
now does for every save: pages serve `instructions_html` and no longer parse
Markdown per request."""

from __future__ import annotations

from django.db import migrations


def render_instructions(apps, schema_editor) -> None:
    # The project's one renderer, as it is today: the HTML it made is what a
    # page would have shown.
    from reader.markdown import render_markdown

    Assignment = apps.get_model("teaching", "Assignment")
    for assignment in Assignment.objects.exclude(instructions="").iterator():
        assignment.instructions_html = render_markdown(assignment.instructions)
        assignment.save(update_fields=["instructions_html"])


class Migration(migrations.Migration):
    dependencies = [("teaching", "0002_assignment_instructions_html")]

    operations = [
        migrations.RunPython(render_instructions, migrations.RunPython.noop),
    ]
