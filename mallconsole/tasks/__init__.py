"""Background work on Celery, configured from the Flask app (as Indico and Warehouse do).

Services queue work with ``mallconsole.services.kit.after_commit.enqueue``; it runs after the
commit, here:

* ``CELERY_BROKER_URL`` set: on any Celery worker (``celery -A mallconsole.worker:celery
  worker``); periodic jobs come from ``celery … beat`` on the schedule kept in the config.
* no broker (the embedded default): in the process that queued it, after the commit, and the
  periodic jobs on the embedded scheduler thread (``tasks/embedded.py``).

Tasks are few and generic: ``mallconsole.run_job`` runs a registered job through the job
runner (``services/jobs.py``: lock, run record, counts), ``mallconsole.send_mail`` delivers
one outbox message. Nothing imports this package but the entry points (``create_app``, the
worker, the ``jobs`` command).
"""

from __future__ import annotations

from celery import Celery, Task
from flask import current_app, has_app_context
from sqlalchemy.orm import sessionmaker

from mallconsole.extensions import db
from mallconsole.services import jobs
from mallconsole.services.delivery import mailer, outbox
from mallconsole.services.kit.after_commit import dispatch_ready

# --- the tasks ------------------------------------------------------------------------------


def run_job(name: str, trigger: str = "schedule", run_id: str | None = None) -> str:
    """Run the registered job ``name`` through the job runner; its final status."""

    run = jobs.run_job(name, trigger=trigger, run_id=run_id)
    dispatch_ready(db.session)
    return run.status if run is not None else "skipped"


def send_mail(message_id: str) -> str:
    """Deliver one outbox message (``services/outbox.deliver_message``); what happened."""

    # The request's binding: an engine in production; the test's connection in tests.
    factory = sessionmaker(bind=db.session.get_bind(), join_transaction_mode="create_savepoint")
    transport = mailer.transport_from_config(current_app.config)
    return outbox.deliver_message(factory, message_id, transport=transport)


def beat_schedule(app) -> dict:
    """Celery beat's schedule: every registered job with an interval (``JOB_SCHEDULE``)."""

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
        from mallconsole.tasks import embedded

        app.before_request(lambda: embedded.start(app))
