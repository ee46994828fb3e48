"""Maker-checker races on PostgreSQL with real parallel connections: approvers deciding one
request at once, many callers carrying one approval out, two people asking for one thing."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import Conflict
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import AdminAction, AuditEvent, MakerCheckerApproval
from mallconsole.services import approvals
from tests.factories.actors import make_staff
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]


@pytest.fixture
def staff(race_app):
    """A requester and 20 other system admins (committed), as plain ids."""
    with race_app.app_context(), Session(db.engine) as session:
        suffix = str(time.monotonic_ns())
        people = [
            make_staff(session, f"admin{n}-{suffix}@races.test", (Role.SYSTEM_ADMIN,))
            for n in range(21)
        ]
        session.commit()
        return [SimpleNamespace(id=p.id) for p in people]


@pytest.fixture
def executions(monkeypatch):
    """``suspend_seller`` carried out by an executor that counts its calls, slowly."""
    calls = []
    lock = threading.Lock()

    def executor(session, action, *, actor):
        time.sleep(0.05)  # hold the row while the others arrive
        with lock:
            calls.append(action.id)
        return "Seller suspended"

    monkeypatch.setitem(approvals._EXECUTORS, "suspend_seller", executor)
    return calls


def make_request(app, requester, *, needed, target):
    with app.app_context(), Session(db.engine) as session:
        action = approvals.request_approval(
            session, "suspend_seller", "shopping_mall_sellers", target,
            {"before": {"state": "active"}, "after": {"state": "suspended"}},
            "Chargebacks", actor=requester, approvals_needed=needed,
        ).action  # fmt: skip
        session.commit()
        return action.id


def decide(app, action_id, actor):
    with app.app_context(), Session(db.engine) as session:
        outcome = approvals.decide(
            session,
            action_id,
            "approve",
            actor=actor,
            revision=approvals.get_action(session, action_id).revision,
        )
        session.commit()
        return outcome


def test_two_approvers_at_once_both_count_and_it_is_carried_out_once(race_app, staff, executions):
    with race_app.app_context():
        for round_ in range(5):
            action_id = make_request(race_app, staff[0], needed=2, target=f"seller-two-{round_}")
            results = in_threads(2, lambda i, a=action_id: decide(race_app, a, staff[1 + i]))
            assert not any(isinstance(r, Exception) for r in results), results
            assert sorted(r.executed for r in results) == [False, True]
            with Session(db.engine) as session:
                action = session.get(AdminAction, action_id)
                assert action.status == "executed"
                given = session.scalar(
                    select(func.count()).where(
                        MakerCheckerApproval.shopping_mall_admin_action_id == action_id
                    )
                )
                assert given == 2
        assert len(executions) == 5 and len(set(executions)) == 5


def test_when_one_approval_is_enough_the_second_approver_is_told_it_is_done(
    race_app, staff, executions
):
    with race_app.app_context():
        action_id = make_request(race_app, staff[0], needed=1, target="seller-one")
        results = in_threads(2, lambda i: decide(race_app, action_id, staff[1 + i]))
        done = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(done) == 1 and done[0].executed
        assert len(refused) == 1 and isinstance(refused[0], Conflict)
        assert "already approved and carried out" in refused[0].message
        assert executions == [action_id]


def test_twenty_parallel_execute_calls_carry_it_out_exactly_once(race_app, staff, monkeypatch):
    calls = []
    lock = threading.Lock()

    def executor(session, action, *, actor):
        time.sleep(0.05)
        with lock:
            calls.append(actor.id)
        return "Seller suspended"

    with race_app.app_context():
        # Approved while nothing could carry it out yet: the executor lands afterwards.
        def not_yet(session, action, *, actor):
            raise Conflict("The seller's payouts are still being settled.")

        monkeypatch.setitem(approvals._EXECUTORS, "suspend_seller", not_yet)
        action_id = make_request(race_app, staff[0], needed=1, target="seller-twenty")
        with Session(db.engine) as session:
            approvals.decide(
                session,
                action_id,
                "approve",
                actor=staff[1],
                revision=approvals.get_action(session, action_id).revision,
            )
            session.commit()
            assert session.get(AdminAction, action_id).status == "approved"
        monkeypatch.setitem(approvals._EXECUTORS, "suspend_seller", executor)

        def execute(i):
            with race_app.app_context(), Session(db.engine) as session:
                outcome = approvals.execute(session, action_id, actor=staff[1 + i])
                session.commit()
                return outcome

        started = time.monotonic()
        results = in_threads(20, execute)
        took = time.monotonic() - started
        assert not any(isinstance(r, Exception) for r in results), results
        assert sum(r.executed_now for r in results) == 1
        assert all("nothing was done again" in r.message for r in results if not r.executed_now)
        assert len(calls) == 1
        with Session(db.engine) as session:
            executed = session.scalar(
                select(func.count()).where(
                    AuditEvent.entity_id == action_id, AuditEvent.action == "admin_action.executed"
                )
            )
            assert executed == 1
        print(f"20 parallel execute calls: 1 execution in {took:.2f} s")


def test_two_people_asking_for_the_same_thing_at_once_make_one_request(race_app, staff):
    with race_app.app_context():
        for round_ in range(5):
            target = f"seller-ask-{round_}"
            results = in_threads(
                2, lambda i, t=target: make_request(race_app, staff[1 + i], needed=1, target=t)
            )
            made = [r for r in results if isinstance(r, str)]
            refused = [r for r in results if isinstance(r, Exception)]
            assert len(made) == 1 and len(refused) == 1, results
            assert isinstance(refused[0], Conflict)
