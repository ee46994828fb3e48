"""The audit trail: one ``shopping_mall_audit_events`` row per change of business state.

``record`` writes the row in the caller's transaction, so the event exists exactly when the
change it describes does. The table is append-only (a database trigger refuses UPDATE and
DELETE); nothing here changes a row once written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import select

from mallconsole.core.people import Person
from mallconsole.models import AuditEvent, User
from mallconsole.services.kit.origin import current_origin


def jsonable(value):
    """Before/after values as JSON: Decimal and datetimes become strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(
    session,
    *,
    actor,
    entity_table: str,
    entity_id: str | None,
    action: str,
    summary: str | None = None,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    admin_action=None,
) -> AuditEvent:
    """Append the audit event of one change; ``actor`` is a user (or None for the system)."""
    origin = current_origin()
    event = AuditEvent(
        actor_user_id=actor.id if actor is not None else None,
        shopping_mall_admin_action_id=getattr(admin_action, "id", admin_action),
        entity_table=entity_table,
        entity_id=entity_id,
        action=action,
        summary=summary,
        reason=reason,
        correlation_id=origin.correlation_id,
        source_ip=origin.ip,
        user_agent=origin.user_agent,
        changes={"before": jsonable(before), "after": jsonable(after)},
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class Change:
    """One field of an event: its value before and after."""

    field: str
    before: object
    after: object


def entity_label(table: str | None) -> str:
    """``shopping_mall_cancellation_requests`` → ``Cancellation request``: a kind of record."""
    if not table:
        return "Record"
    name = table.removeprefix("shopping_mall_")
    if name.endswith("ies"):
        name = name[:-3] + "y"
    elif name.endswith("sses"):
        name = name[:-2]
    elif name.endswith("s"):
        name = name[:-1]
    return name.replace("_", " ").capitalize()


def action_label(action: str) -> str:
    """``review.approve`` or ``job_run_requested`` → ``Review approve`` / ``Job run requested``."""
    return action.replace(".", " ").replace("_", " ").capitalize()


@dataclass(frozen=True)
class HistoryEntry:
    """An audit event as a timeline shows it."""

    event: AuditEvent
    actor_email: str | None
    actor_name: str | None = None
    # The currency of the record the event is about, when it has one: its amounts are in it.
    currency: str | None = None

    @property
    def actor(self) -> Person | None:
        """Who made the change (None: the console itself)."""
        if self.actor_email is None:
            return None
        return Person(self.actor_name, self.actor_email)

    @property
    def entity_label(self) -> str:
        return entity_label(self.event.entity_table)

    @property
    def action_label(self) -> str:
        return action_label(self.event.action)

    @property
    def changes(self) -> list[Change]:
        data = self.event.changes or {}
        before = data.get("before") or {}
        after = data.get("after") or {}
        fields = list(dict.fromkeys([*before, *after]))
        return [Change(f, before.get(f), after.get(f)) for f in fields]


def entries(session, *where, limit: int = 200) -> list[HistoryEntry]:
    """The audit events matching ``where``, newest first, with who made each."""
    rows = session.execute(
        select(AuditEvent, User.email, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(*where)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    currencies = _currencies(session, [event for event, _, _ in rows])
    return [
        HistoryEntry(event, email, name, currencies.get((event.entity_table, event.entity_id)))
        for event, email, name in rows
    ]


def _currencies(session, events) -> dict[tuple[str, str], str]:
    """(table, id) -> currency of the records ``events`` are about that have a currency (a
    refund request, a payout…): one query per such table."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.entity_id:
            wanted.setdefault(event.entity_table, set()).add(event.entity_id)
    found = {}
    for name, ids in wanted.items():
        table = AuditEvent.metadata.tables.get(name)
        if table is None or "currency" not in table.c or "id" not in table.c:
            continue
        rows = session.execute(select(table.c.id, table.c.currency).where(table.c.id.in_(ids)))
        found.update({(name, record_id): currency for record_id, currency in rows})
    return found


def history(session, entity_table: str, entity_id: str, *, limit: int = 200) -> list[HistoryEntry]:
    """The audit events of one record, newest first, with who made each."""
    return entries(
        session,
        AuditEvent.entity_table == entity_table,
        AuditEvent.entity_id == entity_id,
        limit=limit,
    )


def recent_events(session, *, limit: int = 10) -> list[HistoryEntry]:
    """The most recent audit events across the console, newest first."""
    return entries(session, limit=limit)
