"""Moderating with the keyboard only in Chromium, while a second moderator works the same queue
in another browser context and never gets the same review.

The console runs on a live server with a committed database of this module's own: the two demo
moderators and 30 pending reviews, claimed 5 at a time."""

from __future__ import annotations

import re
import threading

import flask_migrate
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from mallconsole.core import states
from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import Configuration, Review, ReviewModeration
from tests.databases import make_test_app, new_database
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.factories.actors import DEMO_PASSWORD, make_staff
from tests.moderation.reviews import add_reviews, make_shelf

pytestmark = pytest.mark.e2e

BATCH = 5


@pytest.fixture(scope="module")
def moderation_server(tmp_path_factory):
    """The console with both demo moderators and 30 pending reviews; (base URL, engine)."""
    require_browser()
    url, drop = new_database(tmp_path_factory.mktemp("e2e-moderation"), "e2e_moderation")
    app = make_test_app(url, tmp_path_factory.mktemp("e2e-moderation-instance"), "e2e-key")
    with app.app_context():
        flask_migrate.upgrade()
        for email in ("moderator@demo.mall", "moderator2@demo.mall"):
            make_staff(db.session, email, [Role.CONTENT_MODERATOR], password=DEMO_PASSWORD)
        shelf = make_shelf(db.session, title="Trail Runner Shoes")
        add_reviews(db.session, shelf, 30, title="Comfortable shoes")
        db.session.add(Configuration(key=states.MODERATION_CLAIM_BATCH_SIZE, value=str(BATCH)))
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    engine = create_engine(url)
    try:
        yield f"http://127.0.0.1:{server.server_port}", engine
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture(scope="module")
def chromium(moderation_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def open_context(chromium, base_url):
    """A browser context whose page records script errors and CSP violations."""
    context = chromium.new_context(base_url=base_url)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return context, page, problems


def sign_in_by_keyboard(page, email):
    page.goto("/login")
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/moderation/$"))


def review_id(page) -> str:
    return re.search(r"/moderation/reviews/([0-9a-f-]{36})", page.url).group(1)


def focus_position(page):
    return page.locator(".focus-bar")


def at(page, position: str) -> None:
    """The focus bar says ``position`` and the page's keys are bound (deferred scripts have
    run by DOMContentLoaded), so the next key press is not lost."""
    expect(focus_position(page)).to_contain_text(position)
    page.wait_for_load_state("domcontentloaded")


def decide(page, *keys, says):
    """Press ``keys`` once the page's keys are bound; the next review opens with ``says``."""
    page.wait_for_load_state()  # a key pressed before the keys' script runs is lost
    before = page.url
    for key in keys:
        page.keyboard.press(key)
    expect(page).not_to_have_url(before)
    expect(page.locator("#messages")).to_contain_text(says)
    page.wait_for_load_state()  # the keys' script has run
    return review_id(page)


def test_two_moderators_clear_one_queue_by_keyboard_and_never_share_a_review(
    chromium, moderation_server
):
    base_url, engine = moderation_server
    first_context, first, first_problems = open_context(chromium, base_url)
    second_context, second, second_problems = open_context(chromium, base_url)
    try:
        sign_in_by_keyboard(first, "moderator@demo.mall")
        sign_in_by_keyboard(second, "moderator2@demo.mall")
        for page in (first, second):
            page.goto("/moderation/reviews?queue=pending")
            expect(page.locator('#queue-tabs a[aria-current="page"] .count')).to_have_text("30")

        # s: start moderating (claims 5 and opens the first)
        first.keyboard.press("s")
        at(first, "1 of 5")
        second.keyboard.press("s")
        at(second, "1 of 5")
        seen_first, seen_second = {review_id(first)}, {review_id(second)}

        # j / k move through the claimed reviews
        first.keyboard.press("j")
        at(first, "2 of 5")
        first.keyboard.press("k")
        at(first, "1 of 5")

        # a approves and shows the next at once
        approved = review_id(first)
        seen_first.add(decide(first, "a", says="Approved"))
        at(first, "1 of 4")

        # r without a reason asks for one; 5 (spam) then rejects
        rejected = review_id(first)
        first.keyboard.press("r")
        expect(first.locator("[data-reason-needed]")).to_be_visible()
        seen_first.add(decide(first, "5", says="Rejected"))

        # a reason first, then x removes
        removed = review_id(first)
        seen_first.add(decide(first, "2", "x", says="Removed"))

        # the second moderator works meanwhile: approve, approve
        for _ in range(2):
            seen_second.add(decide(second, "a", says="Approved"))

        # u reopens the last decision (the removal); a approves it on appeal
        first.keyboard.press("u")
        expect(first).to_have_url(re.compile(removed))
        expect(first.locator(".decision-history")).to_contain_text("Removed")
        decide(first, "a", says="Approved")

        # ? shows the keys, Escape closes them
        first.keyboard.press("?")
        expect(first.locator("#moderation-keys")).to_be_visible()
        first.keyboard.press("Escape")
        expect(first.locator("#moderation-keys")).to_be_hidden()

        # both keep going until their batches run out and new ones are claimed
        for _ in range(4):
            seen_first.add(decide(first, "a", says="Approved"))
            seen_second.add(decide(second, "a", says="Approved"))

        assert seen_first.isdisjoint(seen_second)
        assert first_problems == [] and second_problems == []
    finally:
        first_context.close()
        second_context.close()

    with Session(engine) as check:
        states_now = dict(
            check.execute(
                select(Review.id, Review.state).where(Review.id.in_([approved, rejected, removed]))
            ).all()
        )
        assert states_now == {approved: "approved", rejected: "rejected", removed: "approved"}
        history = check.execute(
            select(ReviewModeration.decision, ReviewModeration.effective)
            .where(ReviewModeration.shopping_mall_review_id == removed)
            .order_by(ReviewModeration.created_at)
        ).all()
        assert [tuple(h) for h in history] == [("remove", False), ("approve", True)]
        by_moderator = check.execute(
            select(ReviewModeration.shopping_mall_review_id, ReviewModeration.moderator_user_id)
        ).all()
        reviewed_by = {}
        for reviewed, moderator in by_moderator:
            reviewed_by.setdefault(reviewed, set()).add(moderator)
        assert all(len(moderators) == 1 for moderators in reviewed_by.values())


def test_shift_click_selects_a_range_and_one_bulk_decision_records_each_review(
    chromium, moderation_server
):
    base_url, engine = moderation_server
    context, page, problems = open_context(chromium, base_url)
    try:
        sign_in_by_keyboard(page, "moderator@demo.mall")
        page.goto("/moderation/reviews?queue=pending")
        boxes = page.locator('input[type=checkbox][name="item"]:not([disabled])')
        chosen = [boxes.nth(i).get_attribute("value") for i in range(4)]
        boxes.nth(0).click()
        boxes.nth(3).click(modifiers=["Shift"])  # the two between are selected too
        expect(page.locator("[data-selected-count]")).to_have_text("4")
        assert [boxes.nth(i).is_checked() for i in range(5)] == [True] * 4 + [False]
        page.get_by_label("Decision", exact=True).select_option("reject")
        page.get_by_label("Reason", exact=True).select_option("spam")
        page.get_by_role("button", name="Decide selected").click()
        expect(page.locator("#messages")).to_contain_text("4 review(s) rejected")
        assert problems == []
    finally:
        context.close()

    with Session(engine) as check:
        rows = check.execute(
            select(ReviewModeration.shopping_mall_review_id, ReviewModeration.reason_code)
            .where(ReviewModeration.shopping_mall_review_id.in_(chosen))
            .where(ReviewModeration.effective.is_(True))
        ).all()
        assert sorted(r for r, _ in rows) == sorted(chosen)  # one effective row each
        assert {reason for _, reason in rows} == {"spam"}
        states_now = check.scalars(select(Review.state).where(Review.id.in_(chosen))).all()
        assert states_now == ["rejected"] * 4
