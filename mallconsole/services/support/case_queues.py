"""The support case queues: my open cases, unassigned, SLA due, all; "Take next"; new cases.

A queue is a filter over ``shopping_mall_support_cases`` read a keyset page at a time (one
query per page, whatever its size, with the customer and the assignee joined in). The open
queues are answered in SLA order by the partial indexes of revision 0009, written with the same
predicate as the queries below (``deleted_at IS NULL AND status IN (open states)``, the states
rendered inline so that both databases match the index's predicate).

"Take next" assigns the most urgent unassigned open case for good: ``claims.lock_next`` reads
it ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so agents clicking at once get different cases;
on SQLite the transaction holds the write lock. The assignment is a versioned edit
(``versions.apply_edit``: version + 1, audited) with an ``assigned`` case event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.core.people import Person
from mallconsole.core.text import BIDI_REFUSAL, duration_words, has_bidi_controls
from mallconsole.models import (
    Customer,
    Order,
    Seller,
    Shipment,
    SupportAgent,
    SupportCase,
    SupportCaseEvent,
    User,
    utcnow,
)
from mallconsole.services.kit import audit, claims, numbering, settings, versions
from mallconsole.services.kit.pagination import (
    QueueCount,
    SortKey,
    capped_count,
    capped_counts,
    keyset_page,
)

ENTITY_TABLE = "shopping_mall_support_cases"
QUEUES = {
    "mine": "My open cases",
    "unassigned": "Unassigned",
    "sla": "SLA due",
    "all": "All cases",
}
QUEUE_HINTS = {
    "mine": "Open, pending or on hold, assigned to you",
    "unassigned": "Open, pending or on hold, nobody assigned",
    "sla": "Unresolved, past their SLA or due within the hour",
    "all": "Every case, resolved and closed ones too",
}
DUE_SOON = timedelta(hours=1)

# Urgent first is the highest rank: "-priority" (the first click on the header) is urgent first.
PRIORITY_RANKS = {p: rank for rank, p in enumerate(states.CASE_PRIORITIES, start=1)}
PRIORITY_RANK = case(PRIORITY_RANKS, value=SupportCase.priority, else_=0)

CASE_SORTS = (
    SortKey("sla", "SLA due", SupportCase.sla_due_at, nullable=True, kind=datetime),
    SortKey("activity", "Last activity", SupportCase.last_event_at, nullable=True, kind=datetime),
    SortKey("priority", "Priority", PRIORITY_RANK, kind=int),
)
CASE_ID = SupportCase.id
# Open queues: soonest SLA first; all cases: latest activity first.
DEFAULT_SORTS = {"mine": "sla", "unassigned": "sla", "sla": "sla", "all": "-activity"}

# Constants written inline, as the partial indexes' predicate is.
_OPEN_STATES = [literal_column(f"'{state}'") for state in states.SUPPORT_CASE_OPEN]
LIVE = SupportCase.deleted_at.is_(None)
OPEN = and_(LIVE, SupportCase.status.in_(_OPEN_STATES))


def _queue_condition(queue: str, *, user_id: str | None, now: datetime):
    if queue == "mine":
        return and_(OPEN, SupportCase.assigned_to_user_id == user_id)
    if queue == "unassigned":
        return and_(OPEN, SupportCase.assigned_to_user_id.is_(None))
    if queue == "sla":
        return and_(OPEN, SupportCase.sla_due_at <= now + DUE_SOON)
    if queue == "all":
        return LIVE
    raise ValidationError(f"There is no case queue called {queue!r}.")


def _filtered(statement, filters: dict):
    columns = {
        "status": SupportCase.status,
        "priority": SupportCase.priority,
        "category": SupportCase.category,
        "channel": SupportCase.origin_channel,
        "assignee": SupportCase.assigned_to_user_id,
    }
    for name, column in columns.items():
        if filters.get(name):
            statement = statement.where(column == filters[name])
    return statement


def queue_statement(queue: str, filters: dict, *, user_id: str | None, now: datetime, columns):
    """SELECT ``columns`` of the cases in ``queue`` with ``filters`` (no order, no limit)."""
    statement = select(*columns).where(_queue_condition(queue, user_id=user_id, now=now))
    return _filtered(statement, filters)


@dataclass(frozen=True)
class SlaStatus:
    """Where a case stands against its SLA: breached, due within the hour, or in time."""

    state: str  # "breached", "due_soon", "in_time"
    delta: timedelta  # time overdue when breached, time left otherwise

    @property
    def words(self) -> str:
        """ "2 h 5 min overdue", "35 min left", "3 days overdue"."""
        return sla_words(-self.delta if self.state == "breached" else self.delta)

    @property
    def tone(self) -> str:
        return {"breached": "danger", "due_soon": "warning"}.get(self.state, "neutral")


def sla_words(left: timedelta) -> str:
    """Time left against an SLA in words: ``35 min left``; none or less: ``12 days overdue``.
    The case list and the case screen both say it this way."""
    return f"{duration_words(left)} {'overdue' if left <= timedelta(0) else 'left'}"


def sla_status(case_row: SupportCase, *, now: datetime) -> SlaStatus | None:
    """The SLA of an unresolved case with a due time; None otherwise."""
    if case_row.sla_due_at is None or case_row.status not in states.SUPPORT_CASE_OPEN:
        return None
    left = case_row.sla_due_at - now
    if left <= timedelta(0):
        return SlaStatus("breached", _rounded(-left))
    return SlaStatus("due_soon" if left <= DUE_SOON else "in_time", _rounded(left))


def _rounded(delta: timedelta) -> timedelta:
    """To the minute (at least one), to the hour past a day: what a queue needs to read."""
    unit = timedelta(hours=1) if delta >= timedelta(days=1) else timedelta(minutes=1)
    return max(unit, round(delta / unit) * unit)


@dataclass(frozen=True)
class CaseRow:
    """One line of a case queue."""

    case: SupportCase
    requester: str | None  # the customer's (or seller's) name, else their masked email
    assignee: Person | None
    sla: SlaStatus | None

    @property
    def status_label(self) -> str:
        return states.label(states.SUPPORT_CASE_MACHINE, self.case.status)


def mask_email(email: str | None) -> str | None:
    """``jane@example.com`` → ``j***@example.com`` (personal data masked in lists)."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


