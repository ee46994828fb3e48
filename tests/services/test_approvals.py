"""Maker-checker (services/approvals.py): every rule, in the service and in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mallconsole.core import states
from mallconsole.core.errors import Conflict, Forbidden, NotFound, ValidationError
from mallconsole.core.roles import Permission, Role
from mallconsole.models import AdminAction, AuditEvent, Configuration, MakerCheckerApproval, utcnow
from mallconsole.services import approvals
from mallconsole.services.admin import configuration
from tests.factories.actors import make_staff

PAYLOAD = {"before": {"state": "active"}, "after": {"state": "suspended"}}


@pytest.fixture
def people(session):
    return {
        name: make_staff(session, f"{name}@approvals.test", roles)
        for name, roles in (
            ("maker", (Role.SYSTEM_ADMIN,)),
            ("checker", (Role.SYSTEM_ADMIN,)),
            ("third", (Role.SYSTEM_ADMIN,)),
            ("finance", (Role.FINANCE_MANAGER,)),
            ("finance2", (Role.FINANCE_MANAGER,)),
            ("support", (Role.SUPPORT_AGENT,)),
        )
    }


@pytest.fixture
def carried_out(monkeypatch):
    """``suspend_seller`` gets an executor that records each call."""
    calls = []

    def executor(session, action, *, actor):
        calls.append((action.id, actor.id))
        return "Seller suspended"

    monkeypatch.setitem(approvals._EXECUTORS, "suspend_seller", executor)
    return calls


def ask(session, actor, *, target="seller-1", needed=1, name="suspend_seller", **extra):
    return approvals.request_approval(
        session,
        name,
        "shopping_mall_sellers",
        target,
        extra.pop("payload", PAYLOAD),
        extra.pop("justification", "Chargebacks above policy"),
        actor=actor,
        approvals_needed=needed,
        **extra,
    ).action


def events(session, action_id):
    return session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_id == action_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()


# --- asking ------------------------------------------------------------------------------------


def test_a_request_holds_the_exact_change_and_lapses_after_the_configured_hours(session, people):
    before = utcnow()
    action = ask(session, people["maker"])
    assert (action.status, action.revision, action.approvals_needed) == ("pending", 1, 1)
    assert action.payload == PAYLOAD and action.approver_permission == "approvals.admin"
    hours = (action.expires_at - before).total_seconds() / 3600
    assert (
        states.DEFAULT_APPROVALS_EXPIRY_HOURS <= hours < states.DEFAULT_APPROVALS_EXPIRY_HOURS + 1
    )
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == action.id)).all()
    assert event.action == "admin_action.requested" and event.reason == "Chargebacks above policy"
    assert event.changes["after"]["change"] == "State: Active → Suspended"


def test_the_expiry_follows_the_configuration(session, people):
    session.add(Configuration(key=states.APPROVALS_EXPIRY_HOURS, value="4"))
    session.flush()
    action = ask(session, people["maker"])
    assert timedelta(hours=3.9) < action.expires_at - utcnow() <= timedelta(hours=4)


def test_a_repeat_with_the_same_key_returns_the_first_request(session, people):
    first = ask(session, people["maker"], idempotency_key="k-1")
    again = approvals.request_approval(
        session, "suspend_seller", "shopping_mall_sellers", "seller-1", PAYLOAD, "again",
        actor=people["maker"], idempotency_key="k-1",
    )  # fmt: skip
    assert again.action.id == first.id and again.created is False
    with pytest.raises(Conflict):
        ask(session, people["checker"], idempotency_key="k-1")


def test_one_open_request_per_action_and_target(session, people):
    ask(session, people["maker"])
    with pytest.raises(Conflict, match="already waiting for approval"):
        ask(session, people["checker"])
    ask(session, people["checker"], target="seller-2")  # another target is fine


def test_the_database_allows_one_open_request_per_action_and_target(session, people):
    ask(session, people["maker"])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            AdminAction(
                requested_by_user_id=people["checker"].id,
                idempotency_key="direct",
                action_name="suspend_seller",
                target_entity_table="shopping_mall_sellers",
                target_entity_id="seller-1",
                status="pending",
            )
        )
        session.flush()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "delete_everything"}, "not an action"),
        ({"justification": "  "}, "justification"),
        ({"payload": {"before": {}}}, "missing"),
        ({"needed": 0}, "between 1 and"),
        ({"approver_permission": "jobs.manage"}, "not a permission"),
    ],
)
def test_bad_requests_are_refused_with_a_message(session, people, changes, message):
    with pytest.raises(ValidationError, match=message):
        ask(session, people["maker"], **changes)
    assert session.scalar(select(AdminAction.id)) is None


# --- deciding ------------------------------------------------------------------------------------


def test_the_requester_never_approves_their_own_request(session, people, carried_out):
    action = ask(session, people["maker"])
    with pytest.raises(Forbidden, match="someone else"):
        approvals.decide(
            session, action.id, "approve", actor=people["maker"], revision=action.revision
        )
    assert carried_out == [] and action.status == "pending"


def test_the_database_refuses_an_approval_by_the_requester(session, people):
    action = ask(session, people["maker"])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            MakerCheckerApproval(
                shopping_mall_admin_action_id=action.id,
                requested_by_user_id=people["maker"].id,
                approver_user_id=people["maker"].id,
                decision="approve",
            )
        )
        session.flush()
    # Naming someone else as the requester does not get round it: the pair must match.
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            MakerCheckerApproval(
                shopping_mall_admin_action_id=action.id,
                requested_by_user_id=people["checker"].id,
                approver_user_id=people["maker"].id,
                decision="approve",
            )
        )
        session.flush()


def test_one_person_never_gives_two_of_the_approvals(session, people, carried_out):
    action = ask(session, people["maker"], needed=2)
    first = approvals.decide(
        session, action.id, "approve", actor=people["checker"], revision=action.revision
    )
    assert "needs 1 more approval" in first.message and action.status == "pending"
    with pytest.raises(Conflict, match="already approved"):
        approvals.decide(
            session, action.id, "approve", actor=people["checker"], revision=action.revision
        )
    assert carried_out == []
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            MakerCheckerApproval(
                shopping_mall_admin_action_id=action.id,
                requested_by_user_id=people["maker"].id,
                approver_user_id=people["checker"].id,
                revision=1,
                decision="approve",
            )
        )
        session.flush()


def test_enough_distinct_approvers_carry_the_action_out_once(session, people, carried_out):
    action = ask(session, people["maker"], needed=2)
    approvals.decide(
        session, action.id, "approve", actor=people["checker"], revision=action.revision
    )
    done = approvals.decide(
        session,
        action.id,
        "approve",
        "Looks right",
        actor=people["third"],
        revision=action.revision,
    )
    assert done.executed and "Seller suspended" in done.message
    assert action.status == "executed" and action.performed_by_user_id == people["third"].id
    assert action.executed_at is not None and action.version == 3
    steps = {
        e.action: e
        for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == action.id))
    }
    assert steps["admin_action.executed"].changes == {
        "before": {"status": "approved", "version": 2},
        "after": {"status": "executed", "version": 3},
    }
    assert steps["admin_action.executed"].summary == "Carried out: Seller suspended"
    assert steps["admin_action.approved"].changes["after"] == {"status": "approved", "version": 2}
    assert carried_out == [(action.id, people["third"].id)]
    again = approvals.execute(session, action.id, actor=people["third"])
    assert not again.executed_now and "nothing was done again" in again.message
    assert len(carried_out) == 1
    assert events(session, action.id) == [
        "admin_action.requested",
        "admin_action.approval_given",
        "admin_action.approval_given",
        "admin_action.approved",
        "admin_action.executed",
    ]


def test_only_holders_of_the_approver_permission_decide(session, people, carried_out):
    action = ask(session, people["maker"])
    for outsider in ("finance", "support"):
        with pytest.raises(Forbidden):
            approvals.decide(
                session, action.id, "approve", actor=people[outsider], revision=action.revision
            )
    money = ask(
        session, people["finance"], name="wallet_adjustment", target="wallet-1",
        approver_permission=Permission.APPROVALS_FINANCE,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        approvals.decide(
            session, money.id, "reject", "no", actor=people["checker"], revision=money.revision
        )
    approvals.decide(
        session,
        money.id,
        "reject",
        "Not this month",
        actor=people["finance2"],
        revision=money.revision,
    )
    assert money.status == "rejected"


def test_a_rejection_needs_a_reason_and_ends_the_request(session, people, carried_out):
    action = ask(session, people["maker"], needed=2)
    with pytest.raises(ValidationError) as refused:
        approvals.decide(
            session, action.id, "reject", "", actor=people["checker"], revision=action.revision
        )
    assert refused.value.field_errors == {"reason": ["Give a reason."]}
    approvals.decide(
        session,
        action.id,
        "reject",
        "Evidence is thin",
        actor=people["checker"],
        revision=action.revision,
    )
    assert (action.status, action.rejection_reason) == ("rejected", "Evidence is thin")
    rejected = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == action.id, AuditEvent.action == "admin_action.rejected"
        )
    ).one()
    assert rejected.reason == "Evidence is thin"
    assert rejected.changes["after"]["rejection_reason"] == "Evidence is thin"
    with pytest.raises(Conflict, match="already rejected"):
        approvals.decide(
            session, action.id, "approve", actor=people["third"], revision=action.revision
        )
    assert carried_out == []


def test_the_requester_can_withdraw_a_pending_request(session, people, carried_out):
    action = ask(session, people["maker"])
    with pytest.raises(Forbidden):
        approvals.withdraw(session, action.id, actor=people["checker"])
    approvals.withdraw(session, action.id, actor=people["maker"])
    assert (action.status, action.cancel_reason) == ("canceled", "withdrawn")
    with pytest.raises(Conflict, match="withdrew"):
        approvals.decide(
            session, action.id, "approve", actor=people["checker"], revision=action.revision
        )
    with pytest.raises(Conflict):
        approvals.withdraw(session, action.id, actor=people["maker"])


def test_editing_the_change_starts_a_new_revision_and_voids_the_approvals(
    session, people, carried_out
):
    action = ask(session, people["maker"], needed=2)
    approvals.decide(
        session, action.id, "approve", actor=people["checker"], revision=action.revision
    )
    changed = {"before": {"state": "active"}, "after": {"state": "terminated"}}
    with pytest.raises(Forbidden):
        approvals.revise(session, action.id, changed, actor=people["checker"])
    approvals.revise(session, action.id, changed, "Worse than we thought", actor=people["maker"])
    assert (action.revision, action.payload["after"]["state"]) == (2, "terminated")
    # A decision based on the first revision is refused; the earlier approval no longer counts.
    with pytest.raises(Conflict, match="changed this request"):
        approvals.decide(session, action.id, "approve", actor=people["third"], revision=1)
    step = approvals.decide(session, action.id, "approve", actor=people["third"], revision=2)
    assert "needs 1 more" in step.message and carried_out == []
    # The first approver may approve again: this is a new revision.
    done = approvals.decide(session, action.id, "approve", actor=people["checker"], revision=2)
    assert done.executed and len(carried_out) == 1
    revised = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == action.id, AuditEvent.action == "admin_action.revised"
        )
    ).one()
    assert "1 approval no longer count" in revised.summary
    assert revised.changes["before"]["change"] == "State: Active → Suspended"
    assert revised.changes["after"]["change"] == "State: Active → Terminated"


def test_nothing_is_decided_after_the_request_expires(session, people, carried_out):
    action = ask(session, people["maker"])
    later = action.expires_at + timedelta(seconds=1)
    with pytest.raises(Conflict, match="expired"):
        approvals.decide(
            session,
            action.id,
            "approve",
            actor=people["checker"],
            now=later,
            revision=action.revision,
        )
    fresh = ask(session, people["maker"], target="seller-2")
    fresh.expires_at = later + timedelta(hours=1)
    session.flush()
    assert approvals.expire(session, now=later) == 1
    assert (action.status, action.cancel_reason) == ("canceled", "expired")
    assert fresh.status == "pending"
    expired = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == action.id, AuditEvent.action == "admin_action.canceled"
        )
    ).one()
    assert expired.actor_user_id is None and expired.changes["after"]["cancel_reason"] == "expired"
    assert carried_out == []


def test_a_kind_nobody_can_carry_out_is_listed_but_cannot_be_approved(session, people):
    action = ask(session, people["maker"], name="grant_role", target="user-1")
    row = approvals.action_row(session, action.id)
    assert "cannot carry out “grant a staff role” yet" in row.unavailable
    with pytest.raises(Conflict, match="cannot be approved"):
        approvals.decide(
            session, action.id, "approve", actor=people["checker"], revision=action.revision
        )
    assert session.scalar(select(MakerCheckerApproval.id)) is None
    approvals.decide(
        session,
        action.id,
        "reject",
        "Not needed",
        actor=people["checker"],
        revision=action.revision,
    )
    assert action.status == "rejected"


def test_an_executor_that_refuses_leaves_the_approval_standing(session, people, monkeypatch):
    attempts = []

    def refuse(session, action, *, actor):
        attempts.append(action.id)
        if len(attempts) == 1:
            raise Conflict("The seller was terminated meanwhile.")
        return "Seller suspended"

    monkeypatch.setitem(approvals._EXECUTORS, "suspend_seller", refuse)
    action = ask(session, people["maker"])
    outcome = approvals.decide(
        session, action.id, "approve", actor=people["checker"], revision=action.revision
    )
    assert not outcome.executed and "terminated meanwhile" in outcome.message
    assert action.status == "approved" and action.executed_at is None
    with pytest.raises(Forbidden):
        approvals.execute(session, action.id, actor=people["support"])
    retried = approvals.execute(session, action.id, actor=people["maker"])
    assert retried.executed_now and action.status == "executed" and len(attempts) == 2


def test_unknown_requests_are_not_found(session, people):
    for bad in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            approvals.decide(session, bad, "approve", actor=people["checker"], revision=1)
        with pytest.raises(NotFound):
            approvals.execute(session, bad, actor=people["checker"])


def test_a_request_is_visible_to_its_requester_and_in_its_own_area_only(session, people):
    action = ask(session, people["maker"])
    admin, finance = Permission.APPROVALS_ADMIN, Permission.APPROVALS_FINANCE

    def visible(person, permission, action_id=action.id):
        row = approvals.visible_row(
            session, action_id, viewer_id=people[person].id, permission=permission
        )
        return row is not None and row.action.id == action.id

    assert visible("checker", admin) and visible("maker", admin) and visible("maker", finance)
    assert not visible("finance", finance)
    assert not visible("checker", admin, "not-an-id")
    assert not visible("checker", admin, "00000000-0000-0000-0000-000000000000")
    action.deleted_at = utcnow()
    assert not visible("maker", admin)


# --- the inbox -----------------------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_me_and_nothing_else(session, people, carried_out):
    mine = ask(session, people["checker"], target="s-mine")
    waiting = ask(session, people["maker"], target="s-wait", needed=2)
    decided = ask(session, people["maker"], target="s-decided", needed=2)
    approvals.decide(
        session, decided.id, "approve", actor=people["checker"], revision=decided.revision
    )
    lapsed = ask(session, people["maker"], target="s-lapsed")
    lapsed.expires_at = utcnow() - timedelta(minutes=1)
    finance_kind = ask(
        session, people["finance"], name="wallet_adjustment", target="w-1",
        approver_permission=Permission.APPROVALS_FINANCE,
    )  # fmt: skip
    session.flush()
    ordering = approvals.INBOX_SORTS[0]
    from mallconsole.services.kit.pagination import Ordering

    page = approvals.list_page(
        session, "waiting", people["checker"].id, Permission.APPROVALS_ADMIN, {},
        Ordering(ordering, False, approvals.ACTION_ID), cursor=None, limit=50,
    )  # fmt: skip
    assert [row.action.id for row in page.rows] == [waiting.id]
    assert approvals.badge_count(session, people["checker"].id, Permission.APPROVALS_ADMIN) == 1
    # The third admin has decided nothing: both of the maker's live requests wait for them.
    assert approvals.badge_count(session, people["third"].id, Permission.APPROVALS_ADMIN) == 3
    assert approvals.badge_count(session, people["finance2"].id, "approvals.finance") == 1
    assert {mine.id, finance_kind.id}.isdisjoint(row.action.id for row in page.rows)


# --- the configuration executor ----------------------------------------------------------------


def test_an_approved_configuration_change_is_applied_once(session, people):
    key = states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency="USD")
    row = Configuration(key=key, value="250.00")
    session.add(row)
    session.flush()
    with pytest.raises(ValidationError):
        configuration.request_change(session, key, "lots", "Q4", actor=people["maker"])
    action = configuration.request_change(
        session, key, "300.00", "Q4 peak", actor=people["maker"]
    ).action
    assert action.target_entity_id == row.id and action.payload["before"] == {"value": "250.00"}
    done = approvals.decide(
        session, action.id, "approve", actor=people["checker"], revision=action.revision
    )
    assert done.executed and "is now 300.00" in done.message
    assert (row.value, row.version) == ("300.00", 2)
    changed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "configuration.changed")
    ).one()
    assert changed.changes == {
        "before": {"value": "250.00", "version": 1},
        "after": {"value": "300.00", "version": 2},
    }
    assert changed.shopping_mall_admin_action_id == action.id


def test_a_configuration_change_made_meanwhile_is_not_overwritten(session, people):
    key = states.MODERATION_CLAIM_BATCH_SIZE
    row = Configuration(key=key, value="10")
    session.add(row)
    session.flush()
    action = configuration.request_change(session, key, "20", "Backlog", actor=people["maker"])
    row.value = "15"
    session.flush()
    outcome = approvals.decide(
        session,
        action.action.id,
        "approve",
        actor=people["checker"],
        revision=action.action.revision,
    )
    assert not outcome.executed and "it is now 15" in outcome.message
    assert row.value == "15" and action.action.status == "approved"
