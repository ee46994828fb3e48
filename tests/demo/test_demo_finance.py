"""The seeded finance world keeps the rules of the payout, reserve and chargeback services,
and gives each finance screen work waiting."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.roles import Permission
from mallconsole.extensions import db
from mallconsole.models import AdminAction, Payout, Seller, User
from mallconsole.services import approvals
from mallconsole.services.kit import settings
from mallconsole.services.kit.pagination import Ordering
from mallconsole.services.money import ledger, payouts
from tests.demo.test_demo_world import dec, rows


def test_entry_and_source_types_are_the_vocabulary_and_match(demo):
    sources = {
        "sale": "capture", "fee": "capture", "refund": "refund", "fee_reversal": "refund",
        "chargeback": "chargeback", "chargeback_reversal": "chargeback",
        "reserve_hold": "reserve", "reserve_release": "reserve",
    }  # fmt: skip
    found = rows(demo, "SELECT DISTINCT entry_type, source_type FROM shopping_mall_seller_ledgers")
    assert found
    for kind, source in found:
        assert kind in states.LEDGER_ENTRY_TYPES and sources[kind] == source


def test_each_payout_is_the_split_of_its_items(demo):
    items = defaultdict(list)
    for payout_id, kind, amount in rows(
        demo,
        "SELECT i.shopping_mall_payout_id, l.entry_type, i.amount "
        "FROM shopping_mall_payout_items i "
        "JOIN shopping_mall_seller_ledgers l ON l.id = i.shopping_mall_seller_ledger_id",
    ):
        items[payout_id].append((kind, dec(amount)))
    payouts = rows(
        demo,
        "SELECT id, status, gross_amount, fees_amount, reserve_withheld, net_amount "
        "FROM shopping_mall_payouts",
    )
    assert {p[1] for p in payouts} >= {"scheduled", "paid"}
    for payout_id, status, gross, fees, reserve, net in payouts:
        gross, fees, reserve, net = map(dec, (gross, fees, reserve, net))
        assert gross - fees - reserve == net
        if status in ("failed", "canceled"):
            continue
        assert net > 0
        lines = items[payout_id]
        assert fees == -sum((a for k, a in lines if k in ("fee", "fee_reversal")), Decimal(0))
        assert reserve == -sum((a for k, a in lines if k == "reserve_hold"), Decimal(0))
        assert net == sum((a for _, a in lines), Decimal(0))


def test_reserves_are_the_sums_of_their_entries(demo):
    entries = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for ref, kind, amount in rows(
        demo,
        "SELECT source_reference, entry_type, amount FROM shopping_mall_seller_ledgers "
        "WHERE source_type = 'reserve'",
    ):
        entries[ref][kind == "reserve_release"] += abs(dec(amount))
    reserves = rows(
        demo,
        "SELECT id, reserve_type, status, hold_amount, released_amount, hold_percent "
        "FROM shopping_mall_reserves",
    )
    assert reserves and any(r[2] != "released" for r in reserves)
    for reserve_id, kind, status, held, released, percent in reserves:
        assert kind in states.RESERVE_TYPES and status in states.RESERVE_STATUSES
        assert entries[reserve_id] == [dec(held), dec(released or 0)]
        left = dec(held) - dec(released or 0)
        assert status == ("released" if left == 0 else "active" if not dec(released or 0)
                          else "partially_released")  # fmt: skip
        assert (percent is None) == (kind == "case_hold")


def test_chargebacks_are_debited_once_and_given_back_when_won(demo):
    effect = defaultdict(lambda: defaultdict(Decimal))
    for chargeback_id, kind, amount in rows(
        demo,
        "SELECT shopping_mall_chargeback_id, entry_type, amount FROM shopping_mall_seller_ledgers "
        "WHERE shopping_mall_chargeback_id IS NOT NULL",
    ):
        effect[chargeback_id][kind] += dec(amount)
    for chargeback_id, status, amount in rows(
        demo, "SELECT id, status, amount FROM shopping_mall_chargebacks"
    ):
        assert effect[chargeback_id]["chargeback"] == -dec(amount)
        restored = effect[chargeback_id]["chargeback_reversal"]
        assert restored == (dec(amount) if status == "won" else 0)


def test_each_finance_screen_has_work_waiting(demo):
    def count(sql):
        return rows(demo, sql)[0][0]

    assert count("SELECT COUNT(*) FROM shopping_mall_payouts WHERE status = 'scheduled'")
    assert count("SELECT COUNT(*) FROM shopping_mall_chargebacks WHERE status = 'open'")
    assert count("SELECT COUNT(*) FROM shopping_mall_reserves WHERE status <> 'released'")
    assert count("SELECT COUNT(*) FROM shopping_mall_fees")
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_seller_payout_accounts WHERE status = 'unverified'"
    )


def test_payouts_over_their_threshold_went_through_a_second_finance_manager(seeded):
    """Maker-checker as the payout service keeps it: over the seller's threshold, a scheduled
    payout waits in the finance inbox, a sent one was approved by someone else, a canceled
    one's request was withdrawn; under it there is no request."""
    app, _, _, _ = seeded
    with app.app_context():
        session = db.session
        reader = settings.reader(session)
        requests = {
            a.target_entity_id: a
            for a in session.scalars(
                select(AdminAction).where(AdminAction.action_name == payouts.ACTION)
            )
        }
        expected = {"scheduled": "pending", "canceled": "canceled", "processing": "executed",
                    "paid": "executed", "failed": "executed"}  # fmt: skip
        over = 0
        for payout in session.scalars(select(Payout)):
            needed = settings.needs_dual_approval(
                reader, "payout", payout.net_amount, payout.currency,
                seller_id=payout.shopping_mall_seller_id,
            )  # fmt: skip
            action = requests.pop(payout.id, None)
            if not needed:
                assert action is None, payout.payout_number
                continue
            over += 1
            assert action is not None, f"{payout.payout_number} was never approved"
            assert action.status == expected[payout.status], payout.payout_number
            assert action.approver_permission == "approvals.finance"
            assert Decimal(action.payload["net_amount"]) == payout.net_amount
            if action.status == "executed":
                assert action.performed_by_user_id not in (None, action.requested_by_user_id)
                assert payouts.open_approval(session, payout).id == action.id
        assert over and not requests  # every request is of a payout over its threshold
        session.remove()


