"""Background work on Celery, configured from the Flask app (as Indico and Warehouse do).

``enqueue(session, task, **kwargs)`` asks for a task to run once ``session`` commits: a
rolled-back change never sends one. Where it runs:

* ``CELERY_BROKER_URL`` set: on any Celery worker (``celery -A mallconsole.tasks.worker:celery
  worker``); periodic jobs come from ``celery … beat`` on the schedule kept in the config.
* no broker (the embedded default): in the process that queued it, after the commit, on a
  thread of its own (``TASK_RUNNER = "thread"``), or before the response is sent
  (``"sync"``, the tests); the periodic jobs run on the embedded scheduler thread.

Tasks are few and generic: ``mallconsole.run_job`` runs a registered job through the job
runner (``services/jobs.py``: lock, run record, counts), ``mallconsole.send_mail`` delivers
one outbox message.
"""

from __future__ import annotations

import logging
import threading

from celery import Celery, Task
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING = "mallconsole.pending_tasks"
READY = "mallconsole.ready_tasks"


def enqueue(session, task: str, **kwargs) -> None:
    """Run ``task`` with ``kwargs`` after ``session`` commits (never if it rolls back)."""
    session.info.setdefault(PENDING, []).append((task, kwargs))


@event.listens_for(Session, "after_commit")
def _committed(session):
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    if not has_app_context():
        log.error("tasks %s committed outside an app context: not sent", [t for t, _ in pending])
        return
    if _runs_inline():
        # Run later, outside this commit, when the caller dispatches (dispatch_ready).
        session.info.setdefault(READY, []).extend(pending)
        return
    for task, kwargs in pending:
        send(task, kwargs)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _soft_rolled_back(session, _previous_transaction):
    session.info.pop(PENDING, None)


def _runs_inline() -> bool:
    config = current_app.config
    return not config.get("CELERY_BROKER_URL") and config.get("TASK_RUNNER") == "sync"


def dispatch_ready(session) -> None:
    """Run the tasks whose transaction committed (inline mode; a no-op otherwise)."""
    while session.info.get(READY):
        task, kwargs = session.info[READY].pop(0)
        send(task, kwargs)


def send(task: str, kwargs: dict) -> None:
    """Hand ``task`` to its runner now."""
    app = current_app._get_current_object()
    celery: Celery = app.extensions["celery"]
    job = celery.tasks[task]
    if app.config.get("CELERY_BROKER_URL"):
        try:
            job.apply_async(kwargs=kwargs)
        except Exception:  # the broker is down: the periodic sweeps pick the work up again
            log.exception("could not send task %s to the broker", task)
        return
    if app.config.get("TASK_RUNNER") == "sync":
        job.apply(kwargs=kwargs)
        return
    threading.Thread(
        target=_run_in_thread, args=(job, kwargs), name=f"task {task}", daemon=True
    ).start()


def _run_in_thread(job, kwargs) -> None:
    try:
        job.apply(kwargs=kwargs)  # the task pushes its app context itself
    except Exception:
        log.exception("task %s failed", job.name)


# --- the tasks ------------------------------------------------------------------------------


def run_job(name: str, trigger: str = "schedule", run_id: str | None = None) -> str:
    """Run the registered job ``name`` through the job runner; its final status."""
    from ..extensions import db
    from ..services import jobs

    run = jobs.run_job(name, trigger=trigger, run_id=run_id)
    dispatch_ready(db.session)
    return run.status if run is not None else "skipped"


def send_mail(message_id: str) -> str:
    """Deliver one outbox message (``services/outbox.deliver_message``); what happened."""
    from sqlalchemy.orm import sessionmaker

    from ..extensions import db
    from ..services import mailer, outbox

    # The request's binding: an engine in production; the test's connection in tests.
    factory = sessionmaker(bind=db.session.get_bind(), join_transaction_mode="create_savepoint")
    transport = mailer.transport_from_config(current_app.config)
    return outbox.deliver_message(factory, message_id, transport=transport)


def beat_schedule(app) -> dict:
    """Celery beat's schedule: every registered job with an interval (``JOB_SCHEDULE``)."""
    from ..services import jobs

    with app.app_context():
        schedule = {}
        for job in jobs.REGISTRY.values():
            every = jobs.interval(job)
            if every is not None:
                schedule[job.name] = {
                    "task": "mallconsole.run_job",
                    "schedule": every.total_seconds(),
                    "kwargs": {"name": job.name, "trigger": "schedule"},
                }
        return schedule


def celery_init_app(app) -> Celery:
    """The Celery app of ``app``: tasks run inside its app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context() and current_app._get_current_object() is app:
                return self.run(*args, **kwargs)  # run inline, inside the caller's context
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config.get("CELERY_BROKER_URL") or "memory://",
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        # A task is acknowledged after it ran: a worker that dies mid-task leaves it queued.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=app.config.get("CELERY_QUEUE", "mallconsole"),
        timezone="UTC",
        enable_utc=True,
    )
    celery.task(name="mallconsole.run_job")(run_job)
    celery.task(name="mallconsole.send_mail")(send_mail)
    celery.conf.beat_schedule = beat_schedule(app)
    app.extensions["celery"] = celery
    return celery


def install(app) -> None:
    """Give ``app`` its Celery app, and the embedded scheduler when it has no broker."""
    celery_init_app(app)
    if app.config.get("EMBEDDED_SCHEDULER") and not app.config.get("CELERY_BROKER_URL"):
        from . import embedded

        app.before_request(lambda: embedded.start(app))
