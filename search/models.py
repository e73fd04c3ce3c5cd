"""The search index's tables as the ORM reads them (never writes them).

They are made and kept in step by the database (search/schema.py): the
models are unmanaged, so that queries join the index to the passages, motifs
and annotations they describe, and every other filter (who may read which
edition, the one visibility rule) stays the ORM's own. Each vendor has its
own tables: FTS5's on SQLite, stored vectors on PostgreSQL; the other's are
never queried.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup

from annotations.models import Annotation
from reader.models import Passage
from themes.models import Motif


class FtsTableField(models.TextField):
    """FTS5's hidden column named after its table: `table MATCH 'query'`
    searches every column of the row."""


@FtsTableField.register_lookup
class FtsMatch(Lookup):
    lookup_name = "fts"

    def as_sql(self, compiler: object, connection: object) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


# --- SQLite: FTS5 external-content tables ------------------------------------


class PassageFts(models.Model):
    passage = models.OneToOneField(
        Passage,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_fts",
    )
    match = FtsTableField(db_column="search_passage_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_passage_fts"

    def __str__(self) -> str:
        return f"index of passage {self.pk}"


class MotifFts(models.Model):
    motif = models.OneToOneField(
        Motif,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_fts",
    )
    match = FtsTableField(db_column="search_motif_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_motif_fts"

    def __str__(self) -> str:
        return f"index of motif {self.pk}"


class AnnotationText(models.Model):
    """An annotation's words under an integer key (see search/schema.py)."""

    annotation = models.OneToOneField(
        Annotation,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_text",
    )
    body = models.TextField()
    quote = models.TextField()
    # Who might see it, as words (search/schema.py `audience_sql`).
    audience = models.TextField()

    class Meta:
        managed = False
        db_table = "search_annotation_text"

    def __str__(self) -> str:
        return f"words of annotation {self.annotation_id}"


class AnnotationFts(models.Model):
    text = models.OneToOneField(
        AnnotationText,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="fts",
    )
    match = FtsTableField(db_column="search_annotation_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_annotation_fts"

    def __str__(self) -> str:
        return f"index of annotation words {self.pk}"


# --- PostgreSQL: stored vectors with GIN indexes -----------------------------


class PassageVector(models.Model):
    passage = models.OneToOneField(
        Passage,
        primary_key=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_vector",
    )
    vector = SearchVectorField()

    class Meta:
        managed = False
        db_table = "search_passage_vector"

    def __str__(self) -> str:
        return f"vector of passage {self.pk}"


class MotifVector(models.Model):
    motif = models.OneToOneField(
        Motif,
        primary_key=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_vector",
    )
    vector = SearchVectorField()

    class Meta:
        managed = False
        db_table = "search_motif_vector"

    def __str__(self) -> str:
        return f"vector of motif {self.pk}"


class AnnotationVector(models.Model):
    annotation = models.OneToOneField(
        Annotation,
        primary_key=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_vector",
    )
    vector = SearchVectorField()
    # Who might see it (search/schema.py `audience_sql`).
    audience = SearchVectorField()

    class Meta:
        managed = False
        db_table = "search_annotation_vector"

    def __str__(self) -> str:
        return f"vector of annotation {self.pk}"
