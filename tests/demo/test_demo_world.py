"""The demo world adds up: checked by SQL on a seeded database, and reproducible per seed."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from mallconsole.core import states
from mallconsole.demo import World, describe_world
from mallconsole.demo.orders import PAID
from mallconsole.demo.staff import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, ROLE_TABLES
from mallconsole.services.identity.passwords import verify_password
from mallconsole.services.identity.secretbox import decrypt_secret

CENT = Decimal("0.0001")


def rows(demo, sql, **params):
    return demo.execute(text(sql), params).all()


def dec(value) -> Decimal:
    """Exact amounts: SQLite hands SUMs back as floats."""
    if value is None:
        return Decimal(0)
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(CENT)


def ts(value) -> datetime:
    """An aware UTC datetime from what raw SQL returns (SQLite: an ISO string)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Machines the demo world shows only in part: payout accounts unverified or verified (never
# rejected), reserves in the states their releases left, and no job runs or outbound messages
# (the console makes them as it runs). tests/demo/test_demo_states.py checks what it stores.
SHOWN_IN_PART = {
    states.PAYOUT_ACCOUNT_MACHINE.table,
    states.RESERVE_MACHINE.table,
    states.JOB_RUN_MACHINE.table,
    states.OUTBOUND_MESSAGE_MACHINE.table,
}
SHOWN_IN_FULL = tuple(c for c in states.STATE_COLUMNS if c[0] not in SHOWN_IN_PART)


def test_every_contract_state_occurs(demo):
    for table, column, wanted in SHOWN_IN_FULL:
        found = {r[0] for r in rows(demo, f"SELECT DISTINCT {column} FROM {table}")}
        assert set(wanted) <= found, (table, set(wanted) - found)
    staff_ids = " UNION ".join(
        f"SELECT shopping_mall_user_id FROM {t}" for t in ROLE_TABLES.values()
    )
    staff = rows(
        demo, f"SELECT status, lockout_until FROM shopping_mall_users WHERE id IN ({staff_ids})"
    )
    assert set(states.STAFF_USER) <= {s for s, _ in staff}
    now = datetime.now(UTC)
    assert any(locked and ts(locked) > now for _, locked in staff)


def test_demo_accounts_are_those_of_the_contract(demo, seeded):
    app = seeded[0]
    for email, _, roles in DEMO_ACCOUNTS:
        (user,) = rows(
            demo,
            "SELECT id, status, password_hash, mfa_enabled, mfa_method, mfa_secret_encrypted "
            "FROM shopping_mall_users WHERE email = :e",
            e=email,
        )
        assert user.status == "active"
        for role, table in ROLE_TABLES.items():
            held = rows(
                demo,
                f"SELECT 1 FROM {table} WHERE shopping_mall_user_id = :u AND revoked_at IS NULL",
                u=user.id,
            )
            assert bool(held) == (role in roles), (email, role)
        assert bool(user.mfa_enabled) == (email == "mfa-admin@demo.mall")
        if user.mfa_enabled:
            assert user.mfa_method == "totp"
            secret = decrypt_secret(app.config, user.mfa_secret_encrypted)
            assert secret == DEMO_TOTP_SECRET
    (hash_,) = rows(
        demo, "SELECT password_hash FROM shopping_mall_users WHERE email = 'ops@demo.mall'"
    )
    assert verify_password(hash_[0], DEMO_PASSWORD)
    # Customers and sellers cannot sign in to the console: no staff role, no usable password.
    assert not rows(
        demo,
        "SELECT 1 FROM shopping_mall_customer c JOIN shopping_mall_supportagent s "
        "ON s.shopping_mall_user_id = c.shopping_mall_user_id",
    )


def test_order_totals_add_up(demo):
    orders = rows(
        demo,
        "SELECT id, subtotal, discount_total, shipping_total, tax_total, duty_total, grand_total "
        "FROM shopping_mall_orders",
    )
    sellers = defaultdict(Decimal)
    for order_id, total in rows(
        demo, "SELECT shopping_mall_order_id, grand_total FROM shopping_mall_seller_orders"
    ):
        sellers[order_id] += dec(total)
    items = defaultdict(Decimal)
    for order_id, total, sub, disc, tax in rows(
        demo,
        "SELECT shopping_mall_order_id, line_grand_total, line_subtotal, line_discount_total, "
        "line_tax_total FROM shopping_mall_order_items",
    ):
        assert dec(total) == dec(sub) - dec(disc) + dec(tax)
        items[order_id] += dec(total)
    for order_id, sub, disc, ship, tax, duty, grand in orders:
        assert dec(grand) == dec(sub) - dec(disc) + dec(ship) + dec(tax) + dec(duty), order_id
        assert dec(grand) == sellers[order_id] == items[order_id], order_id


def test_payments_never_refund_more_than_captured(demo):
    amounts = defaultdict(lambda: defaultdict(Decimal))
    for kind, table in (
        ("authorized", "shopping_mall_payment_authorizations"),
        ("captured", "shopping_mall_payment_captures"),
        ("refunded", "shopping_mall_payment_refunds"),
    ):
        status = "authorized" if kind == "authorized" else "succeeded"
        extra = " OR status = 'voided'" if kind == "authorized" else ""
        for payment_id, amount in rows(
            demo,
            f"SELECT shopping_mall_payment_id, amount FROM {table} WHERE status = :s{extra}",
            s=status,
        ):
            amounts[payment_id][kind] += dec(amount)
    for payment_id, sums in amounts.items():
        assert sums["captured"] <= sums["authorized"], payment_id
        assert sums["refunded"] <= sums["captured"], payment_id
    for status, amount, payment_id in rows(
        demo, "SELECT status, amount, id FROM shopping_mall_payments"
    ):
        sums = amounts[payment_id]
        if status == "refunded":
            assert sums["refunded"] == dec(amount)
        if status == "partially_refunded":
            assert 0 < sums["refunded"] < dec(amount)


def test_ledger_balances_are_running_sums(demo):
    balances = defaultdict(Decimal)
    entries = rows(
        demo,
        "SELECT shopping_mall_seller_id, amount, balance_after FROM shopping_mall_seller_ledgers "
        "ORDER BY shopping_mall_seller_id, occurred_at",
    )
    assert entries
    for seller_id, amount, after in entries:
        balances[seller_id] += dec(amount)
        assert dec(after) == balances[seller_id]


def test_chargebacks_carry_their_response_deadline(demo):
    found = rows(demo, "SELECT status, opened_at, respond_by FROM shopping_mall_chargebacks")
    assert found
    for status, opened, respond_by in found:
        assert ts(respond_by) - ts(opened) == timedelta(days=7), status
    now = datetime.now(UTC)
    assert any(s == "open" and ts(r) > now for s, _, r in found)


def test_payouts_hold_their_ledger_entries(demo):
    payouts = rows(demo, "SELECT id, status, net_amount FROM shopping_mall_payouts")
    items = defaultdict(Decimal)
    counted = defaultdict(int)
    for payout_id, amount in rows(
        demo, "SELECT shopping_mall_payout_id, amount FROM shopping_mall_payout_items"
    ):
        items[payout_id] += dec(amount)
        counted[payout_id] += 1
    for payout_id, status, net in payouts:
        if status in ("failed", "canceled"):
            assert counted[payout_id] == 0
        else:
            assert counted[payout_id] > 0 and items[payout_id] == dec(net)
    assert rows(
        demo,
        "SELECT 1 FROM shopping_mall_seller_ledgers l WHERE NOT EXISTS (SELECT 1 FROM "
        "shopping_mall_payout_items i WHERE i.shopping_mall_seller_ledger_id = l.id)",
    ), "the newest entries stay payable"


def test_wallet_balance_is_the_sum_of_its_records(demo):
    wallets = rows(demo, "SELECT id, balance FROM shopping_mall_user_balances")
    assert wallets
    records = defaultdict(list)
    for wallet_id, amount, after in rows(
        demo,
        "SELECT shopping_mall_user_balance_id, amount, balance_after "
        "FROM shopping_mall_user_balance_records ORDER BY created_at",
    ):
        records[wallet_id].append((dec(amount), dec(after)))
    for wallet_id, balance in wallets:
        running = Decimal(0)
        for amount, after in records[wallet_id]:
            running += amount
            assert after == running >= 0
        assert dec(balance) == running


def test_rating_aggregates_equal_their_approved_reviews(demo):
    expected = defaultdict(lambda: [0, Decimal(0), [0] * 5])
    for sku_id, rating in rows(
        demo, "SELECT sku_id, rating FROM shopping_mall_reviews WHERE state = 'approved'"
    ):
        rating = dec(rating)
        entry = expected[sku_id]
        entry[0] += 1
        entry[1] += rating
        entry[2][int(rating) - 1] += 1  # half stars count in the lower bucket
    aggregates = rows(
        demo,
        "SELECT sku_id, average_rating, total_reviews, ratings_1_count, ratings_2_count, "
        "ratings_3_count, ratings_4_count, ratings_5_count FROM shopping_mall_rating_aggregates",
    )
    assert {a[0] for a in aggregates} == set(expected)
    for sku_id, average, total, *buckets in aggregates:
        count, rating_sum, wanted_buckets = expected[sku_id]
        assert total == count and buckets == wanted_buckets
        assert dec(average) == (rating_sum / count).quantize(CENT)
    assert rows(demo, "SELECT COUNT(*) FROM mv_shopping_mall_product_rating_aggregates")[0][0] > 0
    assert any(dec(r[0]) % 1 for r in rows(demo, "SELECT rating FROM shopping_mall_reviews"))


NUMBERS = (
    ("shopping_mall_orders", "order_number", "ORD"),
    ("shopping_mall_support_cases", "case_number", "CAS"),
    ("shopping_mall_cancellation_requests", "cancellation_request_number", "CAN"),
    ("shopping_mall_return_requests", "rma_code", "RMA"),
    ("shopping_mall_refund_requests", "refund_request_number", "RR"),
    ("shopping_mall_payouts", "payout_number", "PO"),
    ("shopping_mall_data_exports", "request_number", "EXP"),
    ("shopping_mall_shipments", "shipment_number", "SHP"),
)


def test_numbers_are_unique_and_sequences_end_at_the_last_one(demo):
    last = {}
    for prefix, day, value in rows(
        demo, "SELECT prefix, day, last_value FROM shopping_mall_number_sequences"
    ):
        last[(prefix, day)] = value
    for day, value in rows(
        demo, "SELECT sequence_yyyymmdd, last_value FROM shopping_mall_order_sequences"
    ):
        last[("ORD", day)] = value
    used = defaultdict(int)
    for table, column, prefix in NUMBERS:
        numbers = [r[0] for r in rows(demo, f"SELECT {column} FROM {table}")]
        assert numbers, table
        assert len(numbers) == len(set(numbers)), table
        pattern = re.compile(rf"^{prefix}-(\d{{8}})-(\d{{6}})$")
        for number in numbers:
            match = pattern.match(number)
            assert match, number
            key = (prefix, match.group(1))
            used[key] = max(used[key], int(match.group(2)))
    assert used == last


def test_coupon_campaigns_are_partly_issued(demo):
    campaigns = rows(
        demo,
        "SELECT p.id, p.initial_quantity, p.remaining_quantity, COUNT(c.id) FROM "
        "shopping_mall_promotions p LEFT JOIN shopping_mall_coupons c "
        "ON c.shopping_mall_promotion_id = p.id WHERE p.initial_quantity IS NOT NULL "
        "GROUP BY p.id, p.initial_quantity, p.remaining_quantity",
    )
    assert campaigns
    for _, initial, remaining, issued in campaigns:
        assert remaining == initial - issued
    assert any(0 < r[3] < r[1] for r in campaigns)


def test_sale_statistics_match_the_paid_orders(demo):
    expected = defaultdict(int)
    placeholders = ", ".join(f"'{s}'" for s in PAID)
    for product_id, placed_at, quantity in rows(
        demo,
        "SELECT s.shopping_mall_product_id, o.placed_at, i.quantity "
        "FROM shopping_mall_order_items i "
        "JOIN shopping_mall_orders o ON o.id = i.shopping_mall_order_id "
        "JOIN shopping_mall_payments p ON p.shopping_mall_order_id = o.id "
        "JOIN shopping_mall_skus s ON s.id = i.shopping_mall_sku_id "
        f"WHERE p.status IN ({placeholders})",
    ):
        expected[(product_id, ts(placed_at).astimezone(UTC).date())] += quantity
    daily = {
        (p, d if not isinstance(d, str) else datetime.fromisoformat(d).date()): q
        for p, d, q in rows(
            demo,
            "SELECT shopping_mall_product_id, aggregated_date, sold_quantity "
            "FROM shopping_mall_product_daily_sale_stats",
        )
    }
    assert daily == dict(expected)
    (weekly,) = rows(
        demo, "SELECT SUM(sold_quantity) FROM shopping_mall_product_interval_sale_stats"
    )
    assert weekly[0] == sum(expected.values())


def test_work_waits_in_every_console(demo, seeded):
    now = datetime.now(UTC)

    def count(sql, **params):
        return rows(demo, sql, **params)[0][0]

    open_states = "('open', 'pending', 'on_hold')"
    breached = rows(
        demo, f"SELECT sla_due_at FROM shopping_mall_support_cases WHERE status IN {open_states}"
    )
    assert any(ts(r[0]) < now for r in breached)
    assert any(ts(r[0]) > now for r in breached)
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_support_cases WHERE assigned_to_user_id IS NULL"
    )
    assert (
        count(
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM shopping_mall_support_case_events "
            "GROUP BY shopping_mall_support_case_id) t"
        )
        >= 30
    )
    uploads = seeded[2]
    for (uri,) in rows(demo, "SELECT file_uri FROM shopping_mall_support_attachments"):
        assert (Path(uploads) / uri).is_file()
    pending = rows(
        demo, "SELECT expires_at FROM shopping_mall_orders WHERE status = 'pending_payment'"
    )
    assert pending and all(r[0] is not None for r in pending)
    assert any(ts(r[0]) < now + timedelta(minutes=6) for r in pending)
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_refund_requests WHERE total_requested_amount > 250"
    )
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_inventory_records "
        "WHERE on_hand <= safety_stock_threshold"
    )
    assert (
        count(
            "SELECT COUNT(*) FROM shopping_mall_review_reports WHERE resolved = :f "
            "GROUP BY shopping_mall_review_id ORDER BY COUNT(*) DESC LIMIT 1",
            f=False,
        )
        >= 2
    )
    assert count("SELECT COUNT(*) FROM shopping_mall_shipments WHERE status = 'exception'")
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_seller_payout_accounts WHERE status = 'unverified'"
    )
    assert count(
        "SELECT COUNT(*) FROM shopping_mall_abandoned_cart_events "
        "WHERE event_type = 'reminder_sent' AND reason_code = 'no_consent_on_file'"
    )
    keys = {r[0] for r in rows(demo, "SELECT key FROM shopping_mall_configurations")}
    assert {
        "finance.refund.dual_approval_threshold.USD",
        "finance.payout.settlement_delay_days",
        "support.sla.first_response_hours.urgent",
        "moderation.claim.batch_size",
        "moderation.claim.minutes",
    } <= keys
    assert count("SELECT COUNT(*) FROM shopping_mall_audit_events") > 0


