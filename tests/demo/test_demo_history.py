"""History in words and staff by name, on the seeded demo world.

Every audited action kind of the demo world goes through the history formatter
(``web/history.py``) and through the screens that show it; no row shows a field's storage
name, a stored word instead of its label, JSON, ``None``, or a version. Across the screens of
every demo account, a staff member is named by their display name: their email is on hover
(a ``title``), never the text of the page, except where an address is the point (the
account page).
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text

from mallconsole.core import states
from mallconsole.demo.staff import DEMO_PASSWORD
from mallconsole.extensions import db
from mallconsole.models import AdminAction
from mallconsole.services.kit import audit
from mallconsole.web import history
from tests.conftest import sign_in
from tests.demo.test_demo_screens import links_of

# What a row of a change must never show: a storage name, JSON, nothing written as None, the
# record's version. An amount (digits with decimals) must carry its currency's code.
RAW_ROW = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|[{}\[\]]|\":|\bNone\b")
# The record's own version and a request's revision are bookkeeping, never a row.
BOOKKEEPING = re.compile(r"^(Row )?(Version|Revision)$")
AMOUNT = re.compile(r"\d\.\d{2}\b")
CODE = re.compile(r"\b[A-Z]{3}\b")
# Stored words that must be shown as their labels ("pending" -> "Pending").
STORED = frozenset(
    {state for machine in states.MACHINES for state in machine.states}
    | {value for _, _, values in states.VOCABULARY_COLUMNS for value in values}
)
# Where a history shows: timelines, change tables, the admin home's recent events, decisions.
HISTORY = ".timeline, .change-table, .recent-events, .decisions, .decision-history"
ROWS = "table.changes, table.change-table, ul.change-lines"
# Records with a screen that shows their audit trail, and that screen (by role).
HISTORY_SCREENS = {
    "shopping_mall_refund_requests": "finance@demo.mall",
    "shopping_mall_payouts": "finance@demo.mall",
    "shopping_mall_chargebacks": "finance@demo.mall",
    "shopping_mall_admin_actions": "admin@demo.mall",
    "shopping_mall_feature_flags": "admin@demo.mall",
    "shopping_mall_policy_versions": "admin@demo.mall",
    "shopping_mall_configurations": "admin@demo.mall",
}
ACCOUNTS = {
    "support@demo.mall": "/support",
    "moderator@demo.mall": "/moderation",
    "finance@demo.mall": "/finance",
    "admin@demo.mall": "/admin",
    "ops@demo.mall": "/operations",
}
PAGES_PER_ACCOUNT = 60


def word_problems(where: str, words: str) -> list[str]:
    """What is wrong with the words of one cell of a change."""
    problems = []
    raw = RAW_ROW.search(words)
    if raw:
        problems.append(f"{where} shows {raw.group(0)!r}")
    if words in STORED:
        problems.append(f"{where} shows the stored word {words!r}")
    if AMOUNT.search(words) and not CODE.search(words):
        problems.append(f"{where} shows {words!r} without its currency")
    return problems


def row_problems(where: str, rows: list[history.Row]) -> list[str]:
    """What is wrong with the rows of one change, one line each."""
    problems = []
    for row in rows:
        sides = [row.before, row.after]
        words = (
            [row.label] + [s.text for s in sides] + [c for s in sides for p in s.table for c in p]
        )
        for word in words:
            problems += word_problems(f"{where}: {row.label}", word)
        if BOOKKEEPING.match(row.label):
            problems.append(f"{where}: shows the {row.label}")
        if row.before == row.after:
            problems.append(f"{where}: {row.label} did not change")
    return problems


def test_every_audited_action_kind_reads_in_words(seeded):
    app, _engine, _uploads, _output = seeded
    problems, kinds, shown = [], set(), set()
    with app.test_request_context("/"):
        for entry in audit.entries(db.session, limit=100_000):
            kind = (entry.event.entity_table, entry.event.action)
            kinds.add(kind)
            rows = history.entry_rows(entry)
            if rows:
                shown.add(kind)
            problems += row_problems(f"{kind[1]} {entry.event.id}", rows)
        for action in db.session.scalars(select(AdminAction)):
            rows = history.decision_rows(action.payload)
            assert rows, f"{action.action_name} {action.id} asks for no change"
            problems += row_problems(f"{action.action_name} {action.id}", rows)
    assert len(kinds) >= 30, sorted(kinds)
    assert len(shown) >= 25  # almost every kind changes a field people read
    assert not problems, "\n".join(sorted(set(problems)))


def history_screens(connection) -> dict[str, list[str]]:
    """The screens showing a history in the demo world, by the account that opens them."""

    def ids(sql: str) -> list[str]:
        return [row[0] for row in connection.execute(text(sql))]

    return {
        "admin@demo.mall": [
            "/admin/",
            *(f"/admin/approvals/{i}" for i in ids("SELECT id FROM shopping_mall_admin_actions")),
            *(f"/admin/policies/{c}" for c in ids("SELECT code FROM shopping_mall_policies")),
            *(
                f"/admin/policies/versions/{i}"
                for i in ids("SELECT id FROM shopping_mall_policy_versions")
            ),
            *(
                f"/admin/configurations/{i}"
                for i in ids("SELECT id FROM shopping_mall_configurations")
            ),
            *(f"/admin/flags/{c}" for c in ids("SELECT code FROM shopping_mall_feature_flags")),
            *(f"/admin/jobs/{n}" for n in ids("SELECT job_name FROM shopping_mall_job_schedules")),
        ],
        "finance@demo.mall": [
            *(f"/finance/approvals/{i}" for i in ids("SELECT id FROM shopping_mall_admin_actions")),
            *(f"/finance/refunds/{i}" for i in ids("SELECT id FROM shopping_mall_refund_requests")),
            *(f"/finance/payouts/{i}" for i in ids("SELECT id FROM shopping_mall_payouts")),
            *(f"/finance/chargebacks/{i}" for i in ids("SELECT id FROM shopping_mall_chargebacks")),
        ],
        "moderator@demo.mall": [
            f"/moderation/reviews/{i}"
            for i in ids(
                "SELECT DISTINCT shopping_mall_review_id FROM shopping_mall_review_moderations"
            )[:40]
        ],
        "support@demo.mall": [
            *(
                f"/support/customers/{i}"
                for i in ids(
                    "SELECT DISTINCT shopping_mall_user_id FROM shopping_mall_orders"
                    " WHERE shopping_mall_user_id IS NOT NULL"
                )[:15]
            ),
            *(
                f"/support/orders/{i}"
                for i in ids(
                    "SELECT DISTINCT shopping_mall_order_id FROM shopping_mall_order_status_history"
                )[:25]
            ),
            *(
                f"/support/cases/{i}"
                for i in ids("SELECT id FROM shopping_mall_support_cases")[:25]
            ),
        ],
    }


def staff_emails(connection) -> set[str]:
    """The demo staff's addresses (customers and sellers have addresses of their own domains)."""
    rows = connection.execute(text("SELECT email FROM shopping_mall_users"))
    return {email for (email,) in rows if email.endswith("@demo.mall")}


