from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mallconsole.models import AuditEvent, utcnow
from mallconsole.services.kit import audit
from tests.factories.actors import make_staff
from tests.factories.records import build


def test_record_writes_one_row_with_origin_and_before_after(app, session):
    actor = make_staff(session, "auditor@test.mall")
    headers = {"User-Agent": "pytest-browser", "X-Request-ID": "req-123"}
    with app.test_request_context(
        "/x", headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.7"}
    ):
        event = audit.record(
            session,
            actor=actor,
            entity_table="shopping_mall_refund_requests",
            entity_id="rr-1",
            action="refund_approved",
            summary="Approved",
            reason="customer goodwill",
            before={"status": "pending", "amount": Decimal("10.50")},
            after={"status": "approved", "decided_at": utcnow()},
        )
        second = audit.record(session, actor=actor, entity_table="t", entity_id="1", action="other")
    session.flush()
    stored = session.get(AuditEvent, event.id)
    assert stored.actor_user_id == actor.id
    assert stored.source_ip == "198.51.100.7"
    assert stored.user_agent == "pytest-browser"
    assert stored.correlation_id == "req-123" == second.correlation_id
    assert stored.changes["before"] == {"status": "pending", "amount": "10.50"}
    assert stored.changes["after"]["status"] == "approved"


def test_each_request_gets_its_own_correlation_id(app, session):
    from flask import g

    ids = []
    for _ in range(2):
        with app.test_request_context("/x"):
            g.pop("correlation_id", None)  # as transactions.start_clean does per request
            ids.append(
                audit.record(
                    session, actor=None, entity_table="t", entity_id="1", action="a"
                ).correlation_id
            )
    assert ids[0] != ids[1]


def test_history_lists_an_entitys_changes_newest_first_with_the_actor(app, session):
    actor = make_staff(session, "historian@test.mall")
    from datetime import timedelta

    first = audit.record(
        session,
        actor=actor,
        entity_table="cases",
        entity_id="c1",
        action="opened",
        after={"status": "open"},
    )
    second = audit.record(
        session,
        actor=None,
        entity_table="cases",
        entity_id="c1",
        action="resolved",
        before={"status": "open"},
        after={"status": "resolved"},
    )
    audit.record(session, actor=actor, entity_table="cases", entity_id="c2", action="opened")
    # the trail is append-only: the order is set before the rows are written
    first.created_at = utcnow()
    second.created_at = first.created_at + timedelta(seconds=1)
    session.flush()
    entries = audit.history(session, "cases", "c1")
    assert [e.event.action for e in entries] == ["resolved", "opened"]
    assert entries[0].actor_email is None and entries[1].actor_email == "historian@test.mall"
    change = entries[0].changes[0]
    assert (change.field, change.before, change.after) == ("status", "open", "resolved")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE shopping_mall_audit_events SET summary = 'changed' WHERE id = :id",
        "DELETE FROM shopping_mall_audit_events WHERE id = :id",
    ],
)
def test_the_audit_table_is_append_only(session, statement):
    event = audit.record(session, actor=None, entity_table="t", entity_id="1", action="kept")
    session.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement), {"id": event.id})
    assert session.get(AuditEvent, event.id).summary is None


def test_timeline_macro_shows_who_changed_what(app, session):
    from bs4 import BeautifulSoup
    from flask import render_template_string

    actor = make_staff(session, "macro@test.mall", time_zone="Asia/Tokyo", name="Mac Row")
    audit.record(
        session,
        actor=actor,
        entity_table="cases",
        entity_id="c9",
        action="status_changed",
        summary="Case resolved",
        before={"status": "open"},
        after={"status": "resolved"},
    )
    session.flush()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_macros/timeline.html" import timeline %}{{ timeline(entries) }}',
            entries=audit.history(session, "cases", "c9"),
        )
    page = BeautifulSoup(html, "html.parser")
    entry = page.select_one(".timeline-entry")
    assert entry.select_one(".actor").get_text() == "Mac Row"
    assert entry.select_one(".actor .person")["title"] == "macro@test.mall"
    assert entry.select_one(".action").get_text() == "Status changed"
    assert entry.select_one("td.before").get_text(strip=True) == "Open"
    assert entry.select_one("td.after").get_text(strip=True) == "→ Resolved"
    assert "UTC" in entry.select_one("time").get_text()


def test_records_and_actions_read_as_words():
    from mallconsole.services.kit.audit import action_label, entity_label

    assert entity_label("shopping_mall_cancellation_requests") == "Cancellation request"
    assert entity_label("shopping_mall_policies") == "Policy"
    assert entity_label("shopping_mall_job_runs") == "Job run"
    assert entity_label(None) == "Record"
    assert action_label("review.approve") == "Review approve"
    assert action_label("job_run_requested") == "Job run requested"


def test_before_and_after_values_are_stored_as_json():
    import enum
    from datetime import date, datetime

    class Colour(enum.Enum):
        RED = "red"

    value = {
        1: Decimal("2.50"),
        "nested": {"on": date(2026, 3, 4), "at": datetime(2026, 3, 4, 5, 6, 7)},
        "list": [Decimal("1"), Colour.RED],
        "tuple": (1, "a"),
        "set": {Decimal("3")},
        "plain": None,
    }
    assert audit.jsonable(value) == {
        "1": "2.50",
        "nested": {"on": "2026-03-04", "at": "2026-03-04T05:06:07"},
        "list": ["1", "red"],
        "tuple": [1, "a"],
        "set": ["3"],
        "plain": None,
    }
    assert audit.jsonable(Colour.RED) == "red"
    assert audit.jsonable(7) == 7


