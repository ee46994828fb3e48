"""Payout races on PostgreSQL with real parallel connections: many finance managers composing
a payout for one seller at once, composing while entries are posted, and composing while a
failed payout gives its entries back. No ledger entry is ever in two payouts."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mallconsole.core.errors import Conflict
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Configuration, Payout, PayoutItem, SellerLedgerEntry, utcnow
from mallconsole.services.money import ledger, payouts
from tests.factories.actors import make_staff
from tests.factories.ledgers import post, seller_with_account, set_setting
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]

COMPOSERS = 20


@pytest.fixture
def world(race_app):
    """A seller with 30 payable entries and 20 finance managers (committed), as plain ids."""
    suffix = str(time.monotonic_ns())
    with race_app.app_context(), Session(db.engine) as session:
        if not session.scalar(select(func.count()).select_from(Configuration)):
            set_setting(session, "finance.payout.dual_approval_threshold.USD", "1000000")
        seller = seller_with_account(session, name=f"Race Seller {suffix}")
        for n in range(30):
            post(session, seller, "10.00" if n % 3 else "-1.50", "sale" if n % 3 else "fee",
                 days_ago=40 - n)  # fmt: skip
        staff = [
            make_staff(session, f"fin{n}-{suffix}@races.test", (Role.FINANCE_MANAGER,))
            for n in range(COMPOSERS)
        ]
        session.commit()
        return SimpleNamespace(seller=seller.id, staff=[SimpleNamespace(id=s.id) for s in staff])


def compose(app, seller_id, actor):
    with app.app_context(), Session(db.engine) as session:
        payout = payouts.compose_payout(session, seller_id, "USD", actor=actor)
        session.commit()
        return payout.id


def _entries_in_payouts(session, seller_id):
    rows = session.execute(
        select(PayoutItem.shopping_mall_seller_ledger_id, func.count())
        .join(Payout, Payout.id == PayoutItem.shopping_mall_payout_id)
        .where(Payout.shopping_mall_seller_id == seller_id)
        .group_by(PayoutItem.shopping_mall_seller_ledger_id)
    ).all()
    return dict(rows)


def test_twenty_composers_at_once_make_one_payout_and_pay_each_entry_once(race_app, world):
    results = in_threads(COMPOSERS, lambda i: compose(race_app, world.seller, world.staff[i]))
    made = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in refused), refused
    with race_app.app_context(), Session(db.engine) as session:
        paid = _entries_in_payouts(session, world.seller)
        assert len(paid) == 30 and set(paid.values()) == {1}
        payout = session.get(Payout, made[0])
        assert payout.net_amount == Decimal("10.00") * 20 - Decimal("1.50") * 10
        assert payout.gross_amount - payout.fees_amount - payout.reserve_withheld == (
            payout.net_amount
        )
    print(f"\n{COMPOSERS} parallel compositions: {len(made)} payout, {len(refused)} refused")


def test_composing_while_entries_are_posted_and_given_back_never_pays_twice(race_app, world):
    with race_app.app_context(), Session(db.engine) as session:
        first = payouts.compose_payout(session, world.seller, "USD", actor=world.staff[0])
        payouts.start_processing(session, first.id, expected_version=first.version,
                                 actor=world.staff[0])  # fmt: skip
        session.commit()
        first_id, version = first.id, first.version

    def work(i):
        with race_app.app_context(), Session(db.engine) as session:
            if i == 0:  # the bank refuses the first payout: its entries come back
                payouts.mark_failed(session, first_id, expected_version=version,
                                    reason="account closed", actor=world.staff[0])  # fmt: skip
            elif i % 4 == 1:  # new sales arrive, backdated past the settlement delay
                ledger.post(session, seller_id=world.seller, currency="USD",
                            amount=Decimal("5.00"), entry_type="sale", source_type="capture",
                            occurred_at=utcnow() - timedelta(days=9))  # fmt: skip
            else:
                payouts.compose_payout(session, world.seller, "USD", actor=world.staff[i])
            session.commit()
            return i

    results = in_threads(COMPOSERS, work)
    assert all(isinstance(r, int) or isinstance(r, Conflict) for r in results), results
    with race_app.app_context(), Session(db.engine) as session:
        paid = _entries_in_payouts(session, world.seller)
        assert set(paid.values()) <= {1}, "an entry is in two payouts"
        live = session.scalars(
            select(Payout).where(
                Payout.shopping_mall_seller_id == world.seller, Payout.status != "failed"
            )
        ).all()
        for payout in live:
            items = session.scalars(
                select(SellerLedgerEntry)
                .join(PayoutItem, PayoutItem.shopping_mall_seller_ledger_id == SellerLedgerEntry.id)
                .where(PayoutItem.shopping_mall_payout_id == payout.id)
            ).all()
            assert sum(e.amount for e in items) == payout.net_amount
        assert ledger.reconcile(session, world.seller, "USD") == []
        failed = session.get(Payout, first_id)
        assert failed.status == "failed"
        assert (
            session.scalar(
                select(func.count()).where(PayoutItem.shopping_mall_payout_id == first_id)
            )
            == 0
        )
