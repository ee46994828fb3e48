import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from mallconsole.core.errors import ValidationError
from mallconsole.models import Base, Claim, OrderItem, Review, User, new_id
from mallconsole.services.kit import claims
from mallconsole.services.kit.claims import (
    claim_next,
    expire,
    held,
    holder,
    lock_next,
    release,
    release_all,
    renew,
)
from tests.factories.records import build

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
QUEUE = "moderation.pending"
REVIEWS = Review.__tablename__


def make_reviews(session, count: int) -> list[str]:
    """``count`` pending reviews of one product, oldest first (one parent chain, bulk rows)."""
    first = build(session, Review, state="pending", created_at=T0)
    item = session.get(OrderItem, first.order_item_id)
    item_values = {c.key: getattr(item, c.key) for c in OrderItem.__table__.columns}
    review_values = {c.key: getattr(first, c.key) for c in Review.__table__.columns}
    ids = [first.id]
    items, reviews = [], []
    for n in range(1, count):
        item_id, review_id = new_id(), new_id()
        items.append({**item_values, "id": item_id, "line_position": item.line_position + n})
        reviews.append(
            {
                **review_values,
                "id": review_id,
                "order_item_id": item_id,
                "created_at": T0 + timedelta(seconds=n),
            }
        )
        ids.append(review_id)
    if items:
        session.execute(OrderItem.__table__.insert(), items)
        session.execute(Review.__table__.insert(), reviews)
    return ids


def queue_of(product_id):
    """The pending queue of one product's reviews, oldest first."""
    return (
        select(Review.id)
        .where(Review.product_id == product_id, Review.state == "pending")
        .order_by(Review.created_at, Review.id)
    )


def claim(session, actor, candidates, *, limit=3, minutes=10, now=T0):
    return claim_next(
        session,
        queue=QUEUE,
        entity_table=REVIEWS,
        candidates=candidates,
        limit=limit,
        actor=actor,
        minutes=minutes,
        now=now,
    )


@pytest.fixture
def queue(session):
    ids = make_reviews(session, 8)
    return ids, queue_of(session.get(Review, ids[0]).product_id)


@pytest.fixture
def mina(session):
    return build(session, User, name="Mina K.")


@pytest.fixture
def jo(session):
    return build(session, User, name="Jo")


def entity_ids(claim_rows):
    return [c.entity_id for c in claim_rows]


def test_claims_the_first_items_in_queue_order(session, queue, mina):
    ids, candidates = queue
    given = claim(session, mina, candidates, limit=3)
    assert entity_ids(given) == ids[:3]
    assert all(c.claimed_by_user_id == mina.id and c.queue == QUEUE for c in given)
    assert {c.expires_at for c in given} == {T0 + timedelta(minutes=10)}
    assert entity_ids(held(session, queue=QUEUE, actor=mina, now=T0)) == ids[:3]


def test_tops_up_to_the_limit_and_no_further(session, queue, mina):
    ids, candidates = queue
    claim(session, mina, candidates, limit=2)
    assert entity_ids(claim(session, mina, candidates, limit=5)) == ids[:5]
    assert entity_ids(claim(session, mina, candidates, limit=3)) == ids[:5]
    assert session.scalar(select(func.count()).select_from(Claim)) == 5


def test_items_someone_else_holds_are_never_given(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=3)
    assert entity_ids(claim(session, jo, candidates, limit=3)) == ids[3:6]
    # Only two are left for a third claimer, however many are asked for.
    other = build(session, User)
    assert entity_ids(claim(session, other, candidates, limit=5)) == ids[6:]
    assert claim(session, build(session, User), candidates, limit=5) == []


def test_expired_claims_are_taken_over(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=2, minutes=5)
    later = T0 + timedelta(minutes=5)
    given = claim(session, jo, candidates, limit=2, now=later)
    assert entity_ids(given) == ids[:2]
    assert holder(session, REVIEWS, ids[0], now=later).claimed_by_user_id == jo.id
    assert held(session, queue=QUEUE, actor=mina, now=later) == []
    assert session.scalar(select(func.count()).select_from(Claim)) == 2  # rows taken over


def test_only_candidates_are_claimed(session, queue, mina):
    ids, candidates = queue
    session.execute(update(Review).where(Review.id == ids[0]).values(state="approved"))
    assert entity_ids(claim(session, mina, candidates, limit=2)) == ids[1:3]


