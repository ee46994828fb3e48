"""Chargebacks: a customer's bank takes a payment back; the seller answers with evidence.

States (``states.CHARGEBACK_MACHINE``): open → under_review (evidence sent) → won or lost; open →
lost when the response deadline (``respond_by``) passed without an answer. The seller's ledger
carries the money: the provider usually withdraws the amount when the dispute opens (a
``chargeback`` entry then already exists); a lost chargeback is debited if it was not yet
(drawing on one of the seller's reserves when asked: a ``reserve_release`` covers what the
reserve holds), and a won one gives back what was debited (``chargeback_reversal``). Each
chargeback is debited at most once and restored at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, extract, func, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import format_money
from mallconsole.models import Chargeback, Order, Seller, SellerLedgerEntry, utcnow
from mallconsole.services.kit import audit, pagination, versions
from mallconsole.services.kit.pagination import SortKey, capped_count
from mallconsole.services.money import ledger, reserves

TABLE = "shopping_mall_chargebacks"
MACHINE = states.CHARGEBACK_MACHINE
ZERO = Decimal("0")
NOTE_MAX = 2000
OPEN_STATES = ("open", "under_review")
STATUS_TONES = {"open": "info", "under_review": "warning", "won": "success", "lost": "danger"}
REASON_LABELS = {
    "fraudulent": "Fraudulent",
    "product_not_received": "Product not received",
    "not_as_described": "Not as described",
    "duplicate": "Duplicate charge",
}


def get_chargeback(session, chargeback_id: str) -> Chargeback:
    found = session.get(Chargeback, chargeback_id)
    if found is None:
        found = session.scalars(
            select(Chargeback).where(Chargeback.provider_reference == chargeback_id)
        ).first()
    if found is None or found.deleted_at is not None:
        raise NotFound("That chargeback does not exist.")
    return found


def order_of(session, chargeback: Chargeback) -> Order | None:
    """The order ``chargeback`` disputes, when it names one."""
    return session.get(Order, chargeback.shopping_mall_order_id or "")


def entries_of(session, chargeback_id: str) -> list[SellerLedgerEntry]:
    return list(
        session.scalars(
            select(SellerLedgerEntry)
            .where(
                SellerLedgerEntry.shopping_mall_chargeback_id == chargeback_id,
                SellerLedgerEntry.deleted_at.is_(None),
            )
            .order_by(SellerLedgerEntry.occurred_at, SellerLedgerEntry.id)
        ).all()
    )


def debited(session, chargeback: Chargeback) -> tuple[Decimal, Decimal]:
    """(debited, restored) so far on the seller's ledger, both as positive amounts."""
    debit = restore = ZERO
    for entry in entries_of(session, chargeback.id):
        if entry.entry_type == "chargeback":
            debit -= entry.amount
        elif entry.entry_type == "chargeback_reversal":
            restore += entry.amount
    return debit, restore


def _snapshot(chargeback: Chargeback) -> dict:
    return {"status": chargeback.status, "version": chargeback.version}


def _locked(session, chargeback_id, expected_version) -> Chargeback:
    found = get_chargeback(session, chargeback_id)
    # Seller first, as ledger.post does, so a decision never waits in the other order.
    versions.lock(session, Seller, found.shopping_mall_seller_id, what="seller")
    found = versions.lock(session, Chargeback, found.id, what="chargeback")
    versions.check_version(session, found, expected_version, entity_table=TABLE)
    return found


def _note(text, *, required=False):
    text = (text or "").strip()
    if required and not text:
        raise ValidationError("Write the note.", field_errors={"note": ["Write the note."]})
    if len(text) > NOTE_MAX:
        message = f"Keep the note under {NOTE_MAX} characters."
        raise ValidationError(message, field_errors={"note": [message]})
    return text or None


def _append(chargeback: Chargeback, text: str, *, actor, now) -> None:
    who = actor.email
    line = f"[{now:%Y-%m-%d %H:%M} UTC, {who}] {text}"
    chargeback.notes = f"{chargeback.notes}\n\n{line}" if chargeback.notes else line


