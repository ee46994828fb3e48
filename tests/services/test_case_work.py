"""Working a case (services/support/case_work.py): every status move, stale changes, replies through
the outbox, notes, attachments checked by their content, canned replies, the merged timeline."""

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import InvalidTransition, NotFound, ValidationError
from mallconsole.models import (
    AuditEvent,
    CannedReply,
    Order,
    OutboundMessage,
    SupportAttachment,
    SupportCase,
    SupportCaseEvent,
    SupportNote,
    utcnow,
)
from mallconsole.services.kit import versions
from mallconsole.services.support import canned_replies, case_work
from tests.factories.actors import make_customer, make_staff
from tests.factories.records import build

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture
def agent(session):
    user = make_staff(session, "agent-casework@test.mall")
    user.name = "Mina K."
    return user


@pytest.fixture
def other_agent(session):
    user = make_staff(session, "other-casework@test.mall")
    user.name = "Jo Other"
    return user


@pytest.fixture
def customer(session):
    return make_customer(session, "ana-casework@example.com", name="Ana Collins")


@pytest.fixture
def case(session, customer):
    return build(
        session,
        SupportCase,
        case_number="CAS-20261121-000042",
        subject="Parcel never arrived",
        status="open",
        priority="normal",
        category="shipping",
        customer_user_id=customer.id,
        created_at=utcnow() - timedelta(days=1),
    )


def events_of(session, case, event_type=None):
    statement = select(SupportCaseEvent).where(
        SupportCaseEvent.shopping_mall_support_case_id == case.id
    )
    if event_type:
        statement = statement.where(SupportCaseEvent.event_type == event_type)
    return list(session.scalars(statement.order_by(SupportCaseEvent.occurred_at)))


def audits_of(session, case, action):
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == case.id, AuditEvent.action == action)
        )
    )


# --- status: every move of the machine, legal and illegal ---------------------------------


@pytest.mark.parametrize(("current", "target"), list(product(states.SUPPORT_CASE, repeat=2)))
def test_every_status_move(session, case, agent, current, target):
    case.status = current
    session.flush()
    legal = (current, target) in states.SUPPORT_CASE_MACHINE.moves
    if not legal:
        with pytest.raises(InvalidTransition) as refused:
            case_work.change_status(
                session, case.id, status=target, expected_version=case.version, actor=agent
            )
        assert refused.value.status == 409
        assert states.label(states.SUPPORT_CASE_MACHINE, current) in refused.value.message
        assert events_of(session, case, states.CASE_EVENT_STATUS_CHANGED) == []
        assert case.version == 1 and case.status == current
        return
    now = utcnow()
    event = case_work.change_status(
        session, case.id, status=target, expected_version=1, actor=agent, now=now
    )
    assert case.status == target and case.version == 2
    assert case.closed_at == (now if target == "closed" else None)
    assert case.last_event_at == now
    assert event.event_type == states.CASE_EVENT_STATUS_CHANGED
    assert states.parse_case_status_change(event.body) == (current, target)
    assert event.visibility == "internal" and event.actor_user_id == agent.id
    [audited] = audits_of(session, case, "case_status_changed")
    assert audited.changes["before"]["status"] == current
    assert audited.changes["after"]["status"] == target
    assert audited.changes["after"]["version"] == 2


def test_reopening_a_closed_case_clears_closed_at(session, case, agent):
    case_work.change_status(session, case.id, status="resolved", expected_version=1, actor=agent)
    case_work.change_status(session, case.id, status="closed", expected_version=2, actor=agent)
    assert case.closed_at is not None
    case_work.change_status(session, case.id, status="open", expected_version=3, actor=agent)
    assert case.closed_at is None and case.status == "open"


def test_an_unknown_status_is_a_validation_error(session, case, agent):
    with pytest.raises(ValidationError):
        case_work.change_status(session, case.id, status="done", expected_version=1, actor=agent)


# --- stale changes ------------------------------------------------------------------------


