"""Deciding refund requests: approve in full or in part, or reject; maker-checker above the
threshold.

Rules, and where each is enforced (all here, each decision under the order's and the request's
row locks, ``SELECT … FOR UPDATE`` on PostgreSQL, taken in that order like raising does):

* the approved amount is above zero, at most what the approved lines ask for (so at most the
  requested amount), and at most what the order can still give back: captured − refunded
  (payment refunds that did not fail, and refunds to store credit) − what other requests still
  wait for (approved ones: their approved amount; pending ones: their requested amount);
* the person who raised the request never decides it, and one person never gives both
  approvals: the second approval is an ``approve_refund`` action of the approvals service,
  asked for by the first approver, who therefore cannot decide it;
* at or under ``finance.refund.dual_approval_threshold.<CURRENCY>`` one approval moves the
  request ``pending → approved``; above it (or when the threshold is missing: fail safe) the
  first approval moves it to ``pending_second_approval`` and opens the action, whose executor
  (``carry_out``) only sets the request to ``approved``; moving the money is the separate
  Execute step (``refund_execution``);
* the second approval is given from the approvals inbox or from the refund screen
  (``second_approval``), always through the approvals service's ``decide`` on the revision the
  approver saw; rejecting it there rejects the refund too;
* the first approver may change the amount while the second approval is waiting: the action
  gets a new revision and the approvals given so far no longer count;
* each decision checks the version the manager saw (409 on a stale one), writes one audit event
  with before/after and, when the request was raised from a support case, a ``request_decided``
  event on the case's timeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, Forbidden, NotFound, ValidationError
from mallconsole.core.money import currency_digits, format_money
from mallconsole.models import (
    AdminAction,
    AuditEvent,
    Order,
    Payment,
    PaymentCapture,
    PaymentRefund,
    RefundItem,
    RefundRequest,
    SupportCase,
    SupportCaseEvent,
    utcnow,
)
from mallconsole.services import approvals
from mallconsole.services.aftersales.customer_requests import (
    CAPTURE_SUCCEEDED,
    PAYMENT_REFUND_NOT_COUNTED,
    parse_amount,
    store_credit_refunded,
)
from mallconsole.services.kit import audit, settings, versions

TABLE = RefundRequest.__tablename__
MACHINE = states.REFUND_REQUEST_MACHINE
ACTION = "approve_refund"
ZERO = Decimal(0)
_ZERO = re.compile(r"0+(\.0*)?|\.0+")
REASON_MAX = 1000
# Other requests whose money is spoken for: approved ones by their approved amount, the ones
# still waiting for a decision by their requested amount.
WAITING_FOR_DECISION = ("pending", "pending_second_approval")


def plain_amount(amount: Decimal | None, currency: str) -> str:
    """ "25.00", "2500": the amount in its currency's minor digits, for a form field."""
    if amount is None:
        return ""
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-currency_digits(currency))))


def money_text(amount: Decimal | None, currency: str) -> str:
    """ "USD 25.00" (en), "25,00 USD" (de): the amount as screens write it, in words."""
    if amount is None:
        return states.NOT_SET
    return format_money(Decimal(amount), currency, code=True)


# ---- reading -------------------------------------------------------------------------------


