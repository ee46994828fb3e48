"""Orders in every state of docs/contract.md with seller orders, items, status history, payments
(authorizations, captures, refunds, events), inventory reservations and allocations,
shipments with carrier events, promotion applications and coupon redemptions.

Money adds up: an item's line total is subtotal - discount + tax, a seller order sums its
items and an order its seller orders (shipping is free and no duty applies in the demo mall),
capture equals authorization, refunds never exceed the capture.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from mallconsole.core import states
from mallconsole.demo import aftersales, reviews, support
from mallconsole.demo.audit import audit
from mallconsole.demo.world import ZERO, World, money
from mallconsole.services.fulfilment import carriers

TAX_RATE = Decimal("0.08")
PENDING_PAYMENT_MINUTES = 30
BATCH_ORDERS = 2000

ORDER_WEIGHTS = {
    "pending_payment": 2,
    "pending_confirmation": 3,
    "confirmed": 4,
    "partially_shipped": 2,
    "shipped": 6,
    "partially_delivered": 2,
    "delivered": 12,
    "completed": 55,
    "on_hold": 1.5,
    "under_review": 1.5,
    "canceled": 8,
    "refunded": 3,
}
# The way each status was reached (status history).
PATHS = {
    "pending_payment": ("pending_payment",),
    "pending_confirmation": ("pending_payment", "pending_confirmation"),
    "confirmed": ("pending_payment", "pending_confirmation", "confirmed"),
    "partially_shipped": (
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "partially_shipped",
    ),
    "shipped": ("pending_payment", "pending_confirmation", "confirmed", "shipped"),
    "partially_delivered": (
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "shipped",
        "partially_delivered",
    ),
    "delivered": ("pending_payment", "pending_confirmation", "confirmed", "shipped", "delivered"),
    "completed": (
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "shipped",
        "delivered",
        "completed",
    ),
    "on_hold": ("pending_payment", "pending_confirmation", "on_hold"),
    "under_review": ("pending_payment", "pending_confirmation", "under_review"),
    "canceled": ("pending_payment", "canceled"),
    "refunded": (
        "pending_payment",
        "pending_confirmation",
        "confirmed",
        "shipped",
        "delivered",
        "refunded",
    ),
}
# How long ago (days) orders of each status were placed.
AGE_DAYS = {
    "pending_confirmation": (0.01, 1.5),
    "confirmed": (0.5, 4),
    "on_hold": (0.5, 6),
    "under_review": (0.5, 6),
    "partially_shipped": (2, 7),
    "shipped": (2, 8),
    "partially_delivered": (4, 12),
    "delivered": (5, 25),
    "completed": (30, 180),
    "canceled": (1, 180),
    "refunded": (20, 180),
}
SHIPPED_STATES = {
    "in_transit": 60,
    "out_for_delivery": 15,
    "delivery_attempted": 10,
    "exception": 15,
}
# Why a canceled order was canceled: unpaid in time, card declined, or canceled after confirmation.
CANCEL_KINDS = {"payment_expired": 35, "payment_failed": 25, "after_confirmation": 40}
REFUNDED_STATES = {"returned": 35, "return_to_sender": 15, "delivered": 50}
# A parcel going back to its sender gets there within this many days.
RETURN_TO_SENDER_DAYS = 21
# Shipped orders whose parcels went quiet on the way (the exceptions queue's stale rule).
QUIET_SHIPPED = 2
CAPTURED = (
    "partially_shipped",
    "shipped",
    "partially_delivered",
    "delivered",
    "completed",
    "refunded",
)
AUTHORIZED = ("pending_confirmation", "confirmed", "on_hold", "under_review")
DELIVERED = ("delivered", "completed", "refunded")
# Payment states that mean the money was received: what the sale statistics count.
PAID = ("captured", "partially_refunded", "refunded")


def build_orders(world: World) -> None:
    """All orders of the demo history, written in batches to keep memory flat."""
    skus = world.refs["skus"]
    by_store = defaultdict(list)
    for sku in skus:
        by_store[sku[3]].append(sku)
    world.refs["skus_by_store"] = by_store
    world.refs["stores"] = sorted(by_store)
    world.refs["ship_from"] = {s["store_id"]: s["ship_from"] for s in world.refs["sellers"]}
    world.refs.update(
        ledger_events=[], chargeable=[], daily_sales=defaultdict(int), review_aggregates={}
    )
    total = world.count(10000, minimum=100)
    for i in range(total):
        # Three of each status first: enough for every shipment, payment and request state
        # that follows from them, even in the smallest world.
        status = world.state(i, states.ORDER * 3, ORDER_WEIGHTS)
        _order(world, i, status)
        if (i + 1) % BATCH_ORDERS == 0:
            world.flush()
    world.flush(f"orders ({total:,})")


def _lines(world: World, status: str, big: bool):
    """Items of one order: (sku, quantity) grouped by store; partial states span 2+ stores."""
    stores = world.refs["stores"]
    wanted = 2 if status in ("partially_shipped", "partially_delivered") else 1
    count = max(wanted, world.weighted({1: 70, 2: 25, 3: 5}))
    chosen = world.rng.sample(stores, min(count, len(stores)))
    groups = []
    for store in chosen:
        pool = world.refs["skus_by_store"][store]
        picks = world.rng.sample(pool, min(len(pool), world.weighted({1: 65, 2: 28, 3: 7})))
        groups.append([(sku, world.weighted({1: 75, 2: 18, 3: 7})) for sku in picks])
    if big:  # a high-value order, above the dual-approval thresholds
        sku, _ = groups[0][0]
        groups[0][0] = (sku, max(2, math.ceil(Decimal(700) / sku[5])))
    return groups


def _order(world: World, index: int, status: str) -> None:
    customer = world.pick(world.refs["customers"])
    big = status in ("delivered", "completed") and (index < 40 or world.chance(0.03))
    if status == "pending_payment":
        # Some are about to expire: placed 25-29 minutes ago with a 30-minute window.
        placed = world.ago(
            minutes=world.rng.uniform(25, 29.5) if index % 3 == 0 else world.rng.uniform(0.5, 24)
        )
    else:
        low, high = AGE_DAYS[status]
        placed = world.ago(days=world.rng.uniform(low, high))
    # The first shipped orders left a week ago and their carrier went quiet (the exceptions
    # queue's "no carrier event for N days"): placed at the oldest, shipped within a day.
    quiet = status == "shipped" and world.serial("quiet_shipped") < QUIET_SHIPPED
    if quiet:
        placed = world.ago(days=world.rng.uniform(7.5, 8))
    cancel_kind = None
    if status == "canceled":
        cancel_kind = world.state(world.serial("canceled"), tuple(CANCEL_KINDS), CANCEL_KINDS)
    canceled_after_confirm = cancel_kind == "after_confirmation"
    path = PATHS[status]
    if canceled_after_confirm:
        path = ("pending_payment", "pending_confirmation", "confirmed", "canceled")
    last = min(world.now, placed + timedelta(days=max(0.02, (world.now - placed).days * 0.6)))
    if status == "pending_payment":
        last = placed
    if quiet:
        last = placed + timedelta(days=1)
    step_times = [placed, *world.moments(placed, last, len(path) - 1)]

    order_id = world.uid()
    number = world.number("ORD", placed)
    promo = None
    if world.chance(0.22):
        promo = world.pick(world.refs["order_promotions"])
    address = customer["address"]

    # ---- items and seller orders ------------------------------------------------------
    groups = _lines(world, status, big)
    position = 0
    seller_orders = []
    items = []
    order_sums = [ZERO, ZERO, ZERO, ZERO]  # subtotal, discount, tax, grand
    for k, group in enumerate(groups):
        seller_order_id = world.uid()
        sums = [ZERO, ZERO, ZERO, ZERO]
        seller_items = []
        for sku, quantity in group:
            position += 1
            unit_price = sku[5]
            unit_discount = money(unit_price * promo[1] / 100) if promo else ZERO
            unit_tax = money((unit_price - unit_discount) * TAX_RATE)
            line_subtotal = unit_price * quantity
            line_discount = unit_discount * quantity
            line_tax = unit_tax * quantity
            line_total = line_subtotal - line_discount + line_tax
            item = world.add(
                "shopping_mall_order_items",
                at=placed,
                shopping_mall_order_id=order_id,
                shopping_mall_seller_order_id=seller_order_id,
                shopping_mall_sku_id=sku[0],
                line_position=position,
                product_name=sku[6],
                sku_name=f"{sku[6]} ({sku[7]})" if sku[7] else sku[6],
                option_summary=sku[7],
                quantity=quantity,
                unit_price=unit_price,
                unit_discount=unit_discount,
                unit_tax=unit_tax,
                line_subtotal=line_subtotal,
                line_discount_total=line_discount,
                line_tax_total=line_tax,
                line_grand_total=line_total,
                currency="USD",
            )
            item["_sku"] = sku
            seller_items.append(item)
            for n, value in enumerate((line_subtotal, line_discount, line_tax, line_total)):
                sums[n] += value
        seller_status = _seller_order_status(status, k)
        world.add(
            "shopping_mall_seller_orders",
            id=seller_order_id,
            at=placed,
            updated_at=step_times[-1],
            shopping_mall_order_id=order_id,
            shopping_mall_store_id=group[0][0][3],
            seller_order_number=f"{number}-{k + 1}",
            status=seller_status,
            **_totals(sums),
        )
        seller_orders.append(
            {
                "id": seller_order_id,
                "status": seller_status,
                "items": seller_items,
                "sums": sums,
                "seller_id": group[0][0][2],
                "store_id": group[0][0][3],
                "location_id": group[0][0][4],
            }
        )
        items.extend(seller_items)
        order_sums = [a + b for a, b in zip(order_sums, sums, strict=True)]

    order = world.add(
        "shopping_mall_orders",
        id=order_id,
        at=placed,
        updated_at=step_times[-1],
        shopping_mall_user_id=customer["id"],
        shopping_mall_shipping_address_id=address["id"],
        shopping_mall_billing_address_id=address["id"],
        order_number=number,
        status=status,
        business_status={"on_hold": "payment_risk_review", "under_review": "fraud_check"}.get(
            status
        ),
        **_totals(order_sums),
        placed_at=placed,
        expires_at=placed + timedelta(minutes=PENDING_PAYMENT_MINUTES)
        if status == "pending_payment" or path[1] == "canceled"
        else None,
        shipping_recipient=address["recipient"],
        shipping_phone=address["phone"],
        shipping_address_line1=address["address_line1"],
        shipping_address_line2=address["address_line2"],
        shipping_city=address["city"],
        shipping_region=address["region"],
        shipping_postal_code=address["postal_code"],
        shipping_country="US",
        billing_recipient=address["recipient"],
        billing_phone=address["phone"],
        billing_address_line1=address["address_line1"],
        billing_city=address["city"],
        billing_region=address["region"],
        billing_postal_code=address["postal_code"],
        billing_country="US",
    )
    ops = world.refs["staff"]["ops@demo.mall"]
    for step, at in zip(path, step_times, strict=True):
        world.add(
            "shopping_mall_order_status_history",
            at=at,
            shopping_mall_order_id=order_id,
            triggered_by_user_id=ops if step in ("on_hold", "under_review") else None,
            status=step,
            business_status=order["business_status"] if step == status else None,
            reason={"on_hold": "payment risk score above limit", "canceled": "order canceled"}.get(
                step
            ),
            recorded_at=at,
        )
        if step in ("on_hold", "under_review"):
            audit(
                world,
                actor=ops,
                table="shopping_mall_orders",
                entity_id=order_id,
                action=f"order.{step}",
                at=at,
                before={"status": "pending_confirmation"},
                after={"status": step},
                reason="payment risk score above limit",
            )

    _promotions(world, promo, order, items, customer)
    _inventory(world, order, path, items, step_times, cancel_kind)
    shipments = _shipments(world, order, seller_orders, path, step_times, quiet=quiet)
    ctx = {
        "world": world,
        "order": order,
        "customer": customer,
        "items": items,
        "seller_orders": seller_orders,
        "shipments": shipments,
        "path": path,
        "times": step_times,
        "big": big,
        "cancel_kind": cancel_kind,
    }
    _payment(world, ctx)


def _totals(sums: list[Decimal]) -> dict:
    """The total columns of an order or seller order from [subtotal, discount, tax, grand]."""
    return {
        "currency": "USD",
        "subtotal": sums[0],
        "discount_total": sums[1],
        "shipping_total": ZERO,
        "tax_total": sums[2],
        "duty_total": ZERO,
        "grand_total": sums[3],
    }


def _seller_order_status(status: str, k: int) -> str:
    if status == "partially_shipped":
        return "shipped" if k == 0 else "confirmed"
    if status == "partially_delivered":
        return "delivered" if k == 0 else "shipped"
    return status


def _promotions(world, promo, order, items, customer) -> None:
    if promo is None:
        return
    promotion_id, _, coupon_id = promo
    for item in items:
        world.add(
            "shopping_mall_promotion_applications",
            at=order["placed_at"],
            shopping_mall_promotion_id=promotion_id,
            shopping_mall_coupon_id=coupon_id,
            shopping_mall_order_id=order["id"],
            shopping_mall_order_item_id=item["id"],
            shopping_mall_seller_id=item["_sku"][2],
            applied_at=order["placed_at"],
            scope="item",
            amount_applied=item["line_discount_total"],
            currency="USD",
            reversed_at=order["updated_at"] if order["status"] == "canceled" else None,
            idempotency_key=f"promo:{order['id']}:{item['line_position']}",
        )
    if coupon_id:
        world.add(
            "shopping_mall_coupon_redemptions",
            at=order["placed_at"],
            shopping_mall_coupon_id=coupon_id,
            shopping_mall_customer_id=customer["role_id"],
            shopping_mall_order_id=order["id"],
            redeemed_at=order["placed_at"],
            amount_applied=order["discount_total"],
            currency="USD",
            status="revoked" if order["status"] == "canceled" else "applied",
            revoked_at=order["updated_at"] if order["status"] == "canceled" else None,
            reason="order canceled" if order["status"] == "canceled" else None,
        )


def _inventory(world, order, path, items, times, cancel_kind) -> None:
    """Reservations at checkout; allocations once the order is confirmed."""
    placed = order["placed_at"]
    confirmed_at = times[path.index("confirmed")] if "confirmed" in path else None
    if order["status"] == "pending_payment":
        reservation_status = "active"
    elif path[1] == "canceled":
        # Unpaid in time: the hold ran out; card declined: released at once.
        reservation_status = "expired" if cancel_kind == "payment_expired" else "released"
    else:
        reservation_status = "consumed"
    for item in items:
        sku = item["_sku"]
        if reservation_status != "consumed" or world.chance(0.3):
            world.add(
                "shopping_mall_inventory_reservations",
                at=placed,
                shopping_mall_sku_id=sku[0],
                shopping_mall_inventory_location_id=sku[4],
                shopping_mall_order_id=order["id"],
                shopping_mall_user_id=order["shopping_mall_user_id"],
                reservation_token=f"rsv_{world.uid()}",
                quantity=item["quantity"],
                status=reservation_status,
                reserved_at=placed,
                reservation_expires_at=placed + timedelta(minutes=PENDING_PAYMENT_MINUTES),
                released_at=order["updated_at"] if reservation_status == "released" else None,
            )
        if confirmed_at is not None:
            allocation = world.add(
                "shopping_mall_inventory_allocations",
                at=confirmed_at,
                shopping_mall_sku_id=sku[0],
                shopping_mall_inventory_location_id=sku[4],
                shopping_mall_order_item_id=item["id"],
                allocation_reference=f"ALC-{order['order_number']}-{item['line_position']}",
                quantity=item["quantity"],
                allocated_at=confirmed_at,
            )
            world.add(
                "shopping_mall_order_item_allocations",
                at=confirmed_at,
                shopping_mall_order_item_id=item["id"],
                shopping_mall_inventory_allocation_id=allocation["id"],
                quantity=item["quantity"],
            )


def _shipments(world, order, seller_orders, path, times, *, quiet=False) -> list[dict]:
    """One shipment per seller order that left (or is about to leave) the warehouse; a
    ``quiet`` order's are in transit with no carrier event for days."""
    shipments = []
    confirmed_at = times[path.index("confirmed")] if "confirmed" in path else None
    if confirmed_at is None or path[-1] == "canceled":
        return shipments
    for seller_order in seller_orders:
        status = seller_order["status"]
        if status == "confirmed":
            if order["status"] != "confirmed" or not world.due("ready_to_ship", 2, 0.4):
                continue
            shipment_status = "ready_to_ship"
        elif status == "shipped" and quiet:
            shipment_status = "in_transit"
        elif status == "shipped":
            n = world.serial("shipment_shipped")
            shipment_status = world.state(n, tuple(SHIPPED_STATES), SHIPPED_STATES)
        elif status == "refunded":
            n = world.serial("shipment_refunded")
            shipment_status = world.state(n, tuple(REFUNDED_STATES), REFUNDED_STATES)
            # a parcel sent back weeks ago has reached the seller by now (the first one of
            # the world is kept on its way, so each state is seen)
            if (
                shipment_status == "return_to_sender"
                and n >= len(REFUNDED_STATES)
                and confirmed_at < world.ago(days=RETURN_TO_SENDER_DAYS)
            ):
                shipment_status = "returned"
        else:
            shipment_status = "delivered"
        shipments.append(
            _shipment(world, order, seller_order, shipment_status, confirmed_at, quiet=quiet)
        )
    return shipments


