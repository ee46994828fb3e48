"""Display time zones: times are stored in UTC and shown in each staff member's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_ZONE = "UTC"


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones offered (sorted; ``UTC`` first)."""
    names = sorted(
        n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
    )
    return (DEFAULT_ZONE, *names)


def is_known_zone(name: str) -> bool:
    return name in zone_names()


def zone_info(zone: str | ZoneInfo | None) -> ZoneInfo:
    """The ``ZoneInfo`` of ``zone`` (UTC when unknown or unset)."""
    if isinstance(zone, ZoneInfo):
        return zone
    return ZoneInfo(zone if zone and is_known_zone(zone) else DEFAULT_ZONE)


def day_start(day: date, zone: str | ZoneInfo | None) -> datetime:
    """Midnight of ``day`` in ``zone``, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=zone_info(zone))


def day_range(
    since: date | None, until: date | None, zone: str | ZoneInfo | None
) -> tuple[datetime | None, datetime | None]:
    """The days ``since`` to ``until`` (both included) of ``zone`` as UTC moments: the first
    moment of ``since`` and the first moment after ``until`` (None where a day is not given).

    A finance manager in Asia/Seoul who asks for 1 to 3 December means their own days:
    from 30 November 15:00 UTC up to 3 December 15:00 UTC.
    """
    start = day_start(since, zone).astimezone(UTC) if since else None
    end = day_start(until + timedelta(days=1), zone).astimezone(UTC) if until else None
    return start, end


def to_zone(moment: datetime, zone: str | None) -> datetime:
    """``moment`` (aware) in ``zone`` (UTC when unknown or unset)."""
    name = zone if zone and is_known_zone(zone) else DEFAULT_ZONE
    return moment.astimezone(ZoneInfo(name))


def zone_label(local: datetime, zone: str | None) -> str:
    """``CET (Europe/Paris)``, or just ``UTC``: the zone of a local time, named."""
    name = zone if zone and is_known_zone(zone) else DEFAULT_ZONE
    abbreviation = local.strftime("%Z")
    return name if abbreviation == name else f"{abbreviation} ({name})"


def format_moment(moment: datetime | None, zone: str | None) -> str:
    """``2026-11-22 09:30 CET (Europe/Paris)``: the local time with its zone visible.

    Screens use ``display.format_local_time`` (the reader's locale too); this fixed form is
    for logs and plain-text messages.
    """
    if moment is None:
        return "—"
    local = to_zone(moment, zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local, zone)}"
