"""Small text rules every layer shares: LIKE patterns, record ids, what an absent value shows."""

from __future__ import annotations

import uuid

# What a screen shows for a value that is not there.
EMPTY = "—"

# The escape character of every LIKE pattern the console builds (``like(…, escape=LIKE_ESCAPE)``).
LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern: ``%``, ``_`` and the escape escaped."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def like_pattern(text: str, *, prefix: bool = False) -> str:
    """A LIKE pattern finding ``text`` anywhere (or, ``prefix=True``, at the start)."""
    escaped = escape_like(text)
    return f"{escaped}%" if prefix else f"%{escaped}%"


def is_id(value) -> bool:
    """Whether ``value`` reads as a record id (a UUID): anything else finds no record."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
