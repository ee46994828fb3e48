"""Stock adjustments: one locked record, on hand never below zero, the reasons' directions,
the adjustment row, the record and one audit event together; a first stock where none was."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.models import (
    AuditEvent,
    InventoryAdjustment,
    InventoryLocation,
    InventoryRecord,
    Product,
    Sku,
)
from mallconsole.services.inventory import adjustments
from mallconsole.services.kit.versions import StaleRecord
from tests.factories.actors import make_staff
from tests.factories.records import build


@pytest.fixture
def manager(session):
    return make_staff(session, "stock-keeper@test.mall", ["operations_manager"])


def stocked(session, on_hand=10, **values):
    """A SKU at a location of its own store with ``on_hand`` units."""
    product = build(session, Product)
    sku = build(session, Sku, shopping_mall_product_id=product.id, sku_code=f"SKU-{product.id[:6]}")
    store_id = product.shopping_mall_store_id
    location = build(session, InventoryLocation, shopping_mall_store_id=store_id,
                     name="Austin warehouse", active=True)  # fmt: skip
    record = build(session, InventoryRecord, shopping_mall_sku_id=sku.id,
                   shopping_mall_inventory_location_id=location.id, on_hand=on_hand,
                   non_sellable=0, safety_stock_threshold=2, **values)  # fmt: skip
    return record


def events(session, record_id):
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_table == adjustments.TABLE, AuditEvent.entity_id == record_id
        )
    ).all()


def test_an_adjustment_changes_on_hand_writes_its_row_and_one_audit_event(session, manager):
    record = stocked(session, on_hand=10)
    done = adjustments.adjust(session, record.id, -3, "damage", "Dropped pallet", actor=manager)
    assert done.record.on_hand == 7 and done.before == 10
    assert done.record.version == 2
    row = session.scalars(
        select(InventoryAdjustment).where(
            InventoryAdjustment.shopping_mall_sku_id == record.shopping_mall_sku_id
        )
    ).one()
    assert (row.delta, row.reason_category, row.reason_note) == (-3, "damage", "Dropped pallet")
    assert row.adjusted_by_user_id == manager.id
    assert row.shopping_mall_inventory_location_id == record.shopping_mall_inventory_location_id
    (event,) = events(session, record.id)
    assert event.action == "inventory.adjusted"
    assert event.changes["before"] == {"on_hand": 10, "version": 1}
    assert event.changes["after"]["on_hand"] == 7 and event.changes["after"]["delta"] == -3
    assert event.reason == "Dropped pallet"
    assert "Damage: -3 of SKU-" in done.message and "Austin warehouse (10 → 7)" in done.message


def test_on_hand_never_goes_below_zero(session, manager):
    record = stocked(session, on_hand=2)
    with pytest.raises(ValidationError) as refused:
        adjustments.adjust(session, record.id, -3, "correction", actor=manager)
    assert "Only 2 units of SKU-" in refused.value.message
    assert "taking 3 units would leave it below zero" in refused.value.field_errors["delta"][0]
    assert record.on_hand == 2 and events(session, record.id) == []
    done = adjustments.adjust(session, record.id, -2, "correction", actor=manager)
    assert done.record.on_hand == 0  # down to zero is fine


@pytest.mark.parametrize(
    ("delta", "reason", "field", "words"),
    [
        (0, "correction", "delta", "other than zero"),
        ("two", "correction", "delta", "whole number"),
        ("1.5", "correction", "delta", "whole number"),
        (True, "correction", "delta", "whole number"),
        (2_000_000, "correction", "delta", "at most 1,000,000"),
        (1, "restock", "reason", "Choose a reason"),
        (1, "damaged", "reason", "Choose a reason"),
        (-1, "receive", "delta", "Received adds stock"),
        (-1, "return", "delta", "Customer return adds stock"),
        (1, "damage", "delta", "Damage takes stock away"),
    ],
)
def test_bad_input_is_refused_with_field_errors(session, manager, delta, reason, field, words):
    record = stocked(session)
    with pytest.raises(ValidationError) as refused:
        adjustments.adjust(session, record.id, delta, reason, actor=manager)
    assert words in refused.value.field_errors[field][0]
    assert record.on_hand == 10


def test_text_deltas_with_a_sign_are_read(session, manager):
    record = stocked(session, on_hand=4)
    assert (
        adjustments.adjust(session, record.id, "+6", "receive", actor=manager).record.on_hand == 10
    )
    assert (
        adjustments.adjust(session, record.id, "-1", "cycle_count", actor=manager).record.on_hand
        == 9
    )


def test_a_long_note_is_refused(session, manager):
    record = stocked(session)
    with pytest.raises(ValidationError) as refused:
        adjustments.adjust(session, record.id, 1, "receive", "x" * 1001, actor=manager)
    assert "note" in refused.value.field_errors


def test_a_reference_adjusts_once(session, manager):
    record = stocked(session, on_hand=1)
    adjustments.adjust(session, record.id, 1, "return", actor=manager, reference="RMA-1/1")
    with pytest.raises(Conflict, match="already adjusted for RMA-1/1"):
        adjustments.adjust(session, record.id, 1, "return", actor=manager, reference="RMA-1/1")
    assert record.on_hand == 2


def test_a_stale_version_is_refused_with_what_changed(session, manager):
    record = stocked(session, on_hand=5)
    adjustments.adjust(session, record.id, 1, "receive", actor=manager, expected_version=1)
    with pytest.raises(StaleRecord) as stale:
        adjustments.adjust(session, record.id, 1, "receive", actor=manager, expected_version=1)
    assert stale.value.current_version == 2
    changed = [(c.label, c.value) for c in stale.value.changes]
    assert changed == [("On hand", 6), ("Units added or taken", 1), ("Reason", "receive")]


def test_a_sku_and_location_pair_finds_its_record(session, manager):
    record = stocked(session, on_hand=3)
    target = (record.shopping_mall_sku_id, record.shopping_mall_inventory_location_id)
    done = adjustments.adjust(session, target, 2, "receive", actor=manager)
    assert done.record.id == record.id and done.record.on_hand == 5


def test_the_first_units_at_a_location_make_its_record(session, manager):
    record = stocked(session)
    sku = session.get(Sku, record.shopping_mall_sku_id)
    store = session.get(InventoryLocation, record.shopping_mall_inventory_location_id)
    desk = build(session, InventoryLocation, shopping_mall_store_id=store.shopping_mall_store_id,
                 name="Returns desk", code="RET", active=True)  # fmt: skip
    done = adjustments.adjust(session, (sku.id, desk.id), 2, "return", actor=manager)
    assert done.record.id != record.id and done.before == 0 and done.record.on_hand == 2
    assert done.record.shopping_mall_inventory_location_id == desk.id
    with pytest.raises(ValidationError, match="no stock of this SKU"):
        other = build(session, InventoryLocation, name="Empty", code="EMP", active=True,
                      shopping_mall_store_id=store.shopping_mall_store_id)  # fmt: skip
        adjustments.adjust(session, (sku.id, other.id), -1, "correction", actor=manager)


def test_a_new_record_only_at_an_active_location_of_the_skus_store(session, manager):
    record = stocked(session)
    sku_id = record.shopping_mall_sku_id
    foreign = build(session, InventoryLocation, name="Elsewhere", active=True)
    with pytest.raises(ValidationError, match="another store's stock") as refused:
        adjustments.adjust(session, (sku_id, foreign.id), 1, "receive", actor=manager)
    assert "location" in refused.value.field_errors
    store_id = session.get(InventoryLocation, record.shopping_mall_inventory_location_id)
    closed = build(session, InventoryLocation, name="Old depot", active=False,
                   shopping_mall_store_id=store_id.shopping_mall_store_id)  # fmt: skip
    with pytest.raises(ValidationError, match="Old depot is not in use"):
        adjustments.adjust(session, (sku_id, closed.id), 1, "receive", actor=manager)


def test_unknown_records_are_not_found(session, manager):
    with pytest.raises(NotFound):
        adjustments.adjust(session, "no-such-record", 1, "receive", actor=manager)
    with pytest.raises(NotFound):
        adjustments.adjust(session, ("no-sku", "no-location"), 1, "receive", actor=manager)
    with pytest.raises(NotFound):
        adjustments.adjust(session, ("just-one",), 1, "receive", actor=manager)
