"""Changes of the mall's configuration (``shopping_mall_configurations``): the editor's reading
(rows per key and scope, known keys not set yet, each key's type in words), direct changes of
ordinary keys, and changes made only after a second system admin approves them (maker-checker,
``services/approvals.py``) for the sensitive keys: the finance dual-approval thresholds.

``change`` is the one entry of the editor: it checks the value against its key's type
(``settings.parse``, 422 with what is expected), then saves an ordinary key at once (version
checked, audited) or asks for approval of a sensitive one. ``request_change`` checks the new
value against its key's type (``settings.parse``) and asks for approval of a
``change_configuration`` action holding the exact change; the executor registered here applies
it once approved: it locks the row, refuses (409) when the value changed since the request was
made, writes the value, raises the row's version and writes the audit event.

``remove`` takes a value out (soft delete): a seller's override, after which the global value
(or the key's default) applies to that seller again, or a global key the mall does not know.
A known key's global value is never removed: the mall reads it, so it is changed instead (its
default is shown beside it). Removing a sensitive key's value is asked for like a change: a
``change_configuration`` request whose payload says ``"remove": true``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.text import LIKE_ESCAPE, like_pattern
from mallconsole.models import AdminAction, Configuration, Seller, utcnow
from mallconsole.services import approvals
from mallconsole.services.kit import audit, settings, versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

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


def carry_out(session, action: AdminAction, *, actor) -> str:
    payload = action.payload or {}
    key, scope = payload.get("key"), payload.get("scope")
    if payload.get("remove") is True and key:
        return _carry_out_removal(session, action, key, scope, actor=actor)
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


def _carry_out_removal(session, action: AdminAction, key: str, scope, *, actor) -> str:
    """An approved removal: only of the value the request was made against."""
    expected = (action.payload.get("before") or {}).get("value")
    row = _row(session, key, scope, lock=True)
    if row is None or row.value != expected:
        now = "removed" if row is None else f"now {row.value}"
        raise Conflict(
            f"The setting changed after this was asked for: it is {now}. Reject this request; "
            "the requester can ask again."
        )
    _remove_row(session, row, actor=actor, reason=action.justification, admin_action=action)
    return f"{key} is removed{' for this seller' if scope else ''}"


# --- the editor ------------------------------------------------------------------------------

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,199}$", re.IGNORECASE)
SCOPE = re.compile(r"^seller:([0-9a-f-]{36})$")
ROW_ID_FORM = re.compile(r"^[0-9a-f-]{36}$")
VALUE_MAX = 10_000
SENSITIVE_PATTERNS = frozenset(settings.DUAL_APPROVAL_THRESHOLDS.values())
KIND_WORDS = {
    settings.Kind.MONEY: "Amount in {variable}",
    settings.Kind.INTEGER: "Whole number",
    settings.Kind.DURATION: "Whole number of {unit}",
    settings.Kind.BOOLEAN: "True or false",
    settings.Kind.JSON: "JSON",
    settings.Kind.STRING: "Text",
}
LABELS = {"value": "Value"}


def is_sensitive(key: str) -> bool:
    """Whether ``key`` changes only through maker-checker (the finance thresholds)."""
    found = settings.declared(key)
    return found is not None and found[0].pattern in SENSITIVE_PATTERNS


def kind_words(key: str) -> str:
    """The type of ``key`` in words ("Amount in USD", "Whole number of days", "Text")."""
    found = settings.declared(key)
    if found is None:
        return "Text (not a known key)"
    setting, variable = found
    return KIND_WORDS[setting.kind].format(variable=variable, unit=setting.unit)


def default_words(key: str) -> str | None:
    """The default of ``key`` as it would be written, or None when it has none."""
    found = settings.declared(key)
    if found is None:
        return None
    setting, variable = found
    default = setting.default_for(variable)
    if default is None:
        return None
    if setting.kind is settings.Kind.DURATION:
        from datetime import timedelta

        return str(int(default / timedelta(**{setting.unit: 1})))
    return str(default).lower() if isinstance(default, bool) else str(default)


def _seller_id(scope: str | None) -> str | None:
    match = SCOPE.match(scope or "")
    return match.group(1) if match else None


def clean_scope(session, scope: str | None) -> str | None:
    """None (global) or ``seller:<id>`` of an existing seller; 422 otherwise."""
    scope = (scope or "").strip() or None
    if scope is None:
        return None
    seller_id = _seller_id(scope)
    if seller_id is None or session.get(Seller, seller_id) is None:
        message = "Choose everyone (global) or one seller."
        raise ValidationError(message, field_errors={"scope": [message]})
    return scope


def scope_of_seller_code(session, seller_code: str | None) -> str | None:
    """``seller:<id>`` for a seller's code, None (global) for no code; 422 on ``seller`` when no
    live seller has that code."""
    code = (seller_code or "").strip()
    if not code:
        return None
    seller_id = session.scalar(
        select(Seller.id).where(Seller.seller_code == code, Seller.deleted_at.is_(None))
    )
    if seller_id is None:
        message = f"There is no seller with the code {code}."
        raise ValidationError(message, field_errors={"seller": [message]})
    return settings.seller_scope(seller_id)


def clean_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY.match(key):
        message = (
            "Name the setting with letters, digits, dots, dashes or underscores "
            "(like moderation.claim.batch_size)."
        )
        raise ValidationError(message, field_errors={"key": [message]})
    known = settings.known_spelling(key)
    if known is not None and known != key:
        # Services read the exact key: a key differing only in case would be plain text that
        # looks like a known setting (a finance threshold kept as text, without approval).
        message = f"Write this known key exactly as {known}: services read it letter for letter."
        raise ValidationError(message, field_errors={"key": [message]})
    return key


def current_row(session, key: str, scope: str | None) -> Configuration | None:
    """The live row of ``key`` in ``scope`` (None: global), if it is set."""
    return _row(session, (key or "").strip(), scope)


def _clean_value(key: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError("Give a value.", field_errors={"value": ["Give a value."]})
    if len(value) > VALUE_MAX:
        message = f"Keep the value under {VALUE_MAX:,} characters."
        raise ValidationError(message, field_errors={"value": [message]})
    settings.parse(key, value)
    return value


@dataclass
class Entry:
    """A configuration row as the editor shows it."""

    row: Configuration
    seller: str | None = None
    pending: AdminAction | None = None

    @property
    def sensitive(self) -> bool:
        return is_sensitive(self.row.key)

    @property
    def kind(self) -> str:
        return kind_words(self.row.key)

    @property
    def currency(self) -> str | None:
        """The currency of the value when it is an amount (its history shows it so)."""
        return settings.money_currency(self.row.key)

    @property
    def scope_words(self) -> str:
        if self.row.scope is None:
            return "Everyone (global)"
        return f"Seller: {self.seller}" if self.seller else "A seller no longer listed"


SORTS = (
    SortKey("key", "Key", Configuration.key),
    SortKey("updated", "Last changed", Configuration.updated_at, kind=datetime),
)
ROW_ID = Configuration.id


def _statement(filters: dict):
    statement = select(Configuration).where(Configuration.deleted_at.is_(None))
    text = (filters.get("q") or "").strip().lower()
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                func.lower(Configuration.key).like(pattern, escape=LIKE_ESCAPE),
                func.lower(func.coalesce(Configuration.description, "")).like(
                    pattern, escape=LIKE_ESCAPE
                ),
            )
        )
    scope = filters.get("scope")
    if scope == "global":
        statement = statement.where(Configuration.scope.is_(None))
    elif scope == "sellers":
        statement = statement.where(Configuration.scope.is_not(None))
    return statement


def pending_requests(session, row_ids) -> dict[str, AdminAction]:
    """The open ``change_configuration`` request of each of ``row_ids`` (one query)."""
    return approvals.open_requests(session, ACTION, TABLE, row_ids)


def entries_of(session, rows) -> list[Entry]:
    sellers = {_seller_id(r.scope) for r in rows} - {None}
    names = (
        dict(
            session.execute(
                select(Seller.id, Seller.display_name).where(Seller.id.in_(list(sellers)))
            ).all()
        )
        if sellers
        else {}
    )
    waiting = pending_requests(session, [r.id for r in rows])
    return [Entry(r, names.get(_seller_id(r.scope)), waiting.get(r.id)) for r in rows]


def entry_page(session, filters: dict, ordering, *, cursor, limit):
    """One page of configuration rows (``q``: key or description; ``scope``: global,
    sellers)."""
    page = keyset_page(session, _statement(filters), ordering, cursor=cursor, limit=limit)
    page.rows = entries_of(session, list(page.rows))
    return page


def count_entries(session, filters: dict):
    return capped_count(session, _statement(filters).with_only_columns(Configuration.id))


def unset_keys(session) -> list[tuple[str, str, str | None]]:
    """The known keys without a fixed varying part that have no global row: (key, what it
    is, its default as written)."""
    present = set(
        session.scalars(
            select(Configuration.key).where(
                Configuration.scope.is_(None), Configuration.deleted_at.is_(None)
            )
        )
    )
    return [
        (s.pattern, s.description, default_words(s.pattern))
        for s in settings.SETTINGS
        if "{" not in s.pattern and s.pattern not in present
    ]


def get_entry(session, row_id: str) -> Entry:
    row = session.get(Configuration, row_id) if ROW_ID_FORM.match(row_id or "") else None
    if row is None or row.deleted_at is not None:
        raise NotFound("That setting does not exist (any more).")
    return entries_of(session, [row])[0]


@dataclass(frozen=True)
class Changed:
    """What ``change`` did: saved at once (``row``), asked for (``request``), or nothing."""

    row: Configuration | None = None
    request: approvals.Requested | None = None


def change(
    session,
    key: str,
    value: str,
    *,
    actor,
    scope: str | None = None,
    expected_version: int | None = None,
    justification: str | None = None,
    summary: str | None = None,
    action: str = "configuration.changed",
) -> Changed:
    """Set ``key`` (in ``scope``) to ``value``: at once for an ordinary key (a new row when
    there is none; otherwise only from ``expected_version``), through approval for a sensitive
    one. 422 when the value does not read as the key's type."""
    errors: dict[str, list[str]] = {}
    for check in (lambda: clean_key(key), lambda: clean_scope(session, scope)):
        try:
            check()
        except ValidationError as error:
            errors.update(error.field_errors)
    try:
        _clean_value(key if not errors else "", value)  # a value alone when the key is wrong
    except ValidationError as error:
        errors.update(error.field_errors)
    if errors:
        raise ValidationError("Some values of the setting are not valid.", field_errors=errors)
    key, scope = clean_key(key), clean_scope(session, scope)
    value = _clean_value(key, value)
    if is_sensitive(key):
        return Changed(
            request=request_change(session, key, value, justification, actor=actor, scope=scope)
        )
    row = _row(session, key, scope, lock=True)
    if row is None:
        row = Configuration(key=key, scope=scope, value=value, description=_label(key))
        try:
            with session.begin_nested():  # a row set by someone else meanwhile refuses this one
                session.add(row)
                session.flush()
        except IntegrityError:
            raise Conflict(f"{key} was just set by someone else. Reload it and edit it.") from None
        audit.record(
            session,
            actor=actor,
            entity_table=TABLE,
            entity_id=row.id,
            action="configuration.created",
            summary=summary or f"Set {key} to {value}",
            before={"value": None},
            after={"value": value, "version": row.version},
        )
        settings.reader(session).forget()
        return Changed(row=row)
    if expected_version is None:
        raise Conflict(
            f"{key} is already set{' for this seller' if scope else ''}: change it on its screen."
        )
    event = versions.apply_edit(
        session,
        row,
        expected_version=expected_version,
        changes={"value": value},
        actor=actor,
        entity_table=TABLE,
        action=action,
        summary=summary or f"Set {key} to {value}",
        labels=LABELS,
    )
    if event is None:
        raise ValidationError(
            "That is already the setting's value.", field_errors={"value": ["Unchanged."]}
        )
    row.updated_at = utcnow()
    settings.reader(session).forget()
    return Changed(row=row)


