"""Classes get their own app; their tables keep teaching's names.

Course, Enrollment and JoinAttempt were made by teaching's first migration,
which made the assignments too (teaching_course, teaching_course_teachers,
teaching_course_licensed_editions, teaching_enrollment, teaching_joinattempt).
This migration replaces it: a database that applied it counts this one as
applied and keeps those tables and their rows (the models say `db_table`, and
the many-to-many tables are named after it), while a new database gets the
same tables from here. teaching.0001_assignments_on_classes makes the rest.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [("teaching", "0001_classes_and_assignments")]

    initial = True

    dependencies = [
        ("reader", "0001_initial_edition_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Course",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("term_start", models.DateField(verbose_name="term starts")),
                ("term_end", models.DateField(verbose_name="term ends")),
                ("join_code", models.CharField(max_length=8, unique=True, verbose_name="join code")),
                ("join_enabled", models.BooleanField(default=True, verbose_name="joining is open")),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("edition", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="courses", to="reader.edition", verbose_name="edition")),
                ("licensed_editions", models.ManyToManyField(blank=True, related_name="reading_classes", to="reader.edition", verbose_name="editions opened to this class")),
                ("teachers", models.ManyToManyField(related_name="courses_taught", to=settings.AUTH_USER_MODEL, verbose_name="teachers")),
            ],
            options={
                "verbose_name": "course",
                "verbose_name_plural": "courses",
                "db_table": "teaching_course",
                "ordering": ["-term_start", "name"],
                "constraints": [models.CheckConstraint(condition=models.Q(("term_end__gte", models.F("term_start"))), name="course_term_order")],
            },
        ),
        migrations.CreateModel(
            name="Enrollment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("joined", models.DateTimeField(auto_now_add=True)),
                ("course", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrollments", to="classes.course")),
                ("student", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrollments", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "teaching_enrollment",
                "ordering": ["student__username"],
                "constraints": [models.UniqueConstraint(fields=("course", "student"), name="enrolled_once")],
            },
        ),
        migrations.CreateModel(
            name="JoinAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=40)),
                ("succeeded", models.BooleanField(default=False)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="join_attempts", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "teaching_joinattempt",
                "indexes": [models.Index(fields=["user", "created"], name="join_attempt_recent")],
            },
        ),
    ]
