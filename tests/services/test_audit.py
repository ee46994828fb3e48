from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mallconsole.models import AuditEvent, utcnow
from mallconsole.services.kit import audit
from tests.factories.actors import make_staff


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
