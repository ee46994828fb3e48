"""One moderation vocabulary: codes stored before the moderation console take its names.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Decisions (``shopping_mall_review_moderations.reason_code``): ``not_about_product`` becomes
``off_topic``; ``policy_violation``, which named no policy, becomes ``other``. Reports
(``shopping_mall_review_reports.reason_category``) take the policy reasons too: ``offensive``
becomes ``profanity``, ``fake_review`` ``fake`` and ``personal_information`` ``pii``
(docs/demo-world.md, "Vocabularies"). Down keeps the new codes: the old ones were one word for
several of the new, so nothing could be put back exactly, and every screen reads the new ones.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RENAMES = {
    ("shopping_mall_review_moderations", "reason_code"): {
        "not_about_product": "off_topic",
        "policy_violation": "other",
    },
    ("shopping_mall_review_reports", "reason_category"): {
        "offensive": "profanity",
        "fake_review": "fake",
        "personal_information": "pii",
    },
}


def upgrade():
    for (table, column), renames in RENAMES.items():
        for old, new in renames.items():
            op.execute(
                sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(
                    old=old, new=new
                )
            )


def downgrade():
    pass
