"""Returns (RMA) in operations: the queue, the return screen's read model, and every move.

The moves follow docs/contract.md (pending → approved, rejected; approved → in_transit_back,
received, closed; in_transit_back → received; received → closed). Each takes the order's row
lock and then the return's (``versions.lock``: ``SELECT … FOR UPDATE`` on PostgreSQL, in the
order raising a request and deciding a refund take them), checks the version the manager saw
(a newer one is a 409 with what changed since), checks the move with ``states.check_move``,
and writes one audit event on the return with before/after. When the return was raised from a
support case, the case's timeline says what was decided (``request_decided``).

* **decide**: every line at once. Units approved ≤ units requested ≤ units delivered − units
  of the line in the order's other returns (not rejected; their approved units once decided).
  Approving fewer units than asked needs a reason, which the audit event keeps. The request
  becomes approved when any unit is approved, rejected when none is; ``decided_at`` is set.
* **record_shipment**: approved → in_transit_back, with the parcel's carrier (an active one)
  and tracking number (``shopping_mall_return_shipments``, in transit).
* **mark_received**: approved or in_transit_back → received; the parcel is checked in (its
  received time) and every approved line waits for inspection.
* **inspect**: while received, one approved line: its condition (``states.RETURN_CONDITIONS``),
  passed or failed, a note, and for a pass the refundable amount: above zero and at most what
  the line can still refund (its approved units' value, within what is left of the order line
  after other refunds, within what the order can still give back less the other passed lines
  of this return). A failed line refunds nothing. Lines may be inspected again until closing.
* **close**: received → closed once every approved line is inspected. It raises ONE refund
  request (``customer_requests.raise_refund``, reason ``returned``, linked to the return and
  its case) for the passed lines' refundable amounts, and puts the passed lines that are not
  damaged back in stock (``inventory.adjustments``, reason ``return``, one adjustment per line
  named after the RMA and line, so a line is never restocked twice) at the location the
  manager chose for each store. approved → closed is the parcel that never came: nothing is
  refunded or restocked. A closed return is final, so a second close is refused: one refund
  request, one restock.

Reading: the queue (tabs by the state that needs work, filters for state, reason, store and
the day requested, keyset pages; a fixed number of queries per page) and ``load``: the lines
with their ordered, delivered, elsewhere-returned, requested and approved units and what each
can still refund, the return parcel with its carrier and tracking, the refund request it
raised, the stores' locations for the restock, and the audit history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import currency_digits, format_money, parse_amount
from mallconsole.core.people import Person
from mallconsole.models import (
    Carrier,
    InventoryLocation,
    Order,
    OrderItem,
    Product,
    RefundRequest,
    ReturnItem,
    ReturnRequest,
    ReturnShipment,
    SellerOrder,
    Sku,
    Store,
    SupportCase,
    User,
    utcnow,
)
from mallconsole.services.aftersales import customer_requests as cr
from mallconsole.services.aftersales.refund_decisions import case_event
from mallconsole.services.customers.order_view import in_store
from mallconsole.services.fulfilment import carriers
from mallconsole.services.inventory import adjustments
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import (
    SortKey,
    Tab,
    capped_count,
    capped_counts,
    counted_tabs,
    pair_page,
)

MACHINE = states.RETURN_REQUEST_MACHINE
TABLE = ReturnRequest.__tablename__
RETURN_ID = ReturnRequest.id
ZERO = Decimal(0)
NOTE_MAX = 1000
REFERENCE = re.compile(r"[0-9A-Za-z-]{1,64}")
TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,63}")
# Refund requests that stand (waiting or paid out): a return that raised one raised its refund.
REFUND_STANDING = cr.REFUND_LINE_TAKEN
SHIPMENT_IN_TRANSIT, _, SHIPMENT_RECEIVED = states.RETURN_SHIPMENT_STATUSES
INSPECTION_WAITING = "pending"
# A passed line in this condition is refunded but not put back on sale.
NOT_RESTOCKED = ("damaged",)
# Fields of the audit events in the screens' words (a stale edit's "what changed").
LABELS = {
    "status": "State",
    "items": "Units approved",
    "carrier": "Carrier",
    "tracking_number": "Tracking number",
    "item": "Item inspected",
    "inspection_status": "Inspection",
    "received_condition": "Condition",
    "refundable_amount": "Refundable",
    "refund": "Refund request",
    "restocked": "Back in stock",
}
STATUS_TONES = {
    "pending": "info",
    "approved": "success",
    "in_transit_back": "info",
    "received": "warning",
    "rejected": "danger",
    "closed": "neutral",
}
CONDITION_LABELS = {"as_new": "As new", "opened": "Opened", "damaged": "Damaged"}
OUTCOME_LABELS = {"passed": "Passed", "failed": "Failed"}


def status_label(status: str) -> str:
    return states.label(MACHINE, status)


def _units(count: int) -> str:
    return f"{count} unit{'' if count == 1 else 's'}"


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, code=True)


def unit_value(item: OrderItem) -> Decimal:
    """What one unit of the line cost the customer: price − discount + tax."""
    return item.unit_price - item.unit_discount + item.unit_tax


# ---- the queue ---------------------------------------------------------------------------------

# (key, words, hint) of the tabs: the states that need work, then everything.
TABS = (
    ("pending", "To decide", "Waiting for a decision on each item"),
    ("approved", "Waiting for the parcel", "Approved: the customer has not sent it back yet"),
    ("in_transit_back", "On the way back", "The parcel is with the carrier"),
    ("received", "To inspect", "Received: inspect each item, then close"),
    ("all", "All", None),
)
TAB_KEYS = tuple(key for key, _, _ in TABS)
RETURN_SORTS = (
    SortKey("requested", "Requested", ReturnRequest.created_at, kind=datetime),
    SortKey("decided", "Decided", ReturnRequest.decided_at, nullable=True, kind=datetime),
    SortKey("updated", "Last change", ReturnRequest.updated_at, kind=datetime),
)
# Work waiting: oldest first; everything: newest first.
DEFAULT_SORTS = {"pending": "requested", "approved": "decided", "in_transit_back": "updated",
                 "received": "updated"}  # fmt: skip
DEFAULT_SORT = "-requested"


def default_sort(tab: str) -> str:
    return DEFAULT_SORTS.get(tab, DEFAULT_SORT)


def _tab_conditions(tab: str) -> list:
    where = [ReturnRequest.deleted_at.is_(None)]
    if tab != "all":
        where.append(ReturnRequest.status == tab)
    return where


def _conditions(tab: str, filters: dict) -> list:
    where = _tab_conditions(tab)
    if filters.get("status"):
        where.append(ReturnRequest.status == filters["status"])
    if filters.get("reason"):
        where.append(ReturnRequest.reason_code == filters["reason"])
    if filters.get("since"):
        where.append(ReturnRequest.created_at >= filters["since"])
    if filters.get("until"):
        where.append(ReturnRequest.created_at < filters["until"])
    if filters.get("store"):
        where.append(in_store(ReturnRequest.shopping_mall_order_id, filters["store"]))
    return where


@dataclass
class QueueRow:
    request: ReturnRequest
    order_number: str
    customer: str | None
    stores: list[str] = field(default_factory=list)
    requested: int = 0
    approved: int | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.request.status, "neutral")


def return_page(session, tab, filters, ordering, *, cursor, limit):
    """One page of the tab's returns; rows are ``QueueRow``s (four queries whatever the page)."""
    statement = (
        select(ReturnRequest, Order.order_number, func.coalesce(User.name, User.nickname))
        .join(Order, Order.id == ReturnRequest.shopping_mall_order_id)
        .outerjoin(User, User.id == Order.shopping_mall_user_id)
        .where(*_conditions(tab, filters))
    )
    page = pair_page(session, statement, ordering, cursor=cursor, limit=limit, wrap=QueueRow)
    if not page.rows:
        return page
    ids = [row.request.id for row in page.rows]
    # The stores whose items come back (an order may hold other stores' items too).
    stores: dict[str, list[str]] = defaultdict(list)
    for request_id, name in session.execute(
        select(ReturnItem.shopping_mall_return_request_id, Store.name)
        .join(OrderItem, OrderItem.id == ReturnItem.shopping_mall_order_item_id)
        .join(SellerOrder, SellerOrder.id == OrderItem.shopping_mall_seller_order_id)
        .join(Store, Store.id == SellerOrder.shopping_mall_store_id)
        .where(ReturnItem.shopping_mall_return_request_id.in_(ids), ReturnItem.deleted_at.is_(None))
        .distinct()
        .order_by(Store.name)
    ):
        stores[request_id].append(name)
    units: dict[str, list[int | None]] = defaultdict(lambda: [0, None])
    for request_id, requested, approved in session.execute(
        select(
            ReturnItem.shopping_mall_return_request_id,
            func.sum(ReturnItem.requested_quantity),
            func.sum(ReturnItem.approved_quantity),
        )
        .where(
            ReturnItem.shopping_mall_return_request_id.in_(ids),
            ReturnItem.deleted_at.is_(None),
        )
        .group_by(ReturnItem.shopping_mall_return_request_id)
    ):
        units[request_id] = [int(requested or 0), None if approved is None else int(approved)]
    for row in page.rows:
        row.stores = stores.get(row.request.id, [])
        row.requested, row.approved = units[row.request.id]
    return page


