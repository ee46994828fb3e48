"""Revision 0013 over moderation decisions and reports stored with the codes of before the
moderation console: they take the one vocabulary of ``core/states.py``."""

import flask_migrate
from sqlalchemy import text

from mallconsole.core import states
from mallconsole.extensions import db
from mallconsole.models import ReviewModeration
from tests.databases import make_test_app, new_database
from tests.factories.records import build
from tests.moderation.reviews import add_report, add_review, make_moderator, make_shelf

DECISIONS = (
    "SELECT reason_code FROM shopping_mall_review_moderations WHERE id LIKE 'moderation-%' "
    "ORDER BY id"
)
REPORTS = "SELECT reason_category FROM shopping_mall_review_reports ORDER BY id"


def stored(query: str) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(text(query)).scalars())


def test_0013_renames_the_old_moderation_and_report_codes(tmp_path):
    url, drop = new_database(tmp_path, "mig13")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            # Rows written with today's models, then the schema taken back to 0012 (the old
            # codes stay as written), then 0013 run over them.
            flask_migrate.upgrade()
            session = db.session
            review = add_review(session, make_shelf(session), state="rejected")
            moderator = make_moderator(session)
            for n, code in enumerate(["not_about_product", "policy_violation", "spam"]):
                build(session, ReviewModeration, id=f"moderation-{n}",
                      shopping_mall_review_id=review.id, moderator_user_id=moderator.id,
                      decision="reject", reason_code=code, effective=n == 2)  # fmt: skip
            old_reports = ["offensive", "fake_review", "personal_information", "harassment"]
            for n, code in enumerate(old_reports):
                add_report(session, review, reason=code, id=f"report-{n}")
            session.commit()
            session.remove()
            flask_migrate.downgrade(revision="0012")
            assert "not_about_product" in stored(DECISIONS)
            flask_migrate.upgrade(revision="0013")
            assert stored(DECISIONS) == ["off_topic", "other", "spam"]
            assert stored(REPORTS) == ["profanity", "fake", "pii", "harassment"]
            flask_migrate.downgrade(revision="0012")  # down keeps the one vocabulary
            assert set(stored(DECISIONS)) <= set(states.MODERATION_POLICY_REASONS)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
