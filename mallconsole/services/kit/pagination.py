"""Lists: keyset pagination over any ordered query, and counts that stop at a cap.

A page is read with ``WHERE (sort key, id) > (last seen)`` instead of ``OFFSET``, so every page
costs the same however deep it is, and rows inserted meanwhile neither repeat nor vanish. The
id is the tie-break of every ordering. Sort keys that may be null sort after all values in both
directions ("no SLA" last): the values and the empty ones are read as two index ranges.

A cursor is the last (or first) row's key values, signed: the server reads back only what it
wrote itself, and the values are typed and bound as parameters, never spliced into SQL.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, literal, select, tuple_

COUNT_CAP = 10_000
CURSOR_SALT = "mallconsole.list-cursor"


class CursorError(ValueError):
    """A cursor that this server did not write for this list and ordering."""


# --- orderings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One way a list can be ordered: the URL name, the column label and the SQL expression."""

    name: str
    label: str
    column: object
    nullable: bool = False
    # The Python type of the column's values, for reading a cursor back.
    kind: type = str


@dataclass(frozen=True)
class Ordering:
    """A sort key and a direction; the row id always breaks ties, in the same direction."""

    key: SortKey
    descending: bool
    id_column: object

    @property
    def param(self) -> str:
        """As written in the query string: ``queued`` or ``-queued``."""
        return ("-" if self.descending else "") + self.key.name

    def order_by(self, *, reverse: bool = False) -> list:
        """ORDER BY of this ordering (reversed when reading backwards): empty values last."""
        descending = self.descending != reverse
        column = self.key.column.desc() if descending else self.key.column.asc()
        if self.key.nullable:
            column = column.nulls_first() if reverse else column.nulls_last()
        tie = self.id_column.desc() if descending else self.id_column.asc()
        return [column, tie]

    def ranges(self, cursor: Cursor | None, *, reverse: bool = False) -> list[tuple]:
        """The index ranges a page reads, in order: ``(where, order_by)`` pairs.

        Each is one range of an index on (sort key, id): a row comparison ``(key, id) >
        (value, id)``, never ``key > value OR (key = value AND …)``, which the planner cannot
        turn into a range and answers by filtering every row before the cursor. A key that may
        be empty is read as two blocks, the values then the empty ones (reversed: the other
        way round), so no range mixes them. Every block keeps the list's ORDER BY (empty values
        last), the order of its index, so each is one scan of it.
        """
        descending = self.descending != reverse
        column, ids = self.key.column, self.id_column
        order = self.order_by(reverse=reverse)

        def beyond(value, row_id):
            row = tuple_(column, ids)
            at = tuple_(literal(value, column.type), literal(row_id, ids.type))
            return row < at if descending else row > at

        def beyond_id(row_id):
            return ids < row_id if descending else ids > row_id

        if not self.key.nullable:
            if cursor is None:
                return [(None, order)]
            if cursor.value is None:
                raise CursorError("an empty value for a key that is never empty")
            return [(beyond(cursor.value, cursor.row_id), order)]
        values = (column.is_not(None), order)
        empty = (column.is_(None), order)
        if cursor is None:
            blocks = [empty, values] if reverse else [values, empty]
        elif cursor.value is None:  # inside the block of empty values
            here = (and_(column.is_(None), beyond_id(cursor.row_id)), order)
            blocks = [here, values] if reverse else [here]
        else:
            here = (beyond(cursor.value, cursor.row_id), order)
            blocks = [here] if reverse else [here, empty]
        return blocks


def parse_ordering(param: str | None, keys: Sequence[SortKey], default: str, id_column) -> Ordering:
    """The ordering named by ``param`` (``name`` or ``-name``); ``ValueError`` if unknown."""
    param = param or default
    descending = param.startswith("-")
    name = param.removeprefix("-")
    for key in keys:
        if key.name == name:
            return Ordering(key, descending, id_column)
    known = ", ".join(k.name for k in keys)
    raise ValueError(f"Unknown sort order {param!r}; choose one of: {known}.")


