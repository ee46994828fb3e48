"""A recorded change as people read it: one row per field that changed, in words.

Every history screen (timelines, the approval screens' change tables, the admin home) draws
its changes from here: an audit event's before/after, or the diff an approval asks for. A row
names the field in words, and writes each side as words or, for a mapping (a refund's lines,
a return's items), as a small table. Versions and revisions are the console's own bookkeeping
and are left out; so are fields that did not change or went from empty to empty, and ids. An
amount is written with its currency's code, as ``core.money.format_money(code=True)`` writes
it; a state or a stored vocabulary word as its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from mallconsole.core import states
from mallconsole.core.money import format_number, format_stored_amount
from mallconsole.core.roles import ROLE_LABELS
from mallconsole.services import jobs
from mallconsole.services.aftersales import refund_execution
from mallconsole.services.kit import settings
from mallconsole.services.kit.audit import HistoryEntry
from mallconsole.services.moderation import review_decisions
from mallconsole.services.money import chargebacks, ledger
from mallconsole.web import display

# The console's own bookkeeping, not part of what changed: record versions (optimistic
# locking), an approval request's revision, and the request's one-line description (the
# request's change table shows that change field by field).
HIDDEN_FIELDS = frozenset({"version", "row_version", "revision", "change", "id"})

# Fields whose values are amounts of the event's currency (a mapping's values, for lines).
MONEY_FIELDS = frozenset(
    {"amount", "balance", "sent", "reserve_withheld", "lines", "threshold", "refunded"}
)
PERCENT_FIELDS = frozenset({"rollout_percentage", "hold_percent"})

# Field names in the words of the screens; any other reads as its name with spaces.
FIELD_LABELS = {
    "approved_amount": "Amount approved",
    "gross_amount": "Gross amount",
    "fees_amount": "Fees",
    "net_amount": "Net amount",
    "reserve_withheld": "Reserve withheld",
    "released_amount": "Amount released",
    "reason_code": "Reason",
    "reason_category": "Reason",
    "rollout_percentage": "Rollout",
    "hold_percent": "Held",
    "effective_from": "In force from",
    "effective_to": "In force until",
    "ledger_entries": "Ledger entries",
    "open_reports": "Open reports",
    "reports_resolved": "Reports resolved",
    "report_decision": "Reports",
    "sellers_debited": "Sellers debited",
    "payment_refunds": "Payment refunds",
    "case_number": "Case",
    "number": "Number",
    "order": "Order",
    "job": "Job",
    "pause_reason": "Reason for the pause",
    "tracking_url_template": "Tracking address",
    "customer_visible": "Shown to the customer",
    "event": "Carrier event",
}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Stored vocabulary words with labels of their own; every other stored word (a reason code, a
# priority, a category) reads as itself with spaces ("late_delivery" -> "Late delivery").
_WORDS = {
    **review_decisions.REASON_WORDS,
    **chargebacks.REASON_LABELS,
    **{key: label for key, label in ledger.ENTRY_LABELS.items() if key not in states.LABELS},
    **{role.value: label for role, label in ROLE_LABELS.items()},
}
_VOCABULARY = frozenset(
    value for _, _, values in states.VOCABULARY_COLUMNS for value in values if value
) | frozenset(_WORDS)


@dataclass(frozen=True)
class Side:
    """One side of a change: words, or the rows of a small table (a mapping's entries)."""

    text: str
    table: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return self.text == states.NOT_SET and not self.table


@dataclass(frozen=True)
class Row:
    """One field of a change: its label and the value before and after, in words."""

    label: str
    before: Side
    after: Side


def field_label(name: str) -> str:
    """``approved_amount`` -> ``Amount approved``; a field of a record in the screens' words."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").strip().capitalize()


def recorded_value(value) -> str:
    """A scalar as an event recorded it, in words: a state or a stored word as its label, a
    moment or a day written as ISO text as the reader reads times and days."""
    if isinstance(value, str) and 10 <= len(value) <= 32 and value[:4].isdigit():
        try:
            if len(value) == 10:
                return display.format_day(date.fromisoformat(value))
            if "T" in value:
                return display.format_local_time(datetime.fromisoformat(value))
        except (ValueError, OverflowError):  # a moment no zone can show stays as written
            pass
    if isinstance(value, str) and value in _VOCABULARY and value not in states.LABELS:
        return _WORDS.get(value) or value.replace("_", " ").capitalize()
    return states.in_words(value)


def _is_money(name: str) -> bool:
    return name in MONEY_FIELDS or name.endswith("_amount")


def _scalar(name: str, value, currency: str | None) -> str:
    if value is None or value == "":
        return states.NOT_SET
    if _is_money(name):
        money = format_stored_amount(value, currency)
        if money is not None:
            return money
    if name in PERCENT_FIELDS and isinstance(value, int | float | Decimal | str):
        try:
            return f"{format_number(Decimal(str(value)))}%"
        except InvalidOperation:
            pass
    if name == "job" and isinstance(value, str):
        try:
            return jobs.get_job(value).label
        except Exception:  # a job no longer registered reads as its name in words
            return value.replace("_", " ").capitalize()
    if name == "destination" and value in refund_execution.DESTINATION_LABELS:
        return refund_execution.DESTINATION_LABELS[value].capitalize()
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_number(value)
    return recorded_value(value)


def _side(name: str, value, currency: str | None) -> Side:
    """A value as words, or as a small table when it is a mapping (or a list of them)."""
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        value = [pair for item in value for pair in item.items()]
    elif isinstance(value, dict):
        value = list(value.items())
    else:
        value = value if not isinstance(value, list | tuple) else list(value)
    if value in ([], ""):
        return Side(states.NOT_SET)
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        rows = tuple((recorded_value(k), _words(name, v, currency)) for k, v in value)
        return Side("; ".join(f"{k}: {v}" for k, v in rows), rows)
    if isinstance(value, list):
        if all(_is_id(v) for v in value):
            return Side(states.in_words(value))  # "3 records": ids are not words
        return Side(", ".join(_scalar(name, v, currency) for v in value))
    return Side(_scalar(name, value, currency))


def _words(name: str, value, currency: str | None) -> str:
    return _side(name, value, currency).text


def _is_id(value) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _blank(value) -> bool:
    """Nothing a reader could read: empty, or a record id."""
    return _is_id(value) or value is None or value in ("", [], {})


def change_rows(
    before: dict | None,
    after: dict | None,
    *,
    currency: str | None = None,
    labels: dict | None = None,
    amounts: tuple[str, ...] = (),
) -> list[Row]:
    """The rows of a change from ``before`` to ``after``: fields in the order recorded, those
    that changed only, bookkeeping and ids left out. ``currency`` is the amounts' (the event's
    own ``currency`` field wins); ``labels`` names fields; ``amounts`` are more money fields."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    labels = labels if isinstance(labels, dict) else {}
    currency = after.get("currency") or before.get("currency") or currency
    currency = currency if isinstance(currency, str) and len(currency) == 3 else None
    rows = []
    names = list(dict.fromkeys([*before, *after]))
    # The currency is written on the amounts; a row of its own says it twice.
    priced = currency is not None and any(_is_money(n) or n in amounts for n in names)
    for name in names:
        old, new = before.get(name), after.get(name)
        if name in HIDDEN_FIELDS or name.endswith("_id") or old == new:
            continue
        if name == "currency" and priced:
            continue
        if _blank(old) and _blank(new):
            continue  # empty to empty, or one record id to another: nothing to read
        field = "amount" if name in amounts else name
        row = Row(
            labels.get(name) or field_label(name),
            _side(field, old, currency),
            _side(field, new, currency),
        )
        if row.before != row.after:
            rows.append(row)
    return rows


