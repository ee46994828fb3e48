"""Typed configuration: the keys of docs/contract.md declared once with a type and a default,
read from ``shopping_mall_configurations`` once per request.

``reader(session)`` gives the request's ``SettingsReader``: its first read loads every live row
in one query, so a page asking for five keys runs one query. A row whose scope is
``seller:<id>`` overrides the global row (scope null) for that seller's records. ``parse(key,
raw)`` checks a value against its key's type, with a message for the admin configuration
editor. ``needs_dual_approval`` fails safe: without a readable threshold the action needs the
second approval, and the app logger says why. Keys not declared here are plain strings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import select

from mallconsole.core import states
from mallconsole.core.errors import ValidationError
from mallconsole.models import Configuration


class Kind(StrEnum):
    """How a configuration value is written and read."""

    MONEY = "money"  # an amount in the currency the key ends with
    INTEGER = "integer"
    DURATION = "duration"  # a whole number of the setting's unit (days, hours, minutes)
    BOOLEAN = "boolean"
    JSON = "json"
    STRING = "string"


@dataclass(frozen=True)
class Setting:
    """One configuration key (``{currency}`` or ``{priority}`` where the key varies)."""

    pattern: str
    kind: Kind
    description: str
    default: Any = None
    # Defaults that depend on the varying part of the key (the priority of an SLA).
    defaults: Mapping[str, Any] = field(default_factory=dict)
    unit: str | None = None  # of a duration
    minimum: int = 0  # of an integer or a duration

    def default_for(self, variable: str | None) -> Any:
        return self.defaults.get(variable, self.default) if variable else self.default


def _days(n):
    return timedelta(days=n)


def _hours(n):
    return timedelta(hours=n)


# Keys whose name ends in a unit are durations: the stored value is the contract's integer, a
# whole number of that unit; ``duration`` reads it as a timedelta, ``integer`` as the number.
SETTINGS = (
    Setting(
        states.REFUND_DUAL_APPROVAL_THRESHOLD,
        Kind.MONEY,
        "Refunds above this amount need a second finance approval",
    ),
    Setting(
        states.PAYOUT_DUAL_APPROVAL_THRESHOLD,
        Kind.MONEY,
        "Payouts above this amount need a second finance approval",
    ),
    Setting(
        states.WALLET_DUAL_APPROVAL_THRESHOLD,
        Kind.MONEY,
        "Store-credit adjustments above this amount need a second approval",
    ),
    Setting(
        states.PAYOUT_SETTLEMENT_DELAY_DAYS,
        Kind.DURATION,
        "Days before a ledger entry becomes payable",
        default=_days(states.DEFAULT_SETTLEMENT_DELAY_DAYS),
        unit="days",
    ),
    Setting(
        states.SLA_FIRST_RESPONSE_HOURS,
        Kind.DURATION,
        "Hours to the first response to a case of this priority",
        defaults={p: _hours(h) for p, h in states.DEFAULT_SLA_FIRST_RESPONSE_HOURS.items()},
        unit="hours",
        minimum=1,
    ),
    Setting(
        states.MODERATION_CLAIM_BATCH_SIZE,
        Kind.INTEGER,
        "Reviews claimed per batch",
        default=states.DEFAULT_CLAIM_BATCH_SIZE,
        minimum=1,
    ),
    Setting(
        states.MODERATION_CLAIM_MINUTES,
        Kind.DURATION,
        "Minutes a claim lasts",
        default=timedelta(minutes=states.DEFAULT_CLAIM_MINUTES),
        unit="minutes",
        minimum=1,
    ),
    Setting(
        states.SHIPMENT_STALE_EVENT_DAYS,
        Kind.DURATION,
        "Days without a carrier event before a shipment is an exception",
        default=_days(states.DEFAULT_SHIPMENT_STALE_EVENT_DAYS),
        unit="days",
        minimum=1,
    ),
    Setting(
        states.APPROVALS_EXPIRY_HOURS,
        Kind.DURATION,
        "Hours before an unapproved admin action expires",
        default=_hours(states.DEFAULT_APPROVALS_EXPIRY_HOURS),
        unit="hours",
        minimum=1,
    ),
    Setting(
        states.WALLET_DIRECT_WINDOW_HOURS,
        Kind.DURATION,
        "Hours in which one person's direct adjustments to one wallet count together against "
        "the approval threshold",
        default=_hours(states.DEFAULT_DIRECT_WINDOW_HOURS),
        unit="hours",
        minimum=1,
    ),
    Setting(
        states.REFUND_DIRECT_WINDOW_HOURS,
        Kind.DURATION,
        "Hours in which one approver's direct refund approvals on one order count together "
        "against the approval threshold",
        default=_hours(states.DEFAULT_DIRECT_WINDOW_HOURS),
        unit="hours",
        minimum=1,
    ),
)
# What the varying part of a key may be, and how to say it.
_VARIABLES = {
    "currency": (lambda value: value in list_currencies(), "a currency code, like USD"),
    "priority": (
        lambda value: value in states.CASE_PRIORITIES,
        f"a case priority ({', '.join(states.CASE_PRIORITIES)})",
    ),
}


def _compiled(setting: Setting) -> tuple[re.Pattern, Setting]:
    """The key pattern of ``setting`` as a regular expression (``{name}``: one key part)."""
    fixed = re.escape(setting.pattern)
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^.]+)", fixed) + "$"), setting


_PATTERNS = [_compiled(setting) for setting in SETTINGS]
DUAL_APPROVAL_THRESHOLDS = {
    "refund": states.REFUND_DUAL_APPROVAL_THRESHOLD,
    "payout": states.PAYOUT_DUAL_APPROVAL_THRESHOLD,
    "wallet": states.WALLET_DUAL_APPROVAL_THRESHOLD,
}
# ASCII digits only: other scripts' digits ("٣") would read here but not in other services.
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]+)?$")
_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
_BOOLEANS |= {"false": False, "no": False, "off": False, "0": False}


def _match(key: str) -> tuple[Setting, str | None, str | None] | None:
    """(declaration, varying part, what the varying part should have been) of ``key``."""
    for pattern, setting in _PATTERNS:
        match = pattern.match(key)
        if match is None:
            continue
        variable = next(iter(match.groupdict().items()), None)
        if variable is None:
            return setting, None, None
        name, value = variable
        accepts, wanted = _VARIABLES[name]
        return setting, value, None if accepts(value) else wanted
    return None


def declared(key: str) -> tuple[Setting, str | None] | None:
    """The declaration of ``key`` and its varying part (a currency, a priority), or None for
    a key this module does not know (a plain string)."""
    found = _match(key)
    if found is None or found[2] is not None:
        return None
    return found[0], found[1]


def money_currency(key: str) -> str | None:
    """The currency of an amount key (``finance.refund.dual_approval_threshold.USD`` -> USD),
    or None for a key whose value is not an amount."""
    found = declared(key)
    if found is None or found[0].kind is not Kind.MONEY:
        return None
    return found[1]


def known_spelling(key: str) -> str | None:
    """How a known key is written, when ``key`` is one whatever its case
    (``FINANCE.refund.dual_approval_threshold.usd`` → ``….USD``); None for another key."""
    for pattern, setting in _PATTERNS:
        match = re.compile(pattern.pattern, re.IGNORECASE).match(key)
        if match is None:
            continue
        parts = {name: value.upper() if name == "currency" else value.lower()
                 for name, value in match.groupdict().items()}  # fmt: skip
        return setting.pattern.format(**parts)
    return None


def seller_scope(seller_id: str) -> str:
    """The scope of the rows that override the global ones for one seller's records."""
    return f"seller:{seller_id}"


