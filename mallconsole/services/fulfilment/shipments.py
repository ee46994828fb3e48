"""Shipments in operations: the list and its exceptions queue, the shipment screen's read
model, and what staff change on a shipment.

The exceptions queue holds the shipments in ``exception``, ``delivery_attempted`` or
``return_to_sender``, and the shipments still moving (ready to ship, in transit, out for
delivery) that had no carrier event for ``operations.shipment.stale_event_days`` days: none
after the cutoff, so a last event exactly that many days old is stale. It is one statement:
every state either side can be in read from the status index, then the rule within those rows
(the quiet ones by a ``NOT EXISTS`` over the events' indexes); every row says why it is there.
Counts are capped (exact to 10,000).

Changes lock the shipment's row, check the version the person saw (a stale write is a 409
with what changed), go through the shipment machine and write one audit event each:

- ``record_event``: a carrier event recorded by hand (source ``manual``; the audit event names
  who). When its canonical event is a state the machine allows from the current one, the
  shipment moves there; the state it is in already is another scan of it; the two events
  before a parcel moves (label created, picked up) only while it is ready to ship.
- ``correct_status``: a move the machine allows, with a reason, without a carrier event.
- ``assign_carrier``: the carrier and tracking number of a shipment not yet picked up; an
  inactive carrier is refused (``carriers.for_new_shipment``).

Orders' statuses are not changed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from mallconsole.core.people import Person
from mallconsole.core.text import BIDI_REFUSAL, LIKE_ESCAPE, has_bidi_controls, like_pattern
from mallconsole.models import (
    Carrier,
    Order,
    OrderItem,
    Shipment,
    ShipmentEvent,
    ShipmentItem,
    Store,
    utcnow,
)
from mallconsole.services.fulfilment import carriers
from mallconsole.services.kit import audit, settings, versions
from mallconsole.services.kit.pagination import (
    QueueCount,
    SortKey,
    Tab,
    capped_count,
    counted_tabs,
    keyset_page,
)

MACHINE = states.SHIPMENT_MACHINE
TABLE = Shipment.__tablename__
EXCEPTION_STATES = states.SHIPMENT_EXCEPTION_STATES
MOVING_STATES = states.SHIPMENT_MOVING_STATES
# Events that come before a parcel moves: recorded only while it is ready to ship.
BEFORE_MOVING = tuple(e for e in states.SHIPMENT_EVENTS if e not in MACHINE.states)
# (key, words, hint) of the list's tabs.
QUEUES = (
    (
        "exceptions",
        "Exceptions",
        "Carrier exceptions, delivery attempts, parcels going back, and shipments with no "
        "carrier event for a while",
    ),
    ("all", "All shipments", None),
)
QUEUE_KEYS = tuple(key for key, _, _ in QUEUES)
SHIPMENT_SORTS = (
    SortKey("created", "Created", Shipment.created_at, kind=datetime),
    SortKey("updated", "Last change", Shipment.updated_at, kind=datetime),
    SortKey(
        "expected", "Expected by", Shipment.expected_delivery_end, nullable=True, kind=datetime
    ),
)
SHIPMENT_ID = Shipment.id
# Work waiting: the longest without a change first; the whole list: newest first.
DEFAULT_SORTS = {"exceptions": "updated", "all": "-created"}
STATUS_TONES = {
    "ready_to_ship": "neutral",
    "in_transit": "info",
    "out_for_delivery": "info",
    "delivery_attempted": "warning",
    "delivered": "success",
    "exception": "danger",
    "return_to_sender": "warning",
    "returned": "neutral",
}
LABELS = {
    "status": "Status",
    "event": "Carrier event",
    "location": "Location",
    "customer_visible": "Shown to the customer",
    "carrier": "Carrier",
    "tracking_number": "Tracking number",
}
LOCATION_MAX = 200
DESCRIPTION_MAX = 500
TRACKING_MAX = 64
REFERENCE = re.compile(r"[0-9A-Za-z-]{1,64}")
RECORDED = "shipment.event_recorded"


def status_label(status: str) -> str:
    return states.label(MACHINE, status)


def event_label(event: str) -> str:
    """A canonical carrier event in words ("picked_up" -> "Picked up")."""
    return (
        states.in_words(event) if event in MACHINE.states else event.replace("_", " ").capitalize()
    )


# --- the exceptions rule -------------------------------------------------------------------------


def stale_after(session) -> timedelta:
    """How long a moving shipment may go without a carrier event (the typed setting)."""
    return settings.reader(session).duration(states.SHIPMENT_STALE_EVENT_DAYS)


def exception_condition(cutoff: datetime):
    """The exceptions queue: the exception states, or moving and quiet since ``cutoff``.

    Written as one ``status IN (…)`` of every state either side can be in, so the status index
    answers it on both databases, then the rule within those rows."""
    recent = exists().where(
        ShipmentEvent.shopping_mall_shipment_id == Shipment.id, ShipmentEvent.event_at > cutoff
    )
    return and_(
        Shipment.status.in_(EXCEPTION_STATES + MOVING_STATES),
        or_(
            Shipment.status.in_(EXCEPTION_STATES),
            and_(Shipment.created_at <= cutoff, ~recent),
        ),
    )


def quiet_days(since: datetime, now: datetime) -> int:
    """Whole days from ``since`` to ``now``."""
    return max(0, (now - since) // timedelta(days=1))


def exception_reason(
    shipment: Shipment,
    last_event: ShipmentEvent | None,
    *,
    cutoff: datetime,
    now: datetime,
) -> str | None:
    """Why the shipment is in the exceptions queue, in a sentence; None when it is not."""
    parts = []
    if shipment.status == "exception":
        detail = None
        if last_event is not None and last_event.canonical_event == "exception":
            code = (last_event.raw_event_code or "").replace("_", " ").strip().lower()
            detail = (last_event.raw_event_description or "").strip() or code
        parts.append(f"Carrier exception: {detail}" if detail else "Carrier exception")
    elif shipment.status == "delivery_attempted":
        parts.append("Delivery attempted: nobody took the parcel")
    elif shipment.status == "return_to_sender":
        parts.append("Going back to the sender")
    quiet_since = last_event.event_at if last_event is not None else shipment.created_at
    if shipment.status in MOVING_STATES + EXCEPTION_STATES and quiet_since <= cutoff:
        days = quiet_days(quiet_since, now)
        quiet = f"no carrier event for {days} day{'' if days == 1 else 's'}"
        parts.append(quiet if parts else quiet.capitalize())
    return " · ".join(parts) or None


# --- the list ------------------------------------------------------------------------------------


def _store_condition(words: str):
    words = words.strip()
    stores = select(Store.id).where(
        or_(
            Store.store_code == words.upper(),
            Store.store_code == words,
            func.lower(Store.name).like(like_pattern(words.lower()), escape=LIKE_ESCAPE),
        )
    )
    return Shipment.shopping_mall_store_id.in_(stores)


def _queue_conditions(queue: str, cutoff: datetime) -> list:
    where = [Shipment.deleted_at.is_(None)]
    if queue == "exceptions":
        where.append(exception_condition(cutoff))
    return where


def _conditions(queue: str, filters: dict, cutoff: datetime) -> list:
    where = _queue_conditions(queue, cutoff)
    if filters.get("status"):
        where.append(Shipment.status == filters["status"])
    if filters.get("carrier"):
        where.append(Shipment.shopping_mall_carrier_id == filters["carrier"])
    if filters.get("store"):
        where.append(_store_condition(filters["store"]))
    if filters.get("since"):
        where.append(Shipment.created_at >= filters["since"])
    if filters.get("until"):
        where.append(Shipment.created_at < filters["until"])
    return where


@dataclass
class ShipmentRow:
    """A shipment as the list shows it: its order, store and carrier, its last carrier event
    and, in the exceptions queue, why it is there."""

    shipment: Shipment
    order_number: str | None = None
    store: str | None = None
    carrier: str | None = None
    carrier_active: bool = True
    last_event: ShipmentEvent | None = None
    why: str | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.shipment.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.shipment.status, "info")


def _last_events(session, shipment_ids) -> dict[str, ShipmentEvent]:
    """The newest carrier event of each shipment: one query over the shipments' events, read
    in ``ix_shipment_events_shipment_at`` order (a shipment has a handful)."""
    found: dict[str, ShipmentEvent] = {}
    if shipment_ids:
        for event in session.scalars(
            select(ShipmentEvent)
            .where(ShipmentEvent.shopping_mall_shipment_id.in_(shipment_ids))
            .order_by(
                ShipmentEvent.shopping_mall_shipment_id, ShipmentEvent.event_at, ShipmentEvent.id
            )
        ):
            found[event.shopping_mall_shipment_id] = event  # the last one read is the newest
    return found


def shipment_page(session, queue, filters, ordering, *, cursor, limit, now=None):
    """One page of the queue's shipments; rows are ``ShipmentRow``s (three queries)."""
    now = now or utcnow()
    cutoff = now - stale_after(session)
    statement = select(Shipment).where(*_conditions(queue, filters, cutoff))
    page = keyset_page(session, statement, ordering, cursor=cursor, limit=limit)
    rows = [ShipmentRow(shipment) for shipment in page.rows]
    ids = [row.shipment.id for row in rows]
    if ids:
        words = {
            shipment_id: rest
            for shipment_id, *rest in session.execute(
                select(Shipment.id, Order.order_number, Store.name, Carrier.name, Carrier.active)
                .outerjoin(Order, Order.id == Shipment.shopping_mall_order_id)
                .outerjoin(Store, Store.id == Shipment.shopping_mall_store_id)
                .outerjoin(Carrier, Carrier.id == Shipment.shopping_mall_carrier_id)
                .where(Shipment.id.in_(ids))
            )
        }
        last = _last_events(session, ids)
        for row in rows:
            number, store, carrier, active = words.get(row.shipment.id, (None,) * 4)
            row.order_number, row.store, row.carrier = number, store, carrier
            row.carrier_active = active is not False
            row.last_event = last.get(row.shipment.id)
            row.why = exception_reason(row.shipment, row.last_event, cutoff=cutoff, now=now)
    page.rows = rows
    return page


