"""Store-credit screens and manual adjustments (goodwill credit or correction).

Reading: a customer's wallets (one per currency), a wallet's records newest first (keyset
pages; each record carries the balance after it, the running balance), the adjustment
requests waiting for approval on a wallet.

Changing: ``adjust`` moves a balance through ``wallets.post`` (the one way to move a balance:
customer row lock, never below zero). An adjustment at or under
``finance.wallet.dual_approval_threshold.<CURRENCY>`` applies at once; above it (or when the
threshold is missing: fail safe) it becomes a ``wallet_adjustment`` maker-checker request,
carried out by ``carry_out`` once a different finance manager approves it. Every applied
adjustment writes one audit event with the balance before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from sqlalchemy import select

from mallconsole.core import money, states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.money import currency_digits
from mallconsole.models import (
    AdminAction,
    AuditEvent,
    Customer,
    User,
    UserBalance,
    UserBalanceRecord,
    utcnow,
)
from mallconsole.services import approvals
from mallconsole.services.kit import audit, settings, versions
from mallconsole.services.kit.pagination import SortKey, keyset_page
from mallconsole.services.money import wallets

ACTION = "wallet_adjustment"
TABLE = "shopping_mall_user_balances"
# What a finance manager can do to a balance; the record is an ``adjust`` either way.
DIRECTIONS = {"credit": "Add store credit", "debit": "Take store credit away"}
REASON_MAX = 500
MAX_AMOUNT = Decimal("1000000")
RECORD_SORTS = (SortKey("created", "Date", UserBalanceRecord.created_at, kind=datetime),)
RECORD_ID = UserBalanceRecord.id
RECORD_LABELS = {
    "charge": "Store credit added",
    "use": "Used at checkout",
    "refund": "Refund to store credit",
    "adjust": "Manual adjustment",
}


# --- reading ---------------------------------------------------------------------------------


def customer(session, user_id: str) -> User:
    """The customer with ``user_id`` (404 for anyone else)."""
    found = session.execute(
        select(User)
        .join(Customer, Customer.shopping_mall_user_id == User.id)
        .where(User.id == user_id, User.deleted_at.is_(None), Customer.revoked_at.is_(None))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("That customer does not exist.")
    return found


def wallets_of(session, user_ids: list[str]) -> dict[str, list[UserBalance]]:
    """The wallets of each of ``user_ids`` (one query), by currency."""
    found: dict[str, list[UserBalance]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    for account in session.scalars(
        select(UserBalance)
        .where(UserBalance.shopping_mall_user_id.in_(user_ids))
        .order_by(UserBalance.currency)
    ):
        found[account.shopping_mall_user_id].append(account)
    return found


def check_currency(currency: str | None) -> str:
    """``currency`` as an upper-case ISO code, or a 422 naming the field."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or code not in list_currencies():
        message = "Enter a currency code, like USD."
        raise ValidationError(message, field_errors={"currency": [message]})
    return code


def record_page(session, wallet_id: str, ordering, *, cursor, limit):
    """One page of a wallet's records (newest first by default): one query."""
    statement = select(UserBalanceRecord).where(
        UserBalanceRecord.shopping_mall_user_balance_id == wallet_id
    )
    return keyset_page(session, statement, ordering, cursor=cursor, limit=limit)


def waiting_requests(session, wallet_id: str | None) -> list[AdminAction]:
    """Adjustments of this wallet asked for and not carried out yet."""
    if wallet_id is None:
        return []
    return list(
        session.scalars(
            select(AdminAction)
            .where(
                AdminAction.action_name == ACTION,
                AdminAction.target_entity_table == TABLE,
                AdminAction.target_entity_id == wallet_id,
                AdminAction.status.in_(("pending", "approved")),
            )
            .order_by(AdminAction.created_at)
        )
    )


@dataclass(frozen=True)
class WaitingAdjustment:
    """An adjustment asked for and not carried out yet, with its wallet and customer."""

    action: AdminAction
    wallet: UserBalance
    customer: User

    @property
    def amount(self) -> Decimal | None:
        """The signed amount asked for (None when the request does not say)."""
        return payload_amount(self.action.payload)


def all_waiting(session, *, limit: int = 20) -> list[WaitingAdjustment]:
    """The oldest adjustments waiting for approval (or approved, not carried out), one query."""
    rows = session.execute(
        select(AdminAction, UserBalance, User)
        .join(UserBalance, UserBalance.id == AdminAction.target_entity_id)
        .join(User, User.id == UserBalance.shopping_mall_user_id)
        .where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == TABLE,
            AdminAction.status.in_(("pending", "approved")),
        )
        .order_by(AdminAction.created_at, AdminAction.id)
        .limit(limit)
    ).all()
    return [WaitingAdjustment(*row) for row in rows]