def _refuse(key: str, expected: str, raw: str) -> ValidationError:
    message = f"{key} is {expected}, not {raw!r}."
    return ValidationError(message, field_errors={"value": [message]})


def _whole_number(setting: Setting, key: str, raw: str, what: str) -> int:
    text = raw.strip()
    expected = f"{what} ({setting.minimum} or more)"
    if not _INTEGER.match(text) or int(text) < setting.minimum:
        raise _refuse(key, expected, raw)
    return int(text)


def _parse(setting: Setting, variable: str | None, key: str, raw: str) -> Any:
    kind = setting.kind
    if kind is Kind.MONEY:
        places = get_currency_precision(variable)
        expected = (
            f"an amount in {variable} with at most {places} decimals (like 250.{'0' * places})"
            if places
            else f"a whole amount in {variable} (like 250)"
        )
        text = raw.strip()
        step = Decimal(1).scaleb(-places)
        if not _AMOUNT.match(text) or Decimal(text) != Decimal(text).quantize(step):
            raise _refuse(key, expected, raw)
        return Decimal(text).quantize(step)
    if kind is Kind.INTEGER:
        return _whole_number(setting, key, raw, "a whole number")
    if kind is Kind.DURATION:
        count = _whole_number(setting, key, raw, f"a whole number of {setting.unit}")
        return timedelta(**{setting.unit: count})
    if kind is Kind.BOOLEAN:
        value = _BOOLEANS.get(raw.strip().lower())
        if value is None:
            raise _refuse(key, "true or false", raw)
        return value
    if kind is Kind.JSON:
        try:
            return json.loads(raw)
        except ValueError as error:
            raise _refuse(key, f"JSON ({error})", raw) from None
    return raw


def parse(key: str, raw: str) -> Any:
    """``raw`` as the typed value of ``key`` (Decimal, int, timedelta, bool, JSON data; a key
    not declared here stays a string), or ``ValidationError`` (422) saying what is expected.
    A declared key with a wrong currency or priority (``….usd``) is refused too."""
    found = _match(key)
    if found is None:
        return raw
    setting, variable, wanted = found
    if wanted is not None:
        message = f"{key} is not a configuration key: {variable!r} should be {wanted}."
        raise ValidationError(message, field_errors={"key": [message]})
    return _parse(setting, variable, key, raw)


def _logger() -> logging.Logger:
    return current_app.logger if has_app_context() else logging.getLogger("mallconsole")


