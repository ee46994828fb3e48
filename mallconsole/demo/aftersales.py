"""Cancellation, return (items, inspections, return shipments) and refund requests in each
state of docs/contract.md, some above the dual-approval threshold, some linked to support cases.
Executed refunds become payment refunds and seller ledger debits."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

from mallconsole.core import states
from mallconsole.core.money import format_money
from mallconsole.demo import support
from mallconsole.demo.approvals import requested_audit
from mallconsole.demo.audit import audit, audit_walk
from mallconsole.demo.world import ZERO, World, money
from mallconsole.services.aftersales.customer_requests import (
    CANCELLATION,
    REFUND,
    RETURN,
    raised_body,
)

# Amounts above this need a second finance approval (configured under
# finance.refund.dual_approval_threshold.USD by the admin module).
REFUND_DUAL_APPROVAL_USD = Decimal("250.00")

CANCEL_BEFORE_SHIPPING = ("pending", "approved", "withdrawn")


def build_for_order(world: World, ctx: dict) -> list[dict]:
    """The after-sales requests of one order; returns its executed payment refunds."""
    status = ctx["order"]["status"]
    path = ctx["path"]
    refunds: list[dict] = []
    if status in ("pending_confirmation", "confirmed", "on_hold", "under_review"):
        if world.due("cancel_open", 3, 0.12):
            state = CANCEL_BEFORE_SHIPPING[world.serial("cancel_open") % 3]
            _cancellation(world, ctx, state)
    elif status == "canceled" and "confirmed" in path:
        if world.due("cancel_done", 1, 0.6):
            _cancellation(world, ctx, "executed")
    elif status in ("shipped", "partially_shipped"):
        if world.due("cancel_late", 1, 0.08):
            _cancellation(world, ctx, "rejected")
    elif status == "refunded":
        refunds.append(_full_refund(world, ctx))
    elif status in ("delivered", "completed"):
        units = sum(item["quantity"] for item in ctx["items"])
        if ctx["big"] and world.due("second_approval", 2, 0.0):
            refunds.extend(_refund_request(world, ctx, "pending_second_approval"))
        elif units >= 2 and world.due("return", len(states.RETURN_REQUEST), 0.08):
            refunds.extend(_return(world, ctx))
        elif world.due("refund", len(states.REFUND_REQUEST), 0.06):
            refunds.extend(_refund_request(world, ctx))
    return refunds


def _finance(world: World) -> tuple[str, str]:
    staff = world.refs["staff"]
    return staff["finance@demo.mall"], staff["finance2@demo.mall"]


def _cancellation(world: World, ctx: dict, state: str) -> None:
    order = ctx["order"]
    requested = world.after(order["placed_at"], hours=12)
    decided = state in ("approved", "rejected", "executed")
    ops = world.refs["staff"]["ops@demo.mall"]
    decided_at = world.after(requested, hours=6) if decided else None
    row = world.add(
        "shopping_mall_cancellation_requests",
        at=requested,
        updated_at=decided_at or requested,
        shopping_mall_order_id=order["id"],
        requested_by_user_id=order["shopping_mall_user_id"],
        approved_by_user_id=ops if state in ("approved", "executed") else None,
        cancellation_request_number=world.number("CAN", requested),
        status=state,
        reason_code=world.pick(states.CANCELLATION_REASONS),
        reason_note="Customer asked to cancel before shipping.",
        decided_at=decided_at,
    )
    if decided:
        path = ["pending", "approved", "executed"] if state == "executed" else ["pending", state]
        audit_walk(
            world,
            table="shopping_mall_cancellation_requests",
            entity_id=row["id"],
            column="status",
            path=path,
            actors=[ops] * (len(path) - 1),
            action="cancellation",
            start=requested,
            end=decided_at,
        )
    if world.chance(0.4) or world.serial("cancel_case") < 2:
        number = row["cancellation_request_number"]
        body = raised_body(CANCELLATION, number)
        _raised_from(row, support.case_for_order(
            world, ctx, category="order", reference=number, raised=(requested, body)
        ))  # fmt: skip


def _raised_from(request: dict, case: dict) -> None:
    """The request was raised from ``case`` by its agent: each finds the other."""
    request["shopping_mall_support_case_id"] = case["id"]
    request["requested_by_user_id"] = case["raised_by"]


def _unit_value(item: dict) -> Decimal:
    return item["unit_price"] - item["unit_discount"] + item["unit_tax"]


# A return's moves to each state (docs/contract.md); some parcels are handed in at the desk
# (approved → received) and some never come (approved → closed).
RETURN_PATHS = {
    "pending": ("pending",),
    "approved": ("pending", "approved"),
    "rejected": ("pending", "rejected"),
    "in_transit_back": ("pending", "approved", "in_transit_back"),
    "received": ("pending", "approved", "in_transit_back", "received"),
    "closed": ("pending", "approved", "in_transit_back", "received", "closed"),
}
# The audit action of each move, as the return service names it.
RETURN_ACTIONS = {"in_transit_back": "return.sent_back"}
HANDED_IN = ("pending", "approved", "received")
NEVER_SENT = ("pending", "approved", "closed")
REJECTIONS = ("Returned after the 30-day window.", "The seal is broken on a hygiene item.")
PARTIAL = "One unit was used: only the unopened ones are taken back."


def _return_path(world: World, state: str) -> tuple[str, ...]:
    path = RETURN_PATHS[state]
    if state == "received" and world.serial("return_handed_in") % 4 == 3:
        return HANDED_IN
    if state == "closed" and world.serial("return_never_sent") % 5 == 4:
        return NEVER_SENT
    return path


def _return(world: World, ctx: dict) -> list[dict]:
    """A return in one state of its machine, its lines decided, sent back, received and
    inspected as far as that state goes; closed ones raised their refund and restocked."""
    order = ctx["order"]
    state = states.RETURN_REQUEST[world.serial("return") % len(states.RETURN_REQUEST)]
    path = _return_path(world, state)
    delivered = [s for s in ctx["shipments"] if s["delivered_at"]]
    shipment = delivered[0] if delivered else None
    start = shipment["delivered_at"] if shipment else order["placed_at"]
    requested = world.after(start, days=10)
    end = world.after(requested, days=12 if state == "closed" else 6)
    times = dict(zip(path[1:], world.moments(requested, end, len(path) - 1), strict=True))
    ops = world.refs["staff"]["ops@demo.mall"]
    lines = _return_lines(world, ctx, path)
    reason = None
    if "rejected" in path:
        reason = world.pick(REJECTIONS)
    elif any(approved < asked for _, asked, approved in lines if approved is not None):
        reason = PARTIAL
    decided_at = times.get("approved") or times.get("rejected")
    row = world.add(
        "shopping_mall_return_requests",
        at=requested,
        updated_at=times[path[-1]] if len(path) > 1 else requested,
        shopping_mall_order_id=order["id"],
        requested_by_user_id=order["shopping_mall_user_id"],
        original_shipment_id=shipment["id"] if shipment else None,
        rma_code=world.number("RMA", requested),
        status=state,
        reason_code=world.pick(states.RETURN_REASONS),
        reason_note="The item does not match the listing.",
        decided_at=decided_at,
        version=len(path),
    )
    inspected = _return_items(world, row, lines, path, requested)
    if "in_transit_back" in path:
        received = times.get("received")
        world.add(
            "shopping_mall_return_shipments",
            at=times["in_transit_back"],
            shopping_mall_return_request_id=row["id"],
            shopping_mall_carrier_id=world.pick(world.refs["carriers"])["id"],
            tracking_number=f"RT{world.rng.getrandbits(40):012d}",
            status="received" if received else "in_transit",
            shipped_at=times["in_transit_back"],
            delivered_at=received,
            received_at=received,
        )
    refunds: list[dict] = []
    closing: dict = {}
    if state == "closed" and "received" in path:
        refunds, closing = _close_return(world, ctx, row, inspected, times["closed"])
    for previous, move in pairwise(path):
        audit(
            world,
            actor=ops,
            table="shopping_mall_return_requests",
            entity_id=row["id"],
            action=RETURN_ACTIONS.get(move, f"return.{move}"),
            at=times[move],
            before={"status": previous},
            after={"status": move, **(closing if move == "closed" else {})},
            reason=reason if move in ("approved", "rejected") else None,
        )
    units = sum(asked for _, asked, _ in lines)
    body = raised_body(RETURN, row["rma_code"], units=units)
    case = None
    if world.chance(0.5) or world.serial("return_case") < 2:
        case = support.case_for_order(
            world, ctx, category="return", reference=row["rma_code"], raised=(requested, body)
        )
        _raised_from(row, case)
    audit(
        world,
        actor=row["requested_by_user_id"],
        table="shopping_mall_return_requests",
        entity_id=row["id"],
        action="return.raised",
        at=requested,
        summary=f"{body} on order {order['order_number']}",
        after={
            "number": row["rma_code"],
            "status": "pending",
            "order": order["order_number"],
            "reason_code": row["reason_code"],
            "case": case["number"] if case else None,
            "items": {item["product_name"]: asked for item, asked, _ in lines},
        },
        reason=row["reason_note"],
    )
    return refunds


def _return_lines(world: World, ctx: dict, path) -> list[tuple[dict, int, int | None]]:
    """(order item, units asked, units approved) of one or two lines, the fullest first."""
    items = sorted(ctx["items"], key=lambda i: (-i["quantity"], i["line_position"]))
    chosen = items[: world.rng.randint(1, min(2, len(items)))]
    lines = []
    for n, item in enumerate(chosen):
        asked = world.rng.randint(1, item["quantity"])
        if "rejected" in path:
            approved = 0
        elif "approved" in path:
            partial = n == 0 and asked >= 2 and world.serial("return_partial") % 4 == 1
            approved = asked - 1 if partial else asked
        else:
            approved = None
        lines.append((item, asked, approved))
    return lines


def _return_items(world: World, row: dict, lines, path, at) -> list[tuple[dict, dict]]:
    """The return's lines as far as its state goes: received lines wait for inspection (a few
    already inspected), closed ones are inspected (most passed, some failed as damaged)."""
    written = []
    closed = path[-1] == "closed" and "received" in path
    for n, (item, asked, approved) in enumerate(lines):
        value = _unit_value(item)
        inspection = condition = note = None
        refundable = value * asked
        if approved and "received" in path:
            inspection = "pending"
            if closed or (n == 0 and world.serial("return_inspected") % 3 == 2):
                passed = not closed or world.serial("return_passed") % 5 != 4
                inspection = "passed" if passed else "failed"
                condition = world.pick(("as_new", "as_new", "opened")) if passed else "damaged"
                refundable = value * approved if passed else ZERO
                note = "Checked at the returns desk." if passed else "Cracked casing: not sellable."
        line = world.add(
            "shopping_mall_return_items",
            at=at,
            shopping_mall_return_request_id=row["id"],
            shopping_mall_order_item_id=item["id"],
            requested_quantity=asked,
            approved_quantity=approved,
            received_condition=condition,
            inspection_status=inspection,
            inspection_note=note,
            refundable_amount=refundable,
        )
        written.append((item, line))
    return written


def _close_return(world: World, ctx: dict, row: dict, lines, at) -> tuple[list[dict], dict]:
    """What closing an inspected return did: ONE refund request for the passed lines (some
    executed, some waiting for finance) and the passed, undamaged units back in stock at the
    seller's warehouse. Returns the payment refunds and the closing audit's fields."""
    passed = [(item, line) for item, line in lines if line["inspection_status"] == "passed"]
    ops = world.refs["staff"]["ops@demo.mall"]
    closing: dict = {}
    restocked = {}
    for item, line in passed:
        if line["received_condition"] == "damaged":
            continue
        sku = item["_sku"]
        world.add(
            "shopping_mall_inventory_adjustments",
            at=at,
            shopping_mall_sku_id=sku[0],
            shopping_mall_inventory_location_id=sku[4],
            adjusted_by_user_id=ops,
            adjustment_reference=f"{row['rma_code']}/{item['line_position']}",
            delta=line["approved_quantity"],
            reason_category="return",
            reason_note=f"Returned with {row['rma_code']}",
            adjusted_at=at,
        )
        units = line["approved_quantity"]
        place = world.refs["location_names"][sku[4]]
        restocked[item["product_name"]] = f"{units} unit{'' if units == 1 else 's'} at {place}"
    if restocked:
        closing["restocked"] = restocked
    if not passed:
        return [], closing
    refund_lines = [(item, None, line["refundable_amount"]) for item, line in passed]
    refund_state = "executed" if world.serial("return_refund") % 3 else "pending"
    raised: list[dict] = []
    refunds = _write_refund(world, ctx, refund_state, refund_lines, at, return_id=row["id"],
                            reason="returned", raised=raised)  # fmt: skip
    closing["refund"] = raised[0]["refund_request_number"]
    return refunds, closing


def _refund_request(world: World, ctx: dict, state: str | None = None) -> list[dict]:
    order = ctx["order"]
    if state is None:
        state = states.REFUND_REQUEST[world.serial("refund") % len(states.REFUND_REQUEST)]
    start = max(
        (s["delivered_at"] for s in ctx["shipments"] if s["delivered_at"]),
        default=order["placed_at"],
    )
    at = world.after(start, days=15)
    large = money(order["grand_total"] * Decimal("0.9"))
    if state == "pending_second_approval" and large <= REFUND_DUAL_APPROVAL_USD:
        state = "pending"
    if state == "pending_second_approval":
        # Waiting in the approvals inbox now: first approved hours ago, not yet expired.
        at = world.after(max(start, world.ago(hours=world.rng.uniform(2, 40))), hours=1)
    if state in ("pending_second_approval",) or (ctx["big"] and state != "executed"):
        lines = [(None, None, large)]
    else:
        item = world.pick(ctx["items"])
        share = money(item["line_grand_total"] * Decimal(world.rng.randint(20, 60)) / 100)
        lines = [(item, None, share)]
    return _write_refund(
        world, ctx, state, lines, at, reason=world.pick(states.REFUND_REQUEST_REASONS)
    )


def _full_refund(world: World, ctx: dict) -> dict:
    at = ctx["times"][-1]
    lines = [(item, item["quantity"], item["line_grand_total"]) for item in ctx["items"]]
    refunds = _write_refund(world, ctx, "executed", lines, at, reason="returned_to_sender")
    return refunds[0]


def _write_refund(
    world, ctx, state, lines, at, *, return_id=None, reason, raised=None
) -> list[dict]:
    """A refund request with its items; executed ones get a payment refund and ledger debits.
    ``raised`` (a list) receives the request written."""
    order = ctx["order"]
    first, second = _finance(world)
    if state == "pending_second_approval" and world.serial("second_approval_by") % 2:
        first, second = second, first  # work waiting for each finance manager
    amount = sum((line[2] for line in lines), ZERO)
    decided = state in ("approved", "rejected", "executed")
    decided_at = world.after(at, hours=30) if decided else None
    request = world.add(
        "shopping_mall_refund_requests",
        at=at,
        updated_at=decided_at or at,
        shopping_mall_order_id=order["id"],
        requested_by_user_id=order["shopping_mall_user_id"],
        approved_by_user_id=first
        if state in ("pending_second_approval", "approved", "executed")
        else None,
        shopping_mall_return_request_id=return_id,
        refund_request_number=world.number("RR", at),
        status=state,
        reason_code=reason,
        reason_note="Refund to the original payment method.",
        total_requested_amount=amount,
        approved_amount=amount if state in ("approved", "executed") else None,
        currency="USD",
        decided_at=decided_at,
    )
    if raised is not None:
        raised.append(request)
    for item, quantity, value in lines:
        world.add(
            "shopping_mall_refund_items",
            at=at,
            shopping_mall_refund_request_id=request["id"],
            shopping_mall_order_item_id=item["id"] if item else None,
            quantity=quantity,
            amount=value,
            reason_code=reason,
            approval_status={
                "approved": "approved",
                "executed": "approved",
                "rejected": "rejected",
            }.get(state),
        )
    # Over the threshold, a first approval and then a second one by another finance manager;
    # execution (money moved) is a step of its own.
    if amount > REFUND_DUAL_APPROVAL_USD:
        approval, approvers = ["pending", "pending_second_approval", "approved"], [first, second]
    else:
        approval, approvers = ["pending", "approved"], [first]
    path, actors = {
        "pending_second_approval": (approval[:2], approvers[:1]),
        "approved": (approval, approvers),
        "executed": ([*approval, "executed"], [*approvers, first]),
        "rejected": (["pending", "rejected"], [first]),
    }.get(state, ([], []))
    audit_walk(
        world,
        table="shopping_mall_refund_requests",
        entity_id=request["id"],
        column="status",
        path=path,
        actors=actors,
        action="refund",
        start=at,
        end=decided_at or at,
        after={"approved_amount": str(amount)} if state != "rejected" else None,
    )
    if state == "pending_second_approval":
        _second_approval_request(world, request, first, at)
    if return_id is None and (world.chance(0.4) or world.serial("refund_case") < 3):
        number = request["refund_request_number"]
        body = raised_body(REFUND, number, amount=amount, currency="USD")
        _raised_from(request, support.case_for_order(
            world, ctx, category="refund", reference=number, raised=(at, body)
        ))  # fmt: skip
    if state != "executed":
        return []
    refunded_at = min(world.now, decided_at + timedelta(minutes=world.rng.randint(1, 90)))
    refund = world.add(
        "shopping_mall_payment_refunds",
        at=refunded_at,
        shopping_mall_payment_id=ctx["payment"]["id"],
        shopping_mall_payment_capture_id=ctx["capture"]["id"],
        shopping_mall_refund_request_id=request["id"],
        amount=amount,
        currency="USD",
        status="succeeded",
        reason_category=reason,
        provider_reference=f"re_{world.rng.getrandbits(80):020x}",
        idempotency_key=f"refund:{request['refund_request_number']}",
        refunded_at=refunded_at,
    )
    # Debit each seller for its share of the refund (order-level lines: the first seller).
    by_seller: dict[str, Decimal] = {}
    for item, _, value in lines:
        seller_id = item["_sku"][2] if item else ctx["seller_orders"][0]["seller_id"]
        by_seller[seller_id] = by_seller.get(seller_id, ZERO) + value
    number = request["refund_request_number"]
    for seller_id, value in by_seller.items():
        world.refs["ledger_events"].append(
            (seller_id, refunded_at, "refund", -value, order["id"], None, refund["id"], number)
        )
        _fee_reversal(world, ctx, seller_id, value, refund, refunded_at, number)
    return [refund]


def _fee_reversal(world, ctx, seller_id, value, refund, at, number) -> None:
    """The commission given back on a refund, as refund execution does it: fee × refunded /
    the seller's part of the order, rounded down, never more than is left unreversed."""
    seller_order = next((so for so in ctx["seller_orders"] if so["seller_id"] == seller_id), None)
    if seller_order is None or seller_order["sums"][3] <= ZERO:
        return
    fee = money((seller_order["sums"][0] - seller_order["sums"][1]) * Decimal("0.10"))
    reversed_ = ctx.setdefault("fees_reversed", {})
    left = fee - reversed_.get(seller_id, ZERO)
    back = min(
        (fee * value / seller_order["sums"][3]).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
        left,
    )
    if back <= ZERO:
        return
    reversed_[seller_id] = reversed_.get(seller_id, ZERO) + back
    world.refs["ledger_events"].append(
        (seller_id, at, "fee_reversal", back, ctx["order"]["id"], None, refund["id"], number)
    )
    world.add(
        "shopping_mall_fees",
        at=at,
        shopping_mall_seller_id=seller_id,
        shopping_mall_order_id=ctx["order"]["id"],
        shopping_mall_payment_refund_id=refund["id"],
        fee_type=states.FEE_REVERSAL,
        basis="refund",
        amount=-back,
        currency="USD",
        description=f"Fee given back on refund {number}",
        assessed_at=at,
    )


def _second_approval_request(world: World, request: dict, first: str, at) -> None:
    """The approval request a first finance approval over the threshold leaves for a second,
    different finance manager (the approvals inbox)."""
    amount = str(request["total_requested_amount"])
    action = world.add(
        "shopping_mall_admin_actions",
        at=at,
        requested_by_user_id=first,
        idempotency_key=f"refund-second-approval:{request['refund_request_number']}",
        action_name="approve_refund",
        target_entity_table="shopping_mall_refund_requests",
        target_entity_id=request["id"],
        status="pending",
        justification=f"Over the {format_money(REFUND_DUAL_APPROVAL_USD, 'USD', code=True)} "
        "threshold: first approval given",
        payload={
            "before": {"status": "pending_second_approval", "approved_amount": None},
            "after": {"status": "approved", "approved_amount": amount},
            "labels": {"approved_amount": "Amount to refund"},
            "amounts": ["approved_amount"],
            "refund_request_number": request["refund_request_number"],
            "currency": "USD",
        },
        revision=1,
        approvals_needed=1,
        approver_permission="approvals.finance",
        expires_at=at + timedelta(hours=states.DEFAULT_APPROVALS_EXPIRY_HOURS),
    )
    requested_audit(world, action, first, at)
