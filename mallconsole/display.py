"""Money, numbers and times as the reader reads them: their locale and their time zone.

Formatting comes from CLDR through Babel (currency digits, separators, symbol placement, date
patterns, relative times), never from hand-written rules. Money is ``Decimal`` (or ``int``);
a float is refused. An amount is shown exactly: one with more decimals than its currency uses
(``Decimal("12000.5")`` yen) keeps them, so a wrong amount is visible, never rounded away.

The reader is worked out once per request: their locale is the staff member's choice
(``users.locale``), else the best match of the browser's ``Accept-Language`` among
``SUPPORTED_LOCALES``, else ``en_US``; their zone is ``users.time_zone`` (UTC when unset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .models import utcnow
from .services.timezones import DEFAULT_ZONE, to_zone, zone_label

# The locales offered on the account page and matched against Accept-Language; the first of
# each language is that language's default (``en`` → ``en_US``, ``de-AT`` → ``de_DE``).
SUPPORTED_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ko_KR", "ja_JP")
DEFAULT_LOCALE = "en_US"
EMPTY = "—"
_ENVIRON_KEY = "mallconsole.reader"


@dataclass(frozen=True)
class Reader:
    """Who reads the page, as far as formatting goes."""

    locale: str
    zone: str


DEFAULT_READER = Reader(DEFAULT_LOCALE, DEFAULT_ZONE)


# --- the reader's locale ----------------------------------------------------------------------


def is_supported_locale(code: str | None) -> bool:
    return code in SUPPORTED_LOCALES


@cache
def locale_choices() -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of each supported locale, named in its own language."""
    names = ((code, Locale.parse(code).get_display_name(code)) for code in SUPPORTED_LOCALES)
    return tuple((code, name[:1].upper() + name[1:]) for code, name in names)


def negotiate_locale(accept_language: str | None) -> str | None:
    """The supported locale that best fits an ``Accept-Language`` header (None: none fits)."""
    if not accept_language:
        return None
    accept = parse_accept_header(accept_language[:1000], LanguageAccept)
    ranked = sorted(
        ((quality, -position, tag) for position, (tag, quality) in enumerate(accept)),
        reverse=True,
    )
    by_tag = {code.lower(): code for code in SUPPORTED_LOCALES}
    by_language: dict[str, str] = {}
    for code in SUPPORTED_LOCALES:
        by_language.setdefault(code.split("_")[0].lower(), code)
    for quality, _position, tag in ranked:
        if quality <= 0:
            break
        if tag == "*":
            return DEFAULT_LOCALE
        normalized = tag.replace("-", "_").lower()
        found = by_tag.get(normalized) or by_language.get(normalized.split("_")[0])
        if found:
            return found
    return None


def current_reader() -> Reader:
    """The reader of this request (worked out once per request); defaults outside requests."""
    if not has_request_context():
        return DEFAULT_READER
    reader = request.environ.get(_ENVIRON_KEY)
    if reader is None:
        reader = request.environ[_ENVIRON_KEY] = _reader_of_request()
    return reader


def _reader_of_request() -> Reader:
    from flask_login import current_user

    user = getattr(current_user, "user", None)
    chosen = getattr(user, "locale", None)
    locale = (
        chosen
        if is_supported_locale(chosen)
        else negotiate_locale(request.headers.get("Accept-Language")) or DEFAULT_LOCALE
    )
    return Reader(locale, getattr(current_user, "time_zone", None) or DEFAULT_ZONE)


# --- money and numbers -------------------------------------------------------------------------


def exact_number(value) -> Decimal:
    """``value`` as a finite Decimal; floats (inexact) and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(
            f"amounts and numbers are Decimal or int, never {type(value).__name__}: {value!r}"
        )
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount")
    # No "-$0.00": a negative zero reads as zero.
    return value.copy_abs() if value.is_zero() else value


def currency_digits(currency: str) -> int:
    """The minor-unit digits of ``currency`` per CLDR (KRW, JPY: 0; USD, EUR: 2; BHD: 3)."""
    return babel_numbers.get_currency_precision(currency.upper())


@cache
def _code_pattern(locale: str) -> str:
    """The locale's currency pattern with the ISO code in place of the symbol, spaced."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0].replace("¤", "¤¤")
    # CLDR's currency spacing: a code is kept apart from the digits by a no-break space.
    pattern = re.sub(r"¤¤(?=[#0])", "¤¤\xa0", pattern)
    return re.sub(r"(?<=[#0])¤¤", "\xa0¤¤", pattern)


