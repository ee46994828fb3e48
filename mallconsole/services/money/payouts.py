"""Payouts: paying a seller what their ledger owes them, each ledger entry at most once.

A ledger entry is payable when it is in no payout item and occurred more than
``finance.payout.settlement_delay_days`` ago. ``compose_payout`` takes the seller's row lock
(the lock ``ledger.post`` takes too), reads the payable entries of a period, releases reserves
whose date has passed, withholds the rolling reserves' share of the sales, and writes the
payout with one item per entry: ``gross − fees − reserve = net``, where fees are the ``fee`` and
``fee_reversal`` entries, the reserve the ``reserve_hold`` entries and gross everything else.
Two composers for one seller queue on the lock and the second finds nothing left to pay; the
database refuses a second item for one entry anyway (unique ``shopping_mall_seller_ledger_id``).

Lifecycle (``states.PAYOUT_MACHINE``): scheduled → processing → paid or failed; scheduled →
canceled. A payout over ``finance.payout.dual_approval_threshold.<CURRENCY>`` goes to processing
only through an approved ``approve_payout`` request. A failed or canceled payout gives its
entries back: its items are deleted and their list kept in the audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import format_money
from mallconsole.core.text import LIKE_ESCAPE, like_pattern
from mallconsole.models import (
    AdminAction,
    Payout,
    PayoutItem,
    Seller,
    SellerLedgerEntry,
    SellerPayoutAccount,
    utcnow,
)
from mallconsole.services import approvals
from mallconsole.services.kit import audit, numbering, pagination, settings, versions
from mallconsole.services.kit.pagination import QueueCount, SortKey, capped_count, capped_counts
from mallconsole.services.money import reserves

TABLE = "shopping_mall_payouts"
MACHINE = states.PAYOUT_MACHINE
ACTION = "approve_payout"
ZERO = Decimal("0")
FEE_TYPES = ("fee", "fee_reversal")
RESERVE_TYPES = ("reserve_hold",)
NOTE_MAX = 500
STATUS_TONES = {
    "scheduled": "info",
    "processing": "warning",
    "paid": "success",
    "failed": "danger",
    "canceled": "neutral",
}


# --- payable entries and the split ------------------------------------------------------------


def settlement_delay(session, seller_id: str | None = None) -> timedelta:
    """How long an entry waits before it is payable (typed setting, per seller)."""
    days = settings.reader(session).integer(
        states.PAYOUT_SETTLEMENT_DELAY_DAYS, seller_id=seller_id
    )
    return timedelta(days=days)


def _not_paid():
    return ~exists().where(PayoutItem.shopping_mall_seller_ledger_id == SellerLedgerEntry.id)


def payable_statement(seller_id, currency, *, settled_before, period_start=None, period_end=None):
    """The payable entries of a seller in ``currency`` (optionally of a period), oldest first."""
    query = select(SellerLedgerEntry).where(
        SellerLedgerEntry.shopping_mall_seller_id == seller_id,
        SellerLedgerEntry.currency == currency,
        SellerLedgerEntry.deleted_at.is_(None),
        SellerLedgerEntry.occurred_at <= settled_before,
        _not_paid(),
    )
    if period_start is not None:
        query = query.where(SellerLedgerEntry.occurred_at >= period_start)
    if period_end is not None:
        query = query.where(SellerLedgerEntry.occurred_at < period_end)
    return query.order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)


@dataclass(frozen=True)
class Split:
    """``gross − fees − reserve = net`` of a set of entries."""

    gross: Decimal
    fees: Decimal
    reserve: Decimal
    net: Decimal


def split(entries) -> Split:
    fees = -sum((e.amount for e in entries if e.entry_type in FEE_TYPES), ZERO)
    reserve = -sum((e.amount for e in entries if e.entry_type in RESERVE_TYPES), ZERO)
    net = sum((e.amount for e in entries), ZERO)
    return Split(gross=net + fees + reserve, fees=fees, reserve=reserve, net=net)


@dataclass(frozen=True)
class Payable:
    """What a seller could be paid now in one currency."""

    entries: int
    split: Split


def unpaid_total(session, seller_id: str, currency: str) -> Decimal:
    """The sum of a seller's entries in no payout (payable now or later), exact on SQLite too."""
    amounts = session.scalars(
        select(SellerLedgerEntry.amount).where(
            SellerLedgerEntry.shopping_mall_seller_id == seller_id,
            SellerLedgerEntry.currency == currency,
            SellerLedgerEntry.deleted_at.is_(None),
            _not_paid(),
        )
    ).all()
    return sum(amounts, ZERO)


