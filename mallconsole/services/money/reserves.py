"""Reserves: money of a seller's balance held back against risk, and given back later.

A case hold holds a fixed amount at once; a rolling reserve holds a fixed amount at once, a
percentage of each payout's sales, or both. Every movement is a ledger entry written through
``ledger.post``: ``reserve_hold`` (a debit) when money is held, ``reserve_release`` (a credit)
when it is given back — directly, through a payout (the composition releases reserves whose
release date has passed), or to cover a lost chargeback. ``hold_amount`` is what was held in
all, ``released_amount`` what was given back; the difference is what the reserve still holds.
Its status (``states.RESERVE_MACHINE``, checked on every change): ``active`` (holding) until a
release, then ``partially_released``, and ``released`` once it holds nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select

from mallconsole.core import money, states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import currency_digits, format_money
from mallconsole.models import Reserve, Seller, SellerLedgerEntry, utcnow
from mallconsole.services.kit import audit, versions
from mallconsole.services.money import ledger

MACHINE = states.RESERVE_MACHINE
TABLE = MACHINE.table
ZERO = Decimal("0")
REASON_MAX = 500
TYPE_LABELS = {"rolling": "Rolling reserve", "case_hold": "Case hold"}
STATUS_LABELS = {
    "active": "Holding",
    "partially_released": "Partly released",
    "released": "Released",
}
STATUS_TONES = {"active": "warning", "partially_released": "info", "released": "neutral"}


AMOUNT_LIMIT = Decimal("1000000000000")  # a typed amount's ceiling (the columns hold far more)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` in the currency's minor unit (KRW none, USD cents), half up."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)), ROUND_HALF_UP)


def parse_amount(raw, currency: str, *, field_name: str = "amount", required=True):
    """A positive amount typed by a person in their locale, exact in the currency's minor unit
    (422 otherwise); ``core.money.parse_amount`` reads it."""
    try:
        value = money.parse_amount(raw, currency)
    except money.AmountError as error:
        raise ValidationError(error.message, field_errors={field_name: [error.message]}) from None
    if value is None:
        if required:
            raise ValidationError(
                "Enter an amount.", field_errors={field_name: ["Enter an amount."]}
            )
        return None
    if value <= 0:
        message = f"Enter an amount greater than zero, like {money.amount_example(currency)}."
        raise ValidationError(message, field_errors={field_name: [message]})
    if value >= AMOUNT_LIMIT:
        message = f"Enter an amount under {format_money(AMOUNT_LIMIT, currency, code=True)}."
        raise ValidationError(message, field_errors={field_name: [message]})
    return value


def parse_percent(raw) -> Decimal | None:
    """A percentage typed by a person (``10``, ``7.5``, ``10 %``), at most four decimal places;
    None when empty, 422 on ``percent`` otherwise."""
    text = (raw or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
        exact = value.is_finite() and value == value.quantize(Decimal("0.0001"))
    except InvalidOperation:  # not a number, or too many digits to be a percentage
        exact = False
    if not exact:
        message = "Enter a percentage like 10 or 7.5."
        raise ValidationError(message, field_errors={"percent": [message]})
    return value


def remaining(reserve: Reserve) -> Decimal:
    """What the reserve still holds."""
    return (reserve.hold_amount or ZERO) - (reserve.released_amount or ZERO)


def get_reserve(session, reserve_id: str) -> Reserve:
    reserve = session.get(Reserve, reserve_id)
    if reserve is None or reserve.deleted_at is not None:
        raise NotFound("That reserve does not exist.")
    return reserve


@dataclass(frozen=True)
class ReserveRow:
    reserve: Reserve

    @property
    def remaining(self) -> Decimal:
        return remaining(self.reserve)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(
            self.reserve.reserve_type, states.in_words(self.reserve.reserve_type)
        )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.reserve.status, states.in_words(self.reserve.status))

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.reserve.status, "neutral")


def seller_reserves(session, seller_id: str, currency: str | None = None) -> list[ReserveRow]:
    """A seller's reserves, holding ones first, newest first."""
    query = select(Reserve).where(
        Reserve.shopping_mall_seller_id == seller_id, Reserve.deleted_at.is_(None)
    )
    if currency:
        query = query.where(Reserve.currency == currency)
    rows = session.scalars(query.order_by(Reserve.start_at.desc(), Reserve.id)).all()
    rows = sorted(rows, key=lambda r: r.status == "released")
    return [ReserveRow(r) for r in rows]