def test_a_change_based_on_a_stale_view_is_refused_with_what_changed(
    session, case, agent, other_agent
):
    case_work.assign(
        session, case.id, assignee_id=other_agent.id, expected_version=1, actor=other_agent
    )
    case_work.change_status(
        session, case.id, status="on_hold", expected_version=2, actor=other_agent
    )
    with pytest.raises(versions.StaleRecord) as stale:
        case_work.change_priority(
            session, case.id, priority="urgent", expected_version=1, actor=agent
        )
    assert stale.value.status == 409 and stale.value.current_version == 3
    changes = {c.label: c.value for c in stale.value.changes}
    # In words: the state's label and the assignee's name, never keys or ids.
    assert changes == {"Status": "On hold", "Assignee": "Jo Other"}
    assert {c.by.email for c in stale.value.changes} == {"other-casework@test.mall"}
    assert case.priority == "normal"
    assert events_of(session, case, "priority_changed") == []
    # Saving again with the version now shown applies it on purpose.
    case_work.change_priority(session, case.id, priority="urgent", expected_version=3, actor=agent)
    assert case.priority == "urgent" and case.version == 4


def test_a_stale_status_change_is_refused_before_the_move_is_checked(
    session, case, agent, other_agent
):
    case_work.change_status(
        session, case.id, status="resolved", expected_version=1, actor=other_agent
    )
    # From the agent's stale page, "on hold" looked legal; the answer says who resolved it.
    with pytest.raises(versions.StaleRecord) as stale:
        case_work.change_status(session, case.id, status="on_hold", expected_version=1, actor=agent)
    assert [(c.label, c.value) for c in stale.value.changes] == [("Status", "Resolved")]


def test_priority_category_and_assignment_write_their_events(session, case, agent):
    case_work.change_priority(session, case.id, priority="urgent", expected_version=1, actor=agent)
    case_work.change_category(session, case.id, category="refund", expected_version=2, actor=agent)
    case_work.assign(session, case.id, assignee_id=agent.id, expected_version=3, actor=agent)
    case_work.assign(session, case.id, assignee_id=None, expected_version=4, actor=agent)
    bodies = [(e.event_type, e.body) for e in events_of(session, case)]
    assert bodies == [
        ("priority_changed", "normal → urgent"),
        ("category_changed", "shipping → refund"),
        ("assigned", "Assigned to Mina K."),
        ("assigned", "Unassigned"),
    ]
    assert case.assigned_to_user_id is None and case.version == 5
    assert len(audits_of(session, case, "case_assigned")) == 2


def test_changing_nothing_writes_nothing(session, case, agent):
    assert (
        case_work.change_priority(
            session, case.id, priority="normal", expected_version=1, actor=agent
        )
        is None
    )
    assert events_of(session, case) == [] and case.version == 1


@pytest.mark.parametrize(
    ("change", "value", "field"),
    [("change_priority", "asap", "priority"), ("change_category", "misc", "category")],
)
def test_values_outside_the_vocabulary_are_refused(session, case, agent, change, value, field):
    with pytest.raises(ValidationError) as refused:
        getattr(case_work, change)(
            session, case.id, **{field: value}, expected_version=1, actor=agent
        )
    assert field in refused.value.field_errors


def test_only_support_agents_can_be_assigned(session, case, agent, customer):
    with pytest.raises(ValidationError) as refused:
        case_work.assign(session, case.id, assignee_id=customer.id, expected_version=1, actor=agent)
    assert "assignee" in refused.value.field_errors


# --- replies, notes -----------------------------------------------------------------------


def test_a_reply_is_public_and_queued_for_the_customer(session, case, agent):
    event = case_work.reply(session, case.id, body="  We found it.  ", actor=agent)
    assert (event.event_type, event.visibility, event.body) == (
        "agent_reply",
        "public",
        "We found it.",
    )
    message = session.scalars(
        select(OutboundMessage).where(OutboundMessage.entity_id == event.id)
    ).one()
    assert message.entity_table == "shopping_mall_support_case_events"
    assert message.recipient == "ana-casework@example.com"
    assert message.subject == "Re: Parcel never arrived [CAS-20261121-000042]"
    assert message.status == "queued" and message.body_text == "We found it."
    assert case.last_event_at == event.occurred_at and case.version == 1
    [audited] = audits_of(session, case, "case_replied")
    assert audited.changes["after"]["message_id"] == message.id


def test_an_empty_reply_and_a_case_without_anyone_to_answer_are_refused(session, case, agent):
    with pytest.raises(ValidationError) as empty:
        case_work.reply(session, case.id, body="   ", actor=agent)
    assert "body" in empty.value.field_errors
    case.customer_user_id = None
    session.flush()
    with pytest.raises(ValidationError):
        case_work.reply(session, case.id, body="Hello", actor=agent)
    assert session.scalar(select(OutboundMessage)) is None


