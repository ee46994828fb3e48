"""Queue claims: items of a work queue held by one staff member for a few minutes.

A moderator claims a batch of reviews, a support agent takes the next case: two people must
never be given the same item. Each item has at most one row in ``shopping_mall_claims`` (the
unique key on ``entity_table, entity_id``), and claiming it is one statement, ``INSERT … ON
CONFLICT DO UPDATE … WHERE the old claim has expired … RETURNING``: whatever the timing, only
one claimer gets the row back. On PostgreSQL the candidate rows are also read ``FOR UPDATE SKIP
LOCKED``, so concurrent claimers take different items instead of queueing behind each other.
On SQLite every transaction begins with ``BEGIN IMMEDIATE`` (``services/kit/database.py``):
the write lock serializes claimers.

Claims are not audited. A claim is a lease on who works on what next, not business state: it
ends by itself, carries no decision and changes nothing about the item; what is audited is the
decision made on the claimed item (approve, assign, refund), by the service that makes it.
Auditing each claim and release would bury those decisions under several rows per batch on the
append-only trail. A support case taken for good ("Take next") is an assignment, audited by the
case service, which uses ``lock_next`` directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, delete, exists, select, update

from mallconsole.core.errors import ValidationError
from mallconsole.models import Claim, new_id, utcnow
from mallconsole.services.kit.database import dialect_insert, is_postgresql


def _user_id(actor) -> str:
    return actor.id


def _locked_table(statement: Select):
    """What ``FOR UPDATE OF`` names: the entity of the statement's first column."""
    entity = statement.column_descriptions[0].get("entity")
    return entity if entity is not None else statement.get_final_froms()[0]


def lock_next(session, statement: Select, limit: int) -> list:
    """The first ``limit`` rows of the ordered ``statement`` (their first column), row-locked
    so that concurrent callers never get the same row.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` on the table of the first column (rows another
    transaction holds are passed over; the locks last until commit). SQLite: the transaction
    already holds the database's write lock, so no other writer runs until it ends.
    """
    if limit < 1:
        return []
    statement = statement.limit(limit)
    if is_postgresql(session.get_bind()):
        statement = statement.with_for_update(skip_locked=True, of=_locked_table(statement))
    return list(session.scalars(statement))


def _live(now: datetime):
    return Claim.expires_at > now


def held(session, *, queue: str, actor, now: datetime | None = None) -> list[Claim]:
    """The actor's live claims in ``queue``, in the order they were given."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.claimed_by_user_id == _user_id(actor), Claim.queue == queue, _live(now))
            .order_by(Claim.claimed_at, Claim.id)
        )
    )


def claim_next(
    session,
    *,
    queue: str,
    entity_table: str,
    candidates: Select,
    limit: int,
    actor,
    minutes: int,
    now: datetime | None = None,
) -> list[Claim]:
    """Top the actor's live claims in ``queue`` up to ``limit`` with the next ``candidates``
    (an ordered ``select(Model.id)…`` of the queue's items); the actor's live claims, in order.

    Items someone else holds are never given; claims whose time is up are taken over.
    """
    if limit < 1 or minutes < 1:
        raise ValidationError("A claim needs at least one item and at least one minute.")
    now = now or utcnow()
    user_id = _user_id(actor)
    mine = held(session, queue=queue, actor=actor, now=now)
    wanted = limit - len(mine)
    if wanted <= 0:
        return mine
    item_id = candidates.selected_columns[0]
    unclaimed = candidates.where(
        ~exists().where(Claim.entity_table == entity_table, Claim.entity_id == item_id, _live(now))
    )
    given: list[Claim] = []
    tried: list = []
    # Normally one round. On PostgreSQL a candidate whose claim was committed just after this
    # statement's snapshot is locked but not given (the upsert refuses it); the next round's
    # snapshot sees that claim, and ``tried`` keeps the loop finite whatever the isolation.
    while len(given) < wanted:
        statement = unclaimed.where(item_id.not_in(tried)) if tried else unclaimed
        ids = lock_next(session, statement, wanted - len(given))
        if not ids:
            break
        given += _take(
            session,
            queue=queue,
            entity_table=entity_table,
            entity_ids=ids,
            user_id=user_id,
            claimed_at=now + timedelta(microseconds=len(mine) + len(tried)),
            expires_at=now + timedelta(minutes=minutes),
            now=now,
        )
        tried += ids
    return mine + sorted(given, key=lambda claim: claim.claimed_at)


def _take(
    session, *, queue, entity_table, entity_ids, user_id, claimed_at, expires_at, now
) -> list[Claim]:
    """Claim each item unless someone holds it live; the claims given."""
    rows = [
        {
            "id": new_id(),
            "queue": queue,
            "entity_table": entity_table,
            "entity_id": str(entity_id),
            "claimed_by_user_id": user_id,
            # A microsecond apart per item, so held() lists the batch in the queue's order.
            "claimed_at": claimed_at + timedelta(microseconds=position),
            "expires_at": expires_at,
        }
        for position, entity_id in enumerate(entity_ids)
    ]
    insert = dialect_insert(session.get_bind(), Claim)
    # The unique key decides: a live claim by anyone else is left alone (no row comes back),
    # an expired one is taken over. Safe even if two claimers picked the same candidate.
    upsert = insert.on_conflict_do_update(
        index_elements=[Claim.entity_table, Claim.entity_id],
        set_={
            "queue": insert.excluded.queue,
            "claimed_by_user_id": insert.excluded.claimed_by_user_id,
            "claimed_at": insert.excluded.claimed_at,
            "expires_at": insert.excluded.expires_at,
        },
        where=Claim.expires_at <= now,
    ).returning(Claim)
    # The rows go as parameter sets, not .values([...]): one cached statement, sent in one batch.
    return list(session.scalars(upsert, rows, execution_options={"populate_existing": True}))


def renew(session, *, queue: str, actor, minutes: int, now: datetime | None = None) -> int:
    """Give the actor's live claims in ``queue`` ``minutes`` more from now; how many."""
    if minutes < 1:
        raise ValidationError("A claim is renewed for at least one minute.")
    now = now or utcnow()
    result = session.execute(
        update(Claim)
        .where(Claim.claimed_by_user_id == _user_id(actor), Claim.queue == queue, _live(now))
        .values(expires_at=now + timedelta(minutes=minutes))
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def release(session, *, entity_table: str, entity_id: str, actor) -> bool:
    """Give back one item the actor holds; False when they did not hold it (nothing changes)."""
    result = session.execute(
        delete(Claim)
        .where(
            Claim.entity_table == entity_table,
            Claim.entity_id == str(entity_id),
            Claim.claimed_by_user_id == _user_id(actor),
        )
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount > 0


def release_all(session, *, queue: str, actor) -> int:
    """Give back everything the actor holds in ``queue``; how many claims were dropped."""
    result = session.execute(
        delete(Claim)
        .where(Claim.claimed_by_user_id == _user_id(actor), Claim.queue == queue)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def holder(session, entity_table: str, entity_id: str, now: datetime | None = None) -> Claim | None:
    """The live claim on an item (``claimed_by_user_id``, ``expires_at``), or None."""
    now = now or utcnow()
    return session.scalars(
        select(Claim).where(
            Claim.entity_table == entity_table, Claim.entity_id == str(entity_id), _live(now)
        )
    ).one_or_none()


def expire(session, *, now: datetime) -> int:
    """Delete claims whose time is up (the periodic sweep); how many."""
    result = session.execute(
        delete(Claim).where(Claim.expires_at <= now).execution_options(synchronize_session=False)
    )
    return result.rowcount
