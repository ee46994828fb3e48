"""Customer search: by any words of the name and by the last digits of the phone, from an index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

- PostgreSQL: the ``pg_trgm`` extension and two trigram GIN indexes on ``shopping_mall_users``,
  over ``lower(name)`` and over the phone's digits; ``LIKE '%word%'`` per word of the name
  (any order, any case) and ``LIKE '%5678'`` on the digits are answered from them.
- SQLite: ``shopping_mall_user_search``, an FTS5 table with the trigram tokenizer (name and
  phone digits per user), kept by triggers on ``shopping_mall_users``; the same ``LIKE``
  patterns are answered from its index. A later revision that rebuilds ``shopping_mall_users``
  in batch mode on SQLite must create the three triggers again.
The extension is left installed on downgrade (other databases objects may use it).
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Keep in step with schema.DATABASE_ONLY_INDEXES and services/customer_search.py.
PHONE_DIGITS_PG = "regexp_replace(phone, '[^0-9]', '', 'g')"
POSTGRES_INDEXES = (
    ("ix_users_name_trigram", "lower(name) gin_trgm_ops"),
    ("ix_users_phone_digits_trigram", f"({PHONE_DIGITS_PG}) gin_trgm_ops"),
)
SEARCH_TABLE = "shopping_mall_user_search"


def _digits_sqlite(column: str) -> str:
    """The digits of a phone number (SQLite has no regexp_replace): separators removed."""
    expression = f"coalesce({column}, '')"
    for separator in ("+", "-", " ", "(", ")", ".", "/"):
        expression = f"replace({expression}, '{separator}', '')"
    return expression


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, expression in POSTGRES_INDEXES:
            op.execute(f"CREATE INDEX {name} ON shopping_mall_users USING gin ({expression})")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        "user_id UNINDEXED, name, phone_digits, tokenize = 'trigram')"
    )
    row = f"coalesce(NEW.name, ''), {_digits_sqlite('NEW.phone')}"
    op.execute(
        f"INSERT INTO {SEARCH_TABLE} (user_id, name, phone_digits) "
        f"SELECT id, coalesce(name, ''), {_digits_sqlite('phone')} FROM shopping_mall_users"
    )
    op.execute(
        f"CREATE TRIGGER {SEARCH_TABLE}_insert AFTER INSERT ON shopping_mall_users BEGIN "
        f"INSERT INTO {SEARCH_TABLE} (user_id, name, phone_digits) VALUES (NEW.id, {row}); END"
    )
    op.execute(
        f"CREATE TRIGGER {SEARCH_TABLE}_update AFTER UPDATE OF id, name, phone "
        f"ON shopping_mall_users BEGIN "
        f"DELETE FROM {SEARCH_TABLE} WHERE user_id = OLD.id; "
        f"INSERT INTO {SEARCH_TABLE} (user_id, name, phone_digits) VALUES (NEW.id, {row}); END"
    )
    op.execute(
        f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON shopping_mall_users BEGIN "
        f"DELETE FROM {SEARCH_TABLE} WHERE user_id = OLD.id; END"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _expression in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        return
    for suffix in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
