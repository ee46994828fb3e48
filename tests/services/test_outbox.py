import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from mallconsole.core.errors import InvalidTransition, ValidationError
from mallconsole.models import OutboundMessage
from mallconsole.services.delivery import outbox
from mallconsole.services.delivery.mailer import FileTransport, SMTPServer, SMTPTransport
from mallconsole.services.delivery.outbox import (
    NOT_CONFIRMED,
    deliver_message,
    due_messages,
    queue_message,
    retry_delay,
    sweep_stuck,
)
from tests.factories.actors import make_staff
from tests.smtp import free_port, running_smtp_server

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp(smtp_server) -> SMTPTransport:
    return SMTPTransport(SMTPServer("127.0.0.1", smtp_server.port, "plain"))


@pytest.fixture
def session_factory(session):
    """Sessions on the test's connection: their commits are savepoints, rolled back after."""
    return sessionmaker(bind=session.bind, join_transaction_mode="create_savepoint")


def queue(session, n: int = 0, **changes) -> OutboundMessage:
    fields = {
        "recipient": f"customer{n}@example.com",
        "subject": f"Your refund request RR-20260314-{n:06d}",
        "body": "Your refund was approved.\nIt reaches your card within 5 days.",
        "entity_table": "shopping_mall_refund_requests",
        "entity_id": f"00000000-0000-4000-8000-{n:012d}",
        "now": T0,
    }
    return queue_message(session, **(fields | changes))


def reload(session, message_id: str) -> OutboundMessage:
    session.expire_all()
    return session.get(OutboundMessage, message_id)


# --- queueing -----------------------------------------------------------------------------


def test_a_queued_message_waits_for_the_send_mail_task(session, smtp_server):
    staff = make_staff(session, "support-outbox@test.mall")
    message = queue_message(
        session,
        recipient=" kim@example.com ",
        subject="Your case CAS-20260314-000042",
        body="We answered your question.",
        entity_table="shopping_mall_support_cases",
        entity_id="7d0f3b52-5d7e-4b8e-9f0e-2a1c3b4d5e6f",
        actor=staff,
        now=T0,
    )
    stored = reload(session, message.id)
    assert (stored.recipient, stored.status, stored.attempts) == ("kim@example.com", "queued", 0)
    assert stored.next_attempt_at == T0
    assert stored.created_by_user_id == staff.id
    assert (stored.entity_table, stored.entity_id) == (
        "shopping_mall_support_cases",
        "7d0f3b52-5d7e-4b8e-9f0e-2a1c3b4d5e6f",
    )
    assert smtp_server.messages == []  # sending is the task's job, after the commit


def test_a_message_of_a_rolled_back_change_never_exists(session):
    savepoint = session.begin_nested()
    queue(session)
    savepoint.rollback()
    assert due_messages(session, now=T0, limit=10) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient", ""),
        ("recipient", "kim"),
        ("recipient", "kim@"),
        ("recipient", "kim@localhost"),
        ("recipient", "kim lee@example.com"),
        ("recipient", "Kim <kim@example.com>"),
        ("recipient", "kim@example.com, lee@example.com"),
        ("recipient", "kim@example.com\r\nBcc: everyone@example.com"),
        ("recipient", "kim@example.com\n"),
        ("recipient", "x" * 65 + "@example.com"),
        ("subject", "Refund approved\r\nBcc: everyone@example.com"),
        ("subject", "Refund approved\n"),
        ("subject", "Refund\x00approved"),
        ("subject", "   "),
        ("subject", "s" * 201),
        ("body", ""),
        ("body", " \n "),
        ("body", "b" * 100_001),
        ("entity_id", "7d0f3b52-5d7e-4b8e-9f0e-2a1c3b4d5e6f-and-more"),
    ],
)
def test_a_message_that_cannot_be_sent_is_refused(session, field, value):
    with pytest.raises(ValidationError, match="cannot be sent") as refused:
        queue(session, **{field: value})
    assert list(refused.value.field_errors) == [field]
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_record_id_needs_its_table(session):
    with pytest.raises(ValidationError) as refused:
        queue(session, entity_table=None)
    assert "entity_id" in refused.value.field_errors


