"""Maker-checker: one approval service for every sensitive action.

A service that needs a second person's approval calls ``request_approval``: it writes a
``shopping_mall_admin_actions`` row (``pending``) holding the exact change asked for (the
``payload``: ``{"before": {...}, "after": {...}}`` plus what its executor needs), who asked,
why, how many distinct approvers it needs, which permission they must hold and when it lapses
(``approvals.expiry_hours``). ``decide`` appends a ``shopping_mall_maker_checker_approvals``
row; once enough distinct people approved the action's current revision it becomes
``approved`` and its executor runs exactly once (``execute``), making it ``executed``. A
rejection ends it (``rejected``); the requester can withdraw it (``canceled``), and the
``expire-approvals`` job cancels what lapsed. Editing the change (``revise``) starts a new
revision: approvals given so far no longer count.

Executors belong to the services that own the actions; ``services/executors.py`` registers
them (``register_executor``, ``register_target``) when the app is built. This module imports
none of them and knows nothing of their internals. An action whose executor is not registered
is listed but cannot be approved, and says why.

Where each rule is enforced:

- the requester never decides their own request: here (403) and in the database (an approval
  row carries its action's requester through a foreign key on (action, requester), and a
  check constraint refuses approver = requester);
- nor does anyone the payload lists in ``excluded_approvers`` (ids the owning service names,
  such as whoever raised the record the change is about): here (403);
- one person gives one decision per revision: here (409) and in the database (unique
  (action, revision, approver));
- only holders of the action's approver permission decide; nothing is decided after expiry:
  here;
- one open request per action and target: here (409) and a partial unique index;
- exactly one execution: a conditional update ``approved → executed`` in the same transaction
  as the executor's work, so concurrent calls find it done and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from mallconsole.core import states
from mallconsole.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from mallconsole.core.money import format_stored_amount
from mallconsole.core.people import Person, display_name
from mallconsole.core.roles import Permission, holders_in_words, permissions_of
from mallconsole.core.text import is_id
from mallconsole.models import AdminAction, MakerCheckerApproval, User, utcnow
from mallconsole.services.identity.staff import active_roles
from mallconsole.services.kit import audit, settings, versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

TABLE = "shopping_mall_admin_actions"
MACHINE = states.ADMIN_ACTION_MACHINE
APPROVER_PERMISSIONS = (Permission.APPROVALS_FINANCE, Permission.APPROVALS_ADMIN)
MAX_APPROVALS_NEEDED = 5
JUSTIFICATION_MAX = 2000
REASON_MAX = 1000

# The words for each action (the inbox's "what"), and who decides it.
KIND_LABELS = {
    "approve_refund": "Refund over the approval threshold",
    "suspend_seller": "Suspend a seller",
    "grant_role": "Grant a staff role",
    "wallet_adjustment": "Store credit adjustment",
    "change_configuration": "Change a setting",
    "purge_customer_data": "Erase a customer's data",
    "change_flag": "Change a sensitive feature flag",
    "approve_policy_version": "Bring a policy version into force",
    "approve_payout": "Payout over the approval threshold",
}
DEFAULT_APPROVER = {
    "approve_refund": Permission.APPROVALS_FINANCE,
    "wallet_adjustment": Permission.APPROVALS_FINANCE,
    "approve_payout": Permission.APPROVALS_FINANCE,
}
STATUS_LABELS = {
    "pending": "Waiting for approval",
    "approved": "Approved",
    "rejected": "Rejected",
    "executed": "Approved and carried out",
    "canceled": "Canceled",
}
STATUS_TONES = {
    "pending": "info",
    "approved": "info",
    "rejected": "danger",
    "executed": "success",
    "canceled": "neutral",
}
CANCEL_LABELS = {"withdrawn": "Withdrawn", "expired": "Expired"}

Executor = Callable[..., str | None]
_EXECUTORS: dict[str, Executor] = {}


def register_executor(action_name: str, executor: Executor) -> Executor:
    """Make ``executor(session, action, *, actor) -> summary`` carry out ``action_name``.

    It runs inside the approval's transaction and flushes its work; a ``DomainError`` it raises
    (the target changed meanwhile, say) refuses the approval and changes nothing.
    """
    if action_name not in states.ADMIN_ACTION_NAMES:
        raise ValueError(f"unknown action name {action_name!r}")
    _EXECUTORS[action_name] = executor
    return executor


def register_target(table: str, labels: Callable, screen: tuple[str, str] | None) -> None:
    """Name the records of ``table`` in the inbox: ``labels(session, ids) -> {id: words}``, and
    ``screen`` (endpoint, id argument) links each to its page."""
    TARGETS[table] = (labels, screen)


def executor_of(action_name: str) -> Executor | None:
    return _EXECUTORS.get(action_name)


def kind_label(action_name: str) -> str:
    return KIND_LABELS.get(action_name) or action_name.replace("_", " ").capitalize()


def unavailable_reason(action_name: str) -> str | None:
    """Why an action of this kind cannot be approved (no executor yet), or None."""
    if action_name in _EXECUTORS:
        return None
    return (
        f"Mall Console cannot carry out “{kind_label(action_name).lower()}” yet, so this "
        "request cannot be approved here. You can reject it with a reason."
    )


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One line of the readable diff: a field, its value before and the value asked for."""

    label: str
    before: object
    after: object


