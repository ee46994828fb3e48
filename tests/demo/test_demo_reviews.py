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
