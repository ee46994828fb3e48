"""Feature flags (``shopping_mall_feature_flags``): one evaluation rule, the list and its
derived states, edits with their history, revert, and maker-checker for sensitive flags.

``evaluate`` is the only place that decides whether a flag is on for a subject: switched on,
inside its window (``starts_at`` inclusive, ``ends_at`` exclusive), its segment (``key=value``)
matched by the subject's attributes, and the subject's bucket under the rollout percentage.
A subject's bucket is a stable hash of the flag code and the subject id (0–9,999), so the same
subject always gets the same answer, and raising the percentage only adds subjects.

A change to a flag marked sensitive is asked for, not made: ``change`` files a
``change_flag`` request (``approvals.request_approval``) holding the exact before/after, and
the executor registered here applies it once a second admin approves, refusing (409) when the
flag changed meanwhile. Every change writes one audit event with before/after, so the flag's
state at any earlier moment can be rebuilt from its history (``state_before``) and restored.

Archiving a flag (``archive``) is a soft delete (``deleted_at``): the flag leaves the list (its
"Archived" filter shows it), is off for everyone, in ``evaluate`` and in the API alike, and
keeps its code, which stays unique over archived flags too; ``restore`` brings it back as it
was. A sensitive flag is archived or restored only through the same ``change_flag`` request,
its payload saying ``archived`` before and after.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.text import BIDI_REFUSAL, LIKE_ESCAPE, has_bidi_controls, like_pattern
from mallconsole.models import AdminAction, AuditEvent, FeatureFlag, utcnow
from mallconsole.services import approvals
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

TABLE = "shopping_mall_feature_flags"
ACTION = "change_flag"
BUCKETS = 10_000  # a percentage has two decimals of resolution: bucket < percentage * 100
CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
SEGMENT = re.compile(r"^\s*([A-Za-z0-9_.-]{1,64})\s*=\s*(\S(?:.{0,198}\S)?)\s*$")
NAME_MAX, DESCRIPTION_MAX = 200, 2000
# A window's moments lie in these years: far enough for any plan, and every reader's time zone
# can still show them (year 1 or 9999 moved by a few hours is no date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2999
DATE_RANGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."

# The fields a person edits, in form order, with their words.
FIELDS = (
    "name",
    "description",
    "enabled",
    "rollout_percentage",
    "segment",
    "starts_at",
    "ends_at",
    "sensitive",
)
LABELS = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "enabled": "Switched on",
    "rollout_percentage": "Rollout",
    "segment": "Segment",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "sensitive": "Sensitive",
    "archived": "Archived",
}
_DATES = ("starts_at", "ends_at")

# Derived states of a flag (never stored): the list's words and tones.
STATES = {
    "on": ("On", "success"),
    "off": ("Off", "neutral"),
    "scheduled": ("Scheduled", "info"),
    "expired": ("Expired", "warning"),
    "rolling_out": ("Rolling out", "info"),
    "archived": ("Archived", "neutral"),
}


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Whether a flag is on for one subject, and why (a sentence)."""

    enabled: bool
    reason: str


