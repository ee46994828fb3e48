"""Who reads: their locale and their time zone, worked out once per request.

Their locale is the staff member's choice (``users.locale``), else the best match of the
browser's ``Accept-Language`` among ``SUPPORTED_LOCALES``, else ``en_US``; their zone is
``users.time_zone`` (UTC when unset). Outside a request the defaults apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from mallconsole.core.timezones import DEFAULT_ZONE

# The locales offered on the account page and matched against Accept-Language; the first of
# each language is that language's default (``en`` → ``en_US``, ``de-AT`` → ``de_DE``).
SUPPORTED_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ko_KR", "ja_JP")
DEFAULT_LOCALE = "en_US"
# The console's own sentences (messages, audit summaries) are English: a day or a month they
# name is written as CLDR's English writes it, never by the server's C library locale.
MESSAGE_LOCALE = "en"
_ENVIRON_KEY = "mallconsole.reader"


@dataclass(frozen=True)
class Reader:
    """Who reads the page, as far as formatting goes."""

    locale: str
    zone: str


DEFAULT_READER = Reader(DEFAULT_LOCALE, DEFAULT_ZONE)


@cache
def babel_locale(code: str) -> Locale:
    """Babel's data for ``code``, parsed once per process: pages format every row's amounts
    and times, and Babel parses a locale given by name on every call."""
    return Locale.parse(code)


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
