"""The demo world under construction: a seeded random source, a fixed "now", rows per table.

Rows are plain dicts collected per table and written in bulk (``flush``) in foreign-key order,
so each domain module only describes rows. Ids come from the seeded random source, so the same
seed and the same ``now`` give the same world, ids included.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from mallconsole.models import Base
from mallconsole.services.kit.numbering import format_number

CENT = Decimal("0.01")
# Version 4 and the RFC 4122 variant, as uuid.UUID(version=4) sets them.
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_V4 = (0x4000 << 64) | (0x8000 << 48)
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
        self._counted: dict[str, int] = {}
        self._tally: Counter[str] = Counter()  # of due() and serial()
        self._cumulative: dict[tuple, list] = {}
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
        if self._tally[f"due:{kind}"] < needed or self.chance(probability):
            self._tally[f"due:{kind}"] += 1
            return True
        return False

    def serial(self, kind: str) -> int:
        """0, 1, 2, … per ``kind``: cycles states so each occurs early even at small scales."""
        value = self._tally[f"serial:{kind}"]
        self._tally[f"serial:{kind}"] += 1
        return value

    # ---- random helpers ----------------------------------------------------------------
    def uid(self) -> str:
        """A version-4 UUID string from the seeded source (what ``uuid.UUID(int=…,
        version=4)`` gives, formatted without building a UUID object: it is called a lot)."""
        h = "%032x" % ((self.rng.getrandbits(128) & _UUID_CLEAR) | _UUID_V4)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, items: Sequence):
        return items[int(self.rng.random() * len(items))]

    def weighted(self, weights: dict):
        """A key of ``weights`` drawn in proportion to its value."""
        key = tuple(weights.items())
        table = self._cumulative.get(key)
        if table is None:
            total, table = 0, []
            for choice, weight in key:
                total += weight
                table.append((total, choice))
            self._cumulative[key] = table
        point = self.rng.random() * table[-1][0]
        for bound, choice in table:
            if point < bound:
                return choice
        return table[-1][1]

    def state(self, index: int, states: Sequence[str], weights: dict | None = None) -> str:
        """The ``index``-th thing's state: each state once first, then by ``weights``."""
        if index < len(states):
            return states[index]
        return self.weighted(weights) if weights else self.pick(states)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A random instant in [start, end], to the second."""
        span = (end - start).total_seconds()
        if span <= 0:
            return start
        return start + timedelta(seconds=int(self.rng.random() * (span + 1)))

    def moments(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        """``count`` distinct instants in (start, end], to the second, oldest first: the steps of
        a history, which must have one order (never two steps at the same instant)."""
        span = int((end - start).total_seconds())
        if span >= count:
            seconds = sorted(self.rng.sample(range(1, span + 1), count))
            return [start + timedelta(seconds=s) for s in seconds]
        return [end - timedelta(microseconds=count - 1 - n) for n in range(count)]

    def after(self, start: datetime, *, minutes: float = 0, hours: float = 0, days: float = 0):
        """A random instant after ``start`` within the given span, never after now."""
        end = min(start + timedelta(minutes=minutes, hours=hours, days=days), self.now)
        return self.between(start, end)

    # ---- rows --------------------------------------------------------------------------
    def add(self, table: str, at: datetime | None = None, **values) -> dict:
        """Queue one row of ``table``; ``at`` fills created_at/updated_at when not given."""
        if "id" not in values and table in _HAS_ID:
            values["id"] = self.uid()
        if table in _HAS_CREATED:
            created = values.get("created_at")
            if created is None:
                created = values["created_at"] = at or self.now
            if "updated_at" not in values and table in _HAS_UPDATED:
                values["updated_at"] = created
        self.rows[table].append(values)
        return values

    def number(self, prefix: str, at: datetime) -> str:
        """The next human number for ``prefix`` on the UTC day of ``at``."""
        day = at.strftime("%Y%m%d")
        value = self.sequences.get((prefix, day), 0) + 1
        self.sequences[(prefix, day)] = value
        return format_number(prefix, day, value)

    def flush(self, stage: str | None = None) -> None:
        """Write the queued rows (foreign-key order) and forget them."""
        for table, rows in self.rows.items():
            self.counts[table] += len(rows) - self._counted.get(table, 0)
            self._counted[table] = len(rows)
        if self._write is not None and self.rows:
            self._write(self.rows)
            self.rows = defaultdict(list)
            self._counted = {}
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
