"""Lists: keyset pagination over any ordered query, and counts that stop at a cap.

A page is read with ``WHERE (sort key, id) > (last seen)`` instead of ``OFFSET``, so every page
costs the same however deep it is, and rows inserted meanwhile neither repeat nor vanish. The
id is the tie-break of every ordering. Sort keys that may be null sort after all values in both
directions ("no SLA" last), and the predicate handles that side explicitly.

A cursor is the last (or first) row's key values, signed: the server reads back only what it
wrote itself, and the values are typed and bound as parameters, never spliced into SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select

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
        descending = self.descending != reverse
        column = self.key.column.desc() if descending else self.key.column.asc()
        if self.key.nullable:
            # Empty values last whatever the direction (reversed when reading backwards).
            column = column.nulls_first() if reverse else column.nulls_last()
        tie = self.id_column.desc() if descending else self.id_column.asc()
        return [column, tie]

    def after(self, value, row_id, *, reverse: bool = False):
        """The rows that come after (value, row_id) in this ordering (before it if reversed)."""
        descending = self.descending != reverse
        column, ids = self.key.column, self.id_column
        beyond_id = ids < row_id if descending else ids > row_id
        if value is None:
            if not self.key.nullable:
                raise CursorError("an empty value for a key that is never empty")
            # Inside the trailing block of empty values (reversed: all values come first).
            if reverse:
                return or_(column.is_not(None), and_(column.is_(None), beyond_id))
            return and_(column.is_(None), beyond_id)
        beyond = column < value if descending else column > value
        same = or_(beyond, and_(column == value, beyond_id))
        if self.key.nullable and not reverse:
            return or_(same, column.is_(None))
        return same


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
    query = statement
    if cursor is not None:
        query = query.where(ordering.after(cursor.value, cursor.row_id, reverse=backwards))
    query = query.order_by(*ordering.order_by(reverse=backwards)).limit(limit + 1)
    result = session.execute(query)
    rows = list(result.unique().scalars() if _is_entity(query) else result)
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


def capped_count(session, ids, *, estimate: bool = False) -> QueueCount:
    """Count the rows of the ``select(<id>)`` statement ``ids``, stopping after the cap.

    Reads at most ``COUNT_CAP + 1`` index entries. With ``estimate`` on PostgreSQL, a count
    over the cap is completed with the planner's row estimate (shown with "≈").
    """
    limited = ids.limit(COUNT_CAP + 1).subquery()
    value = session.execute(select(func.count()).select_from(limited)).scalar_one()
    capped = value > COUNT_CAP
    guess = None
    if capped and estimate and session.get_bind().dialect.name == "postgresql":
        guess = planner_estimate(session, ids)
    return QueueCount(min(value, COUNT_CAP), capped, guess)


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
