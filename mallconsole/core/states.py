"""The state machines of docs/contract.md as data, the stored vocabularies and the configuration
keys, defined once.

Services call ``check_move(machine, current, target)`` before they change a state (an illegal
move raises ``InvalidTransition``, a 409 whose message names both states); screens ask
``allowed_targets`` for the actions they offer and ``label`` for the words they show. The demo
world and the services import these names instead of spelling state names or codes again.
``tests/test_states.py`` parses the contract's table and compares it with the data below, both
ways: a change to either side alone fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mallconsole.core.errors import InvalidTransition, ValidationError

# ---- states (the contract's "states" column, in its order) ------------------------------------
SUPPORT_CASE = ("open", "pending", "on_hold", "resolved", "closed")
SUPPORT_CASE_OPEN = ("open", "pending", "on_hold")
REVIEW = ("pending", "approved", "rejected", "removed_user", "removed_moderator")
SELLER_REPLY = ("pending", "approved", "rejected")
REVIEW_REPORT_DECISION = ("dismissed", "removed", "edited")
REFUND_REQUEST = (
    "pending",
    "pending_second_approval",
    "approved",
    "rejected",
    "executed",
    "canceled",
)
CANCELLATION_REQUEST = ("pending", "approved", "rejected", "withdrawn", "executed")
RETURN_REQUEST = ("pending", "approved", "rejected", "in_transit_back", "received", "closed")
ORDER = (
    "pending_payment",
    "pending_confirmation",
    "confirmed",
    "partially_shipped",
    "shipped",
    "partially_delivered",
    "delivered",
    "completed",
    "on_hold",
    "under_review",
    "canceled",
    "refunded",
)
PAYMENT = (
    "pending",
    "authorized",
    "captured",
    "partially_refunded",
    "refunded",
    "canceled",
    "failed",
)
SHIPMENT = (
    "ready_to_ship",
    "in_transit",
    "out_for_delivery",
    "delivery_attempted",
    "delivered",
    "exception",
    "return_to_sender",
    "returned",
)
INVENTORY_RESERVATION = ("active", "extended", "consumed", "released", "expired")
PAYOUT = ("scheduled", "processing", "paid", "failed", "canceled")
CHARGEBACK = ("open", "under_review", "won", "lost")
SELLER = ("draft", "pending_verification", "active", "suspended", "terminated")
SELLER_VERIFICATION = ("draft", "pending", "action_required", "approved", "rejected", "suspended")
PROMOTION = ("draft", "active", "paused", "expired", "archived")
COUPON = PROMOTION
ADMIN_ACTION = ("pending", "approved", "rejected", "executed", "canceled")
DATA_EXPORT = ("requested", "approved", "processing", "completed", "failed", "canceled")
STAFF_USER = ("active", "suspended", "terminated")
# A payout account is unverified until finance checks it; only a verified primary account is paid.
PAYOUT_ACCOUNT_STATUSES = ("unverified", "verified", "rejected")
# Where a policy version stands, derived from ``approved``, its window and its approval request
# (never stored: ``services/admin/policies.version_state``).
POLICY_VERSION_STATES = ("draft", "awaiting_approval", "scheduled", "in_force", "ended")
RESERVE_STATUSES = ("active", "partially_released", "released")
# Console working tables (revision 0004).
JOB_RUN = ("queued", "running", "succeeded", "failed", "skipped")
JOB_RUN_ACTIVE = ("queued", "running")
OUTBOUND_MESSAGE = ("queued", "sending", "sent", "failed")

# Order states in which nothing has left a warehouse yet: "any state before shipped".
# partially_shipped is not one of them: part of the order is on its way, so canceling it is a
# return, not a cancellation (the demo world refuses such cancellation requests too).
ORDER_BEFORE_SHIPPED = ("pending_payment", "pending_confirmation", "confirmed")
# "any state before completed": the steps of the order's way up to delivery.
ORDER_BEFORE_COMPLETED = (
    "pending_payment",
    "pending_confirmation",
    "confirmed",
    "partially_shipped",
    "shipped",
    "partially_delivered",
    "delivered",
)
# States that interrupt an order; on release it returns to the state it interrupted.
ORDER_INTERRUPTIONS = ("on_hold", "under_review")
# What an interruption is for (shopping_mall_orders.business_status): a hold is a payment risk
# review, a review a fraud check.
ORDER_BUSINESS_STATUSES = ("payment_risk_review", "fraud_check")
# A coupon redemption stands until its order is canceled (shopping_mall_coupon_redemptions.status).
COUPON_REDEMPTION_STATUSES = ("applied", "revoked")
ORDER_INTERRUPTION_BUSINESS_STATUS = dict(
    zip(ORDER_INTERRUPTIONS, ORDER_BUSINESS_STATUSES, strict=True)
)
# A failed or canceled payout gives its ledger entries back (its items are removed, the list
# kept in its audit event); services read this instead of naming the two states.
PAYOUT_GIVES_ENTRIES_BACK = ("failed", "canceled")

# Screens show these words; every other state reads as its key with spaces ("on_hold" ->
# "On hold", "pending_second_approval" -> "Pending second approval").
LABELS = {
    "removed_user": "Removed by its author",
    "removed_moderator": "Removed by a moderator",
    "in_transit_back": "On its way back",
    "return_to_sender": "Returning to sender",
}
NOT_SET = "Not set"


def _moves(sources: Iterable[str | None], targets: Iterable[str]) -> set[tuple[str | None, str]]:
    """Every move from one of ``sources`` to one of ``targets`` (none to the same state)."""
    targets = tuple(targets)
    return {(a, b) for a in sources for b in targets if a != b}


def _both_ways(a: str, b: str) -> set[tuple[str, str]]:
    return {(a, b), (b, a)}


@dataclass(frozen=True)
class Machine:
    """The states of one kind of record, its legal moves, and where the state is stored."""

    name: str  # in the staff's words, as the contract's table names it
    table: str
    column: str
    states: tuple[str, ...]
    moves: frozenset[tuple[str | None, str]]
    # States a record leaves only for the state it interrupted (read from its status history).
    interruptions: tuple[str, ...] = ()
    # The state is not stored but derived (a policy version's, from ``approved``, its window and
    # its approval request): ``column`` is the stored part its service changes.
    derived: bool = False

    def __post_init__(self):
        unknown = {s for move in self.moves for s in move if s is not None} - set(self.states)
        if unknown:
            raise ValueError(f"{self.name}: moves name unknown states {sorted(unknown)}")

    @property
    def a(self) -> str:
        """The machine's name with its article: "a refund request", "an order"."""
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"