def payable_summary(session, seller_id, currency, *, now=None) -> Payable:
    now = now or utcnow()
    settled = now - settlement_delay(session, seller_id)
    rows = session.scalars(payable_statement(seller_id, currency, settled_before=settled)).all()
    return Payable(len(rows), split(rows))


# --- the payout account ----------------------------------------------------------------------


def payout_account(session, seller: Seller, currency: str) -> SellerPayoutAccount:
    """The seller's verified primary payout account in ``currency``; refused otherwise (422)."""
    account = session.scalars(
        select(SellerPayoutAccount)
        .where(
            SellerPayoutAccount.shopping_mall_seller_id == seller.id,
            SellerPayoutAccount.primary.is_(True),
            SellerPayoutAccount.deleted_at.is_(None),
        )
        .order_by(SellerPayoutAccount.created_at.desc())
        .limit(1)
    ).first()
    if account is None:
        raise ValidationError(
            f"{seller.display_name} has no primary payout account, so nothing can be paid out."
        )
    if account.status != "verified":
        raise ValidationError(
            f"{seller.display_name}'s primary payout account ({account.bank_name or 'bank'} "
            f"{account.account_number_masked}) is not verified. Verify it under Payout accounts "
            "first."
        )
    if account.currency != currency:
        raise ValidationError(
            f"{seller.display_name}'s primary payout account is paid in {account.currency}, "
            f"not {currency}."
        )
    return account


def _still_payable_to(session, payout: Payout) -> None:
    """Money leaves only for the account the payout was composed for, while it is still the
    seller's verified primary account in the payout's currency (409 otherwise)."""
    account = session.get(SellerPayoutAccount, payout.shopping_mall_seller_payout_account_id)
    if (
        account is None
        or account.deleted_at is not None
        or account.status != "verified"
        or not account.primary
        or account.currency != payout.currency
    ):
        raise Conflict(
            f"{payout.payout_number} was composed for a payout account that is no longer the "
            "seller's verified primary account. Cancel it and compose the payout again."
        )


# --- composing --------------------------------------------------------------------------------


def _note(note):
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            f"Keep the note under {NOTE_MAX} characters.",
            field_errors={"note": [f"Keep the note under {NOTE_MAX} characters."]},
        )
    return note or None


def _check_currency(currency: str) -> str:
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError(
            "Choose a currency.", field_errors={"currency": ["Choose a currency."]}
        )
    return currency


