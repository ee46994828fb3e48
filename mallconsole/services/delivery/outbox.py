"""The outbox: customer messages written with the change that causes them, delivered once.

``queue_message`` adds a ``queued`` row in the caller's transaction, so a message exists exactly
when its change does (a rolled-back change sends nothing). After the commit the ``send-mail``
task runs ``deliver_message`` with the row's id; a periodic sweep queues the task again for
queued messages that are due (``due_messages``: a worker died, a task was lost, a retry is due)
and gives up on messages whose sending was never confirmed (``sweep_stuck``).

Never twice: ``deliver_message`` takes a message with one conditional UPDATE (queued and due →
sending) in its own committed transaction; only the worker whose UPDATE changed the row sends
it. A message left ``sending`` (the worker died mid-send: it may or may not have gone out) is
never sent again automatically; the sweep marks it failed for a person to check.

Every status change is one conditional UPDATE whose WHERE names the states it moves from; before
it runs, each of those moves is checked against ``states.OUTBOUND_MESSAGE_MACHINE``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, or_, select, update

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.models import OutboundMessage, utcnow
from mallconsole.services.delivery import mailer
from mallconsole.services.kit import after_commit

log = logging.getLogger(__name__)

MACHINE = states.OUTBOUND_MESSAGE_MACHINE
QUEUED, SENDING, SENT, FAILED = MACHINE.states
# What deliver_message did, for the job-run counts.
OUTCOME_SENT, OUTCOME_SKIPPED, OUTCOME_RETRY, OUTCOME_FAILED = "sent", "skipped", "retry", "failed"

MAX_ATTEMPTS = 5
SEND_MAIL_TASK = "mallconsole.send_mail"
RETRY_FIRST_DELAY = timedelta(minutes=1)
RETRY_MAX_DELAY = timedelta(hours=1)
STUCK_AFTER = timedelta(minutes=15)
NOT_CONFIRMED = "delivery not confirmed; check before resending"

MAX_SUBJECT_CHARS = 200
MAX_BODY_CHARS = 100_000
MAX_ADDRESS_CHARS = 254
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_PATTERN = re.compile(
    rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]+)"
)


# --- queueing (in the caller's transaction) ------------------------------------------------


def _has_control_characters(value: str) -> bool:
    # CR and LF would start a new header (header injection); no other control belongs there.
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value)


def address_problem(recipient: str) -> str | None:
    """Why ``recipient`` is not a deliverable e-mail address, or None when it is one."""
    if _has_control_characters(recipient):
        return "The address may not contain line breaks or control characters."
    match = ADDRESS_PATTERN.fullmatch(recipient)
    if not match or len(recipient) > MAX_ADDRESS_CHARS or len(match["local"]) > 64:
        return f"{recipient!r} is not an e-mail address (name@example.com)."
    return None


def queue_message(
    session,
    *,
    recipient: str,
    subject: str,
    body: str,
    entity_table: str | None = None,
    entity_id: str | None = None,
    actor=None,
    now: datetime | None = None,
) -> OutboundMessage:
    """Queue one message (due now) in the caller's transaction; the row whose id is sent later.

    Nothing is sent here: the ``send-mail`` task for the row is queued to run after the
    commit (never for a rolled-back change).
    """
    recipient = (recipient or "").strip(" ")
    subject = (subject or "").strip(" ")
    body = body or ""
    problems: dict[str, list[str]] = {}
    if problem := address_problem(recipient):
        problems["recipient"] = [problem]
    if _has_control_characters(subject):
        problems["subject"] = ["The subject must be one line, without control characters."]
    elif not subject:
        problems["subject"] = ["The subject is empty."]
    elif len(subject) > MAX_SUBJECT_CHARS:
        problems["subject"] = [f"The subject is longer than {MAX_SUBJECT_CHARS} characters."]
    if not body.strip():
        problems["body"] = ["The message is empty."]
    elif len(body) > MAX_BODY_CHARS:
        problems["body"] = [f"The message is longer than {MAX_BODY_CHARS:,} characters."]
    if entity_id is not None and (not entity_table or len(entity_id) > 36):
        problems["entity_id"] = ["The record a message concerns needs its table and a valid id."]
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationError(f"The message cannot be sent: {first}", field_errors=problems)
    message = OutboundMessage(
        recipient=recipient,
        subject=subject,
        body_text=body,
        entity_table=entity_table,
        entity_id=entity_id,
        created_by_user_id=actor.id if actor is not None else None,
        status=QUEUED,
        attempts=0,
        next_attempt_at=now or utcnow(),
    )
    session.add(message)
    session.flush()  # the id, for the send-mail task queued after the commit
    after_commit.enqueue(session, SEND_MAIL_TASK, message_id=message.id)
    return message


# --- delivery (the send-mail task: its own short transactions) ----------------------------


class _Taken(NamedTuple):
    id: str
    recipient: str
    subject: str
    body_text: str
    attempts: int


def _check_moves(sources, target: str) -> None:
    """Every move an UPDATE from ``sources`` to ``target`` makes is one of the machine's."""
    for source in sources:
        states.check_move(MACHINE, source, target)


