"""Shipments: every legal and illegal move (by a status correction and by a carrier event
recorded by hand), the exceptions queue's rule at its edge, the list's filters and pages, the
shipment screen's read model, and a carrier given to a shipment not yet picked up."""

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, Configuration, ShipmentEvent, Store, utcnow
from mallconsole.services.fulfilment import shipments
from mallconsole.services.kit.pagination import parse_ordering
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.factories.shipments import add_event, make_carrier, make_shipment
from tests.query_counts import assert_constant_queries
from tests.query_plans import query_plans, scans_a_table

MACHINE = states.SHIPMENT_MACHINE
DAYS = timedelta(days=states.DEFAULT_SHIPMENT_STALE_EVENT_DAYS)
HOURS = timedelta(hours=1)
ALL_PAIRS = list(product(states.SHIPMENT, states.SHIPMENT))
LEGAL = sorted(MACHINE.moves)
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in MACHINE.moves]


@pytest.fixture
def ops(session):
    return make_staff(session, "ops-shipments@example.test", roles=(Role.OPERATIONS_MANAGER,))


def audited(session, shipment):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_table == shipments.TABLE, AuditEvent.entity_id == shipment.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()


def correct(session, shipment, target, actor, **kw):
    kw.setdefault("expected_version", shipment.version)
    return shipments.correct_status(
        session, shipment.shipment_number, target=target, reason="The carrier's scan was wrong",
        actor=actor, **kw,
    )  # fmt: skip


def record(session, shipment, event, actor, **kw):
    kw.setdefault("expected_version", shipment.version)
    kw.setdefault("location", "Depot 4")
    kw.setdefault("description", "Called the carrier: they confirmed it")
    kw.setdefault("customer_visible", False)
    return shipments.record_event(session, shipment.id, event=event, actor=actor, **kw)


# --- status corrections: every move ---------------------------------------------------------------


def test_the_machine_is_the_contracts():
    assert set(LEGAL) == {
        ("ready_to_ship", "in_transit"), ("in_transit", "out_for_delivery"),
        ("in_transit", "exception"), ("out_for_delivery", "delivered"),
        ("out_for_delivery", "delivery_attempted"), ("out_for_delivery", "exception"),
        ("delivery_attempted", "out_for_delivery"), ("delivery_attempted", "return_to_sender"),
        ("exception", "in_transit"), ("exception", "return_to_sender"),
        ("return_to_sender", "returned"),
    }  # fmt: skip


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_each_legal_correction_moves_audits_and_raises_the_version(session, ops, current, target):
    shipment = make_shipment(session, status=current)
    done = correct(session, shipment, target, ops)
    assert shipment.status == target and shipment.version == 2
    assert (
        done.message
        == f"{shipment.shipment_number} is {shipments.status_label(target).lower()} now."
    )
    (event,) = audited(session, shipment)
    assert event.action == "shipment.status_corrected" and event.actor_user_id == ops.id
    assert event.reason == "The carrier's scan was wrong"
    assert event.changes == {"before": {"status": current},
                             "after": {"status": target, "version": 2}}  # fmt: skip
    # a correction is not a carrier event
    assert session.scalars(select(ShipmentEvent).where(
        ShipmentEvent.shopping_mall_shipment_id == shipment.id,
        ShipmentEvent.raw_event_source == "manual")).all() == []  # fmt: skip


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_each_illegal_correction_is_refused_and_changes_nothing(session, ops, current, target):
    shipment = make_shipment(session, status=current)
    with pytest.raises(InvalidTransition) as refused:
        correct(session, shipment, target, ops)
    assert refused.value.status == 409
    assert shipments.status_label(current) in refused.value.message
    assert shipment.status == current and shipment.version == 1
    assert audited(session, shipment) == []


def test_a_correction_sets_the_moments_that_go_with_the_state(session, ops):
    now = utcnow()
    ready = make_shipment(session, status="ready_to_ship")
    correct(session, ready, "in_transit", ops, now=now)
    assert ready.picked_up_at == now and ready.updated_at == now
    out = make_shipment(session, status="out_for_delivery")
    correct(session, out, "delivered", ops, now=now)
    assert out.delivered_at == now
    found = make_shipment(session, status="exception")  # back on its way: not a pick-up
    correct(session, found, "in_transit", ops, now=now)
    assert found.picked_up_at is None


