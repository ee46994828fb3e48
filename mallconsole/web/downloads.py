"""Downloads of stored files, streamed through the console (never from a public URL).

The calling view checks the permission (``@require``); ``send_stored`` opens the file (a missing
one answers 404 with a message), writes the audit event when asked (CONTRACT.md: export
downloads are audited) in the request's transaction, and streams the file in chunks.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote

from flask import Response
from flask_login import current_user

from mallconsole.extensions import db
from mallconsole.services.delivery.storage import (
    CHUNK_SIZE,
    DEFAULT_CONTENT_TYPE,
    Storage,
    get_storage,
)
from mallconsole.services.kit import audit as audit_trail

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
    if audit is not None:
        audit_trail.record(
            db.session,
            actor=current_user.user if current_user.is_authenticated else None,
            entity_table=audit.entity_table,
            entity_id=audit.entity_id,
            action=audit.action,
            summary=f"Downloaded {name}",
            reason=audit.reason,
            after={"file_name": name, "size": stored.size, **audit.details},
        )
    content_type = (
        content_type or stored.content_type or mimetypes.guess_type(name)[0] or DEFAULT_CONTENT_TYPE
    )
    response = Response(stored.chunks(CHUNK_SIZE), mimetype=content_type, direct_passthrough=True)
    # A client that goes away mid-download still gets the file closed.
    response.call_on_close(stored.close)
    response.content_length = stored.size
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
