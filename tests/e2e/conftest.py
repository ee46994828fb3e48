"""Browser tests: the console served from a thread on a loopback port, Chromium via Playwright.

The live server runs on its own committed database (a SQLite file, or a fresh PostgreSQL
database when ``TEST_DATABASE_URL`` is set), migrated and given the demo staff it needs.
Without ``/usr/bin/chromium`` the tests are skipped, unless ``REQUIRE_BROWSER_TESTS=1`` (CI),
where a missing browser fails the run.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import flask_migrate
import pytest
from werkzeug.serving import make_server

from mallconsole.core.roles import Role
from mallconsole.extensions import db
from mallconsole.models import JobRun, Order, utcnow
from tests.databases import make_test_app, new_database
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.factories.actors import DEMO_MFA_SECRET, DEMO_PASSWORD, make_staff
from tests.factories.records import build
from tests.support.customer_world import add_orders, make_customer

SEARCHABLE_ORDER = "ORD-20261122-000123"
SEARCHABLE_CUSTOMER = "Tariq Torres"  # with three orders, for customer 360
DEMO_STAFF = {
    "support@demo.mall": [Role.SUPPORT_AGENT],
    "lead@demo.mall": [Role.SUPPORT_AGENT, Role.OPERATIONS_MANAGER],
    "ops@demo.mall": [Role.OPERATIONS_MANAGER],
    "admin@demo.mall": [Role.SYSTEM_ADMIN],
    "lockme@demo.mall": [Role.FINANCE_MANAGER],
}


# The demo world's names, where a browser test reads them.
NAMES = {"ops@demo.mall": "Olga Operations"}
JOB_RUNS = 60  # more than one page of the Jobs screen


def add_job_runs(session) -> None:
    """Scheduled runs of the rating refresh over the last hour, every fifth one failed."""
    start = utcnow() - timedelta(hours=1)
    for n in range(JOB_RUNS):
        failed = n % 5 == 0
        moment = start + timedelta(seconds=30 * n)
        session.add(
            JobRun(
                job_name="refresh-ratings",
                trigger="schedule",
                status="failed" if failed else "succeeded",
                queued_at=moment,
                started_at=moment,
                finished_at=moment + timedelta(seconds=2),
                counts=None if failed else {"products": 120},
                error="OperationalError: the database was restarting" if failed else None,
            )
        )


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    url, drop = new_database(tmp_path_factory.mktemp("e2e"), "e2e")
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="module")
def live_server(live_database, tmp_path_factory):
    """The console at ``http://127.0.0.1:<port>`` with the demo staff, committed."""
    require_browser()
    app = make_test_app(live_database, tmp_path_factory.mktemp("e2e"), "e2e-secret-key")
    with app.app_context():
        flask_migrate.upgrade()
        for email, roles in DEMO_STAFF.items():
            make_staff(db.session, email, roles, password=DEMO_PASSWORD, name=NAMES.get(email))
        make_staff(
            db.session,
            "mfa-admin@demo.mall",
            [Role.SYSTEM_ADMIN],
            password=DEMO_PASSWORD,
            mfa_secret=DEMO_MFA_SECRET,
        )
        build(db.session, Order, order_number=SEARCHABLE_ORDER, status="on_hold")
        customer, _role, address = make_customer(db.session, name=SEARCHABLE_CUSTOMER)
        add_orders(db.session, customer, address, 3)
        add_job_runs(db.session)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose page fails the test on a CSP violation."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems


@pytest.fixture(scope="session", autouse=True)
def clicks_wait_for_loaded_pages():
    """Every click in these tests waits until its page has loaded. The console's scripts are
    deferred: a button clicked before htmx has run submits its plain form (which works, but
    reloads the page), so a test that checks an in-place swap must act on a loaded page, as
    a slow CI machine would otherwise show at random."""
    from playwright.sync_api import Locator

    plain_click = Locator.click

    def click(self, *args, **kwargs):
        self.page.wait_for_load_state("load")
        return plain_click(self, *args, **kwargs)

    Locator.click = click
    try:
        yield
    finally:
        Locator.click = plain_click
