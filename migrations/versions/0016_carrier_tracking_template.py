"""Carriers' tracking addresses name ``{tracking_number}``; carriers are edited with versions;
the shipment list and its exceptions queue read indexes.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08

- ``shopping_mall_carriers.tracking_url_template``: the placeholder is ``{tracking_number}``,
  the schema's own word (docs/schema). Templates written with the demo world's ``{tracking}``
  are rewritten; nothing else in a template changes. Down writes ``{tracking}`` back, which the
  console of before this revision reads.
- ``shopping_mall_carriers.version`` (integer, 1 for existing rows): operations edit carriers
  now, and an edit names the version it was based on (services/kit/versions.py).
- ``ix_shipments_created`` (created_at, id): the shipment list, newest first, from an index.
- ``ix_shipment_events_shipment_at`` (shipment, event_at): a shipment's carrier events in
  order, and the exceptions queue's "no carrier event since" read as one index range per
  shipment.

It reads and writes only carrier rows and the two indexes, so it runs the same whatever other
revisions came before it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CARRIERS = "shopping_mall_carriers"
OLD, NEW = "{tracking}", "{tracking_number}"


def _rewrite(old: str, new: str) -> None:
    # ``instr`` on SQLite and ``strpos`` on PostgreSQL find the text literally (LIKE would
    # read the braces' neighbours as patterns on neither, but say nothing clearer).
    find = "instr" if op.get_bind().dialect.name == "sqlite" else "strpos"
    op.execute(
        sa.text(
            f"UPDATE {CARRIERS} SET tracking_url_template = "
            f"replace(tracking_url_template, :old, :new) "
            f"WHERE {find}(tracking_url_template, :old) > 0"
        ).bindparams(old=old, new=new)
    )


def upgrade():
    _rewrite(OLD, NEW)
    with op.batch_alter_table(CARRIERS) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    op.create_index("ix_shipments_created", "shopping_mall_shipments", ["created_at", "id"])
    op.create_index(
        "ix_shipment_events_shipment_at",
        "shopping_mall_shipment_events",
        ["shopping_mall_shipment_id", "event_at"],
    )


def downgrade():
    op.drop_index("ix_shipment_events_shipment_at", table_name="shopping_mall_shipment_events")
    op.drop_index("ix_shipments_created", table_name="shopping_mall_shipments")
    with op.batch_alter_table(CARRIERS) as batch_op:
        batch_op.drop_column("version")
    _rewrite(NEW, OLD)
