"""The search index's tables and triggers, per database vendor.

The index is kept in step by the database itself: triggers on the tables
that hold the words (`reader_passage.text`, the motif's name, terms, summary
and description, an annotation's body and quote) update it in the same
statement that changes them. So every way a text is written (the services,
a revision, the loader, an import, admin, a bulk insert in a seed or a test)
is searchable at once, inside its own transaction, and nothing written
half-way is ever indexed.

- SQLite: FTS5 external-content tables. Passages and motifs are indexed
  straight from their tables (integer primary keys, so FTS5's rowids are
  theirs for ever). Annotations have UUID keys, and a table without an
  integer primary key may have its rowids renumbered by VACUUM, so their
  words are copied into `search_annotation_text` (an integer key of its
  own, kept by triggers) and indexed from there.
- PostgreSQL: a stored `tsvector` per row in a table of its own, with a GIN
  index, computed by triggers with a text search configuration made for the
  language (snowball stemming, no stop words so that "no" finds "Nō", and
  accents folded by the `unaccent` extension when the role may create it:
  it is a trusted extension since PostgreSQL 13).

`install` drops and recreates everything and fills it from the tables as
they are (idempotent): the migration, `manage.py rebuild_search_index` and
the post-migrate check (search/apps.py) call it. A migration of another app
that remakes a table on SQLite (Django copies it into a new one) drops that
table's triggers; the post-migrate check sees they are gone and installs
the index again, so a migrated database is always kept in step.
"""

# Every statement here is built from this module's constants (table, column
# and trigger names, the tokenizer, the weights), never from input.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Language:
    """How one language's words are indexed and matched."""

    name: str  # PostgreSQL's name for the snowball stemmer: "english"
    # FTS5's tokenizer: FTS5 has only an English stemmer (porter); another
    # language is indexed without stemming until one is added.
    sqlite_tokenizer: str

    @property
    def pg_config(self) -> str:
        return f"three_notebooks_{self.name}"


LANGUAGES = {
    "english": Language("english", "porter unicode61 remove_diacritics 2"),
    "german": Language("german", "unicode61 remove_diacritics 2"),
}
DEFAULT_LANGUAGE = "english"

# Tables and triggers this module owns, by vendor (for dropping and checking).
SQLITE_TABLES = (
    "search_passage_fts",
    "search_motif_fts",
    "search_annotation_fts",
    "search_annotation_text",
)
SQLITE_TRIGGERS = (
    "search_passage_ai",
    "search_passage_ad",
    "search_passage_au",
    "search_motif_ai",
    "search_motif_ad",
    "search_motif_au",
    "search_annotation_ai",
    "search_annotation_ad",
    "search_annotation_au",
    "search_annotation_text_ai",
    "search_annotation_text_ad",
    "search_annotation_text_au",
)
PG_TABLES = ("search_passage_vector", "search_motif_vector", "search_annotation_vector")
PG_TRIGGERS = (
    ("search_passage_vector", "reader_passage"),
    ("search_passage_vector_delete", "reader_passage"),
    ("search_passage_vector_truncate", "reader_passage"),
    ("search_motif_vector", "themes_motif"),
    ("search_motif_vector_delete", "themes_motif"),
    ("search_motif_vector_truncate", "themes_motif"),
    ("search_annotation_vector", "annotations_annotation"),
    ("search_annotation_vector_delete", "annotations_annotation"),
    ("search_annotation_vector_truncate", "annotations_annotation"),
)

# Column weights for ranking: a motif's name and terms above its summary and
# description; a note's own words above the words it quotes; the audience
# (below) never counts.
SQLITE_MOTIF_RANK = "bm25(10.0, 6.0, 3.0, 1.0)"
SQLITE_ANNOTATION_RANK = "bm25(4.0, 1.0, 0.0)"


def audience_sql(row: str) -> str:
    """Who might see an annotation, as words indexed beside its own: `u<id>`
    its author, `pub` every reader, `c<id>` a class's members, `t<id>` a
    class's teachers; `row` is the trigger's NEW (or a table's name).

    A search asks for the words AND any of the reader's audience words
    (`audience_words`, search/selectors.py), so the index hands back only
    the notes that reader might see, instead of every note that says "mask".
    It is a coarse superset of who may see a note, never the rule: every
    candidate then goes through `Annotation.objects.visible_to`, which
    alone decides (readable editions, a reply's thread, "answer first",
    drafts). A test holds it a superset of the rule for every reader.
    Hidden notes are their author's only: so is their audience."""
    course = f"coalesce({row}.course_id, 0)"
    return f"""('u' || {row}.author_id || CASE WHEN {row}.moderation = 'visible' THEN
        CASE
            WHEN {row}.visibility = 'public' AND NOT {row}.draft THEN ' pub'
            WHEN {row}.visibility = 'public' THEN ' t' || {course}
            WHEN {row}.visibility = 'course' THEN ' c' || {course} || ' t' || {course}
            WHEN {row}.visibility = 'teacher' THEN ' t' || {course}
            ELSE ''
        END ELSE '' END)"""