def compose_payout(
    session,
    seller_id: str,
    currency: str,
    *,
    actor,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Payout:
    """Pay a seller their payable entries of a period (all periods when not given)."""
    now = now or utcnow()
    currency = _check_currency(currency)
    note = _note(note)
    if period_start and period_end and period_start >= period_end:
        raise ValidationError(
            "The period must end after it starts.",
            field_errors={"period_end": ["The period must end after it starts."]},
        )
    seller = versions.lock(session, Seller, seller_id, what="seller")
    account = payout_account(session, seller, currency)
    settled_before = now - settlement_delay(session, seller.id)
    entries = list(
        session.scalars(
            payable_statement(
                seller.id,
                currency,
                settled_before=settled_before,
                period_start=period_start,
                period_end=period_end,
            )
        ).all()
    )
    if not entries:
        days = settlement_delay(session, seller.id).days
        raise Conflict(
            f"{seller.display_name} has no payable {currency} entries in this period: entries "
            f"become payable {days} days after they occur, and each is paid once."
        )
    # Releases due now and the rolling reserves' share are written now, for this payout.
    sales = sum((e.amount for e in entries if e.entry_type == "sale"), ZERO)
    released = reserves.release_due(session, seller.id, currency, now=now)
    withheld = reserves.withhold_for_payout(session, seller.id, currency, sales, now=now)
    entries += [entry for _, entry in released] + [entry for _, entry in withheld]
    parts = split(entries)
    if parts.net <= ZERO:
        raise Conflict(
            f"{seller.display_name}'s payable {currency} entries come to "
            f"{format_money(parts.net, currency, code=True)}: "
            "there is nothing to pay out."
        )
    payout = Payout(
        shopping_mall_seller_id=seller.id,
        shopping_mall_seller_payout_account_id=account.id,
        payout_number=numbering.next_number(session, "PO", at=now),
        status="scheduled",
        currency=currency,
        period_start=period_start or min(e.occurred_at for e in entries),
        period_end=period_end or min(settled_before, now),
        scheduled_for=now,
        gross_amount=parts.gross,
        fees_amount=parts.fees,
        reserve_withheld=parts.reserve,
        net_amount=parts.net,
        note=note,
    )
    session.add(payout)
    try:
        with session.begin_nested():
            session.flush()  # the items name the payout
            session.add_all(
                PayoutItem(
                    shopping_mall_payout_id=payout.id,
                    shopping_mall_seller_ledger_id=e.id,
                    amount=e.amount,
                )
                for e in entries
            )
            session.flush()
    except IntegrityError as error:
        raise Conflict(
            f"Some of {seller.display_name}'s entries were just paid in another payout. "
            "Reload and compose again."
        ) from error
    for reserve, _ in released:
        reserve.released_shopping_mall_payout_id = payout.id
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=payout.id,
        action="payout.composed",
        summary=f"{payout.payout_number} composed for {seller.display_name}",
        reason=note,
        before=None,
        after={
            "status": "scheduled",
            "gross_amount": parts.gross,
            "fees_amount": parts.fees,
            "reserve_withheld": parts.reserve,
            "net_amount": parts.net,
            "currency": currency,
            "ledger_entries": [e.id for e in entries],
        },
    )
    if needs_approval(session, payout):
        _request_approval(session, payout, seller, actor=actor)
    return payout


def needs_approval(session, payout: Payout) -> bool:
    return settings.needs_dual_approval(
        settings.reader(session),
        "payout",
        payout.net_amount,
        payout.currency,
        seller_id=payout.shopping_mall_seller_id,
    )


def approval_payload(payout_number: str, seller: str, net: Decimal, currency: str) -> dict:
    """The change an ``approve_payout`` request asks for: the payout sent, and how much."""
    net = str(reserves.quantize(net, currency))
    return {
        "before": {"status": "scheduled", "sent": None},
        "after": {"status": "processing", "sent": net},
        "payout": payout_number,
        "seller": seller,
        "net_amount": net,
        "currency": currency,
        "labels": {"status": "Payout", "sent": "Net amount to send"},
        "amounts": ["sent"],
    }


def approval_justification(payout_number: str, seller: str, net: Decimal, currency: str) -> str:
    """Why the request is asked for, in words: ``Pay USD 6,250.22 to …``."""
    return (
        f"Pay {format_money(reserves.quantize(net, currency), currency, code=True)} to {seller} "
        f"({payout_number}): "
        "over the payout approval threshold."
    )


def _request_approval(session, payout: Payout, seller: Seller, *, actor) -> AdminAction:
    words = (payout.payout_number, seller.display_name, payout.net_amount, payout.currency)
    return approvals.request_approval(
        session,
        ACTION,
        TABLE,
        payout.id,
        approval_payload(*words),
        approval_justification(*words),
        actor=actor,
    ).action


@dataclass
class BatchResult:
    """What a batch composition did: the payouts written and the sellers left out, and why."""

    composed: list[Payout] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def eligible_sellers(session, currency: str, *, now=None) -> list[str]:
    """Sellers with a payable entry in ``currency`` (by the global settlement delay)."""
    now = now or utcnow()
    settled = now - settlement_delay(session)
    return list(
        session.scalars(
            select(SellerLedgerEntry.shopping_mall_seller_id)
            .where(
                SellerLedgerEntry.currency == currency,
                SellerLedgerEntry.deleted_at.is_(None),
                SellerLedgerEntry.occurred_at <= settled,
                _not_paid(),
            )
            .distinct()
        ).all()
    )


