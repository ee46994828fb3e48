"""The embedded scheduler (no broker) runs each due job once and nothing that is not due."""

import flask_migrate
from sqlalchemy import select

from mallconsole.extensions import db
from mallconsole.models import JobRun
from mallconsole.services import jobs
from mallconsole.tasks import embedded
from tests.databases import make_test_app, new_database


def test_due_jobs_run_once_then_wait_for_their_interval(tmp_path):
    url, drop = new_database(tmp_path, "embedded")
    app = make_test_app(url, tmp_path / "instance")
    try:
        with app.app_context():
            flask_migrate.upgrade()
        scheduled = {name for name, job in jobs.REGISTRY.items() if job.every}
        assert set(embedded.run_due(app)) == scheduled
        assert embedded.run_due(app) == []  # none is due again yet
        with app.app_context():
            runs = db.session.scalars(select(JobRun)).all()
            assert {r.job_name for r in runs} == scheduled
            assert {(r.trigger, r.status) for r in runs} == {("schedule", "succeeded")}
            db.session.remove()  # give its connection back before the pool is closed
            db.engine.dispose()
    finally:
        drop()
