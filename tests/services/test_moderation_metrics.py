"""The moderation home's numbers on hand-built histories: what counts as decided today, the
median time to a first decision, the queue age and the pending volume of each day."""

from datetime import UTC, date, datetime, timedelta

from mallconsole.core.roles import Role
from mallconsole.models import Review, ReviewModeration
from mallconsole.services import dashboards
from mallconsole.services.moderation.moderation_metrics import CHART_DAYS, moderation_metrics
from tests.factories.actors import make_staff
from tests.factories.records import build

# Saturday 5 December 2026, 15:00 UTC (00:00 on the 6th in Seoul)
NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def review(session, *, written, state="pending", **values):
    return build(session, Review, state=state, created_at=written, updated_at=written, **values)


def decide(session, item, moderator, at, decision="approve", *, effective=True):
    item.state = {"approve": "approved", "reject": "rejected"}[decision]
    return build(
        session,
        ReviewModeration,
        shopping_mall_review_id=item.id,
        moderator_user_id=moderator.id,
        decision=decision,
        reason_code="meets_policy" if decision == "approve" else "spam",
        effective=effective,
        created_at=at,
        updated_at=at,
    )


def moderators(session):
    return (
        make_staff(session, "me@metrics.test", (Role.CONTENT_MODERATOR,)),
        make_staff(session, "other@metrics.test", (Role.CONTENT_MODERATOR,)),
    )


def test_nothing_decided_and_nothing_waiting(session):
    me, _ = moderators(session)
    metrics = moderation_metrics(session, moderator_id=me.id, now=NOW)
    assert metrics.decided_today_by_me == metrics.decided_today_by_team == 0
    assert metrics.median_time_to_decision is None and metrics.median_sample == 0
    assert metrics.oldest_pending_at is None and metrics.queue_age is None
    assert len(metrics.pending_by_day) == CHART_DAYS
    assert {d.pending for d in metrics.pending_by_day} == {0}


def test_a_review_decided_twice_today_counts_once(session):
    me, other = moderators(session)
    twice = review(session, written=NOW - timedelta(hours=30))
    decide(session, twice, me, NOW - timedelta(hours=3), effective=False)
    decide(session, twice, me, NOW - timedelta(hours=2), "reject")  # undo: rejected after all
    mine_and_theirs = review(session, written=NOW - timedelta(hours=20))
    decide(session, mine_and_theirs, me, NOW - timedelta(hours=4), effective=False)
    decide(session, mine_and_theirs, other, NOW - timedelta(hours=1), "reject")
    theirs = review(session, written=NOW - timedelta(hours=10))
    decide(session, theirs, other, NOW - timedelta(minutes=5))
    yesterday = review(session, written=NOW - timedelta(days=2))
    decide(session, yesterday, me, NOW - timedelta(hours=16))  # 23:00 UTC the day before

    metrics = moderation_metrics(session, moderator_id=me.id, now=NOW)
    assert metrics.decided_today_by_me == 2
    assert metrics.decided_today_by_team == 3


def test_today_starts_at_midnight_in_the_readers_zone(session):
    me, _ = moderators(session)
    item = review(session, written=NOW - timedelta(days=1))
    decide(session, item, me, NOW - timedelta(hours=2))  # 13:00 UTC = 22:00 in Seoul, the 5th
    assert moderation_metrics(session, moderator_id=me.id, now=NOW).decided_today_by_me == 1
    # In Seoul it is already 00:00 on the 6th: that decision was yesterday.
    seoul = moderation_metrics(session, moderator_id=me.id, zone="Asia/Seoul", now=NOW)
    assert seoul.decided_today_by_me == 0 and seoul.zone == "Asia/Seoul"
    assert seoul.pending_by_day[-1].day == date(2026, 12, 6)
    # An unknown zone falls back to UTC rather than failing the page.
    assert moderation_metrics(session, moderator_id=me.id, zone="Mars/Olympus", now=NOW).zone == (
        "UTC"
    )


def test_median_time_runs_from_submission_to_the_first_decision_of_the_last_seven_days(session):
    me, other = moderators(session)
    for hours in (1, 3, 10):
        item = review(session, written=NOW - timedelta(days=2, hours=hours))
        decide(session, item, me, NOW - timedelta(days=2))
    # re-decided today, but first decided 8 days ago: not in the sample
    old = review(session, written=NOW - timedelta(days=9))
    decide(session, old, other, NOW - timedelta(days=8), effective=False)
    decide(session, old, other, NOW - timedelta(hours=1), "reject")
    # an appeal does not restart the clock: the first decision took 4 hours
    appealed = review(session, written=NOW - timedelta(days=3))
    decide(session, appealed, me, NOW - timedelta(days=3) + timedelta(hours=4), "reject")
    decide(session, appealed, other, NOW - timedelta(hours=2))

    metrics = moderation_metrics(session, moderator_id=me.id, now=NOW)
    assert metrics.median_sample == 4
    assert metrics.median_time_to_decision == timedelta(hours=3, minutes=30)  # of 1, 3, 4, 10 h


def test_queue_age_is_the_wait_of_the_oldest_pending_review(session):
    me, _ = moderators(session)
    review(session, written=NOW - timedelta(hours=7))
    review(session, written=NOW - timedelta(hours=50))
    review(session, written=NOW - timedelta(days=20), state="approved")
    review(session, written=NOW - timedelta(days=30), deleted_at=NOW - timedelta(days=29))
    metrics = moderation_metrics(session, moderator_id=me.id, now=NOW)
    assert metrics.queue_age == timedelta(hours=50)


def test_pending_volume_follows_the_moderation_history_day_by_day(session):
    me, _ = moderators(session)
    day = timedelta(days=1)
    start = datetime(2026, 11, 22, tzinfo=UTC)  # the chart's first day (14 days to the 5th)
    # waiting since before the chart, decided on Nov 25 at noon
    early = review(session, written=start - 3 * day)
    decide(session, early, me, start + 3 * day + timedelta(hours=12))
    # written Nov 23, first decided Nov 30 (re-decided later: still decided since Nov 30)
    week = review(session, written=start + day + timedelta(hours=8))
    decide(session, week, me, start + 8 * day + timedelta(hours=1), effective=False)
    decide(session, week, me, start + 10 * day, "reject")
    # written Nov 28, deleted by its author on Dec 1 without a decision
    withdrawn = review(session, written=start + 6 * day, state="removed_user")
    withdrawn.deleted_at = start + 9 * day + timedelta(hours=3)
    # written and decided within Nov 27: never pending at the end of a day
    quick = review(session, written=start + 5 * day + timedelta(hours=1))
    decide(session, quick, me, start + 5 * day + timedelta(hours=2))
    # still waiting, written today
    review(session, written=NOW - timedelta(hours=1))
    # decided before the chart began: never on it
    gone = review(session, written=start - 10 * day)
    decide(session, gone, me, start - 9 * day)
    session.flush()

    metrics = moderation_metrics(session, moderator_id=me.id, now=NOW)
    days = metrics.pending_by_day
    assert [d.day for d in days] == [date(2026, 11, 22) + n * day for n in range(CHART_DAYS)]
    # Nov: 22 23 24 25 26 27 28 29 30, Dec: 1 2 3 4 5
    assert [d.pending for d in days] == [1, 2, 2, 1, 1, 1, 2, 2, 1, 0, 0, 0, 0, 1]
    # today's bar is the pending queue now
    pending_now = dashboards.moderation_queues(session)[0].count.value
    assert days[-1].pending == pending_now == 1
    assert metrics.busiest_day == 2
