"""The embedded scheduler: periodic jobs without a broker, on a thread of the app process.

Started by the first request of a process whose config has no ``CELERY_BROKER_URL`` (the
zero set-up demo). Every ``TICK`` seconds it runs the jobs that are due, judged from the
job-runs table, so several processes (gunicorn workers) share one schedule; the job lock keeps
a job to one run at a time.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

TICK = 15
_started: set[int] = set()
_guard = threading.Lock()


def start(app) -> None:
    """Start the scheduler thread of ``app`` once per process."""
    if id(app) in _started:
        return
    with _guard:
        if id(app) in _started:
            return
        _started.add(id(app))
        threading.Thread(
            target=_loop, args=(app,), name="mallconsole scheduler", daemon=True
        ).start()


def run_due(app) -> list[str]:
    """Run every job that is due now; the names run."""
    from mallconsole.extensions import db
    from mallconsole.services import jobs
    from mallconsole.services.kit.after_commit import dispatch_ready

    with app.app_context():
        names = jobs.due_jobs(db.session)
        db.session.rollback()  # end the read before the runs take their locks
        for name in names:
            jobs.run_job(name, trigger="schedule")
            dispatch_ready(db.session)
        return names


def _loop(app) -> None:
    while True:
        try:
            run_due(app)
        except Exception:  # keep the schedule alive; the failure is in the log
            log.exception("the embedded scheduler could not run the due jobs")
        time.sleep(TICK)