def count_returns(session, tab, filters):
    return capped_count(session, select(ReturnRequest.id).where(*_conditions(tab, filters)))


def tabs(session) -> list[Tab]:
    """The tabs with their counts (capped; one statement)."""
    return counted_tabs(
        session, TABS, lambda key: select(ReturnRequest.id).where(*_tab_conditions(key))
    )


def home_queues(session) -> dict[str, object]:
    """The capped counts of the returns waiting for a decision and for inspection."""
    counted = {key: select(ReturnRequest.id).where(*_tab_conditions(key))
               for key in ("pending", "received")}  # fmt: skip
    counts, _ = capped_counts(session, counted)
    return counts


# ---- finding and locking -----------------------------------------------------------------------


def find_return(session, reference: str) -> ReturnRequest:
    """The return with this id or RMA code; 404 when there is none."""
    reference = (reference or "").strip()
    if not REFERENCE.fullmatch(reference):
        raise NotFound("There is no return with this id or RMA code.")
    found = session.scalar(
        select(ReturnRequest).where(
            or_(ReturnRequest.id == reference, ReturnRequest.rma_code == reference.upper()),
            ReturnRequest.deleted_at.is_(None),
        )
    )
    if found is None:
        raise NotFound("There is no return with this id or RMA code.")
    return found


