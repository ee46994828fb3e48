"""Each review carries the summary of its open reports (count, oldest, rank), kept by triggers
on the reports whoever writes them: filed, resolved, deleted or moved, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mallconsole.models import Review, ReviewReport
from tests.moderation.reviews import add_report, add_review, make_shelf

T0 = datetime(2026, 11, 1, 9, 0, 0, tzinfo=UTC)
SCALE = 10_000_000_000


@pytest.fixture
def shelf(session):
    return make_shelf(session)


def summary(session, review):
    session.flush()
    session.expire(review)
    return review.open_report_count, review.first_open_report_at, review.report_rank


def rank(count: int, first: datetime) -> int:
    return count * SCALE - int(first.timestamp())


def test_a_review_without_reports_has_no_rank(session, shelf):
    review = add_review(session, shelf)
    assert summary(session, review) == (0, None, None)


def test_filed_reports_count_and_the_oldest_open_one_leads(session, shelf):
    review = add_review(session, shelf, state="approved")
    add_report(session, review, created_at=T0 + timedelta(hours=2))
    assert summary(session, review) == (
        1,
        T0 + timedelta(hours=2),
        rank(1, T0 + timedelta(hours=2)),
    )
    add_report(session, review, created_at=T0)
    add_report(session, review, created_at=T0 + timedelta(hours=5))
    assert summary(session, review) == (3, T0, rank(3, T0))


def test_resolved_and_deleted_reports_leave_the_summary(session, shelf):
    review = add_review(session, shelf, state="approved")
    first = add_report(session, review, created_at=T0)
    second = add_report(session, review, created_at=T0 + timedelta(hours=1))
    add_report(session, review, resolved=True, created_at=T0 - timedelta(days=1))
    assert summary(session, review) == (2, T0, rank(2, T0))
    first.resolved, first.decision = True, "dismissed"
    assert summary(session, review) == (
        1,
        T0 + timedelta(hours=1),
        rank(1, T0 + timedelta(hours=1)),
    )
    second.deleted_at = T0 + timedelta(days=1)
    assert summary(session, review) == (0, None, None)


def test_a_report_moved_or_removed_updates_both_reviews(session, shelf):
    one = add_review(session, shelf, state="approved")
    other = add_review(session, shelf, sku=1, state="approved")
    report = add_report(session, one, created_at=T0)
    report.shopping_mall_review_id = other.id
    assert summary(session, one) == (0, None, None)
    assert summary(session, other) == (1, T0, rank(1, T0))
    session.delete(report)
    assert summary(session, other) == (0, None, None)


def test_the_summary_orders_the_reported_queue(session, shelf):
    """More open reports first; as many: the one reported first."""
    from sqlalchemy import select

    many = add_review(session, shelf, state="approved")
    early = add_review(session, shelf, sku=1, state="approved")
    late = add_review(session, shelf, state="approved")
    for hours in (1, 2, 3):
        add_report(session, many, created_at=T0 + timedelta(hours=hours))
    add_report(session, early, created_at=T0)
    add_report(session, late, created_at=T0 + timedelta(days=1))
    session.flush()
    ordered = session.scalars(
        select(Review.id)
        .where(Review.report_rank.is_not(None))
        .order_by(Review.report_rank.desc(), Review.id.desc())
    ).all()
    assert ordered == [many.id, early.id, late.id]
    assert session.query(ReviewReport).count() == 5
