"""The seeded finance world keeps the rules of the payout, reserve and chargeback services,
and gives each finance screen work waiting."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from mallconsole import states
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