def compose_all(session, currency: str, *, actor, now=None) -> BatchResult:
    """Compose a payout for every seller with payable entries; one refusal skips one seller."""
    now = now or utcnow()
    currency = _check_currency(currency)
    result = BatchResult()
    names = dict(session.execute(select(Seller.id, Seller.display_name)).all())
    for seller_id in sorted(eligible_sellers(session, currency, now=now), key=names.get):
        try:
            with session.begin_nested():
                result.composed.append(
                    compose_payout(session, seller_id, currency, actor=actor, now=now)
                )
        except (Conflict, ValidationError, NotFound) as refused:
            result.skipped.append((names.get(seller_id, "A seller"), refused.message))
    return result


# --- the lifecycle ----------------------------------------------------------------------------


def get_payout(session, payout_id: str) -> Payout:
    payout = session.get(Payout, payout_id)
    if payout is None:
        payout = session.scalars(select(Payout).where(Payout.payout_number == payout_id)).first()
    if payout is None or payout.deleted_at is not None:
        raise NotFound("That payout does not exist.")
    return payout


def _locked(session, payout_id: str, expected_version: int | None) -> Payout:
    payout = versions.lock(session, Payout, get_payout(session, payout_id).id, what="payout")
    if expected_version is not None:
        versions.check_version(session, payout, expected_version, entity_table=TABLE)
    return payout


def _move(session, payout, target, *, actor, action, summary, reason=None, extra_before=None,
          extra_after=None, admin_action=None):  # fmt: skip
    states.check_move(MACHINE, payout.status, target)
    before = {"status": payout.status, "version": payout.version, **(extra_before or {})}
    payout.status = target
    payout.version += 1
    payout.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=payout.id,
        action=action,
        summary=summary,
        reason=reason,
        before=before,
        after={"status": target, "version": payout.version, **(extra_after or {})},
        admin_action=admin_action,
    )