Requester = aliased(User, name="requester")
Assignee = aliased(User, name="assignee")
_ROW_COLUMNS = (
    SupportCase,
    Requester.name,
    Requester.email,
    Assignee.name,
    Assignee.email,
    PRIORITY_RANK.label("priority_rank"),
)


def _joined(statement):
    return statement.outerjoin(
        Requester,
        Requester.id == func.coalesce(SupportCase.customer_user_id, SupportCase.seller_user_id),
    ).outerjoin(Assignee, Assignee.id == SupportCase.assigned_to_user_id)


def case_page(session, queue: str, filters: dict, ordering, *, user_id, cursor, limit, now=None):
    """One page of ``queue`` with ``filters`` in ``ordering``; one query."""
    now = now or utcnow()
    statement = _joined(
        queue_statement(queue, filters, user_id=user_id, now=now, columns=_ROW_COLUMNS)
    )
    name = ordering.key.name

    def key_of(row):
        value = {
            "sla": row[0].sla_due_at,
            "activity": row[0].last_event_at,
            "priority": row.priority_rank,
        }[name]
        return value, row[0].id

    page = keyset_page(session, statement, ordering, cursor=cursor, limit=limit, key_of=key_of)
    page.rows = [
        CaseRow(
            case=row[0],
            requester=row[1] or mask_email(row[2]),
            assignee=Person(row[3], row[4]) if row[4] else None,
            sla=sla_status(row[0], now=now),
        )
        for row in page.rows
    ]
    return page


def count_cases(session, queue: str, filters: dict, *, user_id, now=None) -> QueueCount:
    """How many cases ``queue`` holds with ``filters`` (exact to 10,000)."""
    now = now or utcnow()
    statement = queue_statement(queue, filters, user_id=user_id, now=now, columns=(SupportCase.id,))
    return capped_count(session, statement, estimate=True)


@dataclass(frozen=True)
class QueueTab:
    key: str
    label: str
    hint: str
    count: QueueCount


def queue_tabs(session, *, user_id, now=None) -> list[QueueTab]:
    """The four queues with their counts (unfiltered), for the tabs and the support home: one
    statement for the four."""
    now = now or utcnow()
    counted = {
        key: queue_statement(key, {}, user_id=user_id, now=now, columns=(SupportCase.id,))
        for key in QUEUES
    }
    counts, _ = capped_counts(session, counted, estimate=True)
    return [QueueTab(key, label, QUEUE_HINTS[key], counts[key]) for key, label in QUEUES.items()]


