"""Moderators clearing one queue at once, on PostgreSQL with real parallel connections.

8 moderators claim batches over a few thousand pending reviews: no review is ever held by two
of them; claims whose time ran out go back to the queue; and 8 moderators deciding reviews of
the same few SKUs at once leave each SKU's rating aggregate equal to a recomputation. The
module runs on a database of its own (committed rows, no rollback)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mallconsole.extensions import db
from mallconsole.models import Claim, Configuration, Review, ReviewModeration, User, utcnow
from mallconsole.services.kit import claims
from mallconsole.services.moderation import ratings, review_decisions, review_queues
from tests.moderation.reviews import bulk_pending_reviews, make_moderator, make_shelf
from tests.races.conftest import in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("races")]

MODERATORS = 8
REVIEWS = 3000
BATCH = 10


@pytest.fixture(scope="module")
def world(race_app):
    """3,000 pending reviews over 12 SKUs and 8 moderators, committed."""
    with race_app.app_context():
        session = db.session
        shelf = make_shelf(session, skus=12)
        review_ids = bulk_pending_reviews(session, shelf, REVIEWS)
        moderator_ids = [
            make_moderator(session, f"race-mod-{n}@test.mall").id for n in range(MODERATORS)
        ]
        session.add(Configuration(key="moderation.claim.batch_size", value=str(BATCH)))
        session.commit()
        session.remove()
        # Planner statistics, as autovacuum keeps them on a live database: without them the
        # freshly filled tables look empty and the queue is read with a nested loop.
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        yield db.engine, review_ids, moderator_ids


def _clear_claims(engine):
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM shopping_mall_claims"))


def test_eight_moderators_claiming_over_thousands_of_reviews_never_share_one(race_app, world):
    engine, review_ids, moderator_ids = world
    _clear_claims(engine)
    rounds = {}

    def claim_until_empty(i):
        """Claim batches (10 more each round, the earlier ones kept) until nothing is left."""
        held, count = [], 0
        with race_app.app_context(), Session(engine) as session:
            me = session.get(User, moderator_ids[i])
            candidates = review_queues.filtered_statement("pending", {}).order_by(
                *review_queues.CLAIM_ORDERS["pending"]
            )
            while True:
                given = claims.claim_next(
                    session,
                    queue="moderation.pending",
                    entity_table="shopping_mall_reviews",
                    candidates=candidates,
                    limit=len(held) + BATCH,
                    actor=me,
                    minutes=10,
                )
                session.commit()
                count += 1
                if len(given) == len(held):
                    break
                held = [claim.entity_id for claim in given]
        rounds[i] = count
        return held

    started = time.perf_counter()
    results = in_threads(MODERATORS, claim_until_empty)
    elapsed = time.perf_counter() - started
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    claimed = [review_id for held in results for review_id in held]
    assert len(claimed) == len(set(claimed))  # never two moderators on one review
    assert sorted(claimed) == sorted(review_ids)  # and the whole queue was handed out
    assert min(len(held) for held in results) > 0  # everyone got work
    with Session(engine) as check:
        owners = check.execute(
            select(Claim.entity_id, func.count()).group_by(Claim.entity_id)
        ).all()
        assert len(owners) == REVIEWS and {count for _, count in owners} == {1}
    print(
        f"\n{REVIEWS} reviews claimed by {MODERATORS} moderators in {elapsed:.2f} s: "
        f"{REVIEWS / elapsed:.0f} claims/s, {sum(rounds.values())} claim calls, 0 double claims"
    )


def test_expired_claims_return_to_the_queue_for_the_next_moderator(race_app, world):
    engine, review_ids, moderator_ids = world
    _clear_claims(engine)
    with race_app.app_context(), Session(engine) as session:
        first = session.get(User, moderator_ids[0])
        long_ago = utcnow() - timedelta(minutes=45)
        given = review_queues.claim_batch(session, "pending", actor=first, now=long_ago)
        session.commit()
        assert [c.entity_id for c in given] == review_ids[:BATCH]

    def claim(i):
        with race_app.app_context(), Session(engine) as session:
            me = session.get(User, moderator_ids[1 + i])
            given = review_queues.claim_batch(session, "pending", actor=me)
            session.commit()
            return [c.entity_id for c in given]

    taken = in_threads(4, claim)
    assert not [t for t in taken if isinstance(t, Exception)]
    flat = [review_id for batch in taken for review_id in batch]
    assert len(flat) == len(set(flat)) == 4 * BATCH
    assert set(review_ids[:BATCH]) <= set(flat)  # the expired ones went out again, first
    with Session(engine) as check:
        assert (
            check.scalar(
                select(func.count())
                .select_from(Claim)
                .where(Claim.claimed_by_user_id == moderator_ids[0])
            )
            == 0
        )


def test_moderators_deciding_one_queue_at_once_decide_each_review_once_and_keep_exact_ratings(
    race_app, world
):
    engine, review_ids, moderator_ids = world
    _clear_claims(engine)
    target = 800  # the oldest 800: about 67 decisions on each SKU, made in parallel

    def work(i):
        decided = []
        with race_app.app_context(), Session(engine) as session:
            me = session.get(User, moderator_ids[i])
            while True:
                given = review_queues.claim_batch(session, "pending", actor=me)
                session.commit()
                mine = [c.entity_id for c in given if c.entity_id in wanted]
                if not mine:
                    return decided
                for n, review_id in enumerate(mine):
                    decision, reason = [("approve", None), ("reject", "spam")][n % 2 == 1 and i % 2]
                    review_decisions.decide_review(
                        session, review_id, decision, actor=me, reason=reason
                    )
                    session.commit()
                    decided.append(review_id)
                claims.release_all(session, queue="moderation.pending", actor=me)
                session.commit()

    wanted = set(review_ids[:target])
    results = in_threads(MODERATORS, work)
    assert [r for r in results if isinstance(r, Exception)] == []
    decided = [review_id for batch in results for review_id in batch]
    assert Counter(decided).most_common(1)[0][1] == 1
    assert set(decided) == wanted
    with race_app.app_context(), Session(engine) as check:
        rows = check.execute(
            select(ReviewModeration.shopping_mall_review_id, func.count())
            .where(ReviewModeration.shopping_mall_review_id.in_(wanted))
            .group_by(ReviewModeration.shopping_mall_review_id)
        ).all()
        assert len(rows) == target and {count for _, count in rows} == {1}
        assert (
            check.scalar(select(func.count()).select_from(Review).where(Review.state == "pending"))
            == REVIEWS - target
        )
        assert ratings.stored_sku_ratings(check) == ratings.recompute_sku_ratings(check)
        assert sum(r.total_reviews for r in ratings.stored_sku_ratings(check).values()) > 0


def test_reports_filed_at_once_all_count(race_app):
    """16 customers report one review at the same moment (16 connections): the review's
    summary counts 16, as a recount does; no filing lost to another's."""
    from mallconsole.models import ReviewReport
    from tests.moderation.reviews import add_review

    with race_app.app_context():
        session = db.session
        review_id = add_review(
            session, make_shelf(session, store_name="Race Reports"), state="approved"
        ).id
        session.commit()
        session.remove()
        engine = db.engine

    def file_report(i):
        with Session(engine) as session:
            session.add(
                ReviewReport(
                    shopping_mall_review_id=review_id, reporter_role="customer",
                    reason_category="spam", note=f"Report {i}", resolved=False,
                )
            )  # fmt: skip
            session.commit()

    results = in_threads(16, file_report)
    assert [r for r in results if isinstance(r, Exception)] == []
    with engine.connect() as connection:
        count, first = connection.execute(
            text(
                "SELECT open_report_count, first_open_report_at FROM shopping_mall_reviews "
                "WHERE id = :id"
            ),
            {"id": review_id},
        ).one()
        recount = connection.execute(
            text(
                "SELECT count(*), min(created_at) FROM shopping_mall_review_reports "
                "WHERE shopping_mall_review_id = :id AND NOT resolved"
            ),
            {"id": review_id},
        ).one()
    assert (count, first) == (16, recount[1]) and recount[0] == 16
