"""The approvals inbox on the demo world is a compact table: one line a request, the change and
the decision on expand, the page within SCREENS.md's budget (60 KB) and each expand within a
fragment's (15 KB)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from mallconsole.demo.staff import DEMO_PASSWORD
from mallconsole.web.lists import DEFAULT_PAGE_SIZE
from tests.conftest import sign_in

PAGE_BUDGET = 60_000
FRAGMENT_BUDGET = 15_000
HTMX = {"HX-Request": "true"}
INBOXES = [
    ("finance2@demo.mall", "/finance/approvals"),
    ("finance@demo.mall", "/finance/approvals"),
    ("finance@demo.mall", "/finance/approvals/mine"),
    ("finance2@demo.mall", "/finance/approvals/mine"),
    ("admin@demo.mall", "/admin/approvals"),
    ("admin@demo.mall", "/admin/approvals/mine"),
]


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code in (302, 303)
    return client


@pytest.mark.parametrize(("email", "path"), INBOXES)
def test_the_inbox_is_one_line_a_request_within_the_page_budget(seeded, email, path):
    app = seeded[0]
    client = signed_in(app, email)
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.data) <= PAGE_BUDGET, len(response.data)
    page = BeautifulSoup(response.data, "html.parser")
    count = int(page.select_one("#listing .count")["data-count"])
    groups = page.select("#listing table.list-table > tbody.approval")
    # every request of the page shows, as one line: no change table or form until expanded
    assert len(groups) == min(count, DEFAULT_PAGE_SIZE)
    for group in groups:
        assert len(group.find_all("tr", recursive=False)) == 1
        assert group.select("form, table, textarea") == []
        toggle = group.select_one("button.row-toggle")
        assert toggle["aria-expanded"] == "false"
    if path.endswith("/approvals") and "finance" in path:
        assert groups, "the demo world has requests waiting in the finance inbox"
        amounts = [g.select_one("td.num").get_text(" ", strip=True) for g in groups]
        assert any(a.startswith(("USD", "EUR", "KRW", "JPY", "GBP")) for a in amounts), amounts


@pytest.mark.parametrize(("email", "path"), INBOXES)
def test_a_row_expands_and_collapses_in_place_within_the_fragment_budget(seeded, email, path):
    app = seeded[0]
    client = signed_in(app, email)
    page = BeautifulSoup(client.get(path).data, "html.parser")
    groups = page.select("#listing tbody.approval")
    if not groups:
        pytest.skip("no request on this tab of the demo world")
    for group in groups[:5]:
        opened = client.get(group.select_one("button.row-toggle")["hx-get"], headers=HTMX)
        assert opened.status_code == 200
        assert len(opened.data) <= FRAGMENT_BUDGET, len(opened.data)
        part = BeautifulSoup(opened.data, "html.parser")
        row = part.select_one(f"tbody#{group['id']}")
        assert row is not None and part.select_one("h1") is None  # the row, not a page
        assert len(row.find_all("tr", recursive=False)) == 2
        more = row.select_one("tr.approval-more")
        assert more.select_one(".change-table, .none") is not None
        toggle = row.select_one("button.row-toggle")
        assert toggle["aria-expanded"] == "true" and toggle["aria-controls"] == more["id"]
        if "/mine" not in path and group["data-status"] == "pending":
            buttons = [b.get_text(" ", strip=True) for b in more.select("form button")]
            assert any(b.startswith("Reject") for b in buttons)
            assert more.select_one("form input[name=revision]")["value"].isdigit()
        closed = client.get(toggle["hx-get"], headers=HTMX)
        back = BeautifulSoup(closed.data, "html.parser").select_one(f"tbody#{group['id']}")
        assert len(back.find_all("tr", recursive=False)) == 1
        assert back.select_one("button.row-toggle")["aria-expanded"] == "false"


def test_the_row_fragment_is_an_htmx_part_and_refuses_bad_addresses(seeded):
    app = seeded[0]
    client = signed_in(app, "finance2@demo.mall")
    page = BeautifulSoup(client.get("/finance/approvals").data, "html.parser")
    url = page.select_one("#listing tbody.approval button.row-toggle")["hx-get"]
    detail = page.select_one("#listing tbody.approval a")["href"]
    # opened as a page (a new tab), it is the request's page
    plain = client.get(url)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(detail)
    base = url.split("?")[0]
    for query in ("tab=other", "expanded=2", "tab=mine&expanded=yes"):
        assert client.get(f"{base}?{query}", headers=HTMX).status_code == 400, query
    missing = "/finance/approvals/00000000-0000-0000-0000-000000000000/row"
    assert client.get(missing, headers=HTMX).status_code == 404
    assert client.get("/finance/approvals/nope/row", headers=HTMX).status_code == 404
