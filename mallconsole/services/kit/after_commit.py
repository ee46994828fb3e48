"""Work that waits for a commit: ``enqueue(session, task, **kwargs)`` asks for a task to run
once ``session`` commits; a rolled-back change never sends one.

Where it runs:

* ``CELERY_BROKER_URL`` set: on any Celery worker (the task is sent to the broker);
* no broker (the embedded default): in the process that queued it, after the commit, on a
  thread of its own (``TASK_RUNNER = "thread"``), or before the response is sent
  (``"sync"``, the tests: the request's commit calls ``dispatch_ready``).

Tasks are named (``mallconsole.run_job``, ``mallconsole.send_mail``) and looked up in the app's
Celery app (``mallconsole/tasks``), so nothing here imports the task bodies.
"""

from __future__ import annotations

import logging
import threading

from celery import Celery
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
