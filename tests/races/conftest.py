"""Races run on PostgreSQL with committed data: each module gets a database of its own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest

from mallconsole.extensions import db
from tests.databases import make_test_app, new_database


@pytest.fixture(scope="module")
def race_app(request, tmp_path_factory):
    """The console on a migrated database of this module's own, dropped afterwards."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    url, drop = new_database(tmp_path_factory.mktemp(name), name)
    app = make_test_app(url, tmp_path_factory.mktemp(f"{name}_instance"))
    with app.app_context():
        flask_migrate.upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


def in_threads(count, work):
    """Run ``work(i)`` on ``count`` threads released together; results or exceptions."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        except Exception as exc:  # collected: the test judges them
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))
