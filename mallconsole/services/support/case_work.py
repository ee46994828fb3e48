"""Working one support case: its header, its timeline, and every change an agent makes to it.

Reads: ``case_header`` (the case with its customer, seller, order, shipment and assignee in
one query), ``timeline`` (events, notes and attachments merged in time order, one keyset page
of the union, then one query per kind of row whatever the page's length), ``raised_requests``
and ``canned_reply_choices``.

Changes take the session and the acting agent, lock the case row (``versions.lock``), write
their timeline event, move ``last_event_at`` and write an audit event; the request commits.
Changes of the case's own fields (status, priority, category, assignee) go through
``versions.apply_edit`` with the version the agent saw: a change based on a stale view is
refused (409) with what changed since. Replies and notes add to the case without editing it,
so they do not raise its version (another agent's open page stays current).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import exists, literal, or_, select, union_all, update
from sqlalchemy.orm import aliased

from mallconsole.core import states
from mallconsole.core.errors import DomainError, NotFound, ValidationError
from mallconsole.core.people import Person, display_name
from mallconsole.models import (
    CancellationRequest,
    CannedReply,
    Carrier,
    Order,
    OutboundMessage,
    RefundRequest,
    ReturnRequest,
    Shipment,
    SupportAgent,
    SupportAttachment,
    SupportCase,
    SupportCaseEvent,
    SupportNote,
    User,
    utcnow,
)
from mallconsole.services.delivery import outbox
from mallconsole.services.delivery.storage import get_storage, new_key
from mallconsole.services.fulfilment.carriers import tracking_link
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import (
    Cursor,
    CursorError,
    Ordering,
    SortKey,
    decode_cursor,
    keyset_page,
)
from mallconsole.services.support import canned_replies, case_queues

CASES = SupportCase.__tablename__
EVENTS = SupportCaseEvent.__tablename__
TIMELINE_PAGE = 30
# A poll or an action brings at most this many new entries at once (then the next poll more).
NEWS_LIMIT = 100
CASE_LABELS = {
    "status": "Status",
    "priority": "Priority",
    "category": "Category",
    "assigned_to_user_id": "Assignee",
    "closed_at": "Closed at",
}
EVENT_LABELS = {
    "created": "Case opened",
    "assigned": "Assignment",
    "customer_message": "Message from the customer",
    "agent_reply": "Reply to the customer",
    "note": "Internal note",
    states.CASE_EVENT_STATUS_CHANGED: "Status changed",
    "priority_changed": "Priority changed",
    "category_changed": "Category changed",
    "request_raised": "Request raised",
}
# Delivery of a reply (the outbox message's status) in the agent's words and tone.
DELIVERY = {
    "queued": ("Waiting to send", "info"),
    "sending": ("Waiting to send", "info"),
    "sent": ("Sent", "success"),
    "failed": ("Not delivered", "danger"),
}
MAX_BODY_CHARS = 20_000


def words(value: str | None) -> str:
    """A stored key as a person reads it ("on_hold" -> "On hold"); nothing -> "Not set"."""
    if not value:
        return states.NOT_SET
    return states.LABELS.get(value) or value.replace("_", " ").capitalize()


# --- the case and its header --------------------------------------------------------------------


@dataclass(frozen=True)
class CaseHeader:
    """A case with the records its header names (any of them may be missing)."""

    case: SupportCase
    customer: User | None
    seller: User | None
    order: Order | None
    shipment: Shipment | None
    assignee: User | None
    # The shipment's tracking link (``carriers.tracking_link``), when it has one.
    tracking_link: str | None = None

    @property
    def status_label(self) -> str:
        return states.label(states.SUPPORT_CASE_MACHINE, self.case.status)

    @property
    def is_open(self) -> bool:
        return self.case.status in states.SUPPORT_CASE_OPEN

    def sla(self, now: datetime | None = None) -> Sla | None:
        return case_sla(self.case, now or utcnow())

    @property
    def status_targets(self) -> tuple[str, ...]:
        return states.allowed_targets(states.SUPPORT_CASE_MACHINE, self.case.status)


@dataclass(frozen=True)
class Sla:
    """Time left (or overdue) against ``sla_due_at``, and how it should look."""

    due_at: datetime
    left: timedelta

    @property
    def breached(self) -> bool:
        return self.left <= timedelta(0)

    @property
    def words(self) -> str:
        """``2 h 5 min overdue``, ``12 days overdue``, ``35 min left``: as the case list says."""
        return case_queues.sla_words(self.left)

    @property
    def tone(self) -> str:
        if self.breached:
            return "danger"
        return "warning" if self.left < timedelta(hours=1) else "info"


def case_sla(case: SupportCase, now: datetime) -> Sla | None:
    """The SLA of an open case (a resolved or closed one has none left to meet)."""
    if case.sla_due_at is None or case.status not in states.SUPPORT_CASE_OPEN:
        return None
    return Sla(case.sla_due_at, case.sla_due_at - now)


def _case_lookup(case_ref: str):
    """A case by its id or by its number (``CAS-20261121-000042``)."""
    column = SupportCase.case_number if case_ref.startswith("CAS-") else SupportCase.id
    return column == case_ref


def get_case(session, case_ref: str) -> SupportCase:
    """The live case with that id or number; NotFound otherwise."""
    case = session.scalars(
        select(SupportCase).where(_case_lookup(case_ref), SupportCase.deleted_at.is_(None))
    ).one_or_none()
    if case is None:
        raise NotFound("There is no such support case.")
    return case


def case_header(session, case_ref: str) -> CaseHeader:
    """The case and the records its header links to, in one query."""
    customer, seller, assignee = aliased(User), aliased(User), aliased(User)
    row = session.execute(
        select(
            SupportCase, customer, seller, Order, Shipment, assignee, Carrier.tracking_url_template
        )
        .outerjoin(customer, customer.id == SupportCase.customer_user_id)
        .outerjoin(seller, seller.id == SupportCase.seller_user_id)
        .outerjoin(Order, Order.id == SupportCase.order_id)
        .outerjoin(Shipment, Shipment.id == SupportCase.shipment_id)
        .outerjoin(Carrier, Carrier.id == Shipment.shopping_mall_carrier_id)
        .outerjoin(assignee, assignee.id == SupportCase.assigned_to_user_id)
        .where(_case_lookup(case_ref), SupportCase.deleted_at.is_(None))
    ).one_or_none()
    if row is None:
        raise NotFound("There is no such support case.")
    *records, template = row
    shipment = records[4]
    link = (
        tracking_link(template, shipment.tracking_number, shipment.tracking_url)
        if shipment is not None
        else None
    )
    return CaseHeader(*records, tracking_link=link)


@dataclass(frozen=True)
class Agent:
    """A support agent a case can be assigned to."""

    id: str
    name: str


def support_agents(session) -> list[Agent]:
    """Active staff holding the support role, by name (the assignee choices)."""
    rows = session.execute(
        select(User.id, User.name, User.email)
        .join(SupportAgent, SupportAgent.shopping_mall_user_id == User.id)
        .where(SupportAgent.revoked_at.is_(None), User.status == "active")
        .distinct()
    )
    agents = [Agent(user_id, display_name(name, email)) for user_id, name, email in rows]
    return sorted(agents, key=lambda agent: (agent.name.casefold(), agent.id))


# --- the timeline -------------------------------------------------------------------------------


@dataclass
class AttachmentView:
    id: str
    file_name: str
    content_type: str
    file_size: int


@dataclass
class TimelineEntry:
    """One line of the case's story as the screen shows it."""

    kind: str  # event, note, attachment
    id: str
    at: datetime
    actor: Person | None  # None: the console itself
    type_label: str
    visibility: str  # public or internal
    body: str | None = None
    event_type: str | None = None
    change: tuple[str, str] | None = None  # (before, after) in words
    delivery: tuple[str, str] | None = None  # (label, tone) of a reply's email
    attachments: list[AttachmentView] = field(default_factory=list)

    @property
    def internal(self) -> bool:
        return self.visibility != "public"


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]  # oldest first
    earlier_cursor: str | None  # "Load earlier" when older entries exist
    newest_cursor: str | None  # what a poll sends to get only newer entries


