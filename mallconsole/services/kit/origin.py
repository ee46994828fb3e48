"""Where the current action comes from: client IP, user agent and the request's correlation id.

Audit and security events record these; outside a request (CLI, jobs) they are all ``None``
except a correlation id made once per command.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import g, has_request_context, request

USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str | None
    correlation_id: str | None


def correlation_id() -> str:
    """The id shared by every event of this request (from ``X-Request-ID`` when sent)."""
    if not has_request_context():
        return str(uuid.uuid4())
    if "correlation_id" not in g:
        sent = (request.headers.get("X-Request-ID") or "").strip()
        g.correlation_id = sent[:64] if sent else str(uuid.uuid4())
    return g.correlation_id


def current_origin() -> Origin:
    """The origin of the action being served."""
    if not has_request_context():
        return Origin(None, None, correlation_id())
    agent = request.headers.get("User-Agent")
    return Origin(request.remote_addr, agent[:USER_AGENT_MAX] if agent else None, correlation_id())
