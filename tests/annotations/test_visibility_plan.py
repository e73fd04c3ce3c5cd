"""The visibility rule is read through indexes, not by scanning every
annotation of a part to find the few a reader may see.

SQLite plans without statistics, so the shape of the query decides: each
way a note can be visible (own, public, class, teacher) is a complete branch
of one OR that an index serves (SQLite's MULTI-INDEX OR), and nothing beside
it ("is a root", true of nearly every row) tempts the planner into a scan.
"""

from __future__ import annotations

import pytest
from django.db import connection

from annotations.models import Annotation, Viewer
from tests.factories import make_annotation, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN"
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def crowded_part(passage, licensed):
    """Others' private and class notes on a part, as a school leaves them."""
    someone = make_user("someone")
    for _ in range(3):
        make_annotation(someone, passage)
        make_annotation(
            licensed.teacher,
            licensed.passage,
            visibility="course",
            course=licensed.course,
        )
    return passage


def test_a_part_pages_notes_are_read_through_the_rules_indexes(
    crowded_part, reader_user
):
    viewer = Viewer.of(reader_user)
    shown = plan(
        Annotation.objects.visible_to(viewer, roots=True)
        .in_part(crowded_part.part)
        .values("pk")
    )
    assert "MULTI-INDEX OR" in shown, shown
    assert "SCAN annotations_annotation" not in shown, shown


def test_a_students_notes_with_replies_are_read_through_the_rules_indexes(
    crowded_part, licensed
):
    shown = plan(
        Annotation.objects.visible_to(Viewer.of(licensed.student)).values("pk")
    )
    assert "MULTI-INDEX OR" in shown, shown
    assert "SCAN annotations_annotation" not in shown, shown
    # Nothing is looked up by "is a root" (nearly every row): the thread's
    # root is read with each reply, not collected from the whole table.
    assert "(reply_to_id=?)" not in shown, shown
