"""Stock adjustments: the one way on-hand stock changes by hand, by a count or by a return.

``adjust(session, target, delta, reason, note, actor=…)`` changes one inventory record (a SKU
at a location) by ``delta`` units. Rules, all enforced here:

* ``target`` is an inventory record's id, or a ``(sku id, location id)`` pair; a pair that has
  no record yet gets one when stock is added (the SKU's first units at that location, which
  must be an active location of the SKU's own store); taking stock from nowhere is refused;
* the record's row is locked first (``versions.lock``: ``SELECT … FOR UPDATE`` on PostgreSQL;
  SQLite serializes writers), so two adjustments at once apply one after the other, each to
  the stock the other left;
* ``delta`` is a whole number of units other than zero; ``reason`` is one of
  ``states.INVENTORY_ADJUSTMENT_REASONS``: ``receive`` and ``return`` only add stock, ``damage``
  only takes it away, ``correction`` and ``cycle_count`` go either way;
* on hand never goes below zero (422, saying how many there are);
* a screen may pass the record's ``expected_version`` (the one its person saw): a newer one
  refuses the adjustment with what changed since (409);
* a ``reference`` names where the adjustment comes from and is unique (a return's restock
  names its RMA and line, so one line is never restocked twice);
* the adjustment row, the record's new on-hand and version and one audit event (before and
  after) are written in the caller's transaction: nothing is committed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.models import (
    InventoryAdjustment,
    InventoryLocation,
    InventoryRecord,
    Product,
    Sku,
    new_id,
    utcnow,
)
from mallconsole.services.kit import audit, versions

TABLE = InventoryRecord.__tablename__
ACTION = "inventory.adjusted"
REASONS = states.INVENTORY_ADJUSTMENT_REASONS
NOTE_MAX = 1000
REFERENCE_MAX = 120
# No single adjustment moves more than this many units (a typo, not a delivery).
MAX_DELTA = 1_000_000
# The record's fields (and an adjustment's) in words, for a stale edit's "what changed".
LABELS = {
    "on_hand": "On hand",
    "non_sellable": "Not sellable",
    "safety_stock_threshold": "Safety stock",
    "delta": "Units added or taken",
    "reason_category": "Reason",
    "reference": "Reference",
}
REASON_LABELS = {
    "receive": "Received",
    "correction": "Correction",
    "damage": "Damage",
    "return": "Customer return",
    "cycle_count": "Cycle count",
}


def reason_label(reason: str) -> str:
    """A reason in words ("cycle_count" -> "Cycle count")."""
    return REASON_LABELS.get(reason) or reason.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Adjusted:
    """What ``adjust`` did: the adjustment row, the record as it is now, and a sentence."""

    adjustment: InventoryAdjustment
    record: InventoryRecord
    before: int
    message: str


def _units(count: int) -> str:
    return f"{count} unit{'' if abs(count) == 1 else 's'}"


def _check(delta, reason, note, reference) -> tuple[int, str | None]:
    """The delta as an int and the note cleaned; 422 with field errors otherwise."""
    errors: dict[str, list[str]] = {}
    if isinstance(delta, bool) or not isinstance(delta, int):
        text = str(delta or "").strip()
        sign = text[1:] if text[:1] in "+-" else text
        delta = int(text) if sign.isdigit() else None
    if delta is None or delta == 0:
        errors["delta"] = ["Enter a whole number of units other than zero, like 5 or -2."]
    elif abs(delta) > MAX_DELTA:
        errors["delta"] = [f"Adjust at most {MAX_DELTA:,} units at once."]
    if reason not in REASONS:
        errors["reason"] = ["Choose a reason from the list."]
    elif delta and reason in states.ADJUSTMENT_ADDS and delta < 0:
        errors["delta"] = [f"{reason_label(reason)} adds stock: enter a positive number."]
    elif delta and reason in states.ADJUSTMENT_REMOVES and delta > 0:
        errors["delta"] = [f"{reason_label(reason)} takes stock away: enter a negative number."]
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = [f"Keep the note under {NOTE_MAX} characters."]
    if reference is not None and not 0 < len(reference) <= REFERENCE_MAX:
        errors["reference"] = [f"A reference has 1 to {REFERENCE_MAX} characters."]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], field_errors=errors)
    return delta, note


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _new_record(session, sku_id: str, location_id: str) -> None:
    """A record of no stock for the SKU at the location (kept if another appeared meanwhile:
    the unique pair decides, and the caller then locks whichever row is there)."""
    sku = session.get(Sku, sku_id)
    location = session.get(InventoryLocation, location_id)
    if sku is None or sku.deleted_at is not None:
        raise NotFound("That SKU does not exist (any more).")
    if location is None or location.deleted_at is not None:
        raise NotFound("That stock location does not exist (any more).")
    store_id = session.scalar(
        select(Product.shopping_mall_store_id).where(Product.id == sku.shopping_mall_product_id)
    )
    if location.shopping_mall_store_id != store_id:
        message = f"{location.name} holds another store's stock: choose one of the SKU's store."
        raise ValidationError(message, field_errors={"location": [message]})
    if not location.active:
        message = f"{location.name} is not in use: choose an active location."
        raise ValidationError(message, field_errors={"location": [message]})
    now = utcnow()
    statement = _insert(session)(InventoryRecord).values(
        id=new_id(), shopping_mall_sku_id=sku_id, shopping_mall_inventory_location_id=location_id,
        on_hand=0, non_sellable=0, safety_stock_threshold=0, created_at=now, updated_at=now,
        version=1,
    )  # fmt: skip
    session.execute(
        statement.on_conflict_do_nothing(
            index_elements=["shopping_mall_sku_id", "shopping_mall_inventory_location_id"]
        )
    )


def _record_id(session, target, delta: int) -> str:
    """The id of the record ``target`` names, made first for stock added where none was."""
    if isinstance(target, str):
        return target
    try:
        sku_id, location_id = target
    except (TypeError, ValueError):
        raise NotFound("That stock record does not exist.") from None
    found = session.scalar(
        select(InventoryRecord.id).where(
            InventoryRecord.shopping_mall_sku_id == sku_id,
            InventoryRecord.shopping_mall_inventory_location_id == location_id,
        )
    )
    if found is None:
        if delta < 0:
            raise ValidationError(
                "There is no stock of this SKU at that location to take away.",
                field_errors={"delta": ["Nothing is on hand there: there is nothing to take."]},
            )
        _new_record(session, sku_id, location_id)
        found = session.scalar(
            select(InventoryRecord.id).where(
                InventoryRecord.shopping_mall_sku_id == sku_id,
                InventoryRecord.shopping_mall_inventory_location_id == location_id,
            )
        )
    return found


def _names(session, record: InventoryRecord) -> tuple[str, str]:
    sku = session.get(Sku, record.shopping_mall_sku_id)
    location = session.get(InventoryLocation, record.shopping_mall_inventory_location_id)
    return (sku.sku_code if sku else "the SKU"), (location.name if location else "its location")


def adjust(
    session,
    target,
    delta,
    reason: str,
    note: str | None = None,
    *,
    actor,
    reference: str | None = None,
    expected_version: int | None = None,
) -> Adjusted:
    """Change the stock of one record by ``delta`` units for ``reason`` (see the module)."""
    delta, note = _check(delta, reason, note, reference)
    if reference is not None and session.scalar(
        select(InventoryAdjustment.id).where(InventoryAdjustment.adjustment_reference == reference)
    ):
        raise Conflict(f"Stock was already adjusted for {reference}: it is not adjusted twice.")
    record = versions.lock(session, InventoryRecord, _record_id(session, target, delta),
                           what="stock record")  # fmt: skip
    if expected_version is not None:
        versions.check_version(session, record, expected_version, entity_table=TABLE,
                               labels=LABELS)  # fmt: skip
    sku_code, place = _names(session, record)
    before = record.on_hand
    if before + delta < 0:
        message = (
            f"Only {_units(before)} of {sku_code} on hand at {place}: taking {_units(-delta)} "
            "would leave it below zero."
        )
        raise ValidationError(message, field_errors={"delta": [message]})
    now = utcnow()
    adjustment = InventoryAdjustment(
        shopping_mall_sku_id=record.shopping_mall_sku_id,
        shopping_mall_inventory_location_id=record.shopping_mall_inventory_location_id,
        adjusted_by_user_id=actor.id if actor is not None else None,
        adjustment_reference=reference,
        delta=delta,
        reason_category=reason,
        reason_note=note,
        adjusted_at=now,
    )
    session.add(adjustment)
    record.on_hand = before + delta
    record.version += 1
    record.updated_at = now
    words = (
        f"{reason_label(reason)}: {delta:+d} of {sku_code} at {place} ({before} → {before + delta})"
    )
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=record.id,
        action=ACTION,
        summary=words,
        reason=note,
        before={"on_hand": before, "version": record.version - 1},
        after={
            "on_hand": record.on_hand,
            "delta": delta,
            "reason_category": reason,
            **({"reference": reference} if reference else {}),
            "version": record.version,
        },
    )
    session.flush()
    return Adjusted(adjustment, record, before, f"{words}.")
