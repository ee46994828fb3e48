"""The moderation home on the demo world: each number equals its recomputation in plain SQL,
and the pending-volume chart is an SVG with one bar per day of the last 14."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, time, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import bindparam, text

from mallconsole.models import UTCDateTime
from mallconsole.services.moderation.moderation_metrics import CHART_DAYS
from tests.conftest import sign_in
from tests.demo.conftest import fresh_database, seeded  # noqa: F401  (the seeded world)

WHEN = UTCDateTime()


def scalar(connection, sql, **params):
    statement = text(sql).bindparams(
        *(bindparam(name, type_=WHEN) for name, v in params.items() if isinstance(v, datetime))
    )
    return connection.execute(statement, params).scalar()


def aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def home(seeded):  # noqa: F811
    app, engine, _, _ = seeded
    client = app.test_client()
    assert sign_in(client, "moderator@demo.mall", "demo-console-pass").status_code == 302
    response = client.get("/moderation/")
    assert response.status_code == 200
    now = datetime.now(UTC)
    with engine.connect() as connection:
        me = scalar(
            connection, "SELECT id FROM shopping_mall_users WHERE email = 'moderator@demo.mall'"
        )
        yield BeautifulSoup(response.data, "html.parser"), connection, me, now


def metric(page, name) -> str:
    return page.select_one(f'[data-metric="{name}"]')["data-value"]


def test_decided_today_equals_distinct_reviews_decided_since_midnight(home):
    page, connection, me, now = home
    midnight = datetime.combine(now.date(), time.min, tzinfo=UTC)  # demo staff read UTC
    assert "(UTC)" in page.select_one('[data-metric="decided_by_me"]').get_text()
    decided = (
        "SELECT count(DISTINCT shopping_mall_review_id) FROM shopping_mall_review_moderations "
        "WHERE created_at >= :midnight"
    )
    team = scalar(connection, decided, midnight=midnight)
    mine = scalar(connection, decided + " AND moderator_user_id = :me", midnight=midnight, me=me)
    assert int(metric(page, "decided_by_team")) == team
    assert int(metric(page, "decided_by_me")) == mine
    assert mine <= team


def test_median_time_to_first_decision_of_the_last_seven_days(home):
    page, connection, _, now = home
    rows = connection.execute(
        text(
            "SELECT r.created_at, f.first_at FROM shopping_mall_reviews r JOIN ("
            "  SELECT shopping_mall_review_id AS id, min(created_at) AS first_at"
            "  FROM shopping_mall_review_moderations GROUP BY shopping_mall_review_id"
            ") f ON f.id = r.id"
        )
    ).all()
    since = now - timedelta(days=7)
    waits = [aware(first) - aware(created) for created, first in rows if aware(first) >= since]
    assert waits, "the demo world has first decisions in the last 7 days"
    shown = metric(page, "median_time")
    assert int(shown) == int(statistics.median(waits).total_seconds())
    assert f"over the {len(waits):,} reviews" in page.select_one(
        '[data-metric="median_time"]'
    ).get_text(" ", strip=True)


def test_queue_age_is_the_oldest_pending_review(home):
    page, connection, _, now = home
    oldest = aware(
        scalar(
            connection,
            "SELECT min(created_at) FROM shopping_mall_reviews "
            "WHERE state = 'pending' AND deleted_at IS NULL",
        )
    )
    assert oldest is not None, "the demo world has pending reviews"
    age = int(metric(page, "queue_age"))
    assert abs(age - (now - oldest).total_seconds()) < 60


def test_queue_cards_count_and_age_each_queue(home):
    page, connection, _, _ = home
    expected = {
        "reviews_pending": "SELECT count(*) FROM shopping_mall_reviews "
        "WHERE state = 'pending' AND deleted_at IS NULL",
        "reports_open": "SELECT count(DISTINCT shopping_mall_review_id) "
        "FROM shopping_mall_review_reports WHERE resolved = false AND deleted_at IS NULL",
        "replies_pending": "SELECT count(*) FROM shopping_mall_seller_replies "
        "WHERE state = 'pending' AND deleted_at IS NULL",
    }
    for key, sql in expected.items():
        row = page.select_one(f'tr[data-queue="{key}"]')
        assert int(row.select_one(".count")["data-count"]) == scalar(connection, sql), key
        assert row.select_one("td.oldest time"), key  # each queue has work waiting
    assert int(page.select_one('tr[data-queue="reviews_pending"] .count')["data-count"]) > 0


def test_chart_is_an_svg_with_one_bar_per_day_equal_to_the_history(home):
    page, connection, _, now = home
    svg = page.select_one("figure.chart svg")
    assert svg is not None and svg["role"] == "img"
    assert svg.find("title").get_text().startswith("Pending reviews at the end of each day")
    assert svg.find("desc").get_text()
    bars = svg.select("g.bar")
    assert len(bars) == CHART_DAYS == len(svg.select("g.bar rect"))
    assert all(bar.find("title").get_text() for bar in bars)
    pending_at = (
        "SELECT count(*) FROM shopping_mall_reviews r WHERE r.created_at < :end "
        "AND (r.deleted_at IS NULL OR r.deleted_at >= :end) AND NOT EXISTS ("
        "  SELECT 1 FROM shopping_mall_review_moderations m"
        "  WHERE m.shopping_mall_review_id = r.id AND m.created_at < :end)"
    )
    for n, bar in enumerate(bars):
        day = now.date() - timedelta(days=CHART_DAYS - 1 - n)
        assert bar["data-day"] == day.isoformat()
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
        assert int(bar["data-pending"]) == scalar(connection, pending_at, end=end), day
    # today's bar is the pending queue
    pending = page.select_one('tr[data-queue="reviews_pending"] .count')["data-count"]
    assert bars[-1]["data-pending"] == pending
    # the numbers are also a table beside the chart
    assert len(page.select("details.chart-data tbody tr")) == CHART_DAYS