def format_money(amount, currency: str, locale: str | None = None, *, code: bool = False) -> str:
    """``$1,234.56`` (en_US), ``1.234,56 €`` (de_DE), ``₩12,000`` (ko_KR); exact, never rounded.

    ``code=True`` shows the ISO code instead of the symbol (``USD 1,234.56``, ``1.234,56 EUR``).
    """
    if amount is None:
        return EMPTY
    locale = locale or current_reader().locale
    currency = currency.upper()
    return babel_numbers.format_currency(
        exact_number(amount),
        currency,
        format=_code_pattern(locale) if code else None,
        locale=locale,
        currency_digits=True,
        decimal_quantization=False,
    )


def format_number(value, locale: str | None = None) -> str:
    """``12,345.6`` (en_US), ``12.345,6`` (de_DE): every decimal the value has, none added."""
    if value is None:
        return EMPTY
    return babel_numbers.format_decimal(
        exact_number(value), locale=locale or current_reader().locale, decimal_quantization=False
    )


# --- dates and times ---------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; a naive one (a driver that drops the zone) is read as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_local_time(
    moment: datetime | None, zone: str | None = None, locale: str | None = None
) -> str:
    """``Nov 22, 2026, 9:30 AM CET (Europe/Paris)``: the reader's zone and locale, zone shown."""
    if moment is None:
        return EMPTY
    reader = current_reader()
    zone = zone or reader.zone
    locale = locale or reader.locale
    local = to_zone(_aware(moment), zone)
    pattern = babel_dates.get_datetime_format("medium", locale=locale)
    text = pattern.replace("{1}", babel_dates.format_date(local, "medium", locale=locale))
    text = text.replace("{0}", babel_dates.format_time(local, "short", locale=locale))
    return f"{text} {zone_label(local, zone)}"


def format_day(day: date | None, locale: str | None = None) -> str:
    """A calendar date (no time, no zone): ``Nov 22, 2026`` (en_US), ``22.11.2026`` (de_DE)."""
    if day is None:
        return EMPTY
    return babel_dates.format_date(day, "medium", locale=locale or current_reader().locale)


def format_period(start: datetime | None, end: datetime | None, locale: str | None = None) -> str:
    """``Oct 1, 2026 – Oct 3, 2026``: the reader's days of a period that ends just before
    ``end`` (a payout's period: its first moment and the first moment after it)."""
    if start is None:
        return EMPTY
    zone = current_reader().zone
    first = to_zone(_aware(start), zone).date()
    if end is None:
        return f"{format_day(first, locale)} –"
    last = to_zone(_aware(end) - timedelta(microseconds=1), zone).date()
    if last <= first:
        return format_day(first, locale)
    return f"{format_day(first, locale)} – {format_day(last, locale)}"


def format_relative(
    moment: datetime | None,
    now: datetime | None = None,
    locale: str | None = None,
    *,
    style: str = "long",
) -> str:
    """``35 minutes ago``, ``in 2 hours`` (``style="short"``: ``35 min. ago``), per locale."""
    if moment is None:
        return EMPTY
    now = now or utcnow()
    return babel_dates.format_timedelta(
        _aware(moment) - _aware(now),
        add_direction=True,
        format=style,
        locale=locale or current_reader().locale,
    )


def machine_time(moment: datetime | None) -> str:
    """The ISO 8601 UTC value of a ``<time datetime="…">`` attribute."""
    if moment is None:
        return ""
    return _aware(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


def example_of(reader: Reader) -> str:
    """How a reader's locale and zone show an amount, a number and a time (the account page)."""
    locale = reader.locale
    moment = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)
    return (
        f"{format_money(Decimal('1234.56'), 'USD', locale)} · "
        f"{format_number(Decimal('12345.6'), locale)} · "
        f"{format_local_time(moment, reader.zone, locale)} · "
        f"{format_relative(moment - timedelta(minutes=35), moment, locale)}"
    )