def find_request(session, reference: str) -> RefundRequest:
    """The refund request with this id or number (RR-…); 404 when there is none."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise NotFound("That refund request does not exist.")
    found = session.scalar(
        select(RefundRequest).where(
            or_(
                RefundRequest.id == reference,
                RefundRequest.refund_request_number == reference.upper(),
            ),
            RefundRequest.deleted_at.is_(None),
        )
    )
    if found is None:
        raise NotFound("That refund request does not exist.")
    return found


def lock_request(session, reference: str) -> tuple[Order, RefundRequest]:
    """The request and its order, both row-locked (the order first, as raising locks it)."""
    found = find_request(session, reference)
    order = versions.lock(session, Order, found.shopping_mall_order_id, what="order")
    request = versions.lock(session, RefundRequest, found.id, what="refund request")
    return order, request


def request_lines(session, request_id: str) -> list[RefundItem]:
    return list(
        session.scalars(
            select(RefundItem)
            .where(
                RefundItem.shopping_mall_refund_request_id == request_id,
                RefundItem.deleted_at.is_(None),
            )
            .order_by(RefundItem.created_at, RefundItem.id)
        )
    )


def open_action(session, request_id: str) -> AdminAction | None:
    """The second approval still waiting for this request, if any."""
    return session.scalars(
        select(AdminAction).where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == TABLE,
            AdminAction.target_entity_id == request_id,
            AdminAction.status.in_(("pending", "approved")),
        )
    ).first()


def latest_action(session, request_id: str) -> AdminAction | None:
    """The newest second-approval action of this request, whatever its state."""
    return session.scalars(
        select(AdminAction)
        .where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == TABLE,
            AdminAction.target_entity_id == request_id,
        )
        .order_by(AdminAction.created_at.desc(), AdminAction.id.desc())
        .limit(1)
    ).first()


def proposed_amount(request: RefundRequest, action: AdminAction | None) -> Decimal | None:
    """The amount approved so far: the request's, or the one waiting for the second approval."""
    if request.approved_amount is not None:
        return request.approved_amount
    if action is not None:
        raw = ((action.payload or {}).get("after") or {}).get("approved_amount")
        if raw is not None:
            return Decimal(str(raw))
    return None


@dataclass(frozen=True)
class Room:
    """What the order can still give back, and of what it is made."""

    currency: str
    captured: Decimal
    refunded: Decimal  # payment refunds that did not fail
    to_store_credit: Decimal  # refunds paid to the customer's wallet
    elsewhere: Decimal  # other requests approved or waiting

    @property
    def limit(self) -> Decimal:
        return max(ZERO, self.captured - self.refunded - self.to_store_credit - self.elsewhere)


def room_for(session, order: Order, request: RefundRequest) -> Room:
    """Captured − refunded − paid to store credit − what the other requests of the order hold."""
    payments = select(Payment.id).where(Payment.shopping_mall_order_id == order.id)
    captured = session.scalar(
        select(func.coalesce(func.sum(PaymentCapture.amount), 0)).where(
            PaymentCapture.shopping_mall_payment_id.in_(payments),
            PaymentCapture.status == CAPTURE_SUCCEEDED,
            PaymentCapture.deleted_at.is_(None),
        )
    )
    refunded = session.scalar(
        select(func.coalesce(func.sum(PaymentRefund.amount), 0)).where(
            PaymentRefund.shopping_mall_payment_id.in_(payments),
            PaymentRefund.status.not_in(PAYMENT_REFUND_NOT_COUNTED),
            PaymentRefund.deleted_at.is_(None),
        )
    )
    others = session.execute(
        select(
            RefundRequest.status,
            RefundRequest.approved_amount,
            RefundRequest.total_requested_amount,
        ).where(
            RefundRequest.shopping_mall_order_id == order.id,
            RefundRequest.id != request.id,
            RefundRequest.status.in_((*WAITING_FOR_DECISION, "approved")),
            RefundRequest.deleted_at.is_(None),
        )
    ).all()
    elsewhere = sum(
        (
            (approved if status == "approved" and approved is not None else requested)
            for status, approved, requested in others
        ),
        ZERO,
    )
    return Room(
        currency=order.currency,
        captured=Decimal(captured),
        refunded=Decimal(refunded),
        to_store_credit=store_credit_refunded(session, order),
        elsewhere=elsewhere,
    )


def threshold(session, currency: str) -> Decimal | None:
    """The dual-approval threshold of ``currency`` (None: missing, so every refund needs two)."""
    value, _ = settings.reader(session).lookup(
        states.REFUND_DUAL_APPROVAL_THRESHOLD.format(currency=currency.upper())
    )
    return value


# ---- shared pieces -------------------------------------------------------------------------


