"""One vocabulary of stock adjustment reasons: the demo world's older words take its names.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

``shopping_mall_inventory_adjustments.reason_category`` keeps the five reasons of
``core/states.py`` (``receive``, ``correction``, ``damage``, ``return``, ``cycle_count``), which
the returns (RMA) and the stock screens share: ``damaged`` becomes ``damage``, ``restock``
``receive`` and ``found`` ``correction`` (docs/demo-world.md, "Vocabularies"). Each old word
was one new word, so down puts them back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "shopping_mall_inventory_adjustments"
RENAMES = {"damaged": "damage", "restock": "receive", "found": "correction"}


def _rename(old: str, new: str) -> None:
    op.execute(
        sa.text(
            f"UPDATE {TABLE} SET reason_category = :new WHERE reason_category = :old"
        ).bindparams(old=old, new=new)
    )


def upgrade():
    for old, new in RENAMES.items():
        _rename(old, new)


def downgrade():
    for old, new in RENAMES.items():
        _rename(new, old)
