"""Small text rules every layer shares: LIKE patterns, record ids, what an absent value shows,
a span of time in words."""

from __future__ import annotations

import uuid
from datetime import timedelta

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


# Invisible marks that change the direction text is shown in (U+202E makes "gpj.exe" read
# "exe.jpg"): a title a person writes for others must read as it is stored.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
BIDI_REFUSAL = (
    "Remove the invisible text-direction characters: they make the text show differently "
    "from what it says."
)


def has_bidi_controls(text: str | None) -> bool:
    """Whether ``text`` holds a character that reorders how it is shown."""
    return any(c in BIDI_CONTROLS for c in text or "")


def duration_words(delta: timedelta) -> str:
    """``35 min``, ``2 h 5 min``, ``30 h``, ``12 days``: a span as a queue reads it (its sign
    ignored): to the minute under a day, to the hour under two days, in whole days beyond,
    never under a minute."""
    delta = abs(delta)
    unit = timedelta(hours=1) if delta >= timedelta(days=1) else timedelta(minutes=1)
    minutes = max(1, round(delta / unit)) * (unit // timedelta(minutes=1))
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes} min"
