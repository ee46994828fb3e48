"""Seller ledgers with running balances, chargebacks with response deadlines, reserves,
and payouts with items (paid, processing, scheduled; failed and canceled ones without items).

A ledger entry is payable when it is in no payout item and occurred more than the settlement
delay ago; the newest entries stay payable so the payout screen has work. The rules of the
payout service hold for what is seeded: a reserve's hold and releases are ledger entries
(``reserve_hold``, ``reserve_release``, source ``reserve``), its ``hold_amount`` and
``released_amount`` their sums; a payout's ``gross − fees − reserve = net`` is the split of its
items (fees: ``fee`` and ``fee_reversal``; reserve: ``reserve_hold``); a chargeback is debited
when it opens and given back when it is won; no payout pays a negative net.

Maker-checker holds too: a payout over its seller's ``finance.payout.dual_approval_threshold``
went to processing through an ``approve_payout`` request carried out by the other finance
manager, and a scheduled one over it waits in the finance inbox (asked for by the finance
manager who composed it, finance2@demo.mall, so finance@demo.mall has it to decide). When no
scheduled payout is over the global threshold (small worlds), the seller of the largest one has
a stricter threshold of their own (a ``seller:<id>`` configuration row, ``PAYOUT_THRESHOLDS``),
so the inbox always has a payout waiting. Each seller's payouts keep their settlement delay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from mallconsole.core import states
from mallconsole.demo.approvals import decision_given, requested_audit
from mallconsole.demo.audit import audit, audit_walk
from mallconsole.demo.world import ZERO, World
from mallconsole.services.money import payouts

SETTLEMENT_DELAY_DAYS = states.DEFAULT_SETTLEMENT_DELAY_DAYS
# The first seller is new: a longer settlement delay of their own (a seller:<id> row).
NEW_SELLER_SETTLEMENT_DELAY_DAYS = 14
# finance.payout.dual_approval_threshold.<USD|EUR>: above it a payout needs a second approval.
PAYOUT_DUAL_APPROVAL = Decimal("5000.00")
PAYOUT_PERIOD_DAYS = 14
CHARGEBACK_RESPONSE_DAYS = 7
SOURCE_OF = {
    "sale": "capture",
    "fee": "capture",
    "refund": "refund",
    "fee_reversal": "refund",
    "reserve_hold": "reserve",
    "reserve_release": "reserve",
}
FEE_ENTRIES = ("fee", "fee_reversal")


def build_finance(world: World) -> None:
    _chargebacks(world)
    _reserves(world)
    entries = _ledger(world)
    _payouts(world, entries)


def _chargebacks(world: World) -> None:
    finance = world.refs["staff"]["finance@demo.mall"]
    for n, (seller_id, order_id, capture_id, amount, captured_at) in enumerate(
        world.refs["chargeable"]
    ):
        status = world.state(n, states.CHARGEBACK)
        opened = world.after(captured_at, days=40)
        if status == "open":
            opened = world.ago(days=world.rng.uniform(0.5, 6))
        deadline = opened + timedelta(days=CHARGEBACK_RESPONSE_DAYS)
        responded = world.after(opened, days=5) if status != "open" else None
        closed = world.after(responded, days=20) if status in ("won", "lost") else None
        row = world.add(
            "shopping_mall_chargebacks",
            at=opened,
            updated_at=closed or responded or opened,
            shopping_mall_seller_id=seller_id,
            shopping_mall_order_id=order_id,
            shopping_mall_payment_capture_id=capture_id,
            provider_reference=f"dp_{world.rng.getrandbits(80):020x}",
            status=status,
            reason_category=world.pick(states.CHARGEBACK_REASONS),
            amount=amount,
            currency="USD",
            opened_at=opened,
            responded_at=responded,
            respond_by=deadline,
            closed_at=closed,
            notes="Evidence to send: proof of delivery (tracking) and the invoice.",
        )
        ledger = world.refs["ledger_events"]
        ledger.append((seller_id, opened, "chargeback", -amount, order_id, None, None, row["id"]))
        if status == "won":
            ledger.append(
                (seller_id, closed, "chargeback_reversal", amount, order_id, None, None, row["id"])
            )
        if responded:
            audit(
                world,
                actor=finance,
                table="shopping_mall_chargebacks",
                entity_id=row["id"],
                action="chargeback.responded",
                at=responded,
                before={"status": "open"},
                after={"status": "under_review"},
            )
        world.refs.setdefault("chargeback_ids", set()).add(row["id"])


def _ledger(world: World) -> dict[str, list[dict]]:
    """Ledger rows per seller in time order, balance_after the running sum."""
    by_seller: dict[str, list[tuple]] = defaultdict(list)
    for n, event in enumerate(world.refs["ledger_events"]):
        by_seller[event[0]].append((event[1], n, event))
    chargebacks = world.refs.get("chargeback_ids", set())
    entries: dict[str, list[dict]] = {}
    for seller_id in sorted(by_seller):
        balance = ZERO
        rows = []
        previous = None
        for at, _, (_, _, kind, amount, order_id, capture_id, refund_id, ref) in sorted(
            by_seller[seller_id]
        ):
            # Strictly increasing times per seller, so "running sum" has one meaning.
            if previous is not None and at <= previous:
                at = previous + timedelta(microseconds=1)
            previous = at
            balance += amount
            rows.append(
                world.add(
                    "shopping_mall_seller_ledgers",
                    at=at,
                    shopping_mall_seller_id=seller_id,
                    shopping_mall_order_id=order_id,
                    shopping_mall_payment_capture_id=capture_id
                    if kind in ("sale", "fee")
                    else None,
                    shopping_mall_payment_refund_id=refund_id,
                    shopping_mall_chargeback_id=ref if ref in chargebacks else None,
                    entry_type=kind,
                    source_type=SOURCE_OF.get(kind, "chargeback"),
                    source_reference=None if ref in chargebacks else ref,
                    currency="USD",
                    amount=amount,
                    balance_after=balance,
                    occurred_at=at,
                )
            )
        entries[seller_id] = rows
    world.refs["ledger_events"] = []
    return entries


def _payouts(world: World, entries: dict[str, list[dict]]) -> None:
    finance, finance2 = (
        world.refs["staff"][e] for e in ("finance@demo.mall", "finance2@demo.mall")
    )
    sellers = {s["id"]: s for s in world.refs["sellers"]}
    # Periods are whole UTC days: each starts at midnight where the one before ended.
    epoch = world.ago(days=196).replace(hour=0, minute=0, second=0, microsecond=0)
    written: list[tuple[dict, str]] = []
    for seller_id, rows in entries.items():
        seller = sellers[seller_id]
        delay = settlement_delay_days(world, seller_id)
        settled_before = world.ago(days=delay)
        account = {"id": seller["payout_account_id"]}
        if not seller["payout_verified"] or seller["state"] == "terminated":
            continue  # held: no verified account to pay into
        windows: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            k = int((row["occurred_at"] - epoch).total_seconds() // (PAYOUT_PERIOD_DAYS * 86400))
            windows[k].append(row)
        eligible = sorted(
            k
            for k in windows
            if epoch + timedelta(days=(k + 1) * PAYOUT_PERIOD_DAYS) <= settled_before
        )
        for position, k in enumerate(eligible):
            start = epoch + timedelta(days=k * PAYOUT_PERIOD_DAYS)
            end = start + timedelta(days=PAYOUT_PERIOD_DAYS)
            items = windows[k]
            if sum((r["amount"] for r in items), ZERO) <= ZERO:
                continue  # nothing to pay: the entries stay payable for a later payout
            newest = position == len(eligible) - 1
            status = "paid"
            if newest and world.serial("payout_newest") % 3 != 2:
                status = ("scheduled", "processing")[world.serial("payout_open") % 2]
            elif not newest and world.due("payout_failed", 2, 0.02):
                # A failed or canceled attempt first; the entries went back and were paid later.
                ended = _payout(
                    world,
                    seller_id,
                    account,
                    start,
                    end,
                    items,
                    ("failed", "canceled")[world.serial("payout_failed") % 2],
                    finance,
                    delay,
                )
                written.append((ended, finance))
            composer = finance2 if newest else finance
            payout = _payout(world, seller_id, account, start, end, items, status, composer, delay)
            written.append((payout, composer))
    thresholds = _payout_thresholds(world, [p for p, _ in written])
    for payout, composer in written:
        if payout["net_amount"] > thresholds.get(payout["shopping_mall_seller_id"],
                                                 PAYOUT_DUAL_APPROVAL):  # fmt: skip
            checker = finance if composer == finance2 else finance2
            _payout_approval(world, payout, sellers, composer, checker)


def settlement_delay_days(world: World, seller_id: str) -> int:
    """The settlement delay of a seller's payouts (the first seller's own, else the global)."""
    if seller_id == world.refs["sellers"][0]["id"]:
        return NEW_SELLER_SETTLEMENT_DELAY_DAYS
    return SETTLEMENT_DELAY_DAYS


def _payout_thresholds(world: World, payouts: list[dict]) -> dict[str, Decimal]:
    """Sellers with a payout approval threshold of their own (``world.refs``, written as
    ``seller:<id>`` configuration rows by the admin module): when no scheduled payout is over
    the global threshold, the seller of the largest gets a round one under its net."""
    scheduled = [p for p in payouts if p["status"] == "scheduled"]
    overrides: dict[str, Decimal] = {}
    if scheduled and not any(p["net_amount"] > PAYOUT_DUAL_APPROVAL for p in scheduled):
        largest = max(scheduled, key=lambda p: p["net_amount"])
        net = largest["net_amount"]
        threshold = Decimal(10) ** int(math.floor(math.log10(net)))
        if threshold >= net:
            threshold /= 10
        overrides[largest["shopping_mall_seller_id"]] = threshold.quantize(Decimal("0.01"))
    world.refs["payout_thresholds"] = overrides
    return overrides


def _payout_approval(world, payout, sellers, composer, checker) -> None:
    """The ``approve_payout`` request of a payout over its threshold: waiting in the finance
    inbox for a scheduled payout, withdrawn for a canceled one, carried out by the other
    finance manager for one sent (processing, then paid or failed)."""
    net = payout["net_amount"].quantize(Decimal("0.01"))
    seller = sellers[payout["shopping_mall_seller_id"]]["name"]
    words = (payout["payout_number"], seller, net, payout["currency"])
    waiting = payout["status"] == "scheduled"
    withdrawn = payout["status"] == "canceled"
    requested = payout["created_at"]
    decided = None if waiting else world.after(requested, hours=world.rng.uniform(1, 20))
    if payout["processed_at"] and decided >= payout["processed_at"]:
        decided = world.after(requested, hours=1)
    action = world.add(
        "shopping_mall_admin_actions",
        at=requested,
        updated_at=decided or requested,
        requested_by_user_id=composer,
        performed_by_user_id=checker if decided and not withdrawn else None,
        idempotency_key=f"payout-approval:{payout['payout_number']}",
        action_name="approve_payout",
        target_entity_table="shopping_mall_payouts",
        target_entity_id=payout["id"],
        status="pending" if waiting else "canceled" if withdrawn else "executed",
        cancel_reason="withdrawn" if withdrawn else None,
        justification=payouts.approval_justification(*words),
        executed_at=None if withdrawn else decided,
        payload=payouts.approval_payload(*words),
        revision=1,
        approvals_needed=1,
        approver_permission="approvals.finance",
        expires_at=requested + timedelta(hours=states.DEFAULT_APPROVALS_EXPIRY_HOURS),
    )
    requested_audit(world, action, composer, requested)
    if waiting:
        return
    if withdrawn:  # the composer withdrew it with the payout
        audit_walk(world, table="shopping_mall_admin_actions", entity_id=action["id"],
                   column="status", path=["pending", "canceled"], actors=[composer],
                   action="admin_action", start=requested, end=decided,
                   admin_action_id=action["id"])  # fmt: skip
        return
    times = audit_walk(
        world,
        table="shopping_mall_admin_actions",
        entity_id=action["id"],
        column="status",
        path=["pending", "approved", "executed"],
        actors=[checker, checker],
        action="admin_action",
        start=requested,
        end=decided,
        admin_action_id=action["id"],
    )
    decision_given(world, action, composer, checker, times[0])
    audit(
        world,
        actor=checker,
        table="shopping_mall_payouts",
        entity_id=payout["id"],
        action="payout.approved",
        at=decided,
        before={"status": "scheduled"},
        after={"status": "processing", "net_amount": str(net)},
        summary=f"{payout['payout_number']} approved and sent for processing",
        admin_action_id=action["id"],
    )


def _payout(world, seller_id, account, start, end, items, status, actor, delay) -> dict:
    fees = -sum((r["amount"] for r in items if r["entry_type"] in FEE_ENTRIES), ZERO)
    withheld = -sum((r["amount"] for r in items if r["entry_type"] == "reserve_hold"), ZERO)
    net = sum((r["amount"] for r in items), ZERO)
    created = min(world.now, end + timedelta(days=delay))
    if status == "scheduled":
        created = world.ago(hours=world.rng.uniform(1, 48))
    processed = world.after(created, days=2) if status in ("paid", "failed") else None
    payout = world.add(
        "shopping_mall_payouts",
        at=created,
        updated_at=processed or created,
        shopping_mall_seller_id=seller_id,
        shopping_mall_seller_payout_account_id=account["id"],
        payout_number=world.number("PO", created),
        status=status,
        currency="USD",
        period_start=start,
        period_end=end,
        scheduled_for=created + timedelta(days=1),
        processed_at=processed,
        gross_amount=net + fees + withheld,
        fees_amount=fees,
        reserve_withheld=withheld,
        net_amount=net,
        note={
            "failed": "bank rejected the transfer: account closed",
            "canceled": "canceled: payout account under review",
        }.get(status),
    )
    if status == "scheduled":  # its history starts with who composed it
        audit(
            world,
            actor=actor,
            table="shopping_mall_payouts",
            entity_id=payout["id"],
            action="payout.composed",
            at=created,
            before=None,
            after={"status": "scheduled", "gross_amount": str(payout["gross_amount"]),
                   "fees_amount": str(fees), "reserve_withheld": str(withheld),
                   "net_amount": str(net), "currency": "USD"},
            summary=f"{payout['payout_number']} composed",
        )  # fmt: skip
    if status in ("failed", "canceled"):
        audit(
            world,
            actor=actor,
            table="shopping_mall_payouts",
            entity_id=payout["id"],
            action=f"payout.{status}",
            at=processed or created,
            before={
                "status": "processing" if status == "failed" else "scheduled",
                "ledger_entries": [r["id"] for r in items],
            },
            after={"status": status, "ledger_entries": []},
            reason=payout["note"],
        )
        return payout
    for row in items:
        world.add(
            "shopping_mall_payout_items",
            at=created,
            shopping_mall_payout_id=payout["id"],
            shopping_mall_seller_ledger_id=row["id"],
            amount=row["amount"],
        )
    return payout


def _reserves(world: World) -> None:
    """Reserves with their hold and release entries (appended to the ledger events)."""
    events = world.refs["ledger_events"]
    for seller in world.refs["sellers"]:
        if seller["state"] not in ("active", "suspended") or not (
            seller["state"] == "suspended" or world.chance(0.12)
        ):
            continue
        start = world.ago(days=world.rng.randint(20, 150))
        held = Decimal(world.rng.randint(200, 3000))
        released = ZERO
        if seller["state"] == "active" and world.chance(0.5):
            released = held if world.chance(0.6) else Decimal(world.rng.randint(50, int(held) // 2))
        status = "active" if not released else "released" if released == held else (
            "partially_released"
        )  # fmt: skip
        rolling = seller["state"] == "suspended" or world.chance(0.5)
        reserve = world.add(
            "shopping_mall_reserves",
            at=start,
            shopping_mall_seller_id=seller["id"],
            reserve_type="rolling" if rolling else "case_hold",
            policy_reference="risk.reserve.rolling_10" if rolling else "risk.reserve.case_hold",
            reason="elevated chargeback ratio" if seller["state"] == "suspended" else "new seller",
            hold_percent=Decimal("10") if rolling else None,
            hold_amount=held,
            currency="USD",
            status=status,
            start_at=start,
            release_at=start + timedelta(days=90) if rolling else None,
            released_amount=released,
        )
        events.append((seller["id"], start, "reserve_hold", -held, None, None, None, reserve["id"]))
        if released:
            at = min(world.after(start, days=world.rng.randint(5, 19)), world.ago(days=1))
            events.append(
                (seller["id"], at, "reserve_release", released, None, None, None, reserve["id"])
            )