def test_a_correction_needs_a_reason_a_state_and_the_version_seen(session, ops):
    shipment = make_shipment(session, status="in_transit")
    with pytest.raises(ValidationError) as refused:
        shipments.correct_status(session, shipment.id, target="in_transit", reason="  ",
                                 actor=ops, expected_version=1)  # fmt: skip
    assert "reason" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        shipments.correct_status(session, shipment.id, target="lost", reason="x", actor=ops,
                                 expected_version=1)  # fmt: skip
    assert "status" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        shipments.correct_status(session, shipment.id, target="exception", reason="x" * 501,
                                 actor=ops, expected_version=1)  # fmt: skip
    assert "under 500" in refused.value.field_errors["reason"][0]
    correct(session, shipment, "exception", ops)
    with pytest.raises(StaleRecord) as stale:
        correct(session, shipment, "return_to_sender", ops, expected_version=1)
    assert stale.value.current_version == 2
    assert [(c.label, c.value) for c in stale.value.changes] == [("Status", "exception")]
    assert shipment.status == "exception"


# --- carrier events recorded by hand --------------------------------------------------------------


def expected_outcome(current: str, event: str):
    """What recording ``event`` on a shipment in ``current`` does: the state it moves to,
    "stays", or "refused"."""
    if event in ("label_created", "picked_up"):
        return "stays" if current == "ready_to_ship" else "refused"
    if event == current:
        return "stays"
    return event if (current, event) in MACHINE.moves else "refused"


@pytest.mark.parametrize(
    ("current", "event"), list(product(states.SHIPMENT, states.SHIPMENT_EVENTS))
)
def test_every_event_on_every_state(session, ops, current, event):
    shipment = make_shipment(session, status=current)
    outcome = expected_outcome(current, event)
    if outcome == "refused":
        with pytest.raises(ValidationError) as refused:
            record(session, shipment, event, ops)
        assert "event" in refused.value.field_errors
        assert shipment.status == current and shipment.version == 1
        assert audited(session, shipment) == []
        return
    done = record(session, shipment, event, ops)
    assert shipment.status == (current if outcome == "stays" else outcome)
    assert shipment.version == 2
    (audit_event,) = audited(session, shipment)
    after = audit_event.changes["after"]
    assert after["event"] == event and after["event_id"] == done.event.id
    assert ("status" in after) == (outcome != "stays")


def test_a_manual_event_is_recorded_with_who_where_what_and_visibility(session, ops):
    now = utcnow()
    shipment = make_shipment(session, status="in_transit")
    done = shipments.record_event(
        session, shipment.shipment_number.lower(), event="out_for_delivery",
        location="  Brooklyn depot ", description="Driver confirmed by phone",
        customer_visible=True, actor=ops, expected_version=1, now=now,
    )  # fmt: skip
    row = done.event
    assert (row.canonical_event, row.event_at, row.location_description) == (
        "out_for_delivery", now, "Brooklyn depot",
    )  # fmt: skip
    assert (row.raw_event_source, row.raw_event_description, row.customer_visible) == (
        "manual", "Driver confirmed by phone", True,
    )  # fmt: skip
    assert row.raw_event_code is None
    assert done.message == (
        f"Out for delivery recorded on {shipment.shipment_number}: it is out for delivery now."
    )
    (event,) = audited(session, shipment)
    assert event.actor_user_id == ops.id and event.reason == "Driver confirmed by phone"
    assert event.changes["before"] == {"status": "in_transit"}
    view = shipments.load(session, shipment.id)
    manual = [e for e in view.events if e.manual]
    assert len(manual) == 1 and manual[0].by.email == ops.email
    assert [e.by for e in view.events if not e.manual] == [None]


def test_another_scan_in_the_same_state_moves_nothing(session, ops):
    shipment = make_shipment(session, status="in_transit")
    done = record(session, shipment, "in_transit", ops)
    assert shipment.status == "in_transit" and done.message.endswith(f"{shipment.shipment_number}.")
    assert "status" not in audited(session, shipment)[0].changes["after"]


