"""Revision 0002 (console sign-in and shell) upgrades, downgrades and matches the models."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mallconsole.extensions import db
from mallconsole.schema import DATABASE_ONLY_INDEXES, MIGRATION_OPTIONS
from tests.databases import make_test_app, new_database


def test_0002_round_trip_and_models_match(tmp_path):
    url, drop = new_database(tmp_path, "mig")
    app = make_test_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            columns = {c["name"] for c in inspect(db.engine).get_columns("shopping_mall_users")}
            assert {"mfa_last_used_step", "time_zone"} <= columns
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": True,
                        "include_object": MIGRATION_OPTIONS["include_object"],
                    },
                )
                assert compare_metadata(context, db.metadata) == []
                indexes = {
                    i["name"] for i in inspect(connection).get_indexes("shopping_mall_orders")
                }
            if db.engine.dialect.name == "postgresql":
                assert "ix_orders_order_number_pattern" in indexes
            else:
                assert not indexes & DATABASE_ONLY_INDEXES
            flask_migrate.downgrade(revision="0001")
            columns = {c["name"] for c in inspect(db.engine).get_columns("shopping_mall_users")}
            assert "time_zone" not in columns
            flask_migrate.upgrade()
            db.engine.dispose()
    finally:
        drop()