def _entries_statement(case_id: str):
    """Every timeline entry of the case as (kind, id, at): events; notes that no ``note``
    event tells already (older data wrote notes alone); files attached to neither."""
    events = select(
        literal("event").label("kind"),
        SupportCaseEvent.id.label("id"),
        SupportCaseEvent.occurred_at.label("at"),
    ).where(
        SupportCaseEvent.shopping_mall_support_case_id == case_id,
        SupportCaseEvent.deleted_at.is_(None),
    )
    told = exists().where(
        SupportCaseEvent.shopping_mall_support_case_id == case_id,
        SupportCaseEvent.event_type == "note",
        SupportCaseEvent.actor_user_id == SupportNote.author_user_id,
        SupportCaseEvent.occurred_at == SupportNote.created_at,
    )
    notes = select(
        literal("note").label("kind"), SupportNote.id, SupportNote.created_at.label("at")
    ).where(
        SupportNote.shopping_mall_support_case_id == case_id,
        SupportNote.deleted_at.is_(None),
        ~told,
    )
    files = select(
        literal("attachment").label("kind"),
        SupportAttachment.id,
        SupportAttachment.created_at.label("at"),
    ).where(
        SupportAttachment.shopping_mall_support_case_id == case_id,
        SupportAttachment.shopping_mall_support_case_event_id.is_(None),
        SupportAttachment.shopping_mall_support_note_id.is_(None),
        SupportAttachment.deleted_at.is_(None),
    )
    return union_all(events, notes, files).subquery("entries")


