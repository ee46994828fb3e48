"""How the moderation team is doing: decisions today, time to a first decision, the age of the
pending queue, and the pending volume of the last days, all read from the reviews and their
moderation history.

Meanings (the home says them in words):

- *decided today*: distinct reviews with at least one moderation decision since midnight in the
  reader's time zone. A review decided twice today (a decision, then an undo or an appeal)
  counts once: it is one item taken off the queue; "by me" counts the reviews I decided.
- *median time to decision*: over the reviews whose first decision fell in the last
  ``MEDIAN_DAYS`` days, the median time from submission (the review's creation) to that first
  decision. Later re-decisions do not restart the clock.
- *queue age*: how long the oldest pending review has waited.
- *pending on day D*: reviews created by the end of D, not yet decided at the end of D (no
  moderation decision before then) and not deleted by their author before then.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from mallconsole.core.timezones import day_start, zone_info
from mallconsole.models import Review, ReviewModeration, utcnow

CHART_DAYS = 14
MEDIAN_DAYS = 7


@dataclass(frozen=True)
class DayVolume:
    """The reviews pending at the end of one day (for today: now)."""

    day: date
    pending: int


@dataclass(frozen=True)
class ModerationMetrics:
    """The numbers of the moderation home, for one moderator at one moment."""

    now: datetime
    zone: str
    decided_today_by_me: int
    decided_today_by_team: int
    median_time_to_decision: timedelta | None
    median_sample: int  # how many first decisions the median is taken over
    oldest_pending_at: datetime | None
    pending_by_day: tuple[DayVolume, ...]

    @property
    def queue_age(self) -> timedelta | None:
        """How long the oldest pending review has waited."""
        return None if self.oldest_pending_at is None else self.now - self.oldest_pending_at

    @property
    def busiest_day(self) -> int:
        return max((d.pending for d in self.pending_by_day), default=0)


def _first_decisions():
    """Each decided review with the time of its first decision."""
    return (
        select(
            ReviewModeration.shopping_mall_review_id.label("review_id"),
            func.min(ReviewModeration.created_at).label("first_at"),
        )
        .group_by(ReviewModeration.shopping_mall_review_id)
        .subquery()
    )


def decided_since(session, since: datetime, *, moderator_id: str | None = None) -> int:
    """Distinct reviews with a decision at or after ``since`` (by ``moderator_id`` if given)."""
    statement = select(func.count(func.distinct(ReviewModeration.shopping_mall_review_id))).where(
        ReviewModeration.created_at >= since
    )
    if moderator_id is not None:
        statement = statement.where(ReviewModeration.moderator_user_id == moderator_id)
    return session.execute(statement).scalar_one()


def time_to_first_decision(session, since: datetime) -> list[timedelta]:
    """Submission to first decision, for each review first decided at or after ``since``."""
    recent = select(ReviewModeration.shopping_mall_review_id).where(
        ReviewModeration.created_at >= since
    )
    first = (
        select(
            ReviewModeration.shopping_mall_review_id.label("review_id"),
            func.min(ReviewModeration.created_at).label("first_at"),
        )
        .where(ReviewModeration.shopping_mall_review_id.in_(recent))
        .group_by(ReviewModeration.shopping_mall_review_id)
        .subquery()
    )
    rows = session.execute(
        select(Review.created_at, first.c.first_at)
        .join(first, first.c.review_id == Review.id)
        .where(first.c.first_at >= since)
    ).all()
    return [_aware(decided) - _aware(created) for created, decided in rows]


def oldest_pending(session) -> datetime | None:
    """When the oldest pending review was written."""
    return session.execute(
        select(func.min(Review.created_at)).where(
            Review.state == "pending", Review.deleted_at.is_(None)
        )
    ).scalar_one()


def pending_by_day(session, *, today: date, zone: ZoneInfo, days: int = CHART_DAYS):
    """The pending reviews at the end of each of the ``days`` days up to ``today``."""
    first_day = today - timedelta(days=days - 1)
    ends = [day_start(first_day + timedelta(days=n + 1), zone) for n in range(days)]
    decided = _first_decisions()
    # Every review that was pending at some end of day: written before the last end, and not
    # decided or deleted before the first one.
    rows = session.execute(
        select(Review.created_at, Review.deleted_at, decided.c.first_at)
        .outerjoin(decided, decided.c.review_id == Review.id)
        .where(
            Review.created_at < ends[-1],
            or_(decided.c.first_at.is_(None), decided.c.first_at >= ends[0]),
            or_(Review.deleted_at.is_(None), Review.deleted_at >= ends[0]),
        )
    ).all()
    spans = [
        (_aware(created), _aware(deleted), _aware(first_at)) for created, deleted, first_at in rows
    ]
    return tuple(
        DayVolume(
            first_day + timedelta(days=n),
            sum(
                1
                for created, deleted, first_at in spans
                if created < end
                and (first_at is None or first_at >= end)
                and (deleted is None or deleted >= end)
            ),
        )
        for n, end in enumerate(ends)
    )


def moderation_metrics(
    session, *, moderator_id: str | None, zone: str | None = None, now: datetime | None = None
) -> ModerationMetrics:
    """The home's numbers for ``moderator_id``, with days in ``zone`` (UTC by default)."""
    now = now or utcnow()
    tz = zone_info(zone)
    today = now.astimezone(tz).date()
    midnight = day_start(today, tz)
    waits = time_to_first_decision(session, now - timedelta(days=MEDIAN_DAYS))
    oldest = oldest_pending(session)
    return ModerationMetrics(
        now=now,
        zone=tz.key,
        decided_today_by_me=(
            decided_since(session, midnight, moderator_id=moderator_id) if moderator_id else 0
        ),
        decided_today_by_team=decided_since(session, midnight),
        median_time_to_decision=statistics.median(waits) if waits else None,
        median_sample=len(waits),
        oldest_pending_at=_aware(oldest),
        pending_by_day=pending_by_day(session, today=today, zone=tz),
    )


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC from subqueries and aggregates: make it aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