def threshold(session, currency: str) -> Decimal | None:
    """The amount above which an adjustment in ``currency`` needs a second approval."""
    return settings.reader(session).money(states.WALLET_DUAL_APPROVAL_THRESHOLD, currency)


# --- adjusting -------------------------------------------------------------------------------


def parse_amount(raw, currency: str) -> Decimal:
    """A positive amount typed in the reader's locale, with no more decimals than ``currency``
    has (KRW none, USD two); ``core.money.parse_amount`` reads it."""
    problem = None
    try:
        amount = money.parse_amount(raw, currency)
    except money.AmountError as error:
        amount, problem = None, error.message
    if problem is None and amount is None:
        problem = f"Enter an amount, like {money.amount_example(currency)}."
    elif problem is None and amount <= 0:
        problem = "Enter an amount above zero; choose “Take store credit away” to reduce it."
    elif problem is None and amount > MAX_AMOUNT:
        problem = f"Enter an amount up to {_money(MAX_AMOUNT, currency)}."
    if problem:
        raise ValidationError(problem, field_errors={"amount": [problem]})
    return amount


def _reason(raw) -> str:
    reason = " ".join(str(raw or "").split())
    if not reason:
        message = "Say why: the customer's case, the goodwill gesture or what is corrected."
        raise ValidationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX:
        message = f"Keep the reason under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={"reason": [message]})
    return reason


def _checked(problems: dict, check, *args):
    """``check(*args)``, or None with its field errors added to ``problems``."""
    try:
        return check(*args)
    except ValidationError as error:
        problems.update(error.field_errors)
        return None


@dataclass(frozen=True)
class Adjusted:
    """What ``adjust`` did: applied now (``movement``) or asked for approval (``request``)."""

    message: str
    movement: wallets.Movement | None = None
    request: AdminAction | None = None

    @property
    def applied(self) -> bool:
        return self.movement is not None