def _carrier_for(world, label_at) -> dict:
    """A carrier of today, or for every fourth older shipment the one retired since."""
    carrier = world.pick(world.refs["carriers"])
    retired, retired_at = world.refs["retired_carrier"]
    if label_at < retired_at and world.serial("retired_carrier") % 4 == 0:
        return retired
    return carrier


def _shipment(world, order, seller_order, status, confirmed_at, *, quiet=False) -> dict:
    label_at = world.after(confirmed_at, hours=20)
    carrier = _carrier_for(world, label_at)
    tracking = f"{carrier['code'].upper()}{world.rng.getrandbits(48):014d}"
    picked = None if status == "ready_to_ship" else world.after(label_at, hours=30)
    delivered = world.after(picked, days=4) if status in ("delivered", "returned") else None
    shipment = world.add(
        "shopping_mall_shipments",
        at=label_at,
        updated_at=delivered or picked or label_at,
        shopping_mall_order_id=order["id"],
        shopping_mall_store_id=seller_order["store_id"],
        shopping_mall_carrier_id=carrier["id"],
        shipment_number=world.number("SHP", label_at),
        tracking_number=tracking,
        tracking_url=carriers.tracking_link(carrier["tracking_url_template"], tracking),
        status=status,
        **_ship_from(world.refs["ship_from"][seller_order["store_id"]]),
        ship_to_name=order["shipping_recipient"],
        ship_to_phone=order["shipping_phone"],
        ship_to_address_line1=order["shipping_address_line1"],
        ship_to_city=order["shipping_city"],
        ship_to_region=order["shipping_region"],
        ship_to_postal_code=order["shipping_postal_code"],
        ship_to_country="US",
        label_created_at=label_at,
        picked_up_at=picked,
        delivered_at=delivered,
        expected_delivery_start=(picked or label_at) + timedelta(days=2),
        expected_delivery_end=(picked or label_at) + timedelta(days=5),
        package_count=1,
    )
    for item in seller_order["items"]:
        world.add(
            "shopping_mall_shipment_items",
            at=label_at,
            shopping_mall_shipment_id=shipment["id"],
            shopping_mall_order_item_id=item["id"],
            quantity=item["quantity"],
        )
    shipment["updated_at"] = _carrier_events(world, shipment, status, quiet=quiet)
    return shipment


