"""Money, numbers and times in the reader's locale and zone (CLDR through Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from bs4 import BeautifulSoup
from flask import render_template_string

from mallconsole.core import locale
from mallconsole.core.locale import DEFAULT_READER, Reader, current_reader, negotiate_locale
from mallconsole.core.money import currency_digits, format_money, format_number
from mallconsole.web import display
from mallconsole.web.display import format_day, format_local_time, format_relative, machine_time

D = Decimal
NBSP, NNBSP = "\xa0", "\u202f"
MOMENT = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (D("1234.56"), "EUR", "de_DE", f"1.234,56{NBSP}€"),
        (D("1234.56"), "USD", "en_US", "$1,234.56"),
        (D("12000"), "KRW", "ko_KR", "₩12,000"),
        (D("12000.00"), "KRW", "ko_KR", "₩12,000"),  # NUMERIC(…, 2) zeros are not minor units
        (D("12000"), "JPY", "ja_JP", "￥12,000"),
        (D("12000"), "JPY", "en_US", "¥12,000"),
        (D("12000"), "KRW", "en_US", "₩12,000"),
        (D("5"), "USD", "en_US", "$5.00"),
        (5, "USD", "en_GB", "US$5.00"),
        (D("1234.5"), "EUR", "fr_FR", f"1{NNBSP}234,50{NBSP}€"),
        (D("1234.5"), "EUR", "en_GB", "€1,234.50"),
        (D("1234.56"), "USD", "de_DE", f"1.234,56{NBSP}$"),
        (D("1234.56"), "eur", "es_ES", f"1.234,56{NBSP}€"),
        (D("-1234.5"), "USD", "en_US", "-$1,234.50"),
        (D("-1234.56"), "EUR", "de_DE", f"-1.234,56{NBSP}€"),
        (D("-12000"), "KRW", "ko_KR", "-₩12,000"),
        (D("-0.00"), "USD", "en_US", "$0.00"),
        (D("0.1"), "BHD", "en_US", "BHD0.100"),  # three minor digits, from CLDR
    ],
)
def test_money_per_currency_and_locale(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


def test_minor_units_come_from_cldr():
    assert [currency_digits(c) for c in ("KRW", "JPY", "USD", "EUR", "BHD", "krw")] == [
        0,
        0,
        2,
        2,
        3,
        0,
    ]


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (D("1234.565"), "USD", "en_US", "$1,234.565"),
        (D("12000.5"), "JPY", "ja_JP", "￥12,000.5"),
        (D("12000.4"), "KRW", "ko_KR", "₩12,000.4"),
        (D("-0.001"), "EUR", "de_DE", f"-0,001{NBSP}€"),
    ],
)
def test_an_amount_finer_than_its_currency_is_shown_exactly_never_rounded(
    amount, currency, locale, expected
):
    assert format_money(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (D("1234.56"), "USD", "en_US", f"USD{NBSP}1,234.56"),
        (D("-1234.56"), "EUR", "de_DE", f"-1.234,56{NBSP}EUR"),
        (D("12000"), "KRW", "ko_KR", f"KRW{NBSP}12,000"),
        (D("12000"), "JPY", "fr_FR", f"12{NNBSP}000{NBSP}JPY"),
    ],
)
def test_money_with_the_currency_code(amount, currency, locale, expected):
    assert format_money(amount, currency, locale, code=True) == expected


@pytest.mark.parametrize("bad", [1234.56, "1234.56", True, None])
def test_money_is_decimal_never_float(bad):
    if bad is None:
        assert format_money(None, "USD", "en_US") == "—"
        return
    with pytest.raises(TypeError, match="never"):
        format_money(bad, "USD", "en_US")


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_money_must_be_finite(bad):
    with pytest.raises(ValueError, match="not an amount"):
        format_money(bad, "USD", "en_US")


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (12345, "en_US", "12,345"),
        (12345, "de_DE", "12.345"),
        (D("12345.678"), "en_US", "12,345.678"),
        (D("12345.678"), "de_DE", "12.345,678"),
        (D("12345.678"), "fr_FR", f"12{NNBSP}345,678"),
        (D("-10000"), "ko_KR", "-10,000"),
        (D("0.5"), "ja_JP", "0.5"),
    ],
)
def test_plain_numbers_per_locale(value, locale, expected):
    assert format_number(value, locale) == expected


def test_plain_numbers_refuse_floats():
    with pytest.raises(TypeError):
        format_number(0.1, "en_US")
    assert format_number(None, "en_US") == "—"


@pytest.mark.parametrize(
    ("zone", "locale", "expected"),
    [
        ("Europe/Paris", "en_US", f"Nov 22, 2026, 9:30{NNBSP}AM CET (Europe/Paris)"),
        ("Europe/Paris", "en_GB", "22 Nov 2026, 09:30 CET (Europe/Paris)"),
        ("Europe/Berlin", "de_DE", "22.11.2026, 09:30 CET (Europe/Berlin)"),
        ("Asia/Seoul", "ko_KR", "2026. 11. 22. 오후 5:30 KST (Asia/Seoul)"),
        ("Asia/Tokyo", "ja_JP", "2026/11/22 17:30 JST (Asia/Tokyo)"),
        ("America/New_York", "es_ES", "22 nov 2026, 3:30 EST (America/New_York)"),
        ("UTC", "fr_FR", "22 nov. 2026, 08:30 UTC"),
        ("Mars/Base", "en_GB", "22 Nov 2026, 08:30 UTC"),  # an unknown zone reads as UTC
    ],
)
def test_times_in_the_readers_zone_and_locale_with_the_zone_shown(zone, locale, expected):
    assert format_local_time(MOMENT, zone, locale) == expected


def test_summer_time_and_naive_times():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert format_local_time(summer, "Europe/Paris", "en_GB") == (
        "1 Jul 2026, 14:00 CEST (Europe/Paris)"
    )
    naive = datetime(2026, 7, 1, 12, 0)  # a driver that dropped the zone: stored UTC
    assert format_local_time(naive, "Europe/Paris", "en_GB") == (
        "1 Jul 2026, 14:00 CEST (Europe/Paris)"
    )
    assert format_local_time(None, "UTC", "en_US") == "—"
    assert machine_time(naive) == "2026-07-01T12:00:00Z"
    assert machine_time(summer.astimezone(ZoneInfo("Asia/Seoul"))) == "2026-07-01T12:00:00Z"


def test_calendar_dates_per_locale():
    assert format_day(date(2026, 11, 22), "en_US") == "Nov 22, 2026"
    assert format_day(date(2026, 11, 22), "de_DE") == "22.11.2026"
    assert format_day(None, "de_DE") == "—"


@pytest.mark.parametrize(
    ("delta", "locale", "style", "expected"),
    [
        (timedelta(minutes=-35), "en_US", "long", "35 minutes ago"),
        (timedelta(hours=2), "en_US", "long", "in 2 hours"),
        (timedelta(minutes=-35), "en_GB", "short", "35 min ago"),
        (timedelta(minutes=-35), "de_DE", "long", "vor 35 Minuten"),
        (timedelta(hours=2), "de_DE", "long", "in 2 Stunden"),
        (timedelta(days=-3), "fr_FR", "long", "il y a 3 jours"),
        (timedelta(minutes=-35), "ko_KR", "long", "35분 전"),
        (timedelta(hours=2), "ja_JP", "long", "2 時間後"),
    ],
)
def test_relative_times(delta, locale, style, expected):
    assert format_relative(MOMENT + delta, MOMENT, locale, style=style) == expected


# --- the reader's locale -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("de-CH,de;q=0.9", "de_DE"),  # the language's default
        ("en-GB,en;q=0.9", "en_GB"),
        ("en", "en_US"),
        ("en-AU", "en_US"),
        ("ko-KR", "ko_KR"),
        ("ja", "ja_JP"),
        ("pt-BR,pt;q=0.9,fr;q=0.5", "fr_FR"),  # the best supported one, not the first
        ("fr;q=0.2,es;q=0.8", "es_ES"),  # by quality, not by position
        ("fr;q=0,de", "de_DE"),  # q=0 means "not this one"
        ("zh-CN,*;q=0.1", "en_US"),
        ("zh-CN", None),
        ("", None),
        (None, None),
        (";;;q=,=,,", None),
        ("a" * 5000, None),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert negotiate_locale(header) == expected


def test_the_reader_outside_a_request_is_the_default():
    assert current_reader() == DEFAULT_READER == Reader("en_US", "UTC")
    assert format_money(D("1"), "EUR") == "€1.00"


def test_an_anonymous_reader_follows_the_browser(app):
    with app.test_request_context("/", headers={"Accept-Language": "de-DE,de;q=0.9"}):
        assert current_reader() == Reader("de_DE", "UTC")
        assert format_money(D("1234.5"), "EUR") == f"1.234,50{NBSP}€"
    with app.test_request_context("/", headers={"Accept-Language": "tlh"}):
        assert current_reader() == Reader("en_US", "UTC")


def test_the_reader_is_worked_out_once_per_request(app, monkeypatch):
    calls = []
    original = locale.negotiate_locale

    def counted(header):
        calls.append(header)
        return original(header)

    monkeypatch.setattr(locale, "negotiate_locale", counted)
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        for _ in range(3):
            assert current_reader().locale == "ja_JP"
        format_money(D("1"), "JPY")
        format_local_time(MOMENT)
    assert calls == ["ja"]


def test_the_filters_and_the_moment_macro_in_a_rendered_template(app, monkeypatch):
    monkeypatch.setattr(display, "utcnow", lambda: MOMENT + timedelta(minutes=35))
    template = """
      <p class="money">{{ amount|money('EUR') }}</p>
      <p class="code">{{ amount|money('EUR', code=False) }}</p>
      <p class="krw">{{ won|money('KRW', code=False) }}</p>
      <p class="number">{{ count|number }}</p>
      <p class="time">{{ at|localtime }}</p>
      <p class="day">{{ day|localdate }}</p>
      <p class="ago">{{ at|ago }}</p>
      {% from "_macros/moments.html" import moment, amount as money_amount %}
      <p class="list">{{ moment(at) }}</p>
      <p class="record">{{ moment(at, absolute=True) }}</p>
      <p class="none">{{ moment(none) }}</p>
      <p class="cell">{{ money_amount(amount, 'eur') }}</p>
    """
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        html = render_template_string(
            template,
            amount=D("-1234.5"),
            won=D("12000"),
            count=10000,
            at=MOMENT,
            day=date(2026, 11, 22),
        )
    page = BeautifulSoup(html, "html.parser")

    def text(css):
        return page.select_one(css).get_text()

    assert text(".money") == f"-1.234,50{NBSP}EUR"  # the code, always, unless asked otherwise
    assert text(".code") == f"-1.234,50{NBSP}€"
    assert text(".krw") == f"12.000{NBSP}₩"
    assert text(".number") == "10.000"
    assert text(".time") == "22.11.2026, 08:30 UTC"
    assert text(".day") == "22.11.2026"
    assert text(".ago") == "vor 35 Minuten"
    listed = page.select_one(".list time")
    assert listed["datetime"] == "2026-11-22T08:30:00Z"
    assert listed.get_text() == "vor 35 Minuten"
    assert listed["title"] == "22.11.2026, 08:30 UTC"
    record = page.select_one(".record time")
    assert record.get_text() == "22.11.2026, 08:30 UTC" and record["title"] == "vor 35 Minuten"
    assert page.select_one(".none time") is None and text(".none") == "—"
    cell = page.select_one(".cell .money")
    assert cell["data-currency"] == "EUR" and cell.get_text() == f"-1.234,50{NBSP}EUR"


def test_a_signed_in_readers_choice_and_zone_win_over_the_browser(client, session, login_as):
    user = login_as("support_agent", time_zone="Asia/Seoul")
    user.locale = "ko_KR"
    session.flush()
    page = BeautifulSoup(
        client.get("/account", headers={"Accept-Language": "de-DE"}).data, "html.parser"
    )
    example = page.select_one(".locale-example").get_text()
    assert example.startswith("USD\xa01,234.56 · 12,345.6 · 2026. 11. 23.")
    assert "KST (Asia/Seoul)" in example
    sessions = page.select_one("table.sessions tbody").get_text()
    assert "KST (Asia/Seoul)" in sessions and ("오전" in sessions or "오후" in sessions)


def test_recorded_values_show_moments_and_days_as_the_reader_reads_them(app):
    template = "{{ v|recorded }}"
    with app.test_request_context("/"):
        moment = render_template_string(template, v="2026-12-24T09:00:00+00:00")
        day = render_template_string(template, v="2026-12-24")
        state = render_template_string(template, v="pending_second_approval")
        plain = render_template_string(template, v="2026 plans for the holidays")
        odd = render_template_string(template, v="2026-13-45T99:00")
        # Past year 9999 in UTC: no reader's zone can show it, so it stays as written.
        far = render_template_string(template, v="9999-12-31T23:00:00-05:00")
    assert far == "9999-12-31T23:00:00-05:00"
    assert "T09" not in moment and "2026" in moment and "Dec" in moment
    assert day == "Dec 24, 2026"
    assert state == "Pending second approval"
    assert plain == "2026 plans for the holidays" and odd == "2026-13-45T99:00"


def test_a_list_count_reads_as_that_many_of_its_things():
    from mallconsole.web.templating import counted

    assert counted("Refund requests", 1) == "Refund request"
    assert counted("Policies", 1) == "Policy" and counted("Seller replies", 1) == "Seller reply"
    assert counted("Refund requests", 0) == counted("Refund requests", 2) == "Refund requests"
    assert counted("Access", 1) == "Access"  # not a plural: as it is


def test_a_time_attribute_has_at_most_three_digits_of_a_fraction():
    assert machine_time(datetime(2026, 12, 3, 18, 56, 48, 637001, tzinfo=UTC)) == (
        "2026-12-03T18:56:48.637Z"
    )
    assert machine_time(datetime(2026, 12, 3, 18, 56, 48, tzinfo=UTC)) == "2026-12-03T18:56:48Z"
    assert machine_time(date(2026, 12, 3)) == "2026-12-03"


@pytest.mark.parametrize(
    ("size", "locale", "words"),
    [
        (0, "en_US", "0 bytes"),
        (1, "en_US", "1 byte"),
        (25, "en_US", "25 bytes"),
        (999, "en_US", "999 bytes"),
        (12_500, "en_US", "12.5 kB"),
        (12_500, "de_DE", "12,5 kB"),
        (3_200_000, "en_US", "3.2 MB"),
        (10 * 1024 * 1024, "en_US", "10.5 MB"),
    ],
)
def test_a_file_size_reads_in_the_readers_words(size, locale, words):
    assert display.format_file_size(size, locale) == words


@pytest.mark.parametrize("code", locale.SUPPORTED_LOCALES)
def test_month_names_are_written_as_each_locale_writes_them(code):
    """``20 Dec 2026`` in English, ``20 déc. 2026`` in French: CLDR's own month names, never
    lowered or capitalised by the console; a month alone is CLDR's stand-alone form."""
    data = Locale.parse(code)
    named = "MMM" in data.date_formats["medium"].pattern
    for month in range(1, 13):
        day = date(2026, month, 20)
        written = data.months["format"]["abbreviated"][month]
        texts = [
            format_day(day, code),
            format_local_time(datetime(2026, month, 20, 9, tzinfo=UTC), "UTC", code),
        ]
        for text in texts:
            assert (written in text) is named
        assert display.format_month(day, code) == data.months["stand-alone"]["abbreviated"][month]
    if code.startswith("en"):
        assert format_day(date(2026, 12, 20), code) in ("Dec 20, 2026", "20 Dec 2026")
        assert display.format_month(date(2026, 12, 20), code) == "Dec"
    if code == "de_DE":
        assert display.format_month(date(2026, 12, 20), code) == "Dez"


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (D("25"), "en_US", f"+USD{NBSP}25.00"),
        (D("-25"), "en_US", f"-USD{NBSP}25.00"),
        (D("25"), "de_DE", f"+25,00{NBSP}USD"),
        (D("-25"), "de_DE", f"-25,00{NBSP}USD"),
        (D("0"), "de_DE", f"0,00{NBSP}USD"),
    ],
)
def test_a_change_of_money_is_signed_where_the_locale_puts_the_code(amount, locale, expected):
    assert format_money(amount, "USD", locale, code=True, signed=True) == expected