def test_picked_up_and_delivered_events_set_their_moments(session, ops):
    now = utcnow()
    ready = make_shipment(session, status="ready_to_ship")
    record(session, ready, "picked_up", ops, now=now)
    assert ready.picked_up_at == now and ready.status == "ready_to_ship"
    record(session, ready, "in_transit", ops, now=now + timedelta(hours=1))
    assert ready.picked_up_at == now  # kept: it was picked up already
    out = make_shipment(session, status="out_for_delivery")
    record(session, out, "delivered", ops, now=now)
    assert out.delivered_at == now and out.status == "delivered"


def test_an_event_the_machine_does_not_allow_says_how_to_go_on(session, ops):
    shipment = make_shipment(session, status="in_transit")
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "delivered", ops)
    message = refused.value.field_errors["event"][0]
    assert "cannot go from In transit to Delivered" in message and "correct the status" in message
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "picked_up", ops)
    assert "comes before a parcel moves" in refused.value.field_errors["event"][0]


def test_an_event_needs_what_happened_and_a_known_event(session, ops):
    shipment = make_shipment(session, status="in_transit")
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "teleported", ops)
    assert "event" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "exception", ops, description="")
    assert "description" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "exception", ops, location="x" * 201)
    assert "location" in refused.value.field_errors
    with pytest.raises(ValidationError) as refused:
        record(session, shipment, "exception", ops, description="\u202eevil")
    assert "description" in refused.value.field_errors
    assert shipment.version == 1


def test_an_event_on_an_old_version_is_stale(session, ops):
    shipment = make_shipment(session, status="in_transit")
    record(session, shipment, "in_transit", ops)
    with pytest.raises(StaleRecord):
        record(session, shipment, "exception", ops, expected_version=1)
    assert shipment.status == "in_transit"


def test_an_unknown_shipment_is_not_found(session, ops):
    for reference in ("SHP-19990101-000001", "nope nope", "", "x" * 65):
        with pytest.raises(NotFound):
            shipments.find_shipment(session, reference)
    with pytest.raises(NotFound):
        shipments.correct_status(session, "SHP-19990101-000001", target="in_transit", reason="x",
                                 actor=ops, expected_version=1)  # fmt: skip


# --- the exceptions queue -------------------------------------------------------------------------


def ordering(queue="exceptions"):
    sort = shipments.DEFAULT_SORTS[queue]
    return parse_ordering(sort, shipments.SHIPMENT_SORTS, sort, shipments.SHIPMENT_ID)


def queue_rows(session, now, filters=None, queue="exceptions"):
    page = shipments.shipment_page(session, queue, filters or {}, ordering(queue), cursor=None,
                                   limit=100, now=now)  # fmt: skip
    return {row.shipment.id: row for row in page.rows}


def test_the_stale_rule_at_its_edge(session):
    now = utcnow()
    exactly = make_shipment(
        session,
        created_ago=DAYS * 2,
        events=(("label_created", DAYS * 2), ("in_transit", DAYS)),
        now=now,
    )
    just_inside = make_shipment(
        session,
        created_ago=DAYS * 2,
        events=(("in_transit", DAYS - timedelta(seconds=1)),),
        now=now,
    )
    never_scanned = make_shipment(session, status="ready_to_ship", created_ago=DAYS, events=(),
                                  now=now)  # fmt: skip
    made_just_now = make_shipment(
        session, status="ready_to_ship", created_ago=DAYS - timedelta(seconds=1), events=(), now=now
    )
    delivered = make_shipment(session, status="delivered", created_ago=DAYS * 3,
                              events=(("delivered", DAYS * 2),), now=now)  # fmt: skip
    rows = queue_rows(session, now)
    assert exactly.id in rows and never_scanned.id in rows
    assert just_inside.id not in rows and made_just_now.id not in rows
    assert delivered.id not in rows
    assert rows[exactly.id].why == "No carrier event for 3 days"
    assert rows[never_scanned.id].why == "No carrier event for 3 days"
    # one second later the other one is quiet too
    assert just_inside.id in queue_rows(session, now + timedelta(seconds=1))