def changes_of(payload: dict | None) -> list[FieldChange]:
    """The diff a payload asks for: every field of ``after``, with its ``before`` value.

    The fields a payload names in ``amounts`` are amounts of its ``currency`` (``"25.00"``,
    ``"+25.00"`` for a change), written here as the reader writes money (``USD 25.00``)."""
    payload = payload or {}
    before = payload.get("before") or {}
    after = payload.get("after") or {}
    labels = payload.get("labels") or {}
    amounts = set(payload.get("amounts") or ()) if payload.get("currency") else set()

    def value(name, raw):
        written = format_stored_amount(raw, payload["currency"]) if name in amounts else None
        return raw if written is None else written

    return [
        FieldChange(
            labels.get(name) or name.replace("_", " ").capitalize(),
            value(name, before.get(name)),
            value(name, v),
        )
        for name, v in after.items()
    ]


def display_value(value) -> str:
    """A payload value in words (``states.in_words``)."""
    return states.in_words(value)


def describe_change(payload: dict | None) -> str:
    """The change a payload asks for as one sentence, for the audit trail."""
    return "; ".join(
        f"{c.label}: {display_value(c.before)} → {display_value(c.after)}"
        for c in changes_of(payload)
    )


# Where a payload names the money it moves, beside its "currency": a store-credit adjustment's
# "amount", a payout's "net_amount", else a refund's approved amount (``after``).
AMOUNT_KEYS = ("amount", "net_amount")


def amount_of(payload: dict | None) -> tuple[Decimal, str] | None:
    """The amount a payload moves and its currency, or None when it moves no money."""
    payload = payload or {}
    currency = payload.get("currency")
    raw = next((payload[k] for k in AMOUNT_KEYS if payload.get(k) is not None), None)
    if raw is None:
        raw = (payload.get("after") or {}).get("approved_amount")
    if not isinstance(currency, str) or raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return (value, currency) if value.is_finite() else None


@dataclass
class ActionRow:
    """An action as the inbox shows it."""

    action: AdminAction
    requester: Person | None
    approvals: list[tuple[Person | None, MakerCheckerApproval]] = field(default_factory=list)
    target: str | None = None
    target_url: str | None = None

    @property
    def kind(self) -> str:
        return kind_label(self.action.action_name)

    @property
    def amount(self) -> tuple[Decimal, str] | None:
        """The money the request moves and its currency (None: it moves none)."""
        return amount_of(self.action.payload)

    @property
    def status_label(self) -> str:
        if self.action.status == "canceled" and self.action.cancel_reason:
            return CANCEL_LABELS.get(self.action.cancel_reason, "Canceled")
        return STATUS_LABELS.get(self.action.status, states.label(MACHINE, self.action.status))

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.action.status, "neutral")

    @property
    def current_approvals(self) -> list[tuple[Person | None, MakerCheckerApproval]]:
        """Approvals that count: the current revision's ``approve`` decisions."""
        return [
            (email, a)
            for email, a in self.approvals
            if a.revision == self.action.revision and a.decision == "approve"
        ]

    @property
    def unavailable(self) -> str | None:
        return unavailable_reason(self.action.action_name)

    @property
    def waiting_for(self) -> str:
        """Who the request waits for, as its maker reads it: "another finance manager"."""
        return waiting_for(self.action, len(self.current_approvals))