def _lock(session, reference: str) -> tuple[Order, ReturnRequest]:
    """The return and its order, both row-locked (the order first, as raising locks it)."""
    found = find_return(session, reference)
    order = versions.lock(session, Order, found.shopping_mall_order_id, what="order")
    return order, versions.lock(session, ReturnRequest, found.id, what="return")


def _check_version(session, rma: ReturnRequest, expected: int, *, moving_on: bool) -> None:
    """Refuse a stale edit (409, with what changed); when the return has moved on to a state
    where this edit cannot be made any more, the message says so."""
    if rma.version == expected:
        return
    changes = versions.changes_since(session, TABLE, rma.id, expected, LABELS)
    message = (
        "Someone else changed this return after you opened it. Your input is kept below; "
        "check what changed, then save again to apply it."
    )
    if moving_on:
        message = (
            f"Someone else moved {rma.rma_code} on after you opened it: it is "
            f"{status_label(rma.status).lower()} now, so this was not saved. What changed is "
            "below."
        )
    raise versions.StaleRecord(message, current_version=rma.version, changes=changes)


def _begin(session, reference, expected_version, target: str | None):
    """Lock, check the version seen and (when the edit moves the state) the move."""
    order, rma = _lock(session, reference)
    allowed = target is None or states.can_move(MACHINE, rma.status, target)
    _check_version(session, rma, expected_version, moving_on=not allowed)
    if target is not None:
        states.check_move(MACHINE, rma.status, target)
    return order, rma


def _lines(session, return_id: str) -> list[tuple[ReturnItem, OrderItem]]:
    return [
        tuple(row)
        for row in session.execute(
            select(ReturnItem, OrderItem)
            .join(OrderItem, OrderItem.id == ReturnItem.shopping_mall_order_item_id)
            .where(
                ReturnItem.shopping_mall_return_request_id == return_id,
                ReturnItem.deleted_at.is_(None),
            )
            .order_by(OrderItem.line_position)
        )
    ]


def _live_shipment(session, return_id: str) -> ReturnShipment | None:
    return session.scalars(
        select(ReturnShipment)
        .where(
            ReturnShipment.shopping_mall_return_request_id == return_id,
            ReturnShipment.deleted_at.is_(None),
        )
        .order_by(ReturnShipment.created_at.desc(), ReturnShipment.id.desc())
        .limit(1)
    ).first()


def _raised_refund(session, return_id: str) -> RefundRequest | None:
    """The refund request the return raised (the newest that still stands), if any."""
    return session.scalars(
        select(RefundRequest)
        .where(
            RefundRequest.shopping_mall_return_request_id == return_id,
            RefundRequest.deleted_at.is_(None),
        )
        .order_by(
            RefundRequest.status.in_(REFUND_STANDING).desc(),
            RefundRequest.created_at.desc(),
            RefundRequest.id.desc(),
        )
        .limit(1)
    ).first()


def _audit(session, rma: ReturnRequest, actor, action: str, summary: str, *, before: dict,
           after: dict, reason: str | None = None) -> None:  # fmt: skip
    """The move's audit event, with the versions before and after (stale checks read them)."""
    before["version"], after["version"] = rma.version, rma.version + 1
    rma.version += 1
    rma.updated_at = utcnow()
    audit.record(session, actor=actor, entity_table=TABLE, entity_id=rma.id, action=action,
                 summary=summary, reason=reason, before=before, after=after)  # fmt: skip


