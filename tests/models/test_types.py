"""Money is exact, timestamps are aware UTC, foreign keys hold — on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from mallconsole.models import AuditEvent, Order, Policy, PolicyVersion, SellerLedgerEntry
from tests.factories.records import build


def test_timestamps_come_back_aware_utc(session):
    seoul = timezone(timedelta(hours=9))
    placed = datetime(2026, 5, 1, 9, 30, tzinfo=seoul)
    order = build(session, Order, placed_at=placed)
    session.expire_all()
    stored = session.scalar(select(Order.placed_at).where(Order.id == order.id))
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 5, 1, 0, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(session):
    with pytest.raises(StatementError, match="naive datetime"):
        build(session, Order, placed_at=datetime(2026, 5, 1, 9, 30))


def test_money_round_trips_as_decimal_at_four_places(session):
    order = build(session, Order, grand_total=Decimal("1234567.891"), subtotal=Decimal("0.1"))
    session.expire_all()
    row = session.get(Order, order.id)
    assert row.grand_total == Decimal("1234567.8910")
    assert isinstance(row.subtotal, Decimal) and str(row.subtotal) == "0.1000"


def test_float_money_is_refused(session):
    with pytest.raises(StatementError, match="use Decimal"):
        build(session, Order, grand_total=0.1)


@pytest.mark.postgres_only
def test_money_is_exact_on_postgresql(session):
    seller = build(session, "shopping_mall_sellers")
    amounts = [Decimal("0.1000"), Decimal("0.2000"), Decimal("123456789012345.6789")]
    for amount in amounts:
        build(session, SellerLedgerEntry, shopping_mall_seller_id=seller.id, amount=amount)
    total = session.scalar(
        select(func.sum(SellerLedgerEntry.amount)).where(
            SellerLedgerEntry.shopping_mall_seller_id == seller.id
        )
    )
    assert total == Decimal("123456789012345.9789")
    raw = session.execute(
        text("SELECT amount FROM shopping_mall_seller_ledgers WHERE amount > 1000")
    ).scalar_one()
    assert raw == Decimal("123456789012345.6789")


def test_foreign_keys_are_enforced(session):
    with pytest.raises(IntegrityError):
        build(
            session, PolicyVersion, shopping_mall_policy_id="00000000-0000-0000-0000-000000000000"
        )


def test_restricted_delete_of_a_referenced_parent(session):
    version = build(session, PolicyVersion)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text("DELETE FROM shopping_mall_policies WHERE id = :id"),
            {"id": version.shopping_mall_policy_id},
        )
    assert session.get(Policy, version.shopping_mall_policy_id) is not None


def test_audit_events_are_append_only(session):
    event = build(session, AuditEvent, entity_table="shopping_mall_orders", action="order.hold")
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(action="x"))
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(
                text("DELETE FROM shopping_mall_audit_events WHERE id = :id"), {"id": event.id}
            )
    assert (
        session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "order.hold"
    )


def test_values_beyond_a_columns_precision_are_refused_on_both_databases(session):
    with pytest.raises(StatementError, match="does not fit"):
        build(session, "shopping_mall_reviews", rating=Decimal("10.0"))