def agent_choices(session) -> list[tuple[str, str]]:
    """Support agents who can be assigned a case: (user id, name or email), by name."""
    rows = session.execute(
        select(User.id, func.coalesce(User.name, User.email).label("shown"))
        .join(SupportAgent, SupportAgent.shopping_mall_user_id == User.id)
        .where(SupportAgent.revoked_at.is_(None), User.deleted_at.is_(None))
        .order_by("shown")
    ).all()
    return [(row.id, row.shown) for row in rows]


# --- take next ---------------------------------------------------------------------------------


def _next_candidates():
    return (
        select(SupportCase)
        .where(OPEN, SupportCase.assigned_to_user_id.is_(None))
        .order_by(
            SupportCase.sla_due_at.asc().nulls_last(), PRIORITY_RANK.desc(), SupportCase.id.asc()
        )
    )


def assign_to(session, case_row: SupportCase, *, actor, now: datetime) -> None:
    """Assign a locked case to ``actor``: versioned edit, audit, an ``assigned`` event."""
    versions.apply_edit(
        session,
        case_row,
        expected_version=case_row.version,
        changes={"assigned_to_user_id": actor.id, "last_event_at": now},
        actor=actor,
        entity_table=ENTITY_TABLE,
        action="case_assigned",
        summary=f"{case_row.case_number} taken by {actor.email}",
        labels={"assigned_to_user_id": "Assignee", "last_event_at": "Last activity"},
    )
    session.add(
        SupportCaseEvent(
            shopping_mall_support_case_id=case_row.id,
            actor_user_id=actor.id,
            event_type="assigned",
            visibility="internal",
            body=f"Assigned to {actor.email}",
            occurred_at=now,
        )
    )


def take_next(session, *, actor, now: datetime | None = None) -> SupportCase | None:
    """Assign the most urgent unassigned open case (SLA due first, then priority) to
    ``actor`` for good; None when nothing waits. Safe when many agents take at once."""
    now = now or utcnow()
    taken = claims.lock_next(session, _next_candidates(), 1)
    if not taken:
        return None
    case_row = taken[0]
    assign_to(session, case_row, actor=actor, now=now)
    session.flush()
    return case_row


# --- new case (phone or email intake) ----------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What an agent typed in for a new case."""

    subject: str
    description: str | None
    category: str
    priority: str
    channel: str
    customer: str | None = None  # email or order number
    seller: str | None = None  # seller code or contact email
    order: str | None = None  # order number
    shipment: str | None = None  # shipment number


SUBJECT_MAX = 200
DESCRIPTION_MAX = 5000


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _customer_by_email(session, email: str) -> User | None:
    return session.scalar(
        select(User)
        .join(Customer, Customer.shopping_mall_user_id == User.id)
        .where(
            func.lower(User.email) == email.lower(),
            Customer.revoked_at.is_(None),
            User.deleted_at.is_(None),
        )
    )


def _order_by_number(session, number: str) -> Order | None:
    return session.scalar(
        select(Order).where(Order.order_number == number.upper(), Order.deleted_at.is_(None))
    )


def _seller(session, text: str) -> Seller | None:
    return session.scalar(
        select(Seller).where(
            or_(Seller.seller_code == text, func.lower(Seller.contact_email) == text.lower()),
            Seller.deleted_at.is_(None),
        )
    )


def _check_choices(intake: Intake, errors: dict) -> None:
    if not intake.subject:
        errors["subject"] = ["Say in a few words what the case is about."]
    elif len(intake.subject) > SUBJECT_MAX:
        errors["subject"] = [f"Keep the subject under {SUBJECT_MAX} characters."]
    elif has_bidi_controls(intake.subject):
        errors["subject"] = [BIDI_REFUSAL]
    if intake.description and len(intake.description) > DESCRIPTION_MAX:
        errors["description"] = [f"Keep the description under {DESCRIPTION_MAX:,} characters."]
    if intake.category not in states.CASE_CATEGORIES:
        errors["category"] = ["Choose a category."]
    if intake.priority not in states.CASE_PRIORITIES:
        errors["priority"] = ["Choose a priority."]
    if intake.channel not in states.CASE_CHANNELS:
        errors["channel"] = ["Choose how the customer reached us."]