def _finish(session, chargeback, target, before, *, actor, action, summary, reason, extra=None):
    chargeback.status = target
    chargeback.version += 1
    chargeback.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=chargeback.id,
        action=action,
        summary=summary,
        reason=reason,
        before=before,
        after={**_snapshot(chargeback), **(extra or {})},
    )


def start_review(session, chargeback_id, *, expected_version, note, actor, now=None):
    """Evidence was sent to the provider: open → under review."""
    now = now or utcnow()
    note = _note(note, required=True)
    chargeback = _locked(session, chargeback_id, expected_version)
    states.check_move(MACHINE, chargeback.status, "under_review")
    before = _snapshot(chargeback)
    chargeback.responded_at = now
    _append(chargeback, f"Evidence sent: {note}", actor=actor, now=now)
    _finish(session, chargeback, "under_review", before, actor=actor,
            action="chargeback.responded", summary="Evidence sent; under review",
            reason=note)  # fmt: skip
    return chargeback


def add_note(session, chargeback_id, *, expected_version, note, actor, now=None):
    """An evidence note (what was sent, what the provider said)."""
    now = now or utcnow()
    note = _note(note, required=True)
    chargeback = _locked(session, chargeback_id, expected_version)
    before = {"version": chargeback.version}
    _append(chargeback, note, actor=actor, now=now)
    chargeback.version += 1
    chargeback.updated_at = now
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=chargeback.id,
        action="chargeback.noted",
        summary="Evidence note added",
        reason=note,
        before=before,
        after={"version": chargeback.version},
    )
    return chargeback


def mark_won(session, chargeback_id, *, expected_version, note=None, actor, now=None):
    """The provider decided for the seller: give back what was debited."""
    now = now or utcnow()
    note = _note(note)
    chargeback = _locked(session, chargeback_id, expected_version)
    states.check_move(MACHINE, chargeback.status, "won")
    before = _snapshot(chargeback)
    debit, restore = debited(session, chargeback)
    entry = None
    if debit - restore > ZERO:
        entry = ledger.post(
            session,
            seller_id=chargeback.shopping_mall_seller_id,
            currency=chargeback.currency,
            amount=debit - restore,
            entry_type="chargeback_reversal",
            source_type="chargeback",
            order_id=chargeback.shopping_mall_order_id,
            chargeback_id=chargeback.id,
            note="Chargeback won",
        )
    chargeback.closed_at = now
    if note:
        _append(chargeback, f"Won: {note}", actor=actor, now=now)
    restored = ""
    if entry:
        restored = f"; {format_money(entry.amount, entry.currency, code=True)} restored"
    _finish(session, chargeback, "won", before, actor=actor, action="chargeback.won",
            summary="Chargeback won" + restored,
            reason=note, extra={"ledger_entry": entry.id if entry else None})  # fmt: skip
    return chargeback


def mark_lost(session, chargeback_id, *, expected_version, note=None, reserve_id=None, actor,
              now=None):  # fmt: skip
    """The provider decided for the customer (or the deadline passed unanswered): the seller
    bears the amount, covered by a reserve when one is named."""
    now = now or utcnow()
    note = _note(note)
    chargeback = _locked(session, chargeback_id, expected_version)
    states.check_move(MACHINE, chargeback.status, "lost")
    if chargeback.status == "open" and (
        chargeback.respond_by is None or chargeback.respond_by > now
    ):
        raise Conflict(
            "An open chargeback is lost only once its response deadline has passed. Send the "
            "evidence (under review) or wait for the deadline."
        )
    before = _snapshot(chargeback)
    debit, _ = debited(session, chargeback)
    written = []
    if debit < chargeback.amount:
        written.append(
            ledger.post(
                session,
                seller_id=chargeback.shopping_mall_seller_id,
                currency=chargeback.currency,
                amount=-(chargeback.amount - debit),
                entry_type="chargeback",
                source_type="chargeback",
                order_id=chargeback.shopping_mall_order_id,
                chargeback_id=chargeback.id,
                note="Chargeback lost",
            )
        )
    drawn = None
    if reserve_id:
        reserve, entry, reserve_before = reserves.draw_for_chargeback(
            session,
            reserve_id,
            chargeback.shopping_mall_seller_id,
            chargeback.amount,
            note=f"Covers chargeback {chargeback.provider_reference}",
        )
        chargeback.shopping_mall_reserve_id = reserve.id
        drawn = entry.amount
        written.append(entry)
        audit.record(
            session,
            actor=actor,
            entity_table=reserves.TABLE,
            entity_id=reserve.id,
            action="reserve.drawn",
            summary=f"{format_money(drawn, reserve.currency, code=True)} used for a lost "
            "chargeback",
            reason=note,
            before=reserve_before,
            after={"status": reserve.status, "released_amount": reserve.released_amount,
                   "chargeback": chargeback.id},
        )  # fmt: skip
    chargeback.closed_at = now
    if note:
        _append(chargeback, f"Lost: {note}", actor=actor, now=now)
    summary = "Chargeback lost"
    if drawn:
        summary += f"; {format_money(drawn, chargeback.currency, code=True)} covered by a reserve"
    _finish(session, chargeback, "lost", before, actor=actor, action="chargeback.lost",
            summary=summary,
            reason=note, extra={"ledger_entries": [e.id for e in written]})  # fmt: skip
    return chargeback