def test_a_live_claim_is_never_taken_even_when_locking_lets_it_through(
    session, queue, mina, jo, monkeypatch
):
    """The upsert refuses a live claim by itself: a candidate that slipped past the row locks
    (a claim committed after the statement's snapshot) is not given, and the next is."""
    ids, candidates = queue
    claim(session, mina, candidates, limit=1)
    calls = []
    real_lock_next = claims.lock_next

    def stale_first_round(session_, statement, limit):
        calls.append(limit)
        if len(calls) == 1:
            return [ids[0]]  # what a stale snapshot would offer: Mina's item
        return real_lock_next(session_, statement, limit)

    monkeypatch.setattr(claims, "lock_next", stale_first_round)
    given = claim(session, jo, candidates, limit=1)
    assert entity_ids(given) == [ids[1]]
    assert calls == [1, 1]
    assert holder(session, REVIEWS, ids[0], now=T0).claimed_by_user_id == mina.id


def test_renew_extends_only_the_actors_live_claims_in_the_queue(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=2, minutes=5)
    claim(session, jo, candidates, limit=1, minutes=5)
    later = T0 + timedelta(minutes=4)
    assert renew(session, queue=QUEUE, actor=mina, minutes=10, now=later) == 2
    assert {c.expires_at for c in held(session, queue=QUEUE, actor=mina, now=later)} == {
        later + timedelta(minutes=10)
    }
    assert holder(session, REVIEWS, ids[2], now=later).expires_at == T0 + timedelta(minutes=5)
    # An expired claim is not revived.
    gone = T0 + timedelta(minutes=6)
    assert renew(session, queue=QUEUE, actor=jo, minutes=10, now=gone) == 0
    assert renew(session, queue="other", actor=mina, minutes=10, now=later) == 0


def test_release_gives_back_only_the_actors_own_item(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=2)
    assert release(session, entity_table=REVIEWS, entity_id=ids[0], actor=jo) is False
    assert release(session, entity_table=REVIEWS, entity_id=ids[0], actor=mina) is True
    assert release(session, entity_table=REVIEWS, entity_id=ids[0], actor=mina) is False
    assert holder(session, REVIEWS, ids[0], now=T0) is None
    # The released item is the next to be given.
    assert entity_ids(claim(session, jo, candidates, limit=1)) == [ids[0]]


def test_release_all_empties_the_actors_queue(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=3)
    claim(session, jo, candidates, limit=1)
    assert release_all(session, queue="other", actor=mina) == 0
    assert release_all(session, queue=QUEUE, actor=mina) == 3
    assert held(session, queue=QUEUE, actor=mina, now=T0) == []
    assert entity_ids(held(session, queue=QUEUE, actor=jo, now=T0)) == [ids[3]]


def test_holder_and_expire(session, queue, mina, jo):
    ids, candidates = queue
    claim(session, mina, candidates, limit=1, minutes=5)
    claim(session, jo, candidates, limit=1, minutes=15)
    assert holder(session, REVIEWS, ids[0], now=T0).claimed_by_user_id == mina.id
    assert holder(session, REVIEWS, ids[5], now=T0) is None
    at = T0 + timedelta(minutes=5)
    assert holder(session, REVIEWS, ids[0], now=at) is None  # expired at expires_at
    assert expire(session, now=at) == 1
    assert expire(session, now=at) == 0
    assert session.scalars(select(Claim.entity_id)).all() == [ids[1]]


@pytest.mark.parametrize("limit, minutes", [(0, 10), (3, 0), (-1, 5)])
def test_a_claim_needs_an_item_and_a_minute(session, queue, mina, limit, minutes):
    with pytest.raises(ValidationError):
        claim(session, mina, queue[1], limit=limit, minutes=minutes)
    with pytest.raises(ValidationError):
        renew(session, queue=QUEUE, actor=mina, minutes=0)


def test_lock_next_gives_the_first_rows_of_the_ordered_select(session, queue):
    ids, candidates = queue
    assert lock_next(session, candidates, 3) == ids[:3]
    assert lock_next(session, candidates, 0) == []
    whole_rows = select(Review).where(Review.id.in_(ids)).order_by(Review.created_at.desc())
    assert [r.id for r in lock_next(session, whole_rows, 2)] == [ids[-1], ids[-2]]


