"""The case queues' service: each queue, filters, sorts, keyset pages, take next, new cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import (
    AuditEvent,
    Configuration,
    Order,
    Shipment,
    SupportCase,
    SupportCaseEvent,
    utcnow,
)
from mallconsole.services.kit.pagination import parse_ordering
from mallconsole.services.support import case_queues
from tests.factories.actors import make_customer, make_staff
from tests.factories.records import build
from tests.query_plans import query_plans, scans_a_table
from tests.support.cases import add_case, add_cases


@pytest.fixture
def agent(session):
    return make_staff(session, "agent@queues.test", (Role.SUPPORT_AGENT,))


@pytest.fixture
def colleague(session):
    return make_staff(session, "colleague@queues.test", (Role.SUPPORT_AGENT,))


def ordering(param):
    return parse_ordering(param, case_queues.CASE_SORTS, "sla", case_queues.CASE_ID)


def page(session, queue, *, user, filters=None, sort="sla", cursor=None, limit=50):
    return case_queues.case_page(
        session, queue, filters or {}, ordering(sort), user_id=user.id, cursor=cursor, limit=limit
    )


def ids(result):
    return [row.case.id for row in result.rows]


def test_each_queue_holds_what_its_name_says(session, agent, colleague):
    mine = add_case(session, assigned_to_user_id=agent.id, status="pending")
    theirs = add_case(session, assigned_to_user_id=colleague.id)
    waiting = add_case(session, sla_in=timedelta(days=2))
    breached = add_case(session, sla_in=-timedelta(minutes=5), assigned_to_user_id=colleague.id)
    due_soon = add_case(session, sla_in=timedelta(minutes=40))
    closed = add_case(session, status="closed", assigned_to_user_id=agent.id, sla_in=-timedelta(1))
    add_case(session, deleted_at=utcnow())
    assert ids(page(session, "mine", user=agent)) == [mine.id]
    assert set(ids(page(session, "unassigned", user=agent))) == {waiting.id, due_soon.id}
    assert ids(page(session, "sla", user=agent)) == [breached.id, due_soon.id]
    every = {mine.id, theirs.id, waiting.id, breached.id, due_soon.id, closed.id}
    assert set(ids(page(session, "all", user=agent))) == every
    counts = {t.key: t.count.value for t in case_queues.queue_tabs(session, user_id=agent.id)}
    assert counts == {"mine": 1, "unassigned": 2, "sla": 2, "all": 6}


def test_rows_say_sla_overdue_or_left_and_who(session, agent):
    customer = make_customer(session, "ana.collins@example.test", name=None)
    add_case(session, sla_in=-timedelta(hours=2, minutes=1), customer_user_id=customer.id)
    add_case(session, sla_in=timedelta(minutes=35, seconds=20), assigned_to_user_id=agent.id)
    add_case(session, sla_in=timedelta(hours=30))
    add_case(session, status="resolved", sla_in=-timedelta(hours=1))
    rows = page(session, "all", user=agent, sort="sla").rows
    slas = [(r.sla.state, r.sla.delta) if r.sla else None for r in rows]
    assert slas == [
        ("breached", timedelta(hours=2, minutes=1)),
        None,  # resolved: no SLA to keep
        ("due_soon", timedelta(minutes=35)),
        ("in_time", timedelta(hours=30)),
    ]
    assert rows[0].requester == "a***@example.test"  # masked in lists
    assert rows[2].assignee.email == "agent@queues.test"
    assert rows[0].sla.tone == "danger" and rows[2].sla.tone == "warning"


def test_filters_narrow_every_queue(session, agent, colleague):
    urgent = add_case(session, priority="urgent", category="payment", origin_channel="phone")
    add_case(session, priority="low", category="payment", origin_channel="phone")
    theirs = add_case(session, priority="urgent", assigned_to_user_id=colleague.id)
    assert ids(page(session, "unassigned", user=agent, filters={"priority": "urgent"})) == [
        urgent.id
    ]
    found = page(session, "all", user=agent, filters={"category": "payment", "channel": "phone"})
    assert len(found.rows) == 2
    assert ids(page(session, "all", user=agent, filters={"assignee": colleague.id})) == [theirs.id]
    assert ids(page(session, "all", user=agent, filters={"status": "closed"})) == []


def test_priority_sort_is_urgent_first_and_pages_by_its_rank(session, agent):
    made = {p: add_case(session, priority=p) for p in ("low", "urgent", "normal", "high")}
    first = page(session, "unassigned", user=agent, sort="-priority", limit=2)
    assert ids(first) == [made["urgent"].id, made["high"].id]
    from mallconsole.services.kit.pagination import decode_cursor

    cursor = decode_cursor(first.next_cursor, ordering("-priority"))
    second = page(session, "unassigned", user=agent, sort="-priority", cursor=cursor, limit=2)
    assert ids(second) == [made["normal"].id, made["low"].id]


def test_keyset_pages_are_stable_when_a_case_arrives_meanwhile(session, agent):
    from mallconsole.services.kit.pagination import decode_cursor

    cases = add_cases(session, 6)
    first = page(session, "unassigned", user=agent, limit=3)
    assert ids(first) == [c.id for c in cases[:3]]
    add_case(session, sla_in=timedelta(minutes=10))  # sorts before the whole first page
    cursor = decode_cursor(first.next_cursor, ordering("sla"))
    second = page(session, "unassigned", user=agent, cursor=cursor, limit=3)
    assert ids(second) == [c.id for c in cases[3:]]


def test_the_queues_are_read_from_indexes(dialect, session, agent):
    add_cases(session, 3, assigned_to_user_id=agent.id)
    add_cases(session, 3)
    for queue in case_queues.QUEUES:
        sort = case_queues.DEFAULT_SORTS[queue]
        plans = query_plans(session, lambda q=queue, s=sort: page(session, q, user=agent, sort=s))
        # one range; a page that runs from the cases with an SLA into those without reads the
        # second range too (the empty values are a block of their own)
        assert 1 <= len(plans) <= 2, (queue, plans)
        for plan in plans:
            assert not scans_a_table(plan), (queue, plan)
            if dialect == "postgresql":
                # answered in the queue's order by an index: no sort of every matching case
                assert "Sort" not in plan, (queue, plan)
                assert "ix_support_cases_" in plan, (queue, plan)


def test_take_next_assigns_the_most_urgent_unassigned_case_for_good(session, agent, colleague):
    later = add_case(session, sla_in=timedelta(hours=3), priority="urgent")
    tie_low = add_case(session, sla_in=timedelta(hours=1), priority="low")
    tie_urgent = add_case(session, priority="urgent", sla_due_at=tie_low.sla_due_at)
    add_case(session, sla_in=-timedelta(hours=1), assigned_to_user_id=colleague.id)
    add_case(session, sla_in=-timedelta(hours=2), status="resolved")
    taken = case_queues.take_next(session, actor=agent)
    assert taken.id == tie_urgent.id
    assert taken.assigned_to_user_id == agent.id and taken.version == 2
    event = session.scalar(
        select(SupportCaseEvent).where(SupportCaseEvent.shopping_mall_support_case_id == taken.id)
    )
    assert event.event_type == "assigned" and event.body == "Assigned to agent@queues.test"
    assert taken.last_event_at == event.occurred_at
    trail = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == taken.id))
    assert trail.action == "case_assigned" and trail.actor_user_id == agent.id
    assert trail.changes["after"]["assigned_to_user_id"] == agent.id
    assert trail.changes["after"]["version"] == 2
    assert case_queues.take_next(session, actor=agent).id == tie_low.id
    assert case_queues.take_next(session, actor=agent).id == later.id
    assert case_queues.take_next(session, actor=agent) is None


# --- new cases ---------------------------------------------------------------------------------


def intake(**values):
    base = {
        "subject": "Parcel never arrived",
        "description": "Called on the phone.",
        "category": "shipping",
        "priority": "high",
        "channel": "phone",
    }
    return case_queues.Intake(**{**base, **values})


def test_a_new_case_is_numbered_timed_by_its_priority_and_audited(session, agent):
    customer = make_customer(session, "Jane.Doe@example.test")
    order = build(
        session, Order, shopping_mall_user_id=customer.id, order_number="ORD-20261201-000001"
    )
    shipment = build(session, Shipment, shopping_mall_order_id=order.id, shipment_number="SHP-1")
    session.add(Configuration(key="support.sla.first_response_hours.high", value="6"))
    session.flush()
    now = utcnow()
    opened = case_queues.open_case(
        session,
        intake(customer="jane.doe@example.test", order=order.order_number, shipment="shp-1"),
        actor=agent,
        now=now,
    )
    assert opened.case_number.startswith(f"CAS-{now:%Y%m%d}-")
    assert opened.sla_due_at == now + timedelta(hours=6)
    assert (opened.customer_user_id, opened.order_id, opened.shipment_id) == (
        customer.id,
        order.id,
        shipment.id,
    )
    assert opened.status == "open" and opened.assigned_to_user_id is None
    event = session.scalar(
        select(SupportCaseEvent).where(SupportCaseEvent.shopping_mall_support_case_id == opened.id)
    )
    assert (event.event_type, event.actor_user_id) == ("created", agent.id)
    trail = session.scalar(select(AuditEvent).where(AuditEvent.entity_id == opened.id))
    assert trail.action == "case_created" and trail.changes["after"]["order"] == order.order_number
    second = case_queues.open_case(session, intake(customer=order.order_number), actor=agent)
    assert int(second.case_number[-6:]) == int(opened.case_number[-6:]) + 1
    assert second.order_id == order.id  # found by its order number
    default = case_queues.open_case(
        session, intake(customer=order.order_number, priority="urgent"), actor=agent, now=now
    )
    assert default.sla_due_at == now + timedelta(
        hours=states.DEFAULT_SLA_FIRST_RESPONSE_HOURS["urgent"]
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"category": "weather"}, "category"),
        ({"priority": "whenever"}, "priority"),
        ({"channel": "pigeon"}, "channel"),
        ({"customer": None}, "customer"),
        ({"customer": "nobody@example.test"}, "customer"),
        ({"customer": "ORD-19990101-000001"}, "customer"),
        ({"seller": "SELLER-NONE"}, "seller"),
        ({"order": "ORD-OTHER"}, "order"),
        ({"order": "ORD-NONE"}, "order"),
        ({"shipment": "SHP-OTHER"}, "shipment"),
    ],
)
def test_a_new_case_is_refused_field_by_field_and_nothing_is_created(session, agent, values, field):
    make_customer(session, "jane@example.test")
    stranger = make_customer(session, "other@example.test")
    other_order = build(session, Order, shopping_mall_user_id=stranger.id, order_number="ORD-OTHER")
    build(session, Shipment, shopping_mall_order_id=other_order.id, shipment_number="SHP-OTHER")
    before = session.scalar(select(SupportCase.id).limit(1))
    with pytest.raises(ValidationError) as refused:
        case_queues.open_case(
            session, intake(**{"customer": "jane@example.test", **values}), actor=agent
        )
    assert field in refused.value.field_errors
    assert refused.value.status == 422
    assert session.scalar(select(SupportCase.id).limit(1)) == before
