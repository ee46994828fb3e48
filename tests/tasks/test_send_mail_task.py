"""Queued customer mail is sent by the send-mail task after the commit, once, and never for a
rolled-back change; the sweep job sends what was left waiting."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mallconsole.models import OutboundMessage, utcnow
from mallconsole.services import jobs
from mallconsole.services.delivery import outbox
from mallconsole.services.kit import after_commit
from tests.smtp import running_smtp_server


@pytest.fixture
def smtp(app):
    with running_smtp_server() as server:
        previous = app.config["MAIL_URL"]
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{server.port}"
        try:
            yield server
        finally:
            app.config["MAIL_URL"] = previous


def queue(session, subject="Your refund was approved"):
    return outbox.queue_message(
        session, recipient="ana@example.com", subject=subject, body="It is on its way."
    )


def test_a_queued_message_is_sent_after_the_commit(session, smtp):
    message = queue(session)
    assert smtp.messages == []  # nothing goes out before the commit
    session.commit()
    after_commit.dispatch_ready(session)
    assert [m["Subject"] for m in smtp.messages] == ["Your refund was approved"]
    session.refresh(message)
    assert message.status == "sent" and message.attempts == 1


def test_a_rolled_back_change_sends_nothing(session, smtp):
    session.begin_nested()
    queue(session)
    session.rollback()
    session.commit()
    after_commit.dispatch_ready(session)
    assert smtp.messages == []
    assert session.scalar(select(OutboundMessage)) is None


def test_the_sweep_job_sends_mail_left_waiting_and_each_only_once(session, smtp):
    smtp.reply_next("RCPT", "451 4.3.0 try again later")
    message = queue(session, "Retry me")
    session.commit()
    after_commit.dispatch_ready(session)
    session.refresh(message)
    assert message.status == "queued" and message.attempts == 1  # backed off
    # the first sweep finds nothing due yet; once the back-off has passed it sends
    run = jobs.run_job("sweep-outbox")
    assert run.counts == {"messages_sent_again": 0, "messages_given_up": 0}
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()
    run = jobs.run_job("sweep-outbox")
    after_commit.dispatch_ready(session)
    assert run.counts["messages_sent_again"] == 1
    session.refresh(message)
    assert message.status == "sent" and len(smtp.messages) == 1
    jobs.run_job("sweep-outbox")
    after_commit.dispatch_ready(session)
    assert len(smtp.messages) == 1