def _due(now: datetime):
    return and_(
        OutboundMessage.status == QUEUED,
        or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now),
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8... minutes, ≤ 1 h."""
    return min(RETRY_FIRST_DELAY * 2 ** max(attempts - 1, 0), RETRY_MAX_DELAY)


def deliver_message(
    session_factory,
    message_id: str,
    *,
    transport: mailer.Transport,
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Send one queued, due message once; ``sent``, ``skipped``, ``retry`` or ``failed``.

    ``session_factory`` makes sessions on their own connection (a ``sessionmaker``): taking the
    message and recording the result are two committed transactions around the sending.
    """
    taken = _take(session_factory, message_id, now or utcnow())
    if taken is None:
        return OUTCOME_SKIPPED
    if problem := address_problem(taken.recipient):
        _finish(session_factory, taken, status=FAILED, last_error=f"bad address: {problem}")
        return OUTCOME_FAILED
    try:
        email = mailer.compose(
            outbox_id=taken.id,
            sender=transport.sender,
            recipient=taken.recipient,
            subject=taken.subject,
            body=taken.body_text,
            date=now,
        )
    except (ValueError, TypeError) as exc:
        _finish(session_factory, taken, status=FAILED, last_error=f"cannot compose it: {exc}")
        return OUTCOME_FAILED
    try:
        transport.send(email)
    except mailer.DeliveryError as exc:
        return _record_failure(session_factory, taken, exc, now or utcnow(), max_attempts)
    except Exception as exc:
        # Whether it went out is unknown: never send it again automatically.
        log.exception("outbound message %s: unexpected error while sending", taken.id)
        _finish(session_factory, taken, status=FAILED, last_error=f"{NOT_CONFIRMED}: {exc!r}")
        return OUTCOME_FAILED
    # A message the sweep gave up on (sending took too long) did go out after all: say so.
    _finish(
        session_factory,
        taken,
        status=SENT,
        sent_at=now or utcnow(),
        last_error=None,
        from_states=(SENDING, FAILED),
    )
    return OUTCOME_SENT


def _take(session_factory, message_id: str, now: datetime) -> _Taken | None:
    """Queued and due → sending, in one statement; the message when this caller got it."""
    _check_moves((QUEUED,), SENDING)  # the WHERE of _due
    with session_factory() as session, session.begin():
        result = session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message_id, _due(now))
            .values(status=SENDING, sending_started_at=now, attempts=OutboundMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            log.info("outbound message %s not sent: %s", message_id, _why_not(session, message_id))
            return None
        row = session.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.recipient,
                OutboundMessage.subject,
                OutboundMessage.body_text,
                OutboundMessage.attempts,
            ).where(OutboundMessage.id == message_id)
        ).one()
        return _Taken(*row)


def _why_not(session, message_id: str) -> str:
    row = session.execute(
        select(OutboundMessage.status, OutboundMessage.next_attempt_at).where(
            OutboundMessage.id == message_id
        )
    ).one_or_none()
    if row is None:
        return "no such message"
    if row.status == QUEUED:
        return f"not due before {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
    if row.status == SENDING:
        return "another worker is sending it"
    return f"already {row.status}"


def _record_failure(session_factory, taken: _Taken, exc, now: datetime, max_attempts: int) -> str:
    if exc.permanent:
        _finish(session_factory, taken, status=FAILED, last_error=str(exc))
        return OUTCOME_FAILED
    if taken.attempts >= max_attempts:
        error = f"gave up after {taken.attempts} attempts: {exc}"
        _finish(session_factory, taken, status=FAILED, last_error=error)
        return OUTCOME_FAILED
    retry_at = now + retry_delay(taken.attempts)
    if _finish(
        session_factory, taken, status=QUEUED, next_attempt_at=retry_at, last_error=str(exc)
    ):
        return OUTCOME_RETRY
    return OUTCOME_FAILED  # the sweep gave up on it meanwhile; it stays failed


def _finish(session_factory, taken: _Taken, *, from_states=(SENDING,), **values) -> bool:
    """Record the result of this caller's attempt (the row still carries its attempt number)."""
    _check_moves(from_states, values["status"])
    with session_factory() as session, session.begin():
        result = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == taken.id,
                OutboundMessage.attempts == taken.attempts,
                OutboundMessage.status.in_(from_states),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


# --- the periodic sweep (in the job's transaction) ----------------------------------------


def due_messages(session, *, now: datetime, limit: int) -> list[str]:
    """Ids of queued messages that are due, oldest first: the sweep queues send-mail for each."""
    return list(
        session.scalars(
            select(OutboundMessage.id)
            .where(_due(now))
            .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
            .limit(limit)
        )
    )


def sweep_stuck(session, *, now: datetime, stuck_after: timedelta = STUCK_AFTER) -> int:
    """Fail messages left ``sending`` longer than ``stuck_after``; how many.

    Their worker stopped between taking and recording: the message may have gone out, so it is
    never sent again automatically; a person checks and queues a new one if needed.
    """
    minutes = int(stuck_after.total_seconds() // 60)
    _check_moves((SENDING,), FAILED)
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.status == SENDING,
            OutboundMessage.sending_started_at < now - stuck_after,
        )
        .values(
            status=FAILED,
            last_error=f"{NOT_CONFIRMED} (no result {minutes} minutes after sending started)",
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        log.warning("%d outbound messages left sending were marked failed", result.rowcount)
    return result.rowcount