def count_shipments(session, queue, filters, *, now=None) -> QueueCount:
    cutoff = (now or utcnow()) - stale_after(session)
    return capped_count(
        session, select(Shipment.id).where(*_conditions(queue, filters, cutoff)), estimate=True
    )


def tabs(session, *, now=None) -> list[Tab]:
    """The tabs with their capped counts, in one statement."""
    cutoff = (now or utcnow()) - stale_after(session)
    return counted_tabs(
        session,
        QUEUES,
        lambda key: select(Shipment.id).where(*_queue_conditions(key, cutoff)),
        estimate=True,
    )


def count_exceptions(session, *, now=None) -> QueueCount:
    """The exceptions queue's capped count (the operations home)."""
    cutoff = (now or utcnow()) - stale_after(session)
    return capped_count(
        session, select(Shipment.id).where(*_queue_conditions("exceptions", cutoff))
    )


# --- one shipment --------------------------------------------------------------------------------


def find_shipment(session, reference: str) -> Shipment:
    """The live shipment with this id or SHP- number; NotFound otherwise."""
    if not REFERENCE.fullmatch(reference or ""):
        raise NotFound("There is no shipment with this id or number.")
    shipment = session.scalars(
        select(Shipment).where(
            or_(Shipment.id == reference, Shipment.shipment_number == reference.upper()),
            Shipment.deleted_at.is_(None),
        )
    ).first()
    if shipment is None:
        raise NotFound("There is no shipment with this id or number.")
    return shipment


