"""Downloads of stored files, streamed through the console (never from a public URL).

The calling view checks the permission (``@require``). ``send_stored`` opens a stored file (a
missing one answers 404 with a message) and streams it in chunks; ``stream_lines`` streams what
a service reads as it reads it (a CSV export). Either writes the download's audit event when
asked (CONTRACT.md: export downloads are audited), in a transaction of its own, once the last
byte was handed to the client: a download that breaks off is not recorded as made.

A streamed body is sent after the request's commit, so ``stream_lines`` reads on a session of
its own, bound as the request's is (an engine in production: a connection and a transaction
that live as long as the response; PostgreSQL's server-side cursor would not outlive the
request's). On SQLite that session does not take the write lock.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote

from flask import Response, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker

from mallconsole.extensions import db
from mallconsole.models import User
from mallconsole.services.delivery.storage import (
    CHUNK_SIZE,
    DEFAULT_CONTENT_TYPE,
    Storage,
    get_storage,
)
from mallconsole.services.kit import audit as audit_trail
from mallconsole.services.kit.database import close_streamed, read_only

# What may appear in the quoted ASCII ``filename=`` fallback (RFC 6266 section 4.3).
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 !#$&+,.\-^_`{}~()\[\]@=]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class DownloadAudit:
    """The audit event of a download: which record's file was read, and why."""

    entity_table: str
    entity_id: str
    action: str = "file_downloaded"
    reason: str | None = None
    details: dict = field(default_factory=dict)


def safe_file_name(name: str | None) -> str:
    """The last part of ``name``, without control characters, trimmed; ``download`` if empty."""
    name = _CONTROL.sub("", (name or "").replace("\\", "/"))
    name = PurePosixPath(name).name.strip().strip(".")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[: MAX_NAME_LENGTH - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name or "download"


def _plain_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_PLAIN.sub("_", decomposed).strip(" _")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, when needed, the exact UTF-8 ``filename*``."""
    name = safe_file_name(name)
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    ascii_extension = _plain_ascii(extension)
    ascii_name = (_plain_ascii(stem) or "download") + (
        "." + ascii_extension if dot and ascii_extension else ""
    )
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _sessions() -> sessionmaker:
    """Sessions bound as the request's is, each in a transaction of its own (in tests: a
    savepoint of the test's connection)."""
    return sessionmaker(
        bind=read_only(db.session.get_bind()), join_transaction_mode="create_savepoint"
    )


def _recorded(chunks: Iterable, audit: DownloadAudit | None, summary: str, after: dict) -> Iterator:
    """``chunks``, then the audit event once the last one was sent (never for a download that
    broke off: the generator is closed at the chunk it was waiting on)."""
    # Read now, in the request: the body is sent after its transaction has committed.
    actor_id = current_user.user.id if current_user.is_authenticated else None

    def body():
        yield from chunks
        if audit is None:
            return
        # The request's session again (its context lives as long as the body): a transaction
        # of its own after the request's commit, committed here.
        audit_trail.record(
            db.session,
            actor=db.session.get(User, actor_id) if actor_id else None,
            entity_table=audit.entity_table,
            entity_id=audit.entity_id,
            action=audit.action,
            summary=summary,
            reason=audit.reason,
            after=after,
        )
        db.session.commit()

    return body()


def _attachment(body, name: str, content_type: str) -> Response:
    response = Response(stream_with_context(body), mimetype=content_type, direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_stored(
    key: str,
    download_name: str,
    content_type: str | None = None,
    *,
    audit: DownloadAudit | None = None,
    storage: Storage | None = None,
) -> Response:
    """Stream the file stored under ``key`` as an attachment named ``download_name``."""
    stored = (storage or get_storage()).open(key)  # StoredFileMissing (404) when it is gone
    name = safe_file_name(download_name)
    content_type = (
        content_type or stored.content_type or mimetypes.guess_type(name)[0] or DEFAULT_CONTENT_TYPE
    )
    after = {"file_name": name, "size": stored.size, **(audit.details if audit else {})}
    body = _recorded(stored.chunks(CHUNK_SIZE), audit, f"Downloaded {name}", after)
    response = _attachment(body, name, content_type)
    # A client that goes away mid-download still gets the file closed.
    response.call_on_close(stored.close)
    response.content_length = stored.size
    return response


def stream_lines(
    read: Callable[[Session], Iterable[str]],
    download_name: str,
    content_type: str = "text/csv",
    *,
    audit: DownloadAudit,
) -> Response:
    """Stream the lines ``read(session)`` yields, on a session that lives as long as the
    response, as an attachment named ``download_name``; audited once the last line is sent."""
    name = safe_file_name(download_name)
    sessions = _sessions()

    def lines():
        with sessions() as session:
            try:
                yield from read(session)
            finally:  # also when the client went away mid-file
                close_streamed(session)

    after = {"file_name": name, **audit.details}
    return _attachment(_recorded(lines(), audit, f"Downloaded {name}", after), name, content_type)
