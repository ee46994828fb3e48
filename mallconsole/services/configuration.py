"""Changes of the mall's configuration (``shopping_mall_configurations``), made only after a
second system admin approves them (maker-checker, ``services/approvals.py``).

``request_change`` checks the new value against its key's type (``settings.parse``) and asks
for approval of a ``change_configuration`` action holding the exact change; the executor
registered here applies it once approved: it locks the row, refuses (409) when the value
changed since the request was made, writes the value, raises the row's version and writes the
audit event.
"""

from __future__ import annotations

from sqlalchemy import select

from ..models import AdminAction, Configuration, utcnow
from . import approvals, audit, settings
from .errors import Conflict, ValidationError

ACTION = "change_configuration"
TABLE = "shopping_mall_configurations"


def _row(session, key: str, scope: str | None, *, lock: bool = False) -> Configuration | None:
    statement = select(Configuration).where(
        Configuration.key == key,
        Configuration.scope.is_(None) if scope is None else Configuration.scope == scope,
        Configuration.deleted_at.is_(None),
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.scalars(statement).first()


def _label(key: str) -> str:
    found = settings.declared(key)
    return found[0].description if found else key


def request_change(
    session,
    key: str,
    value: str,
    justification: str,
    *,
    actor,
    scope: str | None = None,
    idempotency_key: str | None = None,
):
    """Ask for ``key`` (in ``scope``) to become ``value``; 422 when the value does not fit."""
    key = (key or "").strip()
    value = (value or "").strip()
    if not key:
        raise ValidationError("Name the setting to change.", field_errors={"key": ["Required."]})
    settings.parse(key, value)  # the value must read as the key's type
    row = _row(session, key, scope)
    current = row.value if row is not None else None
    if current == value:
        raise ValidationError(
            "That is already the setting's value.", field_errors={"value": ["Unchanged."]}
        )
    payload = {
        "key": key,
        "scope": scope,
        "before": {"value": current},
        "after": {"value": value},
    }
    return approvals.request_approval(
        session,
        ACTION,
        TABLE,
        row.id if row is not None else None,
        payload,
        justification,
        actor=actor,
        idempotency_key=idempotency_key,
    )


def _carry_out(session, action: AdminAction, *, actor) -> str:
    payload = action.payload or {}
    key, scope = payload.get("key"), payload.get("scope")
    wanted = (payload.get("after") or {}).get("value")
    if not key or wanted is None:
        raise Conflict("This request does not say which setting to change or to what.")
    settings.parse(key, wanted)
    expected = (payload.get("before") or {}).get("value")
    row = _row(session, key, scope, lock=True)
    current = row.value if row is not None else None
    if current != expected:
        raise Conflict(
            f"The setting changed after this was asked for: it is now {current or 'not set'}. "
            "Reject this request; the requester can ask again from the current value."
        )
    now = utcnow()
    if row is None:
        row = Configuration(key=key, scope=scope, value=wanted, description=_label(key))
        session.add(row)
        session.flush()
        before, after = {"value": None}, {"value": wanted, "version": row.version}
    else:
        before = {"value": row.value, "version": row.version}
        row.value = wanted
        row.version += 1
        row.updated_at = now
        after = {"value": wanted, "version": row.version}
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=row.id,
        action="configuration.changed",
        summary=f"Set {key} to {wanted} (approved request)",
        reason=action.justification,
        before=before,
        after=after,
        admin_action=action,
    )
    settings.reader(session).forget()
    return f"{key} is now {wanted}"


approvals.register_executor(ACTION, _carry_out)