def history(session, row: Configuration):
    return audit.history(session, TABLE, row.id)


def value_before(session, row: Configuration, event_id: str) -> str:
    """The value of ``row`` just before the change ``event_id``: its value now with every later
    change (and that one) undone from the audit trail."""
    value = row.value
    for entry in history(session, row):
        before = (entry.event.changes or {}).get("before") or {}
        if "value" in before:
            value = before["value"]
        if entry.event.id == event_id:
            if value is None:
                raise ValidationError(
                    "That change created the setting: there is nothing before it."
                )
            return value
    raise NotFound("That change is not in this setting's history.")


def revert(
    session, row_id: str, event_id: str, *, expected_version: int, actor, justification=None
) -> Changed:
    """Put the setting back to its value before the change ``event_id`` (a sensitive key
    through approval)."""
    row = get_entry(session, row_id).row
    value = value_before(session, row, event_id)
    return change(
        session,
        row.key,
        value,
        actor=actor,
        scope=row.scope,
        expected_version=expected_version,
        justification=justification,
        summary=f"Reverted {row.key} to {value}",
        action="configuration.reverted",
    )


# --- removing a value ------------------------------------------------------------------------


def removal_refused(row: Configuration) -> str | None:
    """Why ``row`` cannot be removed (a known key's global value: the mall reads it), or None."""
    if row.scope is None and settings.declared(row.key) is not None:
        default = default_words(row.key)
        also = f" (its default is {default})" if default is not None else ""
        return (
            f"This value cannot be removed: the mall reads {row.key} for everyone. Change the "
            f"value instead{also}."
        )
    return None


