"""The forms of the operations console: list filters and the actions' forms."""

from __future__ import annotations