def _machine(name, table, column, states, moves, **extra) -> Machine:
    return Machine(name, table, column, tuple(states), frozenset(moves), **extra)


SUPPORT_CASE_MACHINE = _machine(
    "support case",
    "shopping_mall_support_cases",
    "status",
    SUPPORT_CASE,
    _moves(SUPPORT_CASE_OPEN, SUPPORT_CASE_OPEN)  # "among themselves"
    | _moves(SUPPORT_CASE_OPEN, ["resolved"])
    | _moves(["resolved"], ["closed", "open"])
    | _moves(["closed"], ["open"]),
)
REVIEW_MACHINE = _machine(
    "review",
    "shopping_mall_reviews",
    "state",
    REVIEW,
    _moves(["pending"], ["approved", "rejected", "removed_moderator"])
    | _moves(["approved"], ["removed_moderator", "rejected"])
    | _moves(["rejected", "removed_moderator"], ["approved"])  # appeal
    # "any → removed_user (final)": from every other state; nothing leaves removed_user.
    | _moves(REVIEW, ["removed_user"]),
)
SELLER_REPLY_MACHINE = _machine(
    "seller reply",
    "shopping_mall_seller_replies",
    "state",
    SELLER_REPLY,
    _moves(["pending"], ["approved", "rejected"]) | _both_ways("approved", "rejected"),
)
# "set once when the report is resolved": from no decision (None, an open report) to any
# decision, and never from one decision to another.
REVIEW_REPORT_DECISION_MACHINE = _machine(
    "review report decision",
    "shopping_mall_review_reports",
    "decision",
    REVIEW_REPORT_DECISION,
    _moves([None], REVIEW_REPORT_DECISION),
)
# The threshold (pending -> approved at or under it, pending_second_approval over it) and the
# "second, different finance manager" are rules of the refund service, not moves.
REFUND_REQUEST_MACHINE = _machine(
    "refund request",
    "shopping_mall_refund_requests",
    "status",
    REFUND_REQUEST,
    _moves(["pending"], ["approved", "pending_second_approval", "rejected", "canceled"])
    | _moves(["pending_second_approval"], ["approved", "rejected", "canceled"])
    | _moves(["approved"], ["executed", "canceled"]),
)
CANCELLATION_REQUEST_MACHINE = _machine(
    "cancellation request",
    "shopping_mall_cancellation_requests",
    "status",
    CANCELLATION_REQUEST,
    _moves(["pending"], ["approved", "rejected", "withdrawn"]) | _moves(["approved"], ["executed"]),
)
RETURN_REQUEST_MACHINE = _machine(
    "return request",
    "shopping_mall_return_requests",
    "status",
    RETURN_REQUEST,
    _moves(["pending"], ["approved", "rejected"])
    | _moves(["approved"], ["in_transit_back", "received", "closed"])
    | _moves(["in_transit_back"], ["received"])
    | _moves(["received"], ["closed"]),
)
ORDER_MACHINE = _machine(
    "order",
    "shopping_mall_orders",
    "status",
    ORDER,
    _moves(["pending_payment"], ["pending_confirmation", "canceled"])
    | _moves(["pending_confirmation"], ["confirmed"])
    | _moves(["confirmed"], ["partially_shipped", "shipped"])
    | _moves(["partially_shipped"], ["shipped", "partially_delivered"])
    | _moves(["shipped"], ["partially_delivered", "delivered"])
    | _moves(["partially_delivered"], ["delivered"])
    | _moves(["delivered"], ["completed"])
    # "any state before shipped -> canceled": an interrupted order too, when the state it
    # interrupted could be canceled (check_move reads that from the status history).
    | _moves(ORDER_BEFORE_SHIPPED + ORDER_INTERRUPTIONS, ["canceled"])
    # "any state before completed -> on_hold, under_review": on_hold and under_review are not
    # steps of the way, so one does not lead to the other; release first.
    | _moves(ORDER_BEFORE_COMPLETED, ORDER_INTERRUPTIONS)
    # "... which return to the state they interrupted on release": any step before completed
    # here; check_move allows only the one the status history shows.
    | _moves(ORDER_INTERRUPTIONS, ORDER_BEFORE_COMPLETED)
    # "canceled (if captured) -> refunded": whether money was captured is the service's check.
    | _moves(["delivered", "completed", "canceled"], ["refunded"]),
    interruptions=ORDER_INTERRUPTIONS,
)
PAYMENT_MACHINE = _machine(
    "payment",
    "shopping_mall_payments",
    "status",
    PAYMENT,
    _moves(["pending"], ["authorized", "failed", "canceled"])
    | _moves(["authorized"], ["captured", "canceled"])
    | _moves(["captured"], ["partially_refunded", "refunded"])
    | _moves(["partially_refunded"], ["refunded"]),
)
SHIPMENT_MACHINE = _machine(
    "shipment",
    "shopping_mall_shipments",
    "status",
    SHIPMENT,
    _moves(["ready_to_ship"], ["in_transit"])
    | _moves(["in_transit"], ["out_for_delivery", "exception"])
    | _moves(["out_for_delivery"], ["delivered", "delivery_attempted", "exception"])
    | _moves(["delivery_attempted"], ["out_for_delivery", "return_to_sender"])
    | _moves(["exception"], ["in_transit", "return_to_sender"])
    | _moves(["return_to_sender"], ["returned"]),
)
INVENTORY_RESERVATION_MACHINE = _machine(
    "inventory reservation",
    "shopping_mall_inventory_reservations",
    "status",
    INVENTORY_RESERVATION,
    # "active, extended -> extended, ...": an extended hold may be extended again.
    _moves(["active", "extended"], ["extended", "consumed", "released", "expired"])
    | {("extended", "extended")},
)
PAYOUT_MACHINE = _machine(
    "payout",
    "shopping_mall_payouts",
    "status",
    PAYOUT,
    _moves(["scheduled"], ["processing", "canceled"]) | _moves(["processing"], ["paid", "failed"]),
)
CHARGEBACK_MACHINE = _machine(
    "chargeback",
    "shopping_mall_chargebacks",
    "status",
    CHARGEBACK,
    _moves(["open"], ["under_review", "lost"]) | _moves(["under_review"], ["won", "lost"]),
)
SELLER_MACHINE = _machine(
    "seller",
    "shopping_mall_sellers",
    "state",
    SELLER,
    _moves(["draft"], ["pending_verification"])
    | _moves(["pending_verification"], ["active", "draft"])
    | _both_ways("active", "suspended")
    | _moves(SELLER, ["terminated"]),  # "any -> terminated"
)
SELLER_VERIFICATION_MACHINE = _machine(
    "seller verification",
    "shopping_mall_seller_verifications",
    "state",
    SELLER_VERIFICATION,
    _moves(["draft"], ["pending"])
    | _moves(["pending"], ["approved", "rejected", "action_required"])
    | _moves(["action_required"], ["pending"])
    | _both_ways("approved", "suspended"),
)
_CAMPAIGN_MOVES = (
    _moves(["draft"], ["active", "archived"])
    | _both_ways("active", "paused")
    | _moves(["active", "paused"], ["expired", "archived"])
    | _moves(["expired"], ["archived"])
)
PROMOTION_MACHINE = _machine(
    "promotion", "shopping_mall_promotions", "status", PROMOTION, _CAMPAIGN_MOVES
)
COUPON_MACHINE = _machine("coupon", "shopping_mall_coupons", "status", COUPON, _CAMPAIGN_MOVES)
ADMIN_ACTION_MACHINE = _machine(
    "admin action",
    "shopping_mall_admin_actions",
    "status",
    ADMIN_ACTION,
    _moves(["pending"], ["approved", "rejected", "canceled"]) | _moves(["approved"], ["executed"]),
)
# "Expired when past expires_at" is not a move: see ``export_expired``.
DATA_EXPORT_MACHINE = _machine(
    "data export",
    "shopping_mall_data_exports",
    "status",
    DATA_EXPORT,
    _moves(["requested"], ["approved", "canceled"])
    | _moves(["approved"], ["processing"])
    | _moves(["processing"], ["completed", "failed"])
    | _moves(["failed"], ["approved"]),  # retry
)
# "locked while lockout_until is in the future" is not a state: services/sign_in.is_locked.
STAFF_USER_MACHINE = _machine(
    "staff user",
    "shopping_mall_users",
    "status",
    STAFF_USER,
    _both_ways("active", "suspended") | _moves(STAFF_USER, ["terminated"]),
)
# Finance verifies or rejects an account sellers added; payout accounts are created elsewhere.
PAYOUT_ACCOUNT_MACHINE = _machine(
    "payout account",
    "shopping_mall_seller_payout_accounts",
    "status",
    PAYOUT_ACCOUNT_STATUSES,
    _moves(["unverified"], ["verified", "rejected"]),
)
# Written as a draft (approved false); the only stored move is approved true, by the executor of
# its approval request. Back to draft when that request is rejected, withdrawn or expires; in
# force and ended as its window's days come. Superseding closes an approved version's window
# (its effective_to) and leaves its state as it is until that day.
POLICY_VERSION_MACHINE = _machine(
    "policy version",
    "shopping_mall_policy_versions",
    "approved",
    POLICY_VERSION_STATES,
    _moves(["draft"], ["awaiting_approval"])
    | _moves(["awaiting_approval"], ["draft", "scheduled"])
    | _moves(["scheduled"], ["in_force"])
    | _moves(["in_force"], ["ended"]),
    derived=True,
)
# A release leaves a reserve partly released, or released once it holds nothing more (a partly
# released one may be partly released again); a hold on a released one makes it partly
# released again. Holds on a holding reserve change no state.
RESERVE_MACHINE = _machine(
    "reserve",
    "shopping_mall_reserves",
    "status",
    RESERVE_STATUSES,
    _moves(["active", "partially_released"], ["partially_released", "released"])
    | {("partially_released", "partially_released")}
    | _moves(["released"], ["partially_released"]),
)
# Runs are created queued (a schedule, a command or "Run now"); the runner moves them.
JOB_RUN_MACHINE = _machine(
    "job run",
    "shopping_mall_job_runs",
    "status",
    JOB_RUN,
    _moves(["queued"], ["running", "skipped"])  # skipped: another run holds the job's lock
    # failed: the job raised, or its process stopped (marked by the next run holding the lock);
    # skipped: its schedule is paused.
    | _moves(["running"], ["succeeded", "failed", "skipped"]),
)
# Messages are queued with the change that causes them; the outbox's conditional UPDATEs move
# them (each checks the moves from every state its WHERE admits).
OUTBOUND_MESSAGE_MACHINE = _machine(
    "outbound message",
    "shopping_mall_outbound_messages",
    "status",
    OUTBOUND_MESSAGE,
    _moves(["queued"], ["sending"])
    | _moves(["sending"], ["sent", "failed", "queued"])  # queued: a retry after a passing error
    # The sweep gave up on it (sending too long), and then its sending was confirmed.
    | _moves(["failed"], ["sent"]),
)