def global_row(session, key: str) -> Configuration | None:
    """The global value of ``key``, if it is set."""
    return _row(session, key, None)


@dataclass(frozen=True)
class Inherited:
    """What applies to a scope once its own value is gone."""

    value: str | None
    source: str  # "global value", "default" or "" (nothing)


def inherited(session, key: str, scope: str | None) -> Inherited:
    """The value that applies in ``scope`` without a row of its own: the global row (for a
    seller), else the key's default, else nothing."""
    if scope is not None:
        row = global_row(session, key)
        if row is not None:
            return Inherited(row.value, "global value")
    default = default_words(key)
    if default is not None:
        return Inherited(default, "default")
    return Inherited(None, "")


def inherited_words(entry: Entry, after: Inherited) -> str:
    """``Seller X now uses the global value 250.00`` (or what applies once it is removed)."""
    who = f"Seller {entry.seller}" if entry.row.scope else "Everyone"
    if after.value is None:
        return f"{entry.row.key} is no longer set: services reading it get nothing."
    return f"{who} now uses the {after.source} {after.value}."


def _remove_row(session, row: Configuration, *, actor, reason=None, admin_action=None):
    before = {"value": row.value, "version": row.version}
    row.deleted_at = utcnow()
    row.version += 1
    row.updated_at = row.deleted_at
    approved = " (approved request)" if admin_action is not None else ""
    event = audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=row.id,
        action="configuration.removed",
        summary=f"Removed {row.key}{' for a seller' if row.scope else ''}{approved}",
        reason=reason,
        before=before,
        after={"value": None, "version": row.version},
        admin_action=admin_action,
    )
    settings.reader(session).forget()
    return event


def remove(
    session, row_id: str, *, expected_version: int, actor, justification: str | None = None
) -> Changed:
    """Remove a seller's override or an unknown global key (409 for a known key's global
    value, or when stale); a sensitive key through approval."""
    row = get_entry(session, row_id).row
    refused = removal_refused(row)
    if refused:
        raise Conflict(refused)
    row = versions.lock(session, Configuration, row.id, what="setting")
    versions.check_version(session, row, expected_version, entity_table=TABLE, labels=LABELS)
    if is_sensitive(row.key):
        payload = {
            "key": row.key,
            "scope": row.scope,
            "remove": True,
            "before": {"value": row.value},
            "after": {"value": None},
        }
        return Changed(
            request=approvals.request_approval(
                session, ACTION, TABLE, row.id, payload, justification, actor=actor
            )
        )
    _remove_row(session, row, actor=actor, reason=justification)
    return Changed(row=row)
