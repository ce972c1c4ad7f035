"""Case search: the full-text index of cases.terms and the /cases searches their pages point at

SQLite: an FTS5 table over cases.terms (external content, kept by triggers in the same
transaction as the row), ranked with bm25. PostgreSQL: a stored generated column terms_tsv =
to_tsvector('simple', terms) with a GIN index, ranked with ts_rank. `terms` holds words already segmented by jieba and separated by
spaces, so both read the same words. The index (and PostgreSQL's column) is not in the models (neither backend's form
exists on the other); storage/migrations/env.py leaves it out of autogenerate.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = "cases_fts"
PG_INDEX = "ix_cases_terms_tsv"
PG_COLUMN = "terms_tsv"

SQLITE_UP = (
    # unicode61 without diacritics removal: the words are split on the spaces jieba's words
    # were joined with, as PostgreSQL's parser does.
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(terms, content='cases', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, new.terms); END",
    f"CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    f"CREATE TRIGGER cases_fts_update AFTER UPDATE OF terms ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.id, old.terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, new.terms); END",
    # Cases stored before this revision.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS cases_fts_update",
    "DROP TRIGGER IF EXISTS cases_fts_delete",
    "DROP TRIGGER IF EXISTS cases_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "case_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_searches")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        # Stored, not an expression index alone: ts_rank needs each match's vector, and
        # recomputing to_tsvector for thousands of matches made /cases take a second.
        op.execute(
            f"ALTER TABLE cases ADD COLUMN {PG_COLUMN} tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED"
        )
        op.execute(f"CREATE INDEX {PG_INDEX} ON cases USING gin ({PG_COLUMN})")


def downgrade() -> None:
    """Downgrade schema."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        op.execute(f"ALTER TABLE cases DROP COLUMN IF EXISTS {PG_COLUMN}")
    op.drop_table("case_searches")