MACHINES = (
    SUPPORT_CASE_MACHINE,
    REVIEW_MACHINE,
    SELLER_REPLY_MACHINE,
    REVIEW_REPORT_DECISION_MACHINE,
    REFUND_REQUEST_MACHINE,
    CANCELLATION_REQUEST_MACHINE,
    RETURN_REQUEST_MACHINE,
    ORDER_MACHINE,
    PAYMENT_MACHINE,
    SHIPMENT_MACHINE,
    INVENTORY_RESERVATION_MACHINE,
    PAYOUT_MACHINE,
    CHARGEBACK_MACHINE,
    SELLER_MACHINE,
    SELLER_VERIFICATION_MACHINE,
    PROMOTION_MACHINE,
    COUPON_MACHINE,
    ADMIN_ACTION_MACHINE,
    DATA_EXPORT_MACHINE,
    STAFF_USER_MACHINE,
    PAYOUT_ACCOUNT_MACHINE,
    POLICY_VERSION_MACHINE,
    RESERVE_MACHINE,
    JOB_RUN_MACHINE,
    OUTBOUND_MESSAGE_MACHINE,
)
# The machine whose state a table's column stores (derived states have none).
MACHINE_OF_TABLE = {m.table: m for m in MACHINES if not m.derived}
_STATE_KEYS = frozenset(state for machine in MACHINES for state in machine.states)