def waiting_for(action: AdminAction, given: int = 0) -> str:
    """Who a pending request waits for, in the role's words: "another finance manager", "2 more
    system admins" (``given``: the approvals of its current revision so far)."""
    return holders_in_words(action.approver_permission, max(1, action.approvals_needed - given))


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _permissions(session, user_id: str) -> frozenset:
    return permissions_of(active_roles(session, user_id))


def get_action(session, action_id: str) -> AdminAction:
    action = session.get(AdminAction, action_id) if is_id(action_id) else None
    if action is None or action.deleted_at is not None:
        raise NotFound("That approval request does not exist.")
    return action


# Targets: the words and (when its screen exists) the link for each kind of record.
def _user_label(session, ids):
    # A staff member (a role grant, a purge) by name: their email is for their record.
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {i: display_name(name, email) for i, name, email in rows}


def _seller_label(session, ids):
    from mallconsole.models import Seller

    return dict(
        session.execute(select(Seller.id, Seller.display_name).where(Seller.id.in_(ids))).all()
    )


def _refund_label(session, ids):
    from mallconsole.models import RefundRequest

    return dict(
        session.execute(
            select(RefundRequest.id, RefundRequest.refund_request_number).where(
                RefundRequest.id.in_(ids)
            )
        ).all()
    )


def _configuration_label(session, ids):
    from mallconsole.models import Configuration

    rows = session.execute(
        select(Configuration.id, Configuration.key, Configuration.scope).where(
            Configuration.id.in_(ids)
        )
    ).all()
    return {i: f"{key} ({scope})" if scope else key for i, key, scope in rows}


def _balance_label(session, ids):
    from mallconsole.models import UserBalance

    rows = session.execute(
        select(UserBalance.id, User.name, User.email, UserBalance.currency)
        .join(User, User.id == UserBalance.shopping_mall_user_id)
        .where(UserBalance.id.in_(ids))
    ).all()
    return {
        i: f"{display_name(name, email)} — {currency} store credit"
        for i, name, email, currency in rows
    }


TARGETS = {
    "shopping_mall_users": (_user_label, None),
    "shopping_mall_sellers": (_seller_label, ("operations.seller_detail", "seller_id")),
    "shopping_mall_refund_requests": (_refund_label, ("finance.refund_detail", "refund_id")),
    "shopping_mall_configurations": (
        _configuration_label,
        ("admin.configuration_detail", "row_id"),
    ),
    "shopping_mall_user_balances": (_balance_label, None),
}


def _describe_targets(session, rows: list[ActionRow]) -> None:
    wanted: dict[str, set] = {}
    for row in rows:
        if row.action.target_entity_id:
            wanted.setdefault(row.action.target_entity_table, set()).add(
                row.action.target_entity_id
            )
    labels = {}
    for table, ids in wanted.items():
        describe = TARGETS.get(table)
        if describe:
            labels[table] = describe[0](session, list(ids))
    for row in rows:
        table, target_id = row.action.target_entity_table, row.action.target_entity_id
        words = audit.entity_label(table)
        if not target_id:
            row.target = words
            continue
        row.target = labels.get(table, {}).get(target_id) or words
        screen = TARGETS.get(table, (None, None))[1]
        if screen and has_request_context() and screen[0] in current_app.view_functions:
            row.target_url = url_for(screen[0], **{screen[1]: target_id})


def _person(email: str | None, name: str | None) -> Person | None:
    return Person(name, email) if email else None


def _rows(session, found) -> list[ActionRow]:
    """ActionRows for ``(action, requester email, requester name)`` rows, with approvals and
    targets."""
    rows = [ActionRow(action, _person(email, name)) for action, email, name in found]
    if not rows:
        return rows
    by_id = {row.action.id: row for row in rows}
    decisions = session.execute(
        select(MakerCheckerApproval, User.email, User.name)
        .outerjoin(User, User.id == MakerCheckerApproval.approver_user_id)
        .where(MakerCheckerApproval.shopping_mall_admin_action_id.in_(list(by_id)))
        .order_by(MakerCheckerApproval.created_at, MakerCheckerApproval.id)
    ).all()
    for decision, email, name in decisions:
        by_id[decision.shopping_mall_admin_action_id].approvals.append(
            (_person(email, name), decision)
        )
    _describe_targets(session, rows)
    return rows