def _ordering(entries) -> Ordering:
    return Ordering(SortKey("time", "Time", entries.c.at, kind=datetime), True, entries.c.id)


def _key(row):
    return row.at, row.id


def read_cursor(entries, token: str | None) -> Cursor | None:
    """The cursor a "Load earlier" link or a poll sent; 400 (CursorError) if not ours."""
    if not token:
        return None
    return decode_cursor(token, _ordering(entries))


def timeline(
    session,
    case: SupportCase,
    *,
    earlier: str | None = None,
    newer: str | None = None,
    limit: int = TIMELINE_PAGE,
) -> TimelinePage:
    """The newest ``limit`` entries (or those before ``earlier``, or after ``newer``), oldest
    first. Five queries whatever the number of entries."""
    entries = _entries_statement(case.id)
    ordering = _ordering(entries)
    try:
        if newer:
            cursor = decode_cursor(newer, ordering)
            cursor = Cursor(cursor.value, cursor.row_id, backwards=True)
            limit = NEWS_LIMIT
        else:
            cursor = read_cursor(entries, earlier)
    except CursorError as error:
        raise DomainError("That timeline link is not valid; reload the case.") from error
    statement = select(entries.c.kind, entries.c.id, entries.c.at)
    page = keyset_page(session, statement, ordering, cursor=cursor, limit=limit, key_of=_key)
    rows = list(reversed(page.rows))  # oldest first
    views = _entry_views(session, case, rows)
    newest = page.rows[0] if page.rows else None
    if newer and newest is None:
        newest_cursor = newer  # nothing new: keep asking from the same place
    elif earlier:
        newest_cursor = None  # an older page: the newest entries are elsewhere
    else:
        # An empty timeline polls from the beginning of time.
        newest_cursor = _encode(ordering, newest or _Start(BEGINNING, "0"))
    earlier_cursor = None if newer else page.next_cursor
    return TimelinePage(views, earlier_cursor, newest_cursor)


class _Start(NamedTuple):
    at: datetime
    id: str


BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


def _encode(ordering, row) -> str:
    from mallconsole.services.kit.pagination import encode_cursor

    return encode_cursor(ordering, row.at, row.id)


