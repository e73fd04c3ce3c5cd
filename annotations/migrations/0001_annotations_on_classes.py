"""Annotations' tables, on classes made by the classes app.

This replaces annotations' first nine migrations (their files now live in
tests/classes/before/, where a test builds a database as main made it and
migrates it forward). Those migrations and the assignments app's depended on
each other: 0003 gave an annotation a class, a model of that app then, while
that app's first migration pointed at annotations. Now the classes come
first, then annotations, then assignments, with no loop.

A database that applied all nine counts this one as applied, and keeps its
tables and rows. One that applied only some of them must first be migrated by
the release before this one (classes/checks.py says so instead of guessing).
0009's repair of existing rows is left out: where this runs, there are none.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# As 0005_curators_moderate (copied, so that file can go once replaced).
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

    replaces = [
        ("annotations", "0001_annotations_and_tags"),
        ("annotations", "0002_prompt_answer_first"),
        ("annotations", "0003_annotation_class_visibility"),
        ("annotations", "0004_moderation_and_editorial_notes"),
        ("annotations", "0005_curators_moderate"),
        ("annotations", "0006_annotation_draft"),
        ("annotations", "0007_flag_resolved_by_whom_and_when"),
        ("annotations", "0008_annotation_import_provenance"),
        ("annotations", "0009_repair_impossible_annotation_dates"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0002_create_role_groups"),
        ("classes", "0001_initial"),
        ("reader", "0001_initial_edition_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Annotation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('start_offset', models.PositiveIntegerField(blank=True, null=True, verbose_name='start offset')),
                ('end_offset', models.PositiveIntegerField(blank=True, null=True, verbose_name='end offset')),
                ('exact', models.TextField(blank=True, verbose_name='quote')),
                ('prefix', models.CharField(blank=True, max_length=64, verbose_name='text before')),
                ('suffix', models.CharField(blank=True, max_length=64, verbose_name='text after')),
                ('passage_revision', models.PositiveIntegerField(blank=True, null=True, verbose_name='passage revision')),
                ('anchor_state', models.CharField(choices=[('exact', 'Exact'), ('moved', 'Moved'), ('orphaned', 'Orphaned')], default='exact', max_length=10, verbose_name='anchor')),
                ('motivation', models.CharField(choices=[('highlighting', 'Highlight'), ('commenting', 'Note'), ('questioning', 'Question'), ('replying', 'Reply')], max_length=16, verbose_name='motivation')),
                ('body', models.TextField(blank=True, max_length=10000, verbose_name='note')),
                ('body_html', models.TextField(blank=True, editable=False, verbose_name='note as HTML')),
                ('colour', models.CharField(choices=[('yellow', 'Yellow'), ('green', 'Green'), ('blue', 'Blue'), ('pink', 'Pink'), ('purple', 'Purple')], default='yellow', max_length=10, verbose_name='colour')),
                ('visibility', models.CharField(choices=[('private', 'Private: only me'), ('teacher', 'My teachers'), ('course', 'My class'), ('public', 'Public: all signed-in readers')], default='private', max_length=10, verbose_name='visibility')),
                ('draft', models.BooleanField(default=False, verbose_name='draft')),
                ('answer_first', models.BooleanField(default=False, verbose_name='answer first')),
                ('moderation', models.CharField(choices=[('visible', 'Visible'), ('hidden', 'Hidden by a moderator')], default='visible', max_length=10, verbose_name='moderation')),
                ('hidden_at', models.DateTimeField(blank=True, null=True, verbose_name='hidden at')),
                ('editorial', models.BooleanField(default=False, verbose_name="editor's note")),
                ('deleted', models.DateTimeField(blank=True, null=True, verbose_name='deleted')),
                ('canonical', models.CharField(blank=True, max_length=500, verbose_name='imported from')),
                ('original_creator', models.CharField(blank=True, max_length=150, verbose_name='original creator')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('modified', models.DateTimeField(auto_now=True, verbose_name='modified')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annotations', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('course', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='annotations', to='classes.course', verbose_name='class')),
                ('edition', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='annotations', to='reader.edition', verbose_name='edition')),
                ('end_passage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='annotations_ending', to='reader.passage', verbose_name='end passage')),
                ('hidden_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='hidden by')),
                ('reply_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='annotations.annotation', verbose_name='reply to')),
                ('start_passage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='annotations_starting', to='reader.passage', verbose_name='start passage')),
            ],
            options={
                'verbose_name': 'annotation',
                'verbose_name_plural': 'annotations',
                'ordering': ['created'],
            },
        ),
        migrations.CreateModel(
            name='Flag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(max_length=1000, verbose_name='reason')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('resolved', models.BooleanField(default=False, verbose_name='resolved')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                ('annotation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags', to='annotations.annotation')),
                ('flagger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags_raised', to=settings.AUTH_USER_MODEL)),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
            ],
            options={
                'verbose_name': 'flag',
                'verbose_name_plural': 'flags',
                'ordering': ['-created'],
            },
        ),
        migrations.CreateModel(
            name='ModerationLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('annotation_id', models.UUIDField(verbose_name='annotation')),
                ('annotation_author', models.CharField(max_length=150, verbose_name='author')),
                ('excerpt', models.CharField(blank=True, max_length=200, verbose_name='excerpt')),
                ('action', models.CharField(choices=[('hide', 'Hidden'), ('restore', 'Restored'), ('delete', 'Deleted'), ('promote', "Promoted to an editor's note")], max_length=10, verbose_name='action')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'moderation record',
                'verbose_name_plural': 'moderation records',
                'ordering': ['-created'],
            },
        ),
        migrations.CreateModel(
            name='PromotionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting for the author'), ('accepted', 'Accepted'), ('declined', 'Declined')], default='pending', max_length=10)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('decided', models.DateTimeField(blank=True, null=True)),
                ('annotation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='promotion_requests', to='annotations.annotation')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created'],
            },
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, verbose_name='name')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annotation_tags', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
            ],
            options={
                'verbose_name': 'tag',
                'verbose_name_plural': 'tags',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='annotation',
            name='tags',
            field=models.ManyToManyField(blank=True, related_name='annotations', to='annotations.tag'),
        ),
        migrations.AddConstraint(
            model_name='tag',
            constraint=models.UniqueConstraint(fields=('owner', 'name'), name='tag_unique_per_owner'),
        ),
        migrations.AddIndex(
            model_name='annotation',
            index=models.Index(fields=['start_passage', 'start_offset'], name='annotation_start'),
        ),
        migrations.AddIndex(
            model_name='annotation',
            index=models.Index(fields=['author', 'created'], name='annotation_author_recent'),
        ),
        migrations.AddIndex(
            model_name='annotation',
            index=models.Index(fields=['edition', 'visibility'], name='annotation_edition_vis'),
        ),
        migrations.AddIndex(
            model_name='annotation',
            index=models.Index(fields=['author', 'canonical'], name='annotation_author_canonical'),
        ),
        migrations.AddConstraint(
            model_name='annotation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reply_to__isnull', True), ('start_passage__isnull', False), ('start_offset__isnull', False), ('end_passage__isnull', False), ('end_offset__isnull', False)), models.Q(('reply_to__isnull', False), ('start_passage__isnull', True), ('end_passage__isnull', True)), _connector='OR'), name='annotation_target_or_reply'),
        ),
        migrations.AddConstraint(
            model_name='annotation',
            constraint=models.CheckConstraint(condition=models.Q(('motivation__in', ['highlighting', 'commenting', 'questioning', 'replying'])), name='annotation_motivation_known'),
        ),
        migrations.AddConstraint(
            model_name='annotation',
            constraint=models.CheckConstraint(condition=models.Q(('visibility__in', ['private', 'teacher', 'course', 'public'])), name='annotation_visibility_known'),
        ),
        # Curators moderate (was 0005): their group gets its permissions on a
        # new database too.
        migrations.RunPython(grant, revoke),
    ]