@dataclass(frozen=True)
class ItemRow:
    """A line of the shipment: the order line's product and how many of its units go."""

    item: ShipmentItem
    order_item: OrderItem


@dataclass(frozen=True)
class EventRow:
    """A carrier event of the timeline, with who recorded it when it was recorded by hand."""

    event: ShipmentEvent
    by: Person | None = None

    @property
    def manual(self) -> bool:
        return self.event.raw_event_source == states.SHIPMENT_EVENT_MANUAL

    @property
    def label(self) -> str:
        return event_label(self.event.canonical_event)


@dataclass
class ShipmentView:
    shipment: Shipment
    order: Order
    store: str | None
    carrier: Carrier | None
    tracking_link: str | None
    items: list[ItemRow]
    events: list[EventRow]
    history: list
    why: str | None
    stale_days: int
    targets: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return status_label(self.shipment.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.shipment.status, "info")

    @property
    def can_assign_carrier(self) -> bool:
        return self.shipment.status == "ready_to_ship"


def load(session, reference: str, *, now=None) -> ShipmentView:
    """The shipment (id or SHP- number) and everything its screen shows."""
    now = now or utcnow()
    shipment = find_shipment(session, reference)
    order = session.get(Order, shipment.shopping_mall_order_id)
    store = (
        session.get(Store, shipment.shopping_mall_store_id)
        if shipment.shopping_mall_store_id
        else None
    )
    carrier = (
        session.get(Carrier, shipment.shopping_mall_carrier_id)
        if shipment.shopping_mall_carrier_id
        else None
    )
    items = [
        ItemRow(item, order_item)
        for item, order_item in session.execute(
            select(ShipmentItem, OrderItem)
            .join(OrderItem, OrderItem.id == ShipmentItem.shopping_mall_order_item_id)
            .where(
                ShipmentItem.shopping_mall_shipment_id == shipment.id,
                ShipmentItem.deleted_at.is_(None),
            )
            .order_by(OrderItem.line_position, ShipmentItem.id)
        )
    ]
    history = audit.history(session, TABLE, shipment.id)
    recorded_by = {
        (entry.event.changes or {}).get("after", {}).get("event_id"): entry.actor
        for entry in history
        if entry.event.action == RECORDED
    }
    events = [
        EventRow(event, recorded_by.get(event.id))
        for event in session.scalars(
            select(ShipmentEvent)
            .where(ShipmentEvent.shopping_mall_shipment_id == shipment.id)
            .order_by(ShipmentEvent.event_at, ShipmentEvent.id)
        )
    ]
    after = stale_after(session)
    return ShipmentView(
        shipment=shipment,
        order=order,
        store=store.name if store else None,
        carrier=carrier,
        tracking_link=carriers.tracking_link(
            carrier.tracking_url_template if carrier else None,
            shipment.tracking_number,
            shipment.tracking_url,
        ),
        items=items,
        events=events,
        history=history,
        why=exception_reason(
            shipment, events[-1].event if events else None, cutoff=now - after, now=now
        ),
        stale_days=after // timedelta(days=1),
        targets=states.allowed_targets(MACHINE, shipment.status),
    )