def _entry_views(session, case: SupportCase, rows) -> list[TimelineEntry]:
    ids = {kind: [r.id for r in rows if r.kind == kind] for kind in ("event", "note", "attachment")}
    actor = aliased(User)
    events = {
        event.id: (event, person)
        for event, person in session.execute(
            select(SupportCaseEvent, actor)
            .outerjoin(actor, actor.id == SupportCaseEvent.actor_user_id)
            .where(SupportCaseEvent.id.in_(ids["event"]))
        )
    }
    notes = {
        note.id: (note, person)
        for note, person in session.execute(
            select(SupportNote, actor)
            .outerjoin(actor, actor.id == SupportNote.author_user_id)
            .where(SupportNote.id.in_(ids["note"]))
        )
    }
    files = session.execute(
        select(SupportAttachment, actor)
        .outerjoin(actor, actor.id == SupportAttachment.uploaded_by_user_id)
        .where(
            SupportAttachment.deleted_at.is_(None),
            or_(
                SupportAttachment.id.in_(ids["attachment"]),
                SupportAttachment.shopping_mall_support_case_event_id.in_(ids["event"]),
                SupportAttachment.shopping_mall_support_note_id.in_(ids["note"]),
            ),
        )
        .order_by(SupportAttachment.created_at, SupportAttachment.id)
    ).all()
    replies = [i for i, (e, _) in events.items() if e.event_type == "agent_reply"]
    delivery = dict(
        session.execute(
            select(OutboundMessage.entity_id, OutboundMessage.status).where(
                OutboundMessage.entity_table == EVENTS, OutboundMessage.entity_id.in_(replies)
            )
        ).all()
    )
    by_event: dict[str, list] = {}
    by_note: dict[str, list] = {}
    alone: dict[str, tuple] = {}
    for attachment, person in files:
        view = AttachmentView(
            attachment.id, attachment.file_name, attachment.content_type, attachment.file_size
        )
        if attachment.shopping_mall_support_case_event_id in events:
            by_event.setdefault(attachment.shopping_mall_support_case_event_id, []).append(view)
        elif attachment.shopping_mall_support_note_id in notes:
            by_note.setdefault(attachment.shopping_mall_support_note_id, []).append(view)
        elif attachment.id in ids["attachment"]:
            alone[attachment.id] = (attachment, person, view)
    views = []
    for row in rows:
        if row.kind == "event" and row.id in events:
            event, person = events[row.id]
            views.append(_event_view(case, event, person, by_event, delivery))
        elif row.kind == "note" and row.id in notes:
            note, person = notes[row.id]
            views.append(
                TimelineEntry(
                    "note",
                    note.id,
                    note.created_at,
                    _name(person, case),
                    EVENT_LABELS["note"],
                    note.visibility,
                    note.body,
                    "note",
                    attachments=by_note.get(note.id, []),
                )  # fmt: skip
            )
        elif row.kind == "attachment" and row.id in alone:
            attachment, person, view = alone[row.id]
            views.append(
                TimelineEntry(
                    "attachment",
                    attachment.id,
                    attachment.created_at,
                    _name(person, case),
                    "File added",
                    "internal",
                    attachments=[view],
                )  # fmt: skip
            )
    return views


def _name(person: User | None, case: SupportCase) -> Person | None:
    """Who wrote an entry (None: the console): staff by name with their email on hover; the
    case's customer or seller by name only (their address is theirs to reveal, not a hover)."""
    if person is None:
        return None
    if person.id in (case.customer_user_id, case.seller_user_id):
        return Person(person.name or "The customer", None)
    return Person(person.name, person.email)


def _event_view(case, event, person, by_event, delivery) -> TimelineEntry:
    kind = event.event_type
    change = None
    body = event.body
    if kind in (states.CASE_EVENT_STATUS_CHANGED, "priority_changed", "category_changed"):
        moved = states.parse_case_status_change(body)
        if moved is not None:
            change = (words(moved[0]), words(moved[1]))
            body = None
    actor = _name(person, case)
    if kind in ("customer_message", "created") and actor is not None and case.origin_channel:
        actor = Person(f"{actor.display} (by {case.origin_channel})", actor.email)
    state = delivery.get(event.id)
    return TimelineEntry(
        "event",
        event.id,
        event.occurred_at,
        actor,
        EVENT_LABELS.get(kind, words(kind)),
        event.visibility,
        body,
        kind,
        change=change,
        delivery=DELIVERY.get(state) if kind == "agent_reply" and state else None,
        attachments=by_event.get(event.id, []),
    )