def _ship_from(address: tuple) -> dict:
    name, line1, city, region, postal = address
    return {
        "ship_from_name": name,
        "ship_from_address_line1": line1,
        "ship_from_city": city,
        "ship_from_region": region,
        "ship_from_postal_code": postal,
        "ship_from_country": "US",
    }


# The carrier events after pick-up of a shipment in each state: a walk of the shipment machine.
CARRIER_TAILS = {
    "ready_to_ship": (),
    "in_transit": ("in_transit",),
    "out_for_delivery": ("in_transit", "out_for_delivery"),
    "delivery_attempted": ("in_transit", "out_for_delivery", "delivery_attempted"),
    "exception": ("in_transit", "exception"),
    "delivered": ("in_transit", "out_for_delivery", "delivered"),
    "return_to_sender": (
        "in_transit",
        "out_for_delivery",
        "delivery_attempted",
        "return_to_sender",
    ),
    "returned": (
        "in_transit",
        "out_for_delivery",
        "delivery_attempted",
        "return_to_sender",
        "returned",
    ),
}
EXCEPTIONS = ("address_not_found", "damaged_in_transit", "weather_delay", "customs_hold")


def _carrier_events(world, shipment, status, *, quiet=False):
    """The shipment's carrier events, a walk of the machine to ``status``; the last one's
    moment. A parcel on its way has news from the last day and a half, unless it is ``quiet``
    (nothing for more than the stale days) or, now and then, quiet by chance."""
    events = [("label_created", shipment["label_created_at"])]
    if shipment["picked_up_at"]:
        picked = shipment["picked_up_at"]
        events.append(("picked_up", picked))
        start, end = picked, shipment["delivered_at"] or world.now
        tail = CARRIER_TAILS[status]
        if status in states.SHIPMENT_MOVING_STATES:
            silent = world.now - timedelta(days=states.DEFAULT_SHIPMENT_STALE_EVENT_DAYS + 1)
            if picked < silent - timedelta(hours=1) and (quiet or world.chance(0.1)):
                end = world.between(picked + timedelta(minutes=len(tail) + 1), silent)
            else:
                start = max(picked, world.now - timedelta(hours=36))
        times = world.moments(start, end, len(tail))
        if shipment["delivered_at"] and tail and tail[-1] in ("delivered", "returned"):
            times[-1] = shipment["delivered_at"]
        events.extend(zip(tail, times, strict=True))
    for n, (event, at) in enumerate(events):
        world.add(
            "shopping_mall_shipment_events",
            at=at,
            shopping_mall_shipment_id=shipment["id"],
            canonical_event=event,
            event_at=at,
            location_description=shipment["ship_to_city"] if event != "label_created" else None,
            raw_event_code=world.pick(EXCEPTIONS) if event == "exception" else event.upper(),
            raw_event_source="carrier_webhook",
            customer_visible=event != "exception",
            correlation_id=f"{shipment['tracking_number']}-{n}",
        )
    return max(at for _, at in events)


