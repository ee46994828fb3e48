"""Sellers' payout accounts: finance verifies or rejects an unverified one. Only a verified
primary account is ever paid (``payouts.payout_account``). Account numbers are stored masked
and only ever shown masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import InvalidTransition, NotFound, ValidationError
from mallconsole.models import Seller, SellerPayoutAccount, utcnow
from mallconsole.services.kit import audit, pagination, versions
from mallconsole.services.kit.pagination import SortKey, capped_count

MACHINE = states.PAYOUT_ACCOUNT_MACHINE
TABLE = MACHINE.table
STATUS_LABELS = {
    "unverified": "Waiting for verification",
    "verified": "Verified",
    "rejected": "Rejected",
}
STATUS_TONES = {"unverified": "warning", "verified": "success", "rejected": "danger"}
DECISIONS = {"verify": "verified", "reject": "rejected"}
REASON_MAX = 500
ACCOUNT_ID = SellerPayoutAccount.id
ACCOUNT_SORTS = (SortKey("created", "Added", SellerPayoutAccount.created_at, kind=datetime),)


@dataclass(frozen=True)
class AccountRow:
    account: SellerPayoutAccount
    seller: str


def _statement(filters: dict):
    query = (
        select(SellerPayoutAccount, Seller.display_name)
        .join(Seller, Seller.id == SellerPayoutAccount.shopping_mall_seller_id)
        .where(SellerPayoutAccount.deleted_at.is_(None))
    )
    status = filters.get("status") or "unverified"
    if status != "all":
        query = query.where(SellerPayoutAccount.status == status)
    return query


def account_page(session, filters, ordering, *, cursor, limit):
    return pagination.pair_page(
        session, _statement(filters), ordering, cursor=cursor, limit=limit, wrap=AccountRow
    )


def count_accounts(session, filters):
    return capped_count(session, _statement(filters).with_only_columns(SellerPayoutAccount.id))


def decide(session, account_id: str, decision: str, *, reason: str | None, actor):
    """Verify (``verify``) or reject (``reject``, with a reason) an unverified account; an
    account already decided is refused (``InvalidTransition``, 409)."""
    target = DECISIONS.get(decision)
    if target is None:
        raise NotFound("There is no such decision on a payout account.")
    reason = (reason or "").strip() or None
    if target == "rejected" and not reason:
        raise ValidationError(
            "Say why the account is rejected.",
            field_errors={"reason": ["Say why the account is rejected."]},
        )
    if reason and len(reason) > REASON_MAX:
        raise ValidationError(f"Keep the reason under {REASON_MAX} characters.")
    account = versions.lock(session, SellerPayoutAccount, account_id, what="payout account")
    if account.status != "unverified":  # the table refuses it too; this says it in words
        label = STATUS_LABELS.get(account.status, account.status).lower()
        raise InvalidTransition(f"This account is already {label}.")
    states.check_move(MACHINE, account.status, target)
    before = {"status": account.status}
    account.status = target
    account.verified_at = utcnow() if target == "verified" else None
    account.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=account.id,
        action=f"payout_account.{target}",
        summary=f"Payout account {account.account_number_masked} {target}",
        reason=reason,
        before=before,
        after={"status": target},
    )
    return account


STATUS_LABELS = {s: STATUS_LABELS[s] for s in states.PAYOUT_ACCOUNT_STATUSES}
# The account list's state filter: empty is the default (waiting for verification).
FILTER_CHOICES = {
    "": STATUS_LABELS["unverified"],
    **{s: STATUS_LABELS[s] for s in states.PAYOUT_ACCOUNT_STATUSES if s != "unverified"},
    "all": "Any state",
}
