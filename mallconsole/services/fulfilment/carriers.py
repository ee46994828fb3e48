"""Carriers: the registry shipments name, kept by operations.

A carrier has a code (unique, lower case: integrations name it), a name, an optional phone and
an optional tracking address template holding ``{tracking_number}`` (``check_template``: http
or https, the number in the path or query, no other placeholder). Deactivating it (``active``
false) keeps the carrier and its history: its shipments keep it, the lists show it as inactive,
and it takes no new shipment (``for_new_shipment``, which whatever assigns a carrier calls).
``deleted_at`` is for a carrier entered by mistake: only one that no shipment names can be
deleted. Edits name the version they were based on (a stale write is a 409 with what changed).

``tracking_link`` is the one builder of tracking links, on every screen: the template with the
tracking number URL-quoted, else the shipment's stored address, and http(s) only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import Conflict, NotFound, ValidationError
from mallconsole.core.text import BIDI_REFUSAL, LIKE_ESCAPE, has_bidi_controls, is_id, like_pattern
from mallconsole.models import Carrier, ReturnShipment, Shipment, utcnow
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import QueueCount, SortKey, capped_count, keyset_page

TABLE = Carrier.__tablename__
PLACEHOLDER = "{tracking_number}"
# The placeholder the demo world wrote before revision 0016.
OLD_PLACEHOLDER = "{tracking}"
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,38}")
NAME_MAX = 100
TEMPLATE_MAX = 2000
# Characters a URL never holds as they are (RFC 3986): they would have to be percent-encoded.
UNSAFE_IN_ADDRESSES = '"<>\\^`|'
REASON_MAX = 500
# A tracking number the carrier screen shows its template with.
EXAMPLE_TRACKING_NUMBER = "1Z999AA10123456784"
LABELS = {
    "code": "Code",
    "name": "Name",
    "tracking_url_template": "Tracking address",
    "phone": "Phone",
    "active": "Active",
    "deleted_at": "Deleted",
}
CARRIER_SORTS = (
    SortKey("name", "Name", Carrier.name),
    SortKey("code", "Code", Carrier.code),
    SortKey("updated", "Last changed", Carrier.updated_at, kind=datetime),
)
CARRIER_ID = Carrier.id
# The list's state filter: (value, words).
# Shipments not delivered or returned yet.
ON_THEIR_WAY = states.SHIPMENT_MOVING_STATES + states.SHIPMENT_EXCEPTION_STATES
STATE_CHOICES = {"": "Active and inactive", "active": "Active", "inactive": "Inactive"}


# --- tracking links ------------------------------------------------------------------------------


def safe_link(url: str | None) -> str | None:
    """A tracking address fit for an ``href``: http(s) only (never ``javascript:``)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def tracking_link(
    template: str | None, tracking_number: str | None, stored_url: str | None = None
) -> str | None:
    """The tracking link of a shipment: its carrier's ``template`` with ``tracking_number``
    URL-quoted in place of ``{tracking_number}`` (``&``, ``"``, ``<``, ``/`` and spaces are
    percent-encoded, so the number can add nothing to the address), else the shipment's own
    ``stored_url``; None when neither gives an http(s) address."""
    number = (tracking_number or "").strip()
    if template and number and PLACEHOLDER in template:
        return safe_link(template.replace(PLACEHOLDER, quote(number, safe="")))
    return safe_link(stored_url)


def tracking_site(template: str | None) -> str | None:
    """The site a template's links go to (``www.ups.com``), for lists."""
    try:
        return urlsplit(template or "").hostname
    except ValueError:
        return None


def template_problem(text: str) -> str | None:
    """Why ``text`` is not a tracking address template, in a sentence; None when it is one."""
    if len(text) > TEMPLATE_MAX:
        return f"Keep the address under {TEMPLATE_MAX:,} characters."
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text) or has_bidi_controls(text):
        return "A web address has no spaces or invisible characters."
    unsafe = sorted(set(text) & set(UNSAFE_IN_ADDRESSES))
    if unsafe:
        return f"A web address has no {' '.join(unsafe)} in it: copy it again from the carrier."
    if PLACEHOLDER not in text:
        if OLD_PLACEHOLDER in text:
            return f"Write {PLACEHOLDER} instead of {OLD_PLACEHOLDER}."
        return (
            f"Put {PLACEHOLDER} where the tracking number goes, e.g. "
            f"https://carrier.example/track?number={PLACEHOLDER}."
        )
    others = re.findall(r"\{[^{}]*\}?", text.replace(PLACEHOLDER, ""))
    if others or "}" in text.replace(PLACEHOLDER, ""):
        shown = others[0] if others else "}"
        return f"Only {PLACEHOLDER} is filled in: remove {shown}."
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return "This is not a web address: check it against the carrier's tracking page."
    if parts.scheme.lower() not in ("http", "https") or not host:
        return "Start with https:// (or http://) and the carrier's site."
    if PLACEHOLDER in parts.netloc:
        return "The tracking number goes in the address's path or query, not in the site's name."
    if parts.username or parts.password:
        return "A tracking address has no user name or password in it."
    return None