def case_event(session, request: RefundRequest, body: str, *, actor, now) -> None:
    """A ``request_decided`` event on the timeline of the case that raised the request."""
    if not request.shopping_mall_support_case_id:
        return
    case = session.get(SupportCase, request.shopping_mall_support_case_id)
    if case is None or case.deleted_at is not None:
        return
    session.add(
        SupportCaseEvent(
            shopping_mall_support_case_id=case.id,
            actor_user_id=actor.id,
            event_type=states.CASE_EVENT_REQUEST_DECIDED,
            visibility="internal",
            body=body,
            occurred_at=now,
        )
    )
    if case.last_event_at is None or case.last_event_at < now:
        case.last_event_at = now


def _not_the_requester(request: RefundRequest, actor) -> None:
    if request.requested_by_user_id == actor.id:
        raise Forbidden("You raised this refund request, so another finance manager decides it.")


def _check_version(session, request: RefundRequest, expected_version: int | None) -> None:
    if expected_version is not None:
        versions.check_version(session, request, expected_version, entity_table=TABLE)


def _check_amount(room: Room, amount: Decimal, approved_lines: Decimal, currency: str) -> None:
    if amount > approved_lines:
        message = (
            f"Approve at most {money_text(approved_lines, currency)}: the lines you approve ask "
            "for no more."
        )
        raise ValidationError(message, field_errors={"amount": [message]})
    if amount > room.limit:
        message = (
            f"Approve at most {money_text(room.limit, currency)}: captured "
            f"{money_text(room.captured, currency)}, refunded "
            f"{money_text(room.refunded + room.to_store_credit, currency)}, held by other "
            f"requests {money_text(room.elsewhere, currency)}."
        )
        raise ValidationError(message, field_errors={"amount": [message]})


def _read_amount(raw, currency: str) -> Decimal:
    try:
        amount = parse_amount(raw, currency)
    except ValueError as error:
        message = str(error)
        if _ZERO.fullmatch(str(raw or "").strip()):
            # parse_amount speaks to the raising form (whose lines may stay empty)
            message = "Enter an amount above zero, or reject the request."
        raise ValidationError(message, field_errors={"amount": [message]}) from None
    if amount is None:
        message = "Enter the amount to refund."
        raise ValidationError(message, field_errors={"amount": [message]})
    return amount


def _line_decisions(lines: list[RefundItem], approved_ids) -> dict[str, str]:
    """Each line's decision; all lines approved when ``approved_ids`` is None."""
    if approved_ids is None:
        return {line.id: "approved" for line in lines}
    approved_ids = set(approved_ids)
    unknown = approved_ids - {line.id for line in lines}
    if unknown:
        raise ValidationError(
            "A line you chose is not part of this request.",
            field_errors={"lines": ["A line you chose is not part of this request."]},
        )
    if not approved_ids:
        message = "Approve at least one line, or reject the request."
        raise ValidationError(message, field_errors={"lines": [message]})
    return {line.id: "approved" if line.id in approved_ids else "rejected" for line in lines}


def _set_lines(lines: list[RefundItem], decisions: dict[str, str], now) -> None:
    for line in lines:
        line.approval_status = decisions[line.id]
        line.updated_at = now


def _move(session, request, target, *, actor, action, summary, reason=None, now, **after):
    """Move the request, raise its version and audit the move with its other changes."""
    states.check_move(MACHINE, request.status, target)
    request.updated_at = now
    versions.apply_edit(
        session, request, expected_version=request.version,
        changes={"status": target, **after}, actor=actor, entity_table=TABLE,
        action=action, summary=summary, reason=reason,
    )  # fmt: skip


# ---- approve -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    request: RefundRequest
    message: str
    action: AdminAction | None = None