def test_a_reply_from_a_canned_reply_counts_its_use(session, case, agent):
    canned = build(session, CannedReply, title="Where", body="Hi {customer_name}", usage_count=4)
    case_work.reply(session, case.id, body="Hi Ana", actor=agent, canned_reply_id=canned.id)
    session.refresh(canned)
    assert canned.usage_count == 5 and canned.last_used_at is not None


def test_a_note_is_internal_with_its_event(session, case, agent):
    note = case_work.add_note(session, case.id, body="Seller called back", actor=agent)
    assert note.visibility == "internal"
    [event] = events_of(session, case, "note")
    assert (event.visibility, event.body) == ("internal", "Seller called back")
    assert session.scalar(select(OutboundMessage)) is None  # nothing goes to the customer
    entries = case_work.timeline(session, case).entries
    assert [(e.type_label, e.internal) for e in entries] == [("Internal note", True)]


def test_a_missing_case_is_not_found(session, agent):
    with pytest.raises(NotFound):
        case_work.add_note(session, "no-such-case", body="x", actor=agent)
    with pytest.raises(NotFound):
        case_work.get_case(session, "CAS-20000101-000001")


# --- attachments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.png", PNG, "image/png"),
        ("scan.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("a.gif", b"GIF89a" + b"\x00" * 10, "image/gif"),
        ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("receipt.pdf", PDF, "application/pdf"),
        ("notes.txt", "Reçu n° 42\nmerci\n".encode(), "text/plain"),
    ],
)
def test_allowed_types_are_recognised_by_their_content(name, content, kind):
    assert case_work.check_upload(case_work.Upload(name, content)) == (name, kind)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "not one of the allowed types"),
        ("photo.png", b"just some text pretending", "does not match its name"),
        ("notes.txt", PNG, "does not match its name"),
        ("script.html", b"<script>alert(1)</script>", "does not match its name"),
        ("empty.txt", b"", "is empty"),
        ("big.txt", b"a" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
        ("\x00\x1f", b"hello", "needs a name"),
    ],
)
def test_refused_files_say_why(name, content, says):
    with pytest.raises(ValidationError) as refused:
        case_work.check_upload(case_work.Upload(name, content))
    assert says in refused.value.field_errors["files"][0]


