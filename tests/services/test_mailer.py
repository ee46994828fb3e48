from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from mallconsole import create_app
from mallconsole.config import DEFAULT_MAIL_FROM
from mallconsole.core.errors import ConfigError
from mallconsole.services.delivery.mailer import (
    DeliveryError,
    FileTransport,
    SMTPServer,
    SMTPTransport,
    compose,
    transport_from_config,
    transport_from_url,
)
from tests.smtp import Credentials, free_port, running_smtp_server, self_signed_certificate

SENDER = "Mall Console <no-reply@mall.example>"
OUTBOX_ID = "0b7c5d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def letter(**changes):
    fields = {
        "outbox_id": OUTBOX_ID,
        "sender": SENDER,
        "recipient": "kim@example.com",
        "subject": "환불이 승인되었습니다 (refund approved)",
        "body": "Your refund of ₩12,000 was approved.\nThank you.",
        "date": datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    }
    return compose(**(fields | changes))


def plain_smtp(server, **options) -> SMTPTransport:
    return SMTPTransport(SMTPServer("127.0.0.1", server.port, "plain"), sender=SENDER, **options)


# --- composing ----------------------------------------------------------------------------


def test_a_message_carries_its_outbox_id_and_survives_the_wire():
    email = letter()
    parsed = message_from_bytes(email.as_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == f"<{OUTBOX_ID}@mall.example>"
    assert parsed["From"] == SENDER
    assert parsed["To"] == "kim@example.com"
    assert parsed["Subject"] == "환불이 승인되었습니다 (refund approved)"
    assert parsed["Date"] == "Sat, 14 Mar 2026 09:30:00 +0000"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content() == "Your refund of ₩12,000 was approved.\nThank you.\n"


def test_the_message_id_takes_the_domain_of_the_sender():
    email = letter(sender="Shop <mail@shop.example.org>")
    assert email["Message-ID"] == f"<{OUTBOX_ID}@shop.example.org>"


def test_a_header_with_a_line_break_cannot_be_composed():
    with pytest.raises(ValueError):
        letter(subject="Hello\r\nBcc: everyone@example.com")


# --- MAIL_URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.internal:2525", SMTPServer("mail.internal", 2525, "plain")),
        ("smtp://mail.internal", SMTPServer("mail.internal", 25, "plain")),
        ("smtp+starttls://mail.internal", SMTPServer("mail.internal", 587, "starttls")),
        ("SMTPS://mail.internal", SMTPServer("mail.internal", 465, "tls")),
        (
            "smtp+starttls://console%40mall:p%40ss%3Aword@mail.internal:587",
            SMTPServer("mail.internal", 587, "starttls", "console@mall", "p@ss:word"),
        ),
    ],
)
def test_smtp_urls(url, expected):
    transport = transport_from_url(url, sender=SENDER)
    assert isinstance(transport, SMTPTransport)
    assert transport.server == expected
    assert transport.sender == SENDER


def test_a_file_url_is_the_mailbox_folder(tmp_path):
    transport = transport_from_url(f"file://{tmp_path}/mail%20box")
    assert isinstance(transport, FileTransport)
    assert transport.folder == tmp_path / "mail box"
    assert transport.sender == DEFAULT_MAIL_FROM


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.internal", "scheme must be smtp"),
        ("mail.internal:25", "scheme must be smtp"),
        ("smtp://", "host is missing"),
        ("smtp://mail.internal:port", "port is not a number"),
        ("file://server/share/mailbox", "file:///absolute/path"),
        ("file://", "file:///absolute/path"),
    ],
)
def test_a_mail_url_it_cannot_use_is_refused(url, message):
    with pytest.raises(ConfigError, match=message):
        transport_from_url(url)


def test_a_sender_that_is_no_address_is_refused():
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        transport_from_url("smtp://mail.internal", sender="Mall Console")


def test_the_configuration_names_the_transport_and_the_sender(app, monkeypatch, tmp_path):
    transport = transport_from_config(app.config)
    assert isinstance(transport, FileTransport)
    assert transport.sender == DEFAULT_MAIL_FROM == app.config["MAIL_FROM"]

    monkeypatch.setenv("MAIL_URL", "smtp+starttls://relay.internal")
    monkeypatch.setenv("MAIL_FROM", "Mall <care@mall.example>")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path))
    configured = create_app({"CONFIG_NAME": "testing", "SECRET_KEY": "x"})
    transport = transport_from_config(configured.config)
    assert transport.server == SMTPServer("relay.internal", 587, "starttls")
    assert transport.sender == "Mall <care@mall.example>"