def approve(
    session,
    reference: str,
    *,
    amount,
    actor,
    approved_line_ids=None,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """Approve ``amount`` of the request (the lines in ``approved_line_ids``, all when None).

    At or under the threshold the request is approved; above it the request waits for a second
    finance manager (``pending_second_approval`` and an ``approve_refund`` action). A request
    waiting for a second approval whose action was refused or lapsed can be approved again,
    which asks again."""
    now = now or utcnow()
    order, request = lock_request(session, reference)
    _check_version(session, request, expected_version)
    _not_the_requester(request, actor)
    currency = request.currency
    waiting = request.status == "pending_second_approval"
    if waiting and open_action(session, request.id) is not None:
        raise Conflict(
            f"{request.refund_request_number} is already waiting for a second approval: decide "
            "it in the approvals inbox."
        )
    if not waiting:
        states.check_move(MACHINE, request.status, "approved")
    note = _note(note)
    lines = request_lines(session, request.id)
    decisions = _line_decisions(lines, approved_line_ids)
    value = _read_amount(amount, currency)
    asked = sum((line.amount for line in lines if decisions[line.id] == "approved"), ZERO)
    _check_amount(room_for(session, order, request), value, asked, currency)
    _set_lines(lines, decisions, now)
    number = request.refund_request_number
    text = money_text(value, currency)
    request.approved_by_user_id = actor.id  # the audit event names them as its actor
    reader = settings.reader(session)
    recent = _recent_direct(session, order, request, actor, reader, now)
    if not settings.needs_dual_approval(reader, "refund", value + recent, currency):
        _move(session, request, "approved", actor=actor, action="refund.approved",
              summary=f"Approved {number} for {text}", reason=note, now=now,
              approved_amount=value, decided_at=now)  # fmt: skip
        case_event(session, request, f"Refund request {number} approved for {text}.",
                    actor=actor, now=now)  # fmt: skip
        session.flush()
        return Decision(request, f"{number} is approved for {text}. Execute it to move the money.")
    limit = threshold(session, currency)
    over = f"Over the {money_text(limit, currency)} threshold" if limit else "No threshold set"
    if recent and not settings.needs_dual_approval(reader, "refund", value, currency):
        hours = int(reader.duration(states.REFUND_DIRECT_WINDOW_HOURS).total_seconds() // 3600)
        over = (
            f"Together with the {money_text(recent, currency)} you approved on this order in the "
            f"last {hours} hours, over the {money_text(limit, currency)} threshold"
        )
    if not waiting:
        _move(session, request, "pending_second_approval", actor=actor,
              action="refund.first_approval", summary=f"First approval of {number} for {text}",
              reason=note, now=now)  # fmt: skip
    else:
        request.version += 1
        request.updated_at = now
        audit.record(
            session, actor=actor, entity_table=TABLE, entity_id=request.id,
            action="refund.first_approval", summary=f"First approval of {number} for {text}, again",
            reason=note, before={"version": request.version - 1},
            after={"version": request.version, "approved_amount": plain_amount(value, currency)},
        )  # fmt: skip
    asked_for = approvals.request_approval(
        session,
        ACTION,
        TABLE,
        request.id,
        _payload(request, value),
        f"{over}: first approval given" + (f". {note}" if note else ""),
        actor=actor,
        idempotency_key=f"refund-second-approval:{number}:{request.version}",
        now=now,
    )
    case_event(session, request, f"Refund request {number}: first approval for {text}; "
                "waiting for a second finance manager.", actor=actor, now=now)  # fmt: skip
    session.flush()
    given = f"First approval given for {text}."
    if recent and over.startswith("Together"):  # the window, not this amount, needs the second
        given = f"{over}: first approval given for {text}."
    return Decision(
        request,
        f"{given} Another finance manager gives the second one in the approvals inbox.",
        asked_for.action,
    )


def _recent_direct(session, order, request, actor, reader, now) -> Decimal:
    """What ``actor`` approved at once (from pending, without a second approval) on other
    requests of this order within the direct window: one approver's refunds count together
    against the threshold."""
    since = now - reader.duration(states.REFUND_DIRECT_WINDOW_HOURS)
    approved = session.execute(
        select(RefundRequest.approved_amount, AuditEvent.changes)
        .join(AuditEvent, AuditEvent.entity_id == RefundRequest.id)
        .where(
            RefundRequest.shopping_mall_order_id == order.id,
            RefundRequest.id != request.id,
            RefundRequest.status.in_(("approved", "executed")),
            AuditEvent.entity_table == TABLE,
            AuditEvent.action == "refund.approved",
            AuditEvent.actor_user_id == actor.id,
            AuditEvent.shopping_mall_admin_action_id.is_(None),
            AuditEvent.created_at >= since,
        )
    )
    return sum(
        (
            Decimal(amount)
            for amount, changes in approved
            if amount is not None
            and ((changes or {}).get("before") or {}).get("status") == "pending"
        ),
        ZERO,
    )


def _payload(request: RefundRequest, amount: Decimal) -> dict:
    """The change the second approver approves; the demo world writes the same shape."""
    return {
        "before": {"status": "pending_second_approval", "approved_amount": None},
        "after": {"status": "approved", "approved_amount": str(amount)},
        "labels": {"approved_amount": "Amount to refund"},
        "amounts": ["approved_amount"],
        "refund_request_number": request.refund_request_number,
        "currency": request.currency,
        # whoever raised the request never gives its second approval either
        "excluded_approvers": [request.requested_by_user_id],
    }


def _note(note) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > REASON_MAX:
        message = f"Keep the note under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={"note": [message]})
    return note


def change_amount(
    session,
    reference: str,
    *,
    amount,
    actor,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """The first approver changes the amount waiting for the second approval: the approvals
    restart (a new revision of the action; approvals given so far no longer count)."""
    now = now or utcnow()
    order, request = lock_request(session, reference)
    _check_version(session, request, expected_version)
    if request.status != "pending_second_approval":
        raise Conflict("Only an amount waiting for its second approval can be changed here.")
    action = open_action(session, request.id)
    if action is None or action.status != "pending":
        raise Conflict("No second approval is waiting for this request any more. Reload it.")
    if action.requested_by_user_id != actor.id:
        raise Forbidden("Only the finance manager who gave the first approval can change it.")
    value = _read_amount(amount, request.currency)
    lines = request_lines(session, request.id)
    asked = sum((line.amount for line in lines if line.approval_status != "rejected"), ZERO)
    _check_amount(room_for(session, order, request), value, asked, request.currency)
    before = proposed_amount(request, action)
    if before == value:
        raise ValidationError(
            "That is already the amount waiting for approval.",
            field_errors={"amount": ["That is already the amount waiting for approval."]},
        )
    approvals.revise(session, action.id, _payload(request, value), actor=actor, now=now)
    request.version += 1
    request.updated_at = now
    text = money_text(value, request.currency)
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=request.id,
        action="refund.amount_changed",
        summary=f"Changed {request.refund_request_number} to {text}; the approvals restart",
        before={"approved_amount": before, "version": request.version - 1},
        after={"approved_amount": value, "version": request.version},
    )  # fmt: skip
    session.flush()
    return Decision(request, f"The amount is now {text}. The second approval starts again.", action)


# ---- reject --------------------------------------------------------------------------------


def reject(
    session,
    reference: str,
    *,
    reason: str,
    actor,
    expected_version: int | None = None,
    revision: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """Reject the request with a reason (pending, or waiting for its second approval: the
    waiting approval is withdrawn by its requester or rejected by anyone else; ``revision``,
    when given, is the second approval's revision the person saw, refused when stale)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        message = "Say why the refund is rejected: the agent and the customer will be told."
        raise ValidationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX:
        message = f"Keep the reason under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={"reason": [message]})
    _, request = lock_request(session, reference)
    _check_version(session, request, expected_version)
    _not_the_requester(request, actor)
    states.check_move(MACHINE, request.status, "rejected")
    action = open_action(session, request.id)
    if action is not None and action.status == "pending":
        if action.requested_by_user_id == actor.id:
            approvals.withdraw(session, action.id, actor=actor, now=now)
        else:
            approvals.decide(
                session,
                action.id,
                "reject",
                reason,
                actor=actor,
                revision=action.revision if revision is None else revision,
                now=now,
            )
    _set_lines(request_lines(session, request.id), _all(request, "rejected", session), now)
    number = request.refund_request_number
    _move(session, request, "rejected", actor=actor, action="refund.rejected",
          summary=f"Rejected {number}", reason=reason, now=now, decided_at=now)  # fmt: skip
    case_event(session, request, f"Refund request {number} rejected: {reason}",
                actor=actor, now=now)  # fmt: skip
    session.flush()
    return Decision(request, f"{number} is rejected.")


def second_approval(
    session,
    reference: str,
    decision: str,
    reason: str | None = None,
    *,
    actor,
    revision: int | None,
    now: datetime | None = None,
) -> Decision:
    """The second finance manager's decision from the refund screen, on the revision of the
    waiting approval they saw: approve (the approvals service's ``decide``, which carries it
    out) or reject the refund with a reason (its waiting approval rejected with it)."""
    _, request = lock_request(session, reference)  # the order first, as every decision locks
    action = open_action(session, request.id)
    number = request.refund_request_number
    if action is None or action.status != "pending":
        raise Conflict(
            f"No second approval of {number} is waiting any more: it is "
            f"{states.label(MACHINE, request.status).lower()}. Reload the page."
        )
    if action.requested_by_user_id == actor.id:
        raise Forbidden("You gave the first approval, so another finance manager decides it.")
    revision = approvals.seen_revision(revision)
    if decision == "reject":
        return reject(session, request.id, reason=reason, actor=actor, revision=revision, now=now)
    decided = approvals.decide(
        session, action.id, decision, reason, actor=actor, revision=revision, now=now
    )
    session.flush()
    return Decision(request, decided.message, action)


def _all(request, decision: str, session) -> dict[str, str]:
    return {line.id: decision for line in request_lines(session, request.id)}


# ---- the second approval's executor --------------------------------------------------------


def carry_out(session, action: AdminAction, *, actor) -> str:
    """Set the request to ``approved`` with the amount approved twice; nothing more."""
    if action.target_entity_table != TABLE or not action.target_entity_id:
        raise Conflict("This approval does not name a refund request.")
    order, request = lock_request(session, action.target_entity_id)
    if request.status != "pending_second_approval":
        raise Conflict(
            f"{request.refund_request_number} is "
            f"{states.label(MACHINE, request.status).lower()} now, not waiting for a second "
            "approval."
        )
    _not_the_requester(request, actor)
    raw = ((action.payload or {}).get("after") or {}).get("approved_amount")
    if raw is None:
        raise Conflict("This approval does not say how much to refund.")
    value = Decimal(str(raw))
    lines = request_lines(session, request.id)
    asked = sum((line.amount for line in lines if line.approval_status != "rejected"), ZERO)
    _check_amount(room_for(session, order, request), value, asked, request.currency)
    now = utcnow()
    for line in lines:
        if line.approval_status is None:
            line.approval_status = "approved"
            line.updated_at = now
    number = request.refund_request_number
    text = money_text(value, request.currency)
    states.check_move(MACHINE, request.status, "approved")
    before = {"status": request.status, "approved_amount": None, "version": request.version}
    request.status = "approved"
    request.approved_amount = value
    request.decided_at = now
    request.version += 1
    request.updated_at = now
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=request.id,
        action="refund.approved", summary=f"Second approval of {number} for {text}",
        reason=action.justification, before=before,
        after={"status": "approved", "approved_amount": value, "version": request.version},
        admin_action=action,
    )  # fmt: skip
    case_event(session, request, f"Refund request {number} approved for {text} "
                "(second approval).", actor=actor, now=now)  # fmt: skip
    return f"{number} is approved for {text}; execute it from its refund screen"
