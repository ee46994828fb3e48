"""Policies and their effective-dated versions (``shopping_mall_policies``,
``shopping_mall_policy_versions``).

A version is written as a draft by one admin (its author), who alone edits it and submits it
for approval; a second admin approves it through maker-checker (``approve_policy_version``,
``services/approvals.py``). Rules, and where they hold:

- windows are half-open days in UTC, ``[effective_from, effective_to)``; ``effective_to`` empty
  means open-ended;
- a version never comes into force in the past: its first day is after today, checked when it
  is written, submitted and approved, so what was in force on a past day never changes;
- approved windows of one policy never overlap: checked at submission and again by the
  executor under a lock on the policy row (a partial unique index also keeps a single
  open-ended approved version per policy);
- approving a version whose window starts inside the open-ended window of an approved one
  supersedes it: that one's ``effective_to`` becomes the new ``effective_from``; nothing else
  of an approved version ever changes;
- ``in_force(session, policy_id, at)`` answers which approved version applied at any moment.

Every change writes one audit event with before/after values.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from mallconsole.core import states
from mallconsole.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationError,
)
from mallconsole.core.locale import MESSAGE_LOCALE
from mallconsole.core.people import Person
from mallconsole.core.text import BIDI_REFUSAL, LIKE_ESCAPE, has_bidi_controls, is_id, like_pattern
from mallconsole.models import AdminAction, AuditEvent, Policy, PolicyVersion, utcnow
from mallconsole.services import approvals
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page
from mallconsole.services.kit.people import people_by_id

ACTION = "approve_policy_version"
POLICIES = "shopping_mall_policies"
MACHINE = states.POLICY_VERSION_MACHINE  # a version's state is derived: see ``version_state``
VERSIONS = MACHINE.table
LABEL_MAX = 40
NOTES_MAX = 2000
CONTENT_MAX = 100_000
SEARCH_MAX = 100
OPEN_REQUEST = ("pending", "approved")
FIELD_LABELS = {
    "version": "Version",
    "label": "Version",
    "effective_from": "In force from",
    "effective_to": "In force until",
    "change_notes": "Change notes",
    "content": "Terms",
    "approved": "Approved",
    "status": "Status",
}


# --- days and windows ----------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in UTC (windows start and end at midnight UTC)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def parse_day(raw, *, field_name: str, what: str, required: bool) -> date | None:
    """A ``YYYY-MM-DD`` form value as a date; a 422 with the field's error otherwise."""
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if isinstance(raw, date):
        return raw
    if not raw:
        if required:
            raise ValidationError(
                f"Give the {what}.", field_errors={field_name: [f"Give the {what}."]}
            )
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        message = f"Write the {what} as a date, e.g. 2027-01-31."
        raise ValidationError(message, field_errors={field_name: [message]}) from None


def day_words(moment: datetime | date | None) -> str:
    """``19 Dec 2026``: a day of a window (windows are whole days in UTC) in the console's
    English sentences, its month as CLDR writes it, whatever the server's own locale."""
    if moment is None:
        return "open-ended"
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, "d MMM y", locale=MESSAGE_LOCALE)


def window_words(start: datetime | None, end: datetime | None, *, opening: str = "From") -> str:
    """A window in words: ``From 8 Jun 2026, open-ended`` or ``From 8 Jun 2026 until 19 Dec
    2026`` (it ends as the last day named begins); ``opening="from"`` inside a sentence."""
    if start is None:
        return states.NOT_SET
    if end is None:
        return f"{opening} {day_words(start)}, open-ended"
    return f"{opening} {day_words(start)} until {day_words(end)}"


def _overlaps(start_a, end_a, start_b, end_b) -> bool:
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


# --- reading ---------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _at(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return day_start(moment)


def in_force(session, policy_id: str, at: datetime | date) -> PolicyVersion | None:
    """The approved version of the policy in force at ``at`` (a day means its first moment)."""
    at = _at(at)
    return session.scalars(
        select(PolicyVersion)
        .where(
            PolicyVersion.shopping_mall_policy_id == policy_id,
            PolicyVersion.approved.is_(True),
            PolicyVersion.deleted_at.is_(None),
            PolicyVersion.effective_from <= at,
            or_(PolicyVersion.effective_to.is_(None), PolicyVersion.effective_to > at),
        )
        .order_by(PolicyVersion.effective_from.desc())
        .limit(1)
    ).first()


