"""Presence: who else has a record open right now, and who is typing in it.

A record screen polls every ~10 seconds (a background request); each poll is one upsert of the
viewer's row in ``shopping_mall_presence`` and one read of the others seen in the last
``VIEWING_WINDOW``. The rows live in the database, so every app process and host sees the same
viewers. Nothing here is audited (docs/contract.md "Audit": presence pings are not).

Which records can be watched is one registry of kinds (``case``, ``refund``, ``review``,
``job``; ``register_kind`` adds more): each names its model, the permission needed to see it
and the column the URL's identifier is matched against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from mallconsole.core.errors import Forbidden, NotFound
from mallconsole.core.people import display_name
from mallconsole.core.roles import Permission
from mallconsole.models import (
    JobSchedule,
    Presence,
    RefundRequest,
    Review,
    SupportCase,
    User,
    new_id,
    utcnow,
)
from mallconsole.services.kit.database import dialect_insert

# Polls come every ~10 s: a viewer missing for three of them has left.
VIEWING_WINDOW = timedelta(seconds=30)
# "Typing" is shown only while it is fresh: a tab closed mid-sentence stops typing sooner.
TYPING_WINDOW = timedelta(seconds=15)
# Rows older than this are deleted by the periodic prune.
KEEP_FOR = timedelta(minutes=5)


@dataclass(frozen=True)
class PresenceKind:
    """A kind of record whose screen shows presence."""

    name: str
    model: type
    permission: Permission
    key: str = "id"

    @property
    def entity_table(self) -> str:
        return self.model.__tablename__


KINDS: dict[str, PresenceKind] = {}


def register_kind(name: str, model: type, permission: Permission, *, key: str = "id"):
    """Let screens of ``model`` show presence as ``name`` (``key``: the URL's column)."""
    kind = PresenceKind(name, model, permission, key)
    KINDS[name] = kind
    return kind


register_kind("case", SupportCase, Permission.CASES_VIEW)
register_kind("refund", RefundRequest, Permission.REFUNDS_VIEW)
register_kind("review", Review, Permission.MODERATION_ACCESS)
register_kind("job", JobSchedule, Permission.ADMIN_ACCESS, key="job_name")


def kind_named(name: str) -> PresenceKind:
    """The registered kind ``name``; NotFound otherwise."""
    kind = KINDS.get(name)
    if kind is None:
        raise NotFound("There is no such kind of record.")
    return kind


def find_record(session, kind: PresenceKind, record_id: str) -> str:
    """The id of the ``kind`` record the URL names; NotFound when there is none."""
    model = kind.model
    entity_id = session.scalars(
        select(model.id).where(getattr(model, kind.key) == record_id)
    ).one_or_none()
    if entity_id is None:
        raise NotFound("There is no such record.")
    return entity_id


def ping(
    session,
    *,
    entity_table: str,
    entity_id: str,
    actor,
    typing: bool = False,
    now: datetime | None = None,
) -> None:
    """The actor has the record open (and is typing in it, or not) as of ``now``."""
    now = now or utcnow()
    insert = dialect_insert(session.get_bind(), Presence).values(
        id=new_id(),
        entity_table=entity_table,
        entity_id=entity_id,
        shopping_mall_user_id=actor.id,
        typing=typing,
        seen_at=now,
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[
                Presence.entity_table,
                Presence.entity_id,
                Presence.shopping_mall_user_id,
            ],
            set_={"typing": insert.excluded.typing, "seen_at": insert.excluded.seen_at},
        )
    )


@dataclass(frozen=True)
class Viewer:
    """Someone with the record open: their name (or email) and whether they are typing."""

    user_id: str
    name: str
    typing: bool


def viewers(
    session,
    *,
    entity_table: str,
    entity_id: str,
    exclude_user_id: str | None = None,
    now: datetime | None = None,
) -> list[Viewer]:
    """Who has the record open (seen in the last ``VIEWING_WINDOW``), by name."""
    now = now or utcnow()
    statement = (
        select(Presence.typing, Presence.seen_at, User.id, User.name, User.email)
        .join(User, User.id == Presence.shopping_mall_user_id)
        .where(
            Presence.entity_table == entity_table,
            Presence.entity_id == entity_id,
            Presence.seen_at > now - VIEWING_WINDOW,
        )
    )
    if exclude_user_id is not None:
        statement = statement.where(Presence.shopping_mall_user_id != exclude_user_id)
    found = [
        Viewer(
            user_id=user_id,
            name=display_name(name, email),
            typing=typing and seen_at > now - TYPING_WINDOW,
        )
        for typing, seen_at, user_id, name, email in session.execute(statement)
    ]
    return sorted(found, key=lambda viewer: (viewer.name.casefold(), viewer.user_id))


def look_in(
    session, kind_name: str, record_id: str, *, actor, permissions, typing: bool = False
) -> list[Viewer]:
    """Note that ``actor`` has the record open (typing in it, or not); who else has it open.

    The record is the ``kind_name`` record the URL names (NotFound otherwise); seeing that kind
    needs its permission among the actor's ``permissions`` (Forbidden otherwise)."""
    kind = kind_named(kind_name)
    if kind.permission not in permissions:
        raise Forbidden("Your roles do not allow this kind of record.")
    entity_id = find_record(session, kind, record_id)
    ping(session, entity_table=kind.entity_table, entity_id=entity_id, actor=actor, typing=typing)
    return viewers(
        session,
        entity_table=kind.entity_table,
        entity_id=entity_id,
        exclude_user_id=actor.id,
    )


def prune(session, *, now: datetime) -> int:
    """Delete rows not seen for ``KEEP_FOR`` (the periodic sweep); how many."""
    result = session.execute(
        delete(Presence)
        .where(Presence.seen_at < now - KEEP_FOR)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