@dataclass(frozen=True)
class Moved:
    """What a move did: the return as it is now, a sentence, and the refund it raised."""

    request: ReturnRequest
    message: str
    refund: RefundRequest | None = None


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], field_errors=errors)


def approve_field(item_id: str) -> str:
    """The form field (and field-error key) of a line's units to approve."""
    return f"approve_{item_id}"


# ---- decide ------------------------------------------------------------------------------------


def decide(session, reference, approvals: dict, *, reason, actor, expected_version) -> Moved:
    """Decide every line: ``approvals`` = {return item id: units to approve (0 refuses)}."""
    order, rma = _lock(session, reference)
    _check_version(session, rma, expected_version, moving_on=rma.status != "pending")
    if rma.status != "pending":
        states.check_move(MACHINE, rma.status, "approved")  # decided already: says so
    lines = {item.id: (item, order_item) for item, order_item in _lines(session, rma.id)}
    room = {line.item.id: line for line in cr.return_lines(session, order, leaving_out=rma.id)}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, int] = {}
    approvals = approvals or {}
    if set(approvals) - set(lines):
        errors["items"] = ["That item is not part of this return."]
    for item_id, (item, order_item) in lines.items():
        units = _approved_units(item, order_item, approvals.get(item_id), room, errors)
        if units is not None:
            wanted[item_id] = units
    reason = (reason or "").strip() or None
    asked = sum(item.requested_quantity for item, _ in lines.values())
    given = sum(wanted.values())
    if reason and len(reason) > NOTE_MAX:
        errors["reason"] = [f"Keep the reason under {NOTE_MAX} characters."]
    elif not errors and given < asked and not reason:
        errors["reason"] = [
            "Say why units are refused: the agent tells the customer."
            if given
            else "Say why the return is rejected: the agent tells the customer."
        ]
    _refuse(errors)
    target = "approved" if given else "rejected"
    states.check_move(MACHINE, rma.status, target)
    for item_id, units in wanted.items():
        lines[item_id][0].approved_quantity = units
    now = utcnow()
    rma.status, rma.decided_at = target, now
    summary = f"Approved {_units(given)} of {asked}" if given else f"Rejected all {_units(asked)}"
    items = {
        order_item.product_name: f"{wanted[item.id]} of {item.requested_quantity}"
        for item, order_item in lines.values()
    }
    _audit(session, rma, actor, f"return.{target}", summary, reason=reason,
           before={"status": "pending"}, after={"status": target, "items": items})  # fmt: skip
    words = f"Return {rma.rma_code}: {summary.lower()}"
    case_event(session, rma, f"{words}{f'. {reason}' if reason else ''}.", actor=actor, now=now)
    session.flush()
    return Moved(rma, f"{words}.")


def reject(session, reference, *, reason, actor, expected_version) -> Moved:
    """Refuse every unit of the return, for ``reason`` (the customer is told it)."""
    refused = {item.id: "0" for item, _ in _lines(session, find_return(session, reference).id)}
    return decide(session, reference, refused, reason=reason, actor=actor,
                  expected_version=expected_version)  # fmt: skip


def inspection_prefix(item_id: str) -> str:
    """The prefix of one line's inspection form (a screen shows one form per line)."""
    return f"i-{item_id}"


def _approved_units(item, order_item, raw, room, errors) -> int | None:
    """The units of one line to approve, or None with its error in ``errors``."""
    key = approve_field(item.id)
    name = order_item.product_name
    text = "" if raw is None else str(raw).strip()
    if not text.isdigit():
        errors[key] = [f"Enter how many units of {name} to approve (0 refuses them)."]
        return None
    units = int(text)
    line = room.get(order_item.id)
    free = line.returnable if line else 0
    if units > item.requested_quantity:
        errors[key] = [
            f"At most {item.requested_quantity}: the customer asked to return "
            f"{_units(item.requested_quantity)}."
        ]
        return None
    if units > free:
        delivered, elsewhere = (line.delivered, line.in_returns) if line else (0, 0)
        errors[key] = [
            f"At most {free} of {name}: {delivered} delivered, {elsewhere} already in other "
            "returns."
        ]
        return None
    return units


# ---- the parcel --------------------------------------------------------------------------------


def active_carriers(session) -> list[Carrier]:
    return list(
        session.scalars(
            select(Carrier)
            .where(Carrier.active.is_(True), Carrier.deleted_at.is_(None))
            .order_by(Carrier.name)
        )
    )


