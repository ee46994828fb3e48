"""Races on PostgreSQL with real parallel connections: stale writes, job runs, run now.

Each test runs on a database of this module's own (committed data, no rollback), so leftovers
never reach other tests.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import Conflict
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import JobRun, JobSchedule
from mallconsole.services import jobs
from mallconsole.services.kit import versions
from tests.factories.actors import make_staff
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]


def test_two_writers_of_one_record_one_wins_the_other_gets_409(race_app):
    with race_app.app_context():
        engine = db.engine
        with Session(engine) as setup:
            row = JobSchedule(job_name="race-write", paused=False)
            setup.add(row)
            setup.commit()
            record_id = row.id

        def edit(i):
            with Session(engine) as session:
                schedule = versions.lock(session, JobSchedule, record_id)
                time.sleep(0.05)  # hold the lock while the other writer waits on it
                versions.apply_edit(
                    session,
                    schedule,
                    expected_version=1,
                    changes={"paused": True, "pause_reason": f"writer {i}"},
                    actor=None,
                    entity_table="shopping_mall_job_schedules",
                    action="job_paused",
                )
                session.commit()
                return i

        for _ in range(5):  # several rounds: the outcome never depends on timing
            outcomes = in_threads(2, edit)
            winners = [o for o in outcomes if isinstance(o, int)]
            losers = [o for o in outcomes if isinstance(o, versions.StaleRecord)]
            assert len(winners) == 1 and len(losers) == 1, outcomes
            assert losers[0].current_version == 2
            assert [c.field for c in losers[0].changes] == ["paused", "pause_reason"]
            with Session(engine) as check:
                stored = check.get(JobSchedule, record_id)
                assert stored.version == 2 and stored.pause_reason == f"writer {winners[0]}"
                stored.version, stored.paused, stored.pause_reason = 1, False, None
                check.commit()


def test_two_runs_of_one_job_one_runs_the_other_is_skipped(race_app):
    started = []

    def slow(session, *, now):
        started.append(now)
        time.sleep(0.5)
        return {"done": 1}

    jobs.register(jobs.Job("race-slow", "Slow job", "Takes half a second.", slow))
    try:

        def run(_i):
            with race_app.app_context():
                return jobs.run_job("race-slow", trigger="schedule").status

        statuses = in_threads(2, run)
        assert sorted(statuses) == ["skipped", "succeeded"], statuses
        assert len(started) == 1
        with race_app.app_context():
            recorded = db.session.scalars(
                select(JobRun.status).where(JobRun.job_name == "race-slow")
            ).all()
        assert sorted(recorded) == ["skipped", "succeeded"]
    finally:
        jobs.REGISTRY.pop("race-slow")


def test_concurrent_run_now_queues_one_run_and_refuses_the_others(race_app):
    jobs.register(jobs.Job("race-now", "Run-now job", "Does nothing.", lambda s, now: {}))
    try:
        with race_app.app_context():
            admins = [
                make_staff(db.session, f"race-admin-{n}@test.mall", [Role.SYSTEM_ADMIN])
                for n in range(8)
            ]
            db.session.commit()
            admin_ids = [a.id for a in admins]
            engine = db.engine

        def click(i):
            # each click is a request of its own: its app context and its connection
            with race_app.app_context(), Session(engine) as session:
                actor = session.get(type(admins[0]), admin_ids[i])
                jobs.request_run(session, "race-now", actor=actor)
                session.commit()
                return "queued"

        outcomes = in_threads(8, click)
        queued = [o for o in outcomes if o == "queued"]
        refused = [o for o in outcomes if isinstance(o, Conflict)]
        assert len(queued) == 1 and len(refused) == 7, outcomes
        with Session(engine) as check:
            count = check.scalar(
                select(func.count()).select_from(JobRun).where(JobRun.job_name == "race-now")
            )
            assert count == 1
    finally:
        jobs.REGISTRY.pop("race-now")