def _payment(world: World, ctx: dict) -> None:
    """Payment, authorization, capture, events; then after-sales that may refund."""
    order, path, times = ctx["order"], ctx["path"], ctx["times"]
    status = order["status"]
    amount = order["grand_total"]
    payment_id = world.uid()
    placed = order["placed_at"]
    failed = ctx["cancel_kind"] == "payment_failed"
    if status == "pending_payment":
        payment_status = "pending"
    elif status == "canceled":
        payment_status = "failed" if failed else "canceled"
    elif status in AUTHORIZED:
        payment_status = "authorized"
    else:
        payment_status = "captured"
    payment = world.add(
        "shopping_mall_payments",
        id=payment_id,
        at=placed,
        updated_at=times[-1],
        shopping_mall_order_id=order["id"],
        shopping_mall_user_id=order["shopping_mall_user_id"],
        shopping_mall_payment_method_id=ctx["customer"]["method_id"],
        provider="stripe",
        method_type="card",
        amount=amount,
        currency="USD",
        status=payment_status,
        intent="authorize_then_capture",
        idempotency_key=f"pay:{order['order_number']}",
        provider_payment_id=f"pi_{world.rng.getrandbits(96):024x}",
        client_reference_id=order["order_number"],
        requires_action=False,
        failure_category="card_declined" if failed else None,
    )
    events = [("payment.created", placed, {})]
    authorization = None
    if payment_status != "pending" and not (
        status == "canceled" and path[1] == "canceled" and not failed
    ):
        auth_at = placed + timedelta(seconds=world.rng.randint(2, 40))
        authorization = world.add(
            "shopping_mall_payment_authorizations",
            at=auth_at,
            shopping_mall_payment_id=payment_id,
            amount=amount,
            currency="USD",
            status="failed" if failed else ("voided" if status == "canceled" else "authorized"),
            provider_reference=f"auth_{world.rng.getrandbits(80):020x}",
            idempotency_key=f"auth:{order['order_number']}",
            authorized_at=None if failed else auth_at,
            expires_at=auth_at + timedelta(days=7),
            failure_category="card_declined" if failed else None,
            step_up_required=False,
        )
        kind = "authorization.failed" if failed else "authorization.succeeded"
        events.append(
            (kind, auth_at, {"shopping_mall_payment_authorization_id": authorization["id"]})
        )
        if status == "canceled" and not failed:
            events.append(
                (
                    "authorization.voided",
                    times[-1],
                    {"shopping_mall_payment_authorization_id": authorization["id"]},
                )
            )
    elif status == "canceled":
        events.append(("payment.expired", placed + timedelta(minutes=PENDING_PAYMENT_MINUTES), {}))
    capture = None
    if status in CAPTURED:
        first = min(ctx["shipments"], key=lambda s: s["picked_up_at"] or s["label_created_at"])
        capture_at = first["picked_up_at"] or first["label_created_at"]
        capture = world.add(
            "shopping_mall_payment_captures",
            at=capture_at,
            shopping_mall_payment_id=payment_id,
            shopping_mall_shipment_id=first["id"],
            amount=amount,
            currency="USD",
            status="succeeded",
            provider_reference=f"cap_{world.rng.getrandbits(80):020x}",
            idempotency_key=f"cap:{order['order_number']}",
            captured_at=capture_at,
        )
        events.append(
            ("capture.succeeded", capture_at, {"shopping_mall_payment_capture_id": capture["id"]})
        )
        _sale_ledger(world, ctx, capture)
        day_totals = world.refs["daily_sales"]
        for item in ctx["items"]:
            day_totals[(item["_sku"][1], placed.date())] += item["quantity"]
    ctx["payment"] = payment
    ctx["capture"] = capture
    refunds = aftersales.build_for_order(world, ctx)
    refunded = sum((r["amount"] for r in refunds), ZERO)
    for refund in refunds:
        events.append(
            (
                "refund.succeeded",
                refund["refunded_at"],
                {"shopping_mall_payment_refund_id": refund["id"]},
            )
        )
    if refunded:
        payment["status"] = "refunded" if refunded == amount else "partially_refunded"
        payment["updated_at"] = max(r["refunded_at"] for r in refunds)
    for kind, at, links in sorted(events, key=lambda e: e[1]):
        world.add(
            "shopping_mall_payment_events",
            at=at,
            shopping_mall_payment_id=payment_id,
            type=kind,
            provider_event_id=f"evt_{world.rng.getrandbits(96):024x}",
            raw_type=kind,
            status="processed",
            occurred_at=at,
            processed=True,
            **links,
        )
    if status in DELIVERED:
        reviews.build_for_order(world, ctx)
    if world.chance(0.05) or (status in ("shipped", "on_hold") and world.chance(0.15)):
        support.case_for_order(world, ctx)