def _text(value, what, field_name, *, required):
    value = (value or "").strip()
    if required and not value:
        message = f"Give the {what}."
        raise ValidationError(message, field_errors={field_name: [message]})
    if len(value) > REASON_MAX:
        message = f"Keep the {what} under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={field_name: [message]})
    return value or None


def _snapshot(reserve: Reserve) -> dict:
    return {
        "status": reserve.status,
        "hold_amount": reserve.hold_amount,
        "released_amount": reserve.released_amount,
        "currency": reserve.currency,
    }


def place_reserve(
    session,
    *,
    seller_id: str,
    currency: str,
    reserve_type: str,
    amount: Decimal | None,
    percent: Decimal | None,
    reason: str,
    policy_reference: str | None,
    release_at: datetime | None = None,
    order_id: str | None = None,
    actor,
    now: datetime | None = None,
) -> Reserve:
    """Hold money of a seller: ``amount`` at once (a ``reserve_hold`` entry) and/or, for a
    rolling reserve, ``percent`` of each payout's sales."""
    now = now or utcnow()
    if reserve_type not in states.RESERVE_TYPES:
        raise ValidationError(
            "Choose a case hold or a rolling reserve.",
            field_errors={"reserve_type": ["Choose a case hold or a rolling reserve."]},
        )
    reason = _text(reason, "reason", "reason", required=True)
    policy_reference = _text(
        policy_reference, "policy reference", "policy_reference", required=True
    )
    if percent is not None and not (ZERO < percent <= Decimal("100")):
        message = "A percentage is more than 0 and at most 100."
        raise ValidationError(message, field_errors={"percent": [message]})
    if reserve_type == "case_hold" and amount is None:
        message = "A case hold holds an amount: enter it."
        raise ValidationError(message, field_errors={"amount": [message]})
    if reserve_type == "case_hold" and percent is not None:
        message = "A case hold holds a fixed amount; a percentage is for rolling reserves."
        raise ValidationError(message, field_errors={"percent": [message]})
    if amount is None and percent is None:
        message = "Enter an amount to hold, a percentage of each payout, or both."
        raise ValidationError(message, field_errors={"amount": [message]})
    if release_at is not None and release_at <= now:
        message = "The release date must be in the future."
        raise ValidationError(message, field_errors={"release_at": [message]})
    seller = versions.lock(session, Seller, seller_id, what="seller")
    reserve = Reserve(
        shopping_mall_seller_id=seller.id,
        shopping_mall_order_id=order_id,
        reserve_type=reserve_type,
        policy_reference=policy_reference,
        reason=reason,
        hold_percent=percent,
        hold_amount=ZERO,
        currency=currency.upper(),
        status="active",
        start_at=now,
        release_at=release_at,
        released_amount=ZERO,
    )
    session.add(reserve)
    session.flush()  # the entry names the reserve
    if amount is not None:
        _hold(session, reserve, amount, note=reason)
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=reserve.id,
        action="reserve.placed",
        summary=f"{TYPE_LABELS[reserve_type]} placed on {seller.display_name}",
        reason=reason,
        before=None,
        after={
            **_snapshot(reserve),
            "reserve_type": reserve_type,
            "hold_percent": percent,
            "policy_reference": policy_reference,
            "release_at": release_at,
        },
    )
    return reserve


def _hold(session, reserve: Reserve, amount: Decimal, *, note: str | None) -> SellerLedgerEntry:
    # A hold changes only a released reserve's state: it holds again, partly released.
    target = "partially_released" if reserve.status == "released" else None
    if target is not None:
        states.check_move(MACHINE, reserve.status, target)
    entry = ledger.post(
        session,
        seller_id=reserve.shopping_mall_seller_id,
        currency=reserve.currency,
        amount=-amount,
        entry_type="reserve_hold",
        source_type="reserve",
        source_reference=reserve.id,
        order_id=reserve.shopping_mall_order_id,
        note=note,
    )
    reserve.hold_amount = (reserve.hold_amount or ZERO) + amount
    if target is not None:
        reserve.status = target
    reserve.updated_at = utcnow()
    return entry