def bucket(code: str, subject_id: str) -> int:
    """The subject's place (0–9,999) in this flag's rollout: stable across processes."""
    digest = hashlib.sha256(f"{code}\x1f{subject_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def parse_segment(text: str | None) -> tuple[str, str] | None:
    """``"locale=ko-KR"`` → ``("locale", "ko-KR")``; None for no segment; ValueError when
    it is not written ``key=value``."""
    if text is None or not text.strip():
        return None
    match = SEGMENT.match(text)
    if match is None:
        raise ValueError(text)
    return match.group(1), match.group(2)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        from datetime import UTC

        return moment.replace(tzinfo=UTC)
    return moment


def evaluate(
    flag: FeatureFlag, subject_id: str | None, attributes: dict | None, now: datetime
) -> Evaluation:
    """Whether ``flag`` is on for ``subject_id`` with ``attributes`` at ``now``."""
    attributes = attributes or {}
    now = _aware(now)
    if flag.deleted_at is not None:
        return Evaluation(False, "The flag is archived: it is off for everyone.")
    if not flag.enabled:
        return Evaluation(False, "The flag is switched off.")
    starts, ends = _aware(flag.starts_at), _aware(flag.ends_at)
    if starts is not None and now < starts:
        return Evaluation(False, f"The flag starts at {starts:%Y-%m-%d %H:%M} UTC.")
    if ends is not None and now >= ends:
        return Evaluation(False, f"The flag ended at {ends:%Y-%m-%d %H:%M} UTC.")
    try:
        segment = parse_segment(flag.segment)
    except ValueError:
        return Evaluation(False, f"The flag's segment {flag.segment!r} cannot be read.")
    if segment is not None:
        key, wanted = segment
        given = attributes.get(key)
        if given is None:
            return Evaluation(False, f"The subject has no {key}; the flag is for {key}={wanted}.")
        if str(given) != wanted:
            return Evaluation(False, f"The subject's {key} is {given}, not {wanted}.")
    percentage = 100 if flag.rollout_percentage is None else flag.rollout_percentage
    if percentage >= 100:
        return Evaluation(True, "The flag is on for everyone" + _in(segment) + ".")
    if percentage <= 0:
        return Evaluation(False, "The rollout is at 0%: on for no one yet.")
    if not subject_id:
        return Evaluation(False, f"The flag is on for {percentage}% of subjects: name a subject.")
    place = bucket(flag.code, str(subject_id))
    if place < percentage * (BUCKETS // 100):
        return Evaluation(True, f"The subject is in the first {percentage}% of the rollout.")
    return Evaluation(False, f"The subject is outside the first {percentage}% of the rollout.")


def _in(segment) -> str:
    return f" with {segment[0]}={segment[1]}" if segment else ""


# --- derived state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagState:
    key: str
    label: str
    tone: str


def state_of(flag: FeatureFlag, now: datetime) -> FlagState:
    """On, off, scheduled, expired or rolling out N%, at ``now``."""
    now = _aware(now)
    if flag.deleted_at is not None:
        key = "archived"
    elif not flag.enabled:
        key = "off"
    elif flag.starts_at is not None and now < _aware(flag.starts_at):
        key = "scheduled"
    elif flag.ends_at is not None and now >= _aware(flag.ends_at):
        key = "expired"
    elif flag.rollout_percentage is not None and flag.rollout_percentage < 100:
        key = "rolling_out"
    else:
        key = "on"
    label, tone = STATES[key]
    if key == "rolling_out":
        label = f"Rolling out {flag.rollout_percentage}%"
    return FlagState(key, label, tone)


def _state_filter(key: str, now: datetime):
    """The SQL condition of one derived state (the same rule as ``state_of``)."""
    enabled = FeatureFlag.enabled.is_(True)
    started = or_(FeatureFlag.starts_at.is_(None), FeatureFlag.starts_at <= now)
    live = or_(FeatureFlag.ends_at.is_(None), FeatureFlag.ends_at > now)
    partial = and_(
        FeatureFlag.rollout_percentage.is_not(None), FeatureFlag.rollout_percentage < 100
    )
    return {
        "off": FeatureFlag.enabled.is_(False),
        "scheduled": and_(enabled, FeatureFlag.starts_at > now),
        "expired": and_(enabled, started, FeatureFlag.ends_at <= now),
        "rolling_out": and_(enabled, started, live, partial),
        "on": and_(enabled, started, live, ~partial),
    }[key]


# --- reading ---------------------------------------------------------------------------------

FLAG_SORTS = (
    SortKey("code", "Code", FeatureFlag.code),
    SortKey("name", "Name", FeatureFlag.name),
    SortKey("updated", "Last changed", FeatureFlag.updated_at, kind=datetime),
)
FLAG_ID = FeatureFlag.id


@dataclass
class FlagRow:
    """A flag as the list shows it: its state now and any change waiting for approval."""

    flag: FeatureFlag
    state: FlagState
    pending: AdminAction | None = None


def _statement(filters: dict, now: datetime):
    # Archived flags show only under their own filter.
    archived = filters.get("state") == "archived"
    statement = select(FeatureFlag).where(
        FeatureFlag.deleted_at.is_not(None) if archived else FeatureFlag.deleted_at.is_(None)
    )
    text = (filters.get("q") or "").strip().lower()
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                func.lower(FeatureFlag.code).like(pattern, escape=LIKE_ESCAPE),
                func.lower(FeatureFlag.name).like(pattern, escape=LIKE_ESCAPE),
                func.lower(func.coalesce(FeatureFlag.description, "")).like(
                    pattern, escape=LIKE_ESCAPE
                ),
            )
        )
    if filters.get("state") and not archived:
        statement = statement.where(_state_filter(filters["state"], now))
    return statement


