"""Background jobs: the registry, the runner, and what the Jobs screen reads and changes.

A job is a function ``job(session, *, now) -> {count name: number}`` that flushes its work; the
runner owns the transactions. Every run is a ``shopping_mall_job_runs`` row (trigger, status,
counts, error, host). A job runs once at a time across every process and machine: the runner
holds the job's lock for the run (a PostgreSQL advisory lock; on SQLite, whose database is one
file on one host, an exclusive lock on a file beside the instance folder), and a second run
that finds it taken is recorded as skipped. A run that died without a result (a worker killed
mid-run) is marked failed by the next run that holds the lock.

Who runs jobs: Celery (``mallconsole/tasks``) on a schedule kept in the config, the embedded
scheduler thread when there is no broker, ``flask jobs NAME`` from a shell, and an admin's
"Run now" (``request_run``: queued here, run after the commit).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text, tuple_

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.people import Person
from mallconsole.extensions import db
from mallconsole.models import JobRun, JobSchedule, User, new_id, utcnow
from mallconsole.services import approvals
from mallconsole.services.delivery import outbox
from mallconsole.services.kit import after_commit, audit, claims, metrics, versions
from mallconsole.services.kit.database import dialect_insert
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page
from mallconsole.services.moderation import ratings
from mallconsole.services.orders import expiry
from mallconsole.services.support import presence

log = logging.getLogger(__name__)
MACHINE = states.JOB_RUN_MACHINE  # runs are created queued; the runner moves them


@dataclass(frozen=True)
class Job:
    """A registered background job."""

    name: str
    label: str
    description: str
    function: Callable[..., dict]
    every: timedelta | None = None
    # A run still without a result after this long is taken for dead.
    timeout: timedelta = timedelta(minutes=30)


REGISTRY: dict[str, Job] = {}

RUN_STATUS_LABELS = {
    "queued": "Waiting to start",
    "running": "Running",
    "succeeded": "Succeeded",
    "failed": "Failed",
    "skipped": "Skipped",
}
RUN_STATUS_TONES = {
    "queued": "info",
    "running": "info",
    "succeeded": "success",
    "failed": "danger",
    "skipped": "warning",
}
TRIGGER_LABELS = {"schedule": "Schedule", "manual": "Run now", "command": "Command line"}


def register(job: Job) -> Job:
    """Add ``job`` to the registry (the owning service's module calls this at import)."""
    REGISTRY[job.name] = job
    return job


def get_job(name: str) -> Job:
    """The job called ``name``; 404 when there is none."""
    job = REGISTRY.get(name)
    if job is None:
        raise NotFound(f"There is no job called {name!r}.")
    return job


def interval(job: Job) -> timedelta | None:
    """How often the schedule runs ``job``: the config's ``JOB_SCHEDULE`` or its default."""
    override = current_app.config.get("JOB_SCHEDULE", {}).get(job.name)
    if override is not None:
        return timedelta(seconds=override) if override > 0 else None
    return job.every


# --- the jobs themselves -----------------------------------------------------------------------


def _refresh_ratings(session, *, now: datetime) -> dict:
    ratings.refresh_product_rating_aggregates(session)
    return {"products": ratings.product_rollup_count(session)}


register(
    Job(
        "refresh-ratings",
        "Refresh product ratings",
        "Rebuilds each product's rating summary from its SKUs' approved reviews.",
        _refresh_ratings,
        every=timedelta(minutes=15),
    )
)


def _sweep_outbox(session, *, now: datetime) -> dict:
    given_up = outbox.sweep_stuck(session, now=now)
    due = outbox.due_messages(session, now=now, limit=500)
    for message_id in due:
        after_commit.enqueue(session, outbox.SEND_MAIL_TASK, message_id=message_id)
    return {"messages_sent_again": len(due), "messages_given_up": given_up}


register(
    Job(
        "sweep-outbox",
        "Send waiting customer mail",
        "Sends messages that are due (retries, or a worker that stopped) and gives up on "
        "messages stuck while sending, which are never sent twice.",
        _sweep_outbox,
        every=timedelta(minutes=1),
    )
)


def _expire_claims(session, *, now: datetime) -> dict:
    return {"claims_expired": claims.expire(session, now=now)}


register(
    Job(
        "expire-claims",
        "Return expired claims",
        "Puts queue items whose claim ran out back in their queue for the next person.",
        _expire_claims,
        every=timedelta(minutes=1),
    )
)


def _prune_presence(session, *, now: datetime) -> dict:
    return {"presence_rows_removed": presence.prune(session, now=now)}


register(
    Job(
        "prune-presence",
        "Forget old presence",
        "Removes the “who is viewing” records of people who left a screen minutes ago.",
        _prune_presence,
        every=timedelta(minutes=5),
    )
)


def _expire_approvals(session, *, now: datetime) -> dict:
    return {"requests_expired": approvals.expire(session, now=now)}


register(
    Job(
        "expire-approvals",
        "Expire approval requests",
        "Cancels approval requests nobody decided within the time the configuration allows "
        "(approvals.expiry_hours).",
        _expire_approvals,
        every=timedelta(minutes=5),
    )
)


def _expire_orders(session, *, now: datetime) -> dict:
    return expiry.expire_due(session, now=now)


register(
    Job(
        "expire-orders",
        "Cancel unpaid orders",
        "Cancels orders still unpaid when their time runs out: their stock reservations "
        "expire and their coupons are given back.",
        _expire_orders,
        every=timedelta(minutes=5),
    )
)


# --- the lock ------------------------------------------------------------------------------


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key per job name for pg_try_advisory_lock.
    digest = hashlib.sha1(f"mallconsole-job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(name: str):
    """Hold the lock of job ``name`` for the block; yields False when someone else holds it."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = _lock_key(name)
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            connection.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    database = engine.url.render_as_string(hide_password=True)
    digest = hashlib.sha1(database.encode()).hexdigest()[:12]
    folder = Path(current_app.instance_path) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / f"{digest}-{name}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


# --- running --------------------------------------------------------------------------------


def _move(run: JobRun, status: str) -> None:
    states.check_move(MACHINE, run.status, status)
    run.status = status


def _finish(session, run: JobRun, status: str, *, counts=None, error=None) -> JobRun:
    _move(run, status)
    run.finished_at = utcnow()
    run.counts = counts
    run.error = error
    session.commit()
    took = (run.finished_at - run.started_at).total_seconds() if run.started_at else None
    metrics.record_job_run(run.job_name, status, took)
    return run


def run_job(
    name: str,
    *,
    trigger: str = "schedule",
    run_id: str | None = None,
    requested_by_id: str | None = None,
) -> JobRun:
    """Run job ``name`` now in this process and record the run; returns the finished run.

    ``run_id`` names a run queued by ``request_run``. Commits its own transactions.
    """
    job = get_job(name)
    if trigger not in states.JOB_TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    session = db.session
    run = session.get(JobRun, run_id) if run_id else None
    if run_id and (run is None or run.status != "queued"):
        log.info("job run %s is gone or already taken; nothing to do", run_id)
        return run
    ensure_schedule(session, name)
    if run is None:
        run = JobRun(
            job_name=name,
            trigger=trigger,
            status="queued",
            requested_by_user_id=requested_by_id,
            queued_at=utcnow(),
        )
        session.add(run)
        session.commit()
    with job_lock(name) as acquired:
        if not acquired:
            return _finish(
                session, run, "skipped", error="Another run of this job was in progress."
            )
        # Only the lock holder marks a run running: any other running run died without a result.
        _reap_dead_runs(session, job, keep=run.id)
        _move(run, "running")
        run.started_at, run.host = utcnow(), socket.gethostname()[:255]
        session.commit()
        if trigger == "schedule":
            schedule = session.scalar(select(JobSchedule).where(JobSchedule.job_name == name))
            if schedule is not None and schedule.paused:
                reason = f": {schedule.pause_reason}" if schedule.pause_reason else ""
                return _finish(session, run, "skipped", error=f"The schedule is paused{reason}")
        try:
            counts = job.function(session, now=utcnow())
            session.flush()
        except Exception as exc:  # recorded on the run; the next schedule tries again
            session.rollback()
            log.exception("job %s failed", name)
            run = session.get(JobRun, run.id)
            return _finish(session, run, "failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        return _finish(session, run, "succeeded", counts=counts or {})


def _reap_dead_runs(session, job: Job, *, keep: str) -> None:
    """Runs of ``job`` marked running while this run holds the lock died without a result."""
    dead = session.scalars(
        select(JobRun).where(
            JobRun.job_name == job.name, JobRun.status == "running", JobRun.id != keep
        )
    ).all()
    for run in dead:
        _move(run, "failed")
        run.finished_at = utcnow()
        run.error = "Interrupted: the process running it stopped before it finished."


def due_jobs(session, *, now: datetime | None = None) -> list[str]:
    """Scheduled jobs whose last scheduled run is older than their interval (or absent)."""
    now = now or utcnow()
    last = dict(
        session.execute(
            select(JobRun.job_name, func.max(JobRun.queued_at))
            .where(JobRun.trigger == "schedule")
            .group_by(JobRun.job_name)
        ).all()
    )
    due = []
    for job in REGISTRY.values():
        every = interval(job)
        if every is None:
            continue
        previous = last.get(job.name)
        if previous is None or previous <= now - every:
            due.append(job.name)
    return due


# --- what the Jobs screen asks for -------------------------------------------------------------


def ensure_schedule(session, name: str) -> None:
    """Make the job's schedule row if it has none (the record its screen and presence use)."""
    now = utcnow()
    session.execute(
        dialect_insert(session.get_bind(), JobSchedule)
        .values(
            id=new_id(),
            job_name=name,
            paused=False,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["job_name"])
    )


def _schedule_row(session, name: str) -> JobSchedule:
    """The job's schedule row, created if missing, locked for this transaction."""
    ensure_schedule(session, name)
    return session.execute(
        select(JobSchedule)
        .where(JobSchedule.job_name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def active_run(session, job: Job, *, now: datetime | None = None) -> JobRun | None:
    """A queued or running run of ``job`` that is still alive, if any."""
    now = now or utcnow()
    return session.scalars(
        select(JobRun)
        .where(
            JobRun.job_name == job.name,
            JobRun.status.in_(states.JOB_RUN_ACTIVE),
            JobRun.queued_at > now - job.timeout,
        )
        .order_by(JobRun.queued_at.desc())
        .limit(1)
    ).first()


def request_run(session, name: str, *, actor) -> JobRun:
    """Queue a run of ``name`` for now (an admin's "Run now"); 409 while one is active."""
    job = get_job(name)
    _schedule_row(session, name)  # serializes concurrent requests for the same job
    busy = active_run(session, job)
    if busy is not None:
        started = "running" if busy.status == "running" else "waiting to start"
        raise Conflict(f"{job.label} is already {started}. Wait for that run to finish.")
    run = JobRun(
        job_name=name,
        trigger="manual",
        status="queued",
        requested_by_user_id=actor.id,
        queued_at=utcnow(),
    )
    session.add(run)
    session.flush()  # the id goes to the task and the audit event
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_job_runs",
        entity_id=run.id,
        action="job_run_requested",
        summary=f"Asked for a run of {job.label} now",
        after={"job": name, "status": "queued"},
    )
    after_commit.enqueue(session, "mallconsole.run_job", name=name, trigger="manual", run_id=run.id)
    return run


SCHEDULE_LABELS = {"paused": "Paused", "pause_reason": "Reason for the pause"}


def set_paused(
    session, name: str, *, paused: bool, reason: str | None, expected_version: int, actor
) -> JobSchedule:
    """Pause or resume the schedule of ``name`` (an edit of the version the admin saw)."""
    job = get_job(name)
    reason = (reason or "").strip() or None
    if paused and not reason:
        raise ValidationError(
            "Say why the schedule is paused.",
            field_errors={"reason": ["Say why, so others know when to resume it."]},
        )
    schedule = _schedule_row(session, name)
    versions.apply_edit(
        session,
        schedule,
        expected_version=expected_version,
        changes={"paused": paused, "pause_reason": reason if paused else None},
        actor=actor,
        entity_table="shopping_mall_job_schedules",
        action="job_paused" if paused else "job_resumed",
        summary=f"{'Paused' if paused else 'Resumed'} the schedule of {job.label}",
        reason=reason,
        labels=SCHEDULE_LABELS,
    )
    schedule.updated_by_user_id = actor.id
    return schedule


@dataclass(frozen=True)
class JobStatus:
    """A job as the Jobs screen and the admin home show it."""

    job: Job
    every: timedelta | None
    schedule: JobSchedule | None
    last_run: JobRun | None

    @property
    def paused(self) -> bool:
        return bool(self.schedule and self.schedule.paused)

    @property
    def version(self) -> int:
        return self.schedule.version if self.schedule else 1


def job_statuses(session) -> list[JobStatus]:
    """Every job with its schedule and its latest run (three queries, whatever the history)."""
    latest = (
        select(JobRun.job_name, func.max(JobRun.queued_at).label("queued_at"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    last_runs = {
        run.job_name: run
        for run in session.scalars(
            select(JobRun).where(
                tuple_(JobRun.job_name, JobRun.queued_at).in_(
                    select(latest.c.job_name, latest.c.queued_at)
                )
            )
        )
    }
    schedules = {s.job_name: s for s in session.scalars(select(JobSchedule))}
    return [
        JobStatus(job, interval(job), schedules.get(job.name), last_runs.get(job.name))
        for job in sorted(REGISTRY.values(), key=lambda j: j.label)
    ]


def job_status(session, name: str) -> JobStatus:
    """One job's status; 404 for an unknown name."""
    job = get_job(name)
    last = session.scalars(
        select(JobRun).where(JobRun.job_name == name).order_by(JobRun.queued_at.desc()).limit(1)
    ).first()
    schedule = session.scalar(select(JobSchedule).where(JobSchedule.job_name == name))
    return JobStatus(job, interval(job), schedule, last)


@dataclass(frozen=True)
class RunRow:
    """A job run with whoever asked for it."""

    run: JobRun
    requested_by: Person | None

    @property
    def job(self) -> Job | None:
        return REGISTRY.get(self.run.job_name)

    @property
    def duration(self) -> timedelta | None:
        if self.run.started_at and self.run.finished_at:
            return self.run.finished_at - self.run.started_at
        return None


def _run_row(run: JobRun, email: str | None, name: str | None) -> RunRow:
    return RunRow(run, Person(name, email) if email else None)


RUN_SORTS = (
    SortKey("queued", "Queued", JobRun.queued_at, kind=datetime),
    SortKey("started", "Started", JobRun.started_at, nullable=True, kind=datetime),
    SortKey("job", "Job", JobRun.job_name),
)
RUN_ID = JobRun.id


def _runs_statement(filters: dict):
    statement = select(JobRun, User.email, User.name).outerjoin(
        User, User.id == JobRun.requested_by_user_id
    )
    if filters.get("job"):
        statement = statement.where(JobRun.job_name == filters["job"])
    if filters.get("result"):
        statement = statement.where(JobRun.status == filters["result"])
    return statement


def run_page(session, filters: dict, ordering, *, cursor, limit):
    """One page of job runs matching ``filters`` (``job``, ``result``); one query."""
    attribute = ordering.key.column.key
    page = keyset_page(
        session,
        _runs_statement(filters),
        ordering,
        cursor=cursor,
        limit=limit,
        key_of=lambda row: (getattr(row[0], attribute), row[0].id),
    )
    page.rows = [_run_row(*row) for row in page.rows]
    return page


def count_runs(session, filters: dict):
    """How many runs match ``filters`` (exact to the cap)."""
    ids = _runs_statement(filters).with_only_columns(JobRun.id)
    return capped_count(session, ids, estimate=True)


def get_run(session, run_id: str) -> RunRow:
    """One run with its requester; 404 when there is no such run."""
    row = session.execute(_runs_statement({}).where(JobRun.id == run_id)).first()
    if row is None:
        raise NotFound("There is no such job run.")
    return _run_row(*row)


def recent_runs(session, name: str, *, limit: int = 10) -> list[RunRow]:
    """The latest runs of job ``name``, newest first."""
    rows = session.execute(
        _runs_statement({"job": name})
        .order_by(JobRun.queued_at.desc(), JobRun.id.desc())
        .limit(limit)
    ).all()
    return [_run_row(*row) for row in rows]