# --- changes -------------------------------------------------------------------------------------


def _locked(session, reference: str) -> Shipment:
    found = find_shipment(session, reference)
    return versions.lock(session, Shipment, found.id, what="shipment")


def _text(raw, name: str, *, maximum: int, required: str | None = None) -> str | None:
    """A cleaned free-text field: None when empty (422 with ``required`` if it must be given)."""
    text = (raw or "").strip() or None
    message = None
    if text is None and required:
        message = required
    elif text is not None and len(text) > maximum:
        message = f"Keep it under {maximum} characters."
    elif text is not None and has_bidi_controls(text):
        message = BIDI_REFUSAL
    if message:
        raise ValidationError(message, field_errors={name: [message]})
    return text


def _moved(shipment: Shipment, target: str, now: datetime) -> None:
    """Set the shipment's state and the moments that go with it."""
    if shipment.status == "ready_to_ship" and shipment.picked_up_at is None:
        shipment.picked_up_at = now  # leaving the warehouse: the carrier has it
    if target == "delivered":
        shipment.delivered_at = now
    shipment.status = target


def _event_move(shipment: Shipment, event: str) -> str | None:
    """The state ``event`` moves the shipment to (None: it stays); 422 on ``event`` when the
    machine does not allow it from where the shipment is."""
    current = shipment.status
    if event in BEFORE_MOVING:
        if current != "ready_to_ship":
            message = (
                f"{event_label(event)} comes before a parcel moves, and this one is "
                f"{status_label(current).lower()}. Record what the carrier says now."
            )
            raise ValidationError(message, field_errors={"event": [message]})
        return None
    if event == current:
        return None  # another scan in the state it is in (a depot on the way)
    try:
        states.check_move(MACHINE, current, event)
    except InvalidTransition as refused:
        message = (
            f"{refused.message} Record an event it can go to next, or correct the status "
            "if the carrier's record is wrong."
        )
        raise ValidationError(message, field_errors={"event": [message]}) from None
    return event


@dataclass(frozen=True)
class Recorded:
    shipment: Shipment
    event: ShipmentEvent | None
    message: str