def _world(seed: int, now: datetime) -> World:
    world = World(seed=seed, scale=0.02, now=now)
    return describe_world(world, password_hash="fixed-hash", mfa_secret_encrypted="fixed")


def test_same_seed_same_world_other_seed_other_world():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    first, second = _world(5, now), _world(5, now)
    assert first.rows.keys() == second.rows.keys()
    for table in first.rows:
        assert first.rows[table] == second.rows[table], table
    other = _world(6, now)
    assert other.rows["shopping_mall_orders"] != first.rows["shopping_mall_orders"]


def test_rows_grow_linearly_with_the_scale():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    small = World(seed=1, scale=0.05, now=now)
    large = World(seed=1, scale=0.1, now=now)
    for world in (small, large):
        describe_world(world, password_hash="h", mfa_secret_encrypted="s")
    ratio = large.counts["shopping_mall_orders"] / small.counts["shopping_mall_orders"]
    assert ratio == 2
    total = sum(large.counts.values())
    assert 1.6 < total / sum(small.counts.values()) < 2.4


def test_every_state_occurs_whatever_the_seed():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    for seed in range(1, 9):
        world = World(seed=seed, scale=0.01, now=now)
        describe_world(world, password_hash="h", mfa_secret_encrypted="s")
        for table, column, wanted in SHOWN_IN_FULL:
            found = {row.get(column) for row in world.rows[table]}
            assert set(wanted) <= found, (seed, table, set(wanted) - found)


