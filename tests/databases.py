"""New databases and apps for tests: a SQLite file, or a fresh PostgreSQL database.

With ``TEST_DATABASE_URL`` set, each database is created on that server (named after the URL's
database plus a label and a random suffix) and dropped by the returned function.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mallconsole import create_app
from mallconsole.config import normalize_database_url


def new_database(directory: Path, label: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database and the function that removes it."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return "sqlite:///" + str(Path(directory) / f"{label}.db"), lambda: None
    url = make_url(normalize_database_url(base))
    name = f"{url.database or 'mallconsole_test'}_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def cached_schema(url: str, directory: Path, migrate: Callable[[str], None]) -> bool:
    """``TEST_SCHEMA_CACHE=1`` (SQLite only): the migrated schema copied into the new database
    ``url`` from a file in ``directory`` made once for these migrations (by ``migrate``), so the
    caller need not migrate; False, and nothing done, otherwise. Each mutant of a mutation run is
    a test session of its own, and migrating was most of its time."""
    path = url.removeprefix("sqlite:///")
    if os.environ.get("TEST_SCHEMA_CACHE") != "1" or path == url:
        return False
    digest = hashlib.sha256()
    for file in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(file.relative_to(MIGRATIONS).as_posix().encode() + file.read_bytes())
    cache = Path(directory) / f"mallconsole-schema-{digest.hexdigest()[:16]}.db"
    if not cache.exists():
        made = cache.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        migrate("sqlite:///" + str(made))
        os.replace(made, cache)  # whole or not at all, for parallel workers
    shutil.copyfile(cache, path)
    return True


def make_test_app(database_url: str, instance, secret_key: str = "test-secret-key"):
    """The console in the testing config on ``database_url``, files under ``instance``."""
    instance = Path(instance)
    return create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret_key,
            "UPLOAD_DIR": str(instance / "uploads"),
            "MAIL_URL": "file://" + str(instance / "mailbox"),
        }
    )
