"""Support cases for queue tests: any status, priority, SLA and assignee in one call."""

from __future__ import annotations

from datetime import timedelta

from mallconsole.models import SupportCase, utcnow
from tests.factories.records import build


def add_case(session, *, sla_in=None, active_ago=None, **values) -> SupportCase:
    """A case; ``sla_in``/``active_ago`` are timedeltas from now (SLA due, last activity)."""
    now = utcnow()
    values.setdefault("status", "open")
    values.setdefault("priority", "normal")
    values.setdefault("category", "order")
    values.setdefault("origin_channel", "email")
    values.setdefault("subject", "Where is my parcel?")
    values.setdefault("sla_due_at", now + (sla_in if sla_in is not None else timedelta(hours=5)))
    values.setdefault(
        "last_event_at", now - (active_ago if active_ago is not None else timedelta(hours=1))
    )
    return build(session, SupportCase, **values)


def add_cases(session, count, **values) -> list[SupportCase]:
    """``count`` cases, SLA due one minute apart (the first soonest)."""
    return [add_case(session, sla_in=timedelta(hours=2, minutes=n), **values) for n in range(count)]