# What changes an annotation's words or audience: the triggers watch these.
ANNOTATION_WATCHED = (
    "id, body, exact, author_id, visibility, course_id, moderation, draft"
)


_TEXT_COLUMNS = "body, quote, audience"
_TEXT_NEW = "new.body, new.quote, new.audience"
_TEXT_OLD = "old.body, old.quote, old.audience"


def _sqlite_fts(table: str, columns: str, content: str, tokenizer: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, "
        f"content='{content}', content_rowid='id', tokenize='{tokenizer}')"
    )


def _sqlite_statements(language: Language) -> list[str]:
    tok = language.sqlite_tokenizer
    motif_cols = "name, search_terms, summary, description"
    new_motif = "new.name, new.search_terms, new.summary, new.description"
    old_motif = "old.name, old.search_terms, old.summary, old.description"
    return [
        # Passages, straight from reader_passage.
        _sqlite_fts("search_passage_fts", "text", "reader_passage", tok),
        """CREATE TRIGGER search_passage_ai AFTER INSERT ON reader_passage BEGIN
            INSERT INTO search_passage_fts(rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TRIGGER search_passage_ad AFTER DELETE ON reader_passage BEGIN
            INSERT INTO search_passage_fts(search_passage_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
        END""",
        """CREATE TRIGGER search_passage_au AFTER UPDATE OF text ON reader_passage
        BEGIN
            INSERT INTO search_passage_fts(search_passage_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
            INSERT INTO search_passage_fts(rowid, text) VALUES (new.id, new.text);
        END""",
        # Motifs, straight from themes_motif.
        _sqlite_fts("search_motif_fts", motif_cols, "themes_motif", tok),
        f"""CREATE TRIGGER search_motif_ai AFTER INSERT ON themes_motif BEGIN
            INSERT INTO search_motif_fts(rowid, {motif_cols})
            VALUES (new.id, {new_motif});
        END""",
        f"""CREATE TRIGGER search_motif_ad AFTER DELETE ON themes_motif BEGIN
            INSERT INTO search_motif_fts(search_motif_fts, rowid, {motif_cols})
            VALUES ('delete', old.id, {old_motif});
        END""",
        f"""CREATE TRIGGER search_motif_au
        AFTER UPDATE OF {motif_cols} ON themes_motif BEGIN
            INSERT INTO search_motif_fts(search_motif_fts, rowid, {motif_cols})
            VALUES ('delete', old.id, {old_motif});
            INSERT INTO search_motif_fts(rowid, {motif_cols})
            VALUES (new.id, {new_motif});
        END""",
        f"INSERT INTO search_motif_fts(search_motif_fts, rank) "
        f"VALUES ('rank', '{SQLITE_MOTIF_RANK}')",
        # Annotations: their words under an integer key of their own.
        """CREATE TABLE search_annotation_text (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotation_id char(32) NOT NULL UNIQUE,
            body TEXT NOT NULL,
            quote TEXT NOT NULL,
            audience TEXT NOT NULL
        )""",
        _sqlite_fts(
            "search_annotation_fts",
            "body, quote, audience",
            "search_annotation_text",
            tok,
        ),
        f"""CREATE TRIGGER search_annotation_ai AFTER INSERT ON annotations_annotation
        BEGIN
            INSERT INTO search_annotation_text(annotation_id, body, quote, audience)
            VALUES (new.id, new.body, new.exact, {audience_sql("new")});
        END""",
        """CREATE TRIGGER search_annotation_ad AFTER DELETE ON annotations_annotation
        BEGIN
            DELETE FROM search_annotation_text WHERE annotation_id = old.id;
        END""",
        f"""CREATE TRIGGER search_annotation_au
        AFTER UPDATE OF {ANNOTATION_WATCHED} ON annotations_annotation BEGIN
            UPDATE search_annotation_text
            SET annotation_id = new.id, body = new.body, quote = new.exact,
                audience = {audience_sql("new")}
            WHERE annotation_id = old.id;
        END""",
        f"""CREATE TRIGGER search_annotation_text_ai AFTER INSERT ON
        search_annotation_text BEGIN
            INSERT INTO search_annotation_fts(rowid, {_TEXT_COLUMNS})
            VALUES (new.id, {_TEXT_NEW});
        END""",
        f"""CREATE TRIGGER search_annotation_text_ad AFTER DELETE ON
        search_annotation_text BEGIN
            INSERT INTO search_annotation_fts(
                search_annotation_fts, rowid, {_TEXT_COLUMNS}
            ) VALUES ('delete', old.id, {_TEXT_OLD});
        END""",
        f"""CREATE TRIGGER search_annotation_text_au AFTER UPDATE ON
        search_annotation_text BEGIN
            INSERT INTO search_annotation_fts(
                search_annotation_fts, rowid, {_TEXT_COLUMNS}
            ) VALUES ('delete', old.id, {_TEXT_OLD});
            INSERT INTO search_annotation_fts(rowid, {_TEXT_COLUMNS})
            VALUES (new.id, {_TEXT_NEW});
        END""",
        f"INSERT INTO search_annotation_fts(search_annotation_fts, rank) "
        f"VALUES ('rank', '{SQLITE_ANNOTATION_RANK}')",
        # Fill from what is there: annotations' words first, then every
        # index from its content table.
        f"""INSERT INTO search_annotation_text(annotation_id, body, quote, audience)
        SELECT id, body, exact, {audience_sql("annotations_annotation")}
        FROM annotations_annotation""",
        "INSERT INTO search_passage_fts(search_passage_fts) VALUES ('rebuild')",
        "INSERT INTO search_motif_fts(search_motif_fts) VALUES ('rebuild')",
        "INSERT INTO search_annotation_fts(search_annotation_fts) VALUES ('rebuild')",
    ]


