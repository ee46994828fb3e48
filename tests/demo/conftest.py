"""Fixtures of the demo-world tests: their own databases, seeded and committed, then dropped.

The suite's shared database stays empty (its tests roll back); a seeded world needs committed
rows, so each fixture here makes a fresh SQLite file or PostgreSQL database, migrates it, and
removes it afterwards.
"""

from __future__ import annotations

import flask_migrate
import pytest

from mallconsole.extensions import db
from tests.databases import make_test_app, new_database

DEMO_SCALE = "0.03"
DEMO_SEED = "7"


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory, worker_id):
    """A factory of new, empty databases (dropped at the end of the session)."""
    drops = []

    def make() -> str:
        url, drop = new_database(tmp_path_factory.mktemp("demo-db"), f"demo_{worker_id}")
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()


def demo_app(database_url: str, upload_dir):
    """A console app on ``database_url`` with the schema migrated."""
    app = make_test_app(database_url, upload_dir, "demo-test-secret")
    app.config["UPLOAD_DIR"] = str(upload_dir)  # the seeded attachment files land here
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(scope="session")
def make_demo_app():
    """``demo_app`` as a fixture, for tests that need one more migrated database."""
    return demo_app


@pytest.fixture(scope="session")
def seeded(fresh_database, tmp_path_factory):
    """A database seeded by ``flask seed-demo`` (small scale), shared read-only by the checks."""
    uploads = tmp_path_factory.mktemp("demo-uploads")
    app = demo_app(fresh_database(), uploads)
    result = app.test_cli_runner().invoke(
        args=["seed-demo", "--scale", DEMO_SCALE, "--seed", DEMO_SEED]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = db.engine
    yield app, engine, uploads, result.output
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def demo(seeded):
    """A connection to the seeded demo database (read only)."""
    _, engine, _, _ = seeded
    with engine.connect() as connection:
        yield connection
