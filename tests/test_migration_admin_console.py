"""Revision 0010 (admin console) over the flags written before it: the demo world's old segment
forms (``country:US``, ``segment:beta_testers``) become ``key=value``, and back down."""

from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import text

from mallconsole.extensions import db
from mallconsole.services.admin import flags
from tests.databases import make_test_app, new_database

SEGMENTS = {
    "flag-1": "country:US",
    "flag-2": "segment:beta_testers",
    "flag-3": "locale=ko-KR",  # already in the new form
    "flag-4": None,  # every subject
}


def _segments(connection) -> dict:
    rows = connection.execute(
        text("SELECT id, segment FROM shopping_mall_feature_flags ORDER BY id")
    ).all()
    return dict(rows)


def test_0010_rewrites_old_segments_as_key_value_and_back(tmp_path):
    url, drop = new_database(tmp_path, "mig10")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0009")
            now = datetime.now(UTC).replace(tzinfo=None)
            with db.engine.begin() as connection:
                for n, (flag_id, segment) in enumerate(SEGMENTS.items()):
                    connection.execute(
                        text(
                            "INSERT INTO shopping_mall_feature_flags (id, code, name, enabled, "
                            "segment, created_at, updated_at, version) VALUES (:id, :code, "
                            ":name, true, :segment, :now, :now, 1)"
                        ),
                        {"id": flag_id, "code": f"flag.{n}", "name": f"Flag {n}",
                         "segment": segment, "now": now},
                    )  # fmt: skip
            flask_migrate.upgrade(revision="0010")
            with db.engine.connect() as connection:
                upgraded = _segments(connection)
                sensitive = (
                    connection.execute(
                        text("SELECT DISTINCT sensitive FROM shopping_mall_feature_flags")
                    )
                    .scalars()
                    .all()
                )
            assert upgraded == {
                "flag-1": "country=US",
                "flag-2": "segment=beta_testers",
                "flag-3": "locale=ko-KR",
                "flag-4": None,
            }
            assert [bool(s) for s in sensitive] == [False]  # nothing becomes sensitive by itself
            for segment in filter(None, upgraded.values()):
                assert flags.parse_segment(segment)  # every one reads for the evaluation
            flask_migrate.downgrade(revision="0009")
            with db.engine.connect() as connection:
                assert _segments(connection)["flag-1"] == "country:US"
            flask_migrate.upgrade()
            db.engine.dispose()
    finally:
        drop()