def _sqlite_drop() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
        f"DROP TABLE IF EXISTS {name}" for name in SQLITE_TABLES
    ]


def _pg_vector(language: Language, parts: list[tuple[str, str]]) -> str:
    """A weighted tsvector of NEW's columns: [(column, weight)]."""
    config = language.pg_config
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce(NEW.{column}, '')), '{weight}')"
        for column, weight in parts
    )


def _pg_kind(
    language: Language,
    *,
    kind: str,
    source: str,
    key: str,
    key_type: str,
    parts: list[tuple[str, str]],
    watched: str,
    audience: bool = False,
) -> list[str]:
    """One kind's table of vectors, kept by triggers; `audience`: with the
    words of who might see each row (`audience_sql`) in a vector of their
    own, under the `simple` configuration (no stemming of `u12`)."""
    table = f"search_{kind}_vector"
    vector = _pg_vector(language, parts)
    columns, values, fill, update = "vector", vector, vector.replace("NEW.", ""), ""
    extra_index = []
    if audience:
        columns += ", audience"
        values += f", to_tsvector('simple', {audience_sql('NEW')})"
        fill += f", to_tsvector('simple', {audience_sql(source)})"
        update = ", audience = EXCLUDED.audience"
        extra_index = [f"CREATE INDEX {table}_audience ON {table} USING gin (audience)"]
    audience_column = ",\n            audience tsvector NOT NULL" if audience else ""
    return [
        f"""CREATE TABLE {table} (
            {key} {key_type} PRIMARY KEY,
            vector tsvector NOT NULL{audience_column}
        )""",
        f"CREATE INDEX {table}_gin ON {table} USING gin (vector)",
        *extra_index,
        f"""CREATE FUNCTION {table}_write() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {table} ({key}, {columns}) VALUES (NEW.id, {values})
            ON CONFLICT ({key}) DO UPDATE SET vector = EXCLUDED.vector{update};
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE FUNCTION {table}_delete() RETURNS trigger AS $$
        BEGIN
            DELETE FROM {table} WHERE {key} = OLD.id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE FUNCTION {table}_truncate() RETURNS trigger AS $$
        BEGIN
            TRUNCATE {table};
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {table} AFTER INSERT OR UPDATE OF {watched} ON {source}
        FOR EACH ROW EXECUTE FUNCTION {table}_write()""",
        f"""CREATE TRIGGER {table}_delete AFTER DELETE ON {source}
        FOR EACH ROW EXECUTE FUNCTION {table}_delete()""",
        f"""CREATE TRIGGER {table}_truncate AFTER TRUNCATE ON {source}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_truncate()""",
        # Fill from what is there.
        f"""INSERT INTO {table} ({key}, {columns})
        SELECT id, {fill} FROM {source}""",
    ]