def pending_changes(session, flag_ids) -> dict[str, AdminAction]:
    """The open ``change_flag`` request of each of ``flag_ids`` (one query)."""
    return approvals.open_requests(session, ACTION, TABLE, flag_ids)


def rows_of(session, flags, now: datetime) -> list[FlagRow]:
    waiting = pending_changes(session, [f.id for f in flags])
    return [FlagRow(f, state_of(f, now), waiting.get(f.id)) for f in flags]


def flag_page(session, filters: dict, ordering, *, cursor, limit, now: datetime | None = None):
    """One page of flags matching ``filters`` (``q``: code, name or description; ``state``)."""
    now = now or utcnow()
    page = keyset_page(session, _statement(filters, now), ordering, cursor=cursor, limit=limit)
    page.rows = rows_of(session, list(page.rows), now)
    return page


def count_flags(session, filters: dict, *, now: datetime | None = None):
    ids = _statement(filters, now or utcnow()).with_only_columns(FeatureFlag.id)
    return capped_count(session, ids)


def get_flag(session, code: str) -> FeatureFlag:
    """The live flag with ``code``; 404 otherwise."""
    flag = session.scalars(
        select(FeatureFlag).where(FeatureFlag.code == code, FeatureFlag.deleted_at.is_(None))
    ).first()
    if flag is None:
        raise NotFound("There is no feature flag with that code.")
    return flag


def get_any_flag(session, code: str) -> FeatureFlag:
    """The flag with ``code``, live or archived; 404 otherwise."""
    flag = session.scalars(select(FeatureFlag).where(FeatureFlag.code == code)).first()
    if flag is None:
        raise NotFound("There is no feature flag with that code.")
    return flag


def find_flag(session, code_or_id: str) -> FeatureFlag:
    """The flag (live or archived) with this code, or with this id (links from the approvals
    inbox)."""
    try:
        return get_any_flag(session, code_or_id)
    except NotFound:
        flag = session.get(FeatureFlag, code_or_id) if len(code_or_id) == 36 else None
        if flag is None:
            raise
        return flag


def parse_attributes(text: str) -> tuple[dict, list[str]]:
    """``key=value`` lines (or comma-separated pairs) → attributes, and what could not be read."""
    attributes, problems = {}, []
    for part in re.split(r"[\n,]+", text or ""):
        if not part.strip():
            continue
        try:
            key, value = parse_segment(part)
        except ValueError:
            problems.append(f"“{part.strip()[:60]}” is not written key=value.")
            continue
        attributes[key] = value
    return attributes, problems


def flag_row(session, code: str, *, now: datetime | None = None, archived: bool = False) -> FlagRow:
    """The flag with its state and any change waiting; ``archived``: an archived one too."""
    flag = get_any_flag(session, code) if archived else get_flag(session, code)
    return rows_of(session, [flag], now or utcnow())[0]


def values_of(flag: FeatureFlag) -> dict:
    """The editable fields of ``flag``."""
    return {name: getattr(flag, name) for name in FIELDS}


# --- checking values -------------------------------------------------------------------------


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return _aware(value)
    return _aware(datetime.fromisoformat(str(value)))