def record_event(
    session,
    reference: str,
    *,
    event: str,
    location: str | None,
    description: str | None,
    customer_visible: bool,
    actor,
    expected_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Record a carrier event by hand; it moves the shipment when its event is a state the
    machine allows from the current one."""
    now = now or utcnow()
    if event not in states.SHIPMENT_EVENTS:
        message = "Choose what the carrier reported."
        raise ValidationError(message, field_errors={"event": [message]})
    location = _text(location, "location", maximum=LOCATION_MAX)
    description = _text(
        description, "description", maximum=DESCRIPTION_MAX,
        required="Say what happened, in a sentence (who you spoke to, what they said).",
    )  # fmt: skip
    shipment = _locked(session, reference)
    versions.check_version(session, shipment, expected_version, entity_table=TABLE, labels=LABELS)
    current = shipment.status
    target = _event_move(shipment, event)
    row = ShipmentEvent(
        shopping_mall_shipment_id=shipment.id,
        canonical_event=event,
        event_at=now,
        location_description=location,
        raw_event_description=description,
        raw_event_source=states.SHIPMENT_EVENT_MANUAL,
        customer_visible=bool(customer_visible),
    )
    session.add(row)
    session.flush()  # the event's id, for the audit row that says who recorded it
    if event == "label_created" and shipment.label_created_at is None:
        shipment.label_created_at = now
    if event == "picked_up" and shipment.picked_up_at is None:
        shipment.picked_up_at = now
    if target is not None:
        _moved(shipment, target, now)
    shipment.version += 1
    shipment.updated_at = now
    moved = {"status": target} if target else {}
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=shipment.id, action=RECORDED,
        summary=f"{shipment.shipment_number}: {event_label(event)} recorded by hand"
        + (f", now {status_label(target).lower()}" if target else ""),
        reason=description,
        before={"status": current} if target else {},
        after={"event": event, "location": location, "customer_visible": bool(customer_visible),
               "event_id": row.id, **moved, "version": shipment.version},
    )  # fmt: skip
    session.flush()
    message = f"{event_label(event)} recorded on {shipment.shipment_number}"
    if target:
        message += f": it is {status_label(target).lower()} now"
    return Recorded(shipment, row, message + ".")


def correct_status(
    session,
    reference: str,
    *,
    target: str,
    reason: str | None,
    actor,
    expected_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Move the shipment to a state the machine allows from the current one, with a reason
    (no carrier event is recorded: the audit trail keeps who and why)."""
    now = now or utcnow()
    if target not in MACHINE.states:
        message = "Choose the state the shipment is really in."
        raise ValidationError(message, field_errors={"status": [message]})
    reason = _text(
        reason, "reason", maximum=DESCRIPTION_MAX,
        required="Say why the status is wrong: it is kept in the shipment's history.",
    )  # fmt: skip
    shipment = _locked(session, reference)
    versions.check_version(session, shipment, expected_version, entity_table=TABLE, labels=LABELS)
    current = shipment.status
    states.check_move(MACHINE, current, target)
    _moved(shipment, target, now)
    shipment.version += 1
    shipment.updated_at = now
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=shipment.id,
        action="shipment.status_corrected",
        summary=f"{shipment.shipment_number}: status corrected from "
        f"{status_label(current).lower()} to {status_label(target).lower()}",
        reason=reason, before={"status": current},
        after={"status": target, "version": shipment.version},
    )  # fmt: skip
    session.flush()
    return Recorded(
        shipment, None, f"{shipment.shipment_number} is {status_label(target).lower()} now."
    )


def assign_carrier(
    session,
    reference: str,
    *,
    carrier_id: str | None,
    tracking_number: str | None,
    actor,
    expected_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Give a shipment not yet picked up its carrier and tracking number (an active carrier
    only); its tracking link is then built from that carrier's template."""
    number = (tracking_number or "").strip()
    problem = None
    if not number:
        problem = "Enter the tracking number on the carrier's label."
    elif len(number) > TRACKING_MAX or any(c.isspace() or not c.isprintable() for c in number):
        problem = f"A tracking number is up to {TRACKING_MAX} letters and digits, without spaces."
    if problem:
        raise ValidationError(problem, field_errors={"tracking_number": [problem]})
    shipment = _locked(session, reference)
    versions.check_version(session, shipment, expected_version, entity_table=TABLE, labels=LABELS)
    if shipment.status != "ready_to_ship":
        raise Conflict(
            f"{shipment.shipment_number} is {status_label(shipment.status).lower()}: the carrier "
            "that has the parcel stays its carrier."
        )
    carrier = carriers.for_new_shipment(session, carrier_id)
    before_carrier = (
        session.get(Carrier, shipment.shopping_mall_carrier_id)
        if shipment.shopping_mall_carrier_id
        else None
    )
    if (
        before_carrier is not None
        and before_carrier.id == carrier.id
        and (shipment.tracking_number == number)
    ):
        raise Conflict(f"{shipment.shipment_number} has this carrier and tracking number already.")
    before = {
        "carrier": before_carrier.name if before_carrier else None,
        "tracking_number": shipment.tracking_number,
    }
    shipment.shopping_mall_carrier_id = carrier.id
    shipment.tracking_number = number
    shipment.tracking_url = None  # the carrier's template gives the link from now on
    shipment.version += 1
    shipment.updated_at = now or utcnow()
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=shipment.id,
        action="shipment.carrier_assigned",
        summary=f"{shipment.shipment_number}: {carrier.name}, tracking number {number}",
        before=before,
        after={"carrier": carrier.name, "tracking_number": number, "version": shipment.version},
    )  # fmt: skip
    session.flush()
    return Recorded(shipment, None, f"{shipment.shipment_number} goes with {carrier.name} now.")