def action_row(session, action_id: str) -> ActionRow:
    action = get_action(session, action_id)
    found = session.execute(
        select(User.email, User.name).where(User.id == action.requested_by_user_id)
    ).first()
    return _rows(session, [(action, *(found or (None, None)))])[0]


def visible_row(session, action_id: str, *, viewer_id: str, permission) -> ActionRow | None:
    """The request's row if ``viewer_id`` may see it in the inbox of ``permission`` (they asked
    for it, or it is of that permission's kinds); None otherwise, or when there is none."""
    action = session.get(AdminAction, action_id) if is_id(action_id) else None
    if action is None or action.deleted_at is not None:
        return None
    if action.requested_by_user_id != viewer_id and action.approver_permission != str(permission):
        return None
    return action_row(session, action.id)


def current_row(session, action_id: str) -> ActionRow:
    """The request's row as this transaction has just left it (read again from the database)."""
    session.flush()
    session.expire_all()
    return action_row(session, action_id)


def _waiting_filter(user_id: str, permission: str, now: datetime):
    """Pending, unexpired actions of ``permission`` someone else asked for and ``user_id`` has
    not decided in their current revision."""
    decided = exists().where(
        MakerCheckerApproval.shopping_mall_admin_action_id == AdminAction.id,
        MakerCheckerApproval.revision == AdminAction.revision,
        MakerCheckerApproval.approver_user_id == user_id,
    )
    return and_(
        AdminAction.status == "pending",
        AdminAction.deleted_at.is_(None),
        AdminAction.approver_permission == str(permission),
        AdminAction.requested_by_user_id != user_id,
        AdminAction.expires_at > now,
        ~decided,
    )


INBOX_SORTS = (
    SortKey("expires", "Expires", AdminAction.expires_at, kind=datetime),
    SortKey("requested", "Requested", AdminAction.created_at, kind=datetime),
)
MINE_SORTS = (SortKey("requested", "Requested", AdminAction.created_at, kind=datetime),)
ACTION_ID = AdminAction.id


def _statement(where, filters: dict):
    statement = (
        select(AdminAction, User.email, User.name)
        .outerjoin(User, User.id == AdminAction.requested_by_user_id)
        .where(where)
    )
    if filters.get("kind"):
        statement = statement.where(AdminAction.action_name == filters["kind"])
    if filters.get("status"):
        statement = statement.where(AdminAction.status == filters["status"])
    return statement


def _tab_filter(tab: str, user_id: str, permission: str, now: datetime):
    if tab == "waiting":
        return _waiting_filter(user_id, permission, now)
    if tab == "mine":
        return and_(AdminAction.requested_by_user_id == user_id, AdminAction.deleted_at.is_(None))
    raise ValueError(f"unknown tab {tab!r}")


def list_page(session, tab, user_id, permission, filters, ordering, *, cursor, limit, now=None):
    """One page of a tab of the inbox: ``waiting`` (actions of ``permission``'s kinds waiting
    for ``user_id``'s decision) or ``mine`` (what ``user_id`` asked for, in every state)."""
    where = _tab_filter(tab, user_id, permission, _now(now))
    statement = _statement(where, filters)
    attribute = ordering.key.column.key
    page = keyset_page(
        session,
        statement,
        ordering,
        cursor=cursor,
        limit=limit,
        key_of=lambda row: (getattr(row[0], attribute), row[0].id),
    )
    page.rows = _rows(session, page.rows)
    return page


def list_count(session, tab, user_id, permission, filters=None, *, now=None):
    """How many rows a tab lists (exact up to the contract's cap)."""
    where = _tab_filter(tab, user_id, permission, _now(now))
    return capped_count(session, _statement(where, filters or {}).with_only_columns(AdminAction.id))