# Every state column of the contract: (table, column, states). Staff users are left out: their
# table also holds customers and sellers (tests check staff separately); so are derived states.
STATE_COLUMNS = tuple(
    (m.table, m.column, m.states) for m in MACHINES if m is not STAFF_USER_MACHINE and not m.derived
)


# ---- the check ---------------------------------------------------------------------------------
def label(machine: Machine, state: str | None) -> str:
    """The word a screen shows for ``state`` ("On hold", "Pending second approval")."""
    if state is None:
        return NOT_SET
    return LABELS.get(state) or state.replace("_", " ").capitalize()


def in_words(value) -> str:
    """A stored value as a screen shows it: a state key as its label ("pending_second_approval"
    -> "Pending second approval"), nothing as "Not set", booleans as Yes/No, lists joined."""
    if value is None or value == "":
        return NOT_SET
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and value in _STATE_KEYS:
        return LABELS.get(value) or value.replace("_", " ").capitalize()
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, str) and _RECORD_ID.fullmatch(v) for v in value):
            return f"{len(value)} record{'' if len(value) == 1 else 's'}"  # ids are not words
        return ", ".join(in_words(v) for v in value)
    return str(value)


_RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def interrupted_state(machine: Machine, history: Sequence[str]) -> str | None:
    """The state an interruption (on_hold, under_review) returns to on release: the last state
    of ``history`` (oldest first, as the status history records them) before it."""
    for state in reversed(history):
        if state not in machine.interruptions:
            return state
    return None