def test_lock_next_locks_the_rows_on_postgresql(session, queue, dialect):
    _, candidates = queue
    statements = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        lock_next(session, candidates, 2)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    if dialect == "postgresql":
        assert "FOR UPDATE OF shopping_mall_reviews SKIP LOCKED" in statements[-1]
    else:  # the transaction's write lock (BEGIN IMMEDIATE) does it
        assert "FOR UPDATE" not in statements[-1]


# --- races on PostgreSQL: committed rows, real parallel connections ----------------------------


@contextmanager
def committed_rows(engine):
    """A session whose rows are committed, and deleted again (children first) on the way out."""
    made: dict[str, set] = {}

    def remember(session_, _context):
        for row in session_.new:
            made.setdefault(row.__table__.name, set()).add(row.id)

    with Session(engine) as s:
        event.listen(s, "after_flush", remember)
        try:
            yield s, made
        finally:
            s.rollback()
            for table in reversed(Base.metadata.sorted_tables):
                if made.get(table.name):
                    s.execute(delete(table).where(table.c.id.in_(made[table.name])))
            s.commit()


@pytest.fixture
def thousand_reviews(private_engine):
    """1,000 committed pending reviews of one product and 20 staff users to claim them."""
    with committed_rows(private_engine) as (s, made):
        ids = make_reviews(s, 1000)
        made.setdefault(OrderItem.__tablename__, set()).update(
            s.scalars(select(Review.order_item_id).where(Review.id.in_(ids)))
        )
        made.setdefault(REVIEWS, set()).update(ids)
        product_id = s.get(Review, ids[0]).product_id
        users = [build(s, User).id for _ in range(20)]
        s.commit()
        try:
            yield ids, queue_of(product_id), users
        finally:
            s.execute(delete(Claim).where(Claim.entity_id.in_(ids)))
            s.commit()


@pytest.mark.postgres_only
@pytest.mark.xdist_group("races")
def test_twenty_claimers_over_a_thousand_items_never_share_one(private_engine, thousand_reviews):
    ids, candidates, users = thousand_reviews
    barrier = threading.Barrier(len(users))
    claimed: dict[str, list[str]] = {user: [] for user in users}
    errors: list[BaseException] = []

    def work_the_queue(user_id):
        try:
            barrier.wait(timeout=30)
            while True:
                with Session(private_engine) as s:
                    batch = entity_ids(
                        claim_next(
                            s,
                            queue=QUEUE,
                            entity_table=REVIEWS,
                            candidates=candidates,
                            limit=10,
                            actor=s.get(User, user_id),
                            minutes=10,
                        )
                    )
                    s.commit()
                if not batch:
                    return
                claimed[user_id].extend(batch)
                # Decide the batch (no audit rows here: the audit table is append-only).
                with Session(private_engine) as s:
                    s.execute(update(Review).where(Review.id.in_(batch)).values(state="approved"))
                    release_all(s, queue=QUEUE, actor=s.get(User, user_id))
                    s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work_the_queue, args=(u,)) for u in users]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    elapsed = time.perf_counter() - started
    assert not errors, errors
    everything = [item for batch in claimed.values() for item in batch]
    assert len(everything) == len(ids)  # every item claimed exactly once...
    assert set(everything) == set(ids)  # ...and none shared
    with Session(private_engine) as s:
        assert s.scalar(select(func.count()).where(Claim.entity_id.in_(ids))) == 0
        states = s.scalars(select(Review.state).where(Review.id.in_(ids)).distinct()).all()
        assert states == ["approved"]
    busy = sum(1 for batch in claimed.values() if batch)
    print(f"\n20 claimers, 1,000 items in batches of 10: {elapsed:.2f} s, {busy} claimers served")


@pytest.mark.postgres_only
@pytest.mark.xdist_group("races")
def test_concurrent_lock_next_callers_never_get_the_same_row(private_engine, thousand_reviews):
    _, candidates, _ = thousand_reviews
    for _round in range(5):
        first, second = two_callers_lock_at_once(private_engine, candidates)
        assert (len(first), len(second)) == (10, 10)
        assert not set(first) & set(second)


def two_callers_lock_at_once(engine, candidates) -> list[list[str]]:
    """What two transactions started together get from ``lock_next`` while both hold locks."""
    barrier = threading.Barrier(2)
    got: list[list[str]] = []
    errors: list[BaseException] = []

    def take():
        try:
            with Session(engine) as s:
                barrier.wait(timeout=30)
                got.append(lock_next(s, candidates, 10))
                barrier.wait(timeout=30)  # both hold their row locks here
                s.rollback()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return got