def test_exactly_ten_megabytes_is_allowed():
    content = b"a" * (10 * 1024 * 1024)
    assert case_work.check_upload(case_work.Upload("log.txt", content))[1] == "text/plain"


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ana\\photo.png", "photo.png"),
        ("..hidden.txt", "hidden.txt"),
        ("bad\r\nname\x00.txt", "badname.txt"),
        ("  spaced   out .txt ", "spaced out .txt"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_sanitized(typed, clean):
    assert case_work.clean_file_name(typed) == clean


def test_files_go_to_storage_with_their_entry(session, case, agent, app):
    with app.test_request_context():
        note = case_work.add_note(
            session, case.id, body="Photo from the customer", actor=agent,
            uploads=[case_work.Upload("../box.png", PNG)],
        )  # fmt: skip
        [row] = session.scalars(select(SupportAttachment)).all()
        assert row.shopping_mall_support_note_id == note.id
        assert (row.file_name, row.content_type, row.file_size) == (
            "box.png",
            "image/png",
            len(PNG),
        )
        assert row.file_uri.startswith(f"support/{case.id}/") and ".." not in row.file_uri
        from mallconsole.services.delivery.storage import get_storage

        with get_storage().open(row.file_uri) as stored:
            assert stored.read() == PNG
        [entry] = case_work.timeline(session, case).entries
        assert [f.file_name for f in entry.attachments] == ["box.png"]


def test_a_refused_file_refuses_the_whole_note(session, case, agent, app):
    with app.test_request_context(), pytest.raises(ValidationError):
        case_work.add_note(
            session, case.id, body="Two files", actor=agent,
            uploads=[case_work.Upload("a.png", PNG), case_work.Upload("b.png", b"text")],
        )  # fmt: skip
    assert session.scalar(select(SupportNote)) is None
    assert session.scalar(select(SupportAttachment)) is None


# --- canned replies -----------------------------------------------------------------------


def test_placeholders_are_filled_and_missing_values_left_empty():
    body = "Hi {customer_name}, order {order_number} ({case_number}). {agent_name} {unknown}"
    filled = canned_replies.fill(
        body, **{"customer_name": "Ana", "order_number": None, "case_number": "CAS-1"}
    )
    assert filled == "Hi Ana, order  (CAS-1).  {unknown}"


def test_choices_fill_the_case_and_put_its_category_first(session, case, agent):
    order = build(session, Order, order_number="ORD-20261120-000007")
    case.order_id = order.id
    session.flush()
    build(session, CannedReply, title="Thanks", body="Thanks {agent_name}", usage_count=99)
    build(
        session, CannedReply, title="Where is it", category="shipping", usage_count=1,
        body="Hello {customer_name}, order {order_number} is on its way ({case_number}).",
    )  # fmt: skip
    header = case_work.case_header(session, case.id)
    choices = case_work.canned_reply_choices(session, header, agent)
    assert [c.title for c in choices][:2] == ["Where is it", "Thanks"]
    assert choices[0].text == (
        "Hello Ana Collins, order ORD-20261120-000007 is on its way (CAS-20261121-000042)."
    )
    assert choices[1].text == "Thanks Mina K."
    found = case_work.canned_reply_choices(session, header, agent, "ON ITS")
    assert [c.title for c in found] == ["Where is it"]
    assert case_work.canned_reply_choices(session, header, agent, "100%_") == []


# --- the timeline -------------------------------------------------------------------------


def test_the_timeline_merges_events_notes_and_files_oldest_first(session, case, agent):
    start = utcnow() - timedelta(hours=3)
    build(
        session, SupportCaseEvent, shopping_mall_support_case_id=case.id, event_type="created",
        visibility="public", body="Parcel never arrived", occurred_at=start,
        actor_user_id=case.customer_user_id,
    )  # fmt: skip
    # A note written without its event (older data) is an entry of its own ...
    build(
        session, SupportNote, shopping_mall_support_case_id=case.id, author_user_id=agent.id,
        visibility="internal", body="Called the carrier", created_at=start + timedelta(hours=1),
    )  # fmt: skip
    # ... and a note told by its event is shown once.
    case_work.add_note(session, case.id, body="Told once", actor=agent)
    build(
        session, SupportAttachment, shopping_mall_support_case_id=case.id,
        uploaded_by_user_id=agent.id, file_name="label.pdf", content_type="application/pdf",
        file_size=10, created_at=start + timedelta(hours=2),
    )  # fmt: skip
    entries = case_work.timeline(session, case).entries
    assert [(e.kind, e.type_label) for e in entries] == [
        ("event", "Case opened"),
        ("note", "Internal note"),
        ("attachment", "File added"),
        ("event", "Internal note"),
    ]
    # The customer by name, with no address to hover: theirs is revealed only on purpose.
    assert entries[0].actor.display == "Ana Collins" and entries[0].actor.email is None
    assert not entries[0].internal


def test_load_earlier_and_newer_pages(session, case, agent):
    start = utcnow() - timedelta(days=1)
    for n in range(65):
        build(
            session, SupportCaseEvent, shopping_mall_support_case_id=case.id,
            event_type="customer_message", visibility="public", body=f"message {n}",
            occurred_at=start + timedelta(minutes=n), actor_user_id=case.customer_user_id,
        )  # fmt: skip
    page = case_work.timeline(session, case)
    assert [e.body for e in page.entries] == [f"message {n}" for n in range(35, 65)]
    earlier = case_work.timeline(session, case, earlier=page.earlier_cursor)
    assert [e.body for e in earlier.entries] == [f"message {n}" for n in range(5, 35)]
    first = case_work.timeline(session, case, earlier=earlier.earlier_cursor)
    assert [e.body for e in first.entries] == [f"message {n}" for n in range(5)]
    assert first.earlier_cursor is None
    assert case_work.timeline(session, case, newer=page.newest_cursor).entries == []
    case_work.add_note(session, case.id, body="Newest", actor=agent)
    news = case_work.timeline(session, case, newer=page.newest_cursor)
    assert [e.body for e in news.entries] == ["Newest"]
    assert case_work.timeline(session, case, newer=news.newest_cursor).entries == []


def test_a_forged_timeline_cursor_is_a_bad_request(session, case):
    with pytest.raises(Exception) as refused:
        case_work.timeline(session, case, earlier="not-a-cursor")
    assert refused.value.status == 400