def get_policy(session, code: str) -> Policy:
    policy = session.scalars(
        select(Policy).where(Policy.code == code, Policy.deleted_at.is_(None))
    ).first()
    if policy is None:
        raise NotFound("That policy does not exist.")
    return policy


def get_version(session, version_id: str) -> PolicyVersion:
    version = session.get(PolicyVersion, version_id) if is_id(version_id) else None
    if version is None or version.deleted_at is not None:
        raise NotFound("That policy version does not exist.")
    return version


def policy_of(session, version: PolicyVersion) -> Policy:
    """The policy ``version`` is a version of."""
    return session.get(Policy, version.shopping_mall_policy_id)


def open_requests(session, version_ids) -> dict[str, AdminAction]:
    """The open approval request of each version that has one."""
    if not version_ids:
        return {}
    rows = session.scalars(
        select(AdminAction).where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == VERSIONS,
            AdminAction.target_entity_id.in_(list(version_ids)),
            AdminAction.status.in_(OPEN_REQUEST),
            AdminAction.deleted_at.is_(None),
        )
    ).all()
    return {row.target_entity_id: row for row in rows}


def last_request(session, version_id: str) -> AdminAction | None:
    """The latest approval request of a version, whatever became of it."""
    return session.scalars(
        select(AdminAction)
        .where(
            AdminAction.action_name == ACTION,
            AdminAction.target_entity_table == VERSIONS,
            AdminAction.target_entity_id == version_id,
            AdminAction.deleted_at.is_(None),
        )
        .order_by(AdminAction.created_at.desc(), AdminAction.id.desc())
        .limit(1)
    ).first()


def version_state(version: PolicyVersion, request: AdminAction | None, now: datetime) -> str:
    """Where a version stands (one of ``states.POLICY_VERSION_STATES``)."""
    if not version.approved:
        return "awaiting_approval" if request is not None else "draft"
    if version.effective_from > now:
        return "scheduled"
    if version.effective_to is not None and version.effective_to <= now:
        return "ended"
    return "in_force"


@dataclass
class VersionRow:
    """A version as the policy screen lists it."""

    version: PolicyVersion
    state: str
    author: Person | None
    request: AdminAction | None = None

    @property
    def state_label(self) -> str:
        return states.POLICY_VERSION_LABELS[self.state]

    @property
    def state_tone(self) -> str:
        return states.POLICY_VERSION_TONES[self.state]

    @property
    def window(self) -> str:
        return window_words(self.version.effective_from, self.version.effective_to)

    @property
    def is_draft(self) -> bool:
        return self.state == "draft"


def _authors(session, ids) -> dict[str, Person]:
    return people_by_id(session, ids)


def _ordered_versions(session, policy_id: str) -> list[PolicyVersion]:
    return list(
        session.scalars(
            select(PolicyVersion)
            .where(
                PolicyVersion.shopping_mall_policy_id == policy_id,
                PolicyVersion.deleted_at.is_(None),
            )
            .order_by(
                PolicyVersion.effective_from.desc(),
                PolicyVersion.created_at.desc(),
                PolicyVersion.id,
            )
        )
    )


def policy_history(session, policy: Policy, version_ids, *, limit: int = 30):
    """The audit events of a policy and of its versions, newest first."""
    return audit.entries(
        session,
        or_(
            and_(AuditEvent.entity_table == POLICIES, AuditEvent.entity_id == policy.id),
            and_(AuditEvent.entity_table == VERSIONS, AuditEvent.entity_id.in_(list(version_ids))),
        ),
        limit=limit,
    )


