"""Presence in two real browsers: each sees the other, typing shows, focus stays put, no CSP error.

No record screen shows presence yet: the test puts the macro's element and a reply form (the
real markup, rendered from the template) into the support home as the browser receives it.
"""

import pytest
from flask import render_template_string
from playwright.sync_api import expect

from mallconsole.extensions import db
from mallconsole.models import SupportCase
from tests.databases import make_test_app
from tests.factories.actors import DEMO_PASSWORD
from tests.factories.records import build

pytestmark = pytest.mark.e2e

CASE_BITS = """{% from "_macros/presence.html" import presence %}{{ presence("case", case_id) }}
<form data-presence-typing="case:{{ case_id }}"><label for="reply">Reply</label>
<textarea id="reply" name="body"></textarea></form>"""
MAIN = '<main id="main" tabindex="-1">'

POLL_AND_WAIT = """() => new Promise((resolve) => {
  const line = document.querySelector("[data-presence]");
  line.addEventListener("htmx:afterRequest", () => setTimeout(resolve, 0), {once: true});
  htmx.trigger(line, "presence-typing");
})"""


@pytest.fixture(scope="module")
def case_markup(live_server, live_database, tmp_path_factory):
    """``markup(case_id)``, and the id of a committed case in the live server's database."""
    app = make_test_app(live_database, tmp_path_factory.mktemp("presence"), "e2e-secret-key")
    with app.app_context():
        case_id = build(db.session, SupportCase, status="open", priority="normal").id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    def markup(record_id):
        with app.test_request_context():
            return render_template_string(CASE_BITS, case_id=record_id)

    return markup, case_id


def open_case_as(browser, live_server, email, markup, problems):
    """A signed-in browser on the support home, with the case's presence line in it."""
    page = browser.new_context(base_url=live_server).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def with_case(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(MAIN, MAIN + markup))

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/support/")
    # Redirects are not routed: the home is loaded again, this time with the case in it.
    page.route("**/support/", with_case)
    pings = []
    page.on("request", lambda r: pings.append(r.headers) if "/presence/case/" in r.url else None)
    with page.expect_response(lambda r: "/presence/case/" in r.url):
        page.goto("/support/")
    return page, pings


def poll_now(page):
    """The next poll at once instead of within 10 s; returns once htmx has handled it."""
    page.evaluate(POLL_AND_WAIT)


def test_two_agents_see_each_other_and_typing(browser, live_server, case_markup):
    markup, case_id = case_markup
    problems: list[str] = []
    mina, mina_pings = open_case_as(
        browser, live_server, "support@demo.mall", markup(case_id), problems
    )
    line = mina.locator(".presence")
    expect(line).to_have_text("")  # alone
    jo, _ = open_case_as(browser, live_server, "lead@demo.mall", markup(case_id), problems)
    expect(jo.locator(".presence")).to_have_text("support is viewing")
    poll_now(mina)
    expect(line).to_have_text("lead is viewing")

    jo.get_by_label("Reply").click()
    with jo.expect_response(lambda r: "/presence/case/" in r.url):
        jo.keyboard.type("Hello")  # the first keystroke pings at once, saying typing
    poll_now(mina)
    expect(line).to_have_text("lead is typing…")
    poll_now(jo)  # polls never take the focus away
    expect(jo.locator(".presence")).to_have_text("support is viewing")
    assert jo.evaluate("document.activeElement.id") == "reply"
    assert jo.get_by_label("Reply").input_value() == "Hello"

    assert mina_pings and all(h.get("x-background") == "1" for h in mina_pings)
    assert all(h.get("x-csrftoken") for h in mina_pings)
    assert problems == []


def test_a_failed_poll_shows_no_message(browser, live_server, case_markup):
    markup, _ = case_markup
    problems: list[str] = []
    page, _ = open_case_as(
        browser, live_server, "support@demo.mall", markup("no-such-case"), problems
    )
    poll_now(page)  # a second 404, handled by htmx before the checks below
    expect(page.locator(".presence")).to_have_text("")
    expect(page.locator("#messages")).to_have_text("")
    # Other htmx errors still reach the message area.
    page.evaluate("htmx.ajax('GET', '/no-such-page', {target: 'main'})")
    expect(page.locator("#messages")).to_contain_text("Not found")
    assert problems == []