def _refusal(machine: Machine, current: str | None, target: str) -> str | None:
    """Why ``current -> target`` is not a move of ``machine``, or None when it is one."""
    if current is not None and current not in machine.states:
        return f"{machine.a.capitalize()} is in an unknown state ({current})."
    if (current, target) in machine.moves:
        return None
    if current == target:
        return f"{machine.a.capitalize()} is already {label(machine, current)}."
    if current is not None and (None, target) in machine.moves:
        return (
            f"{machine.a.capitalize()} is set once: it cannot go from "
            f"{label(machine, current)} to {label(machine, target)}."
        )
    return (
        f"{machine.a.capitalize()} cannot go from {label(machine, current)} "
        f"to {label(machine, target)}."
    )


def _interruption_refusal(
    machine: Machine, current: str, target: str, history: Sequence[str] | None
) -> str | None:
    """Leaving an interruption: a release returns to the state it interrupted; any other exit
    (an order on hold canceled) must be a move that state could make itself."""
    if current not in machine.interruptions:
        return None
    if history is None:
        raise ValueError(f"leaving {current} needs the status history of the {machine.name}")
    resumed = interrupted_state(machine, history)
    releases = {source for source, to in machine.moves if to == current}
    if target == resumed or (target not in releases and (resumed, target) in machine.moves):
        return None
    if resumed is None:
        return (
            f"{machine.a.capitalize()} {label(machine, current).lower()} returns to the state "
            f"it interrupted, and its status history shows none."
        )
    return (
        f"{machine.a.capitalize()} {label(machine, current).lower()} returns to "
        f"{label(machine, resumed)}, the state it interrupted: it cannot go to "
        f"{label(machine, target)}."
    )


def check_move(
    machine: Machine,
    current: str | None,
    target: str,
    *,
    history: Sequence[str] | None = None,
) -> None:
    """Refuse (``InvalidTransition``, 409) a move the contract does not list.

    ``history`` is the record's states, oldest first, from its status history: needed to leave
    an interruption (an order on hold or under review), which returns to the state it
    interrupted. A ``target`` that is no state of the machine is a ``ValidationError`` (422).
    """
    if target not in machine.states:
        raise ValidationError(f"{target!r} is not a state of {machine.a}.")
    reason = _refusal(machine, current, target)
    if reason is None and current is not None:
        reason = _interruption_refusal(machine, current, target, history)
    if reason is not None:
        raise InvalidTransition(reason)


def can_move(
    machine: Machine,
    current: str | None,
    target: str,
    *,
    history: Sequence[str] | None = None,
) -> bool:
    """Whether ``check_move`` would allow the move."""
    try:
        check_move(machine, current, target, history=history)
    except (InvalidTransition, ValidationError):
        return False
    return True