def policy_versions(session, policy_id: str, *, now: datetime | None = None) -> list[VersionRow]:
    """Every version of a policy, latest window first, with its state and author."""
    now = _now(now)
    found = _ordered_versions(session, policy_id)
    requests = open_requests(session, [v.id for v in found])
    authors = _authors(session, [v.author_user_id for v in found])
    return [
        VersionRow(v, version_state(v, requests.get(v.id), now), authors.get(v.author_user_id),
                   requests.get(v.id))
        for v in found
    ]  # fmt: skip


def version_row(session, version: PolicyVersion, *, now: datetime | None = None) -> VersionRow:
    request = open_requests(session, [version.id]).get(version.id)
    author = _authors(session, [version.author_user_id]).get(version.author_user_id)
    return VersionRow(version, version_state(version, request, _now(now)), author, request)


@dataclass
class PolicyRow:
    """A policy as the list shows it: the version in force now and a draft waiting, if any."""

    policy: Policy
    current: PolicyVersion | None = None
    pending: VersionRow | None = None

    @property
    def status_label(self) -> str:
        return states.POLICY_STATUS_LABELS.get(self.policy.status) or states.in_words(
            self.policy.status
        )


POLICY_SORTS = (
    SortKey("title", "Title", Policy.title),
    SortKey("category", "Category", Policy.category),
    SortKey("updated", "Updated", Policy.updated_at, kind=datetime),
)
POLICY_ID = Policy.id