def record_shipment(session, reference, *, carrier_id, tracking_number, actor, expected_version):
    """The customer sent the parcel back: its carrier and tracking number (→ in transit)."""
    _, rma = _begin(session, reference, expected_version, "in_transit_back")
    errors: dict[str, list[str]] = {}
    try:  # the one rule: a live, active carrier (an inactive one takes no new shipment)
        carrier = carriers.for_new_shipment(session, carrier_id)
    except ValidationError as refused:
        errors.update(refused.field_errors)
    tracking = (tracking_number or "").strip().upper()
    if not TRACKING.fullmatch(tracking):
        errors["tracking_number"] = [
            "Enter the carrier's tracking number: 4 to 64 letters, digits or dashes."
        ]
    _refuse(errors)
    now = utcnow()
    session.add(
        ReturnShipment(
            shopping_mall_return_request_id=rma.id,
            shopping_mall_carrier_id=carrier.id,
            tracking_number=tracking,
            status=SHIPMENT_IN_TRANSIT,
            shipped_at=now,
        )
    )
    rma.status = "in_transit_back"
    _audit(session, rma, actor, "return.sent_back", f"Sent back with {carrier.name}",
           before={"status": "approved"},
           after={"status": rma.status, "carrier": carrier.name,
                  "tracking_number": tracking})  # fmt: skip
    session.flush()
    return Moved(rma, f"Return {rma.rma_code} is on its way back: {carrier.name} {tracking}.")


def mark_received(session, reference, *, actor, expected_version) -> Moved:
    """The parcel arrived at the returns desk (→ received): each approved line to inspect."""
    _, rma = _begin(session, reference, expected_version, "received")
    before = rma.status
    now = utcnow()
    parcel = _live_shipment(session, rma.id)
    if parcel is not None:
        parcel.status, parcel.received_at = SHIPMENT_RECEIVED, now
        parcel.delivered_at = parcel.delivered_at or now
    units = 0
    for item, _ in _lines(session, rma.id):
        if item.approved_quantity:
            item.inspection_status = INSPECTION_WAITING
            units += item.approved_quantity
    rma.status = "received"
    _audit(session, rma, actor, "return.received", f"Received {_units(units)}",
           before={"status": before}, after={"status": "received"})  # fmt: skip
    case_event(session, rma, f"Return {rma.rma_code} received: {_units(units)} to inspect.",
               actor=actor, now=now)  # fmt: skip
    session.flush()
    return Moved(rma, f"Return {rma.rma_code} received: inspect its {_units(units)}.")


# ---- inspection --------------------------------------------------------------------------------


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(currency))


def refund_ceilings(session, order: Order, lines) -> dict[str, Decimal]:
    """What each approved line of a return can still refund, by return item id: its approved
    units' value, within what is left of its order line after other refunds, within what the
    order can still give back less what the return's other passed lines will ask for."""
    room = cr.refund_room(session, order)
    left_on_line = {line.item.id: line.ceiling for line in room.lines}
    passed = {
        item.id: item.refundable_amount or ZERO
        for item, _ in lines
        if item.inspection_status == "passed"
    }
    ceilings = {}
    for item, order_item in lines:
        units = item.approved_quantity or 0
        value = (unit_value(order_item) * units).quantize(_quantum(order.currency))
        others = sum((a for i, a in passed.items() if i != item.id), ZERO)
        ceilings[item.id] = max(
            ZERO, min(value, left_on_line.get(order_item.id, ZERO), room.ceiling - others)
        )
    return ceilings


def _inspection_words(item: ReturnItem, currency: str) -> dict:
    return {
        "inspection_status": item.inspection_status,
        "received_condition": item.received_condition,
        "refundable_amount": item.refundable_amount,
        "currency": currency,
    }


