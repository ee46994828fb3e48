"""The moderation queues: what each holds and in which order, filters, counts and oldest age,
claiming batches (size and minutes from the configuration), renewal and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mallconsole.core import states
from mallconsole.models import Configuration, ReviewMedia, utcnow
from mallconsole.services.kit import claims
from mallconsole.services.kit.pagination import decode_cursor, parse_ordering
from mallconsole.services.moderation import review_decisions, review_queues
from tests.factories.records import build
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


def configure(session, key, value):
    session.add(Configuration(key=key, value=value))
    session.flush()


def page(session, queue, filters=None, *, sort=None, user_id=None, limit=50):
    ordering = parse_ordering(
        sort,
        review_queues.SORTS[queue],
        review_queues.DEFAULT_SORTS[queue],
        review_queues.ID_COLUMNS[queue],
    )
    return review_queues.queue_page(
        session, queue, filters or {}, ordering, user_id=user_id, cursor=None, limit=limit
    )


def titles(result):
    return [row.review.title for row in result.rows]


def test_pending_lists_only_reviews_waiting_for_a_first_decision_oldest_first(session, shelf):
    add_review(session, shelf, title="newer", written_ago=timedelta(minutes=5))
    add_review(session, shelf, title="older", written_ago=timedelta(hours=5))
    add_review(session, shelf, title="approved", state="approved")
    add_review(session, shelf, title="deleted", deleted_at=utcnow())
    assert titles(page(session, "pending")) == ["older", "newer"]
    rows = page(session, "pending").rows
    assert rows[0].product_title == shelf.product.title
    assert rows[0].store_name == shelf.store.name
    assert rows[0].sku_code == shelf.skus[0].sku_code


def test_reported_is_ordered_by_open_reports_and_ignores_resolved_ones(session, shelf):
    one = add_review(session, shelf, title="one report", state="approved")
    three = add_review(session, shelf, title="three reports", state="approved")
    done = add_review(session, shelf, title="resolved only", state="approved")
    add_report(session, one)
    for _ in range(3):
        add_report(session, three)
    add_report(session, done, resolved=True)
    result = page(session, "reported")
    assert titles(result) == ["three reports", "one report"]
    assert [row.open_reports for row in result.rows] == [3, 1]
    assert titles(page(session, "reported", sort="reports")) == ["one report", "three reports"]


def test_reported_reviews_with_as_many_reports_wait_in_the_order_they_were_first_reported(
    session, shelf
):
    from datetime import timedelta

    now = utcnow()
    titles_by_age = ["reported 3 days ago", "reported 2 days ago", "reported yesterday"]
    for title, days in (("reported yesterday", 1), ("reported 3 days ago", 3),
                        ("reported 2 days ago", 2)):  # fmt: skip
        review = add_review(session, shelf, title=title, state="approved")
        add_report(session, review, created_at=now - timedelta(days=days))
        add_report(session, review, created_at=now - timedelta(hours=1))
    busiest = add_review(session, shelf, title="three reports", state="approved")
    for _ in range(3):
        add_report(session, busiest, created_at=now)
    assert titles(page(session, "reported")) == ["three reports", *titles_by_age]
    first = page(session, "reported", limit=2)
    assert titles(first) == ["three reports", "reported 3 days ago"]
    ordering = first.ordering
    second = review_queues.queue_page(
        session, "reported", {}, ordering, user_id=None, limit=2,
        cursor=decode_cursor(first.next_cursor, ordering),
    )  # fmt: skip
    assert titles(second) == ["reported 2 days ago", "reported yesterday"]


def test_replies_and_recently_decided(session, shelf, moderator):
    review = add_review(session, shelf, title="with reply", state="approved")
    add_reply(session, review, shelf)
    other = add_review(session, shelf, title="public reply", state="approved")
    add_reply(session, other, shelf, state="approved")
    result = page(session, "replies")
    assert titles(result) == ["with reply"]
    assert result.rows[0].reply.body == "Thanks for the review!"

    mine = add_review(session, shelf, title="decided by me")
    review_decisions.decide_review(session, mine.id, "reject", actor=moderator, reason="spam")
    decided = page(session, "decided")
    assert titles(decided)[0] == "decided by me"  # newest first
    assert decided.rows[0].moderation.reason_code == "spam"
    assert titles(page(session, "decided", {"decided_by": "me"}, user_id=moderator.id)) == [
        "decided by me"
    ]


def test_filters(session, shelf):
    other_shelf = make_shelf(session, title="Garden Hose", store_name="Willow Supply")
    with_media = add_review(session, shelf, title="photo", rating="4.5", language="de")
    build(
        session,
        ReviewMedia,
        shopping_mall_review_id=with_media.id,
        uri="https://cdn.demo.mall/r/1.jpg",
        mime_type="image/jpeg",
        kind="image",
        position=0,
    )
    add_review(session, shelf, title="unverified", rating="2", verified_purchase=False)
    add_review(session, other_shelf, title="hose", rating="4")
    reported = add_review(session, other_shelf, title="reported", rating="1")
    add_report(session, reported, reason="pii")

    def find(**filters):
        return sorted(titles(page(session, "pending", filters)))

    assert find(product="garden") == ["hose", "reported"]
    assert find(product=shelf.skus[0].sku_code) == ["photo", "unverified"]
    assert find(store="cobalt") == ["photo", "unverified"]
    assert find(store=other_shelf.store.store_code) == ["hose", "reported"]
    assert find(rating="4") == ["hose", "photo"]  # 4.5 is a four-star review
    assert find(language="de") == ["photo"]
    assert find(media="yes") == ["photo"]
    assert "photo" not in find(media="no")
    assert find(verified="no") == ["unverified"]
    assert find(reason="pii") == ["reported"]
    assert find(reason="spam") == []
    assert review_queues.count_items(session, "pending", {"rating": "4"}).value == 2


def test_tabs_count_and_say_how_old_the_oldest_is(session, shelf):
    add_review(session, shelf, written_ago=timedelta(hours=30))
    add_review(session, shelf)
    reported = add_review(session, shelf, state="approved")
    add_report(session, reported)
    tabs = {tab.key: tab for tab in review_queues.queue_tabs(session)}
    assert tabs["pending"].count.value == 2
    assert tabs["reported"].count.value == 1
    assert tabs["replies"].count.value == 0
    assert tabs["pending"].age(utcnow()) == "30 h"
    assert tabs["decided"].oldest is None


def test_a_wait_of_days_reads_to_the_nearest_day_as_the_home_says_it():
    assert review_queues.age_words(timedelta(hours=71, minutes=44)) == "3 days"
    assert review_queues.age_words(timedelta(hours=59)) == "2 days"
    assert review_queues.age_words(timedelta(hours=47, minutes=59)) == "47 h"
    assert review_queues.age_words(timedelta(minutes=59)) == "59 min"


def test_a_batch_is_claimed_to_the_configured_size_and_others_get_the_next_ones(
    session, shelf, moderator
):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "3")
    configure(session, states.MODERATION_CLAIM_MINUTES, "7")
    reviews = add_reviews(session, shelf, 8)
    mine = review_queues.claim_batch(session, "pending", actor=moderator)
    assert [c.entity_id for c in mine] == [r.id for r in reviews[:3]]  # oldest first
    assert {c.expires_at - c.claimed_at < timedelta(minutes=7, seconds=1) for c in mine} == {True}
    second = make_moderator(session)
    theirs = review_queues.claim_batch(session, "pending", actor=second)
    assert [c.entity_id for c in theirs] == [r.id for r in reviews[3:6]]
    # claiming again tops up to the batch size, it does not take more
    assert len(review_queues.claim_batch(session, "pending", actor=moderator)) == 3
    # held items, in order, with the review each is about
    held = review_queues.held_items(session, "pending", actor=moderator)
    assert [h.review_id for h in held] == [r.id for r in reviews[:3]]
    # the list says who holds what
    rows = page(session, "pending").rows
    assert [row.holder_id for row in rows[:6]] == [moderator.id] * 3 + [second.id] * 3
    assert rows[6].holder is None


def test_claims_follow_the_filters_and_the_reply_queue(session, shelf, moderator):
    low = add_review(session, shelf, rating="1")
    add_review(session, shelf, rating="5")
    given = review_queues.claim_batch(session, "pending", {"rating": "1"}, actor=moderator)
    assert [c.entity_id for c in given] == [low.id]
    approved = add_review(session, shelf, state="approved")
    reply = add_reply(session, approved, shelf)
    (claim,) = review_queues.claim_batch(session, "replies", actor=moderator)
    assert claim.entity_table == "shopping_mall_seller_replies" and claim.entity_id == reply.id
    assert review_queues.held_items(session, "replies", actor=moderator)[0].review_id == approved.id


def test_expired_claims_return_to_the_queue(session, shelf, moderator):
    configure(session, states.MODERATION_CLAIM_BATCH_SIZE, "2")
    reviews = add_reviews(session, shelf, 2)
    long_ago = utcnow() - timedelta(minutes=30)
    review_queues.claim_batch(session, "pending", actor=moderator, now=long_ago)
    assert review_queues.held_items(session, "pending", actor=moderator) == []
    second = make_moderator(session)
    taken = review_queues.claim_batch(session, "pending", actor=second)
    assert [c.entity_id for c in taken] == [r.id for r in reviews]
    # and the sweep deletes claims whose time is up
    third = make_moderator(session)
    review_queues.claim_batch(session, "pending", actor=third, now=long_ago)
    assert claims.expire(session, now=utcnow()) == 0  # the second holds them live


def test_working_renews_the_claims(session, shelf, moderator):
    add_reviews(session, shelf, 2)
    start = utcnow() - timedelta(minutes=8)
    review_queues.claim_batch(session, "pending", actor=moderator, now=start)
    review_queues.renew_claims(session, "pending", actor=moderator)
    held = review_queues.held_items(session, "pending", actor=moderator)
    assert len(held) == 2
    assert min(h.expires_at for h in held) > utcnow() + timedelta(minutes=9)


def test_only_web_addresses_are_media(session):
    assert review_queues.safe_uri("https://cdn.demo.mall/a.jpg") == "https://cdn.demo.mall/a.jpg"
    for hostile in (
        "javascript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        'https://x.test/a.jpg" onerror="alert(1)',
        " JAVASCRIPT:alert(1)",
        "//evil.test/a.jpg",
        None,
    ):
        assert review_queues.safe_uri(hostile) is None