def _policies_statement(filters: dict):
    statement = select(Policy).where(Policy.deleted_at.is_(None))
    text = (filters.get("q") or "").strip().lower()[:SEARCH_MAX]
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                func.lower(Policy.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(Policy.code).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if filters.get("category"):
        statement = statement.where(Policy.category == filters["category"])
    if filters.get("status"):
        statement = statement.where(Policy.status == filters["status"])
    return statement


def policy_page(session, filters, ordering, *, cursor, limit, now: datetime | None = None):
    """One page of policies with, for each, the version in force now and its pending draft."""
    now = _now(now)
    page = keyset_page(session, _policies_statement(filters), ordering, cursor=cursor, limit=limit)
    ids = [p.id for p in page.rows]
    rows = {p.id: PolicyRow(p) for p in page.rows}
    if ids:
        current = session.scalars(
            select(PolicyVersion).where(
                PolicyVersion.shopping_mall_policy_id.in_(ids),
                PolicyVersion.approved.is_(True),
                PolicyVersion.deleted_at.is_(None),
                PolicyVersion.effective_from <= now,
                or_(PolicyVersion.effective_to.is_(None), PolicyVersion.effective_to > now),
            )
        ).all()
        for version in current:
            rows[version.shopping_mall_policy_id].current = version
        drafts = session.scalars(
            select(PolicyVersion)
            .where(
                PolicyVersion.shopping_mall_policy_id.in_(ids),
                PolicyVersion.approved.is_(False),
                PolicyVersion.deleted_at.is_(None),
            )
            .order_by(PolicyVersion.created_at.desc(), PolicyVersion.id)
        ).all()
        requests = open_requests(session, [d.id for d in drafts])
        for draft in drafts:
            row = rows[draft.shopping_mall_policy_id]
            request = requests.get(draft.id)
            # A draft waiting for approval outranks one still being written.
            if row.pending is None or (request is not None and row.pending.request is None):
                row.pending = VersionRow(draft, version_state(draft, request, now), None, request)
    page.rows = [rows[i] for i in ids]
    return page


def count_policies(session, filters):
    return capped_count(session, _policies_statement(filters).with_only_columns(Policy.id))


def categories(session) -> list[str]:
    return list(
        session.scalars(
            select(Policy.category)
            .where(Policy.deleted_at.is_(None))
            .distinct()
            .order_by(Policy.category)
        )
    )


# --- writing policies ------------------------------------------------------------------------

POLICY_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
TITLE_MAX, DESCRIPTION_MAX = 200, 2000
POLICY_LABELS = {
    "code": "Code",
    "title": "Title",
    "category": "Category",
    "description": "Description",
}


def category_words(category: str | None) -> str:
    """``seller_fees`` → ``Seller fees`` (as the list and the policy screen show it)."""
    return (category or "").replace("_", " ").capitalize()


def clean_policy(values: dict) -> dict:
    """A policy's title, category and description, checked and normalized (a category typed
    as words, "Seller fees", is kept as ``seller_fees`` like the existing ones); 422 with a
    message per field otherwise."""
    errors: dict[str, list[str]] = {}
    title = " ".join((values.get("title") or "").split())
    if not title:
        errors["title"] = ["Give the policy a title people will recognise."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Keep the title under {TITLE_MAX} characters."]
    elif has_bidi_controls(title):
        errors["title"] = [BIDI_REFUSAL]
    category = "_".join((values.get("category") or "").strip().lower().split())
    if not category:
        errors["category"] = ["Choose a category, or type a new one."]
    elif not CATEGORY.match(category):
        errors["category"] = [
            "Write the category in a few words of letters and digits (like returns or "
            "seller fees), under 50 characters."
        ]
    description = (values.get("description") or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"Keep the description under {DESCRIPTION_MAX:,} characters."]
    if errors:
        raise ValidationError("Some values of the policy are not valid.", field_errors=errors)
    return {"title": title, "category": category, "description": description}


def _clean_policy_code(session, code: str) -> str:
    code = (code or "").strip()
    if not POLICY_CODE.match(code):
        message = (
            "Use lower-case letters, digits, dots, dashes or underscores, starting with a "
            "letter or digit (like seller_fees), at most 80 characters."
        )
        raise ValidationError(message, field_errors={"code": [message]})
    if code == "new":  # /admin/policies/new is the form for a new policy
        message = "“new” names the new-policy form: choose another code."
        raise ValidationError(message, field_errors={"code": [message]})
    # The code is unique over every row, removed ones too: say which holds it.
    taken = session.execute(select(Policy.deleted_at).where(Policy.code == code)).first()
    if taken is not None:
        message = (
            "A removed policy still holds this code: choose another."
            if taken.deleted_at is not None
            else "Another policy already has this code."
        )
        raise ValidationError(message, field_errors={"code": [message]})
    return code


def create_policy(session, values: dict, *, code: str, actor) -> Policy:
    """A new policy, not yet in force (``draft``) until a version of it is approved; its first
    audit event holds every field."""
    errors = {}
    try:
        code = _clean_policy_code(session, code)
    except ValidationError as error:
        errors.update(error.field_errors)
    try:
        cleaned = clean_policy(values)
    except ValidationError as error:
        errors.update(error.field_errors)
    if errors:
        raise ValidationError("Some values of the policy are not valid.", field_errors=errors)
    policy = Policy(code=code, status=states.POLICY_STATUSES[0], **cleaned)
    try:
        with session.begin_nested():  # a policy created with this code meanwhile refuses this one
            session.add(policy)
            session.flush()
    except IntegrityError:
        message = "Another policy was just created with this code."
        raise ValidationError(message, field_errors={"code": [message]}) from None
    audit.record(
        session,
        actor=actor,
        entity_table=POLICIES,
        entity_id=policy.id,
        action="policy.created",
        summary=f"Created the policy {policy.title} ({code})",
        after={"code": code, **cleaned, "status": policy.status, "version": policy.version},
    )
    return policy


def edit_policy(session, code: str, values: dict, *, expected_version: int, actor):
    """Change a policy's title, category and description (409 with what changed when
    ``expected_version`` is stale); the audit event, or None when nothing changed."""
    policy = get_policy(session, code)
    policy = versions.lock(session, Policy, policy.id, what="policy")
    cleaned = clean_policy(values)
    event = versions.apply_edit(
        session,
        policy,
        expected_version=expected_version,
        changes=cleaned,
        actor=actor,
        entity_table=POLICIES,
        action="policy.updated",
        summary=f"Changed the policy {cleaned['title']} ({policy.code})",
        labels=POLICY_LABELS,
    )
    if event is not None:
        policy.updated_at = utcnow()
    return event


# --- writing drafts --------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftInput:
    """A draft's fields as checked: the label, its window (midnight UTC) and its text."""

    label: str
    effective_from: datetime
    effective_to: datetime | None
    change_notes: str | None
    content: str

    def as_changes(self) -> dict:
        return {
            "version": self.label,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "change_notes": self.change_notes,
            "content": self.content,
        }


def _first_allowed_day(now: datetime) -> date:
    return now.astimezone(UTC).date() + timedelta(days=1)


def check_draft(
    *, label, effective_from, effective_to, change_notes, content, now: datetime | None = None
) -> DraftInput:
    """The draft's fields, or a 422 naming every field that is wrong."""
    now = _now(now)
    errors: dict[str, list[str]] = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    label = (label or "").strip()
    if not label:
        fail("label", "Give the version a label, e.g. 4.0.")
    elif len(label) > LABEL_MAX:
        fail("label", f"Keep the label under {LABEL_MAX} characters.")
    start = end = None
    try:
        start = parse_day(effective_from, field_name="effective_from",
                          what="first day in force", required=True)  # fmt: skip
    except ValidationError as error:
        errors.update(error.field_errors)
    try:
        end = parse_day(effective_to, field_name="effective_to",
                        what="day it stops being in force", required=False)  # fmt: skip
    except ValidationError as error:
        errors.update(error.field_errors)
    first = _first_allowed_day(now)
    if start is not None and start < first:
        fail(
            "effective_from",
            f"Choose {day_words(first)} or later: a version cannot come into force in the past "
            "or later today.",
        )
    if start is not None and end is not None and end <= start:
        fail("effective_to", "It must stop after its first day in force.")
    notes = (change_notes or "").strip() or None
    if notes and len(notes) > NOTES_MAX:
        fail("change_notes", f"Keep the change notes under {NOTES_MAX:,} characters.")
    content = (content or "").replace("\r\n", "\n").strip("\n")
    if not content.strip():
        fail("content", "Write the terms of this version.")
    elif len(content) > CONTENT_MAX:
        fail("content", f"Keep the terms under {CONTENT_MAX:,} characters.")
    if errors:
        raise ValidationError("Check the fields marked below.", field_errors=errors)
    return DraftInput(label, day_start(start), day_start(end) if end else None, notes, content)


def _label_taken(session, policy_id: str, label: str, *, other_than: str | None = None) -> bool:
    statement = select(PolicyVersion.id).where(
        PolicyVersion.shopping_mall_policy_id == policy_id,
        func.lower(PolicyVersion.version) == func.lower(label),
    )
    if other_than:
        statement = statement.where(PolicyVersion.id != other_than)
    return session.scalar(statement.limit(1)) is not None


def _label_refused(label: str) -> ValidationError:
    message = f"This policy already has a version labelled {label}. Choose another label."
    return ValidationError(message, field_errors={"label": [message]})


def _audit_view(values: dict) -> dict:
    """Before/after values as the audit trail keeps them: the label as ``label`` (``version``
    there is the row's edit version), days as ``YYYY-MM-DD`` and the terms by length."""
    shown = {}
    for name, value in values.items():
        if name == "version":
            shown["label"] = value
        elif name == "content":
            shown["content"] = f"{len(value or ''):,} characters" if value is not None else None
        elif name == "row_version":
            shown["version"] = value
        elif isinstance(value, datetime):
            shown[name] = value.date().isoformat()  # windows are whole days
        else:
            shown[name] = value
    return shown


def create_draft(session, policy: Policy, draft: DraftInput, *, actor) -> PolicyVersion:
    """A new draft version of ``policy`` written by ``actor``."""
    if _label_taken(session, policy.id, draft.label):
        raise _label_refused(draft.label)
    version = PolicyVersion(
        shopping_mall_policy_id=policy.id,
        approved=False,
        author_user_id=actor.id,
        row_version=1,
        **draft.as_changes(),
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()  # the id, for the audit event
    except IntegrityError:
        raise _label_refused(draft.label) from None
    audit.record(
        session,
        actor=actor,
        entity_table=VERSIONS,
        entity_id=version.id,
        action="policy_version.drafted",
        summary=f"Drafted version {draft.label} of {policy.title}",
        before={},
        after=_audit_view(
            {k: v for k, v in {**draft.as_changes(), "row_version": 1}.items() if v is not None}
        ),
    )
    return version


def _refuse_unless_editable(session, version: PolicyVersion, actor) -> None:
    if version.approved:
        raise Conflict(
            "This version is approved and cannot be changed. Write a new draft version instead."
        )
    if version.author_user_id is not None and version.author_user_id != actor.id:
        raise Forbidden(
            "Only the author of a draft edits and submits it, so that someone else approves it. "
            "Write a draft version of your own instead."
        )
    request = open_requests(session, [version.id]).get(version.id)
    if request is not None:
        raise Conflict(
            "This draft is waiting for approval. Withdraw the request from your approvals "
            "before you change it."
        )


def edit_draft(
    session, version_id: str, draft: DraftInput, *, expected_version: int, actor
) -> PolicyVersion:
    """Change a draft (its author only); a stale copy is refused (409, with what changed)."""
    current = get_version(session, version_id)
    policy = versions.lock(session, Policy, current.shopping_mall_policy_id, what="policy")
    version = versions.lock(session, PolicyVersion, version_id, what="policy version")
    _refuse_unless_editable(session, version, actor)
    if version.row_version != expected_version:
        raise versions.StaleRecord(
            "Someone else changed this draft after you opened it. Your input is kept below; "
            "check what changed, then save again to apply it.",
            current_version=version.row_version,
            changes=versions.changes_since(
                session, VERSIONS, version.id, expected_version, FIELD_LABELS
            ),
        )
    if _label_taken(session, policy.id, draft.label, other_than=version.id):
        raise _label_refused(draft.label)
    before, after = {}, {}
    for name, value in draft.as_changes().items():
        if getattr(version, name) != value:
            before[name], after[name] = getattr(version, name), value
    if not after:
        return version
    for name, value in after.items():
        setattr(version, name, value)
    before["row_version"], after["row_version"] = version.row_version, version.row_version + 1
    version.row_version += 1
    version.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity_table=VERSIONS,
        entity_id=version.id,
        action="policy_version.edited",
        summary=f"Edited draft {version.version} of {policy.title}",
        before=_audit_view(before),
        after=_audit_view(after),
    )
    return version


# --- windows and approval --------------------------------------------------------------------


def _approved(session, policy_id: str, *, lock: bool = False) -> list[PolicyVersion]:
    statement = (
        select(PolicyVersion)
        .where(
            PolicyVersion.shopping_mall_policy_id == policy_id,
            PolicyVersion.approved.is_(True),
            PolicyVersion.deleted_at.is_(None),
        )
        .order_by(PolicyVersion.effective_from)
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(statement))


def superseded_by(session, version: PolicyVersion, *, lock: bool = False) -> PolicyVersion | None:
    """The approved version whose window ``version`` would close, or None; refuses (409) a
    window that overlaps an approved one any other way."""
    predecessor = None
    for other in _approved(session, version.shopping_mall_policy_id, lock=lock):
        if other.id == version.id:
            continue
        if other.effective_to is None and other.effective_from < version.effective_from:
            predecessor = other  # its open-ended window will end where this one starts
            continue
        if _overlaps(version.effective_from, version.effective_to,
                     other.effective_from, other.effective_to):  # fmt: skip
            mine = window_words(version.effective_from, version.effective_to, opening="from")
            theirs = window_words(other.effective_from, other.effective_to, opening="from")
            raise Conflict(
                f"Its window ({mine}) overlaps approved version {other.version} ({theirs}). "
                "Change the dates of this draft so the windows do not overlap."
            )
    return predecessor


def _refuse_past(version: PolicyVersion, now: datetime) -> None:
    if version.effective_from <= now:
        raise Conflict(
            f"This version was to come into force on {day_words(version.effective_from)}, which "
            "has passed: what was in force then cannot change now. The author should set a "
            "later first day and submit it again."
        )


def approval_payload(
    policy: Policy, version: PolicyVersion, predecessor: PolicyVersion | None
) -> dict:
    """The change an ``approve_policy_version`` request asks for, as the inbox shows it and
    the executor reads it (the policy, the version and the edit version it was based on)."""
    before = {"status": "draft", "window": None}
    after = {
        "status": "approved",
        "window": window_words(version.effective_from, version.effective_to),
    }
    labels = {
        "status": f"{policy.title}, version {version.version}",
        "window": "In force",
    }
    if predecessor is not None:
        before["supersedes"] = (
            f"{predecessor.version}: "
            f"{window_words(predecessor.effective_from, predecessor.effective_to)}"
        )
        after["supersedes"] = (
            f"{predecessor.version}: "
            f"{window_words(predecessor.effective_from, version.effective_from)}"
        )
        labels["supersedes"] = "Version it replaces"
    return {
        "policy_id": policy.id,
        "version_id": version.id,
        "row_version": version.row_version,
        "before": before,
        "after": after,
        "labels": labels,
    }


def submit(
    session, version_id: str, justification: str, *, actor, now: datetime | None = None
) -> approvals.Requested:
    """Ask a second admin to approve a draft (its author only); refused when its window
    starts in the past or overlaps an approved version."""
    now = _now(now)
    current = get_version(session, version_id)
    policy = versions.lock(session, Policy, current.shopping_mall_policy_id, what="policy")
    version = versions.lock(session, PolicyVersion, version_id, what="policy version")
    _refuse_unless_editable(session, version, actor)
    states.check_move(MACHINE, version_state(version, None, now), "awaiting_approval")
    _refuse_past(version, now)
    predecessor = superseded_by(session, version)
    requested = approvals.request_approval(
        session,
        ACTION,
        VERSIONS,
        version.id,
        approval_payload(policy, version, predecessor),
        justification,
        actor=actor,
        now=now,
    )
    if requested.created:
        audit.record(
            session,
            actor=actor,
            entity_table=VERSIONS,
            entity_id=version.id,
            action="policy_version.submitted",
            summary=f"Submitted version {version.version} of {policy.title} for approval",
            reason=requested.action.justification,
            before={"state": states.POLICY_VERSION_LABELS["draft"]},
            after={"state": states.POLICY_VERSION_LABELS["awaiting_approval"]},
            admin_action=requested.action,
        )
    return requested


def carry_out(session, action: AdminAction, *, actor) -> str:
    """Bring an approved version into force: lock the policy, check again, close the window it
    supersedes, mark it approved."""
    payload = action.payload or {}
    policy_id, version_id = payload.get("policy_id"), payload.get("version_id")
    if not policy_id or not version_id or not is_id(version_id):
        raise Conflict("This request does not say which policy version to approve.")
    policy = versions.lock(session, Policy, policy_id, what="policy")
    version = versions.lock(session, PolicyVersion, version_id, what="policy version")
    if version.shopping_mall_policy_id != policy.id:
        raise Conflict("This request names a version of another policy.")
    if version.approved:  # the table refuses it too; this says it in the screens' words
        raise InvalidTransition(f"Version {version.version} of {policy.title} is already approved.")
    now = utcnow()
    # Approved, a version is scheduled: its first day is ahead (``_refuse_past`` below).
    states.check_move(MACHINE, version_state(version, action, now), "scheduled")
    if version.author_user_id == actor.id:
        raise Forbidden("You wrote this version, so someone else must approve it.")
    if version.row_version != payload.get("row_version"):
        raise Conflict("The draft changed after approval was asked for. Reject this request.")
    _refuse_past(version, now)
    predecessor = superseded_by(session, version, lock=True)
    if predecessor is not None:
        predecessor.effective_to = version.effective_from
        predecessor.updated_at = now
        # The unique index on open-ended approved versions checks this before the next write.
        session.flush()
        audit.record(
            session,
            actor=actor,
            entity_table=VERSIONS,
            entity_id=predecessor.id,
            action="policy_version.superseded",
            summary=f"Version {predecessor.version} of {policy.title} ends on "
            f"{day_words(version.effective_from)}: superseded by {version.version}",
            reason=action.justification,
            before={"effective_to": None},
            after={"effective_to": version.effective_from.date().isoformat()},
            admin_action=action,
        )
    version.approved = True
    version.row_version += 1
    version.updated_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_table=VERSIONS,
        entity_id=version.id,
        action="policy_version.approved",
        summary=f"Approved version {version.version} of {policy.title}",
        reason=action.justification,
        before={"approved": False, "version": version.row_version - 1},
        after={"approved": True, "version": version.row_version},
        admin_action=action,
    )
    if policy.status == "draft":
        policy.status = "active"
        policy.version += 1
        policy.updated_at = now
        audit.record(
            session,
            actor=actor,
            entity_table=POLICIES,
            entity_id=policy.id,
            action="policy.activated",
            summary=f"{policy.title} has its first approved version",
            before={"status": "draft"},
            after={"status": "active", "version": policy.version},
            admin_action=action,
        )
    window = window_words(version.effective_from, version.effective_to, opening="from")
    return f"Version {version.version} of {policy.title} is in force {window}"


def target_labels(session, ids) -> dict[str, str]:
    rows = session.execute(
        select(PolicyVersion.id, PolicyVersion.version, Policy.title)
        .join(Policy, Policy.id == PolicyVersion.shopping_mall_policy_id)
        .where(PolicyVersion.id.in_(ids))
    ).all()
    return {i: f"{title}, version {label}" for i, label, title in rows}


# --- comparing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDifference:
    """One detail of two versions (words, or a day the screen writes in the reader's locale)."""

    label: str
    left: str | date
    right: str | date

    @property
    def changed(self) -> bool:
        return self.left != self.right


@dataclass(frozen=True)
class DiffLine:
    """One row of the side-by-side view: ``same``, ``changed``, ``removed`` or ``added``."""

    kind: str
    left_number: int | None
    left: str | None
    right_number: int | None
    right: str | None


@dataclass(frozen=True)
class Comparison:
    left: VersionRow
    right: VersionRow
    fields: list[FieldDifference]
    lines: list[DiffLine]

    @property
    def counts(self) -> dict[str, int]:
        counted = {"changed": 0, "removed": 0, "added": 0}
        for line in self.lines:
            if line.kind in counted:
                counted[line.kind] += 1
        return counted


def content_diff(left: str | None, right: str | None) -> list[DiffLine]:
    """A line diff of two texts, side by side (difflib's matching blocks)."""
    a, b = (left or "").splitlines(), (right or "").splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", i + 1, a[i], j + 1, b[j])
                         for i, j in zip(range(i1, i2), range(j1, j2), strict=True))  # fmt: skip
        elif tag == "delete":
            lines.extend(DiffLine("removed", i + 1, a[i], None, None) for i in range(i1, i2))
        elif tag == "insert":
            lines.extend(DiffLine("added", None, None, j + 1, b[j]) for j in range(j1, j2))
        else:
            for i, j in itertools.zip_longest(range(i1, i2), range(j1, j2)):
                kind = (
                    "changed"
                    if i is not None and j is not None
                    else ("removed" if j is None else "added")
                )
                lines.append(DiffLine(
                    kind,
                    None if i is None else i + 1, None if i is None else a[i],
                    None if j is None else j + 1, None if j is None else b[j],
                ))  # fmt: skip
    return lines


def compare(session, left_id: str, right_id: str, *, now: datetime | None = None) -> Comparison:
    """Two versions of one policy side by side: their fields and a line diff of their terms."""
    left, right = get_version(session, left_id), get_version(session, right_id)
    if left.shopping_mall_policy_id != right.shopping_mall_policy_id:
        raise ValidationError("Choose two versions of the same policy.")
    left_row, right_row = version_row(session, left, now=now), version_row(session, right, now=now)

    def words(row: VersionRow) -> dict:
        v = row.version
        return {
            "Version": v.version,
            "State": row.state_label,
            "In force from": v.effective_from.date(),
            "In force until": v.effective_to.date() if v.effective_to else "open-ended",
            "Change notes": v.change_notes or "None",
            "Author": row.author or "Not recorded",
        }

    a, b = words(left_row), words(right_row)
    fields = [FieldDifference(label, a[label], b[label]) for label in a]
    return Comparison(left_row, right_row, fields, content_diff(left.content, right.content))