# --- requests raised from the case -------------------------------------------------------------


@dataclass(frozen=True)
class RaisedRequest:
    kind: str
    number: str
    status: str
    tone: str
    raised_at: datetime
    amount: object = None
    currency: str | None = None


_TONES = {
    "pending": "info",
    "pending_second_approval": "warning",
    "approved": "success",
    "executed": "success",
    "in_transit_back": "info",
    "received": "info",
    "closed": "neutral",
    "rejected": "danger",
    "withdrawn": "neutral",
    "canceled": "neutral",
}


def raised_requests(session, case_id: str) -> list[RaisedRequest]:
    """Cancellation, return and refund requests raised from the case, newest first."""
    found = []
    kinds = (
        (
            CancellationRequest,
            "Cancellation",
            "cancellation_request_number",
            states.CANCELLATION_REQUEST_MACHINE,
        ),
        (ReturnRequest, "Return", "rma_code", states.RETURN_REQUEST_MACHINE),
        (RefundRequest, "Refund", "refund_request_number", states.REFUND_REQUEST_MACHINE),
    )
    for model, label, number, machine in kinds:
        for request in session.scalars(
            select(model).where(
                model.shopping_mall_support_case_id == case_id, model.deleted_at.is_(None)
            )
        ):
            found.append(
                RaisedRequest(
                    label,
                    getattr(request, number),
                    states.label(machine, request.status),
                    _TONES.get(request.status, "neutral"),
                    request.created_at,
                    getattr(request, "total_requested_amount", None),
                    getattr(request, "currency", None),
                )
            )
    return sorted(found, key=lambda r: r.raised_at, reverse=True)


# --- canned replies -----------------------------------------------------------------------------


def placeholder_values(header: CaseHeader, agent) -> dict[str, str | None]:
    """What the placeholders stand for on this case, for this agent."""
    customer = header.customer
    return {
        "customer_name": (customer.name or customer.nickname) if customer else None,
        "order_number": header.order.order_number if header.order else None,
        "case_number": header.case.case_number,
        "agent_name": getattr(agent, "name", None) or getattr(agent, "email", None),
    }


@dataclass(frozen=True)
class CannedChoice:
    id: str
    title: str
    category: str | None
    text: str  # the body with this case's values filled in


def canned_reply_choices(
    session, header: CaseHeader, agent, query: str = "", *, limit: int = 8
) -> list[CannedChoice]:
    """Canned replies matching ``query`` in title or body, the case's category first, then
    the most used; each filled in for this case."""
    statement = canned_replies.matching((query or "").strip()[:100])
    same_category = (CannedReply.category == header.case.category) if header.case.category else None
    order = [CannedReply.usage_count.desc(), CannedReply.title, CannedReply.id]
    if same_category is not None:
        from sqlalchemy import case as when

        order.insert(0, when((same_category, 0), else_=1))
    values = placeholder_values(header, agent)
    return [
        CannedChoice(
            reply.id, reply.title, reply.category, canned_replies.fill(reply.body, **values)
        )
        for reply in session.scalars(statement.order_by(*order).limit(limit))
    ]


def canned_choice(session, header: CaseHeader, agent, reply_id: str) -> CannedChoice:
    """One canned reply filled in for this case; NotFound when it is gone."""
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.deleted_at is not None:
        raise NotFound("That canned reply no longer exists.")
    values = placeholder_values(header, agent)
    return CannedChoice(
        reply.id, reply.title, reply.category, canned_replies.fill(reply.body, **values)
    )


def _count_canned_use(session, reply_id: str | None, now: datetime) -> None:
    """A reply that started from a canned reply counts one use of it (gone ones are skipped)."""
    if not reply_id:
        return
    session.execute(
        update(CannedReply)
        .where(CannedReply.id == reply_id, CannedReply.deleted_at.is_(None))
        .values(usage_count=CannedReply.usage_count + 1, last_used_at=now)
        .execution_options(synchronize_session=False)
    )


