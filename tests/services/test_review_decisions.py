"""Moderation decisions: history with one effective row, reports resolved, exact SKU
aggregates, illegal moves, bulk decisions each audited, undo and appeal append history,
report dismissal and seller replies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mallconsole.core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from mallconsole.models import AuditEvent, RatingAggregate, ReviewModeration, utcnow
from mallconsole.services.kit import claims
from mallconsole.services.moderation import ratings, review_decisions, review_queues
from tests.moderation.reviews import (
    add_reply,
    add_report,
    add_review,
    add_reviews,
    make_moderator,
    make_shelf,
)


@pytest.fixture
def shelf(session):
    return make_shelf(session)


@pytest.fixture
def moderator(session):
    return make_moderator(session)


def history(session, review):
    return list(
        session.scalars(
            select(ReviewModeration)
            .where(ReviewModeration.shopping_mall_review_id == review.id)
            .order_by(ReviewModeration.created_at, ReviewModeration.id)
        )
    )


def audit_events(session, review):
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == review.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def assert_aggregates_exact(session):
    """The SKU aggregate table equals a recomputation from the reviews."""
    session.flush()
    assert ratings.stored_sku_ratings(session) == ratings.recompute_sku_ratings(session)


def test_approving_appends_the_effective_decision_audits_and_counts_the_rating(
    session, shelf, moderator
):
    review = add_review(session, shelf, rating="4.5")
    decided = review_decisions.decide_review(session, review.id, "approve", actor=moderator)

    assert review.state == "approved" and review.version == 2
    (row,) = history(session, review)
    assert (row.decision, row.reason_code, row.effective) == ("approve", "meets_policy", True)
    assert row.moderator_user_id == moderator.id
    (event,) = audit_events(session, review)
    assert event.action == "review.approve"
    assert event.changes["before"] == {"state": "pending", "version": 1}
    assert event.changes["after"]["state"] == "approved"
    assert event.changes["after"]["reason_code"] == "meets_policy"
    aggregate = session.scalars(
        select(RatingAggregate).where(RatingAggregate.sku_id == review.sku_id)
    ).one()
    assert aggregate.total_reviews == 1
    assert aggregate.ratings_4_count == 1  # 4.5 counts in the lower bucket
    assert Decimal(str(aggregate.average_rating)) == Decimal("4.5")
    assert aggregate.last_approved_review_at == row.created_at
    assert decided.before == "pending"
    assert_aggregates_exact(session)


@pytest.mark.parametrize("decision", ["reject", "remove"])
def test_rejecting_or_removing_needs_a_policy_reason(session, shelf, moderator, decision):
    review = add_review(session, shelf)
    with pytest.raises(ValidationError) as missing:
        review_decisions.decide_review(session, review.id, decision, actor=moderator)
    assert "reason" in missing.value.field_errors
    with pytest.raises(ValidationError):
        review_decisions.decide_review(
            session, review.id, decision, actor=moderator, reason="not_about_product"
        )
    assert review.state == "pending" and history(session, review) == []


def test_an_approval_takes_no_policy_reason_and_unknown_decisions_are_refused(
    session, shelf, moderator
):
    review = add_review(session, shelf)
    with pytest.raises(ValidationError):
        review_decisions.decide_review(
            session, review.id, "approve", actor=moderator, reason="spam"
        )
    with pytest.raises(ValidationError):
        review_decisions.decide_review(session, review.id, "publish", actor=moderator)
    with pytest.raises(ValidationError):
        review_decisions.decide_review(
            session, review.id, "reject", actor=moderator, reason="spam", note="x" * 2001
        )


@pytest.mark.parametrize(
    ("state", "decision"),
    [("approved", "approve"), ("rejected", "reject"), ("rejected", "remove")],
)
def test_moves_the_contract_does_not_list_are_refused(session, shelf, moderator, state, decision):
    review = add_review(session, shelf, state=state)
    before = history(session, review)
    with pytest.raises(InvalidTransition):
        review_decisions.decide_review(
            session,
            review.id,
            decision,
            actor=moderator,
            reason=None if decision == "approve" else "spam",
        )
    assert review.state == state and history(session, review) == before


def test_a_review_its_author_deleted_cannot_be_decided(session, shelf, moderator):
    review = add_review(session, shelf, state="removed_user", deleted_at=utcnow())
    with pytest.raises(NotFound):
        review_decisions.decide_review(session, review.id, "approve", actor=moderator)


def test_undo_and_appeal_append_history_with_one_effective_row(session, shelf, moderator):
    other = make_moderator(session)
    review = add_review(session, shelf, rating="2")
    add_review(session, shelf, state="approved", rating="5")
    ratings.rebuild_sku_aggregates(session, now=utcnow())
    start = utcnow()
    steps = [
        (moderator, "approve", None),
        (moderator, "reject", "spam"),  # undo: decided again
        (other, "approve", None),  # appeal heard
        (other, "remove", "fake"),
    ]
    for minute, (actor, decision, reason) in enumerate(steps):
        review_decisions.decide_review(
            session,
            review.id,
            decision,
            actor=actor,
            reason=reason,
            now=start + timedelta(minutes=minute),
        )
        assert_aggregates_exact(session)
    rows = history(session, review)
    assert [(r.decision, r.reason_code) for r in rows] == [
        ("approve", "meets_policy"),
        ("reject", "spam"),
        ("approve", "meets_policy"),
        ("remove", "fake"),
    ]
    assert [r.effective for r in rows] == [False, False, False, True]
    assert review.state == "removed_moderator" and review.version == 5
    assert [e.action for e in audit_events(session, review)] == [
        "review.approve",
        "review.reject",
        "review.approve",
        "review.remove",
    ]
    # only the 5-star review is approved now
    (only,) = ratings.stored_sku_ratings(session).values()
    assert only.total_reviews == 1 and only.buckets == (0, 0, 0, 0, 1)


def test_half_stars_count_in_the_lower_bucket_and_averages_are_exact(session, shelf, moderator):
    reviews = [add_review(session, shelf, rating=r) for r in ("4.5", "4", "1.5", "5", "3.5")]
    for review in reviews:
        review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    fresh = ratings.sku_ratings(session, shelf.skus[0].id)
    assert fresh.buckets == (1, 0, 1, 2, 1)
    assert fresh.total_reviews == 5
    assert fresh.average_rating == Decimal("3.7000")
    assert_aggregates_exact(session)
    # the other SKU of the product is untouched
    assert shelf.skus[1].id not in {sku for _, sku in ratings.stored_sku_ratings(session)}


def test_a_removal_resolves_every_open_report_with_the_matching_decision(session, shelf, moderator):
    review = add_review(session, shelf, state="approved")
    open_reports = [add_report(session, review, reason=r) for r in ("spam", "spam", "fake")]
    earlier = add_report(session, review, resolved=True, decision="dismissed")
    earlier_at = earlier.resolved_at
    decided = review_decisions.decide_review(
        session, review.id, "remove", actor=moderator, reason="spam", note="Advert for a shop."
    )
    assert decided.reports_resolved == 3
    for report in open_reports:
        assert report.resolved is True
        assert report.decision == "removed"
        assert report.resolver_user_id == moderator.id
        assert report.resolved_at == decided.moderation.created_at
    assert earlier.decision == "dismissed" and earlier.resolved_at == earlier_at
    assert decided.moderation.note == "Advert for a shop."
    assert_aggregates_exact(session)


def test_approving_a_reported_pending_review_dismisses_its_reports(session, shelf, moderator):
    review = add_review(session, shelf)
    report = add_report(session, review)
    review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    assert (report.resolved, report.decision) == (True, "dismissed")


def test_dismissing_reports_keeps_the_review_and_adds_no_decision(session, shelf, moderator):
    review = add_review(session, shelf, state="approved")
    reports = [add_report(session, review) for _ in range(2)]
    before = history(session, review)
    assert review_decisions.dismiss_reports(session, review.id, actor=moderator) == 2
    assert review.state == "approved" and history(session, review) == before
    assert {(r.resolved, r.decision) for r in reports} == {(True, "dismissed")}
    (event,) = audit_events(session, review)
    assert event.action == "review.reports_dismissed"
    assert event.changes == {
        "before": {"open_reports": 2},
        "after": {"open_reports": 0, "report_decision": "dismissed"},
    }
    with pytest.raises(Conflict):
        review_decisions.dismiss_reports(session, review.id, actor=moderator)


def test_a_review_claimed_by_another_moderator_is_theirs_to_decide(session, shelf, moderator):
    holder = make_moderator(session)
    review = add_review(session, shelf)
    review_queues.claim_batch(session, "pending", actor=holder)
    assert (
        claims.holder(session, "shopping_mall_reviews", review.id).claimed_by_user_id == holder.id
    )
    with pytest.raises(Conflict, match="moderating"):
        review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    # the holder decides it, and their claim on it ends
    review_decisions.decide_review(session, review.id, "approve", actor=holder)
    assert claims.holder(session, "shopping_mall_reviews", review.id) is None


def test_a_stale_version_is_refused(session, shelf, moderator):
    review = add_review(session, shelf)
    review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    with pytest.raises(Conflict):
        review_decisions.decide_review(
            session, review.id, "reject", actor=moderator, reason="spam", expected_version=1
        )
    assert review.state == "approved"


def test_bulk_decisions_record_each_review_on_its_own(session, shelf, moderator):
    reviews = add_reviews(session, shelf, 3)
    done = review_decisions.decide_reviews(
        session, [r.id for r in reviews] + [reviews[0].id], "reject", actor=moderator, reason="spam"
    )
    assert len(done) == 3
    for review in reviews:
        assert review.state == "rejected"
        assert [(m.decision, m.reason_code, m.effective) for m in history(session, review)] == [
            ("reject", "spam", True)
        ]
        assert [e.action for e in audit_events(session, review)] == ["review.reject"]
    with pytest.raises(ValidationError):
        review_decisions.decide_reviews(session, [], "approve", actor=moderator)
    with pytest.raises(ValidationError):
        review_decisions.decide_reviews(session, [reviews[0].id], "remove", actor=moderator)


def test_seller_replies_are_approved_or_rejected_with_a_reason(session, shelf, moderator):
    review = add_review(session, shelf, state="approved")
    reply = add_reply(session, review, shelf)
    with pytest.raises(ValidationError):
        review_decisions.decide_reply(session, reply.id, "reject", actor=moderator)
    with pytest.raises(ValidationError):
        review_decisions.decide_reply(session, reply.id, "remove", actor=moderator, reason="spam")
    review_decisions.decide_reply(session, reply.id, "reject", actor=moderator, reason="pii")
    assert reply.state == "rejected" and reply.version == 2
    review_decisions.decide_reply(session, reply.id, "approve", actor=moderator)  # re-decision
    assert reply.state == "approved"
    with pytest.raises(InvalidTransition):
        review_decisions.decide_reply(session, reply.id, "approve", actor=moderator)
    events = audit_events(session, reply)
    assert [(e.action, e.reason) for e in events] == [
        ("seller_reply.reject", "Personal information"),
        ("seller_reply.approve", "Meets the policy"),
    ]
    assert events[0].changes["before"]["state"] == "pending"


def test_rebuilding_the_aggregates_repairs_a_wrong_row(session, shelf, moderator):
    review = add_review(session, shelf, rating="3")
    review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    row = session.scalars(select(RatingAggregate)).one()
    row.total_reviews, row.ratings_3_count = 7, 7
    session.flush()
    assert ratings.stored_sku_ratings(session) != ratings.recompute_sku_ratings(session)
    assert ratings.rebuild_sku_aggregates(session, now=utcnow()) == 1
    assert_aggregates_exact(session)
    assert ratings.rebuild_sku_aggregates(session, now=utcnow()) == 0


def test_the_refresh_job_brings_the_product_rating_up_to_the_decisions(session, shelf, moderator):
    from mallconsole.models import ProductRatingAggregate
    from mallconsole.services import jobs

    first, second, third = (
        add_review(session, shelf, sku=n % 2, rating=r) for n, r in enumerate(("5", "4.5", "2"))
    )
    for review in (first, second, third):
        review_decisions.decide_review(session, review.id, "approve", actor=moderator)
    review_decisions.decide_review(session, third.id, "remove", actor=moderator, reason="spam")
    run = jobs.run_job("refresh-ratings", trigger="command")
    assert run.status == "succeeded"
    session.expire_all()
    row = session.scalars(
        select(ProductRatingAggregate).where(ProductRatingAggregate.product_id == shelf.product.id)
    ).one()
    assert row.total_reviews == 2  # the removed review no longer counts
    assert Decimal(str(row.average_rating)) == Decimal("4.7500")
    assert (row.ratings_5_count, row.ratings_4_count, row.ratings_2_count) == (1, 1, 0)