def badge_count(session, user_id, permission, *, now=None) -> int:
    """The number the navigation badge shows (one query)."""
    return session.scalar(
        select(func.count())
        .select_from(AdminAction)
        .where(_waiting_filter(user_id, permission, _now(now)))
    )


# --- changing ----------------------------------------------------------------------------------


def _text(value, *, what: str, field_name: str, limit: int, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(f"Give a {what}.", field_errors={field_name: [f"Give a {what}."]})
        return None
    if len(value) > limit:
        message = f"Keep the {what} under {limit:,} characters."
        raise ValidationError(message, field_errors={field_name: [message]})
    return value


def _expiry(session, now: datetime) -> datetime:
    hours = settings.reader(session).integer(states.APPROVALS_EXPIRY_HOURS)
    return now + timedelta(hours=max(1, hours))


def _check_payload(payload) -> dict:
    if not isinstance(payload, dict) or not isinstance(payload.get("after"), dict):
        raise ValidationError("The change asked for is missing: say what it should become.")
    if payload.get("before") is not None and not isinstance(payload["before"], dict):
        raise ValidationError("The change asked for is not readable.")
    return audit.jsonable(payload)


def _open_request(session, action_name, target_table, target_id):
    if target_id is None:
        return None
    return session.scalars(
        select(AdminAction).where(
            AdminAction.action_name == action_name,
            AdminAction.target_entity_table == target_table,
            AdminAction.target_entity_id == target_id,
            AdminAction.status.in_(("pending", "approved")),
        )
    ).first()


def open_requests(session, action_name, target_table, target_ids) -> dict[str, AdminAction]:
    """The open (pending or approved) request of ``action_name`` for each of ``target_ids``,
    by target id, in one query: what a list shows as "waiting for approval"."""
    ids = list(target_ids)
    if not ids:
        return {}
    found = session.scalars(
        select(AdminAction).where(
            AdminAction.action_name == action_name,
            AdminAction.target_entity_table == target_table,
            AdminAction.target_entity_id.in_(ids),
            AdminAction.status.in_(("pending", "approved")),
        )
    )
    return {action.target_entity_id: action for action in found}


def _inserted(session, row) -> bool:
    """Add ``row`` in a savepoint; False when a unique or foreign key refuses it."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def _audit(session, action: AdminAction, actor, event: str, summary: str, **changes) -> None:
    """The audit event of one step of ``action`` (linked to it)."""
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=action.id,
        action=f"admin_action.{event}",
        summary=summary,
        admin_action=action,
        **changes,
    )


@dataclass(frozen=True)
class Requested:
    action: AdminAction
    created: bool


def request_approval(
    session,
    action_name: str,
    target_table: str,
    target_id: str | None,
    payload: dict,
    justification: str,
    *,
    actor,
    approvals_needed: int = 1,
    approver_permission: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Requested:
    """Ask for ``action_name`` on a target, to be carried out once approved.

    A repeat with the same ``idempotency_key`` returns the first request (``created`` False);
    a second open request for the same action and target is refused (409).
    """
    now = _now(now)
    if action_name not in states.ADMIN_ACTION_NAMES:
        raise ValidationError(f"{action_name!r} is not an action that can be approved.")
    permission = approver_permission or DEFAULT_APPROVER.get(
        action_name, Permission.APPROVALS_ADMIN
    )
    if permission not in APPROVER_PERMISSIONS:
        raise ValidationError(f"{permission!r} is not a permission that approves actions.")
    if not isinstance(approvals_needed, int) or not 1 <= approvals_needed <= MAX_APPROVALS_NEEDED:
        raise ValidationError(f"An action needs between 1 and {MAX_APPROVALS_NEEDED} approvals.")
    justification = _text(
        justification, what="justification", field_name="justification",
        limit=JUSTIFICATION_MAX, required=True,
    )  # fmt: skip
    payload = _check_payload(payload)
    key = (idempotency_key or "").strip() or f"{action_name}:{uuid.uuid4()}"
    if len(key) > 200:
        raise ValidationError("That request key is too long.")
    earlier = session.scalars(select(AdminAction).where(AdminAction.idempotency_key == key)).first()
    if earlier is not None:
        same = (
            earlier.requested_by_user_id == actor.id
            and earlier.action_name == action_name
            and earlier.target_entity_id == target_id
        )
        if not same:
            raise Conflict("That request key was already used for another request.")
        return Requested(earlier, False)
    _refuse_second_open(session, action_name, target_table, target_id)
    action = AdminAction(
        requested_by_user_id=actor.id,
        idempotency_key=key,
        action_name=action_name,
        target_entity_table=target_table,
        target_entity_id=target_id,
        status="pending",
        justification=justification,
        payload=payload,
        revision=1,
        approvals_needed=approvals_needed,
        approver_permission=str(permission),
        expires_at=_expiry(session, now),
        created_at=now,
        updated_at=now,
    )
    if not _inserted(session, action):
        # Someone asked for the same thing at the same moment (unique key or open target).
        _refuse_second_open(session, action_name, target_table, target_id)
        raise Conflict("The same request was just made by someone else. Reload the page.")
    _audit(
        session,
        action,
        actor,
        "requested",
        f"Asked for approval: {kind_label(action_name)}",
        reason=justification,
        after={"status": "pending", "revision": 1, "change": describe_change(payload)},
    )
    return Requested(action, True)


def _refuse_second_open(session, action_name, target_table, target_id) -> None:
    open_one = _open_request(session, action_name, target_table, target_id)
    if open_one is not None:
        raise Conflict(
            f"This is already waiting for approval (asked on "
            f"{open_one.created_at:%Y-%m-%d}). Decide or withdraw that request first."
        )


def _lock(session, action_id: str) -> AdminAction:
    if not is_id(action_id):
        raise NotFound("That approval request does not exist.")
    return versions.lock(session, AdminAction, action_id, what="approval request")


def _closed_message(action: AdminAction) -> str:
    if action.status == "executed":
        return "This request was already approved and carried out."
    if action.status == "approved":
        return "This request was already approved."
    if action.status == "rejected":
        return "This request was already rejected."
    if action.cancel_reason == "expired":
        return "This request expired before it was decided."
    return "The requester withdrew this request."


def seen_revision(revision) -> int:
    """The revision a decision names (the one the person saw); refused when it names none."""
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise ValidationError(
            "The decision did not say which version of the request it was made on. Reload the "
            "request and decide again."
        )
    return revision


@dataclass(frozen=True)
class Decided:
    action: AdminAction
    message: str
    executed: bool = False


def decide(
    session,
    action_id: str,
    decision: str,
    reason: str | None = None,
    *,
    actor,
    revision: int | None,
    now: datetime | None = None,
) -> Decided:
    """Approve or reject ``action_id`` as ``actor``; the last approval needed carries it out.

    ``revision`` is the revision the person decided on (the form's hidden field): a decision
    names what it saw, so an approval never lands on a change made after the page was read."""
    now = _now(now)
    revision = seen_revision(revision)
    if decision not in states.MAKER_CHECKER_DECISIONS:
        raise ValidationError("Choose to approve or to reject.")
    reason = _text(
        reason, what="reason", field_name="reason", limit=REASON_MAX, required=decision == "reject"
    )
    action = _lock(session, action_id)
    if action.status != "pending":
        raise Conflict(_closed_message(action))
    if action.expires_at is not None and action.expires_at <= now:
        raise Conflict(
            "This request expired and can no longer be decided. The requester can ask again."
        )
    if action.requested_by_user_id == actor.id:
        raise Forbidden("You asked for this change, so someone else must decide it.")
    if actor.id in ((action.payload or {}).get("excluded_approvers") or ()):
        # the owning service names who may not decide besides the requester (the person who
        # raised the refund this second approval is about, say)
        raise Forbidden("You raised what this change is about, so someone else must decide it.")
    if action.approver_permission not in _permissions(session, actor.id):
        raise Forbidden("Deciding this kind of request needs another role.")
    if revision != action.revision:
        raise Conflict(
            "The requester changed this request after you opened it, and the approvals given "
            "so far no longer count. Check the change again before you decide."
        )
    already = session.scalar(
        select(MakerCheckerApproval.decision).where(
            MakerCheckerApproval.shopping_mall_admin_action_id == action.id,
            MakerCheckerApproval.revision == action.revision,
            MakerCheckerApproval.approver_user_id == actor.id,
        )
    )
    if already is not None:
        raise Conflict(
            "You already approved this request; it needs another approver."
            if already == "approve"
            else "You already rejected this request."
        )
    if decision == "approve" and unavailable_reason(action.action_name):
        raise Conflict(unavailable_reason(action.action_name))
    approval = MakerCheckerApproval(
        shopping_mall_admin_action_id=action.id,
        requested_by_user_id=action.requested_by_user_id,
        approver_user_id=actor.id,
        revision=action.revision,
        decision=decision,
        reason=reason,
        decided_at=now,
        created_at=now,
        updated_at=now,
    )
    if not _inserted(session, approval):
        raise Conflict("Your decision on this request was already recorded.")
    label = kind_label(action.action_name)
    if decision == "reject":
        _move(session, action, "rejected", actor=actor, now=now, reason=reason,
              summary=f"Rejected: {label}", extra={"rejection_reason": reason})  # fmt: skip
        action.rejection_reason = reason
        return Decided(action, f"Rejected. {_requester(session, action)} will see your reason.")
    given = session.scalar(
        select(func.count(func.distinct(MakerCheckerApproval.approver_user_id))).where(
            MakerCheckerApproval.shopping_mall_admin_action_id == action.id,
            MakerCheckerApproval.revision == action.revision,
            MakerCheckerApproval.decision == "approve",
        )
    )
    _audit(
        session,
        action,
        actor,
        "approval_given",
        f"Approved ({given} of {action.approvals_needed}): {label}",
        reason=reason,
        before={"approvals": given - 1},
        after={"approvals": given, "revision": action.revision},
    )
    if given < action.approvals_needed:
        left = action.approvals_needed - given
        return Decided(
            action,
            f"Approved. It needs {left} more approval{'s' if left > 1 else ''} from someone else.",
        )
    _move(session, action, "approved", actor=actor, now=now, summary=f"Approved: {label}")
    try:
        # The approval stands even when carrying it out is refused (the target changed
        # meanwhile, say): that part alone rolls back, and can be tried again.
        with session.begin_nested():
            outcome = execute(session, action.id, actor=actor, now=now)
    except DomainError as error:
        session.refresh(action)
        return Decided(
            action,
            f"Approved, but it could not be carried out: {error.message} It stays approved; "
            "carry it out from its page once that is sorted out.",
        )
    return Decided(outcome.action, f"Approved and carried out. {outcome.message}", True)


def _requester(session, action: AdminAction) -> str:
    found = session.execute(
        select(User.name, User.email).where(User.id == action.requested_by_user_id)
    ).first()
    return display_name(*found) if found else "The requester"


def _move(session, action, target, *, actor, now, summary, reason=None, extra=None) -> None:
    states.check_move(MACHINE, action.status, target)
    before = {"status": action.status, "version": action.version}
    action.status = target
    action.version += 1
    action.updated_at = now
    _audit(
        session,
        action,
        actor,
        target,
        summary,
        reason=reason,
        before=before,
        after={"status": target, "version": action.version, **(extra or {})},
    )


@dataclass(frozen=True)
class Executed:
    action: AdminAction
    message: str
    executed_now: bool


def execute(session, action_id: str, *, actor, now: datetime | None = None) -> Executed:
    """Carry out an approved action, exactly once.

    The move ``approved → executed`` is a conditional update: of concurrent callers one wins,
    the others (waiting on its row lock on PostgreSQL, on the write lock on SQLite) find it
    executed and change nothing. The executor's work commits with that move or not at all.
    """
    now = _now(now)
    if not is_id(action_id):
        raise NotFound("That approval request does not exist.")
    known = session.execute(
        select(AdminAction.requested_by_user_id, AdminAction.approver_permission).where(
            AdminAction.id == action_id
        )
    ).first()
    if known is None:
        raise NotFound("That approval request does not exist.")
    if known[0] != actor.id and known[1] not in _permissions(session, actor.id):
        raise Forbidden("Only the requester or an approver of this kind can carry it out.")
    states.check_move(MACHINE, "approved", "executed")  # the move of the conditional UPDATE
    taken = session.execute(
        update(AdminAction)
        .where(AdminAction.id == action_id, AdminAction.status == "approved")
        .values(
            status="executed",
            executed_at=now,
            performed_by_user_id=actor.id,
            version=AdminAction.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    action = session.execute(
        select(AdminAction)
        .where(AdminAction.id == action_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if action is None:
        raise NotFound("That approval request does not exist.")
    if not taken:
        if action.status == "executed":
            when = action.executed_at.strftime("%Y-%m-%d %H:%M UTC") if action.executed_at else ""
            return Executed(
                action, f"It was already carried out {when}; nothing was done again.", False
            )
        raise Conflict(
            f"Only an approved request can be carried out; this one is "
            f"{STATUS_LABELS.get(action.status, action.status).lower()}."
        )
    executor = executor_of(action.action_name)
    if executor is None:
        raise Conflict(unavailable_reason(action.action_name))
    summary = executor(session, action, actor=actor) or kind_label(action.action_name)
    session.flush()
    _audit(
        session,
        action,
        actor,
        "executed",
        f"Carried out: {summary}",
        before={"status": "approved", "version": action.version - 1},
        after={"status": "executed", "version": action.version},
    )
    return Executed(action, summary if summary.endswith(".") else f"{summary}.", True)


def withdraw(session, action_id: str, *, actor, now: datetime | None = None) -> AdminAction:
    """The requester takes back a pending request."""
    now = _now(now)
    action = _lock(session, action_id)
    if action.requested_by_user_id != actor.id:
        raise Forbidden("Only the person who asked for this can withdraw it.")
    if action.status != "pending":
        raise Conflict(_closed_message(action))
    _move(session, action, "canceled", actor=actor, now=now,
          summary=f"Withdrew: {kind_label(action.action_name)}",
          extra={"cancel_reason": "withdrawn"})  # fmt: skip
    action.cancel_reason = "withdrawn"
    return action


def revise(
    session,
    action_id: str,
    payload: dict,
    justification: str | None = None,
    *,
    actor,
    now: datetime | None = None,
) -> AdminAction:
    """The requester edits the change asked for: a new revision, approvals so far void."""
    now = _now(now)
    action = _lock(session, action_id)
    if action.requested_by_user_id != actor.id:
        raise Forbidden("Only the person who asked for this can change it.")
    if action.status != "pending":
        raise Conflict(_closed_message(action))
    payload = _check_payload(payload)
    justification = (
        _text(
            justification,
            what="justification",
            field_name="justification",
            limit=JUSTIFICATION_MAX,
            required=True,
        )  # fmt: skip
        if justification is not None
        else action.justification
    )
    voided = session.scalar(
        select(func.count()).where(
            MakerCheckerApproval.shopping_mall_admin_action_id == action.id,
            MakerCheckerApproval.revision == action.revision,
            MakerCheckerApproval.decision == "approve",
        )
    )
    before = {
        "revision": action.revision,
        "change": describe_change(action.payload),
        "version": action.version,
    }
    action.payload = payload
    action.justification = justification
    action.revision += 1
    action.version += 1
    action.expires_at = _expiry(session, now)
    action.updated_at = now
    note = f"; {voided} approval{'s' if voided != 1 else ''} no longer count" if voided else ""
    _audit(
        session,
        action,
        actor,
        "revised",
        f"Changed the request{note}: {kind_label(action.action_name)}",
        before=before,
        after={
            "revision": action.revision,
            "change": describe_change(payload),
            "version": action.version,
        },
    )
    return action


def expire(session, *, now: datetime | None = None) -> int:
    """Cancel the pending actions whose time ran out (the ``expire-approvals`` job)."""
    now = _now(now)
    lapsed = session.scalars(
        select(AdminAction)
        .where(AdminAction.status == "pending", AdminAction.expires_at <= now)
        .order_by(AdminAction.expires_at)
        .limit(1000)
        .with_for_update(skip_locked=True)
    ).all()
    for action in lapsed:
        _move(session, action, "canceled", actor=None, now=now,
              summary=f"Expired without a decision: {kind_label(action.action_name)}",
              extra={"cancel_reason": "expired"})  # fmt: skip
        action.cancel_reason = "expired"
    return len(lapsed)