# --- attachments --------------------------------------------------------------------------------

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# Types an attachment may have: what its first bytes say, and the names that fit.
FILE_TYPES = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".text", ".log", ".csv", ".md"),
}
ALLOWED_TYPES_TEXT = "images (PNG, JPEG, GIF, WebP), PDF or plain text"
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff_type(head: bytes) -> str | None:
    """The content type the bytes themselves show, or None for anything not allowed."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a character; anything before that must be valid.
        if error.start < len(head) - 3:
            return None
        text = head[: error.start].decode("utf-8")
    if text and not _TEXT_CONTROL.search(head[: len(text.encode())]):
        return "text/plain"
    return None


def clean_file_name(raw: str | None) -> str:
    """The typed file name made safe to show and send back: its last part only, no control
    characters, no leading dots, at most 120 characters (the extension kept)."""
    name = _NAME_CONTROL.sub("", (raw or "").replace("\\", "/")).rsplit("/", 1)[-1]
    name = " ".join(name.split()).lstrip(".").strip()
    if len(name) > 120:
        stem, dot, extension = name.rpartition(".")
        keep = "." + extension if dot and len(extension) <= 10 else ""
        name = name[: 120 - len(keep)].rstrip() + keep
    return name


@dataclass(frozen=True)
class Upload:
    """A file as the form sent it: the typed name and its bytes (read up to the limit + 1)."""

    file_name: str
    content: bytes


def check_upload(upload: Upload) -> tuple[str, str]:
    """(clean name, content type) of an acceptable file; ``ValidationError`` (field
    ``files``) saying what is wrong otherwise."""
    name = clean_file_name(upload.file_name)

    def refuse(message: str):
        raise ValidationError(message, field_errors={"files": [message]})

    if not name:
        refuse("A file needs a name.")
    if not upload.content:
        refuse(f"{name} is empty.")
    if len(upload.content) > MAX_FILE_BYTES:
        refuse(f"{name} is larger than 10 MB.")
    content_type = sniff_type(upload.content[:4096])
    if content_type is None:
        refuse(f"{name} is not one of the allowed types: {ALLOWED_TYPES_TEXT}.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES[content_type]:
        refuse(
            f"{name}: its content does not match its name (the file is {words_type(content_type)})."
        )
    return name, content_type


def words_type(content_type: str) -> str:
    return {
        "image/png": "a PNG image",
        "image/jpeg": "a JPEG image",
        "image/gif": "a GIF image",
        "image/webp": "a WebP image",
        "application/pdf": "a PDF document",
        "text/plain": "plain text",
    }.get(content_type, "of another type")


def _check_uploads(uploads: Iterable[Upload]) -> list[tuple[Upload, str, str]]:
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        message = f"Attach at most {MAX_FILES} files at once."
        raise ValidationError(message, field_errors={"files": [message]})
    return [(upload, *check_upload(upload)) for upload in uploads]


def _store(session, case, checked, *, actor, event_id=None, note_id=None, now=None) -> list:
    """Save the checked files and their rows; a file saved for a request that then fails is
    left unreferenced under its fresh key, never half a row."""
    storage = get_storage()
    rows = []
    for upload, name, content_type in checked:
        stored = storage.save(new_key(f"support/{case.id}", name), upload.content, content_type)
        row = SupportAttachment(
            shopping_mall_support_case_id=case.id,
            shopping_mall_support_case_event_id=event_id,
            shopping_mall_support_note_id=note_id,
            uploaded_by_user_id=actor.id,
            file_name=name,
            file_uri=stored.key,
            content_type=content_type,
            file_size=stored.size,
        )
        if now is not None:
            row.created_at = now
        session.add(row)
        rows.append(row)
    return rows


def get_attachment(session, case: SupportCase, attachment_id: str) -> SupportAttachment:
    """An attachment of this case; NotFound for another case's or a removed one."""
    attachment = session.get(SupportAttachment, attachment_id)
    if (
        attachment is None
        or attachment.deleted_at is not None
        or attachment.shopping_mall_support_case_id != case.id
    ):
        raise NotFound("That file is not attached to this case.")
    return attachment


# --- changes ------------------------------------------------------------------------------------