# --- reading ----------------------------------------------------------------------------------

CHARGEBACK_ID = Chargeback.id
# Urgency, one number for a keyset page: those still waiting for our evidence ("open") before
# those the provider is deciding, each by the closest deadline (seconds since 1970 are below
# 10^10; no deadline counts as the latest).
URGENCY = cast(
    case((Chargeback.status == "open", 0), else_=1), BigInteger
) * 10_000_000_000 + func.coalesce(
    cast(extract("epoch", Chargeback.respond_by), BigInteger), 9_999_999_999
)
CHARGEBACK_SORTS = (
    SortKey("urgency", "Urgency", URGENCY, kind=int),
    SortKey("respond_by", "Respond by", Chargeback.respond_by, nullable=True, kind=datetime),
    SortKey("opened", "Opened", Chargeback.opened_at, kind=datetime),
    SortKey("amount", "Amount", Chargeback.amount, kind=Decimal),
)


@dataclass(frozen=True)
class ChargebackRow:
    chargeback: Chargeback
    seller: str
    order_number: str | None = None

    @property
    def status_label(self) -> str:
        return states.label(MACHINE, self.chargeback.status)

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.chargeback.status, "neutral")

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.chargeback.reason_category or "", "Not given")

    def overdue(self, now) -> bool:
        """Open past its deadline: no evidence was sent in time (under review, it was)."""
        c = self.chargeback
        return c.status == "open" and c.respond_by is not None and c.respond_by <= now


def _statement(filters: dict):
    query = (
        select(Chargeback, Seller.display_name, Order.order_number)
        .join(Seller, Seller.id == Chargeback.shopping_mall_seller_id)
        .outerjoin(Order, Order.id == Chargeback.shopping_mall_order_id)
        .where(Chargeback.deleted_at.is_(None))
    )
    status = filters.get("status") or "undecided"
    if status == "undecided":
        query = query.where(Chargeback.status.in_(OPEN_STATES))
    elif status != "all":
        query = query.where(Chargeback.status == status)
    if filters.get("reason"):
        query = query.where(Chargeback.reason_category == filters["reason"])
    if filters.get("seller"):
        query = query.where(Chargeback.shopping_mall_seller_id == filters["seller"])
    return query


def chargeback_page(session, filters, ordering, *, cursor, limit):
    return pagination.pair_page(
        session, _statement(filters), ordering, cursor=cursor, limit=limit, wrap=ChargebackRow
    )


def count_chargebacks(session, filters):
    return capped_count(session, _statement(filters).with_only_columns(Chargeback.id))


def due_soon(session, *, now=None) -> int:
    """Undecided chargebacks whose deadline is within two days or past."""
    from datetime import timedelta

    now = now or utcnow()
    return session.scalar(
        select(func.count()).where(
            Chargeback.status.in_(OPEN_STATES),
            Chargeback.deleted_at.is_(None),
            Chargeback.respond_by <= now + timedelta(days=2),
        )
    )