def inspect(session, reference, item_id, *, condition, outcome, note, refundable, actor,
            expected_version) -> Moved:  # fmt: skip
    """Inspect one approved line of a received return (again, until the return closes)."""
    order, rma = _lock(session, reference)
    _check_version(session, rma, expected_version, moving_on=rma.status != "received")
    if rma.status != "received":
        raise Conflict(
            f"Items are inspected once the return is received: {rma.rma_code} is "
            f"{status_label(rma.status).lower()}."
        )
    lines = _lines(session, rma.id)
    found = next(((i, o) for i, o in lines if i.id == item_id), None)
    if found is None:
        raise NotFound("That item is not part of this return.")
    item, order_item = found
    if not item.approved_quantity:
        raise Conflict(f"No unit of {order_item.product_name} was approved: there is nothing "
                       "to inspect.")  # fmt: skip
    currency = order.currency
    errors: dict[str, list[str]] = {}
    if condition not in states.RETURN_CONDITIONS:
        errors["condition"] = ["Choose the condition the item came back in."]
    if outcome not in states.RETURN_INSPECTION_OUTCOMES:
        errors["outcome"] = ["Choose whether the item passed or failed the inspection."]
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = [f"Keep the note under {NOTE_MAX} characters."]
    amount = _refundable(session, order, lines, item, outcome, refundable, errors)
    _refuse(errors)
    # the item on both sides: the history names it once, a stale edit's changes list it
    before = {"item": order_item.product_name, **_inspection_words(item, currency)}
    item.received_condition, item.inspection_status = condition, outcome
    item.inspection_note, item.refundable_amount = note, amount
    after = {"item": order_item.product_name, **_inspection_words(item, currency)}
    words = (
        f"{order_item.product_name}: {OUTCOME_LABELS[outcome].lower()}, "
        f"{CONDITION_LABELS[condition].lower()}"
    )
    if outcome == "passed":
        words += f", refund {_money(amount, currency)}"
    _audit(session, rma, actor, "return.inspected", words, reason=note,
           before=before, after=after)  # fmt: skip
    session.flush()
    return Moved(rma, f"Inspected {words}.")


def _refundable(session, order, lines, item, outcome, raw, errors) -> Decimal | None:
    """The refundable amount of an inspection: for a pass, above zero and within the line's
    ceiling; for a failure nothing (zero)."""
    currency = order.currency
    text = "" if raw is None else str(raw).strip()
    if outcome == "failed":
        try:
            given = parse_amount(text, currency) if text else None
        except ValueError:
            given = None
        if text and given != ZERO:
            errors["refundable_amount"] = ["A failed item refunds nothing: leave it empty."]
        return ZERO
    if outcome != "passed":
        return item.refundable_amount
    try:
        amount = parse_amount(text, currency)
    except ValueError as error:
        errors["refundable_amount"] = [str(error)]
        return None
    if amount is None or amount <= 0:
        errors["refundable_amount"] = ["Enter the amount to refund for this item, above zero."]
        return None
    ceiling = refund_ceilings(session, order, lines)[item.id]
    if amount > ceiling:
        errors["refundable_amount"] = [
            f"At most {_money(ceiling, currency)}: what this item can still refund."
        ]
        return None
    return amount.quantize(_quantum(currency))


# ---- closing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreStock:
    """A store whose passed lines go back in stock, and the locations it may put them at."""

    store_id: str
    store_name: str
    locations: list[InventoryLocation]
    units: int


def restockable(item: ReturnItem) -> bool:
    """A passed line not damaged goes back on sale; a damaged one is refunded only."""
    return (
        item.inspection_status == "passed"
        and bool(item.approved_quantity)
        and item.received_condition not in NOT_RESTOCKED
    )


def _stores_of(session, lines) -> dict[str, str]:
    """The store holding each line's SKU, by return item id."""
    if not lines:
        return {}
    sku_store = dict(
        session.execute(
            select(Sku.id, Product.shopping_mall_store_id)
            .join(Product, Product.id == Sku.shopping_mall_product_id)
            .where(Sku.id.in_({order_item.shopping_mall_sku_id for _, order_item in lines}))
        ).all()
    )
    return {item.id: sku_store.get(order_item.shopping_mall_sku_id) for item, order_item in lines}


def restock_stores(session, lines) -> list[StoreStock]:
    """The stores of the lines that go back in stock, with their active locations."""
    stores = _stores_of(session, lines)
    units: dict[str, int] = defaultdict(int)
    for item, _ in lines:
        if restockable(item) and stores.get(item.id):
            units[stores[item.id]] += item.approved_quantity
    if not units:
        return []
    names = dict(session.execute(select(Store.id, Store.name).where(Store.id.in_(units))).all())
    places: dict[str, list[InventoryLocation]] = defaultdict(list)
    for location in session.scalars(
        select(InventoryLocation)
        .where(
            InventoryLocation.shopping_mall_store_id.in_(units),
            InventoryLocation.active.is_(True),
            InventoryLocation.deleted_at.is_(None),
        )
        .order_by(InventoryLocation.name, InventoryLocation.code)
    ):
        places[location.shopping_mall_store_id].append(location)
    return [
        StoreStock(store_id, names.get(store_id) or "Store", places[store_id], count)
        for store_id, count in sorted(units.items(), key=lambda pair: names.get(pair[0]) or "")
    ]


