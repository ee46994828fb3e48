"""The moderation screens through the Flask client: each queue and filter, constant queries
per page, claiming and focus mode, decisions and their refusals, bulk, undo, reports, seller
replies, and hostile review content shown as text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.models import (
    AuditEvent,
    Configuration,
    JobRun,
    ReviewMedia,
    ReviewModeration,
    utcnow,
)
from mallconsole.services.kit import claims
from mallconsole.services.moderation import review_queues
from tests.factories.records import build
from tests.moderation.reviews import (
    add_reply,
    add_report,
    add_review,
    add_reviews,
    make_moderator,
    make_shelf,
)
from tests.query_counts import assert_constant_queries
from tests.tab_polls import counts_of, polled_tabs


@pytest.fixture
def shelf(session):
    return make_shelf(session)


@pytest.fixture
def moderator(login_as):
    return login_as(Role.CONTENT_MODERATOR)


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def row_titles(page):
    return [
        a.get_text(strip=True) for a in page.select("table.list-table tbody td.review-cell > a")
    ]


def post(client, token_of, url, **data):
    token = token_of("/moderation/reviews")
    return client.post(url, data={"csrf_token": token, **data})


def test_the_queues_list_their_reviews_with_counts_and_the_area_link(
    client, session, shelf, moderator
):
    add_reviews(session, shelf, 2, title="Waiting")
    reported = add_review(session, shelf, state="approved", title="Reported one")
    add_report(session, reported)
    add_reply(session, reported, shelf, body="We are sorry to hear that.")
    page = soup(client.get("/moderation/reviews"))
    assert row_titles(page) == ["Waiting", "Waiting"]
    tabs = {a["data-queue"]: a for a in page.select("#queue-tabs a")}
    assert tabs["pending"]["aria-current"] == "page"
    assert tabs["pending"].select_one(".count").get_text() == "2"
    assert "oldest" in tabs["pending"].get_text()
    assert page.select_one('.areanav a[aria-current="page"]').get_text() == "Reviews"
    assert row_titles(soup(client.get("/moderation/reviews?queue=reported"))) == ["Reported one"]
    replies = soup(client.get("/moderation/reviews?queue=replies"))
    assert "We are sorry to hear that." in replies.select_one("td.reply-cell").get_text()
    decided = soup(client.get("/moderation/reviews?queue=decided"))
    assert "Reported one" in row_titles(decided)
    assert decided.select_one("#bulk-form") is None  # decided reviews are re-decided one by one


def test_the_queue_tabs_poll_their_counts_without_the_list(client, session, shelf, moderator):
    add_reviews(session, shelf, 1, title="Waiting")
    tabs = soup(client.get("/moderation/reviews?queue=reported")).select_one("#queue-tabs")
    add_reviews(session, shelf, 2, title="Arrived since")
    counts = counts_of(polled_tabs(client, tabs), "queue")
    assert counts["pending"] == "3" and counts["current"] == "reported"


def test_filters_narrow_the_queue_and_bad_values_are_refused(client, session, shelf, moderator):
    add_review(session, shelf, title="Five", rating="5")
    add_review(session, shelf, title="One", rating="1", verified_purchase=False)
    page = soup(client.get("/moderation/reviews?queue=pending&rating=1"))
    assert row_titles(page) == ["One"]
    assert row_titles(soup(client.get("/moderation/reviews?verified=yes"))) == ["Five"]
    assert row_titles(soup(client.get("/moderation/reviews?product=nothing-like-it"))) == []
    for bad in ("queue=everything", "rating=9", "media=maybe", "sort=-title", "limit=7"):
        response = client.get(f"/moderation/reviews?{bad}")
        assert response.status_code == 400, bad


def test_a_page_runs_the_same_queries_for_10_and_100_rows(
    client, session, shelf, moderator, count_queries
):
    def add_rows(n):
        for review in add_reviews(session, shelf, n):
            add_report(session, review)
            build(
                session,
                ReviewMedia,
                shopping_mall_review_id=review.id,
                uri=f"https://cdn.demo.mall/{review.id}.jpg",
                mime_type="image/jpeg",
                kind="image",
                position=0,
            )

    def read(limit):
        for queue in ("pending", "reported"):
            size = 25 if limit == 10 else 100  # the page sizes offered
            response = client.get(f"/moderation/reviews?queue={queue}&limit={size}")
            assert response.status_code == 200
            assert len(row_titles(soup(response))) == limit

    assert_constant_queries(count_queries, add_rows, read)


def test_the_reply_and_decided_queues_run_the_same_queries_for_10_and_100_rows(
    client, session, shelf, moderator, count_queries
):
    def add_rows(n):
        for _ in range(n):
            review = add_review(session, shelf, state="approved")
            add_reply(session, review, shelf)

    def read(limit):
        size = 25 if limit == 10 else 100
        for queue, cell in (("replies", "td.reply-cell"), ("decided", "td.review-cell")):
            response = client.get(f"/moderation/reviews?queue={queue}&limit={size}")
            assert response.status_code == 200
            assert len(soup(response).select(f"#listing {cell}")) == limit

    assert_constant_queries(count_queries, add_rows, read)


def test_the_focus_screen_runs_the_same_queries_however_much_context_a_review_has(
    client, session, shelf, moderator, count_queries
):
    from mallconsole.models import User

    author = build(session, User, name="Prolific Writer")
    review = add_review(session, shelf, author=author, title="In focus")
    add_reply(session, review, shelf)

    def add_rows(n):
        start = len(review_media())
        for i in range(start, start + n):
            add_report(session, review, note=f"report {i}")
            build(
                session,
                ReviewMedia,
                shopping_mall_review_id=review.id,
                uri=f"https://cdn.demo.mall/{review.id}/{i}.jpg",
                mime_type="image/jpeg",
                kind="image",
                position=i,
            )
            add_report(session, add_review(session, shelf, author=author, state="approved"))

    def review_media():
        return session.scalars(
            select(ReviewMedia).where(ReviewMedia.shopping_mall_review_id == review.id)
        ).all()

    def read(limit):
        page = soup(client.get(f"/moderation/reviews/{review.id}?queue=pending"))
        assert len(page.select(".review-media img")) == limit
        assert len(page.select(".report-list li")) == limit

    assert_constant_queries(count_queries, add_rows, read)


def test_people_without_the_role_are_kept_out(client, session, login_as):
    login_as(Role.SUPPORT_AGENT)
    assert client.get("/moderation/reviews").status_code == 403


def test_start_moderating_claims_a_batch_and_opens_the_first(
    client, session, shelf, moderator, token_of
):
    session.add(Configuration(key=states.MODERATION_CLAIM_BATCH_SIZE, value="3"))
    reviews = add_reviews(session, shelf, 5)
    response = post(client, token_of, "/moderation/claims", queue="pending")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/reviews/{reviews[0].id}?queue=pending"
    held = review_queues.held_items(session, "pending", actor=moderator)
    assert [h.review_id for h in held] == [r.id for r in reviews[:3]]
    focus = soup(client.get(response.headers["Location"]))
    assert "1 of 3" in focus.select_one(".focus-bar").get_text()
    assert focus.select_one('a[data-moderation-key="j"]')["href"].startswith(
        f"/moderation/reviews/{reviews[1].id}"
    )
    assert (
        focus.select_one('button[data-moderation-key="a"]')
        .get_text(strip=True)
        .startswith("Approve")
    )
    assert len(focus.select("input[data-reason-key]")) == 7
    assert focus.select_one("script[src$='moderation.js']") is not None


def test_an_empty_queue_says_so_instead_of_claiming(client, moderator, token_of):
    response = post(client, token_of, "/moderation/claims", queue="pending")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/reviews?queue=pending"
    assert "Nothing is waiting" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert post(client, token_of, "/moderation/claims", queue="decided").status_code == 400


def test_deciding_records_and_opens_the_next_claimed_item(
    client, session, shelf, moderator, token_of
):
    first, second = add_reviews(session, shelf, 2)
    post(client, token_of, "/moderation/claims", queue="pending")
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{first.id}/decision?queue=pending",
        decision="reject",
        reason="spam",
        note="Links to a shop.",
        version="1",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/reviews/{second.id}?queue=pending"
    assert first.state == "rejected"
    row = session.scalars(
        select(ReviewModeration).where(ReviewModeration.shopping_mall_review_id == first.id)
    ).one()
    assert (row.decision, row.reason_code, row.note, row.effective) == (
        "reject",
        "spam",
        "Links to a shop.",
        True,
    )
    next_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rejected" in next_page and "Undo with u" in next_page
    # the last one leads back to the queue once nothing is left
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{second.id}/decision?queue=pending",
        decision="approve",
        version="1",
    )
    assert response.headers["Location"] == "/moderation/reviews?queue=pending"


def test_a_missing_reason_is_refused_and_the_note_is_kept(
    client, session, shelf, moderator, token_of
):
    review = add_review(session, shelf)
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="remove",
        note="Keep this note",
        version="1",
    )
    assert response.status_code == 422
    page = soup(response)
    assert "policy reason" in page.select_one("#decision-error").get_text()
    assert page.select_one("#review-note").get_text() == "Keep this note"
    assert review.state == "pending"


def test_an_illegal_move_or_a_stale_version_is_a_conflict(
    client, session, shelf, moderator, token_of
):
    review = add_review(session, shelf, state="rejected")
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="reject",
        reason="spam",
        version="1",
    )
    assert response.status_code == 409
    assert "already Rejected" in soup(response).select_one("#decision-error").get_text()
    stale = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="approve",
        version="0",
    )
    assert stale.status_code == 422
    assert review.state == "rejected"


def test_a_review_another_moderator_holds_shows_who_and_refuses_decisions(
    client, session, shelf, moderator, token_of
):
    holder = make_moderator(session, "mina@test.mall")
    holder.name = "Mina Moderator"
    review = add_review(session, shelf)
    review_queues.claim_batch(session, "pending", actor=holder)
    page = soup(client.get(f"/moderation/reviews/{review.id}"))
    panel = page.select_one(".decision-panel")
    assert "Mina Moderator is moderating this review" in panel.get_text()
    assert panel.select_one(".person")["title"] == "mina@test.mall"
    assert page.select_one("form[data-keyed-decisions]") is None
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="approve",
        version="1",
    )
    assert response.status_code == 409
    assert review.state == "pending"


def test_reports_are_dismissed_or_upheld(client, session, shelf, moderator, token_of):
    kept = add_review(session, shelf, state="approved", title="Kept")
    removed = add_review(session, shelf, state="approved", title="Removed")
    kept_reports = [add_report(session, kept) for _ in range(2)]
    removed_reports = [add_report(session, removed, reason="fake") for _ in range(3)]
    page = soup(client.get(f"/moderation/reviews/{removed.id}?queue=reported"))
    assert (
        page.select_one('button[data-moderation-key="a"]')
        .get_text(strip=True)
        .startswith("Dismiss reports")
    )
    assert page.select_one('input[name="reason"][checked]')["value"] == "fake"  # uphold reason
    assert "3 open" in page.select_one(".focus-side").get_text()
    response = post(client, token_of, f"/moderation/reviews/{kept.id}/reports/dismiss", version="1")
    assert response.status_code == 303
    assert kept.state == "approved"
    assert {r.decision for r in kept_reports} == {"dismissed"}
    post(
        client,
        token_of,
        f"/moderation/reviews/{removed.id}/decision",
        decision="remove",
        reason="fake",
        version="1",
    )
    assert removed.state == "removed_moderator"
    assert {(r.resolved, r.decision) for r in removed_reports} == {(True, "removed")}


def test_seller_replies_are_decided_from_the_reply_queue(
    client, session, shelf, moderator, token_of
):
    review = add_review(session, shelf, state="approved")
    reply = add_reply(session, review, shelf, body="Call us at 555-0100, ask for Bob.")
    response = post(client, token_of, "/moderation/claims", queue="replies")
    assert response.headers["Location"] == f"/moderation/reviews/{review.id}?queue=replies"
    page = soup(client.get(response.headers["Location"]))
    form = page.select_one("form[data-keyed-decisions]")
    assert form["action"] == f"/moderation/replies/{reply.id}/decision?queue=replies"
    assert "Not public" in page.select_one(".seller-reply").get_text()
    response = post(
        client,
        token_of,
        f"/moderation/replies/{reply.id}/decision?queue=replies",
        decision="reject",
        reason="pii",
        version="1",
    )
    assert response.status_code == 303
    assert reply.state == "rejected"


def test_bulk_decisions_each_get_their_own_record(client, session, shelf, moderator, token_of):
    reviews = add_reviews(session, shelf, 3)
    page = soup(client.get("/moderation/reviews"))
    assert len(page.select('#listing input[name="item"][form="bulk-form"]')) == 3
    response = client.post(
        "/moderation/reviews/bulk",
        data={
            "csrf_token": token_of("/moderation/reviews"),
            "queue": "pending",
            "item": [r.id for r in reviews[:2]],
            "decision": "remove",
            "reason": "spam",
        },
    )
    assert response.status_code == 303
    assert [r.state for r in reviews] == ["removed_moderator", "removed_moderator", "pending"]
    events = session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.action == "review.remove")
    ).all()
    assert sorted(events) == sorted(r.id for r in reviews[:2])


def test_a_bulk_decision_that_cannot_be_made_for_one_changes_none(
    client, session, shelf, moderator, token_of
):
    pending = add_review(session, shelf)
    decided = add_review(session, shelf, state="approved")
    response = client.post(
        "/moderation/reviews/bulk",
        data={
            "csrf_token": token_of("/moderation/reviews"),
            "queue": "pending",
            "item": [pending.id, decided.id],
            "decision": "approve",
        },
    )
    assert response.status_code == 409
    session.expire_all()
    assert pending.state == "pending"
    assert (
        session.scalars(
            select(ReviewModeration).where(ReviewModeration.shopping_mall_review_id == pending.id)
        ).all()
        == []
    )


def test_undo_reopens_the_last_decided_review_to_decide_again(
    client, session, shelf, moderator, token_of
):
    review = add_review(session, shelf)
    post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="reject",
        reason="spam",
        version="1",
    )
    response = post(client, token_of, "/moderation/undo")
    assert response.headers["Location"] == f"/moderation/reviews/{review.id}?queue=decided"
    page = soup(client.get(response.headers["Location"]))
    assert "Decide this review again" in page.get_text()
    post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="approve",
        version="2",
    )
    rows = session.scalars(
        select(ReviewModeration)
        .where(ReviewModeration.shopping_mall_review_id == review.id)
        .order_by(ReviewModeration.created_at)
    ).all()
    assert [(r.decision, r.effective) for r in rows] == [("reject", False), ("approve", True)]
    again = post(client, token_of, "/moderation/undo")  # the approval is the last decision now
    assert again.headers["Location"] == f"/moderation/reviews/{review.id}?queue=decided"
    nothing = post(client, token_of, "/moderation/undo")
    assert (
        "nothing to undo" in client.get(nothing.headers["Location"]).get_data(as_text=True).lower()
    )


def test_hostile_review_content_is_shown_as_text(client, session, shelf, moderator):
    review = add_review(
        session,
        shelf,
        title="<img src=x onerror=alert(1)>",
        body="<script>alert('body')</script><b>bold</b>",
    )
    for position, uri in enumerate(
        [
            "javascript:alert(1)",
            'https://cdn.demo.mall/a.jpg" onerror="alert(2)',
            "https://cdn.demo.mall/ok.jpg",
        ]
    ):
        build(
            session,
            ReviewMedia,
            shopping_mall_review_id=review.id,
            uri=uri,
            mime_type="image/jpeg",
            kind="image",
            position=position,
        )
    add_report(session, review, note="<iframe src=//evil.test></iframe>")
    html = client.get(f"/moderation/reviews/{review.id}").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    assert page.find("script", string=lambda s: s and "alert" in s) is None
    assert page.select("iframe") == [] and page.select("b") == []
    assert "<script>alert('body')</script><b>bold</b>" in page.select_one(".review-body").get_text()
    assert page.select_one("#review-title").get_text() == "<img src=x onerror=alert(1)>"
    images = [img["src"] for img in page.select(".review-media img")]
    assert images == ["https://cdn.demo.mall/ok.jpg"]
    assert all(a["href"].startswith("https://") for a in page.select(".review-media a"))
    assert "javascript:" not in html
    assert all(not attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)
    listing = client.get("/moderation/reviews").get_data(as_text=True)
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


def test_moderators_refresh_the_product_ratings_on_demand(client, session, moderator, token_of):
    response = post(client, token_of, "/moderation/ratings/refresh", queue="pending")
    assert response.status_code == 303
    run = session.scalars(select(JobRun).where(JobRun.job_name == "refresh-ratings")).one()
    assert run.trigger == "manual" and run.requested_by_user_id == moderator.id


def test_claims_are_given_back_on_request(client, session, shelf, moderator, token_of):
    add_reviews(session, shelf, 2)
    post(client, token_of, "/moderation/claims", queue="pending")
    assert len(review_queues.held_items(session, "pending", actor=moderator)) == 2
    post(client, token_of, "/moderation/claims/release", queue="pending")
    assert review_queues.held_items(session, "pending", actor=moderator) == []
    assert claims.expire(session, now=utcnow() + timedelta(hours=1)) == 0


def test_approving_after_picking_a_policy_reason_approves(
    client, session, shelf, moderator, token_of
):
    """A picked radio cannot be unpicked: approving with one still picked is an approval."""
    review = add_review(session, shelf)
    reply = add_reply(session, add_review(session, shelf, state="approved"), shelf)
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="approve",
        reason="profanity",
        version="1",
    )
    assert response.status_code == 303
    assert review.state == "approved"
    row = session.scalars(
        select(ReviewModeration).where(ReviewModeration.shopping_mall_review_id == review.id)
    ).one()
    assert row.reason_code == states.REVIEW_APPROVE_REASON
    response = post(
        client,
        token_of,
        f"/moderation/replies/{reply.id}/decision",
        decision="approve",
        reason="spam",
        version="1",
    )
    assert response.status_code == 303
    assert reply.state == "approved"


def test_reports_on_several_reviews_are_dismissed_together_each_audited(
    client, session, shelf, moderator, token_of
):
    reviews = [add_review(session, shelf, state="approved") for _ in range(2)]
    reports = [add_report(session, r) for r in reviews for _ in range(2)]
    unreported = add_review(session, shelf, state="approved")
    page = soup(client.get("/moderation/reviews?queue=reported"))
    options = [o["value"] for o in page.select("#bulk-decision option")]
    assert options[0] == "dismiss"
    data = {
        "csrf_token": token_of("/moderation/reviews"),
        "queue": "reported",
        "decision": "dismiss",
    }
    refused = client.post(
        "/moderation/reviews/bulk", data={**data, "item": [reviews[0].id, unreported.id]}
    )
    assert refused.status_code == 409  # one without open reports: none dismissed
    session.expire_all()
    assert {r.resolved for r in reports} == {False}
    response = client.post(
        "/moderation/reviews/bulk", data={**data, "item": [r.id for r in reviews]}
    )
    assert response.status_code == 303
    session.expire_all()
    assert {(r.resolved, r.decision) for r in reports} == {(True, "dismissed")}
    assert [r.state for r in reviews] == ["approved", "approved"]
    events = session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.action == "review.reports_dismissed")
    ).all()
    assert sorted(events) == sorted(r.id for r in reviews)
    assert "4 report(s) on 2 review(s) dismissed" in client.get(
        "/moderation/reviews?queue=reported"
    ).get_data(as_text=True)


def test_the_focus_screen_names_the_options_of_the_sku_reviewed(client, session, shelf, moderator):
    from mallconsole.models import OptionType, OptionValue, SkuOptionValue

    sku = shelf.skus[0]
    for order, (type_name, value) in enumerate((("Size", "M"), ("Colour", "Forest green"))):
        option_type = build(session, OptionType, name=type_name, sort_order=order)
        option_value = build(
            session, OptionValue, shopping_mall_option_type_id=option_type.id, value=value
        )
        build(
            session,
            SkuOptionValue,
            shopping_mall_sku_id=sku.id,
            shopping_mall_option_value_id=option_value.id,
            shopping_mall_option_type_id=option_type.id,
        )
    review = add_review(session, shelf, verified_purchase=False)  # no order line
    other = add_review(session, shelf, sku=1)
    hint = soup(client.get(f"/moderation/reviews/{review.id}")).select_one(".review-product .hint")
    assert f"{sku.sku_code} · M / Forest green" in hint.get_text(" ", strip=True)
    bare = soup(client.get(f"/moderation/reviews/{other.id}")).select_one(".review-product .hint")
    assert " / " not in bare.get_text()  # a SKU without options names none


def test_focus_mode_shows_what_a_decision_needs(client, session, shelf, moderator):
    from mallconsole.models import ProductMedia, User

    build(
        session,
        ProductMedia,
        shopping_mall_product_id=shelf.product.id,
        kind="image",
        uri="https://cdn.demo.mall/p/shoe.jpg",
        display_order=0,
        is_primary=True,
    )
    author = build(session, User, name="Robin Writer")
    add_review(session, shelf, author=author, state="approved", title="Earlier praise")
    removed = add_review(
        session, shelf, author=author, state="removed_moderator", title="Earlier rant"
    )
    add_report(session, removed, resolved=True, decision="removed")
    review = add_review(
        session, shelf, author=author, rating="3.5", title="Mixed", body="Half good."
    )
    for position, kind in enumerate(("image", "video")):
        build(
            session,
            ReviewMedia,
            shopping_mall_review_id=review.id,
            uri=f"https://cdn.demo.mall/r/{kind}",
            mime_type=f"{kind}/x",
            kind=kind,
            position=position,
        )
    add_report(session, review, reason="harassment", note="Names a shop assistant.")
    build(
        session,
        ReviewModeration,
        shopping_mall_review_id=review.id,
        moderator_user_id=build(session, User, name="Sam Moderator").id,
        decision="reject",
        reason_code="profanity",
        note="Swears twice.",
        effective=False,
    )
    page = soup(client.get(f"/moderation/reviews/{review.id}"))
    card = page.select_one(".review-card")
    assert card.select_one(".product-title").get_text() == "Trail Runner Shoes"
    assert card.select_one("img.product-thumb")["src"] == "https://cdn.demo.mall/p/shoe.jpg"
    assert shelf.skus[0].sku_code in card.select_one(".review-product .hint").get_text()
    assert page.select_one("#review-title").get_text() == "Mixed"
    assert "3.5/5" in card.select_one(".review-meta").get_text()
    assert "Verified purchase" in card.select_one(".review-meta").get_text()
    assert card.select_one(".review-body").get_text() == "Half good."
    assert [img["src"] for img in card.select(".review-media img")] == [
        "https://cdn.demo.mall/r/image"
    ]
    video = card.select(".review-media a")[-1]
    assert video["href"] == "https://cdn.demo.mall/r/video" and "Video" in video.get_text()
    side = page.select_one(".focus-side")
    reports = side.select_one(".report-list").get_text(" ", strip=True)
    assert "Harassment" in reports and "Names a shop assistant." in reports
    history = side.select_one(".decision-history").get_text(" ", strip=True)
    assert "Rejected · Profanity · Sam Moderator" in history and "Swears twice." in history
    author_panel = side.select("section")[-1].get_text(" ", strip=True)
    assert "2 other reviews: 1 approved, 1 removed" in author_panel.lower()
    assert "1 report against them, 1 upheld" in author_panel
    assert {a.get_text() for a in side.select(".author-recent a")} == {
        "Earlier praise",
        "Earlier rant",
    }


@pytest.mark.parametrize("queue", ["pending", "reported", "replies"])
def test_each_filter_narrows_each_queue(client, session, shelf, moderator, queue):
    other = make_shelf(session, title="Garden Hose", store_name="Willow Supply")
    wanted = add_review(
        session, other, title="Wanted", rating="2.5", language="de", verified_purchase=False
    )
    build(
        session,
        ReviewMedia,
        shopping_mall_review_id=wanted.id,
        uri="https://cdn.demo.mall/r/hose.jpg",
        mime_type="image/jpeg",
        kind="image",
        position=0,
    )
    add_report(session, wanted, reason="pii")
    add_reply(session, wanted, other)
    unwanted = add_review(session, shelf, title="Unwanted", rating="5")
    add_report(session, unwanted, reason="spam")
    add_reply(session, unwanted, shelf)
    assert sorted(row_titles(soup(client.get(f"/moderation/reviews?queue={queue}")))) == [
        "Unwanted",
        "Wanted",
    ]
    for name, value in (
        ("product", "garden"),
        ("store", "willow"),
        ("rating", "2"),
        ("language", "de"),
        ("media", "yes"),
        ("verified", "no"),
        ("reason", "pii"),
    ):
        page = soup(client.get(f"/moderation/reviews?queue={queue}&{name}={value}"))
        assert row_titles(page) == ["Wanted"], (name, value)


def test_recently_decided_filters_to_my_decisions(client, session, shelf, moderator, token_of):
    mine, theirs = add_reviews(session, shelf, 2)
    post(
        client,
        token_of,
        f"/moderation/reviews/{mine.id}/decision",
        decision="approve",
        version="1",
    )
    review_queues_titles = row_titles(soup(client.get("/moderation/reviews?queue=decided")))
    assert len(review_queues_titles) == 1
    from mallconsole.services.moderation import review_decisions

    review_decisions.decide_review(
        session, theirs.id, "approve", actor=make_moderator(session, "ann@test.mall")
    )
    assert len(row_titles(soup(client.get("/moderation/reviews?queue=decided")))) == 2
    page = soup(client.get("/moderation/reviews?queue=decided&decided_by=me"))
    assert [a["href"].split("?")[0] for a in page.select("td.review-cell > a")] == [
        f"/moderation/reviews/{mine.id}"
    ]


@pytest.mark.parametrize("queue", ["pending", "replies"])
def test_the_next_page_continues_where_the_last_one_ended(client, session, shelf, moderator, queue):
    """Keyset pages: 30 items over pages of 25 by the Next link, none missed or repeated,
    even with several items written at the same moment."""
    same_moment = utcnow() - timedelta(hours=2)
    ids = []
    for n in range(30):
        review = add_review(
            session,
            shelf,
            state="approved" if queue == "replies" else "pending",
            title=f"Review {n}",
        )
        moment = same_moment if n % 3 else same_moment - timedelta(minutes=n)
        review.created_at = moment
        if queue == "replies":
            add_reply(session, review, shelf, body=f"Reply {n}").created_at = moment
        ids.append(review.id)
    session.flush()
    seen, url = [], f"/moderation/reviews?queue={queue}&limit=25"
    while url:
        page = soup(client.get(url))
        links = page.select("td.review-cell > a")
        seen += [a["href"].split("?")[0].rsplit("/", 1)[1] for a in links]
        following = page.select_one('a[rel="next"]')
        url = following.get("href") or following.get("hx-get") if following else None
    assert len(seen) == len(set(seen)) == 30
    assert set(seen) == set(ids)


def test_after_a_bulk_decision_the_queue_offers_undo(client, session, shelf, moderator, token_of):
    reviews = add_reviews(session, shelf, 2)
    assert soup(client.get("/moderation/reviews")).select_one('[data-moderation-key="u"]') is None
    client.post(
        "/moderation/reviews/bulk",
        data={
            "csrf_token": token_of("/moderation/reviews"),
            "queue": "pending",
            "item": [r.id for r in reviews],
            "decision": "reject",
            "reason": "spam",
        },
    )
    undo = soup(client.get("/moderation/reviews")).select_one('[data-moderation-key="u"]')
    assert undo.find_parent("form")["action"] == "/moderation/undo"
    response = post(client, token_of, "/moderation/undo")
    assert response.status_code == 303
    assert response.headers["Location"].split("?")[0] in {
        f"/moderation/reviews/{r.id}" for r in reviews
    }


def test_a_hostile_seller_reply_and_decision_note_are_shown_as_text(
    client, session, shelf, moderator, token_of
):
    review = add_review(session, shelf, state="approved")
    add_reply(session, review, shelf, body="<script>alert('reply')</script>")
    hostile_note = "<img src=x onerror=alert('note')>"
    review_queues.claim_batch(session, "replies", actor=moderator)
    response = post(
        client,
        token_of,
        f"/moderation/reviews/{review.id}/decision",
        decision="remove",
        reason="other",
        note=hostile_note,
        version=str(review.version),
    )
    assert response.status_code == 303
    for url in (
        f"/moderation/reviews/{review.id}?queue=replies",
        "/moderation/reviews?queue=replies",
    ):
        page = soup(client.get(url))
        assert page.find("script", string=lambda s: s and "alert" in s) is None, url
        assert all(not a.startswith("on") for tag in page.find_all(True) for a in tag.attrs), url
    focus = soup(client.get(f"/moderation/reviews/{review.id}"))
    assert (
        focus.select_one(".seller-reply .review-body").get_text()
        == "<script>alert('reply')</script>"
    )
    assert hostile_note in focus.select_one(".decision-history").get_text()


@pytest.mark.parametrize(
    ("review_state", "reply_state", "words"),
    [
        ("approved", "approved", "Public"),
        ("approved", "pending", "Not public"),
        ("approved", "rejected", "Not public"),
        ("removed_moderator", "approved", "Not public while the review is not"),
    ],
)
def test_a_seller_reply_is_public_only_when_approved_on_a_shown_review(
    client, session, shelf, moderator, review_state, reply_state, words
):
    review = add_review(session, shelf, state=review_state)
    add_reply(session, review, shelf, state=reply_state)
    page = soup(client.get(f"/moderation/reviews/{review.id}"))
    assert page.select_one(".seller-reply h2 .hint").get_text() == words
