"""Assignments, their items and completions, on classes made by the classes
app.

Teaching's first migration made both the classes and the assignments; the
classes app's 0001 now stands for the first, and this one for the other two
(0002 held back the items of unpublished assignments, 0003 let curators open
editions to classes, now a field of classes.Course). A database that applied
them counts this as applied and keeps its tables and rows; their files live in
tests/classes/before/, where a test migrates such a database forward. 0002's
data migration is left out: where this runs, there is no assignment yet.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    # 0001 is replaced by classes.0001_initial (the tables it made that
    # remain teaching's are made here; every database that applied 0002 and
    # 0003 applied 0001 first, so it has them).
    replaces = [
        ("teaching", "0002_hold_back_draft_items"),
        ("teaching", "0003_course_licensed_editions"),
    ]

    initial = True

    dependencies = [
        ("annotations", "0001_annotations_on_classes"),
        ("classes", "0001_initial"),
        ("reader", "0001_initial_edition_models"),
        ("themes", "0002_curators_keep_the_atlas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Assignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('instructions', models.TextField(blank=True, help_text='Markdown.', verbose_name='instructions')),
                ('due', models.DateTimeField(verbose_name='due')),
                ('published', models.BooleanField(default=False, verbose_name='published')),
                ('answer_first', models.BooleanField(default=True, help_text="Students see classmates' answers to a prompt only after answering.", verbose_name='answer first')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='classes.course')),
                ('end_passage', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reader.passage', verbose_name='to passage')),
                ('focus_motifs', models.ManyToManyField(blank=True, related_name='assignments', to='themes.motif', verbose_name='focus motifs')),
                ('start_passage', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reader.passage', verbose_name='from passage')),
            ],
            options={
                'verbose_name': 'assignment',
                'verbose_name_plural': 'assignments',
                'ordering': ['due', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='AssignmentItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('annotation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='assignment_item', to='annotations.annotation')),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='teaching.assignment')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='Completion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('done', models.DateTimeField(default=django.utils.timezone.now)),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='completions', to='teaching.assignment')),
                ('student', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='completions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('assignment', 'student'), name='done_once')],
            },
        ),
    ]