def open_approval(session, payout: Payout) -> AdminAction | None:
    """The newest approval request of this payout (any status), or None."""
    return session.scalars(
        select(AdminAction)
        .where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == TABLE,
            AdminAction.target_entity_id == payout.id,
        )
        .order_by(AdminAction.created_at.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Started:
    payout: Payout
    approval: AdminAction | None  # asked for instead of starting


def start_processing(session, payout_id: str, *, expected_version: int, actor) -> Started:
    """Send a scheduled payout to the bank; over the threshold, ask for approval instead."""
    payout = _locked(session, payout_id, expected_version)
    states.check_move(MACHINE, payout.status, "processing")
    _still_payable_to(session, payout)
    if needs_approval(session, payout):
        action = open_approval(session, payout)
        if action is not None and action.status in ("pending", "approved"):
            raise Conflict(
                f"{payout.payout_number} is over the approval threshold and waits for a second "
                "finance manager in the approvals inbox."
            )
        seller = session.get(Seller, payout.shopping_mall_seller_id)
        return Started(payout, _request_approval(session, payout, seller, actor=actor))
    _move(
        session, payout, "processing", actor=actor, action="payout.processing",
        summary=f"{payout.payout_number} sent for processing",
    )  # fmt: skip
    payout.processed_at = None
    return Started(payout, None)


def mark_paid(session, payout_id: str, *, expected_version: int, actor) -> Payout:
    """The bank confirmed the transfer."""
    payout = _locked(session, payout_id, expected_version)
    _move(
        session, payout, "paid", actor=actor, action="payout.paid",
        summary=f"{payout.payout_number} paid",
    )  # fmt: skip
    payout.processed_at = utcnow()
    return payout


def _give_back(session, payout: Payout) -> list[str]:
    items = session.scalars(
        select(PayoutItem)
        .where(PayoutItem.shopping_mall_payout_id == payout.id)
        .order_by(PayoutItem.created_at, PayoutItem.id)
    ).all()
    ids = [item.shopping_mall_seller_ledger_id for item in items]
    for item in items:
        session.delete(item)
    session.flush()
    return ids


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why.", field_errors={"reason": ["Say why."]})
    if len(reason) > NOTE_MAX:
        raise ValidationError(
            f"Keep the reason under {NOTE_MAX} characters.",
            field_errors={"reason": [f"Keep the reason under {NOTE_MAX} characters."]},
        )
    return reason


def _end_and_give_back(session, payout_id, target, *, expected_version, reason, actor) -> Payout:
    reason = _reason(reason)
    payout = _locked(session, payout_id, expected_version)
    states.check_move(MACHINE, payout.status, target)
    if target == "canceled":
        action = open_approval(session, payout)
        if action is not None and action.status == "pending":
            if action.requested_by_user_id != actor.id:
                raise Conflict(
                    f"{payout.payout_number} waits for approval asked by someone else: reject "
                    "that request in the approvals inbox first."
                )
            approvals.withdraw(session, action.id, actor=actor)
    # The seller's lock orders this with compositions that might take the entries back.
    versions.lock(session, Seller, payout.shopping_mall_seller_id, what="seller")
    given_back = _give_back(session, payout)
    words = "failed" if target == "failed" else "canceled"
    _move(
        session, payout, target, actor=actor, action=f"payout.{target}",
        summary=f"{payout.payout_number} {words}; {len(given_back)} ledger entries given back",
        reason=reason, extra_before={"ledger_entries": given_back},
        extra_after={"ledger_entries": []},
    )  # fmt: skip
    payout.note = reason
    if target == "failed":
        payout.processed_at = utcnow()
    return payout


def mark_failed(session, payout_id, *, expected_version, reason, actor) -> Payout:
    """The bank refused the transfer: the entries are payable again."""
    return _end_and_give_back(
        session, payout_id, "failed", expected_version=expected_version, reason=reason, actor=actor
    )


def cancel_payout(session, payout_id, *, expected_version, reason, actor) -> Payout:
    """Withdraw a scheduled payout: the entries are payable again."""
    return _end_and_give_back(
        session, payout_id, "canceled", expected_version=expected_version, reason=reason,
        actor=actor,
    )  # fmt: skip


def carry_out(session, action: AdminAction, *, actor) -> str:
    payout = session.get(Payout, action.target_entity_id or "")
    if payout is None:
        raise Conflict("The payout of this request no longer exists.")
    payout = versions.lock(session, Payout, payout.id, what="payout")
    if payout.status != "scheduled":
        raise Conflict(
            f"{payout.payout_number} is {states.label(MACHINE, payout.status).lower()} now, so it "
            "cannot be sent for processing. Reject this request."
        )
    expected = (action.payload or {}).get("net_amount")
    if expected is not None and Decimal(expected) != payout.net_amount:
        raise Conflict(f"{payout.payout_number}'s amount changed after this was asked for.")
    _still_payable_to(session, payout)
    _move(
        session, payout, "processing", actor=actor, action="payout.approved",
        summary=f"{payout.payout_number} approved and sent for processing",
        extra_after={"net_amount": payout.net_amount}, admin_action=action,
    )  # fmt: skip
    return f"{payout.payout_number} approved: it is being processed."


def payout_labels(session, ids):
    rows = session.execute(
        select(Payout.id, Payout.payout_number, Seller.display_name)
        .join(Seller, Seller.id == Payout.shopping_mall_seller_id)
        .where(Payout.id.in_(ids))
    ).all()
    return {i: f"{number} — {name}" for i, number, name in rows}


# --- reading ----------------------------------------------------------------------------------

PAYOUT_ID = Payout.id
PAYOUT_SORTS = (
    SortKey("created", "Composed", Payout.created_at, kind=datetime),
    SortKey("net", "Net amount", Payout.net_amount, kind=Decimal),
    SortKey("number", "Number", Payout.payout_number),
)


@dataclass(frozen=True)
class PayoutRow:
    payout: Payout
    seller: str

    @property
    def status_label(self) -> str:
        return states.label(MACHINE, self.payout.status)

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.payout.status, "neutral")


