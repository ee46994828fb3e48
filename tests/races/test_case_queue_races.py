"""Take next on PostgreSQL with real parallel connections: 20 agents at once, 30 cases.

The module runs on a database of its own (committed rows, no rollback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import SupportCase, SupportCaseEvent, User, utcnow
from mallconsole.services.support import case_queues
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]

AGENTS = 20
CASES = 30


def test_twenty_agents_taking_next_at_once_each_get_a_different_case(race_app):
    with race_app.app_context():
        engine = db.engine
        agent_ids = [
            make_staff(db.session, f"race-agent-{n}@test.mall", [Role.SUPPORT_AGENT]).id
            for n in range(AGENTS)
        ]
        now = utcnow()
        for n in range(CASES):
            build(
                db.session,
                SupportCase,
                case_number=f"CAS-RACE-{n:06d}",
                subject="Race",
                status="open",
                priority="normal",
                sla_due_at=now + timedelta(minutes=n),
            )
        db.session.commit()
        db.session.remove()

    def take(i):
        with race_app.app_context(), Session(engine) as session:
            agent = session.get(User, agent_ids[i])
            taken = case_queues.take_next(session, actor=agent)
            session.commit()
            return taken.id if taken else None

    taken = in_threads(AGENTS, take)
    errors = [t for t in taken if isinstance(t, Exception)]
    assert errors == []
    assert None not in taken  # every agent got one
    assert len(set(taken)) == AGENTS  # no case given twice
    with Session(engine) as check:
        assigned = dict(
            check.execute(
                select(SupportCase.id, SupportCase.assigned_to_user_id).where(
                    SupportCase.assigned_to_user_id.is_not(None)
                )
            ).all()
        )
        assert set(assigned) == set(taken)
        assert sorted(assigned.values()) == sorted(agent_ids)
        versions = check.scalars(select(SupportCase.version).where(SupportCase.id.in_(taken))).all()
        assert set(versions) == {2}
        events = check.scalar(
            select(func.count())
            .select_from(SupportCaseEvent)
            .where(SupportCaseEvent.event_type == "assigned")
        )
        assert events == AGENTS
        # the most urgent ones went first: the 20 soonest SLAs, the 10 latest still wait
        waiting = check.scalars(
            select(SupportCase.case_number).where(SupportCase.assigned_to_user_id.is_(None))
        ).all()
        assert sorted(waiting) == [f"CAS-RACE-{n:06d}" for n in range(AGENTS, CASES)]