def _content_digest(engine) -> dict[str, str]:
    """A digest per table of every row, ordered by primary key (ciphertexts left out:
    Fernet tokens differ on every encryption by design)."""
    import hashlib

    from mallconsole.models import MATERIALIZED_VIEWS, Base

    digests = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in MATERIALIZED_VIEWS:
                continue
            columns = [c for c in table.columns if c.name != "mfa_secret_encrypted"]
            result = connection.execute(select(*columns).order_by(*table.primary_key.columns))
            digest = hashlib.sha256()
            for row in result:
                digest.update(repr(tuple(row)).encode())
            digests[table.name] = digest.hexdigest()
    return digests


def test_two_seedings_with_the_same_seed_store_the_same_data(
    fresh_database, make_demo_app, tmp_path
):
    from mallconsole.demo import build_world
    from mallconsole.extensions import db

    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    digests = []
    for n in range(2):
        app = make_demo_app(fresh_database(), tmp_path / f"uploads{n}")
        with app.app_context():
            with db.engine.begin() as connection:
                build_world(
                    connection,
                    config=app.config,
                    scale=0.01,
                    seed=11,
                    now=now,
                    password_hash="fixed",
                )
            digests.append(_content_digest(db.engine))
            db.engine.dispose()
    assert digests[0] == digests[1]


HAPPENED = (
    "created_at",
    "updated_at",
    "occurred_at",
    "recorded_at",
    "event_at",
    "placed_at",
    "decided_at",
    "refunded_at",
    "captured_at",
    "authorized_at",
    "delivered_at",
    "closed_at",
    "resolved_at",
    "processed_at",
    "assigned_at",
    "redeemed_at",
    "applied_at",
    "allocated_at",
    "adjusted_at",
    "submitted_at",
    "reviewed_at",
    "completed_at",
    "executed_at",
    "shipped_at",
    "received_at",
    "opened_at",
    "responded_at",
    "picked_up_at",
    "label_created_at",
    "last_event_at",
    "merged_at",
    "issued_at",
    "reserved_at",
    "released_at",
    "assessed_at",
)


def test_nothing_happened_after_now():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    world = World(seed=4, scale=0.05, now=now)
    describe_world(world, password_hash="h", mfa_secret_encrypted="s")
    for table, table_rows in world.rows.items():
        for column in HAPPENED:
            latest = max((r[column] for r in table_rows if r.get(column)), default=None)
            assert latest is None or latest <= now, (table, column, latest)
