"""Stale writes: an edit names the version it was based on; a newer version refuses it.

Every staff edit of a versioned record (a table with a ``version`` column, revision 0004) goes
through ``apply_edit``: the service first takes the row lock (``lock``: ``SELECT … FOR UPDATE``
on PostgreSQL; SQLite's transactions already hold the write lock), then ``apply_edit`` checks
the version, changes the fields, raises the version by one and writes the audit event with
before/after values and the new version. An edit based on an older version is refused with
``StaleRecord`` (409), which lists what changed since: field, value now, by whom and when,
read from the audit trail. The screen keeps the person's input and shows those changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.people import Person
from mallconsole.services.kit import audit


@dataclass(frozen=True)
class ChangeSince:
    """One field changed by someone else after the version an edit was based on."""

    field: str
    label: str
    value: object
    by: Person | None  # None: the console itself
    at: datetime


class StaleRecord(Conflict):
    """The record changed after the person opened it (409, with what changed)."""

    title = "Changed by someone else"

    def __init__(self, message: str, *, current_version: int, changes: list[ChangeSince]):
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes


def lock(session, model, record_id, *, what: str = "record", deleted_too: bool = False):
    """The row of ``model`` with ``record_id``, locked for this transaction; 404 if absent
    (or soft-deleted, unless ``deleted_too``: archiving and restoring lock those)."""
    row = session.execute(
        select(model)
        .where(model.id == record_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None or (not deleted_too and getattr(row, "deleted_at", None) is not None):
        raise NotFound(f"That {what} does not exist (any more).")
    return row


def read_version(raw) -> int:
    """The version a form sent (hidden field ``version``), or a 422 when it is not one."""
    try:
        version = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            "The form lost track of which version you edited. Reload the page and try again."
        ) from None
    if version < 1:
        raise ValidationError("That is not a version of this record. Reload the page.")
    return version


def changes_since(
    session, entity_table: str, entity_id: str, version: int, labels: dict | None = None
) -> list[ChangeSince]:
    """The fields changed after ``version`` (the newest value of each), from the audit trail."""
    labels = labels or {}
    newest: dict[str, ChangeSince] = {}
    for entry in audit.history(session, entity_table, entity_id, limit=100):
        after = (entry.event.changes or {}).get("after") or {}
        made = after.get("version")
        if not isinstance(made, int) or made <= version:
            continue
        for field, value in after.items():
            if field == "version" or field in newest:
                continue
            newest[field] = ChangeSince(
                field=field,
                label=labels.get(field, field.replace("_", " ").capitalize()),
                value=value,
                by=entry.actor,
                at=entry.event.created_at,
            )
    return list(newest.values())


def check_version(session, record, expected: int, *, entity_table: str, labels=None) -> None:
    """Refuse (409, with the changes) an edit based on a version older than the record's."""
    if record.version == expected:
        return
    changes = changes_since(session, entity_table, record.id, expected, labels)
    raise StaleRecord(
        "Someone else changed this after you opened it. Your input is kept below; check what "
        "changed, then save again to apply it.",
        current_version=record.version,
        changes=changes,
    )


def apply_edit(
    session,
    record,
    *,
    expected_version: int,
    changes: dict,
    actor,
    entity_table: str,
    action: str,
    summary: str | None = None,
    reason: str | None = None,
    labels: dict | None = None,
):
    """Check the version, set ``changes`` on ``record``, raise its version, audit; the event.

    The caller has locked ``record`` (``lock``). Fields whose value does not change are left
    out; an edit that changes nothing writes nothing and returns None.
    """
    check_version(session, record, expected_version, entity_table=entity_table, labels=labels)
    before, after = {}, {}
    for field, value in changes.items():
        old = getattr(record, field)
        if old != value:
            before[field], after[field] = old, value
    if not after:
        return None
    for field, value in after.items():
        setattr(record, field, value)
    before["version"], after["version"] = record.version, record.version + 1
    record.version += 1
    return audit.record(
        session,
        actor=actor,
        entity_table=entity_table,
        entity_id=record.id,
        action=action,
        summary=summary,
        reason=reason,
        before=before,
        after=after,
    )