def screen_problems(path: str, page: BeautifulSoup, emails: set[str]) -> list[str]:
    """A history that is not in words, or a staff member shown by their email."""
    problems = []
    for part in page.select(HISTORY):
        shown = part.get_text(" ", strip=True)
        for raw in (re.search(r"[{}\[\]]|\":|\bNone\b", shown),):
            if raw:
                problems.append(f"{path}: the history shows {raw.group(0)!r}")
    for rows in page.select(ROWS):
        problems += [
            f"{path}: a change shows the {th.get_text(strip=True)}"
            for th in rows.select("tbody th")
            if BOOKKEEPING.match(th.get_text(strip=True))
        ]
        for cell in rows.select("th, td, li"):
            words = cell.get_text(" ", strip=True).removeprefix("→").strip()
            problems += word_problems(f"{path}: a change", words)
    if not path.startswith("/account"):  # the account page is where one's address is shown
        for node in page.find_all(string=True):
            if node.parent.name in ("script", "style", "template", "textarea", "option"):
                continue
            found = [email for email in emails if email in node]
            if found:
                problems.append(f"{path}: shows {found[0]} in <{node.parent.name}>")
    return problems


@pytest.mark.parametrize("email", sorted(ACCOUNTS))
def test_history_screens_read_in_words_and_name_staff(seeded, email):
    app, engine, _uploads, _output = seeded
    area = ACCOUNTS[email]
    with engine.connect() as demo:  # read, then closed: the screens below write sessions
        emails = staff_emails(demo)
        screens = history_screens(demo).get(email, [])
        kinds = demo.execute(
            text("SELECT DISTINCT entity_table, action FROM shopping_mall_audit_events")
        ).all()
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    # The screens that show a history, then what the account reaches link by link.
    queue = deque([*screens, f"{area}/"])
    seen, problems, actions, visited, named = set(queue), [], set(), 0, 0
    while queue and visited < PAGES_PER_ACCOUNT + len(screens):
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue  # another area's request (404 here), a redirect: the screens test reads those
        page = BeautifulSoup(response.data, "html.parser")
        problems += screen_problems(path, page, emails)
        actions |= {li["data-action"] for li in page.select(".timeline-entry[data-action]")}
        named += len([p for p in page.select(".person[title]") if p["title"] in emails])
        for link in links_of(page, path, area):
            if link not in seen and urlsplit(urljoin(path, link)).path.startswith(area):
                seen.add(link)
                queue.append(link)
    assert not problems, "\n".join(sorted(set(problems))[:60])
    if email in ("admin@demo.mall", "finance@demo.mall"):
        assert named, f"no staff member named on {email}'s screens"
        # Every kind of event of the records this account's screens show a history of.
        wanted = {action for table, action in kinds if HISTORY_SCREENS.get(table) == email}
        assert wanted and wanted <= actions, sorted(wanted - actions)
