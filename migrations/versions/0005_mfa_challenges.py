"""Sign-in: the step between the password and the TOTP code is kept on the server.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- ``shopping_mall_mfa_challenges``: one row per password accepted for an account with MFA and
  waiting for its code, bound to one browser by the SHA-256 of a random token held in that
  browser's session cookie (``token_hash``). The first accepted code deletes it, as do a new
  password step for the account and signing out; it is refused after ``expires_at`` (five
  minutes). The state used to live in the signed cookie itself, where a saved copy could be
  replayed for as long as it was valid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shopping_mall_mfa_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shopping_mall_user_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("next_path", sa.String(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shopping_mall_user_id"],
            ["shopping_mall_users.id"],
            name=op.f("fk_mfa_challenges_user_id"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_mall_mfa_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mfa_challenges_token_hash")),
    )
    with op.batch_alter_table("shopping_mall_mfa_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mfa_challenges_user_id"), ["shopping_mall_user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("shopping_mall_mfa_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_challenges_user_id"))
    op.drop_table("shopping_mall_mfa_challenges")
