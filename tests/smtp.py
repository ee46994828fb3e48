"""A real SMTP server for tests: aiosmtpd on a free loopback port, collecting what it accepts.

``running_smtp_server()`` yields a ``TestMailServer``: its ``messages`` are the parsed e-mails
accepted so far, and ``reply_next(stage, reply)`` makes the server answer the next RCPT or DATA
with a given reply (``"450 4.2.1 Mailbox busy"``) instead of accepting it.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections import defaultdict, deque
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


class TestMailServer:
    """The handler of the aiosmtpd server and what the tests look at."""

    __test__ = False  # not a test class

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port: int | None = None
        self._lock = threading.Lock()
        self._replies: dict[str, deque[str]] = defaultdict(deque)

    def reply_next(self, stage: str, reply: str, times: int = 1) -> None:
        """Answer the next ``times`` RCPT or DATA commands with ``reply``."""
        with self._lock:
            self._replies[stage].extend([reply] * times)

    def _scripted(self, stage: str) -> str | None:
        with self._lock:
            queue = self._replies[stage]
            return queue.popleft() if queue else None

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := self._scripted("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if reply := self._scripted("DATA"):
            return reply
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server(**controller_options):
    """A started server (``controller_options`` go to aiosmtpd's ``Controller``), then stopped."""
    handler = TestMailServer()
    handler.port = free_port()
    controller = Controller(handler, hostname=HOST, port=handler.port, **controller_options)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


class Credentials:
    """An aiosmtpd authenticator accepting one user name and password."""

    def __init__(self, username: str, password: str):
        self.username, self.password = username.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (self.username, self.password)
        # handled=False: the server answers a refusal with 535 itself.
        return AuthResult(success=ok, handled=False)


def self_signed_certificate(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1: the server's TLS context and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address(HOST))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client
