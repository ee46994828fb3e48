"""Times and dates as the reader reads them: their locale and their time zone.

Date patterns and relative times come from CLDR through Babel. Money and numbers are
``mallconsole.core.money``; the reader's locale and zone ``mallconsole.core.locale``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel.units import format_unit

from mallconsole.core.locale import Reader, babel_locale, current_reader
from mallconsole.core.money import format_money, format_number
from mallconsole.core.text import EMPTY
from mallconsole.core.timezones import to_zone, zone_label
from mallconsole.models import utcnow


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
    return _local_time(_aware(moment), zone or reader.zone, locale or reader.locale)


# A pure function of its arguments, called for every time on every row: the same rows are
# read again and again (queues, their polls), so the words are kept (about 1 MB at most).
@lru_cache(maxsize=8192)
def _local_time(moment: datetime, zone: str, locale: str) -> str:
    local = to_zone(moment, zone)
    data = babel_locale(locale)
    pattern = babel_dates.get_datetime_format("medium", locale=data)
    text = pattern.replace("{1}", babel_dates.format_date(local, "medium", locale=data))
    text = text.replace("{0}", babel_dates.format_time(local, "short", locale=data))
    return f"{text} {zone_label(local, zone)}"


def format_day(day: date | None, locale: str | None = None) -> str:
    """A calendar date (no time, no zone): ``Nov 22, 2026`` (en_US), ``22.11.2026`` (de_DE)."""
    if day is None:
        return EMPTY
    return babel_dates.format_date(
        day, "medium", locale=babel_locale(locale or current_reader().locale)
    )


def format_month(day: date | None, locale: str | None = None) -> str:
    """A month on its own (a chart's axis): ``Dec`` (en), ``Dez`` (de), ``déc.`` (fr), ``12월``
    (ko), as the locale writes the abbreviated month standing alone."""
    if day is None:
        return EMPTY
    return babel_dates.format_date(day, "LLL", locale=locale or current_reader().locale)


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
        locale=babel_locale(locale or current_reader().locale),
    )


def machine_time(moment: datetime | date | None) -> str:
    """The value of a ``<time datetime="…">`` attribute: a day as ``2026-12-03``, a moment in
    UTC to the millisecond at most (HTML allows 1–3 digits of a fraction)."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    utc = _aware(moment).astimezone(UTC)
    spec = "milliseconds" if utc.microsecond else "seconds"
    return utc.isoformat(timespec=spec).replace("+00:00", "Z")


def format_file_size(size: int | None, locale: str | None = None) -> str:
    """``25 bytes``, ``12.5 kB``, ``3.2 MB``: a stored file's size in the reader's words."""
    if size is None:
        return EMPTY
    locale = locale or current_reader().locale
    if size < 1000:
        return format_unit(size, "digital-byte", length="long", locale=locale)
    for unit, scale in (("digital-kilobyte", 1000), ("digital-megabyte", 1000**2)):
        if size < scale * 1000 or unit == "digital-megabyte":
            value = (Decimal(size) / scale).quantize(Decimal("0.1"))
            return format_unit(value, unit, length="short", locale=locale)
    return EMPTY  # not reached


def example_of(reader: Reader) -> str:
    """How a reader's locale and zone show an amount, a number and a time (the account page)."""
    locale = reader.locale
    moment = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)
    return (
        f"{format_money(Decimal('1234.56'), 'USD', locale, code=True)} · "
        f"{format_number(Decimal('12345.6'), locale)} · "
        f"{format_local_time(moment, reader.zone, locale)} · "
        f"{format_relative(moment - timedelta(minutes=35), moment, locale)}"
    )
