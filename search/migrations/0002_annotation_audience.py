"""Index who might see each annotation beside its words (search/schema.py
`audience_sql`): the index and its triggers are made again and filled."""

from django.db import migrations


def install(apps, schema_editor):
    from search.engines import search_language
    from search.schema import install

    install(schema_editor.connection, search_language())


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_index"),
    ]

    # Backwards there is nothing to undo: the older code reads the same
    # tables and ignores the audience.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