def _release(session, reserve: Reserve, amount: Decimal, *, note: str | None) -> SellerLedgerEntry:
    target = "released" if remaining(reserve) - amount <= ZERO else "partially_released"
    states.check_move(MACHINE, reserve.status, target)  # before any money moves
    entry = ledger.post(
        session,
        seller_id=reserve.shopping_mall_seller_id,
        currency=reserve.currency,
        amount=amount,
        entry_type="reserve_release",
        source_type="reserve",
        source_reference=reserve.id,
        order_id=reserve.shopping_mall_order_id,
        note=note,
    )
    reserve.released_amount = (reserve.released_amount or ZERO) + amount
    reserve.status = target
    reserve.updated_at = utcnow()
    return entry


def release_reserve(
    session, reserve_id: str, *, amount: Decimal | None, reason: str, actor
) -> SellerLedgerEntry:
    """Give back ``amount`` (all it still holds when None) to the seller's balance."""
    reason = _text(reason, "reason", "reason", required=True)
    reserve = get_reserve(session, reserve_id)
    versions.lock(session, Seller, reserve.shopping_mall_seller_id, what="seller")
    reserve = versions.lock(session, Reserve, reserve_id, what="reserve")
    held = remaining(reserve)
    if held <= ZERO:
        raise Conflict("This reserve holds nothing any more: it was released in full.")
    amount = held if amount is None else amount
    if amount > held:
        message = f"This reserve holds only {format_money(held, reserve.currency, code=True)}."
        raise ValidationError(message, field_errors={"amount": [message]})
    before = _snapshot(reserve)
    entry = _release(session, reserve, amount, note=reason)
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=reserve.id,
        action="reserve.released",
        summary=f"Released {format_money(amount, reserve.currency, code=True)} of a reserve",
        reason=reason,
        before=before,
        after={**_snapshot(reserve), "ledger_entry": entry.id},
    )
    return entry


# --- used by payouts and chargebacks (their caller holds the seller's lock and audits) ----------


def withhold_for_payout(session, seller_id: str, currency: str, sales: Decimal, *, now):
    """Rolling reserves holding a percentage: hold their share of ``sales``; the entries."""
    if sales <= ZERO:
        return []
    entries = []
    for reserve in session.scalars(
        select(Reserve)
        .where(
            Reserve.shopping_mall_seller_id == seller_id,
            Reserve.currency == currency,
            Reserve.deleted_at.is_(None),
            Reserve.reserve_type == "rolling",
            Reserve.hold_percent.is_not(None),
            Reserve.status != "released",
        )
        .order_by(Reserve.start_at, Reserve.id)
        .with_for_update()
    ):
        if reserve.release_at is not None and reserve.release_at <= now:
            continue  # due for release: it holds nothing more
        share = quantize(sales * reserve.hold_percent / Decimal(100), currency)
        if share > ZERO:
            entries.append(
                (reserve, _hold(session, reserve, share, note=f"{reserve.hold_percent}% of sales"))
            )
    return entries


def release_due(session, seller_id: str, currency: str, *, now):
    """Reserves whose release date has passed: release what they hold; the entries."""
    entries = []
    for reserve in session.scalars(
        select(Reserve)
        .where(
            Reserve.shopping_mall_seller_id == seller_id,
            Reserve.currency == currency,
            Reserve.deleted_at.is_(None),
            Reserve.status != "released",
            Reserve.release_at.is_not(None),
            Reserve.release_at <= now,
        )
        .order_by(Reserve.release_at, Reserve.id)
        .with_for_update()
    ):
        held = remaining(reserve)
        if held > ZERO:
            entries.append((reserve, _release(session, reserve, held, note="Release date reached")))
        else:  # it holds nothing (e.g. a percentage that never withheld any)
            states.check_move(MACHINE, reserve.status, "released")
            reserve.status = "released"
    return entries


def draw_for_chargeback(session, reserve_id: str, seller_id: str, amount: Decimal, *, note: str):
    """Cover up to ``amount`` of a lost chargeback from a reserve; the entry (None if empty)."""
    reserve = versions.lock(session, Reserve, reserve_id, what="reserve")
    if reserve.shopping_mall_seller_id != seller_id:
        raise ValidationError(
            "That reserve belongs to another seller.",
            field_errors={"reserve": ["That reserve belongs to another seller."]},
        )
    drawn = min(amount, remaining(reserve))
    if drawn <= ZERO:
        raise ValidationError(
            "That reserve holds nothing any more.",
            field_errors={"reserve": ["That reserve holds nothing any more."]},
        )
    before = _snapshot(reserve)
    entry = _release(session, reserve, drawn, note=note)
    return reserve, entry, before