def _resolve_parties(session, intake: Intake, errors: dict):
    """(customer user id, seller user id, order, shipment) named by the intake."""
    customer_id = seller_id = None
    order = shipment = None
    customer_text, seller_text = _clean(intake.customer), _clean(intake.seller)
    if customer_text and seller_text:
        errors["seller"] = ["A case is for a customer or for a seller, not both."]
    elif not customer_text and not seller_text:
        errors["customer"] = ["Give the customer's email or an order number, or a seller."]
    if customer_text:
        if "@" in customer_text:
            user = _customer_by_email(session, customer_text)
            customer_id = user.id if user else None
        else:
            order = _order_by_number(session, customer_text)
            customer_id = order.shopping_mall_user_id if order else None
        if customer_id is None:
            errors["customer"] = ["No customer has that email or order number."]
    if seller_text and "seller" not in errors:
        seller = _seller(session, seller_text)
        if seller is None:
            errors["seller"] = ["No seller has that code or contact email."]
        else:
            seller_id = seller.shopping_mall_user_id
    order_text, shipment_text = _clean(intake.order), _clean(intake.shipment)
    if order_text:
        named = _order_by_number(session, order_text)
        if named is None:
            errors["order"] = ["No order has that number."]
        elif customer_id is not None and named.shopping_mall_user_id != customer_id:
            errors["order"] = ["That order belongs to another customer."]
        elif customer_id is None and "customer" not in errors:
            errors["order"] = ["Link an order to a customer's case only."]
        else:
            order = named
    if shipment_text:
        found = session.scalar(
            select(Shipment).where(
                Shipment.shipment_number == shipment_text.upper(), Shipment.deleted_at.is_(None)
            )
        )
        if found is None:
            errors["shipment"] = ["No shipment has that number."]
        elif order is not None and found.shopping_mall_order_id != order.id:
            errors["shipment"] = ["That shipment is not part of the order."]
        elif order is None and "order" not in errors:
            parent = session.get(Order, found.shopping_mall_order_id)
            if customer_id is None or parent.shopping_mall_user_id != customer_id:
                errors["shipment"] = ["That shipment belongs to another customer's order."]
            else:
                order, shipment = parent, found
        else:
            shipment = found
    return customer_id, seller_id, order, shipment


def open_case(session, intake: Intake, *, actor, now: datetime | None = None) -> SupportCase:
    """Open a case taken by phone or email: validated (422 with field errors), numbered
    ``CAS-…``, SLA from ``support.sla.first_response_hours.<priority>``, a ``created`` event,
    audited."""
    now = now or utcnow()
    intake = Intake(
        **{
            name: _clean(value) if name != "subject" else (value or "").strip()
            for name, value in intake.__dict__.items()
        }
    )
    errors: dict[str, list[str]] = {}
    _check_choices(intake, errors)
    customer_id, seller_id, order, shipment = _resolve_parties(session, intake, errors)
    if errors:
        raise ValidationError(
            "The case was not opened: check the fields marked.", field_errors=errors
        )
    hours = settings.reader(session).duration(
        states.SLA_FIRST_RESPONSE_HOURS.format(priority=intake.priority)
    )
    case_row = SupportCase(
        case_number=numbering.next_number(session, "CAS", at=now),
        subject=intake.subject,
        description=intake.description,
        status="open",
        priority=intake.priority,
        category=intake.category,
        origin_channel=intake.channel,
        customer_user_id=customer_id,
        seller_user_id=seller_id,
        order_id=order.id if order else None,
        shipment_id=shipment.id if shipment else None,
        sla_due_at=now + hours,
        last_event_at=now,
    )
    session.add(case_row)
    session.flush()  # the case's id, for its event and audit row
    session.add(
        SupportCaseEvent(
            shopping_mall_support_case_id=case_row.id,
            actor_user_id=actor.id,
            event_type="created",
            visibility="public",
            body=intake.description or intake.subject,
            occurred_at=now,
        )
    )
    audit.record(
        session,
        actor=actor,
        entity_table=ENTITY_TABLE,
        entity_id=case_row.id,
        action="case_created",
        summary=f"{case_row.case_number} opened ({intake.channel})",
        after={
            "case_number": case_row.case_number,
            "subject": case_row.subject,
            "status": "open",
            "priority": case_row.priority,
            "category": case_row.category,
            "origin_channel": case_row.origin_channel,
            "order": order.order_number if order else None,
            "shipment": shipment.shipment_number if shipment else None,
            "sla_due_at": case_row.sla_due_at,
            "version": case_row.version or 1,
        },
    )
    session.flush()
    return case_row
