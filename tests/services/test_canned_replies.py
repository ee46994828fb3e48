"""The canned-reply library: fill, placeholders, unique titles, versioned edits, soft delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mallconsole.core.errors import NotFound, ValidationError
from mallconsole.core.roles import Role
from mallconsole.models import AuditEvent, CannedReply
from mallconsole.services.kit import versions
from mallconsole.services.kit.pagination import parse_ordering
from mallconsole.services.support import canned_replies
from tests.factories.actors import make_staff


@pytest.fixture
def agent(session):
    return make_staff(session, "library@replies.test", (Role.SUPPORT_AGENT,))


def test_fill_replaces_known_placeholders_and_leaves_missing_ones_empty():
    body = "Hello {customer_name}, order {order_number} ({case_number}). {agent_name} {other}"
    filled = canned_replies.fill(body, customer_name="Ana", case_number="CAS-1", other="x")
    assert filled == "Hello Ana, order  (CAS-1).  {other}"
    assert canned_replies.fill("{order_number}", order_number=None) == ""
    assert canned_replies.fill("{agent_name}{agent_name}", agent_name=7) == "77"
    assert canned_replies.fill(None) == ""
    assert canned_replies.unknown_placeholders("{a} {customer_name} {b} {a}") == ["a", "b"]


def test_add_search_and_count(session, agent):
    canned_replies.add_reply(
        session,
        title="Refund on its way",
        body="Hi {customer_name}",
        category="refund",
        actor=agent,
    )
    canned_replies.add_reply(session, title="Thanks", body="100% sure_ly", actor=agent)
    ordering = parse_ordering("title", canned_replies.REPLY_SORTS, "title", canned_replies.REPLY_ID)

    def titles(**filters):
        page = canned_replies.reply_page(session, filters, ordering, cursor=None, limit=50)
        return [r.title for r in page.rows]

    assert titles(q="REFUND") == ["Refund on its way"]
    assert titles(q="customer_name") == ["Refund on its way"]  # the text is searched too
    assert titles(q="100%") == ["Thanks"] and titles(q="_ly") == ["Thanks"]
    assert titles(q="%") == ["Thanks"]  # a wildcard is a character, not "anything"
    assert titles(category="refund") == ["Refund on its way"]
    assert canned_replies.count_replies(session, {}).value == 2
    trail = session.scalar(select(AuditEvent).where(AuditEvent.action == "canned_reply_created"))
    assert trail.actor_user_id == agent.id and trail.changes["after"]["title"]


def test_a_search_matches_the_category_name_too(session, agent):
    canned_replies.add_reply(
        session, title="Where is my parcel", body="Tracking", category="shipping", actor=agent
    )
    canned_replies.add_reply(session, title="Refund sent", body="Soon", category="refund",
                             actor=agent)  # fmt: skip
    ordering = parse_ordering("title", canned_replies.REPLY_SORTS, "title", canned_replies.REPLY_ID)
    page = canned_replies.reply_page(session, {"q": "Ship"}, ordering, cursor=None, limit=50)
    assert [r.title for r in page.rows] == ["Where is my parcel"]


@pytest.mark.parametrize(
    ("title", "body", "category", "field"),
    [
        ("", "Hi", None, "title"),
        ("x" * 121, "Hi", None, "title"),
        ("New", "", None, "body"),
        ("New", "Hi {customer_nam}", None, "body"),
        ("New", "Hi {first name}", "weather", "category"),
        ("where is my order", "Hi", None, "title"),  # taken (case aside)
    ],
)
def test_bad_replies_are_refused_with_a_message(session, agent, title, body, category, field):
    canned_replies.add_reply(session, title="Where is my order", body="Hi", actor=agent)
    with pytest.raises(ValidationError) as refused:
        canned_replies.add_reply(session, title=title, body=body, category=category, actor=agent)
    assert field in refused.value.field_errors
    assert session.scalar(select(CannedReply.id).where(CannedReply.title == title)) is None


def test_unknown_placeholders_are_named_in_the_message(session, agent):
    with pytest.raises(ValidationError) as refused:
        canned_replies.add_reply(session, title="T", body="{nme} and {x}", actor=agent)
    assert "{nme}, {x}" in refused.value.field_errors["body"][0]


def test_edit_is_versioned_and_a_stale_edit_is_refused_with_what_changed(session, agent):
    reply = canned_replies.add_reply(session, title="Label", body="Old", actor=agent)
    canned_replies.edit_reply(
        session,
        reply.id,
        title="Label",
        body="New {case_number}",
        category="return",
        expected_version=1,
        actor=agent,
    )
    assert (reply.body, reply.category, reply.version) == ("New {case_number}", "return", 2)
    assert reply.updated_by_user_id == agent.id
    with pytest.raises(versions.StaleRecord) as stale:
        canned_replies.edit_reply(
            session, reply.id, title="Label", body="Mine", expected_version=1, actor=agent
        )
    assert stale.value.current_version == 2
    assert {c.label for c in stale.value.changes} == {"Text", "Category"}
    assert reply.body == "New {case_number}"


def test_delete_is_soft_and_frees_the_title(session, agent):
    reply = canned_replies.add_reply(session, title="Old one", body="Hi", actor=agent)
    with pytest.raises(versions.StaleRecord):
        canned_replies.delete_reply(session, reply.id, expected_version=5, actor=agent)
    canned_replies.delete_reply(session, reply.id, expected_version=1, actor=agent)
    assert reply.deleted_at is not None
    with pytest.raises(NotFound):
        canned_replies.get_reply(session, reply.id)
    again = canned_replies.add_reply(session, title="Old one", body="Hi again", actor=agent)
    assert again.id != reply.id
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == reply.id)
    ).all()
    assert sorted(actions) == ["canned_reply_created", "canned_reply_deleted"]


def test_a_title_in_another_script_is_still_unique(session, agent):
    canned_replies.add_reply(session, title="Ωmega 한국어 🙂", body="Hi", actor=agent)
    with pytest.raises(ValidationError) as refused:
        canned_replies.add_reply(session, title="Ωmega 한국어 🙂", body="Hi", actor=agent)
    assert "already has this title" in refused.value.field_errors["title"][0]


def test_a_title_with_text_direction_marks_is_refused_and_a_body_keeps_them(session, agent):
    with pytest.raises(ValidationError) as refused:
        canned_replies.add_reply(session, title="\u202eΩ≈ç 한국어 🙂", body="Hi", actor=agent)
    assert "text-direction" in refused.value.field_errors["title"][0]
    kept = canned_replies.add_reply(session, title="Plain", body="\u202eΩ≈ç 🙂", actor=agent)
    assert kept.body == "\u202eΩ≈ç 🙂"
