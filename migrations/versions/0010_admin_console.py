"""Admin console: sensitive feature flags, policy version terms, one segment form.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

- ``shopping_mall_feature_flags.sensitive`` (boolean, default false): a change to a flag marked
  sensitive goes through maker-checker instead of taking effect at once.
- ``shopping_mall_policy_versions.content`` (text, nullable): the terms of that version.
- A flag's ``segment`` is written ``key=value`` (``locale=ko-KR``); rows written ``key:value``
  (``country:US``) are rewritten, and back on downgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FLAGS = sa.table(
    "shopping_mall_feature_flags", sa.column("id", sa.String), sa.column("segment", sa.String)
)


def _rewrite_segments(old: str, new: str) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(FLAGS.c.id, FLAGS.c.segment).where(FLAGS.c.segment.isnot(None)))
    for flag_id, segment in rows.fetchall():
        if old in segment and new not in segment:
            key, _, value = segment.partition(old)
            bind.execute(
                FLAGS.update()
                .where(FLAGS.c.id == flag_id)
                .values(segment=f"{key.strip()}{new}{value.strip()}")
            )


def upgrade():
    with op.batch_alter_table("shopping_mall_feature_flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sensitive", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("shopping_mall_policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content", sa.Text(), nullable=True))
    _rewrite_segments(":", "=")


def downgrade():
    _rewrite_segments("=", ":")
    with op.batch_alter_table("shopping_mall_policy_versions", schema=None) as batch_op:
        batch_op.drop_column("content")
    with op.batch_alter_table("shopping_mall_feature_flags", schema=None) as batch_op:
        batch_op.drop_column("sensitive")