def exact(amount: Decimal, currency: str) -> Decimal:
    """``amount`` with the minor unit of ``currency`` (the database keeps four decimals)."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)))


def _money(amount: Decimal, currency: str, *, signed: bool = False) -> str:
    return money.format_money(exact(amount, currency), currency, code=True, signed=signed)


def adjust(
    session,
    *,
    user_id: str,
    currency: str,
    direction: str,
    amount,
    reason,
    actor,
    expected_balance: Decimal | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Adjusted:
    """Add or take away store credit, at once or through maker-checker above the threshold.

    ``expected_balance`` is the balance the person saw: when the balance moved since, nothing
    is done (409) so that a second click or a stale page never adjusts twice by mistake.
    """
    currency = check_currency(currency)
    problems: dict[str, list[str]] = {}
    if direction not in DIRECTIONS:
        problems["direction"] = ["Choose whether to add or take away store credit."]
    # every field's problem at once, each next to its field
    amount = _checked(problems, parse_amount, amount, currency)
    reason = _checked(problems, _reason, reason)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationError(first, field_errors=problems)
    customer(session, user_id)
    signed = amount if direction == "credit" else -amount
    versions.lock(session, User, user_id, what="customer")
    account = wallets.wallet(session, user_id, currency)
    balance = account.balance if account is not None else Decimal(0)
    if expected_balance is not None and balance != expected_balance:
        raise Conflict(
            f"The store credit changed while you were on this page: it is now "
            f"{_money(balance, currency)}, not {_money(expected_balance, currency)}. Check the "
            "records, then submit again if the adjustment is still right."
        )
    if balance + signed < 0:
        message = (
            f"The store credit is {_money(balance, currency)}: taking "
            f"{_money(amount, currency)} away would leave it below zero."
        )
        raise ValidationError(message, field_errors={"amount": [message]})
    reader = settings.reader(session)
    recent = _recent_direct(session, account, actor, reader, now or utcnow())
    if settings.needs_dual_approval(reader, "wallet", abs(signed) + recent, currency):
        if account is None:
            # The request needs a wallet to point at: open it empty (no record, balance 0).
            account = UserBalance(shopping_mall_user_id=user_id, currency=currency, balance=0)
            session.add(account)
            session.flush()  # the request's target id
        requested = approvals.request_approval(
            session,
            ACTION,
            TABLE,
            account.id,
            {
                "before": {"balance": str(exact(balance, currency))},
                # the amount is what is carried out; the balances are as they were when asked
                "after": {
                    "adjustment": f"{exact(signed, currency):+}",
                    "balance": str(exact(balance + signed, currency)),
                },
                "amount": str(exact(signed, currency)),
                "currency": currency,
                "reason": reason,
                "labels": {"adjustment": "Adjustment", "balance": "Store credit"},
                "amounts": ["adjustment", "balance"],
            },
            reason,
            actor=actor,
            idempotency_key=idempotency_key,
        )
        alone = not settings.needs_dual_approval(reader, "wallet", signed, currency)
        why = (
            f"Together with the {_money(recent, currency)} you adjusted on this store credit in "
            f"the last {_hours(reader, states.WALLET_DIRECT_WINDOW_HOURS)}, this "
            f"{DIRECTIONS[direction].lower()} of {_money(amount, currency)} is above the approval "
            "threshold"
            if alone
            else f"{DIRECTIONS[direction]} of {_money(amount, currency)} is above the approval "
            "threshold"
        )
        return Adjusted(
            f"{why}: it waits for another finance manager's approval.", request=requested.action
        )
    movement = _apply(
        session, user_id=user_id, currency=currency, amount=signed, reason=reason, actor=actor
    )
    return Adjusted(
        f"Store credit is now {_money(movement.wallet.balance, currency)}.", movement=movement
    )


def _hours(reader, key) -> str:
    hours = int(reader.duration(key).total_seconds() // 3600)
    return "hour" if hours == 1 else f"{hours} hours"


def _recent_direct(session, account, actor, reader, now: datetime) -> Decimal:
    """What ``actor`` adjusted on this wallet at once (not through an approval) within the
    direct window, by size: one person's adjustments count together against the threshold."""
    if account is None:
        return Decimal(0)
    since = now - reader.duration(states.WALLET_DIRECT_WINDOW_HOURS)
    events = session.scalars(
        select(AuditEvent.changes).where(
            AuditEvent.action == "wallet.adjusted",
            AuditEvent.entity_table == TABLE,
            AuditEvent.entity_id == account.id,
            AuditEvent.actor_user_id == actor.id,
            AuditEvent.shopping_mall_admin_action_id.is_(None),
            AuditEvent.created_at >= since,
        )
    )
    return sum(
        (abs(Decimal(c["after"]["balance"]) - Decimal(c["before"]["balance"])) for c in events),
        Decimal(0),
    )


def _apply(
    session, *, user_id, currency, amount, reason, actor, requester_id=None, admin_action=None
) -> wallets.Movement:
    """Post the adjustment and audit it with the balance before and after."""
    movement = wallets.post(
        session,
        user_id=user_id,
        currency=currency,
        amount=amount,
        record_type="adjust",
        actor_id=requester_id or actor.id,
        reason=reason,
    )
    after = exact(movement.wallet.balance, currency)
    amount = exact(amount, currency)
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=movement.wallet.id,
        action="wallet.adjusted",
        summary=f"Store credit adjusted by {_money(amount, currency, signed=True)}",
        reason=reason,
        before={"balance": str(after - amount), "currency": currency},
        after={"balance": str(after), "currency": currency, "record_id": movement.record.id},
        admin_action=admin_action,
    )
    return movement


def payload_amount(payload) -> Decimal | None:
    try:
        amount = Decimal(str((payload or {}).get("amount")))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount != 0 else None


def carry_out(session, action: AdminAction, *, actor) -> str:
    """The approved ``wallet_adjustment``: post ``payload.amount`` (signed) to the target
    wallet, in its currency, on behalf of the requester."""
    payload = action.payload or {}
    amount = payload_amount(payload)
    if amount is None:
        raise Conflict("This request does not say how much store credit to add or take away.")
    account = session.get(UserBalance, action.target_entity_id or "")
    if account is None:
        raise Conflict("The wallet of this request does not exist any more.")
    currency = str(payload.get("currency") or account.currency).upper()
    if currency != account.currency:
        raise Conflict(
            f"This request is in {currency} but the wallet holds {account.currency}: reject it."
        )
    reason = str(payload.get("reason") or action.justification)
    movement = _apply(
        session,
        user_id=account.shopping_mall_user_id,
        currency=currency,
        amount=amount,
        reason=reason,
        actor=actor,
        requester_id=action.requested_by_user_id,
        admin_action=action,
    )
    return (
        f"Store credit adjusted by {_money(amount, currency, signed=True)}; it is now "
        f"{_money(movement.wallet.balance, currency)}"
    )
