"""Carriers and shipments on their way: an order's lines in a shipment of a store, with carrier
events at the moments given."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from mallconsole.models import Carrier, Shipment, ShipmentEvent, ShipmentItem, Store, utcnow
from tests.factories.records import build
from tests.factories.request_orders import make_order

_serial = itertools.count(1)
TEMPLATE = "https://track.example/parcels?number={tracking_number}"


def make_carrier(session, *, name: str | None = None, active: bool = True, **values) -> Carrier:
    """A live carrier (a tracking template with ``{tracking_number}`` unless given)."""
    n = next(_serial)
    tail = uuid.uuid4().hex[:6]
    values.setdefault("tracking_url_template", TEMPLATE)
    return build(
        session, Carrier, code=values.pop("code", f"c{n}-{tail}"),
        name=name or f"Carrier {n} {tail}", active=active, **values,
    )  # fmt: skip


def make_shipment(
    session,
    *,
    status: str = "in_transit",
    events: tuple[tuple[str, timedelta], ...] = (("label_created", timedelta(hours=5)),),
    created_ago: timedelta = timedelta(hours=6),
    carrier: Carrier | None = None,
    no_carrier: bool = False,
    store: Store | None = None,
    now: datetime | None = None,
    **values,
) -> Shipment:
    """A shipment of a new order's lines; ``events``: (canonical event, how long before
    ``now``), each a carrier event."""
    now = now or utcnow()
    order, items, _ = make_order(session, status="shipped", delivered={})
    if carrier is None and not no_carrier:
        carrier = make_carrier(session)
    store = store if store is not None else build(session, Store)
    n = next(_serial)
    shipment = build(
        session,
        Shipment,
        shopping_mall_order_id=order.id,
        shopping_mall_store_id=store.id,
        shopping_mall_carrier_id=carrier.id if carrier else None,
        shipment_number=values.pop(
            "shipment_number", f"SHP-20260101-{n:06d}{uuid.uuid4().int % 1000:03d}"
        ),
        tracking_number=values.pop("tracking_number", f"TRK{n:08d}"),
        status=status,
        package_count=1,
        created_at=now - created_ago,
        updated_at=now - created_ago,
        **values,
    )
    for item in items:
        build(session, ShipmentItem, shopping_mall_shipment_id=shipment.id,
              shopping_mall_order_item_id=item.id, quantity=item.quantity)  # fmt: skip
    for k, (event, ago) in enumerate(events):
        add_event(session, shipment, event, now - ago, code=f"{event.upper()}-{k}")
    return shipment


def add_event(session, shipment, event: str, at: datetime, *, code: str | None = None, **values):
    """One carrier event of ``shipment`` (from the carrier's webhook unless said otherwise)."""
    values.setdefault("raw_event_source", "carrier_webhook")
    values.setdefault("customer_visible", True)
    return build(
        session, ShipmentEvent, shopping_mall_shipment_id=shipment.id, canonical_event=event,
        event_at=at, raw_event_code=code, correlation_id=uuid.uuid4().hex, **values,
    )  # fmt: skip