def test_all_problems_are_reported_at_once(session):
    with pytest.raises(ValidationError) as refused:
        queue(session, recipient="kim", subject="", body="")
    assert set(refused.value.field_errors) == {"recipient", "subject", "body"}


# --- delivering -----------------------------------------------------------------------------


def test_a_message_is_delivered_once_with_its_headers(session, session_factory, smtp, smtp_server):
    message = queue(session, 7, subject="환불 승인 (refund approved)")
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "sent"

    [received] = smtp_server.messages
    assert received["Message-ID"] == f"<{message.id}@mall.example>"
    assert received["From"] == "Mall Console <no-reply@mall.example>"
    assert received["To"] == "customer7@example.com"
    assert received["Subject"] == "환불 승인 (refund approved)"
    assert "reaches your card" in received.get_content()
    stored = reload(session, message.id)
    assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, T0)
    assert stored.sending_started_at == T0

    # A repeat of the task (or a second worker) sends nothing and says so.
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "skipped"
    assert len(smtp_server.messages) == 1
    assert reload(session, message.id).attempts == 1


def test_an_unknown_message_is_skipped(session_factory, smtp, smtp_server):
    missing = "00000000-0000-4000-8000-000000000000"
    assert deliver_message(session_factory, missing, transport=smtp) == "skipped"
    assert smtp_server.messages == []


def test_a_busy_server_means_retry_with_backoff(session, session_factory, smtp, smtp_server):
    message = queue(session)
    smtp_server.reply_next("RCPT", "450 4.2.1 Mailbox busy")
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "retry"
    stored = reload(session, message.id)
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert stored.next_attempt_at == T0 + MINUTE
    assert "450" in stored.last_error

    # Not due yet: nobody takes it.
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "skipped"
    later = T0 + MINUTE
    assert deliver_message(session_factory, message.id, transport=smtp, now=later) == "sent"
    stored = reload(session, message.id)
    assert (stored.status, stored.attempts, stored.sent_at, stored.last_error) == (
        "sent",
        2,
        later,
        None,
    )
    assert smtp_server.message_ids() == [f"<{message.id}@mall.example>"]


def test_a_server_that_is_down_means_retry(session, session_factory):
    message = queue(session)
    nowhere = SMTPTransport(SMTPServer("127.0.0.1", free_port(), "plain"), timeout=5)
    assert deliver_message(session_factory, message.id, transport=nowhere, now=T0) == "retry"
    stored = reload(session, message.id)
    assert stored.status == "queued"
    assert "ConnectionRefusedError" in stored.last_error


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("RCPT", "550 5.1.1 No such user"), ("DATA", "554 5.7.1 Message rejected")],
)
def test_a_refusal_fails_the_message_at_once(
    session, session_factory, smtp, smtp_server, stage, reply
):
    message = queue(session)
    smtp_server.reply_next(stage, reply)
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "failed"
    stored = reload(session, message.id)
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert reply.split()[0] in stored.last_error
    later = T0 + timedelta(days=1)
    assert deliver_message(session_factory, message.id, transport=smtp, now=later) == "skipped"
    assert smtp_server.messages == []


def test_it_gives_up_after_five_attempts(session, session_factory, smtp, smtp_server):
    message = queue(session)
    smtp_server.reply_next("RCPT", "451 4.3.0 Try again later", times=5)
    now, waits = T0, []
    for _ in range(4):
        assert deliver_message(session_factory, message.id, transport=smtp, now=now) == "retry"
        due = reload(session, message.id).next_attempt_at
        waits.append(due - now)
        now = due
    assert waits == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert deliver_message(session_factory, message.id, transport=smtp, now=now) == "failed"
    stored = reload(session, message.id)
    assert (stored.status, stored.attempts) == ("failed", 5)
    assert stored.last_error.startswith("gave up after 5 attempts: ")
    assert smtp_server.messages == []


