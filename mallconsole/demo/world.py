"""The demo world under construction: a seeded random source, a fixed "now", rows per table.

Rows are plain dicts collected per table and written in bulk (``flush``) in foreign-key order,
so each domain module only describes rows. Ids come from the seeded random source, so the same
seed and the same ``now`` give the same world, ids included.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..models import Base
from ..services.numbering import format_number

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_TABLES = {t.name: t for t in Base.metadata.sorted_tables}
_HAS_ID = {name for name, t in _TABLES.items() if "id" in t.c}
_HAS_UPDATED = {name for name, t in _TABLES.items() if "updated_at" in t.c}
_HAS_CREATED = {name for name, t in _TABLES.items() if "created_at" in t.c}


def money(value) -> Decimal:
    """``value`` as an amount in cents, rounded half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class World:
    """Collects the rows of the demo world and hands them to a writer in dependency order."""

    def __init__(
        self,
        *,
        seed: int,
        scale: float,
        now: datetime,
        write: Callable[[dict[str, list[dict]]], None] | None = None,
        progress: Callable[[str], None] | None = None,
    ):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware UTC")
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.now = now
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.sequences: dict[tuple[str, str], int] = {}
        self._write = write
        self._progress = progress or (lambda message: None)
        self._started = time.perf_counter()
        # Shared look-ups filled by the domain modules as they run (staff, catalog, customers).
        self.refs: dict[str, object] = {}

    # ---- sizes -------------------------------------------------------------------------
    def count(self, per_scale_one: int, minimum: int = 1) -> int:
        """How many of something at this scale (linear in the scale, never below ``minimum``)."""
        return max(minimum, round(per_scale_one * self.scale))

    def due(self, kind: str, needed: int, probability: float) -> bool:
        """Whether to make one more ``kind``: surely until ``needed`` exist, then by chance."""
        if self.counts[f"due:{kind}"] < needed or self.chance(probability):
            self.counts[f"due:{kind}"] += 1
            return True
        return False

    def serial(self, kind: str) -> int:
        """0, 1, 2, … per ``kind``: cycles states so each occurs early even at small scales."""
        value = self.counts[f"serial:{kind}"]
        self.counts[f"serial:{kind}"] += 1
        return value

    # ---- random helpers ----------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, items: Sequence):
        return items[self.rng.randrange(len(items))]

    def weighted(self, weights: dict):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def state(self, index: int, states: Sequence[str], weights: dict | None = None) -> str:
        """The ``index``-th thing's state: each state once first, then by ``weights``."""
        if index < len(states):
            return states[index]
        return self.weighted(weights) if weights else self.pick(states)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A random instant in [start, end], to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def after(self, start: datetime, *, minutes: float = 0, hours: float = 0, days: float = 0):
        """A random instant after ``start`` within the given span, never after now."""
        end = min(start + timedelta(minutes=minutes, hours=hours, days=days), self.now)
        return self.between(start, end)

    # ---- rows --------------------------------------------------------------------------
    def add(self, table: str, at: datetime | None = None, **values) -> dict:
        """Queue one row of ``table``; ``at`` fills created_at/updated_at when not given."""
        if table in _HAS_ID and "id" not in values:
            values["id"] = self.uid()
        at = at or values.get("created_at") or self.now
        if table in _HAS_CREATED:
            values.setdefault("created_at", at)
        if table in _HAS_UPDATED:
            values.setdefault("updated_at", values["created_at"] if "created_at" in values else at)
        self.rows[table].append(values)
        self.counts[table] += 1
        return values

    def number(self, prefix: str, at: datetime) -> str:
        """The next human number for ``prefix`` on the UTC day of ``at``."""
        day = at.strftime("%Y%m%d")
        value = self.sequences.get((prefix, day), 0) + 1
        self.sequences[(prefix, day)] = value
        return format_number(prefix, day, value)

    def flush(self, stage: str | None = None) -> None:
        """Write the queued rows (foreign-key order) and forget them."""
        if self._write is not None and self.rows:
            self._write(self.rows)
            self.rows = defaultdict(list)
        if stage:
            elapsed = time.perf_counter() - self._started
            self._progress(f"  {stage:<34} {elapsed:7.1f} s")

    def sequence_rows(self) -> None:
        """Counter rows ending at the last number used per prefix and day."""
        for (prefix, day), last in sorted(self.sequences.items()):
            if prefix == "ORD":
                self.add(
                    "shopping_mall_order_sequences",
                    sequence_yyyymmdd=day,
                    last_value=last,
                )
            else:
                self.add("shopping_mall_number_sequences", prefix=prefix, day=day, last_value=last)
