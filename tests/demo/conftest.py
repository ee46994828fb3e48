"""Fixtures of the demo-world tests: their own databases, seeded and committed, then dropped.

The suite's shared database stays empty (its tests roll back); a seeded world needs committed
rows, so each fixture here makes a fresh SQLite file or PostgreSQL database, migrates it, and
removes it afterwards.
"""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mallconsole import create_app
from mallconsole.config import normalize_database_url
from mallconsole.extensions import db

DEMO_SCALE = "0.03"
DEMO_SEED = "7"


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory, worker_id):
    """A factory of new, empty databases (dropped at the end of the session)."""
    base = os.environ.get("TEST_DATABASE_URL")
    drops = []

    def make() -> str:
        if not base:
            return "sqlite:///" + str(tmp_path_factory.mktemp("demo-db") / "demo.db")
        url = make_url(normalize_database_url(base))
        name = f"{url.database or 'mallconsole_test'}_demo_{worker_id}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        drops.append((admin, name))
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    for admin, name in drops:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def demo_app(database_url: str, upload_dir, config_name: str = "testing"):
    """A console app on ``database_url`` with the schema migrated."""
    app = create_app(
        {
            "CONFIG_NAME": config_name,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "demo-test-secret",
            "UPLOAD_DIR": str(upload_dir),
        }
    )
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
