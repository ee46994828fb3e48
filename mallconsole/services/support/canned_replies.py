"""The canned-reply library: reply templates support agents share, search and insert.

A reply has a title (unique among live replies), a body with placeholders (``PLACEHOLDERS``),
an optional case category, and how often it was used. Edits are versioned (``versions``:
stale-write 409); deleting is soft (``deleted_at``), so the title is free again. ``fill`` puts
a case's values into a body; it is a pure function, used wherever a reply is inserted.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_, select

from mallconsole.core import states
from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.core.text import BIDI_REFUSAL, LIKE_ESCAPE, has_bidi_controls, like_pattern
from mallconsole.models import CannedReply, utcnow
from mallconsole.services.kit import audit, versions
from mallconsole.services.kit.pagination import SortKey, capped_count, keyset_page

ENTITY_TABLE = "shopping_mall_canned_replies"
PLACEHOLDERS = {
    "customer_name": "The customer's name",
    "order_number": "The case's order number",
    "case_number": "The case number",
    "agent_name": "Your name",
}
TITLE_MAX = 120
BODY_MAX = 5000
LABELS = {"title": "Title", "body": "Text", "category": "Category", "deleted_at": "Deleted"}
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")

REPLY_SORTS = (
    SortKey("title", "Title", CannedReply.title),
    SortKey("used", "Times used", CannedReply.usage_count, kind=int),
    SortKey("last_used", "Last used", CannedReply.last_used_at, nullable=True, kind=datetime),
)
REPLY_ID = CannedReply.id


def fill(body: str, **values) -> str:
    """``body`` with each known placeholder replaced by its value (missing: empty text).

    Unknown ``{names}`` stay as written; values for names that are not placeholders are
    ignored. Never raises for a missing value."""

    def value_of(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = values.get(name)
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(value_of, body or "")


def unknown_placeholders(body: str) -> list[str]:
    """The ``{names}`` in ``body`` that are not placeholders, in order of appearance."""
    found = [m.group(1) for m in _PLACEHOLDER.finditer(body or "")]
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


# --- reading -----------------------------------------------------------------------------------


def matching(term: str | None):
    """The live replies whose title, text or category name holds ``term`` (any case), as a
    statement: "ship" finds the Shipping replies."""
    statement = select(CannedReply).where(CannedReply.deleted_at.is_(None))
    term = (term or "").strip().lower()
    if term:
        pattern = like_pattern(term)
        categories = [c for c in states.CASE_CATEGORIES if term in states.in_words(c).lower()]
        statement = statement.where(
            or_(
                func.lower(CannedReply.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(CannedReply.body).like(pattern, escape=LIKE_ESCAPE),
                CannedReply.category.in_(categories),
            )
        )
    return statement


def _statement(filters: dict):
    statement = matching(filters.get("q"))
    if filters.get("category"):
        statement = statement.where(CannedReply.category == filters["category"])
    return statement


def reply_page(session, filters: dict, ordering, *, cursor, limit):
    """One page of the library matching ``filters`` (``q``: title or text; ``category``)."""
    return keyset_page(session, _statement(filters), ordering, cursor=cursor, limit=limit)


def count_replies(session, filters: dict):
    return capped_count(session, _statement(filters).with_only_columns(CannedReply.id))


def get_reply(session, reply_id: str) -> CannedReply:
    """A live reply, or 404."""
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.deleted_at is not None:
        raise NotFound("That canned reply does not exist (any more).")
    return reply


# --- writing -----------------------------------------------------------------------------------


def _validated(session, title, body, category, *, excluding: str | None = None) -> dict:
    """The cleaned fields, or a 422 with a message per field."""
    title = (title or "").strip()
    body = (body or "").strip()
    category = (category or "").strip() or None
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Give the reply a title agents will search for."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Keep the title under {TITLE_MAX} characters."]
    elif has_bidi_controls(title):
        errors["title"] = [BIDI_REFUSAL]
    else:
        # The database's lower() on both sides: the unique index compares with it (Python's
        # lower() folds letters SQLite's does not, Ω and ω, and missed a duplicate).
        taken = select(CannedReply.id).where(
            func.lower(CannedReply.title) == func.lower(title), CannedReply.deleted_at.is_(None)
        )
        if excluding:
            taken = taken.where(CannedReply.id != excluding)
        if session.scalar(taken) is not None:
            errors["title"] = ["Another reply already has this title. Choose another one."]
    if not body:
        errors["body"] = ["Write the reply's text."]
    elif len(body) > BODY_MAX:
        errors["body"] = [f"Keep the text under {BODY_MAX:,} characters."]
    else:
        unknown = unknown_placeholders(body)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            errors["body"] = [f"Unknown placeholder {names}. Use only {known}."]
    if category is not None and category not in states.CASE_CATEGORIES:
        errors["category"] = ["Choose one of the case categories, or none."]
    if errors:
        raise ValidationError(
            "The reply was not saved: check the fields marked.", field_errors=errors
        )
    return {"title": title, "body": body, "category": category}


def add_reply(session, *, title, body, category=None, actor) -> CannedReply:
    """Add a reply to the library (title unique among live replies, known placeholders)."""
    fields = _validated(session, title, body, category)
    reply = CannedReply(**fields, usage_count=0, created_by_user_id=actor.id)
    session.add(reply)
    session.flush()  # the reply's id, for the audit row
    audit.record(
        session,
        actor=actor,
        entity_table=ENTITY_TABLE,
        entity_id=reply.id,
        action="canned_reply_created",
        summary=f"Canned reply “{reply.title}” added",
        after={**fields, "version": reply.version},
    )
    return reply


def edit_reply(
    session, reply_id: str, *, title, body, category=None, expected_version: int, actor
) -> CannedReply:
    """Change a reply; refused (409, with the changes) if someone changed it since."""
    reply = versions.lock(session, CannedReply, reply_id, what="canned reply")
    versions.check_version(
        session, reply, expected_version, entity_table=ENTITY_TABLE, labels=LABELS
    )
    fields = _validated(session, title, body, category, excluding=reply.id)
    event = versions.apply_edit(
        session,
        reply,
        expected_version=expected_version,
        changes=fields,
        actor=actor,
        entity_table=ENTITY_TABLE,
        action="canned_reply_edited",
        summary=f"Canned reply “{fields['title']}” edited",
        labels=LABELS,
    )
    if event is not None:
        reply.updated_by_user_id = actor.id
    session.flush()
    return reply


def delete_reply(session, reply_id: str, *, expected_version: int, actor, now=None) -> CannedReply:
    """Take a reply out of the library (kept, marked deleted); 409 if changed since."""
    reply = versions.lock(session, CannedReply, reply_id, what="canned reply")
    versions.apply_edit(
        session,
        reply,
        expected_version=expected_version,
        changes={"deleted_at": now or utcnow()},
        actor=actor,
        entity_table=ENTITY_TABLE,
        action="canned_reply_deleted",
        summary=f"Canned reply “{reply.title}” deleted",
        labels=LABELS,
    )
    reply.updated_by_user_id = actor.id
    session.flush()
    return reply