# --- the development mailbox ----------------------------------------------------------------


def test_the_mailbox_holds_one_eml_file_per_message(tmp_path):
    mailbox = FileTransport(tmp_path / "mailbox", sender=SENDER)
    mailbox.send(letter())
    mailbox.send(letter())  # the same message again replaces its file
    files = list((tmp_path / "mailbox").iterdir())
    assert [f.name for f in files] == [f"{OUTBOX_ID}.eml"]
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == f"<{OUTBOX_ID}@mall.example>"
    assert parsed["Subject"] == "환불이 승인되었습니다 (refund approved)"


def test_a_mailbox_that_cannot_be_written_is_a_transient_failure(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the mailbox should be")
    with pytest.raises(DeliveryError) as failure:
        FileTransport(blocker, sender=SENDER).send(letter())
    assert failure.value.permanent is False
    assert "mailbox" in str(failure.value)


# --- SMTP ---------------------------------------------------------------------------------


def test_smtp_delivers_the_message(smtp_server):
    plain_smtp(smtp_server).send(letter())
    [received] = smtp_server.messages
    assert received["Message-ID"] == f"<{OUTBOX_ID}@mall.example>"
    assert received["To"] == "kim@example.com"
    assert received["Subject"] == "환불이 승인되었습니다 (refund approved)"
    assert received.get_content().startswith("Your refund of ₩12,000 was approved.")


@pytest.mark.parametrize(
    ("stage", "reply", "permanent"),
    [
        ("RCPT", "450 4.2.1 Mailbox busy", False),
        ("RCPT", "550 5.1.1 No such user", True),
        ("DATA", "451 4.3.0 Try again later", False),
        ("DATA", "554 5.7.1 Message rejected", True),
    ],
)
def test_smtp_replies_are_classified(smtp_server, stage, reply, permanent):
    smtp_server.reply_next(stage, reply)
    with pytest.raises(DeliveryError) as failure:
        plain_smtp(smtp_server).send(letter())
    assert failure.value.permanent is permanent
    assert reply.split()[0] in str(failure.value)
    assert smtp_server.messages == []


def test_a_server_that_is_not_there_is_a_transient_failure():
    transport = SMTPTransport(SMTPServer("127.0.0.1", free_port(), "plain"), timeout=5)
    with pytest.raises(DeliveryError) as failure:
        transport.send(letter())
    assert failure.value.permanent is False
    assert "ConnectionRefusedError" in str(failure.value)


@pytest.fixture
def tls(tmp_path):
    return self_signed_certificate(tmp_path)


def test_starttls_and_sign_in(tls):
    server_context, client_context = tls
    options = {
        "tls_context": server_context,
        "require_starttls": True,
        "authenticator": Credentials("console", "s3cret"),
    }
    with running_smtp_server(**options) as server:
        url = f"smtp+starttls://console:s3cret@127.0.0.1:{server.port}"
        transport = transport_from_url(url, sender=SENDER)
        transport.ssl_context = client_context
        transport.send(letter())
        assert server.message_ids() == [f"<{OUTBOX_ID}@mall.example>"]

        transport.server = SMTPServer("127.0.0.1", server.port, "starttls", "console", "wrong")
        with pytest.raises(DeliveryError, match="sign-in refused") as failure:
            transport.send(letter())
        # The console's account is wrong, not the message: worth trying again later.
        assert failure.value.permanent is False
        assert len(server.messages) == 1


def test_a_certificate_that_is_not_trusted_is_refused(tls):
    server_context, _ = tls
    with running_smtp_server(tls_context=server_context) as server:
        transport = transport_from_url(f"smtp+starttls://127.0.0.1:{server.port}")
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            transport.send(letter())
        assert server.messages == []


def test_smtps(tls):
    server_context, client_context = tls
    with running_smtp_server(ssl_context=server_context) as server:
        transport = SMTPTransport(
            SMTPServer("127.0.0.1", server.port, "tls"), ssl_context=client_context
        )
        transport.send(letter())
        assert server.message_ids() == [f"<{OUTBOX_ID}@mall.example>"]