def test_finance_sees_a_payout_waiting_for_its_approval(seeded):
    app, _, _, _ = seeded
    with app.app_context():
        session = db.session
        ids = dict(session.execute(select(User.email, User.id)).all())
        ordering = Ordering(approvals.INBOX_SORTS[0], False, approvals.ACTION_ID)
        page = approvals.list_page(
            session, "waiting", ids["finance@demo.mall"], Permission.APPROVALS_FINANCE, {},
            ordering, cursor=None, limit=100,
        )  # fmt: skip
        waiting = [row for row in page.rows if row.action.action_name == payouts.ACTION]
        assert waiting, "no payout waits for finance@demo.mall"
        row = waiting[0]
        assert row.action.requested_by_user_id == ids["finance2@demo.mall"]
        assert row.unavailable is None  # it can really be approved
        payout = session.get(Payout, row.action.target_entity_id)
        assert payout.status == "scheduled"
        assert payouts.needs_approval(session, payout)
        session.remove()


def test_the_finance_screens_find_the_seeded_money_consistent(seeded):
    """What the ledger and payout screens check: every ledger reconciles, every payout is the
    split of its items, and no item was paid before its seller's settlement delay."""
    app, _, _, _ = seeded
    with app.app_context():
        session = db.session
        for seller_id in session.scalars(select(Seller.id)):
            for currency in ledger.currencies(session, seller_id):
                assert ledger.reconcile(session, seller_id, currency) == [], seller_id
        for payout in session.scalars(select(Payout)):
            items = payouts.payout_items(session, payout.id)
            assert payouts.payout_sums_hold(payout, items), payout.payout_number
            assert payout.gross_amount - payout.fees_amount - payout.reserve_withheld == (
                payout.net_amount
            )
            delay = payouts.settlement_delay(session, payout.shopping_mall_seller_id)
            for row in items:
                assert aware(row.entry.occurred_at) <= aware(payout.created_at) - delay, (
                    payout.payout_number
                )
        session.remove()


def test_open_chargebacks_have_deadlines_ahead(demo):
    now = datetime.now(UTC)
    found = rows(demo, "SELECT respond_by FROM shopping_mall_chargebacks WHERE status = 'open'")
    assert found
    assert any(aware(respond_by) > now for (respond_by,) in found)


def aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_fee_descriptions_name_the_order_in_words(demo):
    found = rows(
        demo,
        "SELECT f.description, o.order_number FROM shopping_mall_fees f "
        "JOIN shopping_mall_orders o ON o.id = f.shopping_mall_order_id "
        "WHERE f.fee_type = 'commission'",
    )
    assert found
    for description, number in found:
        assert description.endswith(f"on {number}"), description