def entry_rows(
    entry: HistoryEntry, currency: str | None = None, amounts: tuple[str, ...] = ()
) -> list[Row]:
    """``{% for row in entry|history_rows(currency) %}``: an audit event's change, in words."""
    data = entry.event.changes if isinstance(entry.event.changes, dict) else {}
    return change_rows(
        data.get("before"),
        data.get("after"),
        currency=currency or entry.currency,
        labels=data.get("labels"),
        amounts=tuple(amounts),
    )


def decision_rows(payload: dict | None) -> list[Row]:
    """The change an approval request asks for, in words: every field it changes, the
    currency of its amounts from the payload (or from the configuration key it changes)."""
    payload = payload if isinstance(payload, dict) else {}
    currency = payload.get("currency")
    # The fields the payload names as amounts of its currency (a store-credit adjustment's
    # "adjustment" and "balance", a refund's "approved_amount").
    named = payload.get("amounts")
    amounts = tuple(n for n in named if isinstance(n, str)) if isinstance(named, list) else ()
    key = payload.get("key")
    if isinstance(key, str):
        money_currency = settings.money_currency(key)
        if money_currency:
            currency, amounts = money_currency, ("value",)
    return change_rows(
        payload.get("before"),
        payload.get("after"),
        currency=currency,
        labels=payload.get("labels"),
        amounts=amounts,
    )
