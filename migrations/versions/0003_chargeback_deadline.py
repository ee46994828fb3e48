"""Chargebacks: the provider's response deadline.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

``shopping_mall_chargebacks.respond_by`` (timestamp, null when the provider gave none): the time
by which the seller's evidence must reach the payment provider. Finance works open chargebacks
in order of this deadline, so it is indexed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shopping_mall_chargebacks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_chargebacks_respond_by"), ["respond_by"], unique=False)


def downgrade():
    with op.batch_alter_table("shopping_mall_chargebacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chargebacks_respond_by"))
        batch_op.drop_column("respond_by")
