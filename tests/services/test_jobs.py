"""The job runner: runs are recorded, once at a time, never for a rolled-back request."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, JobRun, JobSchedule, utcnow
from mallconsole.services import jobs
from mallconsole.services.kit import after_commit, versions
from tests.factories.actors import make_staff


@pytest.fixture
def admin(session):
    return make_staff(session, "jobs-admin@test.mall", [Role.SYSTEM_ADMIN])


@pytest.fixture
def probe_job():
    """A registered job that counts its calls."""
    calls = []

    def probe(session, *, now):
        calls.append(now)
        return {"items": len(calls)}

    job = jobs.register(
        jobs.Job("probe", "Probe job", "Counts its calls.", probe, every=timedelta(minutes=5))
    )
    probe.calls = calls
    yield probe
    jobs.REGISTRY.pop(job.name, None)


def test_a_run_is_recorded_with_its_counts(session, probe_job):
    run = jobs.run_job("probe", trigger="command")
    assert (run.status, run.trigger, run.counts) == ("succeeded", "command", {"items": 1})
    assert run.started_at and run.finished_at and run.finished_at >= run.started_at
    assert run.host


def test_refresh_ratings_is_a_real_job(session):
    run = jobs.run_job("refresh-ratings", trigger="command")
    assert run.status == "succeeded" and "products" in run.counts


def test_a_failing_job_is_recorded_failed_and_its_work_undone(session, probe_job, admin):
    def failing(session, *, now):
        session.add(JobSchedule(job_name="made-by-failing-job", paused=False))
        session.flush()
        raise RuntimeError("the carrier API answered 503")

    jobs.register(jobs.Job("failing", "Failing job", "Fails.", failing))
    try:
        run = jobs.run_job("failing", trigger="command")
    finally:
        jobs.REGISTRY.pop("failing")
    assert run.status == "failed"
    assert run.error == "RuntimeError: the carrier API answered 503"
    assert (
        session.scalar(select(JobSchedule).where(JobSchedule.job_name == "made-by-failing-job"))
        is None
    )


def test_a_second_run_while_one_holds_the_lock_is_skipped(session, probe_job):
    with jobs.job_lock("probe") as held:
        assert held
        run = jobs.run_job("probe", trigger="schedule")
    assert run.status == "skipped" and "in progress" in run.error
    assert probe_job.calls == []
    assert jobs.run_job("probe").status == "succeeded"  # the lock was given back


def test_a_run_that_died_is_marked_failed_by_the_next_one(session, probe_job):
    dead = JobRun(job_name="probe", trigger="schedule", status="running", queued_at=utcnow())
    session.add(dead)
    session.flush()
    jobs.run_job("probe")
    assert dead.status == "failed" and dead.error.startswith("Interrupted")


def test_a_paused_schedule_skips_scheduled_runs_but_not_manual_ones(session, probe_job, admin):
    jobs.set_paused(
        session, "probe", paused=True, reason="Carrier outage", expected_version=1, actor=admin
    )
    session.commit()
    scheduled = jobs.run_job("probe", trigger="schedule")
    assert scheduled.status == "skipped" and "Carrier outage" in scheduled.error
    assert jobs.run_job("probe", trigger="command").status == "succeeded"


def test_run_now_queues_a_run_that_starts_after_the_commit(session, probe_job, admin):
    run = jobs.request_run(session, "probe", actor=admin)
    assert run.status == "queued" and probe_job.calls == []
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == run.id))
    assert event.action == "job_run_requested" and event.actor_user_id == admin.id
    session.commit()
    after_commit.dispatch_ready(session)
    assert run.status == "succeeded" and run.trigger == "manual"
    assert run.requested_by_user_id == admin.id and len(probe_job.calls) == 1


def test_run_now_sends_nothing_when_the_request_rolls_back(session, probe_job, admin):
    session.begin_nested()
    jobs.request_run(session, "probe", actor=admin)
    session.rollback()
    session.commit()
    after_commit.dispatch_ready(session)
    assert probe_job.calls == []


def test_run_now_is_refused_while_a_run_is_active(session, probe_job, admin):
    jobs.request_run(session, "probe", actor=admin)
    with pytest.raises(Conflict, match="already waiting to start"):
        jobs.request_run(session, "probe", actor=admin)
    # a run stuck for longer than the job's timeout no longer blocks
    session.execute(JobRun.__table__.update().values(queued_at=utcnow() - timedelta(hours=2)))
    assert jobs.request_run(session, "probe", actor=admin).status == "queued"


def test_unknown_jobs_are_404(session, admin):
    with pytest.raises(NotFound):
        jobs.request_run(session, "no-such-job", actor=admin)
    with pytest.raises(NotFound):
        jobs.run_job("no-such-job")


def test_due_jobs_follow_the_schedule_and_its_overrides(session, app, probe_job):
    assert "probe" in jobs.due_jobs(session)
    jobs.run_job("probe", trigger="schedule")
    assert "probe" not in jobs.due_jobs(session)
    assert "probe" in jobs.due_jobs(session, now=utcnow() + timedelta(minutes=6))
    app.config["JOB_SCHEDULE"] = {"probe": 0}
    try:
        assert "probe" not in jobs.due_jobs(session, now=utcnow() + timedelta(days=1))
        assert jobs.interval(jobs.REGISTRY["probe"]) is None
    finally:
        app.config["JOB_SCHEDULE"] = {}


def test_pausing_needs_a_reason(session, probe_job, admin):
    with pytest.raises(ValidationError) as refused:
        jobs.set_paused(session, "probe", paused=True, reason="  ", expected_version=1, actor=admin)
    assert "reason" in refused.value.field_errors


def test_a_stale_pause_is_refused_with_what_changed_since(session, probe_job, admin):
    other = make_staff(session, "other-admin@test.mall", [Role.SYSTEM_ADMIN])
    jobs.set_paused(session, "probe", paused=True, reason="Outage", expected_version=1, actor=other)
    with pytest.raises(versions.StaleRecord) as stale:
        jobs.set_paused(
            session, "probe", paused=True, reason="Mine", expected_version=1, actor=admin
        )
    assert stale.value.status == 409 and stale.value.current_version == 2
    changes = {c.field: c for c in stale.value.changes}
    assert changes["paused"].value is True and changes["paused"].by.email == "other-admin@test.mall"
    assert changes["pause_reason"].value == "Outage"
    assert changes["pause_reason"].label == "Reason for the pause"
    # based on the current version, the same edit goes through
    schedule = jobs.set_paused(
        session, "probe", paused=True, reason="Mine", expected_version=2, actor=admin
    )
    assert (schedule.version, schedule.pause_reason) == (3, "Mine")


def test_job_statuses_show_each_jobs_latest_run(session, probe_job):
    jobs.run_job("probe", trigger="command")
    latest = jobs.run_job("probe", trigger="command")
    statuses = {s.job.name: s for s in jobs.job_statuses(session)}
    assert statuses["probe"].last_run.id == latest.id
    assert statuses["probe"].every == timedelta(minutes=5)


def test_a_finished_run_is_not_finished_again(session, probe_job):
    run = jobs.run_job("probe", trigger="command")
    with pytest.raises(InvalidTransition) as refused:
        jobs._finish(session, run, "failed", error="too late")
    assert refused.value.message == "A job run cannot go from Succeeded to Failed."
    assert (run.status, run.error) == ("succeeded", None)
    again = jobs.run_job("probe", run_id=run.id)  # a finished run is not run again either
    assert again.status == "succeeded" and len(probe_job.calls) == 1
