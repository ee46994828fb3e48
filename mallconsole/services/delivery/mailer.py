"""The mail transport: hands composed messages to an SMTP server or to the development mailbox.

``MAIL_URL`` chooses it:

* ``smtp://host:port`` (plain), ``smtp+starttls://host:port`` (upgraded with STARTTLS),
  ``smtps://host:port`` (TLS from the first byte); ``user:password@`` in the URL signs in.
* ``file:///path``: one ``.eml`` file per message in that folder (the development mailbox).

Every failure is raised as ``DeliveryError`` and classified: *transient* (the server or the
network may accept it later: connection refused, time-outs, SMTP 4xx, a refused sign-in) or
*permanent* (this message will never be accepted: SMTP 5xx for the sender, recipient or content).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mallconsole.config import DEFAULT_MAIL_FROM
from mallconsole.core.errors import ConfigError
from mallconsole.models import utcnow

SMTP_TIMEOUT_SECONDS = 30
SMTP_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class DeliveryError(Exception):
    """A message was not accepted; ``permanent`` says that trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def compose(
    *,
    outbox_id: str,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
    date: datetime | None = None,
) -> EmailMessage:
    """The e-mail of one outbox row; its Message-ID is made from the row id.

    A receiving server (or a person) can recognise a second copy of the same message by it.
    """
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = subject
    email["Date"] = format_datetime(date or utcnow())
    email["Message-ID"] = message_id_for(outbox_id, sender)
    # RFC 3834: a notification, so vacation responders and auto-replies stay quiet.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(body)
    return email


def message_id_for(outbox_id: str, sender: str) -> str:
    """``<outbox id@sender's domain>``: the same for every attempt at one outbox row."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mall.example"
    return f"<{outbox_id}@{domain}>"


class Transport(ABC):
    """Delivers composed messages; subclasses implement ``send``."""

    def __init__(self, *, sender: str = DEFAULT_MAIL_FROM):
        if "@" not in parseaddr(sender)[1]:
            raise ConfigError(f"MAIL_FROM={sender!r} is not an e-mail address")
        self.sender = sender

    @abstractmethod
    def send(self, email: EmailMessage) -> None:
        """Hand ``email`` over, or raise ``DeliveryError``."""


class FileTransport(Transport):
    """The development mailbox: each message becomes ``<outbox id>.eml`` in ``folder``."""

    def __init__(self, folder: str | Path, *, sender: str = DEFAULT_MAIL_FROM):
        super().__init__(sender=sender)
        self.folder = Path(folder)

    def send(self, email: EmailMessage) -> None:
        """Write the message (atomically: a reader never sees half a file)."""
        name = re.sub(r"[^A-Za-z0-9._-]", "_", email["Message-ID"].strip("<>").partition("@")[0])
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        except OSError as exc:
            raise DeliveryError(f"mailbox {self.folder}: {exc}", permanent=False) from exc
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(email.as_bytes())
            os.replace(temporary, self.folder / f"{name}.eml")
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise DeliveryError(f"mailbox {self.folder}: {exc}", permanent=False) from exc


@dataclass(frozen=True)
class SMTPServer:
    """Where and how to reach an SMTP server."""

    host: str
    port: int
    security: str  # plain, starttls or tls
    username: str | None = None
    password: str | None = None


class SMTPTransport(Transport):
    """Delivery through an SMTP server, one connection per message."""

    def __init__(
        self,
        server: SMTPServer,
        *,
        sender: str = DEFAULT_MAIL_FROM,
        timeout: float = SMTP_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ):
        super().__init__(sender=sender)
        self.server = server
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, email: EmailMessage) -> None:
        """Send ``email``; SMTP replies and network errors become ``DeliveryError``."""
        try:
            connection = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc) from exc
        try:
            connection.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc) from exc
        finally:
            _close(connection)

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.security == "tls":
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self.timeout, context=self.ssl_context
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        try:
            if server.security == "starttls":
                connection.starttls(context=self.ssl_context)
            if server.username:
                connection.login(server.username, server.password or "")
        except BaseException:
            _close(connection)
            raise
        return connection


def _close(connection: smtplib.SMTP) -> None:
    # The message is accepted (or refused) before QUIT: a failing QUIT changes nothing.
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def classify(exc: BaseException) -> DeliveryError:
    """The ``DeliveryError`` for an ``smtplib`` or network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        codes = [code for code, _ in replies]
        text = "; ".join(f"{code} {_text(reply)}" for code, reply in replies)
        return DeliveryError(
            f"recipient refused: {text}", permanent=all(500 <= c < 600 for c in codes)
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The console's own account, not this message: worth trying again once it is fixed.
        return DeliveryError(
            f"SMTP sign-in refused: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=False
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(
            f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
            permanent=500 <= exc.smtp_code < 600,
        )
    return DeliveryError(f"{type(exc).__name__}: {exc}".rstrip(": "), permanent=False)


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def transport_from_url(url: str, *, sender: str = DEFAULT_MAIL_FROM) -> Transport:
    """The transport ``MAIL_URL`` names; ``ConfigError`` for one it does not understand."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc or not parts.path:
            raise ConfigError(f"MAIL_URL={url!r}: use file:///absolute/path/to/mailbox")
        return FileTransport(unquote(parts.path), sender=sender)
    if scheme not in SMTP_SCHEMES:
        raise ConfigError(
            f"MAIL_URL={url!r}: the scheme must be smtp, smtp+starttls, smtps or file"
        )
    security, default_port = SMTP_SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ConfigError(f"MAIL_URL={url!r}: the port is not a number") from None
    if not parts.hostname:
        raise ConfigError(f"MAIL_URL={url!r}: the SMTP host is missing")
    server = SMTPServer(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
    return SMTPTransport(server, sender=sender)


def transport_from_config(config) -> Transport:
    """The transport of an app's configuration (``MAIL_URL``, ``MAIL_FROM``)."""
    return transport_from_url(
        config["MAIL_URL"], sender=config.get("MAIL_FROM") or DEFAULT_MAIL_FROM
    )