class SettingsReader:
    """The configuration rows, loaded on first use in one query and read with their types."""

    def __init__(self, session):
        self.session = session
        self._rows: dict[tuple[str | None, str], str] | None = None

    def _load(self) -> dict[tuple[str | None, str], str]:
        if self._rows is None:
            result = self.session.execute(
                select(Configuration.scope, Configuration.key, Configuration.value).where(
                    Configuration.deleted_at.is_(None)
                )
            )
            self._rows = {(scope, key): value for scope, key, value in result}
        return self._rows

    def forget(self) -> None:
        """Read the rows again on next use (after this request changed the configuration)."""
        self._rows = None

    def raw(self, key: str, *, seller_id: str | None = None) -> tuple[str | None, str | None]:
        """(stored value, its scope) of the row that applies: the seller's, else the global
        one; (None, None) when there is none."""
        rows = self._load()
        if seller_id is not None:
            scope = seller_scope(seller_id)
            if (scope, key) in rows:
                return rows[(scope, key)], scope
        return rows.get((None, key)), None

    def lookup(self, key: str, *, seller_id: str | None = None) -> tuple[Any, str | None]:
        """(typed value or None, why it is None: "missing" or the parse error)."""
        raw, scope = self.raw(key, seller_id=seller_id)
        if raw is None:
            return None, "missing"
        try:
            return parse(key, raw), None
        except ValidationError as error:
            where = f" (scope {scope})" if scope else ""
            return None, f"unreadable{where}: {error.message}"

    def get(self, key: str, *, seller_id: str | None = None) -> Any:
        """The typed value of ``key``; its default when no row applies or the row that applies
        cannot be read (logged as a warning). Keys not declared here read as strings."""
        value, problem = self.lookup(key, seller_id=seller_id)
        if problem is None:
            return value
        found = declared(key)
        default = found[0].default_for(found[1]) if found else None
        if problem != "missing":
            _logger().warning("configuration %s is %s; using %r", key, problem, default)
        return default

    def _typed(self, key: str, kinds: tuple[Kind, ...], seller_id: str | None) -> Any:
        found = declared(key)
        if found is None or found[0].kind not in kinds:
            raise ValueError(f"{key} is not a configuration key of kind {'/'.join(kinds)}")
        value = self.get(key, seller_id=seller_id)
        if value is None:
            raise LookupError(f"{key} has no value and no default")
        return value

    def integer(self, key: str, *, seller_id: str | None = None) -> int:
        """An integer key, or the whole number of units of a duration key."""
        value = self._typed(key, (Kind.INTEGER, Kind.DURATION), seller_id)
        if isinstance(value, timedelta):
            setting, _ = declared(key)
            return int(value / timedelta(**{setting.unit: 1}))
        return value

    def duration(self, key: str, *, seller_id: str | None = None) -> timedelta:
        return self._typed(key, (Kind.DURATION,), seller_id)

    def boolean(self, key: str, *, seller_id: str | None = None) -> bool:
        return self._typed(key, (Kind.BOOLEAN,), seller_id)

    def json(self, key: str, *, seller_id: str | None = None) -> Any:
        return self._typed(key, (Kind.JSON,), seller_id)

    def money(self, key: str, currency: str, *, seller_id: str | None = None) -> Decimal | None:
        """The amount of a money key (``key`` may hold ``{currency}``) for ``currency``; None
        when no row applies or it cannot be read (logged): money keys have no default."""
        full = key.format(currency=currency.upper())
        found = declared(full)
        if found is None or found[0].kind is not Kind.MONEY:
            raise ValueError(f"{full} is not a money configuration key")
        return self.get(full, seller_id=seller_id)


def reader(session) -> SettingsReader:
    """The reader of this request (one load of the configuration per request, kept on
    ``flask.g``); outside a request, a new reader."""
    if not has_request_context():
        return SettingsReader(session)
    # Kept with its request: an application context (``g``) may outlive one request, as in
    # tests that send several requests inside one.
    this_request = request._get_current_object()
    kept = g.get("settings_reader")
    if kept is None or kept[0] is not this_request or kept[1].session is not session:
        kept = g.settings_reader = (this_request, SettingsReader(session))
    return kept[1]


def needs_dual_approval(
    reader: SettingsReader,
    kind: str,
    amount: Decimal | int,
    currency: str,
    *,
    seller_id: str | None = None,
) -> bool:
    """Whether a ``kind`` (refund, payout, wallet) of ``amount`` needs a second approval: above
    its threshold (a debit by its size), or whenever the threshold is missing or unreadable
    (fail safe, logged as a warning)."""
    template = DUAL_APPROVAL_THRESHOLDS.get(kind)
    if template is None:
        raise ValueError(f"no dual-approval threshold for {kind!r}")
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError("amounts are Decimal, never float")
    key = template.format(currency=currency.upper())
    if declared(key) is None:
        threshold, problem = None, f"not a known currency ({currency})"
    else:
        threshold, problem = reader.lookup(key, seller_id=seller_id)
    if threshold is None:
        _logger().warning(
            "dual-approval threshold %s is %s: %s %s %s needs a second approval",
            key,
            problem,
            kind,
            amount,
            currency,
        )
        return True
    return abs(Decimal(amount)) > threshold