def _sale_ledger(world: World, ctx: dict, capture: dict) -> None:
    """Per seller order: the sale (credit) and the commission fee (debit) at capture time."""
    events = world.refs["ledger_events"]
    at = capture["captured_at"]
    for seller_order in ctx["seller_orders"]:
        gross = seller_order["sums"][3]
        fee = money((seller_order["sums"][0] - seller_order["sums"][1]) * Decimal("0.10"))
        events.append(
            (
                seller_order["seller_id"],
                at,
                "sale",
                gross,
                ctx["order"]["id"],
                capture["id"],
                None,
                ctx["order"]["order_number"],
            )
        )
        events.append(
            (
                seller_order["seller_id"],
                at,
                "fee",
                -fee,
                ctx["order"]["id"],
                capture["id"],
                None,
                ctx["order"]["order_number"],
            )
        )
        world.add(
            "shopping_mall_fees",
            at=at,
            shopping_mall_seller_id=seller_order["seller_id"],
            shopping_mall_order_id=ctx["order"]["id"],
            shopping_mall_payment_capture_id=capture["id"],
            fee_type="commission",
            basis="item_net",
            rate_percent=Decimal("10"),
            amount=fee,
            currency="USD",
            description=f"10% commission on {ctx['order']['order_number']}",
            assessed_at=at,
        )
    if world.ago(days=120) < at < world.ago(days=5) and world.due("chargeable", 8, 0.02):
        world.refs["chargeable"].append(
            (
                ctx["seller_orders"][0]["seller_id"],
                ctx["order"]["id"],
                capture["id"],
                capture["amount"],
                at,
            )
        )