def _text(body: str | None, field_name: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        message = f"Write the {what} first."
        raise ValidationError(message, field_errors={field_name: [message]})
    if len(body) > MAX_BODY_CHARS:
        message = f"The {what} is longer than {MAX_BODY_CHARS:,} characters."
        raise ValidationError(message, field_errors={field_name: [message]})
    return body


def _event(session, case, event_type, body, *, actor, visibility="internal", now):
    event = SupportCaseEvent(
        shopping_mall_support_case_id=case.id,
        actor_user_id=actor.id,
        event_type=event_type,
        visibility=visibility,
        body=body,
        occurred_at=now,
    )
    session.add(event)
    case.last_event_at = max(case.last_event_at or now, now)
    session.flush()  # the event's id: the outbox message and the attachments name it
    return event


def _audit(session, case, actor, action: str, summary: str, **after) -> None:
    """The audit event of an addition to the case (nothing of the case row itself changed)."""
    audit.record(
        session, actor=actor, entity_table=CASES, entity_id=case.id, action=action,
        summary=summary, after=after,
    )  # fmt: skip


def reply(
    session,
    case_id: str,
    *,
    body: str,
    actor,
    uploads: Iterable[Upload] = (),
    canned_reply_id: str | None = None,
    now: datetime | None = None,
) -> SupportCaseEvent:
    """Answer the customer: a public ``agent_reply`` event, its email queued in the outbox
    (sent after the commit), attached files, and one use of the canned reply it started from."""
    body = _text(body, "body", "reply")
    checked = _check_uploads(uploads)
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()  # after the lock: entries of one case are stamped in lock order
    recipient = session.scalar(
        select(User.email).where(User.id == (case.customer_user_id or case.seller_user_id))
    )
    if not recipient:
        raise ValidationError("This case has no customer or seller to reply to.")
    event = _event(session, case, "agent_reply", body, actor=actor, visibility="public", now=now)
    message = outbox.queue_message(
        session,
        recipient=recipient,
        subject=f"Re: {case.subject} [{case.case_number}]",
        body=body,
        entity_table=EVENTS,
        entity_id=event.id,
        actor=actor,
        now=now,
    )
    files = _store(session, case, checked, actor=actor, event_id=event.id, now=now)
    _count_canned_use(session, canned_reply_id, now)
    _audit(
        session, case, actor, "case_replied", f"Replied to the customer on {case.case_number}",
        event_id=event.id, message_id=message.id, files=[f.file_name for f in files],
        canned_reply_id=canned_reply_id or None,
    )  # fmt: skip
    return event


def add_note(
    session, case_id: str, *, body: str, actor, uploads: Iterable[Upload] = (), now=None
) -> SupportNote:
    """An internal note (staff only): the note, its ``note`` event, attached files."""
    body = _text(body, "body", "note")
    checked = _check_uploads(uploads)
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()  # after the lock (see reply)
    note = SupportNote(
        shopping_mall_support_case_id=case.id,
        author_user_id=actor.id,
        visibility="internal",
        body=body,
        created_at=now,
    )
    session.add(note)
    event = _event(session, case, "note", body, actor=actor, now=now)
    files = _store(session, case, checked, actor=actor, event_id=event.id, note_id=note.id, now=now)
    _audit(
        session, case, actor, "case_note_added", f"Internal note on {case.case_number}",
        note_id=note.id, files=[f.file_name for f in files],
    )  # fmt: skip
    return note


def attach(session, case_id: str, *, uploads: Iterable[Upload], actor, now=None) -> list:
    """Files added to the case on their own (each its own timeline entry)."""
    checked = _check_uploads(uploads)
    if not checked:
        message = "Choose a file to attach."
        raise ValidationError(message, field_errors={"files": [message]})
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()  # after the lock (see reply)
    files = _store(session, case, checked, actor=actor, now=now)
    case.last_event_at = max(case.last_event_at or now, now)
    session.flush()  # the attachments' ids, for the audit event
    _audit(
        session, case, actor, "case_files_attached",
        f"Attached {len(files)} file(s) to {case.case_number}",
        attachments=[{"id": f.id, "file_name": f.file_name} for f in files],
    )  # fmt: skip
    return files


def check_fresh(session, case: SupportCase, expected_version: int) -> None:
    """Refuse (409) a change based on an older version of the case, saying what changed since
    in words (states as labels, the assignee by name)."""
    try:
        versions.check_version(
            session, case, expected_version, entity_table=CASES, labels=CASE_LABELS
        )
    except versions.StaleRecord as stale:
        names = {agent.id: agent.name for agent in support_agents(session)}
        readable = [
            replace(change, value=_readable(change.field, change.value, names))
            for change in stale.changes
            if change.field != "closed_at"
        ]
        raise versions.StaleRecord(
            stale.message, current_version=stale.current_version, changes=readable
        ) from None


def _readable(name: str, value, names: Mapping[str, str]):
    if name == "assigned_to_user_id":
        return names.get(value, "someone no longer on staff") if value else "Nobody"
    if isinstance(value, str):
        return words(value)
    return value


def _edit(session, case, *, expected_version, changes, actor, action, event_type, body, now):
    """One change of the case's own fields: version checked, applied, audited, told."""
    check_fresh(session, case, expected_version)
    audited = versions.apply_edit(
        session,
        case,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        entity_table=CASES,
        action=action,
        summary=f"{EVENT_LABELS[event_type]} on {case.case_number}",
        labels=CASE_LABELS,
    )
    if audited is None:
        return None
    return _event(session, case, event_type, body, actor=actor, now=now)


def change_status(session, case_id, *, status, expected_version, actor, now=None):
    """Move the case to ``status`` (the support case machine); closing stamps ``closed_at``,
    reopening clears it."""
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()
    check_fresh(session, case, expected_version)
    before = case.status
    states.check_move(states.SUPPORT_CASE_MACHINE, before, status)
    changes = {"status": status, "closed_at": now if status == "closed" else None}
    return _edit(
        session, case, expected_version=expected_version, changes=changes, actor=actor,
        action="case_status_changed", event_type=states.CASE_EVENT_STATUS_CHANGED,
        body=states.case_status_change(before, status), now=now,
    )  # fmt: skip


def _choice(value, allowed, field_name, what):
    if value not in allowed:
        message = f"Choose a {what} from the list."
        raise ValidationError(message, field_errors={field_name: [message]})
    return value


def change_priority(session, case_id, *, priority, expected_version, actor, now=None):
    """Set the case's priority."""
    _choice(priority, states.CASE_PRIORITIES, "priority", "priority")
    return _change_field(session, case_id, "priority", priority, expected_version, actor, now)


def change_category(session, case_id, *, category, expected_version, actor, now=None):
    """Set the case's category."""
    _choice(category, states.CASE_CATEGORIES, "category", "category")
    return _change_field(session, case_id, "category", category, expected_version, actor, now)


def _change_field(session, case_id, name, value, expected_version, actor, now):
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()
    before = getattr(case, name)
    return _edit(
        session, case, expected_version=expected_version, changes={name: value}, actor=actor,
        action=f"case_{name}_changed", event_type=f"{name}_changed",
        body=states.case_status_change(before or "none", value), now=now,
    )  # fmt: skip


def assign(session, case_id, *, assignee_id: str | None, expected_version, actor, now=None):
    """Give the case to a support agent (``assignee_id``), or to nobody (None)."""
    assignee = None
    if assignee_id:
        assignee = next((a for a in support_agents(session) if a.id == assignee_id), None)
        if assignee is None:
            message = "Choose a support agent from the list."
            raise ValidationError(message, field_errors={"assignee": [message]})
    case = versions.lock(session, SupportCase, case_id, what="case")
    now = now or utcnow()
    body = f"Assigned to {assignee.name}" if assignee else "Unassigned"
    return _edit(
        session, case, expected_version=expected_version,
        changes={"assigned_to_user_id": assignee.id if assignee else None}, actor=actor,
        action="case_assigned", event_type="assigned", body=body, now=now,
    )  # fmt: skip


def newest_after(session, case: SupportCase, seen: str | None) -> TimelinePage:
    """Entries newer than ``seen`` (what the agent's page shows), for an action's answer."""
    if not seen:
        return TimelinePage([], None, None)
    return timeline(session, case, newer=seen)