def _pg_statements(language: Language, *, unaccent: bool) -> list[str]:
    config = language.pg_config
    dictionary = f"{config}_stem"
    # No StopWords: "no" must find "Nō", and a phrase keeps every word.
    filters = f"unaccent, {dictionary}" if unaccent else dictionary
    return [
        f"CREATE TEXT SEARCH DICTIONARY {dictionary} "
        f"(TEMPLATE = snowball, LANGUAGE = {language.name})",
        f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = {language.name})",
        f"ALTER TEXT SEARCH CONFIGURATION {config} ALTER MAPPING FOR "
        f"asciiword, asciihword, hword_asciipart, word, hword, hword_part "
        f"WITH {filters}",
        *_pg_kind(
            language,
            kind="passage",
            source="reader_passage",
            key="passage_id",
            key_type="bigint",
            parts=[("text", "A")],
            watched="text",
        ),
        *_pg_kind(
            language,
            kind="motif",
            source="themes_motif",
            key="motif_id",
            key_type="bigint",
            parts=[
                ("name", "A"),
                ("search_terms", "B"),
                ("summary", "B"),
                ("description", "C"),
            ],
            watched="name, search_terms, summary, description",
        ),
        *_pg_kind(
            language,
            kind="annotation",
            source="annotations_annotation",
            key="annotation_id",
            key_type="uuid",
            parts=[("body", "A"), ("exact", "D")],
            watched=ANNOTATION_WATCHED,
            audience=True,
        ),
    ]


def _pg_drop() -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_TRIGGERS
    ]
    for table in PG_TABLES:
        statements += [
            f"DROP TABLE IF EXISTS {table}",
            f"DROP FUNCTION IF EXISTS {table}_write()",
            f"DROP FUNCTION IF EXISTS {table}_delete()",
            f"DROP FUNCTION IF EXISTS {table}_truncate()",
        ]
    for language in LANGUAGES.values():
        statements += [
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {language.pg_config}",
            f"DROP TEXT SEARCH DICTIONARY IF EXISTS {language.pg_config}_stem",
        ]
    return statements


def pg_unaccent_available(connection: BaseDatabaseWrapper) -> bool:
    """Create `unaccent` if it is missing and the role may (it is trusted
    since PostgreSQL 13: a database owner may). Without it, accents are not
    folded on PostgreSQL ("Kobo" does not find "Kōbō"); everything else
    works. The check `search.W001` says so."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone():
            return True
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DatabaseError:
            return False
    return True


def install(
    connection: BaseDatabaseWrapper,
    language: str = DEFAULT_LANGUAGE,
    *,
    unaccent: bool | None = None,
) -> None:
    """(Re)create the index and its triggers and fill it: idempotent.

    `unaccent` (PostgreSQL): fold accents through the extension; None, when
    it is there or can be made (`pg_unaccent_available`). Without it the
    index is built all the same, and accents count."""
    chosen = LANGUAGES[language]
    if connection.vendor == "sqlite":
        statements = _sqlite_drop() + _sqlite_statements(chosen)
    elif connection.vendor == "postgresql":
        if unaccent is None:
            unaccent = pg_unaccent_available(connection)
        statements = _pg_drop() + _pg_statements(chosen, unaccent=unaccent)
    else:
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        statements = _sqlite_drop()
    elif connection.vendor == "postgresql":
        statements = _pg_drop()
    else:
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_installed(connection: BaseDatabaseWrapper) -> bool:
    """Are every table and trigger of the index there, in this version
    (with the annotations' audience column), in one query?"""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = SQLITE_TABLES + SQLITE_TRIGGERS
            cursor.execute(
                "SELECT (SELECT count(*) FROM sqlite_master WHERE name IN ({}))"
                " + (SELECT count(*) FROM pragma_table_info('search_annotation_text')"
                " WHERE name = 'audience')".format(", ".join(["%s"] * len(names))),
                names,
            )
            return cursor.fetchone()[0] == len(names) + 1
        if connection.vendor == "postgresql":
            triggers = [name for name, _table in PG_TRIGGERS]
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s))"
                " + (SELECT count(*) FROM pg_tables WHERE tablename = ANY(%s))"
                " + (SELECT count(*) FROM information_schema.columns"
                " WHERE table_name = 'search_annotation_vector'"
                " AND column_name = 'audience')",
                [triggers, list(PG_TABLES)],
            )
            return cursor.fetchone()[0] == len(triggers) + len(PG_TABLES) + 1
    return True