def _chosen_locations(session, lines, chosen) -> dict[str, InventoryLocation]:
    """The location chosen for each store that restocks (one per store); 422 otherwise."""
    stores = restock_stores(session, lines)
    by_id = {loc.id: loc for store in stores for loc in store.locations}
    picked: dict[str, InventoryLocation] = {}
    for location_id in chosen or ():
        location = by_id.get(location_id)
        if location is None:
            _refuse({"location": ["Choose one of the stores' active locations."]})
        if location.shopping_mall_store_id in picked:
            _refuse({"location": ["Choose one location per store."]})
        picked[location.shopping_mall_store_id] = location
    for store in stores:
        if store.store_id not in picked:
            message = (
                f"Choose where {store.store_name} puts the {_units(store.units)} back in stock."
                if store.locations
                else f"{store.store_name} has no active location to put the returned units in."
            )
            _refuse({"location": [message]})
    return picked


def close(session, reference, *, locations=(), actor, expected_version) -> Moved:
    """Close the return: after inspection, one refund request for what passed and the passed
    lines back in stock; when the parcel never came, nothing (see the module)."""
    order, rma = _begin(session, reference, expected_version, "closed")
    lines = _lines(session, rma.id)
    before = rma.status
    refund, restocked, units = None, {}, 0
    if before == "received":
        waiting = [o.product_name for i, o in lines if i.approved_quantity
                   and i.inspection_status not in states.RETURN_INSPECTION_OUTCOMES]  # fmt: skip
        if waiting:
            verb = "is" if len(waiting) == 1 else "are"
            raise Conflict(
                f"Inspect every item before closing: {', '.join(waiting)} {verb} not inspected yet."
            )
        picked = _chosen_locations(session, lines, locations)
        refund = _raise_refund(session, order, rma, lines, actor)
        restocked, units = _restock(session, rma, lines, picked, actor)
    rma.status = "closed"
    summary = _closing_words(rma, refund, units, before, order.currency)
    after = {"status": "closed"}
    if refund is not None:
        after["refund"] = refund.refund_request_number
    if restocked:
        after["restocked"] = restocked
    _audit(session, rma, actor, "return.closed", summary, before={"status": before},
           after=after)  # fmt: skip
    case_event(session, rma, f"{summary}.", actor=actor, now=utcnow())
    session.flush()
    return Moved(rma, f"{summary}.", refund)


def _raise_refund(session, order, rma, lines, actor) -> RefundRequest | None:
    """ONE refund request for the passed lines' refundable amounts (none when nothing is)."""
    standing = _raised_refund(session, rma.id)
    if standing is not None and standing.status in REFUND_STANDING:
        raise Conflict(
            f"Refund request {standing.refund_request_number} was already raised for "
            f"{rma.rma_code}: a return raises one."
        )
    wanted = [
        (order_item.id, item.refundable_amount)
        for item, order_item in lines
        if item.inspection_status == "passed" and (item.refundable_amount or ZERO) > 0
    ]
    if not wanted:
        return None
    case = cr.find_case(session, rma.shopping_mall_support_case_id)  # None once deleted
    try:
        return cr.raise_refund(
            session, order.id, wanted, reason_code=cr.RETURN_REFUND_REASON,
            note=f"Return {rma.rma_code} inspected: the items that passed.", actor=actor,
            case_id=case.id if case else None, return_id=rma.id,
        )  # fmt: skip
    except ValidationError as refused:
        problems = [m for messages in refused.field_errors.values() for m in messages]
        raise Conflict(
            "The refund cannot be raised as inspected: "
            f"{' '.join(problems) or refused.message} Inspect the items again with amounts "
            "the order can still refund, then close."
        ) from None


def _restock(session, rma, lines, picked, actor) -> tuple[dict[str, str], int]:
    """The passed lines not damaged back in stock at the chosen locations: ({item: where},
    the units restocked)."""
    stores = _stores_of(session, lines)
    done, units = {}, 0
    for item, order_item in lines:
        if not restockable(item):
            continue
        location = picked[stores[item.id]]
        adjustments.adjust(
            session, (order_item.shopping_mall_sku_id, location.id), item.approved_quantity,
            "return", f"Returned with {rma.rma_code}", actor=actor,
            reference=f"{rma.rma_code}/{order_item.line_position}",
        )  # fmt: skip
        done[order_item.product_name] = f"{_units(item.approved_quantity)} at {location.name}"
        units += item.approved_quantity
    return done, units


def _closing_words(rma, refund, units: int, before, currency) -> str:
    if before != "received":
        return f"Return {rma.rma_code} closed: the parcel never came back"
    parts = [
        f"refund request {refund.refund_request_number} raised for "
        f"{_money(refund.total_requested_amount, currency)}"
        if refund
        else "nothing to refund"
    ]
    parts.append(f"{_units(units)} back in stock" if units else "nothing back in stock")
    return f"Return {rma.rma_code} closed: {', '.join(parts)}"


