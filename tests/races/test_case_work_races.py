"""Case changes on PostgreSQL with real parallel connections: agents changing one case from the
same version at once (one wins, the others are told what changed), and replies landing at once
(none lost, each queued once)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import OutboundMessage, SupportCase, SupportCaseEvent
from mallconsole.services.kit import versions
from mallconsole.services.support import case_work
from tests.factories.actors import make_customer, make_staff
from tests.factories.records import build
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]
AGENTS = 10


@pytest.fixture
def world(race_app):
    """Ten support agents and an open case of a customer (committed), as plain ids."""
    with race_app.app_context(), Session(db.engine) as session:
        suffix = str(time.monotonic_ns())
        agents = [
            make_staff(session, f"agent{n}-{suffix}@races.test", (Role.SUPPORT_AGENT,))
            for n in range(AGENTS)
        ]
        customer = make_customer(session, f"customer-{suffix}@example.com")
        case = build(
            session, SupportCase, status="open", priority="normal", category="order",
            customer_user_id=customer.id,
        )  # fmt: skip
        session.commit()
        return SimpleNamespace(agents=[SimpleNamespace(id=a.id) for a in agents], case_id=case.id)


def test_agents_changing_one_case_from_the_same_version_one_wins(race_app, world):
    targets = ["pending", "on_hold", "resolved"] * 4

    def change(i):
        with race_app.app_context(), Session(db.engine) as session:
            case_work.change_status(
                session, world.case_id, status=targets[i], expected_version=1,
                actor=world.agents[i],
            )  # fmt: skip
            session.commit()
            return targets[i]

    results = in_threads(AGENTS, change)
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, versions.StaleRecord)]
    assert len(won) == 1 and len(refused) == AGENTS - 1, results
    assert {c.value for r in refused for c in r.changes} == {case_work.words(won[0])}
    with race_app.app_context(), Session(db.engine) as session:
        case = session.get(SupportCase, world.case_id)
        assert (case.status, case.version) == (won[0], 2)
        events = session.scalar(
            select(func.count())
            .select_from(SupportCaseEvent)
            .where(
                SupportCaseEvent.shopping_mall_support_case_id == world.case_id,
                SupportCaseEvent.event_type == "status_changed",
            )
        )
        assert events == 1


def test_replies_at_once_are_all_kept_and_each_queued_once(race_app, world):
    def answer(i):
        with race_app.app_context(), Session(db.engine) as session:
            event = case_work.reply(
                session, world.case_id, body=f"Answer {i}", actor=world.agents[i]
            )
            session.commit()
            return event.id

    results = in_threads(AGENTS, answer)
    assert all(isinstance(r, str) for r in results), results
    with race_app.app_context(), Session(db.engine) as session:
        queued = session.scalars(
            select(OutboundMessage.entity_id).where(OutboundMessage.entity_id.in_(results))
        ).all()
        assert sorted(queued) == sorted(results)
        case = session.get(SupportCase, world.case_id)
        assert case.version == 1  # replies add to the case; they do not edit it
        newest = session.scalar(
            select(func.max(SupportCaseEvent.occurred_at)).where(
                SupportCaseEvent.shopping_mall_support_case_id == world.case_id
            )
        )
        assert case.last_event_at == newest