# --- cursors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or before) the row with these key values."""

    value: object
    row_id: str
    backwards: bool = False


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def _dump(value):
    if isinstance(value, datetime):
        return {"t": value.astimezone(UTC).isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _load(raw, kind: type):
    if raw is None:
        return None
    if kind is datetime:
        if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
            raise CursorError("not a time")
        return datetime.fromisoformat(raw["t"])
    if kind is Decimal:
        if not isinstance(raw, dict) or not isinstance(raw.get("d"), str):
            raise CursorError("not an amount")
        return Decimal(raw["d"])
    if kind is bool:
        if not isinstance(raw, bool):
            raise CursorError("not a yes/no value")
        return raw
    if kind is int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise CursorError("not a number")
        return raw
    if not isinstance(raw, str):
        raise CursorError("not text")
    return raw


def encode_cursor(ordering: Ordering, value, row_id: str, *, backwards: bool = False) -> str:
    """An opaque, signed cursor for the row with ``value`` and ``row_id`` in ``ordering``."""
    return _serializer().dumps(
        {"o": ordering.param, "v": _dump(value), "i": row_id, "b": backwards}
    )


def decode_cursor(token: str, ordering: Ordering) -> Cursor:
    """The cursor in ``token`` for ``ordering``; ``CursorError`` if it is not one of ours."""
    if not isinstance(token, str) or len(token) > 1000:
        raise CursorError("too long")
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise CursorError("bad signature") from None
    if not isinstance(data, dict) or data.get("o") != ordering.param:
        raise CursorError("written for another ordering")
    row_id = data.get("i")
    if not isinstance(row_id, str) or not re.fullmatch(r"[0-9A-Za-z-]{1,64}", row_id):
        raise CursorError("no row id")
    return Cursor(_load(data.get("v"), ordering.key.kind), row_id, bool(data.get("b")))


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a list, with the cursors of its neighbours (None at either end)."""

    rows: list
    ordering: Ordering
    limit: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # Reached through a cursor: an empty page then offers the way back to the first page.
    from_cursor: bool = False


def keyset_page(
    session,
    statement,
    ordering: Ordering,
    *,
    cursor: Cursor | None,
    limit: int,
    key_of=None,
) -> Page:
    """One page of ``statement`` (a select without ORDER BY or LIMIT) in ``ordering``.

    ``key_of(row)`` gives a row's (sort value, id); by default the row's mapped attributes of
    the same names as the ordering's columns. One query whatever the page size.
    """
    key_of = key_of or _attribute_key(ordering)
    backwards = cursor is not None and cursor.backwards
    rows: list = []
    # Usually the first range fills the page: one query. Only a page that crosses from the
    # values into the empty ones reads the second range too.
    for where, order in ordering.ranges(cursor, reverse=backwards):
        query = statement if where is None else statement.where(where)
        query = query.order_by(*order).limit(limit + 1 - len(rows))
        result = session.execute(query)
        rows += list(result.unique().scalars() if _is_entity(query) else result)
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    page = Page(rows=rows, ordering=ordering, limit=limit, from_cursor=cursor is not None)
    if rows:
        # Forwards: older rows exist if we fetched one more; newer ones if we came by cursor.
        # Backwards: the mirror image.
        has_next = True if backwards else more
        has_previous = more if backwards else cursor is not None
        if has_next:
            page.next_cursor = encode_cursor(ordering, *key_of(rows[-1]))
        if has_previous:
            page.previous_cursor = encode_cursor(ordering, *key_of(rows[0]), backwards=True)
    return page


def pair_page(session, statement, ordering, *, cursor, limit, wrap):
    """One keyset page of ``(record, words…)`` rows (a record and the words a list shows beside
    it), each turned into ``wrap(*row)``; the record's own columns give the sort value and the
    id, or, for a sort by an expression (a rank), the expression read along as the row's last
    column."""
    name = getattr(ordering.key.column, "key", None)
    if name is None:  # an expression: selected too, then left out of what ``wrap`` gets
        page = keyset_page(
            session,
            statement.add_columns(ordering.key.column),
            ordering,
            cursor=cursor,
            limit=limit,
            key_of=lambda row: (row[-1], row[0].id),
        )
        page.rows = [wrap(*row[:-1]) for row in page.rows]
        return page
    page = keyset_page(
        session,
        statement,
        ordering,
        cursor=cursor,
        limit=limit,
        key_of=lambda row: (getattr(row[0], name), row[0].id),
    )
    page.rows = [wrap(*row) for row in page.rows]
    return page


def _is_entity(query) -> bool:
    descriptions = query.column_descriptions
    return (
        len(descriptions) == 1
        and descriptions[0].get("entity") is not None
        and (descriptions[0].get("expr") is descriptions[0].get("entity"))
    )


def _attribute_key(ordering: Ordering):
    sort_name = ordering.key.column.key
    id_name = ordering.id_column.key

    def key_of(row):
        return getattr(row, sort_name), getattr(row, id_name)

    return key_of


# --- counts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCount:
    """A count that stops at the cap; above it, PostgreSQL's estimate where one was asked for."""

    value: int
    capped: bool
    estimate: int | None = None

    @property
    def display(self) -> str:
        if not self.capped:
            return f"{self.value:,}"
        if self.estimate is not None and self.estimate > COUNT_CAP:
            return f"≈{self.estimate:,}"
        return f"{COUNT_CAP:,}+"


def _limited(ids):
    return select(func.count()).select_from(ids.limit(COUNT_CAP + 1).subquery())


def _queue_count(session, ids, value: int, estimate: bool) -> QueueCount:
    capped = value > COUNT_CAP
    guess = None
    if capped and estimate and session.get_bind().dialect.name == "postgresql":
        guess = cached_estimate(session, ids)
    return QueueCount(min(value, COUNT_CAP), capped, guess)


def capped_count(session, ids, *, estimate: bool = False) -> QueueCount:
    """Count the rows of the ``select(<id>)`` statement ``ids``, stopping after the cap.

    Reads at most ``COUNT_CAP + 1`` index entries. With ``estimate`` on PostgreSQL, a count
    over the cap is completed with the planner's row estimate (shown with "≈").
    """
    counts, _ = capped_counts(session, {"count": ids}, estimate=estimate)
    return counts["count"]


def capped_counts(
    session, counted: dict, *, estimate: bool = False, also: dict | None = None
) -> tuple[dict[str, QueueCount], dict]:
    """Several capped counts (``{name: select(<id>)…}``) in one statement: a screen's tabs in
    one round trip. ``also`` adds scalar expressions (a queue's oldest item, say) read in the
    same statement; their values come back in the second dict."""
    also = also or {}
    now = time.monotonic()
    keys = {name: _count_key(ids) for name, ids in counted.items()}
    # A count seen over the cap within the minute is not counted again: "10,000+" (or the
    # estimate) stands, and the page does not read 10,001 index entries per such tab.
    known = {
        name
        for name, key in keys.items()
        if key in _over_cap and now - _over_cap[key] < OVER_CAP_SECONDS
    }
    fresh = [name for name in counted if name not in known]
    columns = [
        _limited(counted[name]).scalar_subquery().label(f"count_{i}")
        for i, name in enumerate(fresh)
    ]
    columns += [expression.label(f"also_{i}") for i, expression in enumerate(also.values())]
    row = session.execute(select(*columns)).one() if columns else ()
    values = {name: row[i] for i, name in enumerate(fresh)}
    if len(_over_cap) > 1000:
        _over_cap.clear()
    for name in fresh:
        if values[name] > COUNT_CAP and keys[name] is not None:
            _over_cap[keys[name]] = now
    values.update({name: COUNT_CAP + 1 for name in known})
    counts = {
        name: _queue_count(session, ids, values[name], estimate) for name, ids in counted.items()
    }
    return counts, {name: row[len(fresh) + i] for i, name in enumerate(also)}


# Counts over the cap, remembered a minute per process (by statement and its values, the
# current time left out: a queue of things due "now" is the same queue a second later).
OVER_CAP_SECONDS = 60
_over_cap: dict[tuple, float] = {}


@dataclass(frozen=True)
class Tab:
    """One tab of a queue screen: its key, words, hint and capped count."""

    key: str
    label: str
    hint: str | None
    count: QueueCount


def counted_tabs(session, tabs, ids, *, estimate: bool = False) -> list[Tab]:
    """Each ``(key, words, hint)`` of ``tabs`` with its capped count, ``ids(key)`` being the
    select of its ids: a queue screen's tabs, counted in one statement."""
    counts, _ = capped_counts(session, {key: ids(key) for key, _, _ in tabs}, estimate=estimate)
    return [Tab(key, label, hint, counts[key]) for key, label, hint in tabs]


def _count_key(statement) -> tuple | None:
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a statement SQLAlchemy cannot key: always counted
        return None
    values = tuple(
        p.effective_value
        for p in cache_key.bindparams
        if not isinstance(p.effective_value, datetime)
    )
    return (COUNT_CAP, cache_key.key, repr(values))


def forget_counts() -> None:
    """Forget the counts over the cap and the estimates kept (tests that change the data)."""
    _over_cap.clear()
    _estimates.clear()


# PostgreSQL's estimates of the counts over the cap, kept a minute per process: a screen's tabs
# are read every 30 seconds by every open tab, and the estimate barely moves.
ESTIMATE_SECONDS = 60
_estimates: dict[str, tuple[float, int | None]] = {}


def cached_estimate(session, statement) -> int | None:
    """``planner_estimate`` of ``statement``, asked at most once a minute per process."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    key = f"{compiled}|{sorted(compiled.params.items())!r}"
    now = time.monotonic()
    kept = _estimates.get(key)
    if kept is not None and now - kept[0] < ESTIMATE_SECONDS:
        return kept[1]
    if len(_estimates) > 1000:
        _estimates.clear()
    value = planner_estimate(session, statement)
    _estimates[key] = (now, value)
    return value


def planner_estimate(session, statement) -> int | None:
    """PostgreSQL's estimate of the rows ``statement`` returns (no rows are read)."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    # The compiled statement is in the driver's parameter style: run it as driver SQL.
    plan = (
        session.connection()
        .exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        .scalar()
    )
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