def clean(values: dict) -> dict:
    """The editable fields of ``values``, checked and normalized; ValidationError (422) with a
    message per field otherwise."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the flag a name people will recognise."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Keep the name under {NAME_MAX} characters."]
    elif has_bidi_controls(name):
        errors["name"] = [BIDI_REFUSAL]
    cleaned["name"] = name
    description = (values.get("description") or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"Keep the description under {DESCRIPTION_MAX:,} characters."]
    cleaned["description"] = description
    cleaned["enabled"] = bool(values.get("enabled"))
    cleaned["sensitive"] = bool(values.get("sensitive"))
    rollout = values.get("rollout_percentage")
    if rollout in (None, ""):
        cleaned["rollout_percentage"] = None
    else:
        try:
            number = int(str(rollout).strip())
        except ValueError:
            number = None
        if number is None or not 0 <= number <= 100:
            errors["rollout_percentage"] = [
                "Give a whole percentage from 0 to 100, or leave it empty for everyone."
            ]
        cleaned["rollout_percentage"] = number
    segment = (values.get("segment") or "").strip() or None
    try:
        parsed = parse_segment(segment)
    except ValueError:
        errors["segment"] = [
            "Write the segment as key=value, like locale=ko-KR or seller_tier=gold."
        ]
    else:
        segment = f"{parsed[0]}={parsed[1]}" if parsed else None
    cleaned["segment"] = segment
    for field in _DATES:
        try:
            cleaned[field] = _as_datetime(values.get(field))
        except ValueError:
            errors[field] = ["Give a date and time, like 2026-12-24 09:00."]
            cleaned[field] = None
        if cleaned[field] is not None and not FIRST_YEAR <= cleaned[field].year <= LAST_YEAR:
            errors[field] = [DATE_RANGE]
            cleaned[field] = None
    if cleaned["starts_at"] and cleaned["ends_at"] and cleaned["ends_at"] <= cleaned["starts_at"]:
        errors.setdefault("ends_at", []).append("The end must come after the start.")
    if errors:
        raise ValidationError("Some values of the flag are not valid.", field_errors=errors)
    return cleaned


def _clean_code(session, code: str) -> str:
    code = (code or "").strip()
    if not CODE.match(code):
        message = (
            "Use lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (like checkout.one_page)."
        )
        raise ValidationError(message, field_errors={"code": [message]})
    if code == "new":  # /admin/flags/new is the form for a new flag
        message = "“new” names the new-flag form: choose another code."
        raise ValidationError(message, field_errors={"code": [message]})
    # The code is unique over archived flags too (a service may still ask for it).
    taken = session.execute(select(FeatureFlag.deleted_at).where(FeatureFlag.code == code)).first()
    if taken is not None:
        message = (
            "An archived flag has this code: restore it (Feature flags › Archived) "
            "or choose another code."
            if taken.deleted_at is not None
            else "Another flag already has this code."
        )
        raise ValidationError(message, field_errors={"code": [message]})
    return code


# --- changes ---------------------------------------------------------------------------------


def create(session, values: dict, *, actor, code: str) -> FeatureFlag:
    """A new flag (its first audit event holds every field)."""
    errors = {}
    try:
        code = _clean_code(session, code)
    except ValidationError as error:
        errors.update(error.field_errors)
    try:
        cleaned = clean(values)
    except ValidationError as error:
        errors.update(error.field_errors)
    if errors:
        raise ValidationError("Some values of the flag are not valid.", field_errors=errors)
    flag = FeatureFlag(code=code, **cleaned)
    try:
        with session.begin_nested():  # a flag created with this code meanwhile refuses this one
            session.add(flag)
            session.flush()
    except IntegrityError:
        message = "Another flag was just created with this code."
        raise ValidationError(message, field_errors={"code": [message]}) from None
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=flag.id,
        action="flag.created",
        summary=f"Created the flag {code}",
        after={"code": code, **cleaned, "version": flag.version},
    )
    return flag


@dataclass(frozen=True)
class Changed:
    """What ``change`` did: applied at once (``event``), asked for (``request``), or nothing."""

    event: object = None
    request: approvals.Requested | None = None

    @property
    def nothing(self) -> bool:
        return self.event is None and self.request is None


def _diff(flag: FeatureFlag, wanted: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for name, value in wanted.items():
        old = getattr(flag, name)
        if name in _DATES:
            old = _aware(old)
        if old != value:
            before[name], after[name] = old, value
    return before, after


def change(
    session,
    code: str,
    values: dict,
    *,
    expected_version: int,
    actor,
    justification: str | None = None,
    summary: str | None = None,
    action: str = "flag.updated",
) -> Changed:
    """Set the fields in ``values`` (checked with ``clean``) on the flag ``code``.

    A sensitive flag (or one being made not sensitive) is asked for through maker-checker with
    ``justification``; any other flag changes at once. Stale versions raise ``StaleRecord``.
    """
    flag = get_flag(session, code)
    flag = versions.lock(session, FeatureFlag, flag.id, what="feature flag")
    cleaned = clean({**values_of(flag), **values})
    wanted = {name: cleaned[name] for name in values if name in FIELDS}
    versions.check_version(session, flag, expected_version, entity_table=TABLE, labels=LABELS)
    before, after = _diff(flag, wanted)
    if not after:
        return Changed()
    if flag.sensitive:
        payload = {
            "code": flag.code,
            "version": flag.version,
            "before": before,
            "after": after,
            "labels": {name: LABELS[name] for name in after},
        }
        requested = approvals.request_approval(
            session, ACTION, TABLE, flag.id, payload, justification, actor=actor
        )
        return Changed(request=requested)
    event = versions.apply_edit(
        session,
        flag,
        expected_version=expected_version,
        changes=after,
        actor=actor,
        entity_table=TABLE,
        action=action,
        summary=summary or f"Changed the flag {flag.code}",
        labels=LABELS,
    )
    return Changed(event=event)


def toggle(session, code: str, *, expected_version: int, actor, justification=None) -> Changed:
    """Switch the flag the other way (through approval when it is sensitive)."""
    flag = get_flag(session, code)
    turning_on = not flag.enabled
    return change(
        session,
        code,
        {"enabled": turning_on},
        expected_version=expected_version,
        actor=actor,
        justification=justification,
        summary=f"Switched the flag {code} {'on' if turning_on else 'off'}",
    )


def history(session, flag: FeatureFlag):
    return audit.history(session, TABLE, flag.id)


def _restorable(values: dict) -> dict:
    return {name: values[name] for name in FIELDS if name in values}


def state_before(session, flag: FeatureFlag, event_id: str) -> dict:
    """The editable fields of ``flag`` just before the change recorded by ``event_id``:
    its values now, with every later change (and that one) undone from the audit trail."""
    state = values_of(flag)
    for entry in history(session, flag):
        before = (entry.event.changes or {}).get("before") or {}
        for name, value in _restorable(before).items():
            state[name] = _as_datetime(value) if name in _DATES else value
        if entry.event.id == event_id:
            if entry.event.action in ("flag.archived", "flag.restored"):
                raise ValidationError(
                    "That change archived or restored the flag: archive or restore it instead."
                )
            if not _restorable(before):
                raise ValidationError("That change created the flag: there is nothing before it.")
            return state
    raise NotFound("That change is not in this flag's history.")


def revert(
    session, code: str, event_id: str, *, expected_version: int, actor, justification=None
) -> Changed:
    """Put the flag back as it was just before the change ``event_id`` (every field)."""
    flag = get_flag(session, code)
    wanted = state_before(session, flag, event_id)
    event = session.get(AuditEvent, event_id)
    when = f"{event.created_at:%Y-%m-%d %H:%M}" if event else "that change"
    return change(
        session,
        code,
        wanted,
        expected_version=expected_version,
        actor=actor,
        justification=justification,
        summary=f"Reverted the flag {code} to before the change of {when} UTC",
        action="flag.reverted",
    )


def _set_archived(
    session, flag: FeatureFlag, archived: bool, *, actor, reason=None, admin_action=None
):
    """Archive or restore ``flag`` at once: ``deleted_at``, the version, one audit event."""
    before = {"archived": not archived, "version": flag.version}
    flag.deleted_at = utcnow() if archived else None
    flag.version += 1
    flag.updated_at = utcnow()
    approved = " (approved request)" if admin_action is not None else ""
    return audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=flag.id,
        action="flag.archived" if archived else "flag.restored",
        summary=f"{'Archived' if archived else 'Restored'} the flag {flag.code}{approved}",
        reason=reason,
        before=before,
        after={"archived": archived, "version": flag.version},
        admin_action=admin_action,
    )


def _archive_or_restore(
    session, code: str, archived: bool, *, expected_version: int, actor, justification
) -> Changed:
    flag = get_any_flag(session, code)
    flag = versions.lock(session, FeatureFlag, flag.id, what="feature flag", deleted_too=True)
    if (flag.deleted_at is not None) == archived:
        raise Conflict(f"The flag {flag.code} is already {'archived' if archived else 'in use'}.")
    versions.check_version(session, flag, expected_version, entity_table=TABLE, labels=LABELS)
    if flag.sensitive:
        payload = {
            "code": flag.code,
            "version": flag.version,
            "before": {"archived": not archived},
            "after": {"archived": archived},
            "labels": {"archived": LABELS["archived"]},
        }
        requested = approvals.request_approval(
            session, ACTION, TABLE, flag.id, payload, justification, actor=actor
        )
        return Changed(request=requested)
    return Changed(event=_set_archived(session, flag, archived, actor=actor, reason=justification))


def archive(session, code: str, *, expected_version: int, actor, justification=None) -> Changed:
    """Archive the flag: gone from the list, off for everyone, its code kept (a sensitive flag
    through approval). Stale versions raise ``StaleRecord``."""
    return _archive_or_restore(
        session, code, True, expected_version=expected_version, actor=actor,
        justification=justification,
    )  # fmt: skip


def restore(session, code: str, *, expected_version: int, actor, justification=None) -> Changed:
    """Bring an archived flag back with the settings it had (a sensitive flag through
    approval). Stale versions raise ``StaleRecord``."""
    return _archive_or_restore(
        session, code, False, expected_version=expected_version, actor=actor,
        justification=justification,
    )  # fmt: skip


# --- the executor of approved changes ----------------------------------------------------------


def _from_payload(values: dict) -> dict:
    return {
        name: _as_datetime(value) if name in _DATES else value
        for name, value in values.items()
        if name in FIELDS
    }


def _carry_out_archiving(session, action: AdminAction, wanted: bool) -> str:
    """An approved archive (``wanted``) or restore of a sensitive flag."""
    flag = versions.lock(
        session, FeatureFlag, action.target_entity_id, what="feature flag", deleted_too=True
    )
    if (flag.deleted_at is not None) == wanted:
        raise Conflict(
            f"The flag {flag.code} is already {'archived' if wanted else 'in use'}. Reject "
            "this request."
        )
    return flag


def carry_out(session, action: AdminAction, *, actor) -> str:
    payload = action.payload or {}
    archived = (payload.get("after") or {}).get("archived")
    if isinstance(archived, bool) and action.target_entity_id:
        flag = _carry_out_archiving(session, action, archived)
        _set_archived(
            session, flag, archived, actor=actor, reason=action.justification,
            admin_action=action,
        )  # fmt: skip
        if archived:
            return f"The flag {flag.code} is archived: it is off for everyone."
        return f"The flag {flag.code} is restored."
    after = _from_payload(payload.get("after") or {})
    before = _from_payload(payload.get("before") or {})
    if not after or not action.target_entity_id:
        raise Conflict("This request does not say which flag to change or to what.")
    flag = versions.lock(session, FeatureFlag, action.target_entity_id, what="feature flag")
    now_values = {
        name: _aware(getattr(flag, name)) if name in _DATES else getattr(flag, name)
        for name in before
    }
    if now_values != before:
        raise Conflict(
            f"The flag {flag.code} changed after this was asked for. Reject this request; "
            "the requester can ask again from the flag's current values."
        )
    clean({**values_of(flag), **after})
    old = {name: getattr(flag, name) for name in after}
    for name, value in after.items():
        setattr(flag, name, value)
    old["version"] = flag.version
    flag.version += 1
    flag.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity_table=TABLE,
        entity_id=flag.id,
        action="flag.updated",
        summary=f"Changed the flag {flag.code} (approved request)",
        reason=action.justification,
        before=old,
        after={**after, "version": flag.version},
        admin_action=action,
    )
    return f"The flag {flag.code} is changed: " + approvals.describe_change(payload)


def target_labels(session, ids) -> dict[str, str]:
    """How the approvals inbox names a flag: ``Instant payouts (payouts.instant)``."""
    rows = session.execute(
        select(FeatureFlag.id, FeatureFlag.code, FeatureFlag.name).where(FeatureFlag.id.in_(ids))
    ).all()
    return {i: f"{name} ({code})" for i, code, name in rows}
