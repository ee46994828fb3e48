"""Two operations managers on one return at once, and adjustments of one stock record at once,
on PostgreSQL with real parallel connections: the row locks make them take turns, so one
close wins (one refund request, one restock) and stock never goes below zero."""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import Conflict, ValidationError
from mallconsole.extensions import db
from mallconsole.models import (
    InventoryAdjustment,
    InventoryRecord,
    RefundRequest,
    ReturnRequest,
)
from mallconsole.services.inventory import adjustments
from mallconsole.services.orders import returns
from tests.factories import returns as rf
from tests.factories.actors import make_staff
from tests.factories.records import build
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]


@pytest.fixture
def managers(race_app):
    with race_app.app_context(), Session(db.engine) as session:
        suffix = time.monotonic_ns()
        people = [
            make_staff(session, f"ops{n}-{suffix}@races.test", ("operations_manager",))
            for n in range(4)
        ]
        session.commit()
        return [SimpleNamespace(id=p.id) for p in people]


def received_return(app, *, inspected=True):
    """A received return of two units, inspected (passed) when ``inspected``, with a stock
    location of its store; committed. (return id, version, location id, sku id)"""
    with app.app_context(), Session(db.engine) as session:
        agent, manager = rf.staff(session)
        rma, _, items, _, _ = rf.make_return(session, agent, manager, state="received")
        if inspected:
            rf.inspect(session, rma, items[0], manager, amount="40.00")
        desk = rf.location(session, items[0], name="Returns desk")
        session.commit()
        return rma.id, rma.version, desk.id, items[0].shopping_mall_sku_id


def close(app, return_id, version, location_id, manager):
    with app.app_context(), Session(db.engine) as session:
        done = returns.close(session, return_id, locations=[location_id], actor=manager,
                             expected_version=version)  # fmt: skip
        session.commit()
        return done.refund.refund_request_number


def outcome(app, return_id, sku_id):
    with app.app_context(), Session(db.engine) as session:
        status = session.get(ReturnRequest, return_id).status
        refunds = session.scalar(
            select(func.count()).where(RefundRequest.shopping_mall_return_request_id == return_id)
        )
        restocked = session.scalar(
            select(func.coalesce(func.sum(InventoryAdjustment.delta), 0)).where(
                InventoryAdjustment.shopping_mall_sku_id == sku_id,
                InventoryAdjustment.reason_category == "return",
            )
        )
        on_hand = session.scalar(
            select(func.coalesce(func.sum(InventoryRecord.on_hand), 0)).where(
                InventoryRecord.shopping_mall_sku_id == sku_id
            )
        )
        return status, refunds, restocked, on_hand


def test_two_managers_closing_one_return_raise_one_refund_and_restock_once(race_app, managers):
    for _ in range(3):
        return_id, version, desk, sku = received_return(race_app)
        results = in_threads(
            2, lambda i, r=return_id, v=version, d=desk: close(race_app, r, v, d, managers[i])
        )
        won = [r for r in results if isinstance(r, str)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(refused) == 1, results
        assert "it is closed now" in refused[0].message or "already" in refused[0].message
        assert outcome(race_app, return_id, sku) == ("closed", 1, 2, 2)


def test_closing_while_another_manager_inspects_lets_one_of_them_through(race_app, managers):
    return_id, version, desk, sku = received_return(race_app)

    def work(i):
        with race_app.app_context(), Session(db.engine) as session:
            if i == 0:
                done = returns.close(session, return_id, locations=[desk], actor=managers[0],
                                     expected_version=version)  # fmt: skip
            else:
                line = returns.load(session, return_id).lines[0]
                done = returns.inspect(session, return_id, line.item.id, condition="opened",
                                       outcome="passed", note=None, refundable="20.00",
                                       actor=managers[1], expected_version=version)  # fmt: skip
            session.commit()
            return done.message

    results = in_threads(2, work)
    assert sum(isinstance(r, str) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    status, refunds, restocked, _ = outcome(race_app, return_id, sku)
    with race_app.app_context(), Session(db.engine) as session:
        line = returns.load(session, return_id).lines[0]
        if status == "closed":  # the close went first: the inspection it closed on stands
            assert line.item.refundable_amount == Decimal("40.00") and refunds == 1
            assert restocked == 2
        else:  # the inspection went first: the close saw an old version
            assert line.item.refundable_amount == Decimal("20.00") and refunds == 0
            assert restocked == 0


def test_many_adjustments_at_once_never_take_stock_below_zero(race_app, managers):
    with race_app.app_context(), Session(db.engine) as session:
        record = build(session, InventoryRecord, on_hand=5, non_sellable=0,
                       safety_stock_threshold=1)  # fmt: skip
        session.commit()
        record_id = record.id

    def take(i):
        with race_app.app_context(), Session(db.engine) as session:
            done = adjustments.adjust(session, record_id, -2, "damage", actor=managers[i])
            session.commit()
            return done.record.on_hand

    results = in_threads(4, take)
    assert sorted(r for r in results if isinstance(r, int)) == [1, 3], results
    assert sum(isinstance(r, ValidationError) for r in results) == 2, results
    with race_app.app_context(), Session(db.engine) as session:
        assert session.get(InventoryRecord, record_id).on_hand == 1
        assert (
            session.scalar(
                select(func.count()).where(
                    InventoryAdjustment.shopping_mall_sku_id
                    == session.get(InventoryRecord, record_id).shopping_mall_sku_id
                )
            )
            == 2
        )


def test_first_units_at_a_location_from_two_returns_at_once_share_one_record(race_app, managers):
    with race_app.app_context(), Session(db.engine) as session:
        record = build(session, InventoryRecord, on_hand=0, non_sellable=0,
                       safety_stock_threshold=0)  # fmt: skip
        sku_id = record.shopping_mall_sku_id
        store_id = rf.store_of(session, SimpleNamespace(shopping_mall_sku_id=sku_id))
        desk = build(session, "shopping_mall_inventory_locations", shopping_mall_store_id=store_id,
                     name="Returns desk", active=True)  # fmt: skip
        session.commit()
        desk_id = desk.id

    def put_back(i):
        with race_app.app_context(), Session(db.engine) as session:
            done = adjustments.adjust(
                session, (sku_id, desk_id), 1 + i, "return", actor=managers[i],
                reference=f"RACE-{desk_id}/{i}",
            )  # fmt: skip
            session.commit()
            return done.record.id

    results = in_threads(2, put_back)
    assert all(isinstance(r, str) for r in results) and results[0] == results[1], results
    with race_app.app_context(), Session(db.engine) as session:
        assert session.get(InventoryRecord, results[0]).on_hand == 3