def test_an_event_keeps_its_record_action_reason_and_approval_request(app, session):
    from mallconsole.models import AdminAction

    request = build(session, AdminAction)
    by_object = audit.record(session, actor=None, entity_table="t", entity_id="e1",
                             action="done", summary="Done", reason="why",
                             admin_action=request)  # fmt: skip
    by_id = audit.record(session, actor=None, entity_table="t", entity_id="e2", action="again",
                         admin_action=request.id)  # fmt: skip
    alone = audit.record(session, actor=None, entity_table="t", entity_id="e3", action="x")
    session.flush()
    session.expire_all()
    stored = session.get(AuditEvent, by_object.id)
    assert (stored.entity_table, stored.entity_id, stored.action) == ("t", "e1", "done")
    assert (stored.summary, stored.reason, stored.actor_user_id) == ("Done", "why", None)
    assert stored.shopping_mall_admin_action_id == request.id
    assert session.get(AuditEvent, by_id.id).shopping_mall_admin_action_id == request.id
    assert session.get(AuditEvent, alone.id).shopping_mall_admin_action_id is None
    assert session.get(AuditEvent, alone.id).changes == {"before": None, "after": None}
    # outside a request there is no address or browser, but still a correlation id
    assert stored.source_ip is None and stored.user_agent is None and stored.correlation_id


def test_history_reads_one_record_of_one_table_newest_first_within_the_limit(session):
    from datetime import timedelta

    start = utcnow()
    older = []
    for n in range(2):
        event = audit.record(session, actor=None, entity_table="cases", entity_id="c1",
                             action=f"step{n}")  # fmt: skip
        event.created_at = start + timedelta(seconds=n)
        older.append(event)
    other_table = audit.record(session, actor=None, entity_table="orders", entity_id="c1",
                               action="elsewhere")  # fmt: skip
    other_table.created_at = start + timedelta(seconds=9)
    # events of one clock tick: the greater id first, whatever order they were written in
    tied = [
        audit.record(session, actor=None, entity_table="cases", entity_id="c1", action=f"t{n}")
        for n in range(6)
    ]
    for event in tied:
        event.created_at = start + timedelta(seconds=5)
    session.flush()
    tied.sort(key=lambda e: e.id, reverse=True)
    entries = audit.history(session, "cases", "c1")
    assert [e.event.id for e in entries] == [e.id for e in tied] + [older[1].id, older[0].id]
    limited = audit.history(session, "cases", "c1", limit=2)
    assert [e.event.id for e in limited] == [tied[0].id, tied[1].id]


def test_recent_events_are_the_newest_across_records_within_the_limit(session):
    from datetime import timedelta

    actor = make_staff(session, "recent@test.mall")
    start = utcnow() + timedelta(days=1)  # after every event other tests or fixtures wrote
    for n in range(12):
        event = audit.record(session, actor=actor if n % 2 else None, entity_table=f"t{n}",
                             entity_id=str(n), action=f"a{n}")  # fmt: skip
        event.created_at = start + timedelta(seconds=n)
    tied = [audit.record(session, actor=None, entity_table="t", entity_id="x", action=f"tie{n}")
            for n in range(6)]  # fmt: skip
    for event in tied:
        event.created_at = start + timedelta(seconds=30)
    session.flush()
    tied.sort(key=lambda e: e.id, reverse=True)
    recent = audit.recent_events(session)
    assert [e.event.id for e in recent[:6]] == [e.id for e in tied]
    assert [e.event.action for e in recent[6:]] == ["a11", "a10", "a9", "a8"]
    assert [e.actor_email for e in recent[6:8]] == ["recent@test.mall", None]
    assert [e.event.id for e in audit.recent_events(session, limit=3)] == [e.id for e in tied[:3]]


def test_a_timeline_entry_lists_every_field_once_in_order_of_appearance(session):
    audit.record(session, actor=None, entity_table="shopping_mall_addresses", entity_id="a1",
                 action="address.changed", before={"city": "Seoul", "zip": "04524"},
                 after={"city": "Busan", "note": "moved"})  # fmt: skip
    session.flush()
    (entry,) = audit.history(session, "shopping_mall_addresses", "a1")
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("city", "Seoul", "Busan"), ("zip", "04524", None), ("note", None, "moved"),
    ]  # fmt: skip
    assert (entry.entity_label, entry.action_label) == ("Address", "Address changed")
    bare = audit.record(session, actor=None, entity_table="t", entity_id="b", action="x")
    session.flush()
    assert audit.history(session, "t", "b")[0].changes == []
    assert bare.changes == {"before": None, "after": None}


def test_record_kinds_read_in_the_singular():
    assert audit.entity_label("shopping_mall_addresses") == "Address"
    assert audit.entity_label("shopping_mall_categories") == "Category"
    assert audit.entity_label("shopping_mall_refund_requests") == "Refund request"
    assert audit.entity_label("shopping_mall_inventory") == "Inventory"
    assert audit.entity_label("") == "Record"
