"""Revision 0014 over reviews reported before it: each one's summary of its open reports is
filled in by the upgrade (the triggers' own computation), and down removes what it added."""

from datetime import UTC, datetime, timedelta

import flask_migrate
from sqlalchemy import inspect, text

from mallconsole.extensions import db
from tests.databases import make_test_app, new_database
from tests.moderation.reviews import add_report, add_review, make_shelf

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SUMMARY = "SELECT open_report_count, report_rank FROM shopping_mall_reviews WHERE id = :id"


def test_0014_summarizes_the_reports_filed_before_it(tmp_path):
    url, drop = new_database(tmp_path, "mig14")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            session = db.session
            shelf = make_shelf(session)
            reported = add_review(session, shelf, state="approved")
            quiet = add_review(session, shelf, sku=1, state="approved")
            for hours in (3, 1, 2):
                add_report(session, reported, created_at=T0 + timedelta(hours=hours))
            add_report(session, quiet, resolved=True, created_at=T0)
            session.commit()
            ids = reported.id, quiet.id
            session.remove()
            flask_migrate.downgrade(revision="0013")
            columns = {c["name"] for c in inspect(db.engine).get_columns("shopping_mall_reviews")}
            assert "report_rank" not in columns
            flask_migrate.upgrade(revision="0014")
            with db.engine.connect() as connection:
                first = connection.execute(text(SUMMARY), {"id": ids[0]}).one()
                second = connection.execute(text(SUMMARY), {"id": ids[1]}).one()
            opened = T0 + timedelta(hours=1)
            assert tuple(first) == (3, 3 * 10_000_000_000 - int(opened.timestamp()))
            assert tuple(second) == (0, None)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