def allowed_targets(
    machine: Machine, current: str | None, *, history: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The states a record in ``current`` may move to, in the machine's order (for screens).

    Without ``history``, leaving an interruption offers every state it may have interrupted."""
    targets = [t for t in machine.states if (current, t) in machine.moves]
    if history is not None:
        targets = [t for t in targets if can_move(machine, current, t, history=history)]
    return tuple(targets)


def is_final(machine: Machine, state: str) -> bool:
    """Whether nothing leaves ``state`` (a review removed by its author, an executed refund)."""
    return not any(move[0] == state for move in machine.moves)


def export_expired(expires_at: datetime | None, *, now: datetime) -> bool:
    """A data export is "Expired" once past its ``expires_at``, whatever its stored status
    (derived, never stored: no move leads there)."""
    return expires_at is not None and expires_at <= now


DATA_EXPORT_EXPIRED_LABEL = "Expired"


# ---- stored vocabularies of other kinds --------------------------------------------------------
CASE_PRIORITIES = ("low", "normal", "high", "urgent")
CASE_CATEGORIES = (
    "order",
    "payment",
    "shipping",
    "return",
    "refund",
    "account",
    "product",
    "seller",
)
CASE_CHANNELS = ("email", "chat", "phone", "web")
# shopping_mall_support_case_events.event_type; a status change's body is
# ``case_status_change(before, after)``.
CASE_EVENT_STATUS_CHANGED = "status_changed"
CASE_EVENT_TYPES = (
    "created",
    "assigned",  # body: who it went to ("Assigned to …", "Unassigned")
    "customer_message",
    "agent_reply",  # a public reply, delivered by the outbox
    "note",
    CASE_EVENT_STATUS_CHANGED,
    "priority_changed",  # body: "normal → urgent"
    "category_changed",
    "request_raised",  # a cancellation, return or refund request raised from the case
    # finance approved, rejected or executed a refund request of the case; operations decided,
    # received or closed a return (RMA) of the case
    "request_decided",
)
CASE_VISIBILITIES = ("public", "internal")
_ARROW = " → "


def case_status_change(before: str, after: str) -> str:
    """The body of a status_changed case event: the two stored states ("open → pending")."""
    return f"{before}{_ARROW}{after}"


def parse_case_status_change(body: str | None) -> tuple[str, str] | None:
    """(before, after) of a status_changed case event's body, or None if it is not one."""
    before, arrow, after = (body or "").partition(_ARROW)
    return (before, after) if arrow and before and after else None


# Review moderation (shopping_mall_review_moderations.decision, .reason_code). Approve records
# meets_policy; reject and remove need one of the policy reasons.
MODERATION_DECISIONS = ("approve", "reject", "remove")
REVIEW_APPROVE_REASON = "meets_policy"
MODERATION_POLICY_REASONS = ("off_topic", "profanity", "harassment", "pii", "spam", "fake", "other")
MODERATION_REASONS = (REVIEW_APPROVE_REASON, *MODERATION_POLICY_REASONS)
# What a decision makes of the review.
MODERATION_DECISION_STATE = {
    "approve": "approved",
    "reject": "rejected",
    "remove": "removed_moderator",
}
# A customer reports a review for one of the policy reasons, so an upheld report becomes a
# decision with the same reason (shopping_mall_review_reports.reason_category).
REVIEW_REPORT_REASONS = MODERATION_POLICY_REASONS
REVIEW_REPORTER_ROLES = ("customer", "seller")

CANCELLATION_REASONS = ("changed_mind", "found_cheaper", "ordered_by_mistake", "late")
RETURN_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind", "too_small")
RETURN_CONDITIONS = ("as_new", "opened", "damaged")
RETURN_INSPECTIONS = ("pending", "passed", "failed")
# The outcome an inspection gives an item (pending: received, not yet inspected).
RETURN_INSPECTION_OUTCOMES = ("passed", "failed")
# A return parcel (shopping_mall_return_shipments.status): on its way, handed over by the
# carrier, checked in at the returns desk.
RETURN_SHIPMENT_STATUSES = ("in_transit", "delivered", "received")
# Refund requests, their items and payment refunds: what the customer gives when asking for a
# refund, "returned" for a refund after a return, "returned_to_sender" for a parcel that came back.
REFUND_REQUEST_REASONS = (
    "late_delivery",
    "damaged",
    "missing_item",
    "goodwill",
    "price_adjustment",
)
REFUND_REASONS = (*REFUND_REQUEST_REASONS, "returned", "returned_to_sender", "canceled")
REFUND_ITEM_DECISIONS = ("approved", "rejected")
CHARGEBACK_REASONS = ("fraudulent", "product_not_received", "not_as_described", "duplicate")
# Why stock changed (shopping_mall_inventory_adjustments.reason_category): goods received from
# a supplier, a correction, damaged goods taken off, a customer's return put back, a count.
# Revision 0015 renamed the demo world's older words (damaged, restock, found).
INVENTORY_ADJUSTMENT_REASONS = ("receive", "correction", "damage", "return", "cycle_count")
# Reasons that only ever add stock, and the one that only takes it away.
ADJUSTMENT_ADDS = ("receive", "return")
ADJUSTMENT_REMOVES = ("damage",)
EXPORT_PURPOSES = ("tax_audit", "customer_request", "finance_reconciliation")
EXPORT_DELIVERY_CHANNELS = ("download",)
# Actions that need a second admin's approval (shopping_mall_admin_actions.action_name).
ADMIN_ACTION_NAMES = (
    "approve_refund",
    "suspend_seller",
    "grant_role",
    "wallet_adjustment",
    "change_configuration",
    "purge_customer_data",
    "change_flag",  # a change to a feature flag marked sensitive
    "approve_policy_version",  # a draft policy version comes into force once approved
    "approve_payout",  # a payout over the payout approval threshold
)
MAKER_CHECKER_DECISIONS = ("approve", "reject")
# Why a canceled admin action ended (shopping_mall_admin_actions.cancel_reason).
ADMIN_ACTION_CANCEL_REASONS = ("withdrawn", "expired")
WALLET_RECORD_TYPES = ("charge", "use", "refund", "adjust")
# Seller ledger entries (signed amounts: credits positive, debits negative). A refund debits the
# sale and a fee_reversal gives back the proportional fee; a reserve_hold withholds part of the
# balance and a reserve_release gives it back; a payout is paid from payable entries (payout
# items), it is not an entry of its own.
LEDGER_ENTRY_TYPES = (
    "sale",
    "fee",
    "refund",
    "fee_reversal",
    "chargeback",
    "chargeback_reversal",
    "reserve_hold",
    "reserve_release",
)
LEDGER_SOURCE_TYPES = ("capture", "refund", "chargeback", "reserve")
RESERVE_TYPES = ("rolling", "case_hold")
# Carrier events (shopping_mall_shipment_events.canonical_event): the two before a parcel
# moves, then the shipment states it passes through.
SHIPMENT_EVENTS = ("label_created", "picked_up", *SHIPMENT[1:])
# Where a carrier event came from (shopping_mall_shipment_events.raw_event_source): the
# carrier's own message, or a staff member recording what the carrier said (the audit trail
# names who).
SHIPMENT_EVENT_SOURCES = ("carrier_webhook", "manual")
SHIPMENT_EVENT_MANUAL = "manual"
# The operations exceptions queue: shipments in these states, and shipments still moving with
# no carrier event for ``operations.shipment.stale_event_days`` (SHIPMENT_STALE_EVENT_DAYS).
SHIPMENT_EXCEPTION_STATES = ("exception", "delivery_attempted", "return_to_sender")
SHIPMENT_MOVING_STATES = ("ready_to_ship", "in_transit", "out_for_delivery")

# Every stored vocabulary that is not a state machine: (table, column, values).
VOCABULARY_COLUMNS = (
    ("shopping_mall_support_cases", "priority", CASE_PRIORITIES),
    ("shopping_mall_support_cases", "category", CASE_CATEGORIES),
    ("shopping_mall_support_cases", "origin_channel", CASE_CHANNELS),
    ("shopping_mall_support_case_events", "event_type", CASE_EVENT_TYPES),
    ("shopping_mall_support_case_events", "visibility", CASE_VISIBILITIES),
    ("shopping_mall_support_notes", "visibility", CASE_VISIBILITIES),
    ("shopping_mall_canned_replies", "category", CASE_CATEGORIES),
    ("shopping_mall_review_moderations", "decision", MODERATION_DECISIONS),
    ("shopping_mall_review_moderations", "reason_code", MODERATION_REASONS),
    ("shopping_mall_review_reports", "reason_category", REVIEW_REPORT_REASONS),
    ("shopping_mall_review_reports", "reporter_role", REVIEW_REPORTER_ROLES),
    ("shopping_mall_cancellation_requests", "reason_code", CANCELLATION_REASONS),
    ("shopping_mall_return_requests", "reason_code", RETURN_REASONS),
    ("shopping_mall_return_items", "received_condition", RETURN_CONDITIONS),
    ("shopping_mall_return_items", "inspection_status", RETURN_INSPECTIONS),
    ("shopping_mall_return_shipments", "status", RETURN_SHIPMENT_STATUSES),
    ("shopping_mall_refund_requests", "reason_code", REFUND_REASONS),
    ("shopping_mall_refund_items", "reason_code", REFUND_REASONS),
    ("shopping_mall_refund_items", "approval_status", REFUND_ITEM_DECISIONS),
    ("shopping_mall_payment_refunds", "reason_category", REFUND_REASONS),
    ("shopping_mall_chargebacks", "reason_category", CHARGEBACK_REASONS),
    ("shopping_mall_inventory_adjustments", "reason_category", INVENTORY_ADJUSTMENT_REASONS),
    ("shopping_mall_data_exports", "purpose", EXPORT_PURPOSES),
    ("shopping_mall_data_exports", "delivery_channel", EXPORT_DELIVERY_CHANNELS),
    ("shopping_mall_admin_actions", "action_name", ADMIN_ACTION_NAMES),
    ("shopping_mall_admin_actions", "cancel_reason", ADMIN_ACTION_CANCEL_REASONS),
    ("shopping_mall_maker_checker_approvals", "decision", MAKER_CHECKER_DECISIONS),
    ("shopping_mall_user_balance_records", "type", WALLET_RECORD_TYPES),
    ("shopping_mall_seller_ledgers", "entry_type", LEDGER_ENTRY_TYPES),
    ("shopping_mall_seller_ledgers", "source_type", LEDGER_SOURCE_TYPES),
    ("shopping_mall_reserves", "reserve_type", RESERVE_TYPES),
    ("shopping_mall_shipment_events", "canonical_event", SHIPMENT_EVENTS),
    ("shopping_mall_shipment_events", "raw_event_source", SHIPMENT_EVENT_SOURCES),
    ("shopping_mall_orders", "business_status", ORDER_BUSINESS_STATUSES),
    ("shopping_mall_coupon_redemptions", "status", COUPON_REDEMPTION_STATUSES),
    ("shopping_mall_order_status_history", "business_status", ORDER_BUSINESS_STATUSES),
    # A seller order follows its order's states.
    ("shopping_mall_seller_orders", "status", ORDER),
)

# ---- configuration keys (shopping_mall_configurations.key; types in services/kit/settings.py)
REFUND_DUAL_APPROVAL_THRESHOLD = "finance.refund.dual_approval_threshold.{currency}"
PAYOUT_DUAL_APPROVAL_THRESHOLD = "finance.payout.dual_approval_threshold.{currency}"
WALLET_DUAL_APPROVAL_THRESHOLD = "finance.wallet.dual_approval_threshold.{currency}"
PAYOUT_SETTLEMENT_DELAY_DAYS = "finance.payout.settlement_delay_days"
SLA_FIRST_RESPONSE_HOURS = "support.sla.first_response_hours.{priority}"
MODERATION_CLAIM_BATCH_SIZE = "moderation.claim.batch_size"
MODERATION_CLAIM_MINUTES = "moderation.claim.minutes"
SHIPMENT_STALE_EVENT_DAYS = "operations.shipment.stale_event_days"
APPROVALS_EXPIRY_HOURS = "approvals.expiry_hours"
# Direct actions by one person on one wallet / order within this many hours count together
# against the dual-approval threshold (five credits of 100.00 are 500.00, not five of 100.00).
WALLET_DIRECT_WINDOW_HOURS = "finance.wallet.direct_window_hours"
REFUND_DIRECT_WINDOW_HOURS = "finance.refund.direct_window_hours"

DEFAULT_SETTLEMENT_DELAY_DAYS = 7
DEFAULT_CLAIM_BATCH_SIZE = 10
DEFAULT_CLAIM_MINUTES = 10
DEFAULT_SHIPMENT_STALE_EVENT_DAYS = 3
DEFAULT_APPROVALS_EXPIRY_HOURS = 72
DEFAULT_DIRECT_WINDOW_HOURS = 24
# The contract gives no default for the first-response SLA; these are the mall's.
DEFAULT_SLA_FIRST_RESPONSE_HOURS = {"urgent": 1, "high": 4, "normal": 24, "low": 72}

# ---- console working tables (revision 0004) ----------------------------------------------------
# What started a job run (shopping_mall_job_runs.trigger); its states are JOB_RUN, above.
JOB_TRIGGERS = ("schedule", "manual", "command")

# ---- policies and their versions (admin console) ----------------------------------------------
# A policy's status (shopping_mall_policies.status): drafted until its first version is approved.
POLICY_STATUSES = ("draft", "active")
POLICY_STATUS_LABELS = {"draft": "Not yet in force", "active": "Active"}
# A version's states (POLICY_VERSION_STATES, above) as the policy screens show them.
POLICY_VERSION_LABELS = {
    "draft": "Draft",
    "awaiting_approval": "Waiting for approval",
    "scheduled": "Approved, not yet in force",
    "in_force": "In force",
    "ended": "No longer in force",
}
POLICY_VERSION_TONES = {
    "draft": "neutral",
    "awaiting_approval": "info",
    "scheduled": "info",
    "in_force": "success",
    "ended": "neutral",
}

# ---- seller ledgers and payouts (finance) ------------------------------------------------------
# Kinds of fee assessed to sellers (shopping_mall_fees.fee_type).
# A refund gives back the proportional fee as a negative ``fee_reversal`` row (FEE_REVERSAL).
FEE_TYPES = ("commission", "payment_processing", "dispute", "payout", "fee_reversal")

# ---- refund execution (finance) -----------------------------------------------------------------
CASE_EVENT_REQUEST_DECIDED = "request_decided"
# Where an executed refund goes: back to the original payment, or to the store-credit wallet.
REFUND_DESTINATIONS = ("payment", "wallet")
# shopping_mall_fees.fee_type of the fee given back on a refund: the row's amount is negative
# (the seller's fee rows then sum to what they paid net) and it names the payment refund.
FEE_REVERSAL = "fee_reversal"
# shopping_mall_payment_events.type written when the gateway confirms a refund.
PAYMENT_EVENT_REFUND_SUCCEEDED = "refund.succeeded"
