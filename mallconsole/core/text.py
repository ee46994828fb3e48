"""Small text rules every layer shares."""

from __future__ import annotations

# What a screen shows for a value that is not there.
EMPTY = "—"
