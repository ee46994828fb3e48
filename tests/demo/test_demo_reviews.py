"""The demo world gives the moderation screens real work, and its rating aggregates are what
a moderation decision would compute."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mallconsole.core import states
from mallconsole.services.moderation import ratings, review_queues


def test_every_moderation_queue_has_work_waiting(seeded):
    app, engine, _, _ = seeded
    with app.app_context(), Session(engine) as session:
        tabs = {tab.key: tab.count.value for tab in review_queues.queue_tabs(session)}
    assert tabs["pending"] > 0
    assert tabs["reported"] > 0
    assert tabs["replies"] > 0
    assert tabs["decided"] > 0


def test_the_sku_aggregates_equal_a_recomputation_from_the_reviews(seeded):
    app, engine, _, _ = seeded
    with app.app_context(), Session(engine) as session:
        stored = ratings.stored_sku_ratings(session)
        assert stored  # some SKUs have approved reviews
        assert stored == ratings.recompute_sku_ratings(session)


def test_each_reported_review_opens_in_focus_mode(seeded):
    app, engine, _, _ = seeded
    with app.app_context(), Session(engine) as session:
        statement = review_queues.filtered_statement("reported", {}).limit(3)
        for review_id in session.scalars(statement):
            focus = review_queues.focus(session, review_id)
            assert focus.open_reports
            assert focus.report_reason in states.REVIEW_REPORT_REASONS


def test_each_review_carries_the_summary_of_its_open_reports(demo):
    """The bulk load writes without the reports' triggers on PostgreSQL; what they keep is
    completed after it: every review's count and oldest open report equal a recount."""
    from sqlalchemy import text

    rows = demo.execute(
        text(
            "SELECT r.id, r.open_report_count, r.first_open_report_at, r.report_rank IS NULL, "
            "count(p.id), min(p.created_at) FROM shopping_mall_reviews r "
            "LEFT JOIN shopping_mall_review_reports p ON p.shopping_mall_review_id = r.id "
            "AND NOT p.resolved AND p.deleted_at IS NULL "
            "GROUP BY r.id, r.open_report_count, r.first_open_report_at, r.report_rank"
        )
    ).all()
    reported = [row for row in rows if row[4]]
    assert reported, "the demo world has reported reviews"
    wrong = [
        row
        for row in rows
        if row[1] != row[4]
        or str(row[2] or "")[:19] != str(row[5] or "")[:19]
        or row[3] != (row[4] == 0)
    ]
    assert wrong == []