def check_template(raw: str | None) -> str | None:
    """The template as it is kept (None when left empty); 422 on the field with why not."""
    text = (raw or "").strip()
    if not text:
        return None
    problem = template_problem(text)
    if problem:
        raise ValidationError(problem, field_errors={"tracking_url_template": [problem]})
    return text


# --- reading -------------------------------------------------------------------------------------


def _statement(filters: dict):
    statement = select(Carrier).where(Carrier.deleted_at.is_(None))
    words = (filters.get("q") or "").strip().lower()
    if words:
        pattern = like_pattern(words)
        statement = statement.where(
            or_(
                func.lower(Carrier.name).like(pattern, escape=LIKE_ESCAPE),
                func.lower(Carrier.code).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if filters.get("state") == "active":
        statement = statement.where(Carrier.active.is_(True))
    elif filters.get("state") == "inactive":
        statement = statement.where(Carrier.active.is_(False))
    return statement


def carrier_page(session, filters: dict, ordering, *, cursor, limit):
    """One page of the live carriers matching ``filters`` (``q``: name or code; ``state``)."""
    return keyset_page(session, _statement(filters), ordering, cursor=cursor, limit=limit)


def count_carriers(session, filters: dict) -> QueueCount:
    return capped_count(session, _statement(filters).with_only_columns(Carrier.id))


def get_carrier(session, carrier_id: str) -> Carrier:
    """A live carrier, or 404."""
    carrier = session.get(Carrier, carrier_id) if is_id(carrier_id) else None
    if carrier is None or carrier.deleted_at is not None:
        raise NotFound("There is no such carrier (any more).")
    return carrier


def choices(session, *, active_only: bool = False) -> list[tuple[str, str]]:
    """(id, words) of the live carriers by name, the inactive ones said so (or left out)."""
    statement = select(Carrier).where(Carrier.deleted_at.is_(None)).order_by(Carrier.name)
    if active_only:
        statement = statement.where(Carrier.active.is_(True))
    return [
        (c.id, c.name if c.active else f"{c.name} (inactive)") for c in session.scalars(statement)
    ]


def for_new_shipment(session, carrier_id: str | None) -> Carrier:
    """The carrier a new shipment (or one not yet picked up) may be given: live and active.
    Refused (422, on the field ``carrier``) otherwise: an inactive carrier takes no new
    shipment."""
    carrier = session.get(Carrier, carrier_id) if is_id(carrier_id) else None
    if carrier is None or carrier.deleted_at is not None:
        message = "Choose a carrier from the list."
        raise ValidationError(message, field_errors={"carrier": [message]})
    if not carrier.active:
        message = f"{carrier.name} is inactive: it takes no new shipments. Choose another carrier."
        raise ValidationError(message, field_errors={"carrier": [message]})
    return carrier


def _used(session, carrier_id: str) -> bool:
    """Whether a shipment or a return parcel names the carrier (its history)."""
    for model in (Shipment, ReturnShipment):
        found = session.scalar(
            select(model.id).where(model.shopping_mall_carrier_id == carrier_id).limit(1)
        )
        if found is not None:
            return True
    return False


@dataclass(frozen=True)
class CarrierView:
    """A carrier's screen: the carrier, its shipments counted, an example link, its history."""

    carrier: Carrier
    shipments: QueueCount
    on_their_way: QueueCount
    example_link: str | None
    deletable: bool
    history: list


def load(session, carrier_id: str) -> CarrierView:
    """Everything the carrier's screen shows."""
    carrier = get_carrier(session, carrier_id)
    mine = select(Shipment.id).where(
        Shipment.shopping_mall_carrier_id == carrier.id, Shipment.deleted_at.is_(None)
    )
    return CarrierView(
        carrier=carrier,
        shipments=capped_count(session, mine),
        on_their_way=capped_count(
            session,
            mine.where(
                Shipment.status.in_(
                    states.SHIPMENT_MOVING_STATES + states.SHIPMENT_EXCEPTION_STATES
                )
            ),
        ),
        example_link=tracking_link(carrier.tracking_url_template, EXAMPLE_TRACKING_NUMBER),
        deletable=not _used(session, carrier.id),
        history=audit.history(session, TABLE, carrier.id),
    )


# --- writing -------------------------------------------------------------------------------------


def _validated(session, *, code, name, template, phone, excluding: str | None = None) -> dict:
    """The cleaned fields, or a 422 with a message per field."""
    code = (code or "").strip().lower()
    name = (name or "").strip()
    phone = (phone or "").strip() or None
    errors: dict[str, list[str]] = {}
    if not CODE.fullmatch(code):
        errors["code"] = [
            "Use 1 to 32 lower-case letters, digits, - or _, like ups or dhl-express."
        ]
    else:
        taken = session.scalar(
            select(Carrier).where(Carrier.code == code, Carrier.id != (excluding or ""))
        )
        if taken is not None:
            errors["code"] = [
                f"{taken.name} has this code already."
                if taken.deleted_at is None
                else "A carrier deleted earlier keeps this code: choose another one."
            ]
    if not name:
        errors["name"] = ["Give the carrier the name staff and customers know it by."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Keep the name under {NAME_MAX} characters."]
    elif has_bidi_controls(name):
        errors["name"] = [BIDI_REFUSAL]
    elif session.scalar(
        select(Carrier.id).where(
            func.lower(Carrier.name) == func.lower(name),
            Carrier.deleted_at.is_(None),
            Carrier.id != (excluding or ""),
        )
    ):
        errors["name"] = ["Another carrier has this name. Choose another one."]
    if phone is not None and not PHONE.fullmatch(phone):
        errors["phone"] = ["Enter a phone number: digits, spaces, +, -, ( and ) only."]
    try:
        template = check_template(template)
    except ValidationError as refused:
        errors.update(refused.field_errors)
    if errors:
        raise ValidationError(
            "The carrier was not saved: check the fields marked.", field_errors=errors
        )
    return {"code": code, "name": name, "tracking_url_template": template, "phone": phone}


def create_carrier(session, *, code, name, template, phone, actor) -> Carrier:
    """Add a carrier (active: it takes new shipments at once)."""
    fields = _validated(session, code=code, name=name, template=template, phone=phone)
    carrier = Carrier(**fields, active=True)
    session.add(carrier)
    session.flush()  # the carrier's id, for the audit row
    audit.record(
        session, actor=actor, entity_table=TABLE, entity_id=carrier.id,
        action="carrier.created", summary=f"Carrier {carrier.name} added",
        after={**fields, "active": True, "version": carrier.version},
    )  # fmt: skip
    return carrier


def _locked(session, carrier_id: str) -> Carrier:
    if not is_id(carrier_id):
        raise NotFound("There is no such carrier (any more).")
    return versions.lock(session, Carrier, carrier_id, what="carrier")


def edit_carrier(
    session, carrier_id: str, *, code, name, template, phone, expected_version: int, actor
) -> Carrier:
    """Change a carrier's code, name, tracking address or phone; 409 if changed since."""
    carrier = _locked(session, carrier_id)
    versions.check_version(session, carrier, expected_version, entity_table=TABLE, labels=LABELS)
    fields = _validated(
        session, code=code, name=name, template=template, phone=phone, excluding=carrier.id
    )
    versions.apply_edit(
        session, carrier, expected_version=expected_version, changes=fields, actor=actor,
        entity_table=TABLE, action="carrier.edited", summary=f"Carrier {fields['name']} edited",
        labels=LABELS,
    )  # fmt: skip
    session.flush()
    return carrier


def _reason(raw, *, required: bool) -> str | None:
    reason = (raw or "").strip() or None
    if reason is None and required:
        message = "Say why, in a sentence: it is kept in the carrier's history."
        raise ValidationError(message, field_errors={"reason": [message]})
    if reason is not None and len(reason) > REASON_MAX:
        message = f"Keep the reason under {REASON_MAX} characters."
        raise ValidationError(message, field_errors={"reason": [message]})
    return reason


@dataclass(frozen=True)
class Changed:
    carrier: Carrier
    message: str


def set_active(
    session, carrier_id: str, active: bool, *, reason, expected_version: int, actor
) -> Changed:
    """Deactivate (with a reason: no new shipments, history kept) or reactivate a carrier."""
    reason = _reason(reason, required=not active)
    carrier = _locked(session, carrier_id)
    versions.check_version(session, carrier, expected_version, entity_table=TABLE, labels=LABELS)
    if carrier.active == active:
        raise Conflict(
            f"{carrier.name} is {'active' if active else 'inactive'} already: nothing changed."
        )
    words = "reactivated" if active else "deactivated"
    versions.apply_edit(
        session, carrier, expected_version=expected_version, changes={"active": active},
        actor=actor, entity_table=TABLE, action=f"carrier.{words}",
        summary=f"Carrier {carrier.name} {words}", reason=reason, labels=LABELS,
    )  # fmt: skip
    session.flush()
    if active:
        return Changed(carrier, f"{carrier.name} is active again: it takes new shipments.")
    return Changed(
        carrier,
        f"{carrier.name} is inactive: it takes no new shipments; its shipments keep it.",
    )


def delete_carrier(
    session, carrier_id: str, *, reason, expected_version: int, actor, now=None
) -> Changed:
    """Delete a carrier entered by mistake; refused (409) once a shipment names it (deactivate
    it instead: its history stays)."""
    reason = _reason(reason, required=True)
    carrier = _locked(session, carrier_id)
    versions.check_version(session, carrier, expected_version, entity_table=TABLE, labels=LABELS)
    if _used(session, carrier.id):
        raise Conflict(
            f"{carrier.name} has shipments, so it stays in their history: deactivate it instead."
        )
    versions.apply_edit(
        session, carrier, expected_version=expected_version,
        changes={"deleted_at": now or utcnow(), "active": False}, actor=actor,
        entity_table=TABLE, action="carrier.deleted", summary=f"Carrier {carrier.name} deleted",
        reason=reason, labels=LABELS,
    )  # fmt: skip
    session.flush()
    return Changed(carrier, f"{carrier.name} is deleted.")