def test_the_stale_days_come_from_the_configuration(session):
    now = utcnow()
    four_days = make_shipment(session, created_ago=timedelta(days=9),
                              events=(("in_transit", timedelta(days=4)),), now=now)  # fmt: skip
    assert four_days.id in queue_rows(session, now)
    build(session, Configuration, key=states.SHIPMENT_STALE_EVENT_DAYS, value="5", scope=None)
    assert four_days.id not in queue_rows(session, now)
    assert shipments.load(session, four_days.id, now=now).stale_days == 5
    assert four_days.id in queue_rows(session, now + timedelta(days=1))


@pytest.mark.parametrize(
    ("status", "why"),
    [("exception", "Carrier exception: address not found"),
     ("delivery_attempted", "Delivery attempted: nobody took the parcel"),
     ("return_to_sender", "Going back to the sender")],
)  # fmt: skip
def test_exception_states_are_in_the_queue_whatever_their_news(session, status, why):
    now = utcnow()
    shipment = make_shipment(session, status=status, events=())
    add_event(session, shipment, status, now - timedelta(hours=1),
              code="ADDRESS_NOT_FOUND" if status == "exception" else None)  # fmt: skip
    assert queue_rows(session, now)[shipment.id].why == why
    # quiet as well: both are said
    assert (
        queue_rows(session, now + DAYS * 2)[shipment.id].why
        == f"{why} · no carrier event for 6 days"
    )


def test_an_exception_says_the_carriers_description_when_there_is_one(session):
    now = utcnow()
    shipment = make_shipment(session, status="exception", events=())
    add_event(session, shipment, "exception", now, code="X9",
              raw_event_description="Customs hold at JFK")  # fmt: skip
    assert queue_rows(session, now)[shipment.id].why == "Carrier exception: Customs hold at JFK"


def test_the_tabs_count_the_queue_and_everything(session):
    now = utcnow()
    make_shipment(session, status="exception", events=())
    make_shipment(session, status="in_transit", events=(("in_transit", timedelta(hours=1)),))
    make_shipment(session, status="delivered", events=())
    tabs = {tab.key: tab.count.value for tab in shipments.tabs(session, now=now)}
    assert tabs == {"exceptions": 1, "all": 3}
    assert shipments.count_exceptions(session, now=now).value == 1
    assert shipments.count_shipments(session, "all", {"status": "delivered"}, now=now).value == 1


def test_the_list_filters(session):
    now = utcnow()
    carrier = make_carrier(session)
    store = build(session, Store, name="Harbor Goods 50%", store_code="HARBOR-1")
    mine = make_shipment(session, carrier=carrier, store=store, status="in_transit")
    other = make_shipment(session, status="delivered", created_ago=timedelta(days=40))

    def listed(**filters):
        return set(queue_rows(session, now, filters, queue="all"))

    assert listed(status="in_transit") >= {mine.id} and other.id not in listed(status="in_transit")
    assert listed(carrier=carrier.id) == {mine.id}
    assert listed(store="harbor-1") == {mine.id} and listed(store="goods 50%") == {mine.id}
    assert listed(store="50_") == set()  # the name's characters are text, not a pattern
    assert listed(since=now - timedelta(days=1)) >= {mine.id}
    assert other.id not in listed(since=now - timedelta(days=1))
    assert listed(until=now - timedelta(days=30)) >= {other.id}
    assert mine.id not in listed(until=now - timedelta(days=30))


def test_a_page_of_the_queue_runs_as_many_statements_for_100_rows_as_for_10(session, count_queries):
    now = utcnow()
    carrier, store = make_carrier(session), build(session, Store)

    def add(n):
        for _ in range(n):
            make_shipment(session, status="exception", carrier=carrier, store=store,
                          events=(("in_transit", HOURS * 3), ("exception", HOURS * 2)))  # fmt: skip

    def read(limit):
        page = shipments.shipment_page(session, "exceptions", {}, ordering(), cursor=None,
                                       limit=limit, now=now)  # fmt: skip
        assert len(page.rows) == limit and all(row.why and row.last_event for row in page.rows)

    assert_constant_queries(count_queries, add, read)