def test_retry_delays_double_up_to_an_hour():
    assert [retry_delay(n) // MINUTE for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_bad_stored_address_fails_without_sending(session, session_factory, smtp, smtp_server):
    message = OutboundMessage(
        recipient="kim@example.com\r\nBcc: everyone@example.com",
        subject="Hello",
        body_text="Hello",
        status="queued",
        next_attempt_at=T0,
    )
    session.add(message)
    session.flush()
    assert deliver_message(session_factory, message.id, transport=smtp, now=T0) == "failed"
    stored = reload(session, message.id)
    assert stored.status == "failed"
    assert stored.last_error.startswith("bad address")
    assert smtp_server.messages == []


def test_the_development_mailbox_gets_one_eml_file(session, session_factory, tmp_path):
    message = queue(session)
    mailbox = FileTransport(tmp_path / "mailbox")
    assert deliver_message(session_factory, message.id, transport=mailbox, now=T0) == "sent"
    assert deliver_message(session_factory, message.id, transport=mailbox, now=T0) == "skipped"
    files = list((tmp_path / "mailbox").iterdir())
    assert [f.name for f in files] == [f"{message.id}.eml"]
    content = files[0].read_text()
    assert f"Message-ID: <{message.id}@mall.example>" in content
    assert "Subject: Your refund request RR-20260314-000000" in content


class ExplodingTransport(FileTransport):
    def send(self, email):
        raise RuntimeError("the connection pool is broken")


def test_an_unexpected_error_while_sending_is_never_retried(session, session_factory, tmp_path):
    message = queue(session)
    transport = ExplodingTransport(tmp_path)
    assert deliver_message(session_factory, message.id, transport=transport, now=T0) == "failed"
    stored = reload(session, message.id)
    assert stored.status == "failed"
    assert stored.last_error.startswith(NOT_CONFIRMED)
    assert "connection pool is broken" in stored.last_error
    assert due_messages(session, now=T0 + timedelta(days=1), limit=10) == []


# --- the sweep ----------------------------------------------------------------------------


def test_due_messages_are_the_queued_ones_whose_time_has_come(session):
    oldest = queue(session, 1, now=T0 - 3 * MINUTE)
    older = queue(session, 2, now=T0 - 2 * MINUTE)
    due_now = queue(session, 3, now=T0)
    queue(session, 4, now=T0 + MINUTE)  # a retry that is not due yet
    for status in ("sending", "sent", "failed"):
        queue(session, 5, now=T0 - 10 * MINUTE).status = status
    session.flush()
    assert due_messages(session, now=T0, limit=10) == [oldest.id, older.id, due_now.id]
    assert due_messages(session, now=T0, limit=2) == [oldest.id, older.id]


def test_a_message_left_sending_is_failed_never_resent(session, session_factory, smtp_server):
    stuck = queue(session, 1)
    recent = queue(session, 2)
    waiting = queue(session, 3)
    stuck.status, stuck.sending_started_at = "sending", T0 - 16 * MINUTE
    recent.status, recent.sending_started_at = "sending", T0 - 5 * MINUTE
    session.flush()

    assert sweep_stuck(session, now=T0) == 1
    stored = reload(session, stuck.id)
    assert stored.status == "failed"
    assert stored.last_error.startswith("delivery not confirmed; check before resending")
    assert reload(session, recent.id).status == "sending"
    assert reload(session, waiting.id).status == "queued"
    assert sweep_stuck(session, now=T0) == 0
    assert due_messages(session, now=T0 + timedelta(days=1), limit=10) == [waiting.id]


class SlowTransport(FileTransport):
    """Sends so slowly that the sweep gives up on the message meanwhile."""

    def __init__(self, folder, session_factory, *, fail=None):
        super().__init__(folder)
        self.session_factory, self.fail = session_factory, fail

    def send(self, email):
        with self.session_factory() as s, s.begin():
            assert sweep_stuck(s, now=T0 + 16 * MINUTE) == 1
        if self.fail:
            raise self.fail
        super().send(email)


def test_a_message_sent_after_the_sweep_gave_up_is_recorded_sent(
    session, session_factory, tmp_path
):
    message = queue(session)
    transport = SlowTransport(tmp_path, session_factory)
    assert deliver_message(session_factory, message.id, transport=transport, now=T0) == "sent"
    stored = reload(session, message.id)
    assert (stored.status, stored.last_error) == ("sent", None)


def test_a_retry_after_the_sweep_gave_up_stays_failed(session, session_factory, tmp_path):
    from mallconsole.services.delivery.mailer import DeliveryError

    message = queue(session)
    busy = DeliveryError("SMTP 421 busy", permanent=False)
    transport = SlowTransport(tmp_path, session_factory, fail=busy)
    assert deliver_message(session_factory, message.id, transport=transport, now=T0) == "failed"
    stored = reload(session, message.id)
    assert stored.status == "failed"
    assert stored.last_error.startswith(NOT_CONFIRMED)


# --- two workers --------------------------------------------------------------------------


def test_two_workers_in_turn_send_each_message_once(session, session_factory, smtp, smtp_server):
    ids = [queue(session, n).id for n in range(200)]
    outcomes = Counter(
        deliver_message(session_factory, message_id, transport=smtp, now=T0)
        for message_id in ids
        for _worker in ("first", "second")
    )
    assert outcomes == {"sent": 200, "skipped": 200}
    received = smtp_server.message_ids()
    assert sorted(received) == sorted(f"<{i}@mall.example>" for i in ids)


@pytest.mark.postgres_only
@pytest.mark.xdist_group("races")
def test_parallel_workers_send_each_message_once(private_engine, smtp, smtp_server):
    factory = sessionmaker(bind=private_engine)
    with factory.begin() as s:
        ids = [queue(s, n, entity_table="race:outbox").id for n in range(200)]
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes: list[Counter] = [Counter() for _ in range(workers)]
    errors: list[BaseException] = []

    def work(counts: Counter):
        try:
            barrier.wait(timeout=30)
            for message_id in ids:
                counts[deliver_message(factory, message_id, transport=smtp, now=T0)] += 1
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(counts,)) for counts in outcomes]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert not errors, errors
        assert sum(outcomes, Counter()) == {"sent": 200, "skipped": 600}
        # The work really was shared: more than one worker sent messages.
        assert sum(1 for counts in outcomes if counts["sent"]) >= 2, outcomes
        received = smtp_server.message_ids()
        assert len(received) == 200
        assert set(received) == {f"<{i}@mall.example>" for i in ids}
        with factory() as s:
            rows = s.execute(
                select(OutboundMessage.status, OutboundMessage.attempts).where(
                    OutboundMessage.id.in_(ids)
                )
            ).all()
        assert Counter(rows) == {("sent", 1): 200}
    finally:
        with factory.begin() as s:
            s.execute(delete(OutboundMessage).where(OutboundMessage.entity_table == "race:outbox"))


def test_a_result_is_recorded_only_by_a_move_of_the_machine(session, session_factory, tmp_path):
    message = queue(session)
    transport = FileTransport(tmp_path)
    assert deliver_message(session_factory, message.id, transport=transport, now=T0) == "sent"
    taken = outbox._Taken(message.id, message.recipient, message.subject, message.body_text, 1)
    with pytest.raises(InvalidTransition) as refused:  # a sent message queued again
        outbox._finish(session_factory, taken, status="queued", from_states=("sent",))
    assert refused.value.message == "An outbound message cannot go from Sent to Queued."
    assert reload(session, message.id).status == "sent"