def payout_statement(filters: dict):
    query = select(Payout, Seller.display_name).join(
        Seller, Seller.id == Payout.shopping_mall_seller_id
    )
    query = query.where(Payout.deleted_at.is_(None))
    if filters.get("status"):
        query = query.where(Payout.status == filters["status"])
    if filters.get("currency"):
        query = query.where(Payout.currency == filters["currency"])
    if filters.get("seller"):
        query = query.where(Payout.shopping_mall_seller_id == filters["seller"])
    if filters.get("q"):
        text = like_pattern(filters["q"].strip())
        query = query.where(
            or_(
                Payout.payout_number.ilike(text, escape=LIKE_ESCAPE),
                Seller.display_name.ilike(text, escape=LIKE_ESCAPE),
            )
        )
    if filters.get("since"):
        query = query.where(Payout.created_at >= filters["since"])
    if filters.get("until"):
        query = query.where(Payout.created_at < filters["until"])
    return query


def payout_page(session, filters, ordering, *, cursor, limit):
    return pagination.pair_page(
        session, payout_statement(filters), ordering, cursor=cursor, limit=limit, wrap=PayoutRow
    )


def count_payouts(session, filters):
    ids = payout_statement(filters).with_only_columns(Payout.id)
    return capped_count(session, ids)


def counts_by_state(session) -> list[tuple[str, str, QueueCount]]:
    """Every payout state in the machine's order: its code, its label and how many payouts are
    in it (exact to the cap, one statement)."""
    live = select(Payout.id).where(Payout.deleted_at.is_(None))
    counts, _ = capped_counts(session, {s: live.where(Payout.status == s) for s in states.PAYOUT})
    return [(s, states.label(MACHINE, s), counts[s]) for s in states.PAYOUT]


def waiting_for_approval(session, payout_ids) -> dict[str, AdminAction]:
    """Of ``payout_ids``, those over the threshold waiting for a second finance manager: their
    open ``approve_payout`` request, by payout id (one query)."""
    return approvals.open_requests(session, ACTION, TABLE, payout_ids)


def paid_to_account(session, payout: Payout) -> SellerPayoutAccount | None:
    """The payout account ``payout`` was composed for."""
    return session.get(SellerPayoutAccount, payout.shopping_mall_seller_payout_account_id)


@dataclass(frozen=True)
class ItemRow:
    item: PayoutItem
    entry: SellerLedgerEntry


def payout_items(session, payout_id: str) -> list[ItemRow]:
    rows = session.execute(
        select(PayoutItem, SellerLedgerEntry)
        .join(SellerLedgerEntry, SellerLedgerEntry.id == PayoutItem.shopping_mall_seller_ledger_id)
        .where(PayoutItem.shopping_mall_payout_id == payout_id)
        .order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
    ).all()
    return [ItemRow(item, entry) for item, entry in rows]


def given_back_entries(session, payout: Payout) -> list[SellerLedgerEntry]:
    """The entries a failed or canceled payout gave back (read from its audit event)."""
    if payout.status not in states.PAYOUT_GIVES_ENTRIES_BACK:
        return []
    ids = []
    for entry in audit.history(session, TABLE, payout.id):
        if entry.event.action == f"payout.{payout.status}":
            ids = ((entry.event.changes or {}).get("before") or {}).get("ledger_entries") or []
            break
    if not ids:
        return []
    return list(
        session.scalars(
            select(SellerLedgerEntry)
            .where(SellerLedgerEntry.id.in_(ids))
            .order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
        ).all()
    )


def seller_payouts(session, seller_id: str, *, limit: int = 10) -> list[Payout]:
    return list(
        session.scalars(
            select(Payout)
            .where(Payout.shopping_mall_seller_id == seller_id, Payout.deleted_at.is_(None))
            .order_by(Payout.created_at.desc(), Payout.id)
            .limit(limit)
        ).all()
    )


def payout_sums_hold(payout: Payout, items: list[ItemRow]) -> bool:
    """Whether the payout's amounts are the split of its items (for the screen's check)."""
    if payout.status in states.PAYOUT_GIVES_ENTRIES_BACK:
        return True
    parts = split([row.entry for row in items])
    return (
        parts.gross == payout.gross_amount
        and parts.fees == payout.fees_amount
        and parts.reserve == payout.reserve_withheld
        and parts.net == payout.net_amount
        and payout.gross_amount - payout.fees_amount - payout.reserve_withheld == payout.net_amount
    )
