"""A recorded change in words (web/history.py): what a timeline and an approval show."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask import render_template_string

from mallconsole.core.people import Person, display_name
from mallconsole.services.kit import audit
from mallconsole.web import history
from tests.factories.actors import make_staff


def words(rows):
    return [(r.label, r.before.text, r.after.text) for r in rows]


def test_a_raised_refund_reads_as_its_reason_lines_and_amounts(app):
    with app.test_request_context("/"):
        rows = history.change_rows(
            None,
            {
                "number": "RR-20261206-000009",
                "status": "pending",
                "order": "ORD-20261206-000003",
                "reason_code": "damaged",
                "case": None,
                "version": 1,
                "lines": {"Deluxe Sport Earphones": "300.00", "Whole order": "5.5"},
            },
            currency="USD",
        )
    assert words(rows)[:4] == [
        ("Number", "Not set", "RR-20261206-000009"),
        ("Status", "Not set", "Pending"),
        ("Order", "Not set", "ORD-20261206-000003"),
        ("Reason", "Not set", "Damaged"),
    ]
    # Case empty -> empty and the version are left out; the lines are a small table.
    assert [r.label for r in rows] == ["Number", "Status", "Order", "Reason", "Lines"]
    lines = rows[-1].after
    assert lines.table == (
        ("Deluxe Sport Earphones", "USD\xa0300.00"),
        ("Whole order", "USD\xa05.50"),
    )


def test_versions_unchanged_fields_and_ids_are_left_out(app):
    with app.test_request_context("/"):
        rows = history.change_rows(
            {"version": 1, "approved": False, "note": "same", "payment_id": "a"},
            {"version": 2, "approved": True, "note": "same", "payment_id": "b", "revision": 3},
        )
    assert words(rows) == [("Approved", "No", "Yes")]


def test_amounts_carry_their_currency_from_the_event_or_the_record(app):
    with app.test_request_context("/"):
        own = history.change_rows(None, {"net_amount": "1166.12", "currency": "EUR"})
        given = history.change_rows(
            {"approved_amount": None}, {"approved_amount": "12"}, currency="KRW"
        )
        text = history.change_rows({"balance": "oops"}, {"balance": "1.00"}, currency="USD")
    # The currency is on the amount: no row of its own.
    assert words(own) == [("Net amount", "Not set", "EUR\xa01,166.12")]
    assert words(given) == [("Amount approved", "Not set", "KRW\xa012")]
    assert words(text) == [("Balance", "oops", "USD\xa01.00")]  # not an amount: as written


def test_stored_words_read_as_their_labels(app):
    with app.test_request_context("/"):
        rows = history.change_rows(
            {"reason": "pii", "roles": ["support_agent"], "state": "removed_moderator"},
            {
                "reason": "late_delivery",
                "roles": ["support_agent", "finance_manager"],
                "state": "approved",
            },
        )
    assert words(rows) == [
        ("Reason", "Personal information", "Late delivery"),
        ("Roles", "Support", "Support, Finance"),
        ("State", "Removed by a moderator", "Approved"),
    ]


def test_an_approval_asks_in_the_currency_of_its_setting(app):
    payload = {
        "key": "finance.refund.dual_approval_threshold.USD",
        "before": {"value": "250.00"},
        "after": {"value": "300.00"},
    }
    plain = {
        "key": "moderation.claim.batch_size",
        "before": {"value": "10"},
        "after": {"value": "20"},
    }
    with app.test_request_context("/"):
        assert words(history.decision_rows(payload)) == [
            ("Value", "USD\xa0250.00", "USD\xa0300.00")
        ]
        assert words(history.decision_rows(plain)) == [("Value", "10", "20")]
        assert history.decision_rows(None) == [] and history.decision_rows("x") == []


def test_odd_payloads_never_fail(app):
    with app.test_request_context("/"):
        assert history.change_rows("x", ["y"]) == []
        rows = history.change_rows({}, {"lines": [{"a": 1}, {"b": "2"}], "items": []})
    assert words(rows) == [("Lines", "Not set", "a: 1; b: 2")]


def test_a_timeline_shows_the_rows_and_the_person_by_name(app, session):
    actor = make_staff(session, "writer@history.test", name="Wren Writer")
    audit.record(
        session,
        actor=actor,
        entity_table="shopping_mall_refund_requests",
        entity_id="r-1",
        action="refund.amount_changed",
        before={"approved_amount": "10.00", "version": 1},
        after={"approved_amount": "12.50", "version": 2},
    )
    session.flush()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_macros/timeline.html" import timeline %}'
            '{{ timeline(entries, currency="USD") }}',
            entries=audit.history(session, "shopping_mall_refund_requests", "r-1"),
        )
    page = BeautifulSoup(html, "html.parser")
    who = page.select_one(".actor .person")
    assert who.get_text() == "Wren Writer" and who["title"] == "writer@history.test"
    cells = [
        [c.get_text(strip=True) for c in tr.select("th, td")] for tr in page.select("tbody tr")
    ]
    assert cells == [["Amount approved", "USD\xa010.00", "→ USD\xa012.50"]]


def test_a_person_without_a_name_is_never_their_whole_address():
    assert display_name("  Ada Admin ", "ada@demo.mall") == "Ada Admin"
    assert display_name(None, "ada@demo.mall") == "ada"
    assert display_name(None, None) == "Someone"
    assert str(Person(None, "x@y.z")) == "x"