# ---- the return screen -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """One line of the return with the units that bound its decision and what it can refund."""

    item: ReturnItem
    order_item: OrderItem
    sku_code: str | None
    delivered: int
    elsewhere: int  # units of the order line in the order's other returns
    can_refund: Decimal

    @property
    def free(self) -> int:
        """The most that may be approved: asked for, and delivered less the other returns."""
        return max(0, min(self.item.requested_quantity, self.delivered - self.elsewhere))

    @property
    def value(self) -> Decimal:
        return unit_value(self.order_item) * (self.item.approved_quantity or 0)

    @property
    def inspected(self) -> bool:
        return self.item.inspection_status in states.RETURN_INSPECTION_OUTCOMES

    @property
    def restockable(self) -> bool:
        return restockable(self.item)


@dataclass
class ReturnView:
    request: ReturnRequest
    order: Order
    customer: str | None
    lines: list[LineView]
    shipment: ReturnShipment | None
    carrier: Carrier | None
    tracking_link: str | None
    refund: RefundRequest | None
    case: SupportCase | None
    requester: Person | None
    decision_reason: str | None
    stores: list[StoreStock]
    carriers: list[Carrier]
    history: list

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.request.status, "neutral")

    @property
    def currency(self) -> str:
        return self.order.currency

    @property
    def moves(self) -> tuple[str, ...]:
        return states.allowed_targets(MACHINE, self.request.status)

    @property
    def approved_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.item.approved_quantity]

    @property
    def waiting_inspection(self) -> list[LineView]:
        return [line for line in self.approved_lines if not line.inspected]

    @property
    def to_refund(self) -> Decimal:
        """What closing asks finance to refund: the passed lines' refundable amounts."""
        return sum(
            (
                line.item.refundable_amount or ZERO
                for line in self.lines
                if line.item.inspection_status == "passed"
            ),
            ZERO,
        )

    @property
    def requested_units(self) -> int:
        return sum(line.item.requested_quantity for line in self.lines)

    @property
    def approved_units(self) -> int:
        return sum(line.item.approved_quantity or 0 for line in self.lines)


def _decision_reason(entries) -> str | None:
    """Why units were refused: the reason the decision's audit event keeps."""
    for entry in entries:
        if entry.event.action in ("return.approved", "return.rejected"):
            return entry.event.reason
    return None


def load(session, reference: str) -> ReturnView:
    """The return (id or RMA code) and everything its screen shows."""
    rma = find_return(session, reference)
    order = session.get(Order, rma.shopping_mall_order_id)
    lines = _lines(session, rma.id)
    room = {line.item.id: line for line in cr.return_lines(session, order, leaving_out=rma.id)}
    ceilings = refund_ceilings(session, order, lines)
    skus = dict(
        session.execute(
            select(Sku.id, Sku.sku_code).where(
                Sku.id.in_({o.shopping_mall_sku_id for _, o in lines})
            )
        ).all()
    )
    views = [
        LineView(
            item,
            order_item,
            skus.get(order_item.shopping_mall_sku_id),
            room[order_item.id].delivered if order_item.id in room else 0,
            room[order_item.id].in_returns if order_item.id in room else 0,
            ceilings.get(item.id, ZERO),
        )
        for item, order_item in lines
    ]
    shipment = _live_shipment(session, rma.id)
    carrier = (
        session.get(Carrier, shipment.shopping_mall_carrier_id)
        if shipment and shipment.shopping_mall_carrier_id
        else None
    )
    link = (
        carriers.tracking_link(
            carrier.tracking_url_template if carrier else None,
            shipment.tracking_number,
            None,
        )
        if shipment
        else None
    )
    requester = session.get(User, rma.requested_by_user_id)
    history = audit.history(session, TABLE, rma.id)
    return ReturnView(
        request=rma,
        order=order,
        customer=session.scalar(
            select(func.coalesce(User.name, User.nickname)).where(
                User.id == order.shopping_mall_user_id
            )
        ),
        lines=views,
        shipment=shipment,
        carrier=carrier,
        tracking_link=link,
        refund=_raised_refund(session, rma.id),
        case=session.get(SupportCase, rma.shopping_mall_support_case_id)
        if rma.shopping_mall_support_case_id
        else None,
        requester=Person(requester.name, requester.email) if requester else None,
        decision_reason=_decision_reason(history),
        stores=restock_stores(session, lines) if rma.status == "received" else [],
        carriers=active_carriers(session) if rma.status == "approved" else [],
        history=history,
    )


def reason_choices() -> dict[str, str]:
    """The return reasons in words, for the queue's filter."""
    return {code: cr.reason_label(code) for code in states.RETURN_REASONS}
