"""A real Celery worker (with beat) on the Redis broker runs a queued task and the schedule.

Needs the Redis server at 127.0.0.1:6379: skipped with a reason when it is not reachable,
except under ``REQUIRE_REDIS_TESTS=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import JobRun, OutboundMessage, utcnow
from mallconsole.services import jobs
from mallconsole.services.delivery import outbox
from tests.databases import make_test_app, new_database
from tests.factories.actors import make_staff
from tests.smtp import running_smtp_server

pytestmark = pytest.mark.xdist_group("races")

BROKER = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]


def require_redis() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return
    except OSError:
        pass
    reason = "Redis is not reachable at 127.0.0.1:6379 (start it: redis-server --daemonize yes)"
    if os.environ.get("REQUIRE_REDIS_TESTS") == "1":
        pytest.fail(f"REQUIRE_REDIS_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def wait_for(check, *, timeout=60.0, every=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    return None


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def worker(tmp_path, smtp):
    """A migrated database of its own, and a Celery worker with beat serving it."""
    require_redis()
    url, drop = new_database(tmp_path, "celery")
    queue = f"mallconsole-test-{uuid.uuid4().hex[:8]}"
    settings = {"CELERY_BROKER_URL": BROKER, "CELERY_QUEUE": queue}
    app = make_test_app(url, tmp_path / "instance")
    app.config.update(settings)
    from mallconsole.tasks import celery_init_app

    celery_init_app(app)  # again, now that the broker is set
    with app.app_context():
        flask_migrate.upgrade()
    env = {
        **os.environ,
        "MALLCONSOLE_CONFIG": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": queue,
        "JOB_SCHEDULE": "refresh-ratings=2,sweep-outbox=2",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "mallconsole.worker:celery", "worker",
            "--beat", "--pool", "solo", "--loglevel", "INFO", "--without-heartbeat",
            "--without-gossip", "--without-mingle", "-s", str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield app
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-4000:])  # the worker's log, shown by pytest when the test fails
        with app.app_context():
            db.engine.dispose()
        drop()


def test_a_queued_task_and_the_periodic_schedule_run_on_a_real_worker(worker):
    app = worker
    with app.app_context():
        admin = make_staff(db.session, "celery-admin@test.mall", [Role.SYSTEM_ADMIN])
        run = jobs.request_run(db.session, "refresh-ratings", actor=admin)
        db.session.commit()  # the task goes to Redis only now
        run_id = run.id

    def finished(run_id=run_id):
        with app.app_context():
            db.session.expire_all()
            status = db.session.scalar(select(JobRun.status).where(JobRun.id == run_id))
            return status if status in ("succeeded", "failed", "skipped") else None

    assert wait_for(finished) == "succeeded"

    def scheduled():
        with app.app_context():
            return db.session.scalars(
                select(JobRun).where(JobRun.trigger == "schedule", JobRun.status == "succeeded")
            ).all()

    runs = wait_for(lambda: len(scheduled()) >= 2 and scheduled())
    assert runs, "beat did not run the scheduled jobs within a minute"
    assert all(r.host for r in runs)


def test_mail_goes_out_through_the_worker_and_the_sweep_sends_what_was_left(worker, smtp):
    app = worker
    with app.app_context():
        outbox.queue_message(
            db.session, recipient="ana@example.com", subject="Sent by a task", body="Hello."
        )
        db.session.commit()  # the send-mail task goes to Redis now
        # a message whose task was lost (a worker died): only the periodic sweep can send it
        db.session.add(
            OutboundMessage(
                recipient="bo@example.com", subject="Left waiting", body_text="Hello again.",
                status="queued", attempts=0, next_attempt_at=utcnow(),
            )
        )  # fmt: skip
        db.session.commit()
    subjects = wait_for(lambda: len(smtp.messages) >= 2 and [m["Subject"] for m in smtp.messages])
    assert subjects and sorted(subjects) == ["Left waiting", "Sent by a task"]
    time.sleep(3)  # more sweeps run meanwhile: nothing is sent twice
    assert len(smtp.messages) == 2