def test_the_queue_and_its_count_read_indexes(session, dialect):
    make_shipment(session, status="exception")
    make_shipment(session, status="in_transit")
    plans = query_plans(session, lambda: (
        shipments.shipment_page(session, "exceptions", {}, ordering(), cursor=None, limit=50),
        shipments.count_exceptions(session),
        shipments.shipment_page(session, "all", {}, ordering("all"), cursor=None, limit=50),
    ))  # fmt: skip
    shipment_plans = [p for p in plans if "shopping_mall_shipments" in p or "ix_shipments" in p]
    assert shipment_plans
    for plan in plans:
        if "shopping_mall_configurations" in plan:
            continue  # the typed settings: the few configuration rows, once a request
        assert not scans_a_table(plan), plan
    joined = "\n".join(plans)
    assert "ix_shipment_events_shipment_at" in joined  # the rows' last carrier events
    assert "ix_shipments_created" in joined  # the whole list, newest first
    if dialect == "postgresql":
        assert "ix_shipments_status" in joined


# --- the shipment screen --------------------------------------------------------------------------


def test_the_screen_reads_items_events_tracking_link_order_and_history(session, ops):
    carrier = make_carrier(session, tracking_url_template="https://t.example/{tracking_number}")
    shipment = make_shipment(session, carrier=carrier, tracking_number='A&B"<1>',
                             events=(("label_created", timedelta(hours=3)),
                                     ("picked_up", timedelta(hours=2))),
                             status="ready_to_ship")  # fmt: skip
    correct(session, shipment, "in_transit", ops)
    view = shipments.load(session, shipment.shipment_number)
    assert view.tracking_link == "https://t.example/A%26B%22%3C1%3E"
    assert view.order.id == shipment.shopping_mall_order_id
    assert [(r.order_item.product_name, r.item.quantity) for r in view.items] == [
        ("Product 1", 2), ("Product 2", 1),
    ]  # fmt: skip
    assert [e.event.canonical_event for e in view.events] == ["label_created", "picked_up"]
    assert [e.event.action for e in view.history] == ["shipment.status_corrected"]
    assert view.targets == ("out_for_delivery", "exception")
    assert view.why is None and view.stale_days == 3


# --- a carrier for a shipment not yet picked up ---------------------------------------------------


def test_a_shipment_ready_to_ship_takes_an_active_carrier(session, ops):
    before, after = make_carrier(session, name="Before Co"), make_carrier(session, name="After Co")
    shipment = make_shipment(session, status="ready_to_ship", carrier=before,
                             tracking_url="https://old.example/x")  # fmt: skip
    done = shipments.assign_carrier(
        session, shipment.id, carrier_id=after.id, tracking_number=" NEW123 ", actor=ops,
        expected_version=1,
    )  # fmt: skip
    assert (shipment.shopping_mall_carrier_id, shipment.tracking_number) == (after.id, "NEW123")
    assert shipment.tracking_url is None and shipment.version == 2
    assert done.message == f"{shipment.shipment_number} goes with After Co now."
    (event,) = audited(session, shipment)
    assert event.changes["before"]["carrier"] == "Before Co"
    assert event.changes["after"] == {"carrier": "After Co", "tracking_number": "NEW123",
                                      "version": 2}  # fmt: skip


def test_an_inactive_carrier_takes_no_new_shipment(session, ops):
    retired = make_carrier(session, name="Retired Co", active=False)
    shipment = make_shipment(session, status="ready_to_ship", no_carrier=True)
    with pytest.raises(ValidationError) as refused:
        shipments.assign_carrier(session, shipment.id, carrier_id=retired.id,
                                 tracking_number="T1", actor=ops, expected_version=1)  # fmt: skip
    assert "Retired Co is inactive" in refused.value.field_errors["carrier"][0]
    assert shipment.shopping_mall_carrier_id is None and shipment.version == 1


def test_a_carrier_only_before_pick_up_and_with_a_tracking_number(session, ops):
    carrier = make_carrier(session)
    moving = make_shipment(session, status="in_transit")
    with pytest.raises(Conflict, match="stays its carrier"):
        shipments.assign_carrier(session, moving.id, carrier_id=carrier.id, tracking_number="T1",
                                 actor=ops, expected_version=1)  # fmt: skip
    ready = make_shipment(session, status="ready_to_ship")
    for bad in ("", "has space", "x" * 65):
        with pytest.raises(ValidationError) as refused:
            shipments.assign_carrier(session, ready.id, carrier_id=carrier.id,
                                     tracking_number=bad, actor=ops,
                                     expected_version=1)  # fmt: skip
        assert "tracking_number" in refused.value.field_errors
